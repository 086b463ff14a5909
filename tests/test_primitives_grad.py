"""Every differentiable ``tracegrad.numpy`` function, differentiated.

For each operation the reference is NumPy itself: the forward value must
equal NumPy's, and the derivatives must equal central finite differences of
the *NumPy* function (``tests/numeric.py``), in

* reverse mode: ``grad`` of a weighted sum, w.r.t. each argument and with an
  ``argnums`` tuple, and ``vjp`` with a random cotangent;
* forward mode: ``jvp`` with random tangents;
* second order: ``hessian`` and a mixed ``jacfwd(grad)`` against the
  four-point second-difference stencil;
* the library's own ``check_grads(order=2, modes=("fwd", "rev"))``.

Inputs come from ``tests/strategies.py``: scalars, vectors, matrices, 3-D,
broadcasting pairs, and per-operation safe domains.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tracegrad as tg
import tracegrad.numpy as tnp
from tracegrad.words import primitive_words, words

from . import strategies as S
from .numeric import (
    EXACT_TOL,
    GRAD_TOL,
    HESS_TOL,
    assert_close,
    num_grad,
    num_grad_arg,
    num_hessian_args,
    num_jvp,
    pack,
    unpack,
)

FIRST = S.examples(25)
SECOND = S.examples(8)
CHECK = S.examples(5)
FIXED = S.examples(5)  # fixed shapes, random values


# ---------------------------------------------------------------------------
# generic checkers


def _weights(data, shape):
    """Random nonzero weights (so a gradient cannot be right by symmetry)."""
    seed = data.draw(st.integers(0, 2**32 - 1), label="weight seed")
    r = np.random.default_rng(seed)
    return r.uniform(0.5, 2.0, size=shape) * r.choice([-1.0, 1.0], size=shape)


def _losses(fn_tg, fn_np, w):
    """Scalar losses sum(w * f(args)) through tracegrad and through NumPy.

    The traced value is always on the left of an operation with a NumPy
    array, so NumPy's own operators never see a traced value.
    """

    def loss_tg(*args):
        return tnp.sum(tnp.multiply(fn_tg(*args), w))

    def loss_np(*args):
        return np.sum(np.asarray(fn_np(*args)) * w)

    return loss_tg, loss_np


def _draw_args(data, in_shapes, bound):
    """One array per shape, elements in [-bound, bound]."""
    return [data.draw(S.arrays(s, S.floats(-bound, bound)), label=f"arg{i}")
            for i, s in enumerate(in_shapes)]


def check_forward_value(fn_tg, fn_np, args):
    expected = np.asarray(fn_np(*args))
    out = fn_tg(*args)
    assert_close(out, expected, **EXACT_TOL)
    return expected


def check_first_order(fn_tg, fn_np, args, data, eager=True):
    """grad (each argnum and a tuple), vjp and jvp against finite differences.

    ``eager=False`` is for code such as ``x.at[i].set(v)`` that only exists
    on traced arrays: it skips calling ``fn_tg`` on plain NumPy arrays and
    always differentiates w.r.t. *all* arguments together (so that every
    argument is traced); the value is still checked through vjp and jvp.
    """
    args = [np.asarray(a, dtype=np.float64) for a in args]
    if eager:
        expected_out = check_forward_value(fn_tg, fn_np, args)
    else:
        expected_out = np.asarray(fn_np(*args))
    w = _weights(data, expected_out.shape)
    loss_tg, loss_np = _losses(fn_tg, fn_np, w)
    numeric = [num_grad_arg(loss_np, args, i) for i in range(len(args))]

    # reverse mode, one argument at a time
    for i in range(len(args) if eager else 0):
        g = tg.grad(loss_tg, argnums=i)(*args)
        assert_close(g, numeric[i], **GRAD_TOL, err_msg=f"grad w.r.t. argument {i}")

    # reverse mode, all arguments at once
    if len(args) > 1 or not eager:
        gs = tg.grad(loss_tg, argnums=tuple(range(len(args))))(*args)
        assert isinstance(gs, tuple) and len(gs) == len(args)
        for i, g in enumerate(gs):
            assert_close(g, numeric[i], **GRAD_TOL, err_msg=f"grad argnums tuple, entry {i}")

    # vjp with the weights as cotangent: the same numbers, non-scalar output
    out, vjp_fun = tg.vjp(fn_tg, *args)
    assert_close(out, expected_out, **EXACT_TOL)
    cts = vjp_fun(w)
    assert isinstance(cts, tuple) and len(cts) == len(args)
    for i, ct in enumerate(cts):
        assert_close(ct, numeric[i], **GRAD_TOL, err_msg=f"vjp cotangent {i}")

    # forward mode along a random direction in all arguments jointly
    seed = data.draw(st.integers(0, 2**32 - 1), label="tangent seed")
    r = np.random.default_rng(seed)
    tangents = [r.normal(size=a.shape) for a in args]
    out, tangent_out = tg.jvp(fn_tg, tuple(args), tuple(tangents))
    assert_close(out, expected_out, **EXACT_TOL)
    flat_x, shapes = pack(args)
    flat_v, _ = pack(tangents)
    expected_tangent = num_jvp(lambda z: fn_np(*unpack(z, shapes)), flat_x, flat_v)
    assert_close(tangent_out, expected_tangent, **GRAD_TOL, err_msg="jvp tangent")


def check_second_order(fn_tg, fn_np, args, data):
    """hessian per argument and mixed partials vs the 4-point stencil."""
    args = [np.asarray(a, dtype=np.float64) for a in args]
    expected_out = np.asarray(fn_np(*args))
    w = _weights(data, expected_out.shape)
    loss_tg, loss_np = _losses(fn_tg, fn_np, w)
    block = num_hessian_args(loss_np, args)
    for i in range(len(args)):
        H = tg.hessian(loss_tg, argnums=i)(*args)
        assert_close(H, block(i, i), **HESS_TOL, err_msg=f"hessian w.r.t. argument {i}")
    if len(args) > 1:
        # d/d args[1] of d/d args[0]: forward-over-reverse, mixed partials
        mixed = tg.jacfwd(tg.grad(loss_tg, argnums=0), argnums=1)(*args)
        assert_close(mixed, block(0, 1), **HESS_TOL, err_msg="mixed second derivative")


def check_with_check_grads(fn_tg, args, data):
    args = tuple(np.asarray(a, dtype=np.float64) for a in args)
    w = _weights(data, np.shape(fn_tg(*args)))
    loss_tg, _ = _losses(fn_tg, None, w)
    tg.check_grads(loss_tg, args, order=2, modes=("fwd", "rev"))


# ---------------------------------------------------------------------------
# elementwise, one argument

UNARY = sorted(S.UNARY_DOMAINS)


def _unary(name):
    return getattr(tnp, name), getattr(np, name)


def _unary_input(name, data, max_dims=3):
    shape = data.draw(S.shapes(max_dims=max_dims), label="shape")
    return data.draw(S.unary_input(name, shape), label="x")


@pytest.mark.parametrize("name", UNARY)
@FIRST
@given(data=st.data())
def test_unary_first_derivative_matches_finite_differences(name, data):
    check_first_order(*_unary(name), [_unary_input(name, data)], data)


@pytest.mark.parametrize("name", UNARY)
@SECOND
@given(data=st.data())
def test_unary_second_derivative_matches_finite_differences(name, data):
    check_second_order(*_unary(name), [_unary_input(name, data, max_dims=2)], data)


@pytest.mark.parametrize("name", UNARY)
@CHECK
@given(data=st.data())
def test_unary_passes_library_check_grads(name, data):
    check_with_check_grads(getattr(tnp, name), [_unary_input(name, data, max_dims=2)], data)


@pytest.mark.parametrize("name", UNARY)
def test_unary_on_python_float_gives_scalar_gradient(name):
    x = S.SCALAR_POINTS.get(name, 0.55)  # inside the safe domain
    fn_tg, fn_np = _unary(name)
    g = tg.grad(fn_tg)(x)
    assert np.shape(g) == ()
    assert_close(g, num_grad(fn_np, x), **GRAD_TOL)


# ---------------------------------------------------------------------------
# elementwise, two arguments, with broadcasting

BINARY = sorted(S.BINARY_DOMAINS)


def _binary_inputs(name, data, pair=None):
    s1, s2 = pair if pair is not None else data.draw(S.broadcast_shape_pairs(), label="shapes")
    e1, e2 = S.BINARY_DOMAINS[name]
    x = data.draw(S.arrays(s1, e1), label="x")
    y = data.draw(S.arrays(s2, e2), label="y")
    return x, y


@pytest.mark.parametrize("name", BINARY)
@FIRST
@given(data=st.data())
def test_binary_broadcasting_first_derivative_matches_finite_differences(name, data):
    x, y = _binary_inputs(name, data)
    check_first_order(getattr(tnp, name), getattr(np, name), [x, y], data)


@pytest.mark.parametrize("pair", S.EXPLICIT_BROADCAST_PAIRS, ids=str)
@pytest.mark.parametrize("name", BINARY)
@S.examples(2)
@given(data=st.data())
def test_binary_gradient_is_unbroadcast_to_each_input_shape(name, pair, data):
    x, y = _binary_inputs(name, data, pair)
    gx, gy = tg.grad(lambda a, b: tnp.sum(getattr(tnp, name)(a, b)), argnums=(0, 1))(x, y)
    assert np.shape(gx) == pair[0] and np.shape(gy) == pair[1]
    loss_np = lambda a, b: np.sum(getattr(np, name)(a, b))  # noqa: E731
    assert_close(gx, num_grad_arg(loss_np, [x, y], 0), **GRAD_TOL)
    assert_close(gy, num_grad_arg(loss_np, [x, y], 1), **GRAD_TOL)


@pytest.mark.parametrize("name", BINARY)
@SECOND
@given(data=st.data())
def test_binary_second_derivatives_match_finite_differences(name, data):
    x, y = _binary_inputs(name, data)
    assume(x.size + y.size <= 12)
    check_second_order(getattr(tnp, name), getattr(np, name), [x, y], data)


@pytest.mark.parametrize("name", BINARY)
@CHECK
@given(data=st.data())
def test_binary_passes_library_check_grads(name, data):
    x, y = _binary_inputs(name, data)
    check_with_check_grads(getattr(tnp, name), [x, y], data)


@pytest.mark.parametrize("name", BINARY)
@S.examples(6)
@given(data=st.data())
def test_binary_with_python_scalar_operand(name, data):
    """A Python float on either side is a constant, broadcast like NumPy."""
    e1, e2 = S.BINARY_DOMAINS[name]
    shape = data.draw(S.shapes(min_dims=1), label="shape")
    x = data.draw(S.arrays(shape, e1), label="x")
    y = data.draw(S.arrays(shape, e2), label="y")
    c1 = float(data.draw(e1, label="c1"))
    c2 = float(data.draw(e2, label="c2"))
    op_tg, op_np = getattr(tnp, name), getattr(np, name)
    check_first_order(lambda a: op_tg(a, c2), lambda a: op_np(a, c2), [x], data)
    check_first_order(lambda b: op_tg(c1, b), lambda b: op_np(c1, b), [y], data)


def _tie_free_pair(data):
    s1, s2 = data.draw(S.broadcast_shape_pairs(), label="shapes")
    n1, n2 = int(np.prod(s1, dtype=int)), int(np.prod(s2, dtype=int))
    values = data.draw(S.distinct_arrays((n1 + n2,), gap=0.2), label="values")
    return values[:n1].reshape(s1), values[n1:].reshape(s2)


@pytest.mark.parametrize("name", S.TIE_FREE_PAIRS)
@FIRST
@given(data=st.data())
def test_maximum_minimum_first_derivative_away_from_ties(name, data):
    x, y = _tie_free_pair(data)
    check_first_order(getattr(tnp, name), getattr(np, name), [x, y], data)


@pytest.mark.parametrize("name", S.TIE_FREE_PAIRS)
@CHECK
@given(data=st.data())
def test_maximum_minimum_second_order_and_check_grads(name, data):
    x, y = _tie_free_pair(data)
    assume(x.size + y.size <= 12)
    check_second_order(getattr(tnp, name), getattr(np, name), [x, y], data)
    check_with_check_grads(getattr(tnp, name), [x, y], data)


def test_maximum_routes_gradient_to_the_larger_argument():
    x = np.array([1.0, -2.0, 3.0])
    y = np.array([0.0, 5.0, 2.0])
    gx, gy = tg.grad(lambda a, b: tnp.sum(tnp.maximum(a, b)), argnums=(0, 1))(x, y)
    assert_close(gx, (x > y).astype(float), **EXACT_TOL)
    assert_close(gy, (y > x).astype(float), **EXACT_TOL)


CLIP_LO, CLIP_HI = -0.5, 0.7


@FIRST
@given(data=st.data())
def test_clip_gradient_is_one_inside_and_zero_outside(data):
    shape = data.draw(S.shapes(), label="shape")
    x = data.draw(S.arrays(shape, S.away_from(-2, 2, [CLIP_LO, CLIP_HI], 0.05)), label="x")
    fn_tg = lambda a: tnp.clip(a, CLIP_LO, CLIP_HI)  # noqa: E731
    fn_np = lambda a: np.clip(a, CLIP_LO, CLIP_HI)  # noqa: E731
    check_first_order(fn_tg, fn_np, [x], data)
    g = tg.grad(lambda a: tnp.sum(fn_tg(a)))(x)
    assert_close(g, ((x > CLIP_LO) & (x < CLIP_HI)).astype(float), **EXACT_TOL)
    check_with_check_grads(fn_tg, [x], data)


@FIRST
@given(data=st.data())
def test_where_sends_gradient_to_the_selected_branch(data):
    bshapes = data.draw(
        hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3).filter(
            lambda b: int(np.prod(b.result_shape, dtype=int)) <= 12
        ),
        label="shapes",
    )
    sc, sx, sy = bshapes.input_shapes
    cond = data.draw(hnp.arrays(np.bool_, sc), label="cond")
    x = data.draw(S.arrays(sx, S.floats(-3, 3)), label="x")
    y = data.draw(S.arrays(sy, S.floats(-3, 3)), label="y")
    check_first_order(lambda a, b: tnp.where(cond, a, b), lambda a, b: np.where(cond, a, b),
                      [x, y], data)
    check_with_check_grads(lambda a, b: tnp.where(cond, a, b), [x, y], data)


# ---------------------------------------------------------------------------
# reductions

REDUCTIONS = ["sum", "mean", "prod", "max", "min", "var", "std"]


def _reduction_input(name, shape, data):
    if name in ("max", "min", "std"):
        return data.draw(S.distinct_arrays(shape), label="x")
    if name == "prod":
        mags = data.draw(S.arrays(shape, S.floats(0.5, 1.5)), label="|x|")
        signs = data.draw(hnp.arrays(np.bool_, shape), label="signs")
        return np.where(signs, mags, -mags)
    return data.draw(S.arrays(shape, S.floats(-3, 3)), label="x")


def _reduction_case(name, data, max_dims=3):
    shape, axis, keepdims = data.draw(S.shape_axis_keepdims(max_dims=max_dims),
                                      label="shape/axis/keepdims")
    if name == "std":
        assume(S.reduced_count(shape, axis) >= 2)  # std is not differentiable at var == 0
    x = _reduction_input(name, shape, data)
    fn_tg = lambda a: getattr(tnp, name)(a, axis=axis, keepdims=keepdims)  # noqa: E731
    fn_np = lambda a: getattr(np, name)(a, axis=axis, keepdims=keepdims)  # noqa: E731
    return fn_tg, fn_np, x


@pytest.mark.parametrize("name", REDUCTIONS)
@S.examples(20)
@given(data=st.data())
def test_reduction_first_derivative_over_axes_and_keepdims(name, data):
    fn_tg, fn_np, x = _reduction_case(name, data)
    check_first_order(fn_tg, fn_np, [x], data)


@pytest.mark.parametrize("name", REDUCTIONS)
@SECOND
@given(data=st.data())
def test_reduction_second_derivative_over_axes_and_keepdims(name, data):
    fn_tg, fn_np, x = _reduction_case(name, data, max_dims=2)
    check_second_order(fn_tg, fn_np, [x], data)


@pytest.mark.parametrize("name", REDUCTIONS)
@CHECK
@given(data=st.data())
def test_reduction_passes_library_check_grads(name, data):
    fn_tg, _, x = _reduction_case(name, data, max_dims=2)
    check_with_check_grads(fn_tg, [x], data)


@pytest.mark.parametrize(
    "axis,keepdims",
    [(None, False), (0, False), (1, True), (-1, False), (-2, True), ((0, 1), False),
     ((-1, 0), True)],
)
@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_axis_spellings_on_a_matrix(name, axis, keepdims, rng):
    x = rng.permutation(np.linspace(-1.7, 1.9, 12)).reshape(3, 4)  # distinct, nonzero
    fn_tg = lambda a: getattr(tnp, name)(a, axis=axis, keepdims=keepdims)  # noqa: E731
    fn_np = lambda a: getattr(np, name)(a, axis=axis, keepdims=keepdims)  # noqa: E731
    assert_close(fn_tg(x), fn_np(x), **EXACT_TOL)
    w = rng.uniform(0.5, 2.0, size=np.shape(fn_np(x)))
    g = tg.grad(lambda a: tnp.sum(tnp.multiply(fn_tg(a), w)))(x)
    assert_close(g, num_grad(lambda a: np.sum(fn_np(a) * w), x), **GRAD_TOL)


def test_sum_and_mean_gradients_are_analytic_constants(rng):
    x = rng.normal(size=(3, 4))
    assert_close(tg.grad(tnp.sum)(x), np.ones((3, 4)), **EXACT_TOL)
    assert_close(tg.grad(tnp.mean)(x), np.full((3, 4), 1 / 12), **EXACT_TOL)
    # d/dx var = 2 (x - mean) / n
    assert_close(tg.grad(tnp.var)(x), 2 * (x - x.mean()) / x.size, **EXACT_TOL)


def test_prod_gradient_with_a_zero_entry():
    """prod is a polynomial: d/dx_i prod(x) = product of the *other* entries,
    also when x_i == 0 (a division-based rule gives nan here)."""
    x = np.array([2.0, 0.0, 3.0, -1.5])
    expected = np.array([np.prod(np.delete(x, i)) for i in range(x.size)])
    assert_close(tg.grad(tnp.prod)(x), expected, **EXACT_TOL)


def test_argmax_argmin_are_integer_and_select_the_extreme_element(rng):
    x = rng.permutation(np.linspace(-2, 2, 12)).reshape(3, 4)
    for fn_tg, fn_np in ((tnp.argmax, np.argmax), (tnp.argmin, np.argmin)):
        for axis in (None, 0, 1, -1):
            got = np.asarray(fn_tg(x, axis=axis))
            assert np.issubdtype(got.dtype, np.integer)
            np.testing.assert_array_equal(got, fn_np(x, axis=axis))

    # inside a traced function the index is a plain integer; indexing with it
    # picks the maximum, whose gradient is one-hot.
    v = rng.permutation(np.linspace(-2, 2, 7))
    g = tg.grad(lambda a: a[tnp.argmax(a)] * 3.0)(v)
    expected = np.zeros(7)
    expected[np.argmax(v)] = 3.0
    assert_close(g, expected, **EXACT_TOL)
    g = tg.grad(lambda a: a[tnp.argmin(a)] ** 2)(v)
    expected = np.zeros(7)
    expected[np.argmin(v)] = 2 * v.min()
    assert_close(g, expected, **EXACT_TOL)


# ---------------------------------------------------------------------------
# linear algebra

PRODUCT_SHAPES = [
    pytest.param((3,), (3,), id="1d.1d"),
    pytest.param((2, 3), (3,), id="2d.1d"),
    pytest.param((3,), (3, 2), id="1d.2d"),
    pytest.param((2, 3), (3, 2), id="2d.2d"),
    pytest.param((1, 3), (3, 1), id="row.col"),
]
BATCHED_SHAPES = [
    pytest.param((2, 2, 3), (2, 3, 2), id="batched3d"),
    pytest.param((2, 2, 3), (3, 2), id="batched@2d"),
    pytest.param((3,), (2, 3, 2), id="1d@batched"),
    pytest.param((2, 1, 2, 3), (3, 3, 1), id="broadcast-batch"),
]


def _random_pair(data, s1, s2):
    x = data.draw(S.arrays(s1, S.floats(-2, 2)), label="x")
    y = data.draw(S.arrays(s2, S.floats(-2, 2)), label="y")
    return x, y


@pytest.mark.parametrize("s1,s2", PRODUCT_SHAPES)
@pytest.mark.parametrize("name", ["dot", "matmul"])
@FIXED
@given(data=st.data())
def test_dot_matmul_first_derivative(name, s1, s2, data):
    x, y = _random_pair(data, s1, s2)
    check_first_order(getattr(tnp, name), getattr(np, name), [x, y], data)


@pytest.mark.parametrize("s1,s2", BATCHED_SHAPES)
@FIXED
@given(data=st.data())
def test_batched_matmul_first_derivative(s1, s2, data):
    x, y = _random_pair(data, s1, s2)
    check_first_order(tnp.matmul, np.matmul, [x, y], data)


PRODUCT_FUNCTIONS = {
    "operator@": (lambda a, b: a @ b, np.matmul),
    "matmul": (lambda a, b: tnp.matmul(a, b), np.matmul),
    "dot": (lambda a, b: tnp.dot(a, b), np.dot),
}


@pytest.mark.parametrize(
    "name,s1,s2",
    [
        pytest.param(name, *p.values, id=f"{name}-{p.id}")
        for name in sorted(PRODUCT_FUNCTIONS)
        # np.dot of 3-D arrays is not a batched product: matmul only
        for p in PRODUCT_SHAPES[:4] + (BATCHED_SHAPES[:1] if name != "dot" else [])
    ],
)
@S.examples(2)
@given(data=st.data())
def test_products_second_order_and_check_grads(name, s1, s2, data):
    x, y = _random_pair(data, s1, s2)
    fn_tg, fn_np = PRODUCT_FUNCTIONS[name]
    check_second_order(fn_tg, fn_np, [x, y], data)
    check_with_check_grads(fn_tg, [x, y], data)


def test_matmul_gradient_is_the_textbook_formula(rng):
    A, B = rng.normal(size=(2, 3)), rng.normal(size=(3, 4))
    G = rng.normal(size=(2, 4))
    gA, gB = tg.grad(lambda a, b: tnp.sum(tnp.matmul(a, b) * G), argnums=(0, 1))(A, B)
    assert_close(gA, G @ B.T, **EXACT_TOL)
    assert_close(gB, A.T @ G, **EXACT_TOL)


EINSUM_CASES = [
    pytest.param("ij,jk->ik", [(2, 3), (3, 2)], id="matmul"),
    pytest.param("i,i->", [(3,), (3,)], id="inner"),
    pytest.param("i,j->ij", [(2,), (3,)], id="outer"),
    pytest.param("ij,j->i", [(2, 3), (3,)], id="matvec"),
    pytest.param("ij->ji", [(2, 3)], id="transpose"),
    pytest.param("ij->j", [(2, 3)], id="column-sum"),
    pytest.param("ij,ij->", [(2, 3), (2, 3)], id="frobenius"),
    pytest.param("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)], id="batched"),
    pytest.param("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)], id="chain3"),
    pytest.param("ij,jk", [(2, 3), (3, 2)], id="implicit-output"),
]


@pytest.mark.parametrize("subscripts,in_shapes", EINSUM_CASES)
@FIXED
@given(data=st.data())
def test_einsum_first_derivative(subscripts, in_shapes, data):
    args = _draw_args(data, in_shapes, 2)
    fn_tg = lambda *a: tnp.einsum(subscripts, *a)  # noqa: E731
    fn_np = lambda *a: np.einsum(subscripts, *a)  # noqa: E731
    check_first_order(fn_tg, fn_np, args, data)


def test_einsum_repeated_index_is_the_trace(rng):
    """A repeated index ("ii->", the trace; "ii->i", the diagonal) is computed
    like NumPy and differentiated: the gradient of the trace is the identity."""
    A = rng.normal(size=(3, 3))
    assert_close(tnp.einsum("ii->", A), np.trace(A), **EXACT_TOL)
    assert_close(tg.grad(lambda a: tnp.einsum("ii->", a))(A), np.eye(3), **EXACT_TOL)
    w = np.array([1.0, 10.0, 100.0])
    assert_close(tg.grad(lambda a: tnp.sum(tnp.einsum("ii->i", a) * w))(A), np.diag(w),
                 **EXACT_TOL)


@pytest.mark.parametrize("subscripts,in_shapes", EINSUM_CASES[:2] + EINSUM_CASES[7:8])
@S.examples(2)
@given(data=st.data())
def test_einsum_second_order_and_check_grads(subscripts, in_shapes, data):
    args = _draw_args(data, in_shapes, 2)
    fn_tg = lambda *a: tnp.einsum(subscripts, *a)  # noqa: E731
    fn_np = lambda *a: np.einsum(subscripts, *a)  # noqa: E731
    check_second_order(fn_tg, fn_np, args, data)
    check_with_check_grads(fn_tg, args, data)


@FIXED
@given(data=st.data())
def test_outer_first_and_second_derivative(data):
    x, y = _random_pair(data, (3,), (2,))
    check_first_order(tnp.outer, np.outer, [x, y], data)
    check_second_order(tnp.outer, np.outer, [x, y], data)
    check_with_check_grads(tnp.outer, [x, y], data)


# ---------------------------------------------------------------------------
# shape manipulation

SHAPE_CASES = [
    pytest.param(lambda m: m.reshape, [(2, 3)], dict(args=((3, 2),)), id="reshape-3x2"),
    pytest.param(lambda m: m.reshape, [(2, 3)], dict(args=((-1,),)), id="reshape-flat"),
    pytest.param(lambda m: m.reshape, [()], dict(args=((1, 1),)), id="reshape-scalar"),
    pytest.param(lambda m: m.reshape, [(2, 3, 2)], dict(args=((3, -1),)), id="reshape-infer"),
    pytest.param(lambda m: m.transpose, [(2, 3)], dict(), id="transpose-default"),
    pytest.param(lambda m: m.transpose, [(2, 3, 2)], dict(args=((1, 2, 0),)), id="transpose-axes"),
    pytest.param(lambda m: m.swapaxes, [(2, 3, 2)], dict(args=(0, 2)), id="swapaxes"),
    pytest.param(lambda m: m.swapaxes, [(2, 3)], dict(args=(-1, 0)), id="swapaxes-neg"),
    pytest.param(lambda m: m.expand_dims, [(2, 3)], dict(args=(1,)), id="expand_dims-1"),
    pytest.param(lambda m: m.expand_dims, [(2, 3)], dict(args=(-1,)), id="expand_dims-neg"),
    pytest.param(lambda m: m.expand_dims, [()], dict(args=(0,)), id="expand_dims-scalar"),
    pytest.param(lambda m: m.squeeze, [(1, 3, 1)], dict(), id="squeeze-all"),
    pytest.param(lambda m: m.squeeze, [(1, 3, 1)], dict(kwargs=dict(axis=0)), id="squeeze-axis"),
    pytest.param(lambda m: m.broadcast_to, [(3,)], dict(args=((2, 3),)), id="broadcast_to-rows"),
    pytest.param(lambda m: m.broadcast_to, [(2, 1)], dict(args=((2, 3),)), id="broadcast_to-cols"),
    pytest.param(lambda m: m.broadcast_to, [()], dict(args=((2, 2),)), id="broadcast_to-scalar"),
]


def _apply(module_fn, spec, *arrays):
    return module_fn(*arrays, *spec.get("args", ()), **spec.get("kwargs", {}))


@pytest.mark.parametrize("get_fn,in_shapes,spec", SHAPE_CASES)
@FIXED
@given(data=st.data())
def test_shape_op_gradient_routes_values_back(get_fn, in_shapes, spec, data):
    args = _draw_args(data, in_shapes, 3)
    fn_tg = lambda *a: _apply(get_fn(tnp), spec, *a)  # noqa: E731
    fn_np = lambda *a: _apply(get_fn(np), spec, *a)  # noqa: E731
    check_first_order(fn_tg, fn_np, args, data)
    check_with_check_grads(fn_tg, args, data)


JOIN_CASES = [
    pytest.param("concatenate", [(2, 3), (1, 3)], 0, id="concat-axis0"),
    pytest.param("concatenate", [(2, 1), (2, 3)], 1, id="concat-axis1"),
    pytest.param("concatenate", [(2, 2), (2, 1), (2, 3)], -1, id="concat-three-neg"),
    pytest.param("concatenate", [(3,), (2,)], 0, id="concat-1d"),
    pytest.param("stack", [(3,), (3,)], 0, id="stack-axis0"),
    pytest.param("stack", [(3,), (3,)], 1, id="stack-axis1"),
    pytest.param("stack", [(2, 3), (2, 3), (2, 3)], -1, id="stack-three-neg"),
    pytest.param("stack", [(), (), ()], 0, id="stack-scalars"),
]


@pytest.mark.parametrize("name,in_shapes,axis", JOIN_CASES)
@FIXED
@given(data=st.data())
def test_concatenate_stack_gradient_splits_back(name, in_shapes, axis, data):
    args = _draw_args(data, in_shapes, 3)
    fn_tg = lambda *a: getattr(tnp, name)(list(a), axis=axis)  # noqa: E731
    fn_np = lambda *a: getattr(np, name)(list(a), axis=axis)  # noqa: E731
    check_first_order(fn_tg, fn_np, args, data)


@pytest.mark.parametrize("name,in_shapes,axis", JOIN_CASES[:1] + JOIN_CASES[5:6])
@S.examples(2)
@given(data=st.data())
def test_concatenate_stack_second_order_and_check_grads(name, in_shapes, axis, data):
    args = _draw_args(data, in_shapes, 3)
    # squared, so that the second derivative is not identically zero
    fn_tg = lambda *a: getattr(tnp, name)(tuple(a), axis=axis) ** 2  # noqa: E731
    fn_np = lambda *a: getattr(np, name)(tuple(a), axis=axis) ** 2  # noqa: E731
    check_second_order(fn_tg, fn_np, args, data)
    check_with_check_grads(fn_tg, args, data)


# ---------------------------------------------------------------------------
# indexing

INDEX_CASES = [
    pytest.param((5,), 1, id="int"),
    pytest.param((5,), -1, id="negative-int"),
    pytest.param((3, 4), 1, id="row"),
    pytest.param((3, 4), (1, 2), id="element"),
    pytest.param((3, 4), (-1, -2), id="negative-element"),
    pytest.param((5,), slice(1, 4), id="slice"),
    pytest.param((5,), slice(None, None, -1), id="reverse"),
    pytest.param((5,), slice(None, None, -2), id="negative-step"),
    pytest.param((5,), slice(4, 0, -2), id="negative-step-bounds"),
    pytest.param((3, 4), (slice(None), slice(1, None)), id="2d-slice"),
    pytest.param((3, 4), (slice(1, None), slice(None, None, -1)), id="2d-reverse"),
    pytest.param((3, 4), (1, slice(None, None, -2)), id="int-and-negative-step"),
    pytest.param((5,), np.array([0, 2, 0, 0, 4]), id="int-array-repeated"),
    pytest.param((5,), [3, 3, 1], id="int-list-repeated"),
    pytest.param((5,), np.array([[0, 1], [1, 1]]), id="2d-int-array"),
    pytest.param((5,), np.array([-1, -1, 0]), id="negative-int-array"),
    pytest.param((3, 4), (np.array([0, 0, 2]), np.array([1, 1, 3])),
                 id="paired-int-arrays-repeated"),
    pytest.param((3, 4), (slice(None), np.array([3, 3, 0])), id="slice-and-int-array"),
    pytest.param((5,), np.array([True, False, True, True, False]), id="bool-mask"),
    pytest.param((3, 4), np.arange(12).reshape(3, 4) % 3 == 0, id="2d-bool-mask"),
    pytest.param((3, 4), np.array([True, False, True]), id="row-mask"),
    pytest.param((5,), None, id="newaxis"),
    pytest.param((3, 4), (slice(None), None), id="middle-newaxis"),
    pytest.param((3, 4), (None, slice(1, None), None), id="two-newaxes"),
    pytest.param((2, 3, 4), (Ellipsis, 0), id="ellipsis"),
    pytest.param((2, 3, 4), (0, Ellipsis, slice(None, 2)), id="int-ellipsis-slice"),
]


@pytest.mark.parametrize("shape,index", INDEX_CASES)
@FIXED
@given(data=st.data())
def test_indexing_gradient_scatters_back(shape, index, data):
    x = data.draw(S.arrays(shape, S.floats(-3, 3)), label="x")
    fn_tg = lambda a: a[index]  # noqa: E731
    fn_np = lambda a: np.asarray(a)[index]  # noqa: E731
    check_first_order(fn_tg, fn_np, [x], data)


@pytest.mark.parametrize(
    "index",
    [np.array([0, 2, 0, 0, 4]), [1, 1, 1], np.array([[3, 3], [3, 0]])],
    ids=["array", "list", "2d-array"],
)
def test_repeated_integer_indices_accumulate_gradient(index, rng):
    x = rng.normal(size=5)
    g = tg.grad(lambda a: tnp.sum(a[index]))(x)
    counts = np.bincount(np.ravel(index), minlength=5).astype(float)
    assert_close(g, counts, **EXACT_TOL)
    # weighted, with the squared value: d/dx_i sum_k w_k x[idx_k]^2
    w = rng.uniform(0.5, 2, size=np.shape(np.asarray(index)))
    g = tg.grad(lambda a: tnp.sum(a[index] ** 2 * w))(x)
    expected = np.zeros(5)
    np.add.at(expected, np.asarray(index), 2 * x[np.asarray(index)] * w)
    assert_close(g, expected, **EXACT_TOL)


@S.examples(3)
@given(data=st.data())
def test_indexing_second_order_and_check_grads(data):
    x = data.draw(S.arrays((3, 4), S.floats(-3, 3)), label="x")
    idx = (np.array([0, 0, 2]), slice(None, None, -1))
    fn_tg = lambda a: tnp.sin(a[idx]) * a[1]  # noqa: E731
    fn_np = lambda a: np.sin(a[idx]) * a[1]  # noqa: E731
    check_second_order(fn_tg, fn_np, [x], data)
    check_with_check_grads(fn_tg, [x], data)


AT_CASES = [
    pytest.param("set", 1, (), id="set-int"),
    pytest.param("add", 1, (), id="add-int"),
    pytest.param("set", slice(1, 3), (2,), id="set-slice"),
    pytest.param("add", slice(None, None, -2), (3,), id="add-negative-step"),
    pytest.param("set", slice(0, 4), (), id="set-slice-broadcast-scalar"),
    pytest.param("add", np.array([0, 0, 3]), (3,), id="add-repeated-indices"),
    pytest.param("set", np.array([4, 1]), (2,), id="set-int-array"),
]


def _np_at(x, index, v, mode):
    out = np.array(x, dtype=np.float64)
    if mode == "set":
        out[index] = v
    else:
        np.add.at(out, index, v)
    return out


@pytest.mark.parametrize("mode,index,v_shape", AT_CASES)
@FIXED
@given(data=st.data())
def test_functional_at_update_gradients(mode, index, v_shape, data):
    x = data.draw(S.arrays((5,), S.floats(-3, 3)), label="x")
    v = data.draw(S.arrays(v_shape, S.floats(-3, 3)), label="v")
    fn_tg = lambda a, b: getattr(a.at[index], mode)(b) * a  # noqa: E731  (nonlinear in a)
    fn_np = lambda a, b: _np_at(a, index, b, mode) * a  # noqa: E731
    check_first_order(fn_tg, fn_np, [x, v], data, eager=False)
    # the update value may also be a constant: gradient w.r.t. x alone
    w = _weights(data, (5,))
    g = tg.grad(lambda a: tnp.sum(tnp.multiply(fn_tg(a, v), w)))(x)
    assert_close(g, num_grad(lambda a: np.sum(fn_np(a, v) * w), x), **GRAD_TOL)


def test_at_update_is_functional_and_leaves_input_unchanged():
    x0 = np.array([1.0, 2.0, 3.0])

    def f(x):
        y = x.at[0].set(10.0)
        z = x.at[1].add(5.0)
        # x itself is unchanged: its value is still visible in the result
        return tnp.sum(y) * 100.0 + tnp.sum(z) * 10.0 + tnp.sum(x)

    value, g = tg.value_and_grad(f)(x0)
    # value: y = [10, 2, 3], z = [1, 7, 3]
    assert_close(value, 1500.0 + 110.0 + 6.0, **EXACT_TOL)
    # gradient: y ignores x[0]; z and x depend on every entry
    assert_close(g, np.array([0 + 10 + 1, 100 + 10 + 1, 100 + 10 + 1.0]), **EXACT_TOL)
    np.testing.assert_array_equal(x0, [1.0, 2.0, 3.0])


# ---------------------------------------------------------------------------
# creation functions


def test_creation_functions_match_numpy_and_default_to_float64():
    cases = [
        (tnp.zeros(3), np.zeros(3)),
        (tnp.zeros((2, 3)), np.zeros((2, 3))),
        (tnp.ones((2,)), np.ones((2,))),
        (tnp.full((2, 2), 1.5), np.full((2, 2), 1.5)),
        (tnp.arange(1.0, 4.0, 0.5), np.arange(1.0, 4.0, 0.5)),
        (tnp.linspace(0.0, 1.0, 5), np.linspace(0.0, 1.0, 5)),
        (tnp.eye(3), np.eye(3)),
        (tnp.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 2.0], [3.0, 4.0]])),
        (tnp.asarray([1.0, 2.0]), np.asarray([1.0, 2.0])),
        (tnp.zeros_like(np.ones((2, 3))), np.zeros((2, 3))),
        (tnp.ones_like(np.zeros(4)), np.ones(4)),
    ]
    for got, expected in cases:
        got = np.asarray(got)
        assert got.shape == expected.shape
        assert got.dtype == np.float64
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(np.asarray(tnp.arange(4)), np.arange(4))


def test_creation_functions_inside_traced_function(rng):
    x = rng.normal(size=(2, 3))

    def f(a):
        b = a + tnp.ones_like(a) + tnp.zeros_like(a)
        c = tnp.asarray(b) * tnp.arange(3.0)  # asarray of a traced value keeps it traced
        d = tnp.dot(tnp.eye(2), c) + tnp.full((2, 3), 0.5) + tnp.zeros((2, 3))
        return tnp.sum(d**2)

    # f = sum(((x + 1) * [0,1,2] + 0.5)^2)
    k = np.arange(3.0)
    assert_close(tg.grad(f)(x), 2 * ((x + 1) * k + 0.5) * k, **EXACT_TOL)


def test_array_of_traced_scalars_keeps_the_gradient():
    """tnp.array([traced, ...]) is differentiable (JAX semantics), never a silent
    drop of the gradient: d/dx (x + 10·2x + 100·x²) = 21 + 200x, in both modes."""

    def f(x):
        v = tnp.array([x, 2.0 * x, x * x])
        return tnp.sum(v * np.array([1.0, 10.0, 100.0]))

    assert_close(tg.grad(f)(3.0), 21.0 + 200.0 * 3.0, **EXACT_TOL)
    assert_close(tg.jvp(f, (3.0,), (1.0,))[1], 21.0 + 200.0 * 3.0, **EXACT_TOL)


# ---------------------------------------------------------------------------
# the lax layer and the primitive table


@pytest.mark.parametrize(
    "name,np_fn,domain",
    [
        ("abs", np.abs, S.away_from(-2, 2, [0.0], 0.1)),
        ("acos", np.arccos, S.floats(-0.9, 0.9)),
        ("asin", np.arcsin, S.floats(-0.9, 0.9)),
        ("atan", np.arctan, S.floats(-3, 3)),
    ],
)
@S.examples(5)
@given(data=st.data())
def test_lax_unary_primitives(name, np_fn, domain, data):
    import tracegrad.lax as lax

    x = data.draw(S.arrays((3,), domain), label="x")
    check_first_order(getattr(lax, name), np_fn, [x], data)


@S.examples(5)
@given(data=st.data())
def test_lax_binary_primitives(data):
    import tracegrad.lax as lax

    x = data.draw(S.arrays((2, 3), S.floats(-2, 2)), label="x")
    y = data.draw(S.arrays((2, 3), S.floats(0.3, 2)), label="y")
    check_first_order(lax.add, np.add, [x, y], data)
    check_first_order(lax.atan2, np.arctan2, [x, y], data)
    a = data.draw(S.arrays((2, 2, 3), S.floats(-2, 2)), label="a")
    b = data.draw(S.arrays((2, 3, 2), S.floats(-2, 2)), label="b")
    check_first_order(lax.batch_matmul, np.matmul, [a, b], data)


@pytest.mark.parametrize("name,np_fn", [("argmax", np.argmax), ("argmin", np.argmin)])
def test_lax_argmax_argmin_match_numpy_and_have_no_derivative(name, np_fn):
    import tracegrad.lax as lax

    prim = getattr(lax, name)
    x = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    for axis, keepdims in [(None, False), (0, False), (1, False), (1, True)]:
        got = prim(x, axis, keepdims)
        np.testing.assert_array_equal(got, np_fn(x, axis=axis, keepdims=keepdims))
        assert np.asarray(got).dtype.kind == "i"
    assert prim.differentiable is False and prim.formulas == ()

    # traced, the index is a plain integer array: it picks elements, and the
    # gradient of what it picked goes to exactly those elements
    def picked(a):
        i = prim(a, 1, False)
        assert type(i) is np.ndarray
        return tnp.sum(a[np.arange(2), i])

    expected = np.zeros_like(x)
    expected[np.arange(2), np_fn(x, axis=1)] = 1.0
    assert_close(tg.grad(picked)(x), expected, **EXACT_TOL)


def test_primitive_table_is_every_lax_primitive_sorted_with_its_formulas():
    import tracegrad.lax as lax
    from tracegrad.core import Primitive

    table = tg.primitives()
    exported = {getattr(lax, n) for n in dir(lax) if isinstance(getattr(lax, n), Primitive)}
    assert all(isinstance(p, Primitive) for p in table)
    assert len(table) == len(exported) and set(table) == exported
    names = [p.name for p in table]
    assert names == sorted(names)
    by_name = {p.name: p for p in table}
    assert {"tanh", "add", "mul", "matmul", "reduce_sum", "getitem"} <= set(by_name)
    # one formula per differentiable argument, none for the integer-valued ones
    # the local derivatives as the lecture writes them: ∂(xy)/∂x = y, ∂(xy)/∂y = x
    assert by_name["mul"].formulas == ("y", "x")
    assert len(by_name["tanh"].formulas) == 1 and "tanh(x)²" in by_name["tanh"].formulas[0]
    assert [p.name for p in table if not p.differentiable] == ["argmax", "argmin"]
    assert all(p.formulas for p in table if p.differentiable)
    # printed: a header, then one row per primitive in the same order
    header, *rows = repr(table).splitlines()
    say = words()                                   # the table speaks the run's language
    assert header.split()[0] == say["table.primitive"] and len(rows) == len(table)
    for p, row in zip(table, rows, strict=True):
        assert row.split()[0] == p.name
        formulas = primitive_words(p.name, p.formulas, "", "")[0]
        assert ("; ".join(formulas) if p.differentiable else say["table.not differentiable"]) \
            in row
