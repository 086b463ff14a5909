"""Issue 20, items 11 to 14 and the crashes: nan, inf, overflow, dtypes, complex numbers.

References: NumPy's value, a closed form written here, or JAX's stated result.

* ``hypot`` is NumPy's (no overflow at 3e200, no underflow at 3e-200, 500 in
  float16), with derivatives x/h, y/h (item 11);
* float32 stays float32 and an integer array gets NumPy's dtype, in every tnp
  function of the elementwise, shape and product families (item 12): a sweep;
* ``power`` of Python floats is NumPy's: nan, not a complex number (item 13);
  ``exp2(1024.0)`` and ``power(0.0, -0.5)`` are inf, not a Python exception;
* complex values inside a transformation are refused (item 14);
* ``pad`` with a traced constant, ``tril`` of a vector, ``sinc`` near and at 0
  (under vmap, with some examples 0);
* a property test: every elementwise function at nan, ±inf, ±0, huge and tiny
  values, in float64, float32 and float16, gives NumPy's value, plain and traced,
  and its derivative raises no Python exception.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tracegrad as tg
import tracegrad.numpy as tnp
from tracegrad.core import TracegradError

from . import strategies as S
from .test_function_table import ROWS, _inputs

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


# ---- item 11: hypot --------------------------------------------------------------------

@pytest.mark.parametrize("x,y,h", [(3e200, 4e200, 5e200), (3e-200, 4e-200, 5e-200),
                                   (3.0, 4.0, 5.0), (-5.0, 12.0, 13.0)])
def test_hypot_neither_overflows_nor_underflows(x, y, h):
    assert tnp.hypot(x, y) == pytest.approx(h, rel=1e-15)
    gx, gy = tg.grad(tnp.hypot, argnums=(0, 1))(x, y)
    assert (gx, gy) == (pytest.approx(x / h, rel=1e-15), pytest.approx(y / h, rel=1e-15))
    assert tg.jvp(tnp.hypot, (x, y), (1.0, 0.0))[1] == pytest.approx(x / h, rel=1e-15)
    # ∂²h/∂x² = y²/h³ = (y/h)²/h
    assert tg.grad(tg.grad(tnp.hypot))(x, y) == pytest.approx((y / h) ** 2 / h, rel=1e-12)


def test_hypot_in_float16_and_float32_keeps_the_dtype():
    out = tnp.hypot(np.float16(300), np.float16(400))
    assert out == 500 and out.dtype == np.float16
    x, y = np.float32([3e30, 3.0]), np.float32([4e30, 4.0])
    assert tnp.hypot(x, y).dtype == np.float32
    np.testing.assert_array_equal(tnp.hypot(x, y), np.hypot(x, y))
    g = tg.grad(lambda x: tnp.sum(tnp.hypot(x, y)))(x)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, [0.6, 0.6], rtol=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.floats(-1, 1, allow_subnormal=False).filter(lambda v: abs(v) > 1e-3),
       st.floats(-1, 1, allow_subnormal=False).filter(lambda v: abs(v) > 1e-3),
       st.integers(-300, 300))
def test_hypot_at_every_scale_matches_numpy(a, b, k):
    x, y = a * 10.0**k, b * 10.0**k
    h = np.hypot(x, y)
    assert tnp.hypot(x, y) == h
    gx, gy = tg.grad(tnp.hypot, argnums=(0, 1))(x, y)
    np.testing.assert_allclose([gx, gy], [x / h, y / h], rtol=1e-14)


# ---- item 13 and the crashes: power, exp2 -------------------------------------------------

def test_power_of_a_negative_python_float_to_a_fraction_is_nan_not_complex():
    out = tnp.power(-8.0, 1 / 3)
    assert not isinstance(out, complex) and np.isnan(out)
    assert np.isnan(tg.jit(lambda x: tnp.power(x, 1 / 3))(-8.0))
    assert np.isnan(tg.grad(lambda y: tnp.power(-8.0, y))(1 / 3))


def test_exp2_overflows_to_inf_and_zero_to_a_negative_power_is_inf():
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        assert tnp.exp2(1024.0) == np.inf
        assert tnp.power(0.0, -0.5) == np.inf
    assert all(issubclass(w.category, RuntimeWarning) for w in seen)   # NumPy's warnings
    assert tg.grad(tnp.exp2)(1024.0) == np.inf                          # ln 2 · 2ˣ
    assert tg.jit(lambda x: tnp.power(x, -0.5))(0.0) == np.inf


# ---- item 14: complex values are refused inside transformations -----------------------------

REAL_ONLY = "tracegrad works over real numbers"


def test_the_derivative_of_abs_exp_ix_squared_is_refused_not_wrong():
    f = lambda x: tnp.sum(tnp.abs(tnp.exp(1j * x)) ** 2)  # noqa: E731
    with pytest.raises(TracegradError, match=f"argument x of mul is a complex.*{REAL_ONLY}"):
        tg.grad(f)(np.array([1.0, 2.0]))
    with pytest.raises(TracegradError, match=REAL_ONLY):
        tg.jit(tg.grad(f))(np.array([1.0, 2.0]))
    with pytest.raises(TracegradError, match=REAL_ONLY):
        tg.jvp(f, (np.array([1.0, 2.0]),), (np.ones(2),))
    # written with two real arrays, it is 0, as it must be: |e^(ix)|² = cos² + sin² = 1
    g = tg.grad(lambda x: tnp.sum(tnp.cos(x) ** 2 + tnp.sin(x) ** 2))(np.array([1.0, 2.0]))
    np.testing.assert_allclose(g, 0.0, atol=1e-15)


def test_a_complex_tangent_or_cotangent_is_refused():
    with pytest.raises(TracegradError, match=f"tangent or cotangent is complex.*{REAL_ONLY}"):
        tg.jvp(lambda x: x * 2.0, (1.0,), (1j,))
    _, pullback = tg.vjp(lambda x: x * 2.0, 1.0)
    with pytest.raises(TracegradError, match="tangent or cotangent is complex"):
        pullback(1j)
    assert tg.jvp(lambda x: x * 2.0, (1.0,), (1.0,))[1] == 2.0          # the next call works


def test_a_complex_input_or_constant_inside_a_transformation_is_refused():
    with pytest.raises(TracegradError, match=f"input 0 of vmap.* is a complex.*{REAL_ONLY}"):
        tg.vmap(tnp.sin)(np.array([1j, 2.0]))                         # refused at the door
    with pytest.raises(TracegradError, match="argument y of add is a complex value"):
        tg.grad(lambda x: tnp.real(x + np.complex128(1j)))(1.0)
    with pytest.raises(TypeError, match="complex128"):                 # as before: grad's check
        tg.grad(tnp.sin)(1j)


def test_outside_any_transformation_numpy_keeps_its_complex_arithmetic():
    z = np.array([1j, 2.0])
    np.testing.assert_array_equal(tnp.sin(z), np.sin(z))
    np.testing.assert_array_equal(tnp.exp(1j * np.array([1.0])), np.exp(1j * np.array([1.0])))


# ---- item 12 and the crashes: pad, diag, tril, linspace -----------------------------------------

def test_pad_keeps_the_dtype_an_integer_array_stays_integer():
    a = np.arange(3)
    np.testing.assert_array_equal(tnp.pad(a, 1, constant_values=0.5),
                                  np.pad(a, 1, constant_values=0.5))
    assert tnp.pad(a, 1, constant_values=0.5).dtype == np.pad(a, 1).dtype
    assert tnp.pad(np.float32([1.0, 2.0]), (1, 2), constant_values=7).dtype == np.float32
    out, pullback = tg.vjp(lambda a: tnp.pad(a, 1), np.float32([1.0, 2.0]))
    assert out.dtype == np.float32 and pullback(np.ones(4, np.float32))[0].dtype == np.float32


def test_pad_with_a_traced_constant_is_differentiated():
    weights = np.arange(1.0, 13.0).reshape(3, 4)
    widths = ((1, 0), (0, 2))

    def f(c):
        return tnp.sum(tnp.pad(np.ones((2, 2)), widths, constant_values=c) * weights)
    c = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert f(c) == np.sum(np.pad(np.ones((2, 2)), widths, constant_values=c) * weights)
    # row 0 of the result holds c[0, 0] before axis 1 is padded (weights 1, 2); the two
    # columns added after hold c[1, 1] (weights 3, 4, 7, 8, 11, 12); nothing takes c[*, 0]
    # of axis 1 or c[0, 1] (no padding there)
    np.testing.assert_array_equal(tg.grad(f)(c), [[3.0, 0.0], [0.0, 45.0]])
    assert tg.grad(lambda c: tnp.sum(tnp.pad(np.ones(3), 2, constant_values=c)))(0.5) == 4.0


def test_diag_keeps_the_dtype():
    for v in (np.float32([1, 2]), np.arange(3), np.float16([1])):
        for k in (-1, 0, 2):
            assert tnp.diag(v, k).dtype == np.diag(v, k).dtype
            np.testing.assert_array_equal(tnp.diag(v, k), np.diag(v, k))
    out, _ = tg.vjp(tnp.diag, np.float32([1, 2]))
    assert out.dtype == np.float32


@pytest.mark.parametrize("name", ["tril", "triu"])
@pytest.mark.parametrize("k", [-1, 0, 2])
def test_tril_and_triu_of_a_vector_as_numpy(name, k):
    for a in (np.arange(3), np.array([1.0, 2.0, 3.0, 4.0], np.float32), np.ones((2, 3, 4))):
        out, want = getattr(tnp, name)(a, k), getattr(np, name)(a, k)
        assert out.dtype == want.dtype
        np.testing.assert_array_equal(out, want)
    # the vector is every row of a square matrix: its cotangent sums the columns kept
    w = np.arange(9.0).reshape(3, 3)
    mask = getattr(np, name)(np.ones((3, 3)), k)
    g = tg.grad(lambda x: tnp.sum(getattr(tnp, name)(x, k) * w))(np.ones(3))
    np.testing.assert_array_equal(g, np.sum(w * mask, axis=0))


def test_tril_of_a_scalar_says_what_is_wrong():
    with pytest.raises(ValueError, match="tril: the input must have at least 1 dimension"):
        tnp.tril(3.0)


def test_traced_linspace_keeps_float32():
    f = lambda a: tnp.linspace(a, np.float32(2.0), 5)  # noqa: E731
    out, pullback = tg.vjp(f, np.float32(0.5))
    want = np.linspace(np.float32(0.5), np.float32(2.0), 5)
    assert out.dtype == want.dtype == np.float32
    np.testing.assert_allclose(out, want, rtol=1e-6)
    assert pullback(np.ones(5, np.float32))[0].dtype == np.float32


# ---- sinc near 0, and under vmap -------------------------------------------------------------

def test_sinc_second_derivative_near_zero_is_minus_pi_squared_over_three():
    # sinc(x) = 1 − (πx)²/6 + (πx)⁴/120 − (πx)⁶/5040 + …, so
    # sinc′(x) = −π²x/3 + π⁴x³/30 − …, sinc″(x) = −π²/3 + π⁴x²/10 − …,
    # sinc‴(x) = π⁴x/5 − π⁶x³/42 + …
    for x in (0.0, 1e-9, -1e-6, 1e-4):
        assert tg.grad(tg.grad(tnp.sinc))(x) == pytest.approx(
            -np.pi**2 / 3 + np.pi**4 * x**2 / 10, rel=1e-12)
        assert tg.grad(tg.grad(tg.grad(tnp.sinc)))(x) == pytest.approx(
            np.pi**4 * x / 5 - np.pi**6 * x**3 / 42, rel=1e-9, abs=1e-15)
        assert tg.grad(tnp.sinc)(x) == pytest.approx(-np.pi**2 * x / 3 + np.pi**4 * x**3 / 30,
                                                     rel=1e-9, abs=1e-15)


def test_sinc_on_both_sides_of_the_switch_to_its_series():
    # the series is used for |πx| < 0.01: values and derivatives agree across the switch
    x = np.array([0.0099, 0.01]) / np.pi
    np.testing.assert_allclose(tnp.sinc(x), np.sinc(x), rtol=1e-15)
    d2 = tg.vmap(tg.grad(tg.grad(tnp.sinc)))(x)
    p = np.pi * x          # sinc″ = π²(−sin p/p − 2cos p/p² + 2 sin p/p³), by hand
    want = np.pi**2 * (-np.sin(p) / p - 2 * np.cos(p) / p**2 + 2 * np.sin(p) / p**3)
    np.testing.assert_allclose(d2, want, rtol=1e-6)


def test_sinc_under_vmap_with_only_some_examples_zero():
    x = np.array([0.0, 0.5, 1.0, 1e-9])
    np.testing.assert_allclose(tg.vmap(tnp.sinc)(x), np.sinc(x), rtol=1e-15)
    jf = tg.jit(tg.vmap(tnp.sinc))
    np.testing.assert_allclose(jf(x), np.sinc(x), rtol=1e-15)
    np.testing.assert_allclose(jf(x + 0.25), np.sinc(x + 0.25), rtol=1e-15)   # second call
    np.testing.assert_allclose(tg.vmap(tg.grad(tnp.sinc))(x),
                               [0.0, -4 / np.pi, -1.0, -np.pi**2 * 1e-9 / 3], rtol=1e-12)


# ---- item 12: the dtype sweep ------------------------------------------------------------------
# Every FUNCTION_TABLE row of the families this issue covers (elementwise, shape, products),
# every function of the domain tables, and the reductions and products of tnp's front.
# float32 in: float32 out, plain and traced, with float32 cotangents (float16 the same);
# an integer array in (plain): NumPy's dtype and value.

OTHER_FAMILIES = ("cumsum", "cumprod", "diff", "sort", "partition", "median", "quantile",
                  "percentile", "norm", "solve", "inv", "det", "slogdet", "cholesky", "eigh",
                  "eigvalsh", "svd", "qr", "pinv", "matrix_power")
SWEEP_ROWS = sorted(name for name in ROWS if not name.startswith(OTHER_FAMILIES))


def _unary(name):
    return S.Row(name, lambda m: getattr(m, name), S.one(0, 2), S.UNARY_DOMAINS[name])


def _binary(name):
    return S.Row(name, lambda m: getattr(m, name), S.broadcast_shape_pairs(),
                 S.BINARY_DOMAINS.get(name, (S.FREE, S.FREE))[0])


FRONT = [
    S.Row("sum", lambda m: lambda a: m.sum(a, axis=0), S.one(1, 3), S.FREE),
    S.Row("mean", lambda m: lambda a: m.mean(a), S.one(0, 3), S.FREE),
    S.Row("var", lambda m: lambda a: m.var(a, axis=-1), S.one(1, 3), S.FREE),
    S.Row("std", lambda m: lambda a: m.std(a), S.one(1, 3), S.FREE),
    S.Row("prod", lambda m: lambda a: m.prod(a, axis=0), S.one(1, 3), S.FREE),
    S.Row("max", lambda m: lambda a: m.max(a, axis=-1), S.one(1, 3), S.FREE),
    S.Row("dot", lambda m: lambda a, b: m.dot(a, b), S.fixed(((2, 3), (3, 2)), ((3,), (3,))),
          S.FREE),
    S.Row("outer", lambda m: lambda a, b: m.outer(a, b), S.same(2, 1, 1), S.FREE),
    S.Row("clip", lambda m: lambda a: m.clip(a, -1, 1), S.one(0, 2), S.FREE),
    S.Row("where", lambda m: lambda a, b: m.where(a > 0, a, b), S.same(2, 0, 2), S.FREE),
    S.Row("where-constant", lambda m: lambda a: m.where(a > 0, a, 2.0), S.one(0, 2), S.FREE),
    S.Row("expand_dims", lambda m: lambda a: m.expand_dims(a, 0), S.one(0, 2), S.FREE),
    S.Row("linspace", lambda m: lambda a: m.linspace(a, 2.0, 4), S.one(0, 1), S.FREE),
]
SWEEP = ({name: ROWS[name] for name in SWEEP_ROWS}
         | {name: _unary(name) for name in S.UNARY_DOMAINS}
         | {name: _binary(name) for name in list(S.BINARY_DOMAINS) + list(S.TIE_FREE_PAIRS)}
         | {row.name: row for row in FRONT})


def _np_call(row):
    return row.np_call or row.call(np)


def _dtypes(tree):
    return [np.result_type(leaf) for leaf in tg.tree_leaves(tree)]


@pytest.mark.parametrize("name", sorted(SWEEP))
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_dtype_sweep(name, data):
    row = SWEEP[name]
    args = _inputs(row, data)
    f_tg, f_np = row.call(tnp), _np_call(row)
    # float32 (or float16) in, plain and traced
    dtype = data.draw(st.sampled_from([np.float32, np.float16]), label="dtype")
    a32 = [a.astype(dtype) for a in args]
    want = _dtypes(f_np(*a32))
    assert _dtypes(f_tg(*a32)) == want, f"{name}: plain {dtype.__name__}"
    out, pullback = tg.vjp(f_tg, *a32)
    assert _dtypes(out) == want, f"{name}: traced {dtype.__name__}"
    cts = pullback(tg.tree_map(lambda o: np.ones(np.shape(o), np.result_type(o)), out))
    assert _dtypes(cts) == [np.dtype(dtype)] * len(a32), f"{name}: cotangents"
    # integers in (plain): NumPy's dtype, where NumPy takes integers
    ints = [np.round(a * 3).astype(np.int64) for a in args]
    try:
        want = f_np(*ints)
    except (TypeError, ValueError, np.linalg.LinAlgError):
        return
    got = f_tg(*ints)
    assert _dtypes(got) == _dtypes(want), f"{name}: int64"
    np.testing.assert_allclose(np.concatenate([np.ravel(x) for x in tg.tree_leaves(got)]),
                               np.concatenate([np.ravel(x) for x in tg.tree_leaves(want)]),
                               rtol=1e-12)


# ---- nan, ±inf, ±0, huge and tiny: every elementwise function against NumPy --------------------

UNARY = sorted(set(S.UNARY_DOMAINS) | {"fabs", "absolute", "radians", "degrees", "sinc",
                                       "fix", "real", "imag", "angle", "real_if_close",
                                       "nan_to_num", "around"})
BINARY = sorted(set(S.BINARY_DOMAINS) | set(S.TIE_FREE_PAIRS) | {"true_divide", "remainder"})
DTYPES = (np.float64, np.float32, np.float16)


def _special_values(dtype):
    info = np.finfo(dtype)
    big_exp = float(np.log(info.max))                      # exp overflows just above
    return [np.nan, np.inf, -np.inf, 0.0, -0.0, float(info.max), -float(info.max),
            float(info.smallest_normal), -float(info.smallest_normal),
            float(info.smallest_subnormal), 1.0, -1.0, 0.5, -0.5, 2.0, 1.0 + float(info.eps),
            big_exp, big_exp * 1.01, -big_exp * 1.1, 1e4, -3.0]


def _elements(dtype):
    width = np.finfo(dtype).bits
    return st.one_of(st.sampled_from(_special_values(dtype)),
                     st.floats(allow_nan=True, allow_infinity=True, width=width))


def _same_values(got, want, dtype, what):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, what
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype}, NumPy {want.dtype}"
    if got.dtype.kind != "f":
        np.testing.assert_array_equal(got, want, err_msg=what)
        return
    info = np.finfo(dtype)
    # exact where NumPy is nan or ±inf; else a few roundings (log2 is log/ln 2 here)
    np.testing.assert_allclose(got, want, rtol=8 * float(info.eps),
                               atol=float(info.smallest_normal), equal_nan=True, err_msg=what)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=what)
    np.testing.assert_array_equal(np.isinf(got) * np.sign(got),
                                  np.isinf(want) * np.sign(want), err_msg=what)


def _ones_like(out):
    return np.ones(np.shape(out), np.result_type(out))


def _check_at_special_values(name, args, dtype):
    f_tg, f_np = getattr(tnp, name), getattr(np, name)
    want = f_np(*args)
    _same_values(f_tg(*args), want, dtype, f"tnp.{name} plain")
    out, pullback = tg.vjp(f_tg, *args)                     # traced: the same value ...
    _same_values(out, want, dtype, f"tnp.{name} traced")
    cts = pullback(_ones_like(out))                          # ... and no exception backwards
    assert [np.shape(c) for c in cts] == [np.shape(a) for a in args]
    _, tangent = tg.jvp(f_tg, tuple(args), tuple(_ones_like(a) for a in args))
    assert np.shape(tangent) == np.shape(want)


@pytest.mark.parametrize("name", UNARY)
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_unary_function_at_nan_inf_and_overflow_matches_numpy(name, data):
    dtype = data.draw(st.sampled_from(DTYPES), label="dtype")
    shape = data.draw(S.shapes(max_dims=2), label="shape")
    x = data.draw(hnp.arrays(dtype, shape, elements=_elements(dtype)), label="x")
    _check_at_special_values(name, [x], dtype)


@pytest.mark.parametrize("name", BINARY)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_binary_function_at_nan_inf_and_overflow_matches_numpy(name, data):
    dtype = data.draw(st.sampled_from(DTYPES), label="dtype")
    sx, sy = data.draw(S.broadcast_shape_pairs(), label="shapes")
    x = data.draw(hnp.arrays(dtype, sx, elements=_elements(dtype)), label="x")
    y = data.draw(hnp.arrays(dtype, sy, elements=_elements(dtype)), label="y")
    _check_at_special_values(name, [x, y], dtype)


@pytest.mark.parametrize("name", BINARY)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_python_floats_give_numpy_values_never_a_python_exception(name, data):
    # Python's own float operators raise (0.0 ** -0.5, 2.0 ** 1024.0) or turn complex
    # ((-8.0) ** (1/3)) where NumPy gives inf or nan: tnp must give NumPy's number.
    values = _special_values(np.float64) + [1 / 3, -8.0, 1024.0, -1024.0]
    x = data.draw(st.sampled_from(values), label="x")
    y = data.draw(st.sampled_from(values), label="y")
    want = getattr(np, name)(x, y)
    got = getattr(tnp, name)(x, y)
    assert not isinstance(got, complex)
    _same_values(np.float64(got), want, np.float64, f"tnp.{name}({x}, {y})")
    out, pullback = tg.vjp(lambda x: getattr(tnp, name)(x, y), x)
    _same_values(np.float64(out), want, np.float64, f"traced tnp.{name}({x}, {y})")
    pullback(1.0)
    for f in ("exp2", "square", "reciprocal", "sinc", "log2", "sqrt", "exp"):
        _same_values(np.float64(getattr(tnp, f)(x)), getattr(np, f)(x), np.float64,
                     f"tnp.{f}({x})")


def test_a_primitive_that_turns_complex_is_refused_inside_a_transformation():
    from tracegrad.core import Primitive
    rotate = Primitive("rotate", lambda x: x * np.exp(0.5j), jvp=lambda ts, out, x: ts[0],
                       vjp=(lambda g, out, x: g,))
    assert rotate(1.0) == np.exp(0.5j)                       # plain NumPy: NumPy's value
    with pytest.raises(TracegradError, match=f"rotate of real arguments gave a complex result"
                                             f".*{REAL_ONLY}"):
        tg.grad(lambda x: tnp.abs(rotate(x)))(1.0)


@pytest.mark.parametrize("transform", [tg.vmap, tg.jit], ids=["vmap", "jit"])
def test_a_complex_input_to_vmap_or_jit_is_refused_even_where_abs_would_hide_it(transform):
    # |1j| = 1 is real: without a check at the door the complex input would pass unseen
    f = transform(lambda z: tnp.abs(z) * 2.0)
    with pytest.raises(TracegradError, match=f"input 0 of (vmap|jit).*complex.*{REAL_ONLY}"):
        f(np.array([1j, 2.0]))
    np.testing.assert_array_equal(f(np.array([-1.0, 2.0])), [2.0, 4.0])   # the next call works
