"""Indexing with repeated elements: issue 15, items 3 and 4.

``x[[0, 0]]`` reads ``x[0]`` twice, so its cotangents add; ``x.at[[0, 0]].set(v)``
writes twice, and only the last write survives, so only it gets a cotangent.
A tuple inside an index (``x[(0, 0),]``) is an integer array, as in NumPy.

The references are independent of tracegrad: JAX's stated results from the
issue, plain NumPy (``np.add.at``, a Python loop over the writes), and
finite differences through ``tg.check_grads``.
"""

import numpy as np

import tracegrad as tg
import tracegrad.lax as lax
import tracegrad.numpy as tnp

from .numeric import EXACT_TOL, assert_close

# ---- item 3: x.at[idx].set(v) with a repeated index ------------------------------


def test_set_with_repeated_index_gives_the_cotangent_to_the_last_write_only():
    f = lambda v: (0 * v[0] + tnp.zeros(3)).at[np.array([0, 0])].set(v).sum()  # noqa: E731
    assert_close(tg.grad(f)(np.array([5.0, 7.0])), [0.0, 1.0], **EXACT_TOL)   # JAX: [0, 1]
    _, tangent = tg.jvp(f, (np.array([5.0, 7.0]),), (np.array([1.0, 10.0]),))
    assert float(tangent) == 10.0                  # only v[1] reaches the output


def _set_repeats(v):
    # out = [v1³, 0, v2³] weighted by [1, 2, 3]: v0 is overwritten by v1.
    written = lax.index_set(np.zeros(3), v ** 3, index=(np.array([0, 0, 2]),))
    return tnp.sum(written * np.array([1.0, 2.0, 3.0]))


def test_set_with_repeated_index_hessian_vector_products():
    v = np.array([5.0, 7.0, 2.0])
    # The analytic Hessian of v1³ + 3 v2³ is diag(0, 6 v1, 18 v2).
    want = np.diag([0.0, 6 * v[1], 18 * v[2]])
    assert_close(tg.hessian(_set_repeats)(v), want, **EXACT_TOL)
    u = np.array([1.0, -2.0, 0.5])
    hvp = tg.jvp(tg.grad(_set_repeats), (v,), (u,))[1]
    assert_close(hvp, want @ u, **EXACT_TOL)
    tg.check_grads(_set_repeats, (v,), order=2, modes=("fwd", "rev"))


def test_set_with_repeated_index_broadcast_value_and_x_cotangent():
    x = np.array([1.0, 2.0, 3.0, 4.0])

    def f(x, s):      # s is written to x[1] twice (it survives once), x[1] is lost
        return tnp.sum(lax.index_set(x, s, index=(np.array([1, 3, 1]),)) * np.arange(1.0, 5.0))

    gx, gs = tg.grad(f, argnums=(0, 1))(x, 2.5)
    assert_close(gx, [1.0, 0.0, 3.0, 0.0], **EXACT_TOL)
    assert float(gs) == 2.0 + 4.0                  # x[1] and x[3] hold s once each
    tg.check_grads(f, (x, 2.5), order=2, modes=("fwd", "rev"))


# ---- item 4: a tuple inside an index is an integer array -------------------------


def test_tuple_inside_an_index_picks_twice():
    g = tg.grad(lambda x: x[(0, 0),].sum())(np.array([1.0, 2.0]))
    assert_close(g, [2.0, 0.0], **EXACT_TOL)                              # JAX: [2, 0]
    # x[((0, 0), (1, 1))] is x[[0, 0], [1, 1]]: x[0, 1] twice.
    g = tg.grad(lambda x: x[((0, 0), (1, 1))].sum())(np.eye(2))
    assert float(g[0, 1]) == 2.0 and float(g.sum()) == 2.0


def test_tuple_inside_an_at_index():
    x = np.array([1.0, 2.0])
    # .set: out = [x1, x2] with x0 overwritten twice by x1: sum = 2 x1.
    assert_close(tg.grad(lambda x: x.at[(0, 0),].set(x[1]).sum())(x), [0.0, 2.0], **EXACT_TOL)
    # .add: out = [x0 + 2 x1, x1]: sum = x0 + 3 x1.
    assert_close(tg.grad(lambda x: x.at[(0, 0),].add(x[1]).sum())(x), [1.0, 3.0], **EXACT_TOL)


def test_empty_list_index_selects_nothing_as_in_numpy():
    x = np.arange(4.0)
    out, pull = tg.vjp(lambda x: x[[]], x)
    assert out.shape == x[[]].shape == (0,)
    (g,) = pull(np.zeros(0))
    assert_close(g, np.zeros(4), **EXACT_TOL)


# ---- property: random indices, against NumPy and a loop over the writes ------------

import pytest  # noqa: E402
from hypothesis import assume, given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from . import strategies as S  # noqa: E402


@st.composite
def indexed_arrays(draw):
    """(shape, index): an index as a student may write it, with repeats and tuples.

    Each axis gets an int, a slice, or a sequence of ints (a list, a tuple or
    an array, one- or two-dimensional, with repeats); sometimes a boolean
    mask, ``None`` or ``...``; the index is a tuple, or one part on its own.
    """
    shape = draw(S.shapes(min_dims=1, max_dims=3, max_side=4))
    length = draw(st.integers(1, 4))                       # of every integer sequence
    rows = draw(st.sampled_from([None, 2]))                # 1-D or 2-D sequences
    parts = []
    for n in shape[:draw(st.integers(1, len(shape)))]:
        kind = draw(st.sampled_from(["int", "slice", "list", "tuple", "array", "mask"]))
        if kind == "int":
            parts.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            parts.append(draw(st.slices(n)))
        elif kind == "mask":
            parts.append(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
        else:
            seq_shape = (length,) if rows is None else (rows, length)
            flat = draw(st.lists(st.integers(-n, n - 1), min_size=int(np.prod(seq_shape)),
                                 max_size=int(np.prod(seq_shape))))
            seq = np.array(flat).reshape(seq_shape)
            parts.append({"list": seq.tolist(), "array": seq,
                          "tuple": tuple(map(tuple, seq)) if rows else tuple(flat)}[kind])
    extra = draw(st.sampled_from(["", "none", "ellipsis"]))
    if extra:
        parts.insert(draw(st.integers(0, len(parts))), None if extra == "none" else Ellipsis)
    if len(parts) == 1 and not isinstance(parts[0], tuple) and draw(st.booleans()):
        index = parts[0]                                     # x[[0, 0]], x[2], x[1:]
    else:
        index = tuple(parts)
    try:                       # NumPy is the reference for which elements an index picks
        picked = np.arange(int(np.prod(shape))).reshape(shape)[index]
    except IndexError:
        assume(False)          # e.g. sequences that do not broadcast together
    return shape, index, np.asarray(picked)


def _weights(rng, shape):
    return rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


@S.examples(60)
@given(case=indexed_arrays(), seed=st.integers(0, 2**32 - 1))
def test_random_getitem_matches_numpy_and_adds_repeats(case, seed):
    shape, index, picked = case
    rng = np.random.default_rng(seed)
    x, w = rng.normal(size=shape), _weights(rng, picked.shape)
    out, pull = tg.vjp(lambda x: x[index], x)
    assert_close(out, x[index], **EXACT_TOL)
    want = np.zeros(x.size)
    for p, wk in zip(picked.ravel(), np.ravel(w)):     # each pick adds its weight
        want[p] += wk
    assert_close(pull(w)[0], want.reshape(shape), **EXACT_TOL)
    assert_close(tg.jvp(lambda x: x[index], (x,), (w.sum() * x,))[1],
                 w.sum() * x[index], **EXACT_TOL)


@pytest.mark.parametrize("how", ["set", "add"])
@S.examples(60)
@given(case=indexed_arrays(), seed=st.integers(0, 2**32 - 1), scalar=st.booleans())
def test_random_at_update_matches_a_loop_over_the_writes(how, case, seed, scalar):
    shape, index, picked = case
    rng = np.random.default_rng(seed)
    x, w = rng.normal(size=shape), _weights(rng, shape)
    v = rng.normal(size=() if scalar else picked.shape)
    # The reference: write (or add) one element at a time, in NumPy's order.
    want, gx, gv = x.ravel().copy(), w.ravel().copy(), np.zeros(picked.size)
    last = {}
    for k, p in enumerate(picked.ravel()):
        value = np.broadcast_to(v, picked.shape).ravel()[k]
        want[p] = value if how == "set" else want[p] + value
        last[p] = k
    for k, p in enumerate(picked.ravel()):
        if how == "add" or last[p] == k:                   # only the survivor of a set
            gv[k] = w.ravel()[p]
        if how == "set":
            gx[p] = 0.0                                    # overwritten: x lost its say
    gv = gv.reshape(picked.shape).sum() if scalar else gv.reshape(picked.shape)
    if how == "set":
        numpy_out = x.copy()
        numpy_out[index] = v
        assert_close(numpy_out.ravel(), want, **EXACT_TOL)   # the loop is NumPy's order

    def f(x, v):
        return getattr(x.at[index], how)(v)

    out, pull = tg.vjp(f, x, v)
    assert_close(out, want.reshape(shape), **EXACT_TOL)
    got_x, got_v = pull(w)
    assert_close(got_x, gx.reshape(shape), **EXACT_TOL)
    assert_close(got_v, gv, **EXACT_TOL)
