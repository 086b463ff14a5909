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


# ---------------------------------------------------------------------------
# A primitive's facts, as strategies. Its row in tracegrad/lax/ declares where it is
# smooth (``domain``: per argument, ``(lo, hi)`` or ``(lo, hi, points, gap)``, or a
# word below) and which calls to try (``examples``: (shapes, params); none for an
# elementwise primitive, which takes any shapes that broadcast). The tests built on
# them (test_vmap_primitives, test_dtypes, test_special_points, test_domains) iterate
# over tg.primitives(): a new row is tested without a line here.


def elements(domain):
    """Floats in an interval domain: ``(lo, hi)`` or ``(lo, hi, points, gap)``, or in a
    union of those (a tuple of them)."""
    if isinstance(domain[0], tuple):
        return st.one_of(*map(elements, domain))
    lo, hi, *away = domain
    return away_from(lo, hi, list(away[0]), away[1]) if away else floats(lo, hi)


def _eye(a):
    return np.eye(np.shape(a)[-1])


def _spd(a):
    """a aᵀ + 3I: symmetric positive definite and well conditioned."""
    return a @ np.swapaxes(a, -1, -2) + 3.0 * _eye(a)


def _spread(a):
    """a plus a diagonal 3, 5, 7, ...: well conditioned, distinct singular values."""
    return a + np.eye(*np.shape(a)[-2:]) * (3.0 + 2.0 * np.arange(np.shape(a)[-1]))


def _real_eigenvalues(a):
    """Near the triangular diag(3, 6, 9, ...): real, distinct eigenvalues (for eig)."""
    n = np.shape(a)[-1]
    return 0.3 * a + np.diag(3.0 * np.arange(1, n + 1)) + np.triu(np.ones((n, n)), 1)


# Domains no interval can say: matrices built from elements in [-1, 1].
MATRICES = {"spd": _spd, "spread": _spread, "real eigenvalues": _real_eigenvalues}


def argument(domain, shape, positions=None):
    """One argument in its ``domain``: a strategy of arrays of ``shape``.

    Words: a matrix kind (``MATRICES``); ``"distinct"``, elements pairwise apart
    (no ties: max, min, reduce_max); ``"bool"``, a mask; ``"positions"``,
    integers in ``range(positions)`` (take_along's).
    """
    if isinstance(domain, str) and domain in MATRICES:
        return arrays(shape, floats(-1, 1)).map(MATRICES[domain])
    if domain == "distinct":
        return distinct_arrays(shape)
    if domain == "bool":
        return hnp.arrays(np.bool_, shape)
    if domain == "positions":
        return hnp.arrays(np.intp, shape, elements=st.integers(0, positions - 1))
    return arrays(shape, elements(domain))


def sample(domain, shape, rng, positions=None):
    """One argument in its ``domain``, from NumPy's ``rng`` (a test without hypothesis)."""
    if isinstance(domain, str) and domain in MATRICES:
        return MATRICES[domain](rng.uniform(-1, 1, shape))
    if domain == "distinct":                            # a random order of spread values
        n = int(np.prod(shape, dtype=int))
        return rng.permutation(np.linspace(-2.0, 2.0, n) if n > 1 else [0.5]).reshape(shape)
    if domain == "bool":
        return rng.random(shape) < 0.5
    if domain == "positions":
        return rng.integers(0, positions, shape)
    if isinstance(domain[0], tuple):                    # a union: one part per element
        parts = [sample(d, shape, rng) for d in domain]
        return np.choose(rng.integers(0, len(parts), shape), parts)
    lo, hi, *away = domain
    x = rng.uniform(lo, hi, shape)
    for _ in range(100):                                # redraw what is too near a point
        near = np.zeros(np.shape(x), bool)
        for p in (away[0] if away else ()):
            near |= np.abs(x - p) < away[1]
        if not near.any():
            return x
        x = np.where(near, rng.uniform(lo, hi, shape), x)
    raise AssertionError(f"no value in {domain}")


def domains(p, n):
    """The domain of each of ``n`` arguments of ``p`` (the last repeats: concatenate)."""
    return list(p.domain[:n]) + [p.domain[-1]] * (n - len(p.domain))


def positions_length(shapes, params):
    """How many positions along the axis that take_along / add_along pick from."""
    if params.get("axis") is None:
        return None
    return (params.get("shape") or shapes[0])[params["axis"]]


def elementwise_shapes(n):
    """Shapes of ``n`` arguments that broadcast together."""
    if n == 1:
        return shapes().map(lambda s: (s,))
    if n == 2:
        return broadcast_shape_pairs()
    return hnp.mutually_broadcastable_shapes(
        num_shapes=n, min_dims=0, max_dims=MAX_DIMS, min_side=1, max_side=MAX_SIDE
    ).filter(lambda b: _small(b.result_shape)).map(lambda b: tuple(b.input_shapes))


def calls(p):
    """Calls of the primitive ``p`` to try: ``(specs, params)``, where ``specs`` holds one
    ``(shape, domain, strategy of that argument)`` per argument."""
    def specs(shapes_, params):
        n = positions_length(shapes_, params)
        return [(s, d, argument(d, s, n)) for s, d in zip(shapes_, domains(p, len(shapes_)))]

    def one(example):
        shapes_, params = example
        if shapes_ is None:                              # elementwise: any shapes
            return elementwise_shapes(len(p.domain)).map(lambda s: (specs(s, params), params))
        return st.just((specs(shapes_, params), params))
    return st.sampled_from(p.examples or [(None, {})]).flatmap(one)


def fixed_calls(p):
    """The example calls of ``p`` as (shapes, params), an elementwise one on (2, 3), (3,)."""
    return [(shapes or ((2, 3),) + ((3,),) * (len(p.domain) - 1), params)
            for shapes, params in p.examples or [(None, {})]]


def sample_args(p, shapes, rng, params):
    """Arguments of ``p`` of ``shapes``, each drawn in its domain by NumPy's ``rng``."""
    n = positions_length(shapes, params)
    return [sample(d, s, rng, n) for s, d in zip(shapes, domains(p, len(shapes)), strict=True)]


def differentiable_argument(domain):
    """Floats: what a derivative is taken of (not masks, not positions)."""
    return domain not in ("bool", "positions")


def of_floats(p, args, params, call=None):
    """``p`` (or ``call``, e.g. its NumPy function) as a function of its float arguments
    alone (its masks and positions fixed to those in ``args``), and those arguments."""
    wrt = [k for k, d in enumerate(domains(p, len(args))) if differentiable_argument(d)]

    def f(*xs):
        full = list(args)
        for k, x in zip(wrt, xs, strict=True):
            full[k] = x
        return (call or p)(*full, **params)
    return f, [args[k] for k in wrt]


# ---------------------------------------------------------------------------
# Safe domains for tnp's elementwise functions (name -> element strategy), which
# test_primitives_grad.py differentiates against finite differences of NumPy's
# function of the same name. A tnp name that is a primitive (tnp.arcsin is lax.asin)
# takes its primitive's domain; below are those tnp composes.

def _primitive_names():
    """tnp's name for each elementwise primitive it serves as it is: the primitive's
    own name if tnp has it, else the first in order (lax.neg is tnp.negative)."""
    import tracegrad as tg
    import tracegrad.numpy as tnp

    served = {}
    for name in sorted(tnp.__all__):
        served.setdefault(getattr(tnp, name), []).append(name)
    return {p: (p.name if p.name in served[p] else served[p][0])
            for p in tg.primitives() if p in served and not p.examples and p.differentiable}


_SERVED = _primitive_names()

UNARY_DOMAINS = {name: elements(p.domain[0]) for p, name in _SERVED.items()
                 if len(p.domain) == 1} | {
    "log2": floats(0.2, 4),
    "log10": floats(0.2, 4),
    "exp2": floats(-2, 2),
    "reciprocal": away_from(-3, 3, [0.0], 0.3),
    "deg2rad": floats(-3, 3),
    "rad2deg": floats(-3, 3),
    # issue 20: the conjugate of a real number is the number
    "conj": floats(-3, 3),
}

# A point inside the domain for the one-number tests: 0.55, or 0.35 above the domain's
# lower end when 0.55 is outside it.
SCALAR_POINTS = {name: round(p.domain[0][0] + 0.35, 12) for p, name in _SERVED.items()
                 if len(p.domain) == 1 and not p.domain[0][0] < 0.55 < p.domain[0][1]}


def unary_input(name, shape):
    return arrays(shape, UNARY_DOMAINS[name])


# name -> (strategy for the first argument's elements, for the second's).
BINARY_DOMAINS = {name: tuple(elements(d) for d in p.domain) for p, name in _SERVED.items()
                  if len(p.domain) == 2 and "distinct" not in p.domain} | {
    "power": (floats(0.3, 2.5), floats(-2, 2.5)),
}

# maximum/minimum are not smooth where x = y: their two arguments are drawn
# together from distinct_arrays, every value at least a gap from every other.
TIE_FREE_PAIRS = tuple(name for p, name in _SERVED.items() if p.domain == ("distinct",) * 2) + (
    "fmax", "fmin")


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


# ---------------------------------------------------------------------------
# issue 13: the function table. One row per tnp function that is not a plain
# elementwise one: how to call it (on a module, tnp or np, so that NumPy itself
# is the reference), the shapes of its arguments, and their elements. Rows
# drive tests/test_function_table.py; tests/test_function_table.py also fails
# when a tnp function has no row here (or in the tables above, or in the lists
# of functions tested elsewhere or not differentiable).

Row = collections.namedtuple("Row", "name call shapes elements np_call", defaults=(None,))


def one(min_dims=0, max_dims=MAX_DIMS, min_side=1):
    """One argument, of any shape with ``min_dims`` to ``max_dims`` axes."""
    return shapes(min_dims, max_dims, min_side=min_side).map(lambda s: (s,))


def same(k, min_dims=0, max_dims=MAX_DIMS):
    """``k`` arguments of one shape."""
    return shapes(min_dims, max_dims).map(lambda s: (s,) * k)


def fixed(*choices):
    """Argument shapes from a list, e.g. fixed(((2, 3), (3,)), ((3, 3), (3, 2)))."""
    return st.sampled_from(choices)


def square_matrices(batch=True, max_n=3):
    sizes = st.integers(1, max_n)
    if not batch:
        return sizes.map(lambda n: ((n, n),))
    return st.tuples(sizes, st.sampled_from([(), (2,)])).map(lambda t: (t[1] + (t[0], t[0]),))


FREE = floats(-3, 3)
NONZERO = away_from(-3, 3, [0.0], 0.3)
DISTINCT = "distinct"            # every element of every argument at least 0.25 apart


def _weighted(m, pieces):
    """A list of pieces joined, each times its own weight (gradients must route right)."""
    return m.concatenate([m.ravel(p) * (k + 1.0) for k, p in enumerate(pieces)])


FUNCTION_TABLE = [
    # ---- shape: stacking
    Row("vstack", lambda m: lambda a, b: m.vstack([a, b]), same(2, 0, 2), FREE),
    Row("row_stack", lambda m: lambda a, b: m.row_stack([a, b]), same(2, 0, 2), FREE,
        np_call=lambda a, b: np.vstack([a, b])),      # np.row_stack is deprecated
    Row("hstack", lambda m: lambda a, b: m.hstack((a, b)), same(2, 0, 3), FREE),
    Row("dstack", lambda m: lambda a, b: m.dstack([a, b]), same(2, 0, 3), FREE),
    Row("column_stack", lambda m: lambda a, b: m.column_stack([a, b]), same(2, 0, 2), FREE),
    Row("stack", lambda m: lambda a, b: m.stack([a, b], axis=-1), same(2, 0, 2), FREE),
    Row("concatenate", lambda m: lambda a, b: m.concatenate([a, b], axis=None),
        fixed(((2, 3), (4,)), ((2,), (2,))), FREE),
    # ---- shape: splitting (pieces weighted, so each must get its own cotangent)
    Row("split", lambda m: lambda a: _weighted(m, m.split(a, [1], axis=0)), one(1, 3), FREE),
    Row("split-sections", lambda m: lambda a: _weighted(m, m.split(a, 2, axis=-1)),
        fixed(((4,),), ((3, 2),), ((2, 2, 2),)), FREE),
    Row("array_split", lambda m: lambda a: _weighted(m, m.array_split(a, 2)), one(1, 3), FREE),
    Row("hsplit", lambda m: lambda a: _weighted(m, m.hsplit(a, 2)),
        fixed(((4,),), ((3, 2),), ((1, 4, 2),)), FREE),
    Row("vsplit", lambda m: lambda a: _weighted(m, m.vsplit(a, [1])),
        fixed(((3, 2),), ((2, 2, 2),)), FREE),
    Row("dsplit", lambda m: lambda a: _weighted(m, m.dsplit(a, [1, 1])), fixed(((2, 1, 3),)),
        FREE),
    # ---- shape: repeating, rearranging
    Row("repeat", lambda m: lambda a: m.repeat(a, 2), one(0, 3), FREE),
    Row("repeat-axis", lambda m: lambda a: m.repeat(a, np.arange(a.shape[0]) % 3, axis=0),
        one(1, 3), FREE),
    Row("tile", lambda m: lambda a: m.tile(a, (2, 1, 2)), one(0, 2), FREE),
    Row("tile-int", lambda m: lambda a: m.tile(a, 3), one(0, 2), FREE),
    Row("roll", lambda m: lambda a: m.roll(a, 1), one(0, 3), FREE),
    Row("roll-axes", lambda m: lambda a: m.roll(a, (1, -2), axis=(0, -1)), one(2, 3), FREE),
    Row("flip", lambda m: lambda a: m.flip(a), one(0, 3), FREE),
    Row("flip-axis", lambda m: lambda a: m.flip(a, -1), one(1, 3), FREE),
    Row("fliplr", lambda m: lambda a: m.fliplr(a), one(2, 3), FREE),
    Row("flipud", lambda m: lambda a: m.flipud(a), one(1, 3), FREE),
    Row("rot90", lambda m: lambda a: m.rot90(a), one(2, 3), FREE),
    Row("rot90-k", lambda m: lambda a: m.rot90(a, 3, axes=(1, 0)) * m.rot90(a, -1),
        one(2, 3), FREE),
    Row("rot90-2", lambda m: lambda a: m.rot90(a, 2, axes=(0, -1)), one(2, 3), FREE),
    Row("pad", lambda m: lambda a: m.pad(a, 1, constant_values=0.5), one(1, 2), FREE),
    Row("pad-widths", lambda m: lambda a: m.pad(a, ((1, 0), (0, 2))), one(2, 2), FREE),
    Row("pad-edge", lambda m: lambda a: m.pad(a, 2, mode="edge"), one(1, 2), FREE),
    Row("pad-reflect", lambda m: lambda a: m.pad(a, (1, 2), mode="reflect"),
        one(1, 2, min_side=3), FREE),
    Row("pad-symmetric", lambda m: lambda a: m.pad(a, 2, mode="symmetric"), one(1, 2), FREE),
    Row("pad-wrap", lambda m: lambda a: m.pad(a, 1, mode="wrap"), one(1, 2), FREE),
    Row("moveaxis", lambda m: lambda a: m.moveaxis(a, 0, -1), one(1, 3), FREE),
    Row("moveaxis-many", lambda m: lambda a: m.moveaxis(a, (0, 1), (2, 0)), one(3, 3), FREE),
    Row("rollaxis", lambda m: lambda a: m.rollaxis(a, 2, 0) + m.rollaxis(a, 2, 0) ** 2,
        one(3, 3), FREE),
    Row("atleast_1d", lambda m: lambda a: m.atleast_1d(a), one(0, 3), FREE),
    Row("atleast_2d", lambda m: lambda a: m.atleast_2d(a), one(0, 3), FREE),
    Row("atleast_3d", lambda m: lambda a: m.atleast_3d(a), one(0, 3), FREE),
    Row("ravel", lambda m: lambda a: m.ravel(a), one(0, 3), FREE),
    Row("append", lambda m: lambda a, b: m.append(a, b), same(2, 0, 2), FREE),
    Row("append-axis", lambda m: lambda a, b: m.append(a, b, axis=0), same(2, 1, 3), FREE),
    Row("take", lambda m: lambda a: m.take(a, [0, 0, -1]), one(0, 3), FREE),
    Row("take-axis", lambda m: lambda a: m.take(a, [[1, 0], [1, 1]], axis=-1, mode="wrap"),
        one(1, 3), FREE),
    Row("take_along_axis", lambda m: lambda a: m.take_along_axis(a, m.argsort(a, axis=0), 0),
        one(1, 3), DISTINCT),
    Row("r_", lambda m: lambda a, b: m.r_[a, b, 1:3], same(2, 1, 1), FREE),
    Row("c_", lambda m: lambda a, b: m.c_[a, b], same(2, 1, 2), FREE),
    # ---- elementwise, beyond the ufunc tables
    Row("sinc", lambda m: lambda a: m.sinc(a), one(0, 3), floats(-2, 2)),
    Row("fix", lambda m: lambda a: m.fix(a), one(0, 2), away_from(-3, 3, range(-3, 4), 0.05)),
    Row("round", lambda m: lambda a: m.round(a, 1) + a, one(0, 2),
        away_from(-3, 3, [k / 10 + 0.05 for k in range(-31, 31)], 0.01)),
    Row("nan_to_num", lambda m: lambda a: m.nan_to_num(m.log(a)) * a, one(0, 2), NONZERO),
    Row("select", lambda m: lambda a, b: m.select([a > 1, b < 0], [a * b, b ** 2], a),
        same(2, 0, 2), NONZERO),
    Row("full_like", lambda m: lambda a, b: m.full_like(b, a) * b, fixed(((), (2, 3)), ((), ())),
        FREE),
    Row("copy", lambda m: lambda a: m.copy(a) * a, one(0, 2), FREE),
    # ---- issue 20: the parts of a real number, and gradient (autograd's test suite uses them)
    Row("real", lambda m: lambda a: m.real(a) * a, one(0, 3), FREE),
    Row("imag", lambda m: lambda a: m.imag(a) + a, one(0, 3), FREE),
    Row("conjugate", lambda m: lambda a: m.conjugate(a) * m.conj(a), one(0, 3), FREE),
    Row("real_if_close", lambda m: lambda a: m.real_if_close(a) * a, one(0, 2), FREE),
    Row("angle", lambda m: lambda a: m.angle(a) * a + m.angle(a, deg=True) / 90.0, one(0, 2),
        NONZERO),
    Row("gradient", lambda m: lambda a: m.gradient(a), one(1, 1, min_side=2), FREE),
    Row("gradient-axes", lambda m: lambda a: _weighted(m, m.gradient(a, 0.5)),
        one(2, 3, min_side=2), FREE),
    Row("gradient-edge2", lambda m: lambda a: m.gradient(a, 2.0, axis=0, edge_order=2),
        one(1, 2, min_side=3), FREE),
    Row("gradient-coords", lambda m: lambda a: m.gradient(a, np.array([0.0, 0.5, 1.5, 1.75]),
                                                          axis=-1, edge_order=2),
        fixed(((4,),), ((2, 4),)), FREE),
    Row("gradient-coords1", lambda m: lambda a: _weighted(m, m.gradient(
        a, np.array([0.0, 0.5, 1.5]), 0.3)), fixed(((3, 2),)), FREE),
    # ---- accumulations and order
    Row("cumsum", lambda m: lambda a: m.cumsum(a), one(0, 3), FREE),
    Row("cumsum-axis", lambda m: lambda a: m.cumsum(a, axis=-1) * a, one(1, 3), FREE),
    Row("cumprod", lambda m: lambda a: m.cumprod(a, axis=0), one(1, 3), FREE),
    Row("cumprod-flat", lambda m: lambda a: m.cumprod(a), one(0, 3), floats(-2, 2)),
    Row("diff", lambda m: lambda a: m.diff(a) * a[..., 1:], one(1, 3), FREE),
    Row("diff-n", lambda m: lambda a: m.diff(a, n=2, axis=0, prepend=0.5), one(1, 3), FREE),
    Row("sort", lambda m: lambda a: m.sort(a), one(1, 3), DISTINCT),
    Row("sort-axis", lambda m: lambda a: m.sort(a, axis=None) * np.arange(a.size), one(0, 3),
        DISTINCT),
    Row("partition", lambda m: lambda a: m.partition(a, 1, axis=0)[1],
        one(1, 3, min_side=2), DISTINCT),
    Row("median", lambda m: lambda a: m.median(a), one(0, 3), DISTINCT),
    Row("median-axis", lambda m: lambda a: m.median(a, axis=-1, keepdims=True), one(1, 3),
        DISTINCT),
    Row("quantile", lambda m: lambda a: m.quantile(a, [0.25, 0.9], axis=0), one(1, 3),
        DISTINCT),
    Row("percentile", lambda m: lambda a: m.percentile(a, 30.0, axis=(0, -1)), one(2, 3),
        DISTINCT),
    # ---- linear algebra: products and matrix parts
    Row("tensordot", lambda m: lambda a, b: m.tensordot(a, b, 1),
        fixed(((2, 3), (3, 2)), ((3,), (3, 2)), ((2, 2, 3), (3,))), FREE),
    Row("tensordot-axes", lambda m: lambda a, b: m.tensordot(a, b, axes=([0, 1], [1, 0])),
        fixed(((2, 3), (3, 2)), ((2, 3, 2), (3, 2, 1))), FREE),
    Row("vdot", lambda m: lambda a, b: m.vdot(a, b), same(2, 0, 3), FREE),
    Row("inner", lambda m: lambda a, b: m.inner(a, b),
        fixed(((3,), (3,)), ((2, 3), (3,)), ((2, 3), (4, 3)), ((), (2,))), FREE),
    Row("kron", lambda m: lambda a, b: m.kron(a, b),
        fixed(((2,), (3,)), ((2, 2), (1, 2)), ((2,), (2, 2)), ((), (2,))), FREE),
    Row("cross", lambda m: lambda a, b: m.cross(a, b),
        fixed(((3,), (3,)), ((2, 3), (3,)), ((2,), (2,)), ((3,), (2,)), ((2, 2), (2, 3))),
        FREE),
    Row("trace", lambda m: lambda a: m.trace(a), one(2, 3), FREE),
    Row("trace-offset", lambda m: lambda a: m.trace(a, 1, axis1=-1, axis2=0), one(2, 3), FREE),
    Row("diag", lambda m: lambda a: m.diag(a), one(1, 2), FREE),
    Row("diag-k", lambda m: lambda a: m.diag(a, k=-1), one(1, 2), FREE),
    Row("diagonal", lambda m: lambda a: m.diagonal(a, -1, 1, 0), one(2, 3), FREE),
    Row("tril", lambda m: lambda a: m.tril(a), one(2, 3), FREE),
    Row("triu", lambda m: lambda a: m.triu(a, -1) * m.tril(a, 1), one(2, 3), FREE),
    # ---- einsum: ellipsis, repeated indices, sublists
    Row("einsum-ellipsis", lambda m: lambda a, b: m.einsum("...ij,...jk->...ik", a, b),
        fixed(((2, 3), (3, 2)), ((2, 2, 3), (3, 1)), ((2, 1, 2), (2, 2, 2))), FREE),
    Row("einsum-trace", lambda m: lambda a: m.einsum("ii", a), fixed(((3, 3),), ((1, 1),)), FREE),
    Row("einsum-diagonal", lambda m: lambda a, b: m.einsum("ii,ij->ij", a, b),
        fixed(((2, 2), (2, 3)),), FREE),
    Row("einsum-batch-diag", lambda m: lambda a: m.einsum("...ii->...i", a),
        fixed(((2, 2),), ((2, 3, 3),)), FREE),
    Row("einsum-sublist", lambda m: lambda a, b: m.einsum(a, [0, 1], b, [1, 2], [0, 2]),
        fixed(((2, 3), (3, 2)),), FREE),
    Row("einsum-sublist-implicit", lambda m: lambda a, b: m.einsum(a, [Ellipsis, 0], b, [0]),
        fixed(((2, 3), (3,)), ((3,), (3,))), FREE),
    # ---- tnp.linalg
    Row("norm", lambda m: lambda a: m.linalg.norm(a), one(0, 3), NONZERO),
    Row("norm-axis", lambda m: lambda a: m.linalg.norm(a, axis=-1, keepdims=True), one(1, 3),
        NONZERO),
    Row("norm-ord1", lambda m: lambda a: m.linalg.norm(a, 1, axis=0), one(1, 2), NONZERO),
    Row("norm-ordinf", lambda m: lambda a: m.linalg.norm(a + 3.0, np.inf, axis=0)
        + m.linalg.norm(a + 3.0, -np.inf, axis=0), one(1, 2), DISTINCT),
    Row("norm-ord3", lambda m: lambda a: m.linalg.norm(a, 3), one(1, 1), NONZERO),
    Row("norm-fro", lambda m: lambda a: m.linalg.norm(a, "fro", axis=(0, -1)), one(2, 3),
        NONZERO),
    Row("norm-matrix-1", lambda m: lambda a: m.linalg.norm(a + 3.0, 1) + m.linalg.norm(
        a + 3.0, -np.inf), one(2, 2), DISTINCT),
    Row("norm-matrix-2", lambda m: lambda a: m.linalg.norm(a, 2) + m.linalg.norm(a, "nuc"),
        fixed(((2, 2),), ((3, 2),), ((2, 3),)), DISTINCT),
    Row("solve", lambda m: lambda a, b: m.linalg.solve(a + 4 * _eye(a), b),
        fixed(((2, 2), (2,)), ((3, 3), (3, 2)), ((2, 2, 2), (2, 2, 1)), ((2, 2, 2), (2,))),
        floats(-1, 1)),
    Row("inv", lambda m: lambda a: m.linalg.inv(a + 4 * _eye(a)), square_matrices(),
        floats(-1, 1)),
    Row("det", lambda m: lambda a: m.linalg.det(a + 4 * _eye(a)), square_matrices(),
        floats(-1, 1)),
    Row("slogdet", lambda m: lambda a: m.linalg.slogdet(a + 4 * _eye(a))[1]
        * m.linalg.slogdet(a - 4 * _eye(a))[0], square_matrices(), floats(-1, 1)),
    Row("cholesky", lambda m: lambda a: m.linalg.cholesky(a @ m.swapaxes(a, -1, -2) + _eye(a)),
        square_matrices(), FREE),
    Row("cholesky-lower", lambda m: lambda a: m.linalg.cholesky(a + 5 * _eye(a)),
        square_matrices(batch=False), floats(-1, 1)),
    Row("eigh-values", lambda m: lambda a: m.linalg.eigh(a + 5 * np.diag(np.arange(
        a.shape[-1])))[0], square_matrices(), floats(-1, 1)),
    Row("eigh-vectors", lambda m: lambda a: (lambda v: v * v[..., :1, :])(m.linalg.eigh(
        0.5 * (a + m.swapaxes(a, -1, -2)) + 5 * np.diag(np.arange(a.shape[-1])))[1]),
        square_matrices(), floats(-1, 1)),
    Row("eigvalsh", lambda m: lambda a: m.linalg.eigvalsh(a + 5 * np.diag(np.arange(
        a.shape[-1])), UPLO="U"), square_matrices(), floats(-1, 1)),
    Row("svd", lambda m: lambda a: (lambda u, s, vt: m.concatenate([
        m.ravel((u * s[..., None, :]) @ vt), m.ravel(u * u[..., :1, :]),
        m.ravel(vt * vt[..., :, :1]), m.ravel(s)]))(*m.linalg.svd(_spread(a), full_matrices=False)),
        fixed(((3, 2),), ((2, 3),), ((2, 2),), ((2, 2, 2),)), floats(-1, 1)),
    Row("svd-values", lambda m: lambda a: m.linalg.svd(_spread(a), compute_uv=False), one(2, 3),
        floats(-1, 1)),
    Row("qr", lambda m: lambda a: (lambda q, r: m.concatenate([m.ravel(q), m.ravel(r)]))(
        *m.linalg.qr(_spread(a))), fixed(((3, 2),), ((2, 2),), ((2, 3, 2),)),
        away_from(-1, 1, [0.0], 0.1)),    # LAPACK's signs jump where a column below is all 0
    Row("pinv", lambda m: lambda a: m.linalg.pinv(a + np.eye(*a.shape[-2:]) * 3),
        fixed(((3, 2),), ((2, 3),), ((2, 2),)), floats(-1, 1)),
    # LAPACK's order of the eigenvalues and signs of the vectors can jump between nearby
    # matrices: the rows read them in ways that do not depend on either
    Row("eig", lambda m: lambda a: (lambda w, v: m.concatenate([m.ravel(m.sort(w, axis=-1)),
        m.ravel(m.sum(v * v[..., :1, :] * w[..., None, :] ** 2, axis=-1))]))(
        *m.linalg.eig(_real_eigenvalues(a))),
        fixed(((2, 2),), ((3, 3),), ((2, 3, 3),)), floats(-1, 1)),
    Row("eigvals", lambda m: lambda a: m.sort(m.linalg.eigvals(_real_eigenvalues(a))),
        fixed(((2, 2),), ((3, 3),)), floats(-1, 1)),
    Row("matrix_power", lambda m: lambda a: m.linalg.matrix_power(a, 3)
        + m.linalg.matrix_power(a + 4 * _eye(a), -2), square_matrices(), floats(-1, 1)),
]
