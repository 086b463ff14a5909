"""Matrix products: matmul (and batch_matmul) and einsum.

For ``C = A @ B`` the chain rule gives the two matrix products every
backpropagation derivation ends with:

    Ā = C̄ @ Bᵀ        B̄ = Aᵀ @ C̄

A 1-D operand is treated as a row (left) or a column (right) matrix, as
NumPy does, and batch axes that broadcast are summed back by ``unbroadcast``.

The last section holds the few helpers that the matrix functions
(``matrix.py``) and the decompositions (``decompositions.py``) share.
"""
import numpy as np

from ..core import Primitive, TracegradError, add_any, shape_of
from ..words import message
from .indexing import getitem
from .shape import moveaxis, reshape, sum_to_shape, transpose

__all__ = ["matmul", "batch_matmul", "einsum"]


def _promoted(a, b):
    """Shapes of a, b and the output with 1-D operands made 2-D."""
    sa, sb = shape_of(a), shape_of(b)
    pa = (1,) + sa if len(sa) == 1 else sa
    pb = sb + (1,) if len(sb) == 1 else sb
    batch = np.broadcast_shapes(pa[:-2], pb[:-2]) if len(pa) > 2 or len(pb) > 2 else ()
    return pa, pb, batch + (pa[-2], pb[-1])


def mT(x):
    """Swap the last two axes: the transpose of each matrix in a stack (NumPy's ``x.mT``)."""
    n = len(shape_of(x))
    if n == 2:
        return x.T                               # a tracer's .T is traced too
    axes = tuple(range(n))
    return transpose(x, axes=axes[:-2] + (axes[-1], axes[-2]))


def _as(x, shape):
    return x if shape_of(x) == shape else reshape(x, shape=shape)


def _matmul_vjp_a(g, out, a, b):
    if len(shape_of(a)) == 2 and len(shape_of(b)) == 2:
        return g @ mT(b)                         # Ā = C̄ Bᵀ, the common case
    pa, pb, po = _promoted(a, b)
    ga = _as(g, po) @ mT(_as(b, pb))           # Ā = C̄ Bᵀ
    return _as(sum_to_shape(ga, pa), shape_of(a))


def _matmul_vjp_b(g, out, a, b):
    if len(shape_of(a)) == 2 and len(shape_of(b)) == 2:
        return mT(a) @ g                         # B̄ = Aᵀ C̄, the common case
    pa, pb, po = _promoted(a, b)
    gb = mT(_as(a, pa)) @ _as(g, po)           # B̄ = Aᵀ C̄
    return _as(sum_to_shape(gb, pb), shape_of(b))


def _matmul_jvp(ts, out, a, b):
    ta, tb = ts                                  # Ċ = Ȧ B + A Ḃ
    return add_any((None if ta is None else matmul(ta, b),
                    None if tb is None else matmul(a, tb)))


def _matmul_source(args, params, lit, values):
    # np.dot is matmul for vectors and matrices, and quicker to call than @.
    if all(isinstance(v, np.ndarray) and v.ndim in (1, 2) for v in values):
        return f"np.dot({args[0]}, {args[1]})"
    return f"{args[0]} @ {args[1]}"


matmul = Primitive("matmul", np.matmul, jvp=_matmul_jvp,
                   vjp=(_matmul_vjp_a, _matmul_vjp_b),
                   formulas=("C̄ Bᵀ", "Aᵀ C̄"), doc="A @ B with NumPy's rules",
                   saves=("args",), source=_matmul_source,
                   domain=((-3, 3), (-3, 3)),
                   convention="an empty inner axis gives zeros (NumPy); derivatives are empty",
                   examples=[(shapes, {}) for shapes in (
                       ((2, 3), (3, 2)), ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)),
                       ((2, 3), (3, 4)), ((2, 2, 3), (3, 2)), ((3,), (2, 3, 2)),
                       ((2, 1, 3), (2, 3, 2)))])


def batch_matmul(lhs, rhs):
    """``lhs @ rhs`` over a leading batch axis, as ``jax.lax.batch_matmul``."""
    sl, sr = shape_of(lhs), shape_of(rhs)
    if len(sl) < 3 or sl[:-2] != sr[:-2]:
        raise ValueError(message("err.batch-matmul", a=sl, b=sr))
    return matmul(lhs, rhs)


# ---- einsum -----------------------------------------------------------------

def _einsum_vjp(g, out, *operands, spec):
    ins, result = spec.split("->")
    ins = ins.split(",")
    cotangents = []
    for k, sub in enumerate(ins):
        others = [(s, op) for j, (s, op) in enumerate(zip(ins, operands)) if j != k]
        subs = [result] + [s for s, _ in others]
        ops = [g] + [op for _, op in others]
        if set(sub) - set("".join(subs)):       # an index summed away by this operand alone
            subs.append(sub)
            ops.append(np.ones(shape_of(operands[k])))
        cotangents.append(einsum(*ops, spec=",".join(subs) + "->" + sub))
    return cotangents


def _einsum_jvp(ts, out, *operands, spec):
    # linear in each operand: one term per tangent, the tangent in its operand's place
    return add_any(None if t is None else einsum(*operands[:k], t, *operands[k + 1:], spec=spec)
                   for k, t in enumerate(ts))


def _einsum_impl(*operands, spec):
    return np.einsum(spec, *operands)


einsum = Primitive("einsum", _einsum_impl, jvp=_einsum_jvp, vjp=_einsum_vjp,
                   formulas=("the other operands",),
                   doc="Einstein summation with explicit output, e.g. 'ij,jk->ik'",
                   saves=("args",), source=lambda args, params, lit, values:
                   f"np.einsum({params['spec']!r}, {', '.join(args)})",
                   domain=((-3, 3),), convention="an empty summed axis gives zeros (NumPy)",
                   examples=[(shapes, dict(spec=spec)) for spec, shapes in (
                       ("ij,jk->ik", ((2, 3), (3, 2))), ("i,i->", ((3,), (3,))),
                       ("ij->j", ((2, 3),)), ("bij,bjk->bik", ((2, 2, 3), (2, 3, 2))),
                       ("i,j->ij", ((2,), (3,))))])


def normalize_spec(spec, n_operands):
    """'ij,jk' → 'ij,jk->ik' (NumPy's implicit output), checked for what we support."""
    spec = spec.replace(" ", "")
    if "." in spec:
        raise TracegradError(message("err.einsum-ellipsis"))
    ins = spec.split("->")[0].split(",")
    if len(ins) != n_operands:
        raise ValueError(message("err.einsum-count", spec=repr(spec), want=len(ins),
                                 got=n_operands))
    if "->" not in spec:
        letters = "".join(ins)
        spec += "->" + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    for sub in ins:
        if len(set(sub)) != len(sub):
            raise TracegradError(message("err.einsum-repeat", sub=repr(sub)))
    return spec


# ---- batching rules (vmap, see tracegrad/vmap.py) ------------------------------------

def _matmul_batch(dims, a, b):
    """A batch of products is one product with one more batch axis in front.

    matmul already broadcasts its leading (batch) axes, so each operand gets
    the examples' axis first and length-1 axes up to the other's rank; a 1-D
    operand is made a row (a) or a column (b) first, and that axis removed after.
    """
    (da, db), sa, sb = dims, shape_of(a), shape_of(b)
    if da == 0 and db is None and len(sb) == 2 and len(sa) == 2:
        return matmul(a, b), da                  # a batch of vectors times one matrix
    ea, eb = (sa[:da] + sa[da + 1:] if da is not None else sa,
              sb[:db] + sb[db + 1:] if db is not None else sb)
    pa, pb = ((1,) + ea if len(ea) == 1 else ea), (eb + (1,) if len(eb) == 1 else eb)
    rank = max(len(pa), len(pb))

    def lift(x, d, p):
        if d is None:
            return _as(x, p)
        x = moveaxis(x, d, 0)
        return _as(x, shape_of(x)[:1] + (1,) * (rank - len(p)) + p)

    out = matmul(lift(a, da, pa), lift(b, db, pb))
    s = shape_of(out)
    keep = s[:-2] + ((s[-2],) if len(ea) > 1 else ()) + ((s[-1],) if len(eb) > 1 else ())
    return _as(out, keep), 0


def _einsum_batch(dims, *operands, spec):
    """One more index for the examples, on every batched operand and on the output."""
    ins, result = spec.split("->")
    letter = next(c for c in "zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLKJIHGFEDCBA"
                  if c not in spec)
    subs = [s if d is None else letter + s for s, d in zip(ins.split(","), dims, strict=True)]
    ops = [op if d is None else moveaxis(op, d, 0) for op, d in zip(operands, dims, strict=True)]
    return einsum(*ops, spec=",".join(subs) + "->" + letter + result), 0


matmul.batch = _matmul_batch
einsum.batch = _einsum_batch


# ---- shared by matrix.py and decompositions.py ---------------------------------------

def diagonal(x):
    """The diagonal of each matrix in a stack (NumPy's ``np.linalg.diagonal``)."""
    n = shape_of(x)[-1]
    return getitem(x, (Ellipsis, np.arange(n), np.arange(n)))


def stacked_batch(primitive):
    """vmap: the examples' axis first; np.linalg treats leading axes as a stack."""
    return lambda dims, a, **params: (primitive.bind(moveaxis(a, dims[0], 0), **params), 0)


# well conditioned (the tests add 3, 5, 7… to the diagonal: distinct singular values)
WIDE_TALL_SQUARE = ((2, 3), (3, 2), (2, 2))
