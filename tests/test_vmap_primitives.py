"""Every primitive under ``vmap``, against an explicit Python loop over the examples.

One row per primitive (``CASES``): a function of arrays that applies it, and
the shapes and element domains of its arguments. Hypothesis draws the shapes,
the batch size and, for every argument, whether it is batched and along which
axis; the vmapped result must equal ``np.stack([fun(example) for ...])``.
Differentiable rows are also checked nested: ``vmap(grad(sum ∘ fun))`` against
a loop of gradients, and ``vmap`` of a ``jvp`` against a loop of JVPs, so the
derivative rules run on batched values too (their masks included).
A test fails when a primitive has no row.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.numpy as tnp
from tracegrad import lax

from . import strategies as S
from .numeric import assert_close

F = S.floats
VMAP_TOL = dict(rtol=1e-12, atol=1e-12)


def row(fun, *args, diff=True):
    """A case: ``fun`` of the arrays ``args`` = [(shape, elements), ...]."""
    return (fun, list(args), diff)


def unary(name, elements, diff=True):
    return S.shapes().map(lambda s: row(getattr(lax, name), (s, elements), diff=diff))


def binary(name, x_elements, y_elements):
    return S.broadcast_shape_pairs().map(
        lambda p: row(getattr(lax, name), (p[0], x_elements), (p[1], y_elements)))


def reduction(tnp_fun, elements):
    return S.shape_axis_keepdims().map(lambda sak: row(
        lambda x: tnp_fun(x, axis=sak[1], keepdims=sak[2]), (sak[0], elements)))


def arg_reduction(tnp_fun):
    def make(shape, axis, keepdims):
        return row(lambda x: tnp_fun(x, axis=axis, keepdims=keepdims),
                   (shape, F(-3, 3)), diff=False)
    return S.shapes(min_dims=1).flatmap(lambda s: st.builds(
        make, st.just(s), st.one_of(st.none(), st.integers(-len(s), len(s) - 1)),
        st.booleans()))


def _spd(a):
    """A well-conditioned symmetric positive definite matrix made from ``a``."""
    return a @ tnp.swapaxes(a, -1, -2) + 3.0 * np.eye(a.shape[-1])


def _axes(axis, ndim):
    """A reduction's axis (None, an int or a tuple) as norm2's tuple of axes."""
    if axis is None:
        return None
    return tuple(a % ndim for a in (axis if isinstance(axis, tuple) else (axis,)))


def transposed(shape, perm):
    return row(lambda x: lax.transpose(x, axes=tuple(perm)), (shape, F(-3, 3)))


def concatenated(shape, axis):
    return row(lambda x, y: lax.concatenate(x, y, axis=axis),
               (shape, F(-3, 3)), (shape[:axis] + (2,) + shape[axis + 1:], F(-3, 3)))


# (per-example shape, index): basic, integer arrays side by side or split by a
# slice (then NumPy puts their axes first), boolean masks, None and Ellipsis.
INDICES = [
    ((3,), (1,)),
    ((3,), (slice(0, 2),)),
    ((3, 2), (np.array([0, 2, 0]),)),
    ((3, 2), (Ellipsis, 1)),
    ((3, 2), (None, slice(None), 0)),
    ((2, 3), (np.array([[True, False, True], [False, True, True]]),)),
    ((2, 3, 2), (np.array([0, 1, 1]), slice(None), np.array([1, 0, 1]))),
    ((2, 3, 2), (1, slice(None), np.array([1, 0]))),
    ((2, 3, 2), (slice(None), np.array([2, 2]), np.array([0, 1]))),
]


def _picked(shape, index):
    return np.empty(shape)[index].shape


def getitem_case(shape, index):
    return row(lambda x: lax.getitem(x, index=index), (shape, F(-3, 3)))


def index_add_case(shape, index):
    return row(lambda g: lax.index_add(g, index=index, shape=shape),
               (_picked(shape, index), F(-3, 3)))


def index_set_case(shape, index, scalar_v):
    v_shape = () if scalar_v else _picked(shape, index)
    return row(lambda x, v: lax.index_set(x, v, index=index), (shape, F(-3, 3)),
               (v_shape, F(-3, 3)))


MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4)),
                 ((2, 2, 3), (3, 2)), ((3,), (2, 3, 2)), ((2, 1, 3), (2, 3, 2))]
EINSUM_SPECS = [("ij,jk->ik", (2, 3), (3, 4)), ("i,i->", (3,), (3,)), ("ij->j", (2, 3)),
                ("bij,bjk->bik", (2, 2, 3), (2, 3, 2)), ("i,j->ij", (2,), (3,))]


def einsum_case(spec, *shapes):
    return row(lambda *ops: lax.einsum(*ops, spec=spec), *[(s, F(-3, 3)) for s in shapes])


def _positions(p, axis):
    """Integer positions that differ per example, 0 picked twice: argsort(p) − 1, at least 0."""
    return tnp.maximum(tnp.argsort(p, axis=axis) - 1, 0)


def along_case(name, shape, axis):
    if name == "take_along":
        return row(lambda x, p: lax.take_along(x, _positions(p, axis), axis=axis),
                   (shape, F(-3, 3)), (shape, F(-3, 3)))
    return row(lambda g, p: lax.add_along(g, _positions(p, axis), axis=axis, shape=shape),
               (shape, F(-3, 3)), (shape, F(-3, 3)))


CASES = {
    "abs":         unary("abs", S.away_from(-3, 3, [0.0], 0.1)),
    "acos":        unary("acos", F(-0.9, 0.9)),
    "asin":        unary("asin", F(-0.9, 0.9)),
    "atan":        unary("atan", F(-3, 3)),
    "cos":         unary("cos", F(-3, 3)),
    "cosh":        unary("cosh", F(-2, 2)),
    "exp":         unary("exp", F(-2, 2)),
    "expm1":       unary("expm1", F(-2, 2)),
    "log":         unary("log", F(0.2, 4)),
    "log1p":       unary("log1p", F(-0.7, 3)),
    "logistic":    unary("logistic", F(-3, 3)),
    "neg":         unary("neg", F(-3, 3)),
    "sign":        unary("sign", S.away_from(-3, 3, [0.0], 0.1)),
    "sin":         unary("sin", F(-3, 3)),
    "sinh":        unary("sinh", F(-2, 2)),
    "softplus":    unary("softplus", F(-3, 3)),
    "sqrt":        unary("sqrt", F(0.2, 4)),
    "square":      unary("square", F(-3, 3)),
    "tan":         unary("tan", F(-1.2, 1.2)),
    "tanh":        unary("tanh", F(-2, 2)),
    "stop_gradient": unary("stop_gradient", F(-3, 3)),
    "integer_pow": st.tuples(S.shapes(), st.integers(-2, 3)).map(lambda sn: row(
        lambda x: lax.integer_pow(x, n=sn[1]), (sn[0], S.away_from(-2, 2, [0.0], 0.2)))),
    "astype":      S.shapes().map(lambda s: row(lambda x: lax.astype(x, dtype=np.float32),
                                                (s, F(-3, 3)), diff=False)),
    "add":         binary("add", F(-3, 3), F(-3, 3)),
    "sub":         binary("sub", F(-3, 3), F(-3, 3)),
    "mul":         binary("mul", F(-3, 3), F(-3, 3)),
    "div":         binary("div", F(-3, 3), S.away_from(-3, 3, [0.0], 0.3)),
    "pow":         binary("pow", F(0.3, 2.5), F(-2, 2.5)),
    "atan2":       binary("atan2", F(-2, 2), F(0.3, 2)),
    "max":         binary("max", F(-3, 3), F(-3, 3)),
    "min":         binary("min", F(-3, 3), F(-3, 3)),
    "select":      S.broadcast_shape_pairs().map(lambda p: row(
        lambda c, x, y: lax.select(c > 0, x, y), (p[0], F(-1, 1)), (p[0], F(-3, 3)),
        (p[1], F(-3, 3)))),
    "reduce_sum":  reduction(tnp.sum, F(-3, 3)),
    "reduce_max":  reduction(tnp.max, F(-3, 3)),
    "reduce_min":  reduction(tnp.min, F(-3, 3)),
    "argmax":      arg_reduction(tnp.argmax),
    "argmin":      arg_reduction(tnp.argmin),
    "reshape":     S.shapes().flatmap(lambda s: st.sampled_from([
        row(lambda x: lax.reshape(x, shape=(int(np.prod(s)),)), (s, F(-3, 3))),
        row(lambda x: lax.reshape(x, shape=(1,) + s + (1,)), (s, F(-3, 3)))])),
    "transpose":   S.shapes().flatmap(lambda s: st.permutations(range(len(s))).map(
        lambda perm: transposed(s, perm))),
    "broadcast_to": S.shapes().map(lambda s: row(
        lambda x: lax.broadcast_to(x, shape=(2,) + s), (s, F(-3, 3)))),
    "concatenate": S.shapes(min_dims=1).flatmap(lambda s: st.integers(0, len(s) - 1).map(
        lambda axis: concatenated(s, axis))),
    "getitem":     st.sampled_from(INDICES).map(lambda si: getitem_case(*si)),
    "index_add":   st.sampled_from(INDICES).map(lambda si: index_add_case(*si)),
    "index_set":   st.tuples(st.sampled_from(INDICES), st.booleans()).map(
        lambda sib: index_set_case(*sib[0], sib[1])),
    **{name: S.shapes(min_dims=1).flatmap(lambda s, name=name: st.integers(
        0, len(s) - 1).map(lambda axis: along_case(name, s, axis)))
       for name in ("take_along", "add_along")},
    "matmul":      st.sampled_from(MATMUL_SHAPES).map(lambda ab: row(
        lax.matmul, (ab[0], F(-3, 3)), (ab[1], F(-3, 3)))),
    "einsum":      st.sampled_from(EINSUM_SPECS).map(lambda c: einsum_case(*c)),
    "asinh":       unary("asinh", F(-3, 3)),
    "acosh":       unary("acosh", F(1.2, 4)),
    "atanh":       unary("atanh", F(-0.9, 0.9)),
    "floor":       unary("floor", F(-3, 3)),
    "ceil":        unary("ceil", F(-3, 3)),
    "rint":        unary("rint", F(-3, 3)),
    "trunc":       unary("trunc", F(-3, 3)),
    "logaddexp":   binary("logaddexp", F(-3, 3), F(-3, 3)),
    "hypot":       binary("hypot", F(0.3, 2), F(-2, 2)),           # issue 20
    "logaddexp2":  binary("logaddexp2", F(-3, 3), F(-3, 3)),
    "mod":         binary("mod", F(-3, 3), S.away_from(-3, 3, [0.0], 0.3)),
    "cumsum":      S.shapes(min_dims=1).flatmap(lambda s: st.tuples(
        st.integers(0, len(s) - 1), st.booleans()).map(lambda ar: row(
            lambda x: lax.cumsum(x, axis=ar[0], reverse=ar[1]), (s, F(-3, 3))))),
    **{name: st.sampled_from([2, 3]).map(lambda n, name=name: row(
        lambda a: getattr(lax, name)(_spd(a)), ((n, n), F(-1, 1))))
       for name in ("inv", "det", "logabsdet", "cholesky", "eigvalsh", "eigh_vectors")},
    "solve":       st.sampled_from([2, 3]).map(lambda n: row(
        lambda a, b: lax.solve(_spd(a), b), ((n, n), F(-1, 1)), ((n,), F(-3, 3)))),
    # issue 20: tall, square and wide, with distinct singular values (S._spread)
    **{name: st.sampled_from([(3, 2), (2, 2), (2, 3)]).map(lambda s, f=f: row(
        lambda a: f(S._spread(a)), (s, F(-1, 1))))
       for name, f in (("svd_values", lax.svd_values),
                       ("svd_u", lambda a: lax.svd_u(a, full=False)),
                       ("svd_vt", lambda a: lax.svd_vt(a, full=False)),
                       ("qr_q", lambda a: lax.qr_q(a, mode="reduced")),
                       ("qr_r", lambda a: lax.qr_r(a, mode="reduced")),
                       ("pinv", lambda a: lax.pinv(a, rcond=1e-15)))},
    # near the triangular diag(3, 6, 9): real, distinct eigenvalues
    **{name: st.sampled_from([2, 3]).map(lambda n, name=name: row(
        lambda a: getattr(lax, name)(0.3 * a + np.diag(3.0 * np.arange(1, n + 1))
                                     + np.triu(np.ones((n, n)), 1)), ((n, n), F(-1, 1))))
       for name in ("eig_values", "eig_vectors")},
    "norm2":       S.shape_axis_keepdims().map(lambda sak: row(
        lambda x: lax.norm2(x, axes=_axes(sak[1], len(sak[0])), keepdims=sak[2]),
        (sak[0], F(-3, 3)))),
}


def test_every_primitive_has_a_vmap_row():
    missing = sorted({p.name for p in tg.primitives()} - set(CASES))
    assert not missing, f"add a row to CASES in {__name__} for: {missing}"


def _draw_batch(data, specs):
    """Per argument: the batch axis (None: shared) and the examples; at least one batched."""
    size = data.draw(st.integers(1, 3), label="batch size")
    axes = [data.draw(st.one_of(st.none(), st.integers(-len(s) - 1, len(s))), label="axis")
            for s, _ in specs]
    if all(a is None for a in axes):
        axes[0] = 0
    examples = []
    for (shape, elements), ax in zip(specs, axes, strict=True):
        n = 1 if ax is None else size
        examples.append([data.draw(S.arrays(shape, elements)) for _ in range(n)])
    stacked = [ex[0] if ax is None else np.stack(ex, axis=ax)
               for ex, ax in zip(examples, axes, strict=True)]
    return size, axes, examples, stacked


def _example(examples, axes, b):
    return [ex[0] if ax is None else ex[b] for ex, ax in zip(examples, axes, strict=True)]


@pytest.mark.parametrize("name", sorted(CASES))
@S.examples(12)
@given(data=st.data())
def test_primitive_under_vmap_matches_a_loop(name, data):
    fun, specs, diff = data.draw(CASES[name], label="case")
    size, axes, examples, stacked = _draw_batch(data, specs)
    got = tg.vmap(fun, in_axes=tuple(axes))(*stacked)
    want = np.stack([fun(*_example(examples, axes, b)) for b in range(size)])
    assert np.shape(got) == np.shape(want)
    assert_close(got, want, **VMAP_TOL)
    if not diff:
        return

    def total(*args):
        return tnp.sum(fun(*args))
    got = tg.vmap(tg.grad(total), in_axes=tuple(axes))(*stacked)
    want = np.stack([tg.grad(total)(*_example(examples, axes, b)) for b in range(size)])
    assert_close(got, want, **VMAP_TOL, err_msg="vmap(grad)")

    rng = np.random.default_rng(len(specs))
    tangents = [rng.normal(size=np.shape(x)) for x in stacked]
    n = len(specs)

    def directional(*primals_and_tangents):
        return tg.jvp(fun, primals_and_tangents[:n], primals_and_tangents[n:])[1]
    got = tg.vmap(directional, in_axes=tuple(axes) * 2)(*stacked, *tangents)
    split = [[t] if ax is None else list(np.moveaxis(t, ax, 0))
             for t, ax in zip(tangents, axes, strict=True)]
    want = np.stack([directional(*_example(examples, axes, b), *_example(split, axes, b))
                     for b in range(size)])
    assert_close(got, want, **VMAP_TOL, err_msg="vmap(jvp)")
