"""Issue 20, item 10: median and quantile of data holding nan, of empty data, and float32.

NumPy is the reference for values: a slice that holds a nan has no order, so its
median is nan. Its derivative is nan too (with respect to every element of that
slice): the value is not a number, so neither is its rate of change. Slices
without nan keep their ordinary derivatives (½ to each middle element, ...).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.numpy as tnp

from . import strategies as S
from .numeric import EXACT_TOL, assert_close

NAN = np.nan


def same(got, want):
    """Equal values, nan where NumPy has nan, and the same shape."""
    assert np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


@pytest.mark.parametrize("fun", [
    lambda m, a: m.median(a),
    lambda m, a: m.median(a, axis=1),
    lambda m, a: m.quantile(a, 0.3),
    lambda m, a: m.quantile(a, [0.0, 0.5, 1.0], axis=1, keepdims=True),
    lambda m, a: m.percentile(a, 90.0, axis=0, method="nearest"),
    lambda m, a: m.quantile(a, 0.25, axis=1, method="lower"),
])
def test_nan_in_the_data_gives_nan_as_numpy(fun):
    a = np.array([[1.0, NAN, 3.0, 2.0], [4.0, 0.5, 2.0, 1.0]])
    same(fun(tnp, a), fun(np, a))


def test_the_derivative_of_a_median_over_nan_is_nan():
    a = np.array([[1.0, NAN, 3.0, 2.0], [4.0, 0.5, 2.0, 1.0]])
    g = tg.grad(lambda x: tnp.sum(tnp.median(x, axis=1)))(a)
    assert np.isnan(g[0]).all()                                # the slice with the nan
    assert_close(g[1], [0.0, 0.0, 0.5, 0.5], **EXACT_TOL)     # median of (0.5, 1, 2, 4)
    assert np.isnan(tg.grad(tnp.median)(a)).all()
    _, tangent = tg.jvp(lambda x: tnp.quantile(x, 0.4, axis=1), (a,), (np.ones_like(a),))
    assert np.isnan(tangent[0]) and tangent[1] == 1.0


def test_inf_is_ordered_and_not_a_nan():
    a = np.array([1.0, np.inf, 3.0, 2.0])
    assert tnp.median(a) == 2.5 and tnp.quantile(a, 1.0) == np.inf
    assert_close(tg.grad(tnp.median)(a), [0.0, 0.0, 0.5, 0.5], **EXACT_TOL)


@pytest.mark.parametrize("shape,axis", [((0,), None), ((2, 0), 1), ((0, 3), 0)])
def test_median_of_nothing_is_nan_with_a_warning_as_numpy(shape, axis):
    a = np.zeros(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = np.median(a, axis=axis)
    with pytest.warns(RuntimeWarning, match="empty slice"):
        got = tnp.median(a, axis=axis)
    same(got, want)
    with pytest.warns(RuntimeWarning, match="empty slice"):
        got = tnp.quantile(a, [0.2, 0.5], axis=axis)
    assert np.shape(got) == (2,) + np.shape(want) and np.isnan(got).all()
    assert tnp.median(np.array([2.0, 1.0])) == 1.5                  # the next call works


@pytest.mark.parametrize("fun", [
    lambda m, a: m.median(a),
    lambda m, a: m.median(a, axis=0, keepdims=True),
    lambda m, a: m.quantile(a, 0.3),
    lambda m, a: m.quantile(a, [0.1, 0.9], axis=1, method="midpoint"),
    lambda m, a: m.percentile(a, 75.0),
])
@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_float32_stays_float32(fun, dtype):
    a = np.array([[0.3, 1.7, 2.2], [4.1, 0.6, 1.1]], dtype=dtype)
    want = fun(np, a)
    got = fun(tnp, a)
    assert got.dtype == dtype         # as JAX (NumPy's midpoint gives float64 here)
    assert_close(got, want, rtol=1e-3 if dtype == np.float16 else 1e-6)
    assert tg.grad(lambda x: tnp.sum(fun(tnp, x)))(a).dtype == dtype


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_median_and_quantile_against_numpy_with_nan_anywhere(data):
    shape = data.draw(S.shapes(min_dims=1, max_dims=3), label="shape")
    a = data.draw(S.arrays(shape, st.sampled_from([0.0, 1.0, -2.0, 0.5, 3.0, NAN])))
    axis = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    q = data.draw(st.sampled_from([0.5, 0.0, 1.0, 0.3, [0.25, 0.8]]), label="q")
    method = data.draw(st.sampled_from(["linear", "lower", "higher", "nearest", "midpoint"]))
    same(tnp.quantile(a, q, axis=axis, method=method),
         np.quantile(a, q, axis=axis, method=method))
    # nan in a slice: the gradient of its median is nan on that slice, finite elsewhere
    g = tg.grad(lambda x: tnp.sum(tnp.median(x, axis=axis, keepdims=True)))(a)
    slice_has_nan = np.broadcast_to(np.isnan(a).any(axis=axis, keepdims=True), shape)
    assert (np.isnan(g) == slice_has_nan).all()
