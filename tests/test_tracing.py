"""Tracing behaviour: Python control flow, traced-array methods, very deep
graphs, thread isolation and recovery after exceptions.
"""

from __future__ import annotations

import math
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.numpy as tnp

from .numeric import EXACT_TOL, GRAD_TOL, assert_close, num_grad

# --- Python control flow on traced values ------------------------------------------


def piecewise(x):
    if x > 0:
        return x**2
    elif x > -1:
        return tnp.sin(x)
    else:
        return -3.0 * x


@pytest.mark.parametrize(
    "x,expected",
    [(2.0, 4.0), (0.5, 1.0), (-0.5, math.cos(-0.5)), (-3.0, -3.0)],
)
def test_python_if_on_traced_scalar_takes_the_right_branch(x, expected):
    assert_close(tg.grad(piecewise)(x), expected, **EXACT_TOL)
    assert_close(tg.jvp(piecewise, (x,), (1.0,))[1], expected, **EXACT_TOL)


def test_python_while_loop_with_data_dependent_trip_count():
    def f(x):
        steps = 0
        while x < 10.0:
            x = x * 2.0
            steps += 1
        return x

    # x = 0.7: doubles 4 times (11.2) -> derivative 2^4; x = 3: twice (12) -> 4
    assert_close(tg.grad(f)(0.7), 16.0, **EXACT_TOL)
    assert_close(tg.grad(f)(3.0), 4.0, **EXACT_TOL)
    assert_close(tg.grad(f)(20.0), 1.0, **EXACT_TOL)


def test_python_for_loop_with_data_dependent_range():
    def f(x):
        n = int(np.sum(x > 0))  # comparisons give plain booleans
        total = 0.0
        for i in range(n):
            total = total + tnp.sum(x**i)
        return total

    x = np.array([0.5, 1.5, -2.0])  # n = 2: sum(x^0) + sum(x^1)
    assert_close(tg.grad(f)(x), np.ones(3), **EXACT_TOL)
    x = np.array([0.5, 1.5, 2.0])  # n = 3: ... + sum(x^2)
    assert_close(tg.grad(f)(x), 1 + 2 * x, **EXACT_TOL)


def test_iteration_over_first_axis_and_len(rng):
    X = rng.normal(size=(4, 3))

    def f(a):
        assert len(a) == 4
        total = 0.0
        for k, row in enumerate(a):
            assert row.shape == (3,)
            total = total + (k + 1.0) * tnp.sum(row**2)
        return total

    expected = 2 * X * np.arange(1.0, 5.0)[:, None]
    assert_close(tg.grad(f)(X), expected, **EXACT_TOL)


def test_comparisons_give_plain_booleans_and_block_nothing(rng):
    x = rng.normal(size=5)
    seen = {}

    def f(a):
        mask = a > 0
        seen["mask"] = mask
        seen["scalar"] = a[0] > a[1]
        seen["eq"] = a == a
        return tnp.sum(tnp.where(mask, a, 0.0) * 3.0)

    g = tg.grad(f)(x)
    mask = seen["mask"]
    assert np.asarray(mask).dtype == np.bool_
    np.testing.assert_array_equal(np.asarray(mask), x > 0)
    assert bool(seen["scalar"]) == bool(x[0] > x[1])
    assert np.all(np.asarray(seen["eq"]))
    assert_close(g, 3.0 * (x > 0), **EXACT_TOL)


def test_all_comparison_operators_on_traced_values():
    results = {}

    def f(a):
        b = 2.0
        results.update(lt=a < b, le=a <= b, gt=a > b, ge=a >= b, eq=a == b, ne=a != b)
        return a * 1.0

    tg.grad(f)(2.0)
    assert {k: bool(v) for k, v in results.items()} == dict(lt=False, le=True, gt=False, ge=True,
                                                            eq=True, ne=False)


# --- traced arrays behave like arrays ------------------------------------------------


def test_traced_array_attributes(rng):
    X = rng.normal(size=(2, 3))
    seen = {}

    def f(a):
        seen.update(shape=a.shape, ndim=a.ndim, dtype=a.dtype, size=a.size, T=a.T.shape, len=len(a))
        return tnp.sum(a.T**2)

    g = tg.grad(f)(X)
    assert seen == dict(shape=(2, 3), ndim=2, dtype=np.float64, size=6, T=(3, 2), len=2)
    assert_close(g, 2 * X, **EXACT_TOL)


def test_traced_array_operators(rng):
    x, y = rng.uniform(0.5, 2, size=3), rng.uniform(0.5, 2, size=3)
    M = rng.normal(size=(3, 3))

    def f(a, b):
        return tnp.sum(
            (a + b) * (a - b) / b + a**2 - (-a) + abs(a - 3.0) + 2.0**a + 1.0 / a + 3.0 - a
            + (a @ M) * b
        )

    def f_np(a, b):
        return np.sum(
            (a + b) * (a - b) / b + a**2 - (-a) + abs(a - 3.0) + 2.0**a + 1.0 / a + 3.0 - a
            + (a @ M) * b
        )

    gx, gy = tg.grad(f, argnums=(0, 1))(x, y)
    assert_close(gx, num_grad(lambda a: f_np(a, y), x), **GRAD_TOL)
    assert_close(gy, num_grad(lambda b: f_np(x, b), y), **GRAD_TOL)
    value = tg.value_and_grad(f)(x, y)[0]
    assert_close(value, f_np(x, y), **EXACT_TOL)


def test_traced_array_methods(rng):
    X = rng.normal(size=(2, 3))

    def f(a):
        return (
            a.sum() * 2.0
            + a.mean(axis=0).sum()
            + a.reshape(3, 2)[0, 1] * 5.0
            + a.reshape((6,))[-1]
            + (a**2).sum(axis=1, keepdims=True).sum()
            + a.max()
            + a.T.sum(axis=-1)[0]
        )

    value, g = tg.value_and_grad(f)(X)
    assert_close(value, f(X), **EXACT_TOL)           # f on a plain array is plain NumPy
    assert_close(g, num_grad(f, X), **GRAD_TOL)


# --- very deep graphs --------------------------------------------------------------


N_DEEP = 100_000


def test_hundred_thousand_multiplications_no_recursion_error():
    def f(x):
        for _ in range(N_DEEP):
            x = x * 1.0000001
        return x

    value, g = tg.value_and_grad(f)(2.0)
    factor = 1.0000001**N_DEEP
    # the forward value accumulates one rounding per step; the derivative is
    # a product of the same constant, exact up to the same ~N*eps drift
    assert_close(g, factor, rtol=1e-10, atol=0)
    assert_close(value, 2.0 * factor, rtol=1e-10, atol=0)


def test_hundred_thousand_op_sin_chain_matches_recurrence():
    steps = N_DEEP // 3  # sin, *, + per step: about 100,000 operations
    h = 1e-5  # small step, so the derivative stays O(1) instead of vanishing

    def f(x):
        for _ in range(steps):
            x = tnp.sin(x) * h + x
        return x

    # independent reference: forward recurrence with the chain rule in Python
    x, d = 0.3, 1.0
    for _ in range(steps):
        d = d * (h * math.cos(x) + 1.0)
        x = math.sin(x) * h + x
    assert 1.1 < d < 2.0  # the reference itself is not trivial
    value, g = tg.value_and_grad(f)(0.3)
    assert_close(value, x, rtol=1e-12, atol=0)
    assert_close(g, d, rtol=1e-9, atol=0)


def test_deep_chain_in_forward_mode():
    def f(x):
        for _ in range(N_DEEP):
            x = x * 1.0000001
        return x

    _, t = tg.jvp(f, (2.0,), (1.0,))
    assert_close(t, 1.0000001**N_DEEP, rtol=1e-10, atol=0)


def test_deep_chain_second_derivative():
    n = 20_000

    def f(x):
        for _ in range(n):
            x = x * 1.00001
        return x * x  # (c x)^2 -> second derivative 2 c^2

    assert_close(tg.grad(tg.grad(f))(0.5), 2 * 1.00001 ** (2 * n), rtol=1e-9, atol=0)


def test_wide_graph_with_many_uses_of_one_value():
    def f(x):
        total = 0.0
        for k in range(20_000):
            total = total + x * float(k % 7)
        return total

    assert_close(tg.grad(f)(1.3), float(sum(k % 7 for k in range(20_000))), **EXACT_TOL)


# --- threads --------------------------------------------------------------------------


def test_concurrent_grads_in_threads_are_isolated():
    n_threads = 8
    barrier = threading.Barrier(n_threads, timeout=5)

    def work(k):
        scale = 1.0 + 0.1 * k
        x = np.linspace(-1, 1, 5) + k

        def f(a):
            y = tnp.sin(a * scale)
            try:
                barrier.wait()  # every thread is now mid-trace at the same time
            except threading.BrokenBarrierError:
                pass  # an engine that serialises traces is slower, not wrong
            z = y * tg.grad(lambda b: b * a[0])(2.0)  # nested grad while others trace
            return tnp.sum(z)

        return k, x, tg.grad(f)(x)

    with ThreadPoolExecutor(max_workers=n_threads) as pool:
        results = list(pool.map(work, range(n_threads)))

    for k, x, g in results:
        scale = 1.0 + 0.1 * k
        # f(a) = sum(sin(scale a)) * a0   ->   d/da = scale cos(scale a) a0 + e0 sum(sin(scale a))
        expected = scale * np.cos(scale * x) * x[0]
        expected[0] += np.sum(np.sin(scale * x))
        assert_close(g, expected, **EXACT_TOL, err_msg=f"thread {k}")


def test_many_short_grads_in_threads():
    def work(k):
        out = []
        for j in range(30):
            x = 0.01 * (k * 30 + j)
            out.append((x, float(tg.grad(tg.grad(lambda t: t**3 * tnp.exp(t)))(x))))
        return out

    with ThreadPoolExecutor(max_workers=4) as pool:
        all_results = [r for chunk in pool.map(work, range(4)) for r in chunk]
    for x, g in all_results:
        # d2/dx2 x^3 e^x = e^x (x^3 + 6x^2 + 6x)
        assert g == pytest.approx(math.exp(x) * (x**3 + 6 * x**2 + 6 * x), rel=1e-12, abs=1e-14)


# --- exceptions inside traced functions -------------------------------------------------


class Boom(RuntimeError):
    pass


def test_exception_inside_grad_leaves_nothing_behind():
    def bad(x):
        y = tnp.sin(x) * 2.0
        if True:
            raise Boom("user error mid-trace")
        return y

    for _ in range(3):
        with pytest.raises(Boom):
            tg.grad(bad)(1.0)
    assert_close(tg.grad(tnp.sin)(1.0), math.cos(1.0), **EXACT_TOL)


def test_exception_in_inner_grad_does_not_confuse_later_nesting():
    def outer(x):
        def inner(y):
            z = x * y
            raise Boom("inner")
            return z  # noqa: B901

        return tg.grad(inner)(2.0)

    with pytest.raises(Boom):
        tg.grad(outer)(1.0)
    with pytest.raises(Boom):
        tg.grad(tg.grad(outer))(1.0)
    # perturbation-confusion checks still hold afterwards
    assert tg.grad(lambda x: x * tg.grad(lambda y: x * y)(2.0))(1.0) == pytest.approx(2.0,
                                                                                      abs=1e-15)
    assert tg.grad(lambda x: x * tg.grad(lambda y: x + y)(1.0))(3.0) == pytest.approx(1.0,
                                                                                      abs=1e-15)
    assert_close(tg.grad(tg.grad(tg.grad(tnp.sin)))(0.4), -math.cos(0.4), **EXACT_TOL)


def test_exception_in_jvp_and_vjp_leaves_nothing_behind():
    def bad(x):
        _ = tnp.exp(x)
        raise Boom("fwd")

    with pytest.raises(Boom):
        tg.jvp(bad, (1.0,), (1.0,))
    with pytest.raises(Boom):
        tg.vjp(bad, 1.0)
    _, t = tg.jvp(tnp.exp, (1.0,), (1.0,))
    assert_close(t, math.e, **EXACT_TOL)
    out, vjp_fun = tg.vjp(tnp.exp, 1.0)
    assert_close(vjp_fun(1.0)[0], math.e, **EXACT_TOL)


def test_exception_in_custom_rule_leaves_nothing_behind():
    @tg.custom_vjp
    def f(x):
        return x * 2.0

    def fwd(x):
        return x * 2.0, x

    def bwd(res, g):
        raise Boom("bwd")

    f.defvjp(fwd, bwd)
    with pytest.raises(Boom):
        tg.grad(f)(1.0)
    assert_close(tg.grad(lambda x: x * x)(3.0), 6.0, **EXACT_TOL)


def test_exception_in_one_thread_does_not_affect_another():
    started = threading.Event()

    def failing():
        def bad(x):
            x * 3.0                         # something recorded before the failure
            started.set()
            raise Boom("thread")

        with pytest.raises(Boom):
            tg.grad(bad)(1.0)
        return True

    def healthy():
        started.wait(timeout=30)
        return float(tg.grad(lambda x: tnp.sum(tnp.sin(x)))(np.array(0.2)))

    with ThreadPoolExecutor(max_workers=2) as pool:
        fa = pool.submit(failing)
        fb = pool.submit(healthy)
        assert fa.result()
        assert fb.result() == pytest.approx(math.cos(0.2), rel=1e-13)


def test_values_computed_outside_any_trace_are_plain():
    x = np.array([1.0, 2.0])
    y = tnp.sin(x)
    np.testing.assert_allclose(np.asarray(y), np.sin(x), rtol=1e-15)
    # using an outside-computed value inside grad is a constant
    g = tg.grad(lambda a: tnp.sum(a * y))(np.array([3.0, 4.0]))
    assert_close(g, np.sin(x), **EXACT_TOL)


def test_no_trace_is_left_running_after_an_exception():
    from tracegrad.core import active_traces
    seen = []

    def boom(x):
        seen.append(len(active_traces()))           # inside grad: one trace running
        raise ValueError("inside the traced function")

    with pytest.raises(ValueError, match="inside the traced function"):
        tg.grad(boom)(1.0)
    assert seen == [1]
    assert active_traces() == ()                     # nothing left behind
    assert tg.grad(lambda x: x * x)(3.0) == 6.0      # and the next call works


def test_running_traces_are_per_thread():
    import threading

    from tracegrad.core import active_traces
    inside, release = threading.Event(), threading.Event()
    counts = {}

    def slow(x):
        inside.set()
        release.wait(10)
        return x * 2.0

    t = threading.Thread(target=lambda: counts.setdefault("other", tg.grad(slow)(1.0)))
    t.start()
    inside.wait(10)
    counts["here"] = len(active_traces())            # the other thread's trace is not ours
    release.set()
    t.join(10)
    assert counts == {"here": 0, "other": 2.0}
