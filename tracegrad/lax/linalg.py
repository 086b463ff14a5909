"""Linear algebra: matmul (and batch_matmul) and einsum.

For ``C = A @ B`` the chain rule gives the two matrix products every
backpropagation derivation ends with:

    Ā = C̄ @ Bᵀ        B̄ = Aᵀ @ C̄

A 1-D operand is treated as a row (left) or a column (right) matrix, as
NumPy does, and batch axes that broadcast are summed back by ``unbroadcast``.
"""
import numpy as np

from ..core import Primitive, TracegradError, add_any, shape_of
from .shape import reshape, sum_to_shape, transpose

__all__ = ["matmul", "batch_matmul", "einsum"]


def _promoted(a, b):
    """Shapes of a, b and the output with 1-D operands made 2-D."""
    sa, sb = shape_of(a), shape_of(b)
    pa = (1,) + sa if len(sa) == 1 else sa
    pb = sb + (1,) if len(sb) == 1 else sb
    batch = np.broadcast_shapes(pa[:-2], pb[:-2]) if len(pa) > 2 or len(pb) > 2 else ()
    return pa, pb, batch + (pa[-2], pb[-1])


def _mT(x):
    """Swap the last two axes (the matrix transpose, batched)."""
    n = len(shape_of(x))
    if n == 2:
        return x.T                               # a tracer's .T is traced too
    axes = tuple(range(n))
    return transpose(x, axes=axes[:-2] + (axes[-1], axes[-2]))


def _as(x, shape):
    return x if shape_of(x) == shape else reshape(x, shape=shape)


def _matmul_vjp_a(g, out, a, b):
    if len(shape_of(a)) == 2 and len(shape_of(b)) == 2:
        return g @ _mT(b)                        # Ā = C̄ Bᵀ, the common case
    pa, pb, po = _promoted(a, b)
    ga = _as(g, po) @ _mT(_as(b, pb))          # Ā = C̄ Bᵀ
    return _as(sum_to_shape(ga, pa), shape_of(a))


def _matmul_vjp_b(g, out, a, b):
    if len(shape_of(a)) == 2 and len(shape_of(b)) == 2:
        return _mT(a) @ g                        # B̄ = Aᵀ C̄, the common case
    pa, pb, po = _promoted(a, b)
    gb = _mT(_as(a, pa)) @ _as(g, po)          # B̄ = Aᵀ C̄
    return _as(sum_to_shape(gb, pb), shape_of(b))


def _matmul_jvp(ts, out, a, b):
    ta, tb = ts                                  # Ċ = Ȧ B + A Ḃ
    return add_any((None if ta is None else matmul(ta, b),
                    None if tb is None else matmul(a, tb)))


matmul = Primitive("matmul", np.matmul, jvp=_matmul_jvp,
                   vjp=(_matmul_vjp_a, _matmul_vjp_b),
                   formulas=("C̄ Bᵀ", "Aᵀ C̄"), doc="A @ B with NumPy's rules", saves=("args",))


def batch_matmul(lhs, rhs):
    """``lhs @ rhs`` over a leading batch axis, as ``jax.lax.batch_matmul``."""
    sl, sr = shape_of(lhs), shape_of(rhs)
    if len(sl) < 3 or sl[:-2] != sr[:-2]:
        raise ValueError(f"batch_matmul: both operands need the same batch axes and two "
                         f"matrix axes, but the shapes are {sl} and {sr}.")
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
                   saves=("args",))


def normalize_spec(spec, n_operands):
    """'ij,jk' → 'ij,jk->ik' (NumPy's implicit output), checked for what we support."""
    spec = spec.replace(" ", "")
    if "." in spec:
        raise TracegradError("einsum: '...' (ellipsis) is not supported; write out the "
                             "axes with letters, e.g. 'bij,bjk->bik'.")
    ins = spec.split("->")[0].split(",")
    if len(ins) != n_operands:
        raise ValueError(f"einsum: the subscripts {spec!r} name {len(ins)} operand(s), "
                         f"but {n_operands} were given.")
    if "->" not in spec:
        letters = "".join(ins)
        spec += "->" + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    for sub in ins:
        if len(set(sub)) != len(sub):
            raise TracegradError(f"einsum: the subscript {sub!r} repeats an index (a "
                                 f"diagonal); that is not supported. Use tnp.diagonal-free "
                                 f"forms, e.g. multiply by an identity matrix.")
    return spec
