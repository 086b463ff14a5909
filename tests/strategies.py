"""Hypothesis strategies shared by the test suite.

Arrays are float64 and small (at most ``MAX_SIZE`` elements) so that
finite-difference Hessians stay cheap.  Each differentiable operation has a
*safe domain*: the open set where it is smooth, shrunk by a margin much
larger than the finite-difference step (positive for log/sqrt, (-0.9, 0.9)
for arcsin/arccos, away from 0 for abs/sign/divide, away from ties for
max/min/maximum/minimum, away from the bounds for clip, ...).
"""

from __future__ import annotations

import collections

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

MAX_SIDE = 3
MAX_DIMS = 3
MAX_SIZE = 12

# ---------------------------------------------------------------------------
# shapes


def _small(shape):
    return int(np.prod(shape, dtype=int)) <= MAX_SIZE


def shapes(min_dims=0, max_dims=MAX_DIMS, min_side=1, max_side=MAX_SIDE):
    """Array shapes of at most MAX_SIZE elements; includes the scalar shape
    ``()`` whenever ``min_dims == 0``."""
    nonscalar = hnp.array_shapes(
        min_dims=max(1, min_dims), max_dims=max_dims, min_side=min_side, max_side=max_side
    ).filter(_small)
    if min_dims == 0:
        return st.one_of(st.just(()), nonscalar)
    return nonscalar


# Broadcasting pairs written out explicitly (the ones named in the spec) and
# generated ones.
EXPLICIT_BROADCAST_PAIRS = [
    ((), ()),
    ((3,), (3,)),
    ((2, 3), (2, 3)),
    ((3, 1), (1, 4)),
    ((2, 3), (3,)),
    ((3,), (2, 3)),
    ((), (2, 3)),
    ((2, 3), ()),
    ((2, 1, 3), (2, 1)),
    ((1,), (3,)),
]


def broadcast_shape_pairs():
    """Pairs of shapes that broadcast together (either may be the bigger one)."""
    generated = hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=0, max_dims=MAX_DIMS, min_side=1, max_side=MAX_SIDE
    ).filter(lambda b: _small(b.result_shape)).map(lambda b: tuple(b.input_shapes))
    return st.one_of(st.sampled_from(EXPLICIT_BROADCAST_PAIRS), generated)


def reduction_axes(shape):
    """axis=None, an int (possibly negative) or a tuple of distinct axes."""
    ndim = len(shape)
    if ndim == 0:
        return st.just(None)
    ints = st.integers(-ndim, ndim - 1)
    tuples = st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).flatmap(
        lambda axes: st.lists(st.booleans(), min_size=len(axes), max_size=len(axes)).map(
            # sometimes spell an axis negatively
            lambda negs: tuple(a - ndim if neg else a for a, neg in zip(axes, negs, strict=True))
        )
    )
    return st.one_of(st.just(None), ints, tuples)


def shape_axis_keepdims(min_dims=0, max_dims=MAX_DIMS):
    """(shape, axis, keepdims) for reductions."""
    return shapes(min_dims=min_dims, max_dims=max_dims).flatmap(
        lambda s: st.tuples(st.just(s), reduction_axes(s), st.booleans())
    )


def reduced_count(shape, axis):
    """How many elements are folded into each output element."""
    if axis is None:
        return int(np.prod(shape, dtype=int))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return int(np.prod([shape[a] for a in axes], dtype=int))


# ---------------------------------------------------------------------------
# element strategies


def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def away_from(lo, hi, points, gap):
    """Floats in [lo, hi] at least ``gap`` from every point in ``points``."""
    return floats(lo, hi).filter(lambda v: all(abs(v - p) >= gap for p in points))


def arrays(shape, elements):
    """float64 arrays of ``shape`` with every element drawn independently."""
    return hnp.arrays(np.float64, shape, elements=elements, fill=st.nothing())


def distinct_arrays(shape, gap=0.25):
    """Arrays whose elements are pairwise at least ``gap`` apart (no ties).

    Built from a random increasing sequence, shuffled, so max/min/std are
    differentiable and their finite differences are not confused by ties.
    """
    n = int(np.prod(shape, dtype=int))
    if n == 0:
        return st.just(np.zeros(shape))

    def build(start, gaps, perm):
        values = start + np.concatenate([[0.0], np.cumsum(gaps)])
        return np.asarray(values[list(perm)], dtype=np.float64).reshape(shape)

    return st.builds(
        build,
        floats(-2.0, 0.0),
        st.lists(floats(gap, 2 * gap), min_size=n - 1, max_size=n - 1),
        st.permutations(list(range(n))),
    )


# Safe domains for the elementwise functions (name -> element strategy).
UNARY_DOMAINS = {
    "negative": floats(-3, 3),
    "square": floats(-3, 3),
    "sqrt": floats(0.2, 4),
    "exp": floats(-2, 2),
    "log": floats(0.2, 4),
    "log1p": floats(-0.7, 3),
    "expm1": floats(-2, 2),
    "sin": floats(-3, 3),
    "cos": floats(-3, 3),
    "tan": floats(-1.2, 1.2),
    "arcsin": floats(-0.9, 0.9),
    "arccos": floats(-0.9, 0.9),
    "arctan": floats(-3, 3),
    "sinh": floats(-2, 2),
    "cosh": floats(-2, 2),
    "tanh": floats(-2, 2),
    "abs": away_from(-3, 3, [0.0], 0.1),
    "sign": away_from(-3, 3, [0.0], 0.1),
}


def unary_input(name, shape):
    return arrays(shape, UNARY_DOMAINS[name])


# name -> (strategy for the first argument's elements, for the second's).
BINARY_DOMAINS = {
    "add": (floats(-3, 3), floats(-3, 3)),
    "subtract": (floats(-3, 3), floats(-3, 3)),
    "multiply": (floats(-3, 3), floats(-3, 3)),
    "divide": (floats(-3, 3), away_from(-3, 3, [0.0], 0.3)),
    "power": (floats(0.3, 2.5), floats(-2, 2.5)),
    "arctan2": (floats(-2, 2), floats(0.3, 2)),  # x > 0: away from the branch cut
}

# maximum/minimum are not smooth where x = y: their two arguments are drawn
# together from distinct_arrays, every value at least a gap from every other.
TIE_FREE_PAIRS = ("maximum", "minimum")


# ---------------------------------------------------------------------------
# pytrees


Point = collections.namedtuple("Point", ["x", "y"])
Triple = collections.namedtuple("Triple", ["a", "b", "c"])


def small_arrays():
    return shapes(max_dims=2).flatmap(lambda s: arrays(s, floats(-5, 5)))


def pytree_leaves():
    return st.one_of(
        st.integers(-10, 10),
        floats(-10, 10),
        small_arrays(),
    )


def pytrees(leaves=None, max_leaves=12):
    """Nested tuples / lists / dicts / namedtuples / None with array leaves."""
    leaves = pytree_leaves() if leaves is None else leaves
    base = st.one_of(leaves, st.none())

    def extend(children):
        return st.one_of(
            st.lists(children, max_size=3),
            st.lists(children, max_size=3).map(tuple),
            st.dictionaries(st.text("abcdefgh", min_size=1, max_size=3), children, max_size=3),
            st.builds(Point, children, children),
            st.builds(Triple, children, children, children),
        )

    return st.recursive(base, extend, max_leaves=max_leaves)


# ---------------------------------------------------------------------------
# example budgets


def examples(n):
    """``@settings`` for a test that should try ``n`` examples.

    Budgets are small so that the whole suite stays under a minute; set
    ``TRACEGRAD_EXAMPLES_FACTOR=10`` (or use ``HYPOTHESIS_PROFILE=thorough``)
    to try more when hunting for bugs.
    """
    import os

    from hypothesis import settings

    factor = float(os.environ.get("TRACEGRAD_EXAMPLES_FACTOR", "1"))
    if os.environ.get("HYPOTHESIS_PROFILE") == "thorough":
        factor = max(factor, 10.0)
    return settings(max_examples=max(1, int(round(n * factor))))
