"""Issue 20, "Breadth": the real-valued functions HIPS autograd's own tests reach for.

autograd's ``tests/test_systematic.py``, ``test_scalar_ops.py`` and ``test_numpy.py``
call these NumPy names (collected from those files). Each must exist in tnp, except
the few listed with the reason. The ones added for this issue (``real``, ``imag``,
``conj``, ``conjugate``, ``angle``, ``real_if_close``, ``gradient``) are checked here
against NumPy's values and dtypes, plain and traced; their derivatives to second
order against finite differences are the rows of ``FUNCTION_TABLE`` in
``tests/strategies.py`` (run by ``tests/test_function_table.py``), and ``gradient``,
a linear map, also against its exact Jacobian: NumPy's gradient of the unit vectors.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.numpy as tnp

from . import strategies as S
from .numeric import assert_close, num_hessian

AUTOGRAD_NAMES = """
abs absolute add all allclose angle any append arange arccos arccosh arcsin arcsinh arctan
arctanh array array_split atleast_1d atleast_2d atleast_3d c_ ceil clip column_stack
concatenate conj conjugate cos cosh cross cumsum deg2rad degrees diag diagonal diff divide
dot dsplit dstack einsum exp exp2 expand_dims expm1 fabs fliplr flipud float64 floor fmax
fmin gradient hsplit hstack imag inf inner int64 kron linspace log log10 log1p log2
logaddexp logaddexp2 matmul max maximum mean min minimum mod moveaxis multiply nan
nan_to_num negative ones outer pad partition power prod r_ rad2deg radians ravel real
real_if_close reciprocal remainder repeat reshape roll rollaxis rot90 row_stack select sign
sin sinc sinh sort split sqrt square squeeze stack std sum swapaxes tan tanh tensordot tile
trace transpose tril triu true_divide var vsplit vstack where
""".split()

# Names autograd's tests use that tnp leaves out on purpose.
LEFT_OUT = {
    "make_diagonal": "autograd's own function, not NumPy's",
    "msort": "removed from NumPy 2 (np.sort(a, axis=0))",
    "frexp": "autograd's test of it is commented out: the exponent is an integer",
    "s_": "a plain index helper: np.s_ builds the same index for tnp arrays",
    "index_exp": "a plain index helper, as np.s_",
    "dtype": "np.dtype itself describes tnp's arrays",
    "random": "tracegrad's random numbers are tg.random, JAX's API",
}


def test_every_name_autograd_tests_reach_for_is_in_tnp():
    missing = sorted(n for n in AUTOGRAD_NAMES if not hasattr(tnp, n))
    assert not missing, f"tnp lacks {missing}"
    assert not set(LEFT_OUT) & set(AUTOGRAD_NAMES)


# ---- real, imag, conj, angle, real_if_close of real arrays ----------------------------------

PARTS = ["real", "imag", "conj", "conjugate", "real_if_close", "angle"]
DTYPES = [np.float64, np.float32, np.float16, np.int64]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", PARTS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_parts_of_a_real_array_are_numpys(name, dtype):
    x = np.array([[-2.0, -0.0, 0.0], [1.5, np.inf, np.nan]]).astype(dtype) \
        if dtype != np.int64 else np.array([[-2, 0, 3]])
    want = getattr(np, name)(x)
    got = getattr(tnp, name)(x)
    assert np.result_type(got) == np.result_type(want)
    np.testing.assert_array_equal(got, want)
    if dtype in (np.float64, np.float32):
        out, pullback = tg.vjp(getattr(tnp, name), x)
        assert np.result_type(out) == np.result_type(want)
        np.testing.assert_array_equal(out, want)
        assert pullback(np.ones_like(x))[0].dtype == dtype


def test_parts_have_the_derivatives_of_their_real_meaning():
    x = np.array([-2.0, 0.5, 3.0])
    # real and conj are the identity, imag a constant 0, angle flat (0 or π)
    for name, d in (("real", 1.0), ("conj", 1.0), ("conjugate", 1.0), ("imag", 0.0),
                    ("angle", 0.0), ("real_if_close", 1.0)):
        g = tg.grad(lambda x, name=name: tnp.sum(getattr(tnp, name)(x) * x))(x)
        np.testing.assert_allclose(g, 2 * d * x if d else getattr(np, name)(x), atol=1e-15)
    assert tnp.angle(-1.0, deg=True) == 180.0 == np.angle(-1.0, deg=True)


# ---- gradient ---------------------------------------------------------------------------------

def _calls():
    """(args, kwargs) of np.gradient, as autograd's test and NumPy's docs use it."""
    return st.sampled_from([
        ((), {}), ((0.5,), {}), ((), {"edge_order": 2}), ((), {"axis": -1}),
        ((), {"axis": (0,)}), ((2.0,), {"axis": 0, "edge_order": 2}),
    ])


@settings(max_examples=30, deadline=None)
@given(shape=S.shapes(1, 3, min_side=3), call=_calls(), dtype=st.sampled_from(DTYPES),
       data=st.data())
def test_gradient_is_numpys_and_its_jacobian_is_numpys_of_the_unit_vectors(shape, call, dtype,
                                                                          data):
    args, kwargs = call
    f = data.draw(S.arrays(shape, S.floats(-3, 3)), label="f").astype(dtype)
    want = np.gradient(f, *args, **kwargs)
    got = tnp.gradient(f, *args, **kwargs)
    assert type(got) is type(want)
    for g, w in zip(tg.tree_leaves(got), tg.tree_leaves(want)):
        assert g.dtype == w.dtype
        np.testing.assert_allclose(g, w, rtol=1e-6 if dtype == np.float32 else 1e-3
                                   if dtype == np.float16 else 1e-12)
    if dtype != np.float64:
        return

    def flat(x, m):
        out = m.gradient(x, *args, **kwargs)
        return m.concatenate([m.ravel(o) for o in (out if isinstance(out, tuple) else [out])])
    # a linear map: its Jacobian's column k is NumPy's gradient of the k-th unit vector
    jac = tg.jacrev(lambda x: flat(x, tnp))(f)
    units = np.eye(f.size).reshape((f.size,) + shape)
    want_jac = np.stack([flat(u, np) for u in units], axis=-1).reshape(jac.shape)
    assert_close(jac, want_jac, rtol=1e-12, atol=1e-12)
    assert_close(tg.jacfwd(lambda x: flat(x, tnp))(f), want_jac, rtol=1e-12, atol=1e-12)


def test_gradient_second_order_against_finite_differences():
    x = np.random.default_rng(3).normal(size=(3, 4))
    coords = np.array([0.0, 0.3, 1.0, 1.2])

    def loss(m):
        return lambda x: m.sum(m.sin(m.gradient(x, 0.5, coords, edge_order=2)[1]) * x)
    assert_close(tg.hessian(loss(tnp))(x), num_hessian(loss(np), x), rtol=1e-5, atol=1e-6)


def test_gradient_with_coordinates_traced_too():
    # the spacing may be differentiated as well: ∂/∂h of (f₁ − f₀)/h = −(f₁ − f₀)/h²
    f = np.array([1.0, 3.0])
    assert tg.grad(lambda h: tnp.gradient(f, h)[0])(2.0) == -0.5


def test_gradient_of_a_too_short_axis_says_so():
    with pytest.raises(ValueError, match="at least \\(edge_order \\+ 1\\) elements"):
        tnp.gradient(np.ones(2), edge_order=2)
    with pytest.raises(TypeError, match="one spacing, or one per axis"):
        tnp.gradient(np.ones((3, 3)), 1.0, 2.0, 3.0)


# ---- where: NumPy's dtype, plain and traced (autograd's test_where) ------------------------------

@pytest.mark.parametrize("x_dtype,y", [(np.float32, 2.0), (np.float32, np.float32(0)),
                                       (np.float64, 1), (np.float16, 0.5),
                                       (np.float32, np.zeros(3, np.float32))])
def test_where_has_numpys_dtype(x_dtype, y):
    cond = np.array([True, False, True])
    x = np.array([1.0, 2.0, 3.0], x_dtype)
    want = np.where(cond, x, y)
    assert tnp.where(cond, x, y).dtype == want.dtype
    out, tangent = tg.jvp(lambda x: tnp.where(cond, x, y), (x,), (np.ones_like(x),))
    assert out.dtype == tangent.dtype == want.dtype
    np.testing.assert_array_equal(tangent, cond.astype(x_dtype))


def test_where_of_autograd_gradient_check():
    rng = np.random.default_rng(0)
    c = rng.normal(size=(4, 5)) > 0
    a, b = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    tg.check_grads(lambda x, y: tnp.where(c, x, y), (a, b), order=2, modes=("fwd", "rev"))


def test_parts_of_a_list_holding_traced_values():
    # real([x, 2x]) is the stacked array, imag([x, x]) zeros, conj([x]) broadcast to both
    # places: Σ ([x, 2x] + [0, 0] + [x, x]) = 5x
    f = lambda x: tnp.sum(tnp.real([x, 2 * x]) + tnp.imag([x, x]) + tnp.conj([x]))  # noqa: E731
    assert tg.grad(f)(1.0) == 5.0


def test_full_takes_a_traced_fill_value():
    # d/dx Σ 2·full((3,), x) = 6 and d/dx Σ full(4, x)² = 8x, written out by hand.
    assert tg.grad(lambda x: tnp.sum(tnp.full((3,), x) * 2.0))(1.5) == 6.0
    assert np.isclose(tg.grad(lambda x: tnp.sum(tnp.full(4, x) ** 2))(0.75), 8 * 0.75)
    assert tnp.full((2, 2), np.float32(1.0), dtype=np.float32).dtype == np.float32
