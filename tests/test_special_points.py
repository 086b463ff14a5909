"""Values and derivatives at special points: issue 15, items 5, 6, 7, 9 and "Also".

Each repro from the issue, against the true value (an analytic formula) or
JAX's stated result, plus ``tg.check_grads`` at order 2 in both modes for
every primitive whose rule changed.
"""

import warnings

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.lax as lax
import tracegrad.nn as nn
import tracegrad.numpy as tnp

from .numeric import EXACT_TOL, assert_close


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


# ---- item 5: softplus″(0) = σ′(0) = ¼ ---------------------------------------------


def test_softplus_second_derivative_at_zero_is_a_quarter():
    assert float(tg.grad(tg.grad(nn.softplus))(0.0)) == 0.25
    h = tg.hessian(lambda x: tnp.sum(nn.softplus(x)))(np.zeros(3))
    assert_close(h, 0.25 * np.eye(3), **EXACT_TOL)


def test_softplus_derivatives_are_the_logistic_function_and_its_derivative():
    x = np.array([-30.0, -2.0, -0.0, 0.0, 0.5, 3.0, 40.0])
    s = _logistic(x)
    assert_close(tg.vjp(nn.softplus, x)[1](np.ones_like(x))[0], s, **EXACT_TOL)
    assert_close(tg.jvp(tg.grad(lambda x: tnp.sum(nn.softplus(x))), (x,), (np.ones_like(x),))[1],
                 s * (1 - s), **EXACT_TOL)
    tg.check_grads(nn.softplus, (np.array([-1.5, 0.0, 0.7]),), order=2, modes=("fwd", "rev"))


# ---- item 6: abs′(0) = 1 -----------------------------------------------------------


def test_abs_derivative_at_zero_is_one_as_in_jax():
    assert float(tg.grad(tnp.abs)(0.0)) == 1.0
    assert float(tg.jvp(tnp.abs, (0.0,), (1.0,))[1]) == 1.0
    assert_close(tg.grad(lambda x: tnp.sum(tnp.abs(x)))(np.array([-2.0, 0.0, 3.0])),
                 [-1.0, 1.0, 1.0], **EXACT_TOL)


def test_second_derivative_of_abs_squared_at_zero_is_two():
    # |x|² = x², so its second derivative is 2 everywhere, 0 included.
    for f in (lambda x: tnp.abs(x) ** 2, lambda x: tnp.abs(x) * tnp.abs(x)):
        assert float(tg.grad(tg.grad(f))(0.0)) == 2.0
        assert float(tg.jacfwd(tg.jacrev(f))(0.0)) == 2.0


def test_abs_still_passes_check_grads_away_from_zero():
    tg.check_grads(tnp.abs, (np.array([-1.5, 0.4, 2.0]),), order=2, modes=("fwd", "rev"))


# ---- item 7: relu(nan) = nan ---------------------------------------------------------


def test_relu_of_nan_is_nan_traced_or_not():
    x = np.array([np.nan, -1.0, 0.0, 2.0])
    assert np.isnan(nn.relu(np.nan))
    out = nn.relu(x)
    assert np.isnan(out[0]) and list(out[1:]) == [0.0, 0.0, 2.0]
    traced, _ = tg.vjp(nn.relu, x)
    assert np.isnan(traced[0]) and list(traced[1:]) == [0.0, 0.0, 2.0]
    assert np.isnan(tg.jvp(nn.relu, (np.nan,), (1.0,))[0])
    # relu'(0) = 0 is unchanged
    assert_close(tg.grad(lambda x: tnp.sum(nn.relu(x)))(x[1:]), [0.0, 0.0, 1.0], **EXACT_TOL)


# ---- item 9: d/dx 0.0 ** x -----------------------------------------------------------


def test_derivative_of_zero_to_the_x_follows_jax():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)    # 0 ** −1 divides by zero
        assert np.isnan(tg.grad(lambda x: 0.0 ** x)(-1.0))          # the value is inf
        assert np.isnan(tg.jvp(lambda x: 0.0 ** x, (-2.0,), (1.0,))[1])
    # Elsewhere the limit log(x)·x^y → 0 holds: 0^y is flat in y for y ≥ 0.
    assert float(tg.grad(lambda x: 0.0 ** x)(2.0)) == 0.0
    assert float(tg.grad(lambda x: 0.0 ** x)(0.0)) == 0.0


def test_pow_still_passes_check_grads():
    x, y = np.array([0.5, 1.5, 2.0]), np.array([-1.0, 0.5, 2.5])
    tg.check_grads(lax.pow, (x, y), order=2, modes=("fwd", "rev"))
    tg.check_grads(lax.div, (x, y), order=2, modes=("fwd", "rev"))


# ---- "Also": empty arrays ---------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", ["mean", "var", "std"])
def test_mean_and_var_of_an_empty_array_are_nan_inside_grad_too(name):
    e = np.zeros(0)
    want = getattr(np, name)(e)                      # NumPy: nan
    assert np.isnan(want) and np.isnan(getattr(tnp, name)(e))
    value, g = tg.value_and_grad(getattr(tnp, name))(e)
    assert np.isnan(value) and g.shape == (0,)
    _, t = tg.jvp(getattr(tnp, name), (e,), (e,))
    assert np.isnan(t)                               # 0 / 0, as the value


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_logsumexp_of_an_empty_array_is_minus_infinity():
    e = np.zeros(0)
    assert nn.logsumexp(e) == -np.inf                # log Σ over nothing = log 0
    value, g = tg.value_and_grad(nn.logsumexp)(e)
    assert value == -np.inf and g.shape == (0,)
    # Over an empty axis: one −inf per remaining position, as NumPy's log(sum(exp)).
    x = np.zeros((0, 3))
    assert_close(nn.logsumexp(x, axis=0), np.log(np.sum(np.exp(x), axis=0)), **EXACT_TOL)
    out, pull = tg.vjp(lambda x: nn.logsumexp(x, axis=0), x)
    assert np.all(out == -np.inf) and pull(np.ones(3))[0].shape == (0, 3)
    # an empty array whose reduced axis is not empty: an empty result
    assert nn.logsumexp(np.zeros((2, 0)), axis=0).shape == (0,)
