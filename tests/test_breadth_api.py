"""Issue 13: the rest of JAX's autodiff API, and the tnp extras that are not in the table.

Each checked against an independent reference: finite differences, a plain
Python loop, NumPy itself, or the analytic derivative.
"""
from functools import partial

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.numpy as tnp

from .numeric import EXACT_TOL, GRAD_TOL, assert_close, num_grad

# ---- custom_jvp.defjvps and nondiff_argnums ----------------------------------------------

def test_defjvps_gives_one_rule_per_argument():
    @tg.custom_jvp
    def f(x, y):
        return tnp.sin(x) * y

    f.defjvps(lambda xd, out, x, y: tnp.cos(x) * y * xd,
              lambda yd, out, x, y: tnp.sin(x) * yd)
    x, y = 0.7, np.array([1.5, -2.0])
    loss = lambda x, y: tnp.sum(f(x, y) ** 2)             # noqa: E731
    gx, gy = tg.grad(loss, argnums=(0, 1))(x, y)
    ref = lambda x, y: np.sum((np.sin(x) * y) ** 2)       # noqa: E731
    assert_close(gx, num_grad(lambda a: ref(a, y), x), **GRAD_TOL)
    assert_close(gy, num_grad(lambda b: ref(x, b), y), **GRAD_TOL)
    tg.check_grads(f, (x, y), order=2, modes=("fwd", "rev"))


def test_defjvps_none_means_no_derivative_in_that_argument():
    @tg.custom_jvp
    def f(x, y):
        return x * y

    f.defjvps(lambda xd, out, x, y: xd * y, None)
    assert float(tg.grad(f, argnums=1)(2.0, 3.0)) == 0.0       # the rule says: none
    assert float(tg.grad(f, argnums=0)(2.0, 3.0)) == 3.0


def test_custom_jvp_with_nondiff_argnums_gets_them_first():
    @partial(tg.custom_jvp, nondiff_argnums=(0,))
    def apply(g, x):
        return g(x)

    @apply.defjvp
    def apply_jvp(g, primals, tangents):
        (x,), (t,) = primals, tangents
        assert callable(g)
        return g(x), 3.0 * x ** 2 * t                      # the true derivative of x³

    cube = lambda x: x ** 3                                # noqa: E731
    assert float(apply(cube, 2.0)) == 8.0
    assert float(tg.grad(apply, argnums=1)(cube, 2.0)) == 12.0
    assert float(tg.jvp(lambda x: apply(cube, x), (2.0,), (1.0,))[1]) == 12.0
    assert float(tg.grad(tg.grad(lambda x: apply(cube, x)))(2.0)) == 12.0   # 6x


def test_custom_vjp_with_nondiff_argnums_clips_the_gradient():
    @partial(tg.custom_vjp, nondiff_argnums=(1,))
    def clip_gradient(x, limit):
        return x

    def fwd(x, limit):
        return x, None

    def bwd(limit, residuals, g):
        return (tnp.clip(g, -limit, limit),)

    clip_gradient.defvjp(fwd, bwd)
    g = tg.grad(lambda x: tnp.sum(clip_gradient(x, 0.5) * np.array([2.0, 0.1, -3.0])))
    assert_close(g(np.ones(3)), [0.5, 0.1, -0.5], **EXACT_TOL)
    assert float(clip_gradient(3.0, 0.5)) == 3.0


# ---- control flow: eager, JAX's signatures -----------------------------------------------

def test_fori_loop_and_while_loop_match_a_python_loop_and_differentiate():
    def power_fori(x):
        return tg.lax.fori_loop(0, 5, lambda i, v: v * x + i, 1.0)

    def power_py(x):
        v = 1.0
        for i in range(5):
            v = v * x + i
        return v

    assert_close(power_fori(1.3), power_py(1.3), **EXACT_TOL)
    assert_close(tg.grad(power_fori)(1.3), num_grad(power_py, 1.3), **GRAD_TOL)
    halve = lambda x: tg.lax.while_loop(lambda v: v > 1.0, lambda v: v / 2.0, x)  # noqa: E731
    assert float(halve(10.0)) == 0.625
    assert float(tg.grad(halve)(10.0)) == 1 / 16          # four halvings
    tg.check_grads(power_fori, (0.8,), order=2, modes=("fwd", "rev"))


def test_cond_and_switch_take_the_branch_of_the_value():
    f = lambda x: tg.lax.cond(x > 0, tnp.sin, lambda x: x ** 2, x)   # noqa: E731
    assert float(tg.grad(f)(0.5)) == np.cos(0.5)
    assert float(tg.grad(f)(-0.5)) == -1.0
    g = lambda x, i: tg.lax.switch(i, [tnp.sin, tnp.cos, tnp.exp], x)  # noqa: E731
    assert float(tg.grad(g)(0.3, 1)) == -np.sin(0.3)
    assert float(tg.grad(g)(0.3, 7)) == np.exp(0.3)       # clamped to the last branch


def test_scan_is_a_loop_with_a_carry_and_stacked_outputs(rng):
    xs = rng.normal(size=(4, 2))

    def step(c, x):
        c = tnp.tanh(c * 0.5 + x)
        return c, tnp.sum(c ** 2)

    def run(xs):
        c, ys = tg.lax.scan(step, np.zeros(2), xs)
        return tnp.sum(c) + tnp.sum(ys * np.arange(1.0, 5.0))

    def run_np(xs):
        c, total = np.zeros(2), 0.0
        for k, x in enumerate(xs):
            c = np.tanh(c * 0.5 + x)
            total += (k + 1) * np.sum(c ** 2)
        return np.sum(c) + total

    assert_close(run(xs), run_np(xs), **EXACT_TOL)
    assert_close(tg.grad(run)(xs), num_grad(run_np, xs), **GRAD_TOL)
    # reverse=True walks the sequence from the end; the outputs keep their places
    c, ys = tg.lax.scan(lambda c, x: (c + x, c), 0.0, np.arange(4.0), reverse=True)
    assert float(c) == 6.0 and list(ys) == [6.0, 5.0, 3.0, 0.0]
    # a pytree of xs, and length without xs
    c, ys = tg.lax.scan(lambda c, x: (c + x["a"] * x["b"], None), 0.0,
                        {"a": np.arange(3.0), "b": np.ones(3)})
    assert float(c) == 3.0
    c, ys = tg.lax.scan(lambda c, _: (c * 2.0, c), 1.0, length=3)
    assert float(c) == 8.0 and list(ys) == [1.0, 2.0, 4.0]


def test_lax_full_like_fills_the_shape_and_carries_a_traced_value():
    assert_close(tg.lax.full_like(np.zeros((2, 3)), 1.5), np.full((2, 3), 1.5), **EXACT_TOL)
    assert tg.lax.full_like(np.zeros(2), 1.0, shape=(3, 1)).shape == (3, 1)
    assert float(tg.grad(lambda v: tnp.sum(tg.lax.full_like(np.zeros((2, 3)), v)))(2.0)) == 6.0


# ---- grad of a size-1 output -------------------------------------------------------------

@pytest.mark.parametrize("shape", [(1,), (1, 1)])
def test_grad_of_a_size_one_output_suggests_squeeze_or_an_index(shape):
    with pytest.raises(TypeError, match=r"shape \(1,( 1)?\).*\.squeeze\(\).*out\[0(, 0)?\]"):
        tg.grad(lambda x: tnp.reshape(x, shape) * 2.0)(1.5)
    assert float(tg.grad(lambda x: (tnp.reshape(x, shape) * 2.0).squeeze())(1.5)) == 2.0


# ---- tnp extras ----------------------------------------------------------------------------

def test_mod_operator_follows_python_and_numpy(rng):
    x = np.array([3.7, -2.2, 5.0])
    assert_close(tg.vjp(lambda a: a % 1.5, x)[0], x % 1.5, **EXACT_TOL)
    assert_close(tg.vjp(lambda a: 7.0 % a, x)[0], 7.0 % x, **EXACT_TOL)
    # ∂(x mod y)/∂y = −⌊x/y⌋
    assert_close(tg.grad(lambda y: tnp.sum(x % y))(1.5), -np.sum(np.floor(x / 1.5)), **EXACT_TOL)


@pytest.mark.parametrize("name", ["mean", "var", "std"])
def test_statistics_of_a_python_list_of_traced_scalars(name):
    def f(x):
        return getattr(tnp, name)([x, x * x, 2.0, tnp.sin(x)])

    def f_np(x):
        return getattr(np, name)([x, x * x, 2.0, np.sin(x)])

    assert_close(f(0.7), f_np(0.7), **EXACT_TOL)
    assert_close(tg.grad(f)(0.7), num_grad(f_np, 0.7), **GRAD_TOL)


def test_booleans_integers_and_positions_match_numpy_inside_grad(rng):
    x = rng.permutation(np.linspace(-2, 2, 6))
    seen = {}

    def f(a):
        seen.update(where=tnp.where(a > 0), argsort=tnp.argsort(a),
                    argpartition=tnp.argpartition(a, 2), isclose=tnp.isclose(a, 0.4),
                    allclose=tnp.allclose(a, a), finite=tnp.isfinite(a), nan=tnp.isnan(a),
                    empty=tnp.empty_like(a))
        return tnp.sum(a)

    tg.grad(f)(x)
    np.testing.assert_array_equal(seen["where"][0], np.where(x > 0)[0])
    np.testing.assert_array_equal(seen["argsort"], np.argsort(x))
    np.testing.assert_array_equal(seen["argpartition"], np.argpartition(x, 2))
    np.testing.assert_array_equal(seen["isclose"], np.isclose(x, 0.4))
    assert bool(seen["allclose"]) and seen["finite"].all() and not seen["nan"].any()
    assert seen["empty"].shape == x.shape


def test_norm_has_a_zero_gradient_at_zero():
    for ord_ in (None, 2):
        assert_close(tg.grad(lambda x, o=ord_: tnp.linalg.norm(x, o))(np.zeros(3)), np.zeros(3),
                     **EXACT_TOL)
    assert_close(tg.jvp(tnp.linalg.norm, (np.zeros(2),), (np.ones(2),))[1], 0.0, **EXACT_TOL)
    # ‖x‖² still has gradient 2x away from 0, through the same guarded square root
    x = np.array([0.3, -1.2])
    assert_close(tg.grad(lambda x: tnp.linalg.norm(x) ** 2)(x), 2 * x, **EXACT_TOL)


@pytest.mark.parametrize("ord_,axis", [(None, None), (1, 0), (np.inf, -1), ("fro", (0, 1)),
                                       (2, (0, 1)), ("nuc", None), (-1, None), (0, 1)])
def test_norm_values_match_numpy(ord_, axis, rng):
    x = rng.normal(size=(3, 2))
    assert_close(tnp.linalg.norm(x, ord_, axis), np.linalg.norm(x, ord_, axis), **EXACT_TOL)


def test_numpy_linalg_on_a_traced_value_goes_to_tnp_linalg(rng):
    a = rng.normal(size=(3, 3)) + 3 * np.eye(3)
    g = tg.grad(lambda a: np.linalg.det(a))(a)
    assert_close(g, np.linalg.det(a) * np.linalg.inv(a).T, **GRAD_TOL)


def test_a_numpy_function_still_missing_names_no_equivalent():
    with pytest.raises(TypeError, match=r"np\.linalg\.lstsq .*has no 'lstsq'"):
        tg.grad(lambda a: np.linalg.lstsq(a, np.ones(2))[0].sum())(np.eye(2))
    with pytest.raises(TypeError, match=r"np\.fft\.fft .*has no 'fft'"):
        tg.grad(lambda a: np.fft.fft(a).real.sum())(np.ones(2))
    assert float(tg.grad(lambda a: np.sum(np.cumsum(a)))(np.ones(2)).sum()) == 3.0  # next works


def test_sort_and_median_gradients_go_where_jax_sends_them():
    x = np.array([3.0, 1.0, 2.0, 5.0])
    # sorted = [1, 2, 3, 5]: weights w land on the original positions
    g = tg.grad(lambda a: tnp.sum(tnp.sort(a) * np.array([1.0, 10.0, 100.0, 1000.0])))(x)
    assert_close(g, [100.0, 1.0, 10.0, 1000.0], **EXACT_TOL)
    # an even count: the two middle elements (2 and 3) share the median's gradient
    assert_close(tg.grad(tnp.median)(x), [0.5, 0.0, 0.5, 0.0], **EXACT_TOL)
    # the 25% quantile sits at position 0.75 between 1 and 2: weights ¼ and ¾
    assert_close(tg.grad(lambda a: tnp.quantile(a, 0.25))(x), [0.0, 0.25, 0.75, 0.0],
                 **EXACT_TOL)


def test_cumprod_differentiates_through_a_zero():
    x = np.array([2.0, 0.0, 3.0, 4.0])
    g = tg.grad(lambda a: tnp.sum(tnp.cumprod(a)))(x)
    # ∂/∂x₁ Σ_k Π_{i≤k} xᵢ at x₁ = 0: 2 + 2·3 + 2·3·4 = 32; the rest only see terms with x₁
    assert_close(g, [1.0, 32.0, 0.0, 0.0], **EXACT_TOL)


def test_r_and_c_refuse_string_directives():
    with pytest.raises(ValueError, match="string directives"):
        tnp.r_["0,2", np.ones(2)]
    assert tnp.r_[np.ones(2), 3:5].tolist() == [1.0, 1.0, 3.0, 4.0]
