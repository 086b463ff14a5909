"""The transformation API: grad / value_and_grad (argnums, has_aux), vjp, jvp,
jacfwd / jacrev / jacobian / hessian, and the library's own gradient checkers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.numpy as tnp

from . import strategies as S
from .numeric import (
    EXACT_TOL,
    GRAD_TOL,
    assert_close,
    num_jacobian,
)


def f3(x, y, z):
    """Scalar function of three arguments with closed-form partials."""
    return tnp.sum(tnp.sin(x) * y) + tnp.sum(z**2) * 0.5


def f3_partials(x, y, z):
    return np.cos(x) * y, np.sin(x) + np.zeros_like(y), z


# --- grad / argnums ----------------------------------------------------------


def test_grad_defaults_to_first_argument(rng):
    x, y, z = rng.normal(size=3), rng.normal(size=3), rng.normal(size=2)
    assert_close(tg.grad(f3)(x, y, z), f3_partials(x, y, z)[0], **EXACT_TOL)


@pytest.mark.parametrize("argnum", [0, 1, 2])
def test_grad_argnums_int_selects_argument(argnum, rng):
    x, y, z = rng.normal(size=3), rng.normal(size=3), rng.normal(size=2)
    assert_close(tg.grad(f3, argnums=argnum)(x, y, z), f3_partials(x, y, z)[argnum], **EXACT_TOL)


@pytest.mark.parametrize("argnums", [(0,), (0, 2), (2, 0), (1, 2), (0, 1, 2)])
def test_grad_argnums_tuple_returns_tuple_in_that_order(argnums, rng):
    x, y, z = rng.normal(size=3), rng.normal(size=3), rng.normal(size=2)
    gs = tg.grad(f3, argnums=argnums)(x, y, z)
    assert isinstance(gs, tuple) and len(gs) == len(argnums)
    expected = f3_partials(x, y, z)
    for g, i in zip(gs, argnums, strict=True):
        assert_close(g, expected[i], **EXACT_TOL)


def test_grad_accepts_python_ints_and_returns_floats():
    g = tg.grad(lambda x: x**2 + 3 * x)(3)
    assert float(g) == 9.0
    assert np.issubdtype(np.asarray(g).dtype, np.floating)
    gx, gy = tg.grad(lambda x, y: x * y * y, argnums=(0, 1))(2, 5)
    assert (float(gx), float(gy)) == (25.0, 20.0)


def test_grad_returns_same_shape_and_float64(rng):
    for shape in [(), (1,), (4,), (2, 3), (2, 1, 3)]:
        x = rng.normal(size=shape)
        g = tg.grad(lambda a: tnp.sum(tnp.exp(a)))(x)
        assert np.shape(g) == shape
        assert np.asarray(g).dtype == np.float64
        assert_close(g, np.exp(x), **EXACT_TOL)


# --- gradient w.r.t. inputs the output does not depend on -------------------


@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
def test_gradient_of_unused_input_is_zeros_of_its_shape(shape, rng):
    x, y = rng.normal(size=shape), rng.normal(size=(4,))
    f = lambda a, b: tnp.sum(b**2)  # noqa: E731
    gx = tg.grad(f, argnums=0)(x, y)
    assert np.shape(gx) == shape
    np.testing.assert_array_equal(np.asarray(gx), np.zeros(shape))
    gx, gy = tg.grad(f, argnums=(0, 1))(x, y)
    assert np.shape(gx) == shape
    np.testing.assert_array_equal(np.asarray(gx), np.zeros(shape))
    assert_close(gy, 2 * y, **EXACT_TOL)


@pytest.mark.parametrize(
    "const_fn",
    [
        pytest.param(lambda x: tnp.sum(tnp.ones(3)), id="tnp-constant"),
        pytest.param(lambda x: 2.5, id="python-float"),
        pytest.param(lambda x: tnp.sum(tg.stop_gradient(x) ** 2), id="stopped"),
    ],
)
def test_gradient_of_constant_function_is_zeros(const_fn, rng):
    x = rng.normal(size=(2, 2))
    g = tg.grad(const_fn)(x)
    assert np.shape(g) == (2, 2)
    np.testing.assert_array_equal(np.asarray(g), np.zeros((2, 2)))


def test_unused_input_in_vjp_jvp_and_jacobians(rng):
    x, y = rng.normal(size=3), rng.normal(size=2)
    f = lambda a, b: tnp.sin(b)  # noqa: E731
    out, vjp_fun = tg.vjp(f, x, y)
    ct_x, ct_y = vjp_fun(np.ones(2))
    assert np.shape(ct_x) == (3,)
    np.testing.assert_array_equal(np.asarray(ct_x), np.zeros(3))
    assert_close(ct_y, np.cos(y), **EXACT_TOL)
    _, t = tg.jvp(f, (x, y), (np.ones(3), np.zeros(2)))
    np.testing.assert_array_equal(np.asarray(t), np.zeros(2))
    for jac in (tg.jacfwd, tg.jacrev):
        J = jac(f, argnums=0)(x, y)
        assert np.shape(J) == (2, 3)
        np.testing.assert_array_equal(np.asarray(J), np.zeros((2, 3)))


# --- value_and_grad and has_aux ---------------------------------------------


def test_value_and_grad_returns_value_and_gradient(rng):
    x = rng.normal(size=4)
    value, g = tg.value_and_grad(lambda a: tnp.sum(tnp.tanh(a)))(x)
    assert_close(value, np.sum(np.tanh(x)), **EXACT_TOL)
    assert_close(g, 1 - np.tanh(x) ** 2, **EXACT_TOL)


def test_value_and_grad_with_argnums_tuple(rng):
    x, y, z = rng.normal(size=3), rng.normal(size=3), rng.normal(size=2)
    value, (gx, gz) = tg.value_and_grad(f3, argnums=(0, 2))(x, y, z)
    assert_close(value, np.sum(np.sin(x) * y) + 0.5 * np.sum(z**2), **EXACT_TOL)
    ex = f3_partials(x, y, z)
    assert_close(gx, ex[0], **EXACT_TOL)
    assert_close(gz, ex[2], **EXACT_TOL)


def _loss_with_aux(w, x):
    pred = tnp.dot(x, w)
    loss = tnp.mean(pred**2)
    return loss, {"pred": pred, "note": "aux"}


def test_grad_has_aux_returns_gradient_and_aux(rng):
    w, x = rng.normal(size=3), rng.normal(size=(5, 3))
    g, aux = tg.grad(_loss_with_aux, has_aux=True)(w, x)
    pred = x @ w
    assert_close(g, 2 * x.T @ pred / 5, **EXACT_TOL)
    assert isinstance(aux, dict) and aux["note"] == "aux"
    assert_close(aux["pred"], pred, **EXACT_TOL)


def test_value_and_grad_has_aux_nesting_of_results(rng):
    w, x = rng.normal(size=3), rng.normal(size=(5, 3))
    (value, aux), g = tg.value_and_grad(_loss_with_aux, has_aux=True)(w, x)
    pred = x @ w
    assert_close(value, np.mean(pred**2), **EXACT_TOL)
    assert_close(aux["pred"], pred, **EXACT_TOL)
    assert_close(g, 2 * x.T @ pred / 5, **EXACT_TOL)


def test_has_aux_aux_is_not_differentiated(rng):
    # the aux output may be non-scalar and must not change the gradient
    x = rng.normal(size=3)
    g, aux = tg.grad(lambda a: (tnp.sum(a), a * 100.0), has_aux=True)(x)
    np.testing.assert_allclose(np.asarray(g), np.ones(3))
    assert_close(aux, 100 * x, **EXACT_TOL)


# --- vjp -----------------------------------------------------------------------


def test_vjp_returns_one_cotangent_per_primal(rng):
    x, y = rng.normal(size=(2, 3)), rng.normal(size=3)
    out, vjp_fun = tg.vjp(lambda a, b: tnp.sin(a) * b, x, y)
    assert_close(out, np.sin(x) * y, **EXACT_TOL)
    ct = rng.normal(size=(2, 3))
    cts = vjp_fun(ct)
    assert isinstance(cts, tuple) and len(cts) == 2
    assert_close(cts[0], ct * np.cos(x) * y, **EXACT_TOL)
    assert_close(cts[1], np.sum(ct * np.sin(x), axis=0), **EXACT_TOL)


def test_vjp_single_primal_still_returns_a_tuple(rng):
    x = rng.normal(size=3)
    _, vjp_fun = tg.vjp(tnp.exp, x)
    cts = vjp_fun(np.ones(3))
    assert isinstance(cts, tuple) and len(cts) == 1
    assert_close(cts[0], np.exp(x), **EXACT_TOL)


def test_vjp_function_can_be_called_twice_with_same_result(rng):
    x = rng.normal(size=4)
    _, vjp_fun = tg.vjp(lambda a: tnp.sin(a) * a, x)
    ct = rng.normal(size=4)
    first = np.array(vjp_fun(ct)[0])
    second = np.array(vjp_fun(ct)[0])
    expected = ct * (np.cos(x) * x + np.sin(x))
    assert_close(first, expected, **EXACT_TOL)
    assert_close(second, expected, **EXACT_TOL)  # no accumulation into the first result
    # a different cotangent afterwards is also exact (linear in the cotangent)
    assert_close(vjp_fun(2.0 * ct)[0], 2.0 * expected, **EXACT_TOL)
    assert_close(vjp_fun(np.zeros(4))[0], np.zeros(4), **EXACT_TOL)


def test_vjp_with_scalar_output_and_scalar_cotangent():
    out, vjp_fun = tg.vjp(lambda x, y: x * y + tnp.sin(x), 0.5, 3.0)
    assert_close(out, 1.5 + math.sin(0.5), **EXACT_TOL)
    gx, gy = vjp_fun(2.0)
    assert_close(gx, 2.0 * (3.0 + math.cos(0.5)), **EXACT_TOL)
    assert_close(gy, 2.0 * 0.5, **EXACT_TOL)


# --- jvp -----------------------------------------------------------------------


def test_jvp_returns_value_and_directional_derivative(rng):
    x, y = rng.normal(size=3), rng.normal(size=3)
    tx, ty = rng.normal(size=3), rng.normal(size=3)
    out, t = tg.jvp(lambda a, b: a * tnp.exp(b), (x, y), (tx, ty))
    assert_close(out, x * np.exp(y), **EXACT_TOL)
    assert_close(t, tx * np.exp(y) + x * np.exp(y) * ty, **EXACT_TOL)


def test_jvp_on_scalars():
    out, t = tg.jvp(tnp.sin, (0.3,), (2.0,))
    assert_close(out, math.sin(0.3), **EXACT_TOL)
    assert_close(t, 2.0 * math.cos(0.3), **EXACT_TOL)


def test_jvp_is_linear_in_the_tangent(rng):
    f = lambda a: tnp.tanh(a) * tnp.sum(a)  # noqa: E731
    x, u, v = rng.normal(size=4), rng.normal(size=4), rng.normal(size=4)
    _, tu = tg.jvp(f, (x,), (u,))
    _, tv = tg.jvp(f, (x,), (v,))
    _, tuv = tg.jvp(f, (x,), (2.0 * u - 3.0 * v,))
    assert_close(tuv, 2.0 * np.asarray(tu) - 3.0 * np.asarray(tv), rtol=1e-12, atol=1e-12)


# --- Jacobians ---------------------------------------------------------------


def rn_to_rm(x):
    """R^3 -> R^5 with a closed-form Jacobian."""
    return tnp.stack([x[0] * x[1], tnp.sin(x[2]), x[0] ** 2, tnp.exp(x[1]) * x[2],
                      x[0] + x[1] + x[2]])


def rn_to_rm_np(x):
    return np.stack([x[0] * x[1], np.sin(x[2]), x[0] ** 2, np.exp(x[1]) * x[2], x[0] + x[1] + x[2]])


def rn_to_rm_jac(x):
    return np.array(
        [
            [x[1], x[0], 0],
            [0, 0, math.cos(x[2])],
            [2 * x[0], 0, 0],
            [0, math.exp(x[1]) * x[2], math.exp(x[1])],
            [1, 1, 1],
        ]
    )


@pytest.mark.parametrize("jac", [tg.jacfwd, tg.jacrev, tg.jacobian],
                         ids=["jacfwd", "jacrev", "jacobian"])
def test_jacobian_of_rn_to_rm_has_shape_m_by_n(jac, rng):
    x = rng.normal(size=3)
    J = jac(rn_to_rm)(x)
    assert np.shape(J) == (5, 3)
    assert_close(J, rn_to_rm_jac(x), **EXACT_TOL)
    assert_close(J, num_jacobian(rn_to_rm_np, x), **GRAD_TOL)


@S.examples(10)
@given(data=st.data())
def test_jacfwd_and_jacrev_agree_with_each_other_and_finite_differences(data):
    in_shape = data.draw(S.shapes(max_dims=2), label="in shape")
    m = data.draw(st.integers(1, 4), label="m")
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    r = np.random.default_rng(seed)
    n = int(np.prod(in_shape, dtype=int))
    A = r.normal(size=(m, n))
    x = r.uniform(-1, 1, size=in_shape)

    def f(z):
        return tnp.tanh(tnp.dot(A, tnp.reshape(z, (-1,)))) * tnp.sum(z**2)

    def f_np(z):
        return np.tanh(A @ np.reshape(z, (-1,))) * np.sum(z**2)

    Jf = tg.jacfwd(f)(x)
    Jr = tg.jacrev(f)(x)
    assert np.shape(Jf) == (m,) + in_shape
    assert np.shape(Jr) == (m,) + in_shape
    assert_close(Jf, Jr, rtol=1e-12, atol=1e-12)
    assert_close(Jr, num_jacobian(f_np, x), **GRAD_TOL)


def test_jacobian_shapes_follow_out_shape_plus_in_shape(rng):
    X = rng.normal(size=(2, 3))
    M = rng.normal(size=(3, 4))
    for jac in (tg.jacfwd, tg.jacrev):
        # matrix -> matrix
        J = jac(lambda a: tnp.matmul(a, M))(X)
        assert np.shape(J) == (2, 4, 2, 3)
        # d(XM)_ij / dX_kl = delta_ik M_lj
        assert_close(J, np.einsum("ik,lj->ijkl", np.eye(2), M), **EXACT_TOL)
        # scalar -> vector
        J = jac(lambda t: tnp.stack([t, t**2, tnp.sin(t)]))(0.5)
        assert np.shape(J) == (3,)
        assert_close(J, [1.0, 1.0, math.cos(0.5)], **EXACT_TOL)
        # matrix -> scalar is the gradient
        J = jac(lambda a: tnp.sum(a**3))(X)
        assert np.shape(J) == (2, 3)
        assert_close(J, 3 * X**2, **EXACT_TOL)


def test_jacobian_argnums(rng):
    x, y = rng.normal(size=3), rng.normal(size=2)
    f = lambda a, b: tnp.outer(a, b)  # noqa: E731
    for jac in (tg.jacfwd, tg.jacrev):
        Jy = jac(f, argnums=1)(x, y)
        assert np.shape(Jy) == (3, 2, 2)
        assert_close(Jy, np.einsum("i,jk->ijk", x, np.eye(2)), **EXACT_TOL)


@tg.custom_vjp
def _cube_reverse_only(x):
    """x³ with only a reverse-mode rule: forward mode cannot differentiate it."""
    return x**3


_cube_reverse_only.defvjp(lambda x: (x**3, x), lambda x, g: (3 * x**2 * g,))


def test_jacobian_is_reverse_mode(rng):
    """tg.jacobian is JAX's jacrev: a function with only a reverse rule, which
    forward mode refuses, still has its Jacobian (diagonal, 3x²), by hand."""
    x = rng.normal(size=3)
    f = lambda a: tnp.stack([_cube_reverse_only(a[0]), a[1] * _cube_reverse_only(a[2])])  # noqa: E731
    with pytest.raises(tg.custom.CustomRuleError, match=r"only a reverse-mode rule"):
        tg.jacfwd(f)(x)
    want = np.array([[3 * x[0] ** 2, 0, 0], [0, x[2] ** 3, 3 * x[1] * x[2] ** 2]])
    assert_close(tg.jacobian(f)(x), want, **EXACT_TOL)


def test_hessian_shape_for_matrix_input(rng):
    X = rng.normal(size=(2, 2))
    H = tg.hessian(lambda a: tnp.sum(a**3))(X)
    assert np.shape(H) == (2, 2, 2, 2)
    expected = np.zeros((2, 2, 2, 2))
    for i in range(2):
        for j in range(2):
            expected[i, j, i, j] = 6 * X[i, j]
    assert_close(H, expected, **EXACT_TOL)


def test_hessian_argnums(rng):
    x, y = rng.normal(size=2), rng.normal(size=3)
    f = lambda a, b: tnp.sum(a**2) * tnp.sum(b**3)  # noqa: E731
    H = tg.hessian(f, argnums=1)(x, y)
    assert_close(H, np.sum(x**2) * np.diag(6 * y), **EXACT_TOL)


# --- the library's own checkers --------------------------------------------


def test_numerical_grad_matches_analytic_gradient(rng):
    x = rng.normal(size=(2, 3))
    g = tg.numerical_grad(lambda a: tnp.sum(a**3), x)
    assert np.shape(g) == (2, 3)
    assert_close(g, 3 * x**2, rtol=1e-5, atol=1e-6)


def test_numerical_grad_is_with_respect_to_first_argument(rng):
    x, y = rng.normal(size=3), rng.normal(size=3)
    g = tg.numerical_grad(lambda a, b: tnp.sum(tnp.sin(a) * b), x, y)
    assert np.shape(g) == (3,)
    assert_close(g, np.cos(x) * y, rtol=1e-5, atol=1e-6)


def test_numerical_grad_of_a_traced_function_is_the_derivative_by_hand(rng):
    """tnp code (run on plain arrays) differenced: d/dx x² log x = 2x log x + x."""
    x = rng.uniform(0.5, 2, size=4)
    g = tg.numerical_grad(lambda a: tnp.sum(tnp.log(a) * a**2), x)
    assert_close(g, 2 * x * np.log(x) + x, rtol=1e-9, atol=1e-10)


def test_numerical_grad_of_scalar_argument():
    g = tg.numerical_grad(lambda t: t**3, 2.0)
    assert np.shape(g) == ()
    assert float(g) == pytest.approx(12.0, rel=1e-5)


@pytest.mark.parametrize(
    "fun,args",
    [
        pytest.param(lambda x: tnp.sum(tnp.sin(x) * x), (np.array([0.3, -1.2, 2.0]),), id="sin-x"),
        pytest.param(lambda x, y: tnp.sum(tnp.dot(x, y) ** 2),
                     (np.ones((2, 3)) * 0.3, np.arange(3.0)), id="two-args"),
        pytest.param(lambda x: x**3 - 2 * x, (1.5,), id="scalar"),
    ],
)
def test_check_grads_passes_on_correct_functions(fun, args):
    tg.check_grads(fun, args, order=2, modes=("fwd", "rev"))
    tg.check_grads(fun, args, order=1, modes=("rev",))
    tg.check_grads(fun, args, order=1, modes=("fwd",))


def test_check_grads_default_arguments():
    tg.check_grads(lambda x: tnp.sum(tnp.exp(x)), (np.array([0.1, 0.2]),))


# ---------------------------------------------------------------------------
# Jacobians and Hessians over pytrees (JAX's layout: output outside, input inside)
# ---------------------------------------------------------------------------

def test_jacobians_of_a_dict_argument_match_the_formula():
    w, b = np.array([0.1, -0.4, 0.7]), np.array(1.5)
    def f(p):
        return tnp.sin(p["w"]) * p["b"]

    for jac in (tg.jacfwd, tg.jacrev):
        J = jac(f)({"w": w, "b": b})
        assert set(J) == {"w", "b"}
        np.testing.assert_allclose(J["w"], np.diag(np.cos(w) * b), rtol=1e-12)
        np.testing.assert_allclose(J["b"], np.sin(w), rtol=1e-12)


def test_hessian_of_a_dict_argument_matches_the_formula():
    w, b = np.array([0.3, -1.2]), np.array(0.7)
    H = tg.hessian(lambda p: tnp.sum(p["w"] ** 3) * p["b"])({"w": w, "b": b})
    np.testing.assert_allclose(H["w"]["w"], np.diag(6 * w * b), rtol=1e-12)
    np.testing.assert_allclose(H["w"]["b"], 3 * w ** 2, rtol=1e-12)
    np.testing.assert_allclose(H["b"]["w"], 3 * w ** 2, rtol=1e-12)
    np.testing.assert_allclose(H["b"]["b"], 0.0, atol=0)


def test_jacobian_of_a_tuple_output_has_one_block_per_output():
    x = np.array([0.2, 0.9])
    for jac in (tg.jacfwd, tg.jacrev):
        J_sin, J_sum = jac(lambda v: (tnp.sin(v), tnp.sum(v * v)))(x)
        np.testing.assert_allclose(J_sin, np.diag(np.cos(x)), rtol=1e-12)
        np.testing.assert_allclose(J_sum, 2 * x, rtol=1e-12)
