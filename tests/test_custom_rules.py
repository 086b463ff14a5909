"""custom_jvp / custom_vjp / stop_gradient, and that check_grads catches a
wrong rule.

Each custom rule deliberately differs from the true derivative (a factor,
a clip), so the test can tell whether the rule or the traced body was
differentiated.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.numpy as tnp

from .numeric import EXACT_TOL, GRAD_TOL, assert_close, num_grad

# --- custom_jvp ----------------------------------------------------------------


@tg.custom_jvp
def sin_double_slope(x):
    return tnp.sin(x)


@sin_double_slope.defjvp
def _sin_double_slope_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return tnp.sin(x), 2.0 * tnp.cos(x) * t  # deliberately 2x the true derivative


@tg.custom_jvp
def log1pexp(x):
    """softplus with a numerically stable custom derivative (the JAX docs' example)."""
    return tnp.log(1.0 + tnp.exp(x))


@log1pexp.defjvp
def _log1pexp_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return log1pexp(x), t * (1.0 - 1.0 / (1.0 + tnp.exp(x)))


@tg.custom_jvp
def scaled_product(x, y):
    return x * y


@scaled_product.defjvp
def _scaled_product_jvp(primals, tangents):
    (x, y), (tx, ty) = primals, tangents
    # true rule is tx*y + x*ty; weight the y-part by 10 to make it visible
    return x * y, tx * y + 10.0 * x * ty


@pytest.mark.parametrize("x", [-1.0, 0.3, 2.0])
def test_custom_jvp_rule_is_used_by_grad(x):
    assert_close(sin_double_slope(x), math.sin(x), **EXACT_TOL)
    assert_close(tg.grad(sin_double_slope)(x), 2 * math.cos(x), **EXACT_TOL)


def test_custom_jvp_rule_is_used_by_jvp(rng):
    x, t = rng.normal(size=3), rng.normal(size=3)
    out, tout = tg.jvp(sin_double_slope, (x,), (t,))
    assert_close(out, np.sin(x), **EXACT_TOL)
    assert_close(tout, 2 * np.cos(x) * t, **EXACT_TOL)


def test_custom_jvp_rule_is_used_by_vjp_and_jacobians(rng):
    x = rng.normal(size=3)
    _, vjp_fun = tg.vjp(sin_double_slope, x)
    assert_close(vjp_fun(np.ones(3))[0], 2 * np.cos(x), **EXACT_TOL)
    for jac in (tg.jacfwd, tg.jacrev):
        assert_close(jac(sin_double_slope)(x), np.diag(2 * np.cos(x)), **EXACT_TOL)


def test_custom_jvp_under_nested_grad():
    # the rule's tangent 2 cos(x) is itself differentiated: d/dx = -2 sin(x)
    for x in (-0.4, 1.3):
        assert_close(tg.grad(tg.grad(sin_double_slope))(x), -2 * math.sin(x), **EXACT_TOL)
        assert_close(tg.hessian(sin_double_slope)(x), -2 * math.sin(x), **EXACT_TOL)


def test_custom_jvp_inside_a_larger_function(rng):
    x = rng.normal(size=3)
    f = lambda a: tnp.sum(sin_double_slope(a**2) * 3.0)  # noqa: E731
    # chain rule through the custom rule: 3 * 2 cos(x^2) * 2x
    assert_close(tg.grad(f)(x), 12 * x * np.cos(x**2), **EXACT_TOL)


def test_custom_jvp_multiple_arguments():
    x, y = 1.5, -2.0
    gx, gy = tg.grad(scaled_product, argnums=(0, 1))(x, y)
    assert_close(gx, y, **EXACT_TOL)
    assert_close(gy, 10 * x, **EXACT_TOL)
    _, t = tg.jvp(scaled_product, (x, y), (1.0, 1.0))
    assert_close(t, y + 10 * x, **EXACT_TOL)


def test_custom_jvp_stable_softplus_at_large_input():
    # the naive derivative exp(x)/(1+exp(x)) is inf/inf = nan at x = 1000
    assert float(log1pexp(3.0)) == pytest.approx(math.log1p(math.exp(3.0)), rel=1e-13)
    with np.errstate(over="ignore"):  # the primal exp(1000) overflows; the rule does not care
        g = tg.grad(log1pexp)(1000.0)
    assert float(g) == 1.0
    for x in (-3.0, 0.0, 2.0):
        assert_close(tg.grad(log1pexp)(x), 1 / (1 + math.exp(-x)), **EXACT_TOL)


# --- custom_vjp ----------------------------------------------------------------


@tg.custom_vjp
def clip_gradient(x):
    """Identity forward; the backward pass clips the cotangent to [-1, 1]."""
    return x


def _clip_fwd(x):
    return x, None


def _clip_bwd(res, g):
    return (tnp.clip(g, -1.0, 1.0),)


clip_gradient.defvjp(_clip_fwd, _clip_bwd)


@tg.custom_vjp
def sin_triple_slope(x):
    return tnp.sin(x)


def _sin3_fwd(x):
    return tnp.sin(x), tnp.cos(x)  # residual: cos(x)


def _sin3_bwd(cos_x, g):
    return (3.0 * cos_x * g,)  # deliberately 3x the true derivative


sin_triple_slope.defvjp(_sin3_fwd, _sin3_bwd)


@tg.custom_vjp
def product(x, y):
    return x * y


def _product_fwd(x, y):
    return x * y, (x, y)


def _product_bwd(res, g):
    x, y = res
    return (g * y, g * x)  # the correct rule


product.defvjp(_product_fwd, _product_bwd)


@tg.custom_vjp
def product_wrong(x, y):
    return x * y


def _product_wrong_bwd(res, g):
    x, y = res
    return (2.0 * g * y, g * x)  # wrong: d/dx doubled


product_wrong.defvjp(_product_fwd, _product_wrong_bwd)


def test_custom_vjp_clipped_gradient_is_used(rng):
    # without the rule d/dx (5 x) = 5; the backward pass clips it to 1
    assert_close(clip_gradient(2.5), 2.5, **EXACT_TOL)
    assert_close(tg.grad(lambda x: 5.0 * clip_gradient(x))(2.0), 1.0, **EXACT_TOL)
    assert_close(tg.grad(lambda x: -5.0 * clip_gradient(x))(2.0), -1.0, **EXACT_TOL)
    assert_close(tg.grad(lambda x: 0.5 * clip_gradient(x))(2.0), 0.5, **EXACT_TOL)
    x = rng.normal(size=4)
    w = np.array([3.0, -0.2, 0.7, -4.0])
    g = tg.grad(lambda a: tnp.sum(clip_gradient(a) * w))(x)
    assert_close(g, np.clip(w, -1, 1), **EXACT_TOL)


def test_custom_vjp_residuals_reach_the_backward_pass():
    for x in (-1.0, 0.5, 2.0):
        assert_close(sin_triple_slope(x), math.sin(x), **EXACT_TOL)
        assert_close(tg.grad(sin_triple_slope)(x), 3 * math.cos(x), **EXACT_TOL)


def test_custom_vjp_used_by_vjp_with_cotangent(rng):
    x, ct = rng.normal(size=3), rng.normal(size=3)
    out, vjp_fun = tg.vjp(sin_triple_slope, x)
    assert_close(out, np.sin(x), **EXACT_TOL)
    assert_close(vjp_fun(ct)[0], 3 * np.cos(x) * ct, **EXACT_TOL)


def test_custom_vjp_multiple_arguments():
    gx, gy = tg.grad(product, argnums=(0, 1))(3.0, -2.0)
    assert_close(gx, -2.0, **EXACT_TOL)
    assert_close(gy, 3.0, **EXACT_TOL)
    gx, gy = tg.grad(product_wrong, argnums=(0, 1))(3.0, -2.0)
    assert_close(gx, -4.0, **EXACT_TOL)
    assert_close(gy, 3.0, **EXACT_TOL)


def test_custom_vjp_inside_a_larger_function(rng):
    x = rng.normal(size=3)
    f = lambda a: tnp.sum(tnp.exp(sin_triple_slope(2.0 * a)))  # noqa: E731
    # d/da exp(s(2a)) with the rule s' := 3 cos: exp(sin 2a) * 3 cos(2a) * 2
    assert_close(tg.grad(f)(x), np.exp(np.sin(2 * x)) * 6 * np.cos(2 * x), **EXACT_TOL)


def test_custom_vjp_under_nested_grad():
    # the backward pass is built from traced ops on traced residuals, so it
    # can be differentiated again: d/dx [3 cos x] = -3 sin x
    for x in (-0.6, 1.1):
        assert_close(tg.grad(tg.grad(sin_triple_slope))(x), -3 * math.sin(x), **EXACT_TOL)


# --- check_grads / numerical_grad catch wrong rules --------------------------


def test_check_grads_passes_on_correct_custom_vjp():
    tg.check_grads(product, (1.3, -0.7), order=1, modes=("rev",))


def test_check_grads_fails_on_wrong_custom_vjp():
    with pytest.raises(AssertionError):
        tg.check_grads(product_wrong, (1.3, -0.7), order=1, modes=("rev",))
    with pytest.raises(AssertionError):
        tg.check_grads(sin_triple_slope, (np.array([0.2, 0.9]),), order=1, modes=("rev",))


def test_check_grads_fails_on_wrong_custom_jvp_in_both_modes():
    x = (np.array([0.2, -0.9, 1.4]),)
    with pytest.raises(AssertionError):
        tg.check_grads(sin_double_slope, x, order=1, modes=("fwd",))
    with pytest.raises(AssertionError):
        tg.check_grads(sin_double_slope, x, order=1, modes=("rev",))
    with pytest.raises(AssertionError):
        tg.check_grads(sin_double_slope, x, order=2, modes=("fwd", "rev"))


def test_check_grads_passes_on_correct_custom_jvp():
    tg.check_grads(log1pexp, (np.array([-1.0, 0.5, 2.0]),), order=2, modes=("fwd", "rev"))


def test_numerical_grad_ignores_custom_rules():
    # numerical_grad differentiates the forward computation, not the rule
    x = np.array([0.2, -0.9, 1.4])
    g = tg.numerical_grad(lambda a: tnp.sum(sin_triple_slope(a)), x)
    assert_close(g, np.cos(x), rtol=1e-5, atol=1e-6)
    assert_close(g, num_grad(lambda a: np.sum(np.sin(a)), x), rtol=1e-5, atol=1e-6)


# --- stop_gradient -----------------------------------------------------------


def test_stop_gradient_value_unchanged_gradient_zero(rng):
    x = rng.normal(size=3)
    f = lambda a: tnp.sum(tg.stop_gradient(a) ** 2)  # noqa: E731
    assert_close(f(x), np.sum(x**2), **EXACT_TOL)
    np.testing.assert_array_equal(np.asarray(tg.grad(f)(x)), np.zeros(3))


def test_stop_gradient_blocks_only_its_own_path():
    # d/dx [x * sg(x)] = sg(x) = x  (the product rule's other half is blocked)
    for x in (-2.0, 0.5, 3.0):
        assert_close(tg.grad(lambda a: a * tg.stop_gradient(a))(x), x, **EXACT_TOL)
        assert_close(tg.grad(lambda a: a**2 + tg.stop_gradient(a**3))(x), 2 * x, **EXACT_TOL)


def test_stop_gradient_in_forward_mode_and_nested(rng):
    x, t = rng.normal(size=3), rng.normal(size=3)
    _, tout = tg.jvp(lambda a: a * tg.stop_gradient(a), (x,), (t,))
    assert_close(tout, x * t, **EXACT_TOL)
    # second derivative of x * sg(x) w.r.t. x: d/dx [sg(x)] = 0
    assert_close(tg.grad(tg.grad(lambda a: a * tg.stop_gradient(a)))(0.7), 0.0, **EXACT_TOL)


def test_stop_gradient_on_plain_values():
    assert_close(tg.stop_gradient(np.array([1.0, 2.0])), [1.0, 2.0], **EXACT_TOL)
    assert_close(tg.stop_gradient(3.0), 3.0, **EXACT_TOL)


def test_custom_rule_gradients_match_finite_differences_when_rule_is_right():
    x = np.array([0.4, -1.3])
    g = tg.grad(lambda a: tnp.sum(product(a, a + 1.0)))(x)
    assert_close(g, num_grad(lambda a: np.sum(a * (a + 1.0)), x), **GRAD_TOL)
