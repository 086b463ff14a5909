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


# --- issue 20: custom rules under vmap and jit, pytrees, several outputs, checks -------
# Each rule says d/dx sin(x) = 2x (not cos x), so the expected values, worked out by
# hand from the rule, differ from the chain rule's.

@tg.custom_vjp
def sin_rule_2x(x):
    return tnp.sin(x)


sin_rule_2x.defvjp(lambda x: (tnp.sin(x), x), lambda x, g: (2.0 * x * g,))


@tg.custom_jvp
def sin_jvp_2x(x):
    return tnp.sin(x)


@sin_jvp_2x.defjvp
def _sin_jvp_2x_rule(primals, tangents):
    (x,), (t,) = primals, tangents
    return tnp.sin(x), 2.0 * x * t


@tg.custom_vjp
def doubled_identity(x):
    return x


doubled_identity.defvjp(lambda x: (x, None), lambda res, g: (2.0 * g,))


def test_grad_of_vmap_uses_the_custom_vjp_rule():
    # the case: the rule doubles the cotangent, the function is the identity
    x = np.ones(3)
    g = tg.grad(lambda a: tnp.sum(tg.vmap(doubled_identity)(a)))(x)
    assert_close(g, [2.0, 2.0, 2.0], **EXACT_TOL)
    x = np.array([0.3, -1.2, 2.0])
    for f in (sin_rule_2x, sin_jvp_2x):
        assert_close(tg.grad(lambda a, f=f: tnp.sum(tg.vmap(f)(a)))(x), 2 * x, **EXACT_TOL)
        assert_close(tg.vmap(tg.grad(f))(x), 2 * x, **EXACT_TOL)
        assert_close(tg.jit(tg.grad(lambda a, f=f: tnp.sum(tg.vmap(f)(a))))(x), 2 * x,
                     **EXACT_TOL)
        assert_close(tg.vmap(f)(x), np.sin(x), **EXACT_TOL)


def test_vmap_of_a_custom_rule_with_a_shared_argument_sums_its_cotangents():
    @tg.custom_vjp
    def scale(w, x):
        return w * x

    # the rule: ∂/∂w = 3 Σ x g, ∂/∂x = 5 w g (the true ones are Σ x g and w g)
    scale.defvjp(lambda w, x: (w * x, (w, x)),
                 lambda r, g: (3.0 * tnp.sum(r[1] * g), 5.0 * r[0] * g))
    w, xs = 0.7, np.array([[1.0, 2.0], [-0.5, 4.0], [3.0, 0.25]])
    loss = lambda w, xs: tnp.sum(tg.vmap(scale, in_axes=(None, 0))(w, xs))   # noqa: E731
    gw, gx = tg.grad(loss, argnums=(0, 1))(w, xs)
    assert_close(gw, 3.0 * np.sum(xs), **EXACT_TOL)          # summed over the examples
    assert_close(gx, 5.0 * w * np.ones_like(xs), **EXACT_TOL)
    # batch axis 1 of a (2, 3) array: the same examples, stored as columns
    gw1, gx1 = tg.grad(lambda w, xt: tnp.sum(tg.vmap(scale, in_axes=(None, 1))(w, xt)),
                       argnums=(0, 1))(w, xs.T)
    assert_close(gw1, 3.0 * np.sum(xs), **EXACT_TOL)
    assert_close(gx1, 5.0 * w * np.ones_like(xs.T), **EXACT_TOL)


def test_custom_jvp_rule_used_by_jvp_and_jacfwd_around_vmap(rng):
    x, t = rng.normal(size=4), rng.normal(size=4)
    out, tout = tg.jvp(tg.vmap(sin_jvp_2x), (x,), (t,))
    assert_close(out, np.sin(x), **EXACT_TOL)
    assert_close(tout, 2 * x * t, **EXACT_TOL)
    assert_close(tg.jacfwd(tg.vmap(sin_jvp_2x))(x), np.diag(2 * x), **EXACT_TOL)
    assert_close(tg.vmap(tg.jacfwd(sin_jvp_2x))(x), 2 * x, **EXACT_TOL)


def test_custom_vjp_under_forward_mode_raises_like_jax(rng):
    x = rng.normal(size=3)
    for run in (lambda: tg.jvp(sin_rule_2x, (x,), (x,)), lambda: tg.jacfwd(sin_rule_2x)(x),
                lambda: tg.jvp(tg.vmap(sin_rule_2x), (x,), (x,))):
        with pytest.raises(tg.custom.CustomRuleError, match=r"custom_vjp\[sin_rule_2x\]: "
                           r"forward mode .* only a reverse-mode rule"):
            run()
    assert issubclass(tg.custom.CustomRuleError, TypeError)     # what JAX raises
    # jacfwd over jacrev differentiates bwd, which is ordinary code: d/dx (2x g) = 2 g
    assert_close(tg.hessian(lambda a: tnp.sum(sin_rule_2x(a)))(x), 2 * np.eye(3), **EXACT_TOL)
    assert_close(tg.grad(sin_rule_2x)(0.5), 1.0, **EXACT_TOL)      # the next call works


@tg.custom_vjp
def mixed_vjp(a, d):
    return a * d["u"] + d["v"][0]


def _mixed_bwd(res, g):
    a, d = res
    # the true cotangents are g·u, g·a and g; the rule scales them by 3, 3 and 5
    return (3.0 * g * d["u"], {"u": 3.0 * g * a, "v": (5.0 * g,)})


mixed_vjp.defvjp(lambda a, d: (mixed_vjp(a, d), (a, d)), _mixed_bwd)


@tg.custom_jvp
def mixed_jvp(a, d):
    return a * d["u"] + d["v"][0]


@mixed_jvp.defjvp
def _mixed_jvp_rule(primals, tangents):
    (a, d), (ta, td) = primals, tangents
    return mixed_jvp(a, d), 3.0 * ta * d["u"] + 3.0 * a * td["u"] + 5.0 * td["v"][0]


@pytest.mark.parametrize("f", [mixed_vjp, mixed_jvp], ids=["custom_vjp", "custom_jvp"])
def test_custom_rules_with_dict_and_tuple_arguments(f, rng):
    a = rng.normal(size=3)
    d = {"u": rng.normal(size=3), "v": (rng.normal(size=3),)}
    assert_close(f(a, d), a * d["u"] + d["v"][0], **EXACT_TOL)
    ga, gd = tg.grad(lambda a, d: tnp.sum(f(a, d)), argnums=(0, 1))(a, d)
    assert_close(ga, 3 * d["u"], **EXACT_TOL)
    assert set(gd) == {"u", "v"} and isinstance(gd["v"], tuple)
    assert_close(gd["u"], 3 * a, **EXACT_TOL)                # not a zero gradient
    assert_close(gd["v"][0], 5 * np.ones(3), **EXACT_TOL)
    gd_only = tg.grad(lambda d: tnp.sum(f(a, d)))(d)
    assert_close(gd_only["u"], 3 * a, **EXACT_TOL)


def test_custom_jvp_with_a_dict_argument_under_jvp(rng):
    a, t = rng.normal(size=3), rng.normal(size=3)
    d = {"u": rng.normal(size=3), "v": (rng.normal(size=3),)}
    td = {"u": rng.normal(size=3), "v": (rng.normal(size=3),)}
    _, tout = tg.jvp(mixed_jvp, (a, d), (t, td))
    assert_close(tout, 3 * t * d["u"] + 3 * a * td["u"] + 5 * td["v"][0], **EXACT_TOL)


@tg.custom_vjp
def sin_cos_vjp(x):
    return tnp.sin(x), {"c": tnp.cos(x)}


sin_cos_vjp.defvjp(lambda x: (sin_cos_vjp(x), x),
                   lambda x, g: (2.0 * g[0] + 10.0 * g[1]["c"],))   # rule: 2 and 10


@tg.custom_jvp
def sin_cos_jvp(x):
    return tnp.sin(x), {"c": tnp.cos(x)}


@sin_cos_jvp.defjvp
def _sin_cos_jvp_rule(primals, tangents):
    (x,), (t,) = primals, tangents
    return sin_cos_jvp(x), (2.0 * t, {"c": 10.0 * t})


@pytest.mark.parametrize("f", [sin_cos_vjp, sin_cos_jvp], ids=["custom_vjp", "custom_jvp"])
def test_custom_rules_with_a_tuple_output_under_grad(f):
    x = np.array([0.4, -1.1])
    s, d = f(x)
    assert_close(s, np.sin(x), **EXACT_TOL)
    assert_close(d["c"], np.cos(x), **EXACT_TOL)

    def loss(a):
        s, d = f(a)
        return tnp.sum(s) + 3.0 * tnp.sum(d["c"])

    assert_close(tg.grad(loss)(x), (2 + 3 * 10) * np.ones(2), **EXACT_TOL)
    assert_close(tg.grad(lambda a: tnp.sum(f(a)[1]["c"]))(x), 10 * np.ones(2), **EXACT_TOL)
    assert_close(tg.grad(lambda a: tnp.sum(tg.vmap(f)(a)[0]))(x), 2 * np.ones(2), **EXACT_TOL)
    assert_close(tg.jit(tg.grad(loss))(x), 32 * np.ones(2), **EXACT_TOL)
    assert_close(tg.jit(tg.grad(loss))(x + 1.0), 32 * np.ones(2), **EXACT_TOL)


def test_custom_rule_with_a_float32_and_a_float64_output():
    @tg.custom_vjp
    def two_precisions(x):
        return x.astype(np.float32), x

    two_precisions.defvjp(lambda x: (two_precisions(x), None),
                          lambda r, g: (4.0 * g[0].astype(np.float64) + g[1],))
    x = np.array([1.5, -2.0])
    a, b = two_precisions(x)
    assert a.dtype == np.float32 and b.dtype == np.float64
    g = tg.grad(lambda v: tnp.sum(two_precisions(v)[0]) + tnp.sum(two_precisions(v)[1]))(x)
    assert_close(g, 5 * np.ones(2), **EXACT_TOL)


# --- rules that return the wrong thing: a clear error, and the next call works -----------

def _custom_jvp_returning(result):
    @tg.custom_jvp
    def f(x):
        return tnp.sin(x)

    f.defjvp(lambda primals, tangents: result(primals[0], tangents[0]))
    return f


@pytest.mark.parametrize("result, match", [
    (lambda x, t: (tnp.sin(x), tnp.sum(t)), r"tangent of shape \(\) for an output of shape \(3,\)"),
    (lambda x, t: (tnp.sin(x), t[:2]), r"tangent of shape \(2,\) for an output of shape \(3,\)"),
    (lambda x, t: (tnp.sin(x), np.ones(3, dtype=int)), r"tangent of dtype int64 .* float64"),
    (lambda x, t: (tnp.sin(x), (t, t)), r"structure \*.* tangent of structure \(\*, \*\)"),
    (lambda x, t: (tnp.sin(x), None), r"returned None as the tangent"),
    (lambda x, t: 2.0 * t, r"must return a pair \(primal_out, tangent_out\).*an array of shape"),
    (lambda x, t: (tnp.sin(x), t, t), r"must return a pair .* a tuple of 3 values"),
])
def test_custom_jvp_rule_that_returns_the_wrong_thing(result, match, rng):
    f = _custom_jvp_returning(result)
    x = rng.normal(size=3)
    for run in (lambda: tg.jvp(f, (x,), (np.ones(3),)), lambda: tg.grad(lambda a: tnp.sum(f(a)))(x),
                lambda: tg.vmap(tg.jacfwd(f))(x[:, None] * np.ones(3))):
        with pytest.raises(tg.custom.CustomRuleError, match=r"custom_jvp f: its rule .*" + match):
            run()
    good = _custom_jvp_returning(lambda x, t: (tnp.sin(x), 2.0 * x * t))
    assert_close(tg.jvp(good, (x,), (np.ones(3),))[1], 2 * x, **EXACT_TOL)   # works again
    with pytest.raises(TypeError):                # JAX raises TypeError here: so do we
        tg.jvp(f, (x,), (np.ones(3),))


def test_custom_vjp_fwd_that_returns_only_the_output():
    @tg.custom_vjp
    def f(x):
        return tnp.sin(x)

    f.defvjp(lambda x: tnp.sin(x), lambda res, g: (g,))
    with pytest.raises(tg.custom.CustomRuleError,
                       match=r"custom_vjp f: fwd must return a pair \(output, residuals\).*"
                             r"returned an array of shape \(2,\)"):
        tg.grad(lambda a: tnp.sum(f(a)))(np.array([0.5, 1.0]))
    f.defvjp(lambda x: (tnp.sin(x), None), lambda res, g: (3.0 * g,))
    assert_close(tg.grad(lambda a: tnp.sum(f(a)))(np.array([0.5, 1.0])), [3.0, 3.0], **EXACT_TOL)


@pytest.mark.parametrize("bwd, match", [
    (lambda res, g: 2.0 * g, r"bwd must return a tuple with one cotangent per argument \(1\), "
                             r"e.g. \(g \* y,\), but it returned an array of shape \(2,\)"),
    (lambda res, g: (g, g), r"bwd must return a tuple with one cotangent per argument \(1\)"
                            r".* a tuple of 2 values"),
    (lambda res, g: (tnp.sum(g),), r"bwd returned a cotangent of shape \(\) for argument 0, "
                                       r"whose shape is \(2,\)"),
])
def test_custom_vjp_bwd_that_returns_the_wrong_thing(bwd, match):
    @tg.custom_vjp
    def f(x):
        return tnp.sin(x)

    f.defvjp(lambda x: (tnp.sin(x), None), bwd)
    x = np.array([0.5, 1.0])
    for run in (lambda: tg.grad(lambda a: tnp.sum(f(a)))(x),
                lambda: tg.grad(lambda a: tnp.sum(tg.vmap(f)(a[None])))(x)):
        with pytest.raises(tg.custom.CustomRuleError, match=r"custom_vjp f: " + match):
            run()
    f.defvjp(lambda x: (tnp.sin(x), None), lambda res, g: (3.0 * g,))
    assert_close(tg.grad(lambda a: tnp.sum(f(a)))(x), [3.0, 3.0], **EXACT_TOL)


def test_custom_vjp_bwd_with_the_wrong_structure_for_a_dict_argument():
    @tg.custom_vjp
    def f(d):
        return d["a"] * d["b"]

    f.defvjp(lambda d: (f(d), d), lambda d, g: ((g * d["b"], g * d["a"]),))
    with pytest.raises(tg.custom.CustomRuleError,
                       match=r"bwd returned for argument 0 a cotangent of structure \(\*, \*\), "
                             r"but the argument has the structure \{'a': \*, 'b': \*\}"):
        tg.grad(f)({"a": 1.0, "b": 2.0})
    f.defvjp(lambda d: (f(d), d), lambda d, g: ({"a": g * d["b"], "b": None},))
    g = tg.grad(f)({"a": 1.0, "b": 2.0})
    assert float(g["a"]) == 2.0 and float(g["b"]) == 0.0           # None: zero


def test_a_replayed_graph_calls_the_custom_rule_again():
    # Graph.evaluate replays the record; a custom node calls its function (and rule) again
    g = tg.graph(lambda x: 5.0 * clip_gradient(x))(2.0)
    assert float(g.evaluate(3.0)) == 15.0
    assert_close(tg.grad(g.evaluate)(3.0), 1.0, **EXACT_TOL)      # 5, clipped by the rule
    h = tg.graph(lambda x: tnp.sum(sin_cos_vjp(x)[1]["c"]))(np.array([0.3, 0.6]))
    assert_close(h.evaluate(np.array([1.0, 2.0])), np.cos(1.0) + np.cos(2.0), **EXACT_TOL)


def test_custom_jvp_rule_whose_output_is_not_the_functions():
    @tg.custom_jvp
    def f(x):
        return tnp.sin(x)

    f.defjvp(lambda p, t: ((tnp.sin(p[0]), p[0]), (t[0], t[0])))    # two outputs, f has one
    with pytest.raises(tg.custom.CustomRuleError,
                       match=r"custom_jvp\[f\]: its rule returns an output of structure \(\*, \*\)"
                             r".* but the function returns \*"):
        tg.grad(lambda a: tnp.sum(f(a)))(np.array([0.5, 1.0]))
