"""NumPy arrays that change: buffers the function writes into again, closed-over
arrays, results the caller edits (issue 20, items 4 to 8, and the crashes under jit).

A NumPy array is a place, not a value: whatever tracegrad records must hold the
value an operation read when it read it. Each expected value here is plain
NumPy evaluated step by step, a closed form, or finite differences.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.numpy as tnp
from tracegrad.nn import relu

from .numeric import assert_close, num_grad
from .strategies import away_from, floats

# ---------------------------------------------------------------------------
# Item 4: grad reads each buffer as it was when it was used
# ---------------------------------------------------------------------------


def buffer_program(lib, buf):
    """y = x·b₁, z = y·b₂, then the buffer is overwritten again: f = Σ z·x."""
    def f(x):
        buf[:] = [1.0, 2.0]
        y = x * buf
        buf[:] = [3.0, 4.0]
        z = y * buf
        buf[:] = [10.0, 20.0]
        return lib.sum(z * x)
    return f


def test_grad_reads_a_reused_buffer_as_it_was_when_used():
    x = np.array([1.0, 2.0])
    got = tg.grad(buffer_program(tnp, np.zeros(2)))(x)
    # f = Σ b₁ b₂ x², so ∇f = 2 b₁ b₂ x with b₁ = [1, 2], b₂ = [3, 4]
    np.testing.assert_allclose(got, 2 * np.array([3.0, 8.0]) * x, rtol=1e-14)


def test_grad_reads_an_index_array_as_it_was_when_used():
    index = np.array([0, 1])
    x = np.array([1.0, 2.0, 3.0])

    def f(x):
        y = x[index]                   # picks x0, x1
        index[:] = [2, 2]              # the gradient must still go to x0 and x1
        return tnp.sum(y * y)
    np.testing.assert_allclose(tg.grad(f)(x), [2.0, 4.0, 0.0], rtol=1e-14)


def test_grad_reads_a_read_only_view_of_a_buffer_as_it_was():
    buf = np.array([1.0, 2.0])
    view = np.broadcast_to(buf, (3, 2))        # read-only, but changes with buf

    def f(x):
        y = x * view
        buf[:] = 100.0
        return tnp.sum(y * x)
    x = np.ones((3, 2))
    np.testing.assert_allclose(tg.grad(f)(x), 2 * x * np.array([1.0, 2.0]), rtol=1e-14)


def test_grad_sees_its_input_as_it_was_called():
    a = np.array([1.0, 2.0])

    def f(x):
        a[:] = 0.0                     # the caller's array, written while f runs
        return tnp.sum(x ** 3)
    np.testing.assert_allclose(tg.grad(f)(a), 3 * np.array([1.0, 2.0]) ** 2, rtol=1e-14)


def test_graph_shows_each_value_a_buffer_had_when_used():
    buf = np.array([1.0, 2.0])

    def f(x):
        y = x * buf
        z = y * buf                    # unchanged: the same constant
        buf[:] = 5.0
        return tnp.sum(z * buf)
    g = tg.graph(f)(np.ones(2))
    values = [v for _, v in g.constant_list()]
    assert len(values) == 2
    np.testing.assert_array_equal(values[0], [1.0, 2.0])
    np.testing.assert_array_equal(values[1], [5.0, 5.0])
    np.testing.assert_allclose(g.grad(g.inputs[0]), [1.0 * 1.0 * 5.0, 2.0 * 2.0 * 5.0])


def test_vjp_output_edited_by_the_caller_leaves_the_pullback_alone():
    x = np.array([0.0, 1.0])
    out, pullback = tg.vjp(tnp.exp, x)
    out *= 100.0                       # exp's rule reads its output
    np.testing.assert_allclose(pullback(np.ones(2))[0], np.exp(x), rtol=1e-14)


# ---------------------------------------------------------------------------
# Item 5 and 6: jit captures the arrays it reads by value
# ---------------------------------------------------------------------------


def test_jit_buffer_used_twice_is_two_values_first_and_later_calls():
    buf = np.zeros(2)

    def f(x):
        buf[:] = [1.0, 2.0]
        y = x * buf
        buf[:] = [3.0, 4.0]
        z = x * buf                    # the same op on the same object, another value
        return tnp.sum(y * z)
    jf = tg.jit(f)
    for x in (np.array([1.0, 2.0]), np.array([3.0, -1.0])):
        want = np.sum((x * [1.0, 2.0]) * (x * [3.0, 4.0]))
        np.testing.assert_allclose(jf(x), want, rtol=1e-14)
        np.testing.assert_allclose(jf(x), want, rtol=1e-14)


def test_jit_closed_over_array_is_a_constant_captured_when_traced():
    # The decision (jit.py's docstring, "Constants"): as in jax.jit, a closed-over
    # array is read once, when traced; compiled code keeps that value and the branch
    # taken with it.
    c = np.array([1.0])

    def h(x):
        return x * c if c[0] > 0 else -x * c
    jh = tg.jit(h)
    one = np.array([1.0])
    assert jh(one)[0] == 1.0
    c[0] = -1.0
    assert jh(one)[0] == 1.0           # x · c with c = 1, as traced (JAX: 1)
    assert h(one)[0] == 1.0            # eager: −x · c with c = −1


def test_jit_grad_of_a_buffer_program_on_later_calls():
    jg = tg.jit(tg.grad(buffer_program(tnp, np.zeros(2))))
    for x in (np.array([1.0, 2.0]), np.array([-2.0, 0.5])):
        for _ in range(2):
            np.testing.assert_allclose(jg(x), 2 * np.array([3.0, 8.0]) * x, rtol=1e-14)


# ---------------------------------------------------------------------------
# Item 7: every call returns arrays of its own
# ---------------------------------------------------------------------------

C = np.array([5.0, 6.0])
RETURNING = {
    "x * 1": lambda x: x * 1.0,
    "x": lambda x: x,
    "(x, x)": lambda x: (x, x),
    "x[:1]": lambda x: x[:1],
    "reshape": lambda x: tnp.reshape(x, (2, 1)),
    "constant": lambda x: C,
    "(tanh x, tanh x)": lambda x: (tnp.tanh(x), tnp.tanh(x)),
    "x + 0": lambda x: x + 0.0,
    "{'a': x, 'b': x.T}": lambda x: {"a": x, "b": x.T},
}


def _arrays(tree):
    return [leaf for leaf in tg.tree_leaves(tree) if isinstance(leaf, np.ndarray)]


def _check_fresh(results, inputs):
    arrays = [a for r in results for a in _arrays(r)]
    for i, a in enumerate(arrays):
        for b in arrays[:i] + inputs + [C]:
            assert a is not b and not np.shares_memory(a, b)


@pytest.mark.parametrize("name", list(RETURNING))
def test_jit_results_are_fresh_arrays(name):
    jf = tg.jit(RETURNING[name])
    x = np.array([1.0, 2.0])
    results = [jf(x) for _ in range(3)]            # the first call traces
    _check_fresh(results, [x])
    for a in _arrays(results[0]):
        a[...] = -7.0                              # the caller edits a result
    np.testing.assert_array_equal(x, [1.0, 2.0])
    np.testing.assert_array_equal(C, [5.0, 6.0])
    want = RETURNING[name](np.array([1.0, 2.0]))  # eager on plain arrays is plain NumPy
    for got, w in zip(tg.tree_leaves(jf(x)), tg.tree_leaves(want)):
        np.testing.assert_array_equal(got, w)


@settings(max_examples=100, deadline=None)
@given(names=st.lists(st.sampled_from(list(RETURNING)), min_size=1, max_size=3),
       calls=st.integers(2, 4))
def test_property_compiled_results_never_alias(names, calls):
    fs = [RETURNING[n] for n in names]
    jf = tg.jit(lambda x: [f(x) for f in fs])
    x = np.array([1.0, 2.0])
    _check_fresh([jf(x) for _ in range(calls)], [x])


# ---------------------------------------------------------------------------
# Item 8: jit(grad(f)) with x.at[i].set(v) and then abs, relu or where
# ---------------------------------------------------------------------------

WEIGHTS = np.array([1.0, 1.0, 0.0, 1.0])
AFTER_SET = {                        # (tracegrad, NumPy, the factor of the value set)
    "abs": (tnp.abs, np.abs, -2.0),
    "relu": (relu, lambda y: np.maximum(y, 0.0), 2.0),
    "where": (lambda y: tnp.where(y > 0, y, -3.0 * y), lambda y: np.where(y > 0, y, -3.0 * y),
              -2.0),
}


@pytest.mark.parametrize("name", list(AFTER_SET))
def test_jit_grad_of_at_set_then_a_kink(name):
    g, g_numpy, k = AFTER_SET[name]

    def f(x):
        y = x.at[1].set(k * x[0])
        return tnp.sum(g(y) * WEIGHTS)

    def f_numpy(x):
        y = x.copy()
        y[1] = k * x[0]
        return np.sum(g_numpy(y) * WEIGHTS)
    x = np.array([1.0, -2.0, 3.0, 4.0])
    jg = tg.jit(tg.grad(f))
    fd = num_grad(f_numpy, x)
    assert_close(jg(x), fd)
    assert_close(jg(x), fd)
    if name == "abs":                  # |x0| + 2|x0| + |x3|: ∇ = [3, 0, 0, 1] (JAX too)
        np.testing.assert_array_equal(jg(x), [3.0, 0.0, 0.0, 1.0])


# ---------------------------------------------------------------------------
# Crashes under jit's second call
# ---------------------------------------------------------------------------

A = np.array([[2.0, 1.0], [1.0, 3.0], [0.5, 0.2]])


def test_jit_svd_later_calls():
    js = tg.jit(lambda a: tnp.linalg.svd(a, full_matrices=False)[1])
    for a in (A, A + 0.1, A):
        np.testing.assert_allclose(js(a), np.linalg.svd(a, compute_uv=False), rtol=1e-10)


def test_jit_qr_later_calls():
    jq = tg.jit(lambda a: tnp.linalg.qr(a))
    for a in (A, A + 0.1, 2 * A):
        q, r = jq(a)
        np.testing.assert_allclose(q @ r, a, atol=1e-12)
        np.testing.assert_allclose(q.T @ q, np.eye(2), atol=1e-12)
        np.testing.assert_allclose(np.abs(r), np.abs(np.linalg.qr(a)[1]), atol=1e-12)


def test_jit_one_argument_where_later_calls():
    jw = tg.jit(lambda x: tnp.where(x > 0)[0])
    for v in ([1.0, -1.0, 2.0], [1.0, 3.0, -2.0], [-1.0, -1.0, -1.0], [1.0, 1.0, 1.0]):
        v = np.array(v)
        np.testing.assert_array_equal(jw(v), np.nonzero(v > 0)[0])


def test_jit_mask_length_is_guarded():
    # len() of np.nonzero's result depends on the values: compiled code re-checks it
    jf = tg.jit(lambda x: x * len(tnp.where(x > 0)[0]))
    for v in ([1.0, -1.0, 2.0], [1.0, 3.0, 2.0], [-1.0, -2.0, 3.0], [1.0, -1.0, 5.0]):
        v = np.array(v)
        np.testing.assert_array_equal(jf(v), v * np.count_nonzero(v > 0))
    jm = tg.jit(lambda x: x[x > 0].sum())
    for v in ([1.0, -1.0, 2.0], [1.0, 3.0, 2.0], [-1.0, -2.0, 3.0]):
        v = np.array(v)
        assert jm(v) == v[v > 0].sum()


def test_jit_vmap_with_branches_later_calls():
    norm = tg.jit(tg.vmap(tnp.linalg.norm))
    sinc = tg.jit(tg.vmap(tnp.sinc))
    branch = tg.jit(tg.vmap(lambda x: x * 2.0 if x.sum() > 0 else -x))
    for rows in (np.ones((3, 2)), np.zeros((3, 2)), np.array([[3.0, 4.0], [1.0, 0.0], [0, 2]])):
        np.testing.assert_allclose(norm(rows), np.sqrt((rows ** 2).sum(axis=1)), rtol=1e-14)
    for v in ([1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [0.5, 0.2, 1.5]):
        np.testing.assert_allclose(sinc(np.array(v)), np.sinc(v), rtol=1e-14, atol=1e-16)
    for sign in (1.0, -1.0, 1.0):
        rows = sign * np.ones((3, 2))
        np.testing.assert_array_equal(branch(rows), 2.0 * rows if sign > 0 else -rows)


def test_jit_vmap_branch_whose_examples_disagree_still_refused():
    branch = tg.jit(tg.vmap(lambda x: x * 2.0 if x.sum() > 0 else -x))
    branch(np.ones((3, 2)))
    with pytest.raises(tg.TracegradError, match="examples disagree"):
        branch(np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, 1.0]]))


def test_jit_integer_argument_indexes_without_retracing():
    jf = tg.jit(tg.grad(lambda x, i: tnp.sum(x[i] ** 2)))
    x = np.arange(4.0)
    for i in ([0, 2], [1, 1], [3, 0]):
        i = np.array(i)
        want = np.zeros(4)
        np.add.at(want, i, 2 * x[i])                # ∂/∂x Σ x[i]² = 2 x at each pick
        np.testing.assert_allclose(jf(x, i), want, rtol=1e-14)
    assert jf.cache_info().traces == 1


def test_jit_argmax_result_indexes():
    jf = tg.jit(lambda x, k: x[k] * 2.0 + x[tnp.argmax(x)])
    x = np.array([0.5, 3.0, -1.0, 2.0])
    for k in (np.int64(0), np.int64(2)):
        assert jf(x, k) == x[k] * 2.0 + 3.0
    y = np.array([4.0, 3.0, -1.0, 2.0])
    assert jf(y, np.int64(1)) == 3.0 * 2.0 + 4.0


# ---------------------------------------------------------------------------
# Property: random programs that write into buffers between operations
# ---------------------------------------------------------------------------
# A program is a list of steps over a value v (v = x at the start) and two
# buffers: ("write", k, numbers) overwrites buffer k in place; ("use", op, k)
# sets v = op(v, buffer k), reading the buffer as it is at that moment;
# ("pick", k) sets v = v[index buffer], the index array overwritten by "perm".
# The loss is Σ v². Buffers are reset to their first contents before each call.

N = 3
OPS = {
    "mul": lambda lib, v, b: v * b,
    "add": lambda lib, v, b: v + b,
    "sub": lambda lib, v, b: b - v,
    "view": lambda lib, v, b: v * np.broadcast_to(b[:1], (N,)),   # a read-only view of b
    "sin": lambda lib, v, b: lib.sin(v) * b,
    "where": lambda lib, v, b: lib.where(b > 0, v, 0.5 * v),
}

numbers = st.lists(floats(-2, 2), min_size=N, max_size=N)
steps = st.one_of(
    st.tuples(st.just("write"), st.integers(0, 1), numbers),
    st.tuples(st.just("use"), st.sampled_from(list(OPS)), st.integers(0, 1)),
    st.tuples(st.just("perm"), st.permutations(range(N))),
    st.tuples(st.just("pick")),
)


def make_program(program, initial):
    bufs = [np.array(b) for b in initial]
    index = np.arange(N)

    def reset():
        for b, start in zip(bufs, initial):
            b[:] = start
        index[:] = np.arange(N)

    def run(lib, x):
        v = x
        for step in program:
            if step[0] == "write":
                bufs[step[1]][:] = step[2]
            elif step[0] == "use":
                v = OPS[step[1]](lib, v, bufs[step[2]])
            elif step[0] == "perm":
                index[:] = step[1]
            else:
                v = v[index]
        return lib.sum(v * v)

    def fresh(fun):                      # every call starts from the same buffers
        def call(x):
            reset()
            return fun(x)
        return call
    return run, fresh


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program=st.lists(steps, min_size=1, max_size=8),
       initial=st.tuples(numbers, numbers),
       xs=st.lists(numbers, min_size=2, max_size=2))
def test_property_buffer_programs(program, initial, xs):
    run, fresh = make_program(program, initial)
    numpy_f = fresh(lambda x: run(np, x))
    f = fresh(lambda x: run(tnp, x))
    jf, jg = tg.jit(f), tg.jit(fresh(tg.grad(lambda x: run(tnp, x))))
    grad_f = fresh(tg.grad(lambda x: run(tnp, x)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # a "where" may leave jit to run eagerly
        for x in (np.array(v) for v in xs):
            want = numpy_f(x)
            fd = num_grad(numpy_f, x)
            assert_close(f(x), want, rtol=1e-12)
            assert_close(grad_f(x), fd)
            for _ in range(2):                   # the first call traces, the next is compiled
                assert_close(jf(x), want, rtol=1e-12)
                assert_close(jg(x), fd)


def test_jit_source_names_the_captured_arrays():
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    buf = np.zeros(2)

    def f(x):
        buf[:] = 1.0
        y = W @ x * buf
        buf[:] = 2.0
        return y * buf
    jf = tg.jit(f)
    x = np.array([1.0, -1.0])
    np.testing.assert_allclose(jf(x), (W @ x) * 1.0 * 2.0)
    text = jf.source(x)
    assert "W float64[2, 2]" in text and "buf float64[2]" in text and "buf_1 float64[2]" in text
    # read by grad's record first, then by jit: still the user's name
    jg = tg.jit(tg.grad(lambda x: tnp.sum(tnp.tanh(W @ x))))
    np.testing.assert_allclose(jg(x), W.T @ (1 - np.tanh(W @ x) ** 2), rtol=1e-14)
    assert "np.dot(W, x)" in jg.source(x)


# ---------------------------------------------------------------------------
# Properties for item 8 and the crashes: writes into staged values, and values
# (integer indices, data-dependent lengths) that change from call to call
# ---------------------------------------------------------------------------

away_from_zero = away_from(-3.0, 3.0, [0.0], 0.3)


@settings(max_examples=100, deadline=None)
@given(xs=st.lists(st.lists(away_from_zero, min_size=4, max_size=4), min_size=2, max_size=2),
       i=st.integers(0, 3), k=st.sampled_from([-2.0, -0.5, 0.5, 2.0]),
       name=st.sampled_from(list(AFTER_SET)))
def test_property_jit_grad_of_at_set_then_a_kink(xs, i, k, name):
    g, g_numpy, _ = AFTER_SET[name]

    def f(x):
        y = x.at[i].set(k * x[(i + 1) % 4])
        return tnp.sum(g(y) * WEIGHTS)

    def f_numpy(x):
        y = x.copy()
        y[i] = k * x[(i + 1) % 4]
        return np.sum(g_numpy(y) * WEIGHTS)
    jg = tg.jit(tg.grad(f))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # a branch that keeps changing: eager
        for x in (np.array(v) for v in xs + xs):
            assert_close(jg(x), num_grad(f_numpy, x))


@settings(max_examples=100, deadline=None)
@given(calls=st.lists(st.tuples(st.lists(floats(-2, 2), min_size=4, max_size=4),
                                st.lists(st.integers(0, 3), min_size=3, max_size=3)),
                      min_size=2, max_size=4))
def test_property_jit_indices_and_lengths_change_between_calls(calls):
    def f(x, i):
        picked = tnp.sum(x[i] ** 2)
        count = len(tnp.where(x > 0)[0])               # a length that depends on x
        return picked * count
    jf, jg = tg.jit(f), tg.jit(tg.grad(f))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for xv, iv in calls:
            x, i = np.array(xv), np.array(iv)
            count = np.count_nonzero(x > 0)
            assert_close(jf(x, i), np.sum(x[i] ** 2) * count, rtol=1e-12)
            want = np.zeros(4)
            np.add.at(want, i, 2 * x[i] * count)       # ∂/∂x of count · Σ x[i]²
            assert_close(jg(x, i), want, rtol=1e-12)
