"""tracegrad.nn: values, derivatives and numerical stability at extremes.

References are closed forms evaluated stably in NumPy here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.nn as nn
import tracegrad.numpy as tnp

from . import strategies as S
from .numeric import EXACT_TOL, GRAD_TOL, HESS_TOL, assert_close, num_grad, num_hessian


def np_sigmoid(x):
    x = np.asarray(x, dtype=float)
    # stable in both tails
    e = np.exp(-np.abs(x))             # never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def np_softplus(x):
    x = np.asarray(x, dtype=float)
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def np_logsumexp(x, axis=None, keepdims=False):
    x = np.asarray(x, dtype=float)
    m = np.max(x, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis) if axis is not None else out.reshape(())


def np_softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


XS = np.array([-5.0, -1.3, -0.2, 0.4, 1.0, 3.7])


# --- values and first derivatives ------------------------------------------------


def test_sigmoid_value_and_derivative():
    assert_close(nn.sigmoid(XS), np_sigmoid(XS), **EXACT_TOL)
    s = np_sigmoid(XS)
    assert_close(tg.grad(lambda x: tnp.sum(nn.sigmoid(x)))(XS), s * (1 - s), **EXACT_TOL)


def test_relu_value_and_derivative_including_zero():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    assert_close(nn.relu(x), np.maximum(x, 0), **EXACT_TOL)
    assert_close(tg.grad(lambda a: tnp.sum(nn.relu(a)))(x), [0.0, 0.0, 0.0, 1.0, 1.0], **EXACT_TOL)
    assert float(tg.grad(nn.relu)(0.0)) == 0.0
    assert float(tg.grad(nn.relu)(2.0)) == 1.0
    assert float(tg.grad(nn.relu)(-2.0)) == 0.0


def test_softplus_value_and_derivative_is_sigmoid():
    assert_close(nn.softplus(XS), np_softplus(XS), **EXACT_TOL)
    assert_close(tg.grad(lambda x: tnp.sum(nn.softplus(x)))(XS), np_sigmoid(XS), **EXACT_TOL)


def test_logsumexp_value_and_gradient_is_softmax(rng):
    x = rng.normal(size=5)
    assert_close(nn.logsumexp(x), np.log(np.sum(np.exp(x))), **EXACT_TOL)
    assert_close(tg.grad(nn.logsumexp)(x), np.exp(x) / np.sum(np.exp(x)), **EXACT_TOL)


@pytest.mark.parametrize("axis,keepdims", [(0, False), (1, False), (-1, True), (None, False)])
def test_logsumexp_with_axis(axis, keepdims, rng):
    x = rng.normal(size=(3, 4))
    assert_close(nn.logsumexp(x, axis=axis, keepdims=keepdims), np_logsumexp(x, axis, keepdims),
                 **EXACT_TOL)
    w = rng.uniform(0.5, 2, size=np.shape(np_logsumexp(x, axis, keepdims)))
    g = tg.grad(lambda a: tnp.sum(nn.logsumexp(a, axis=axis, keepdims=keepdims) * w))(x)
    assert_close(g, num_grad(lambda a: np.sum(np_logsumexp(a, axis, keepdims) * w), x), **GRAD_TOL)


def test_softmax_sums_to_one_along_last_axis_and_has_known_jacobian(rng):
    x = rng.normal(size=(2, 4))
    s = nn.softmax(x)
    assert_close(s, np_softmax(x), **EXACT_TOL)
    assert_close(np.sum(np.asarray(s), axis=-1), np.ones(2), **EXACT_TOL)
    v = rng.normal(size=4)
    p = np_softmax(v)
    J = tg.jacrev(nn.softmax)(v)
    assert_close(J, np.diag(p) - np.outer(p, p), **EXACT_TOL)
    assert_close(tg.jacfwd(nn.softmax)(v), np.diag(p) - np.outer(p, p), **EXACT_TOL)


def test_softmax_with_axis(rng):
    x = rng.normal(size=(3, 2))
    assert_close(nn.softmax(x, axis=0), np_softmax(x, axis=0), **EXACT_TOL)
    w = rng.normal(size=(3, 2))
    g = tg.grad(lambda a: tnp.sum(nn.softmax(a, axis=0) * w))(x)
    assert_close(g, num_grad(lambda a: np.sum(np_softmax(a, axis=0) * w), x), **GRAD_TOL)


def test_log_softmax_value_and_gradient(rng):
    x = rng.normal(size=(2, 5))
    expected = x - np_logsumexp(x, axis=-1, keepdims=True)
    assert_close(nn.log_softmax(x), expected, **EXACT_TOL)
    w = rng.normal(size=(2, 5))
    g = tg.grad(lambda a: tnp.sum(nn.log_softmax(a) * w))(x)
    # d/dx_j sum_i w_i (x_i - lse) = w_j - softmax_j * sum_i w_i   (per row)
    expected_g = w - np_softmax(x) * np.sum(w, axis=-1, keepdims=True)
    assert_close(g, expected_g, **EXACT_TOL)


# --- numerical stability at extremes ---------------------------------------------


def test_softplus_is_stable_at_extremes():
    assert float(nn.softplus(1000.0)) == 1000.0
    assert float(nn.softplus(-1000.0)) == pytest.approx(0.0, abs=1e-300)
    assert float(tg.grad(nn.softplus)(1000.0)) == 1.0
    g = float(tg.grad(nn.softplus)(-1000.0))
    assert math.isfinite(g) and g == pytest.approx(0.0, abs=1e-300)
    big = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    assert np.all(np.isfinite(np.asarray(nn.softplus(big))))
    assert_close(nn.softplus(big), np_softplus(big), **EXACT_TOL)


def test_sigmoid_is_stable_at_extremes():
    assert float(nn.sigmoid(-1000.0)) == 0.0
    assert float(nn.sigmoid(1000.0)) == 1.0
    for x in (-1000.0, 1000.0):
        g = float(tg.grad(nn.sigmoid)(x))
        assert math.isfinite(g) and g == pytest.approx(0.0, abs=1e-300)
    gg = float(tg.grad(tg.grad(nn.sigmoid))(-1000.0))
    assert math.isfinite(gg)


def test_logsumexp_is_stable_at_extremes():
    for big in (1000.0, -1000.0):
        assert_close(nn.logsumexp(np.array([big, big])), big + math.log(2.0), rtol=1e-15, atol=0)
    g = tg.grad(nn.logsumexp)(np.array([1000.0, 1000.0]))
    assert_close(g, [0.5, 0.5], **EXACT_TOL)
    g = tg.grad(nn.logsumexp)(np.array([1000.0, 0.0]))
    assert np.all(np.isfinite(np.asarray(g)))
    assert_close(g, [1.0, 0.0], rtol=0, atol=1e-300)


def test_softmax_and_log_softmax_are_stable_at_extremes():
    x = np.array([1000.0, 0.0, -1000.0])
    s = np.asarray(nn.softmax(x))
    assert np.all(np.isfinite(s))
    assert_close(s, [1.0, 0.0, 0.0], rtol=0, atol=1e-300)
    ls = np.asarray(nn.log_softmax(x))
    assert np.all(np.isfinite(ls))
    assert_close(ls, [0.0, -1000.0, -2000.0], rtol=1e-15, atol=0)
    g = tg.grad(lambda a: nn.log_softmax(a)[0])(x)
    assert np.all(np.isfinite(np.asarray(g)))
    assert_close(g, [0.0, 0.0, 0.0], rtol=0, atol=1e-300)


# --- second order and check_grads ---------------------------------------------------

NN_FUNS = {
    "sigmoid": (lambda x: nn.sigmoid(x), np_sigmoid),
    "softplus": (lambda x: nn.softplus(x), np_softplus),
    "relu": (lambda x: nn.relu(x), lambda x: np.maximum(x, 0)),
    "logsumexp": (lambda x: nn.logsumexp(x), np_logsumexp),
    "softmax": (lambda x: nn.softmax(x), np_softmax),
    "log_softmax": (lambda x: nn.log_softmax(x),
                    lambda x: x - np_logsumexp(x, axis=-1, keepdims=True)),
}


@pytest.mark.parametrize("name", sorted(NN_FUNS))
@S.examples(4)
@given(data=st.data())
def test_nn_second_derivatives_and_check_grads(name, data):
    fn_tg, fn_np = NN_FUNS[name]
    # away from relu's kink
    x = data.draw(S.arrays((4,), S.away_from(-3, 3, [0.0], 0.1)), label="x")
    w = data.draw(S.arrays(np.shape(fn_np(x)), S.floats(0.5, 2.0)), label="w")
    loss_tg = lambda a: tnp.sum(tnp.multiply(fn_tg(a), w))  # noqa: E731
    loss_np = lambda a: np.sum(fn_np(a) * w)  # noqa: E731
    assert_close(tg.grad(loss_tg)(x), num_grad(loss_np, x), **GRAD_TOL)
    assert_close(tg.hessian(loss_tg)(x), num_hessian(loss_np, x), **HESS_TOL)
    tg.check_grads(loss_tg, (x,), order=2, modes=("fwd", "rev"))
