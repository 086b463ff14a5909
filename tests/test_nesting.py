"""Higher-order and nested differentiation.

Expected values are closed-form derivatives, or finite differences of
tracegrad's own (separately checked) first derivative.
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
from .numeric import EXACT_TOL, HESS_TOL, assert_close, num_hessian, num_jacobian_of

XS = [-2.3, -0.7, 0.0, 0.4, 1.9]


def nth_grad(f, n):
    for _ in range(n):
        f = tg.grad(f)
    return f


@pytest.mark.parametrize("x", XS)
def test_sin_derivatives_cycle_to_fourth_order(x):
    expected = [math.sin(x), math.cos(x), -math.sin(x), -math.cos(x), math.sin(x)]
    for n in range(5):
        assert_close(nth_grad(tnp.sin, n)(x), expected[n], **EXACT_TOL, err_msg=f"order {n}")


@pytest.mark.parametrize("x", XS)
def test_exp_is_its_own_derivative_to_fourth_order(x):
    for n in range(5):
        assert_close(nth_grad(tnp.exp, n)(x), math.exp(x), **EXACT_TOL, err_msg=f"order {n}")


@pytest.mark.parametrize("x", [-3.0, -1.5, 0.5, 2.0, 3.0])
def test_fifth_power_derivatives_are_exact(x):
    expected = [x**5, 5 * x**4, 20 * x**3, 60 * x**2, 120 * x, 120.0]
    for n in range(6):
        assert_close(nth_grad(lambda t: t**5, n)(x), expected[n], **EXACT_TOL, err_msg=f"order {n}")


@pytest.mark.parametrize("x", [-2.0, 0.0, 1.0, 3.0])
def test_polynomial_by_products_derivatives_vanish_past_degree(x):
    def p(t):
        return 3.0 * t * t * t - 2.0 * t * t + t - 7.0

    expected = [3 * x**3 - 2 * x**2 + x - 7, 9 * x**2 - 4 * x + 1, 18 * x - 4, 18.0, 0.0]
    for n in range(5):
        assert nth_grad(p, n)(x) == pytest.approx(expected[n], rel=1e-13, abs=1e-13), f"order {n}"


def test_fourth_derivative_of_a_composite_function():
    # f(x) = exp(sin x); f'''' in closed form
    def f4(x):
        s, c, e = math.sin(x), math.cos(x), math.exp(math.sin(x))
        return e * (c**4 - 6 * c**2 * s - 4 * c**2 + 3 * s**2 + s)

    for x in (-1.1, 0.3, 2.0):
        assert_close(nth_grad(lambda t: tnp.exp(tnp.sin(t)), 4)(x), f4(x), rtol=1e-11, atol=1e-12)


# --- a quadratic-plus-cubic test function with a closed-form Hessian --------

A_VEC = np.array([0.5, -1.0, 2.0, 0.25])


def cubic(x):
    """f(x) = sum(x^3)/3 + (a.x)^2;  grad = x^2 + 2(a.x)a;  H = diag(2x) + 2 a a^T."""
    return tnp.sum(x**3) / 3.0 + tnp.dot(A_VEC, x) ** 2


def cubic_hessian(x):
    return np.diag(2 * x) + 2 * np.outer(A_VEC, A_VEC)


def test_jvp_of_grad_is_hessian_vector_product(rng):
    x, v = rng.normal(size=4), rng.normal(size=4)
    out, hv = tg.jvp(tg.grad(cubic), (x,), (v,))
    assert_close(out, x**2 + 2 * A_VEC.dot(x) * A_VEC, **EXACT_TOL)
    assert_close(hv, cubic_hessian(x) @ v, **EXACT_TOL)


def test_grad_of_jvp_is_hessian_vector_product(rng):
    x, v = rng.normal(size=4), rng.normal(size=4)
    directional = lambda z: tg.jvp(cubic, (z,), (v,))[1]  # noqa: E731
    assert_close(tg.grad(directional)(x), cubic_hessian(x) @ v, **EXACT_TOL)


def test_vjp_of_grad_is_hessian_vector_product(rng):
    x, v = rng.normal(size=4), rng.normal(size=4)
    _, vjp_fun = tg.vjp(tg.grad(cubic), x)
    (hv,) = vjp_fun(v)
    assert_close(hv, cubic_hessian(x) @ v, **EXACT_TOL)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda f: tg.jacfwd(tg.jacrev(f)), id="jacfwd(jacrev)"),
        pytest.param(lambda f: tg.jacrev(tg.jacfwd(f)), id="jacrev(jacfwd)"),
        pytest.param(lambda f: tg.jacfwd(tg.jacfwd(f)), id="jacfwd(jacfwd)"),
        pytest.param(lambda f: tg.jacrev(tg.jacrev(f)), id="jacrev(jacrev)"),
        pytest.param(lambda f: tg.jacfwd(tg.grad(f)), id="jacfwd(grad)"),
        pytest.param(tg.hessian, id="hessian"),
    ],
)
def test_every_hessian_composition_gives_the_closed_form(make, rng):
    x = rng.normal(size=4)
    H = make(cubic)(x)
    assert_close(H, cubic_hessian(x), **EXACT_TOL)


@S.examples(10)
@given(n=st.integers(1, 5), seed=st.integers(0, 2**32 - 1))
def test_hessian_of_quadratic_form_is_A_plus_A_transpose(n, seed):
    r = np.random.default_rng(seed)
    A = r.normal(size=(n, n))  # deliberately not symmetric
    x = r.normal(size=n)
    H = tg.hessian(lambda z: tnp.dot(z, tnp.dot(A, z)))(x)
    assert_close(H, A + A.T, **EXACT_TOL)
    H2 = tg.hessian(lambda z: z @ A @ z)(x)
    assert_close(H2, A + A.T, **EXACT_TOL)


def test_hessian_matches_finite_differences_of_library_gradient_and_stencil(rng):
    def f(x):
        return tnp.sum(tnp.sin(x[:, 0] * x[:, 1]) + tnp.exp(0.3 * x) @ np.array([1.0, -2.0]))

    def f_np(x):
        return np.sum(np.sin(x[:, 0] * x[:, 1]) + np.exp(0.3 * x) @ np.array([1.0, -2.0]))

    x = rng.normal(size=(3, 2))
    H = tg.hessian(f)(x)
    assert H.shape == (3, 2, 3, 2)
    assert_close(H, num_jacobian_of(tg.grad(f), x), **HESS_TOL)
    assert_close(H, num_hessian(f_np, x), **HESS_TOL)


def test_closure_over_outer_traced_value():
    # g(x) = d/dy sin(x y) at y = 1  = x cos(x);   g'(x) = cos x - x sin x
    def g(x):
        return tg.grad(lambda y: tnp.sin(x * y))(1.0)

    for x in (-1.3, 0.2, 2.2):
        assert_close(g(x), x * math.cos(x), **EXACT_TOL)
        assert_close(tg.grad(g)(x), math.cos(x) - x * math.sin(x), **EXACT_TOL)


def test_closure_captures_array_from_outer_trace(rng):
    # outer(w) = sum_i d/dx_i [ sum(w * x^2) ] at x = c  = sum(2 w c)  ->  grad_w = 2c
    c = rng.normal(size=3)

    def outer(w):
        inner_grad = tg.grad(lambda x: tnp.sum(w * x**2))(c)
        return tnp.sum(inner_grad)

    assert_close(tg.grad(outer)(rng.normal(size=3)), 2 * c, **EXACT_TOL)


def test_no_perturbation_confusion_multiplicative():
    # d/dx [ x * d/dy (x y) ] = d/dx [x * x] = 2x at x = 1
    assert tg.grad(lambda x: x * tg.grad(lambda y: x * y)(2.0))(1.0) == pytest.approx(2.0,
                                                                                      abs=1e-15)


def test_no_perturbation_confusion_additive():
    # d/dy (x + y) = 1 regardless of x, so d/dx [x * 1] = 1
    assert tg.grad(lambda x: x * tg.grad(lambda y: x + y)(1.0))(3.0) == pytest.approx(1.0,
                                                                                      abs=1e-15)


def test_no_perturbation_confusion_in_forward_mode():
    # same as above, with the inner derivative taken by jvp
    def outer(x):
        return x * tg.jvp(lambda y: x + y, (1.0,), (1.0,))[1]

    assert tg.grad(outer)(3.0) == pytest.approx(1.0, abs=1e-15)
    assert tg.jvp(outer, (3.0,), (1.0,))[1] == pytest.approx(1.0, abs=1e-15)


def test_mixed_partial_derivatives_commute():
    # f(x, y) = x^3 y^2 + sin(x y)
    def f(x, y):
        return x**3 * y**2 + tnp.sin(x * y)

    x, y = 0.7, -1.2
    fxy = tg.grad(tg.grad(f, argnums=0), argnums=1)(x, y)
    fyx = tg.grad(tg.grad(f, argnums=1), argnums=0)(x, y)
    expected = 6 * x**2 * y + math.cos(x * y) - x * y * math.sin(x * y)
    assert_close(fxy, expected, **EXACT_TOL)
    assert_close(fyx, expected, **EXACT_TOL)


def test_third_order_mixing_modes(rng):
    # d^3/dx^3 of sum(x^4)/4 along v three times = 6 sum(x v^3)
    x, v = rng.normal(size=3), rng.normal(size=3)
    f = lambda z: tnp.sum(z**4) / 4.0  # noqa: E731
    d1 = lambda z: tg.jvp(f, (z,), (v,))[1]  # noqa: E731
    d2 = lambda z: tg.jvp(d1, (z,), (v,))[1]  # noqa: E731
    d3_rev = tg.grad(d2)(x)  # = 6 x v^2 * ... gradient of 3 sum(z^2 v^2) = 6 z v^2
    assert_close(d3_rev, 6 * x * v**2, **EXACT_TOL)
    assert_close(tg.jvp(d2, (x,), (v,))[1], 6 * np.sum(x * v**3), **EXACT_TOL)


def test_nested_grad_at_the_same_point_is_not_confused():
    # f(x) = d/dy [y (x − y)] at y = x  =  x − 2y |_{y=x}  =  −x, so f'(x) = −1.
    # (Reported against PyTorch's nested autograd as pytorch/pytorch#32576,
    # where the answer came out 0; autograd's "nestable egg", HIPS/autograd#4,
    # is test_no_perturbation_confusion_multiplicative above.)
    assert tg.grad(lambda x: tg.grad(lambda y: y * (x - y))(x))(1.0) == -1.0
