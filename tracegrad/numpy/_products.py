"""Products and matrix parts: matmul, dot, einsum, tensordot, kron, trace, diag, tril, ...

``matmul`` and ``einsum`` are primitives; the rest are compositions: products
are ``einsum`` (or ``matmul``), diagonals are picked with integer arrays
(``getitem``), triangles are a ``select`` with a boolean mask, whose
derivative is that same mask.
"""
import string

import numpy as _np

from .. import lax
from ..core import concrete, shape_of
from ..lax.linalg import normalize_spec
from ..words import message as _message
from ..words import said as _said
from ._creation import asarray
from ._elementwise import multiply
from ._reductions import sum
from ._shape import broadcast_to, moveaxis, ndim, ravel, reshape, stack

__all__ = ["matmul", "dot", "outer", "einsum", "tensordot", "vdot", "inner", "kron", "cross",
           "trace", "diag", "diagonal", "tril", "triu"]


def matmul(a, b):
    if ndim(a) == 0 or ndim(b) == 0:
        raise ValueError(_message("err.matmul-scalar", a=shape_of(a), b=shape_of(b)))
    sa, sb = shape_of(a), shape_of(b)
    k_a = sa[-1]
    k_b = sb[0] if len(sb) == 1 else sb[-2]
    if k_a != k_b:
        raise ValueError(_not_aligned("matmul", sa, sb, k_a, k_b))
    return lax.matmul(a, b)


def _not_aligned(who, sa, sb, k_a, k_b):
    which = _said("part.only axis" if len(sb) == 1 else "part.second-to-last axis")
    return _message("err.align", who=who, a=sa, b=sb, k_a=k_a, k_b=k_b, which=which)


def dot(a, b):
    """NumPy's ``dot``: a product for scalars, ``matmul`` up to 2-D ``b``."""
    sa, sb = shape_of(a), shape_of(b)
    if not sa or not sb:
        return multiply(a, b)
    if len(sb) <= 2:
        k_b = sb[0] if len(sb) == 1 else sb[-2]
        if sa[-1] != k_b:
            raise ValueError(_not_aligned("dot", sa, sb, sa[-1], k_b))
        return lax.matmul(a, b)
    letters = "abcdefghijklmnopqrstuvwxyz"
    na, nb = len(sa), len(sb)
    sa = letters[:na - 1] + "z"
    sb = letters[na - 1:na + nb - 3] + "z" + letters[na + nb - 3]
    return einsum(f"{sa},{sb}->{sa[:-1]}{sb[:-2]}{sb[-1]}", a, b)


def outer(a, b):
    return multiply(reshape(a, (-1, 1)), reshape(b, (1, -1)))


_LETTERS = string.ascii_letters


def einsum(*operands):
    """Einstein summation: ``einsum('ij,jk->ik', A, B)``, with NumPy's extras.

    * ``...`` stands for the axes not named (batch axes, broadcast together);
    * a repeated index in one operand takes a diagonal (``'ii->i'``) or, summed,
      a trace (``'ii'``);
    * the interleaved form ``einsum(A, [0, 1], B, [1, 2], [0, 2])``.

    All three are rewritten here into the plain form the ``einsum`` primitive
    knows (letters only, no repeats in an operand): ``...`` becomes letters,
    a diagonal is picked first with ``diagonal``. So their derivatives come
    from the primitive's rule and from ``diagonal``'s (an index pick).
    """
    if isinstance(operands[0], str):
        spec, ops = operands[0].replace(" ", ""), list(operands[1:])
    else:
        spec, ops = _from_sublists(operands)
    ins, arrow, out = spec.partition("->")
    ins = ins.split(",")
    if len(ins) != len(ops):
        raise ValueError(_message("err.einsum-count", spec=repr(spec), want=len(ins),
                                  got=len(ops)))
    if "." in spec:
        ins, out, ops = _expand_ellipsis(ins, out if arrow else None, ops)
        arrow = "->" if out is not None else ""
        out = out or ""
    if not arrow:                               # implicit output: letters used once, sorted
        letters = "".join(ins)
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    for k, sub in enumerate(ins):
        ins[k], ops[k] = _take_diagonals(sub, ops[k])
    return lax.einsum(*ops, spec=normalize_spec(",".join(ins) + "->" + out, len(ops)))


def _from_sublists(args):
    """(A, [0, 1], B, [1, 2], [0, 2]) → 'ab,bc->ac' and [A, B]."""
    args = list(args)
    out = args.pop() if len(args) % 2 else None
    def letters(sub):
        return "".join("..." if i is Ellipsis else _LETTERS[i] for i in sub)
    ops, subs = args[0::2], args[1::2]
    spec = ",".join(letters(s) for s in subs)
    return (spec + "->" + letters(out) if out is not None else spec), list(ops)


def _expand_ellipsis(ins, out, ops):
    """Replace '...' by capital letters for the unnamed axes, broadcast together."""
    used = set("".join(ins) + (out or ""))
    spare = [c for c in _LETTERS[::-1] if c not in used]
    shapes = []
    for sub, op in zip(ins, ops):
        named = len(sub.replace("...", ""))
        shapes.append(shape_of(op)[:ndim(op) - named] if "..." in sub else ())
    batch = _np.broadcast_shapes(*shapes)
    names = "".join(spare[:len(batch)])
    new_ins, new_ops = [], []
    for sub, op, s in zip(ins, ops, shapes):
        if "..." in sub:
            if s != batch[len(batch) - len(s):]:      # a length-1 axis broadcast: copy it out
                named = shape_of(op)[len(s):]
                full = batch[len(batch) - len(s):]
                op = broadcast_to(op, tuple(b if n == 1 else n for n, b in zip(s, full))
                                      + named)
            sub = sub.replace("...", names[len(names) - len(s):])
        new_ins.append(sub)
        new_ops.append(op)
    if out is None:                               # implicit: the batch axes, then the rest
        letters = "".join(new_ins)
        rest = "".join(sorted(c for c in set("".join(i.replace("...", "") for i in ins))
                              if letters.count(c) == 1))
        out = names + rest
    else:
        out = out.replace("...", names)
    return new_ins, out, new_ops


def _take_diagonals(sub, op):
    """'ii' on a matrix → 'i' on its diagonal (repeatedly, for every repeat)."""
    while len(set(sub)) != len(sub):
        c = next(c for c in sub if sub.count(c) > 1)
        first = sub.index(c)
        second = sub.index(c, first + 1)
        op = diagonal(op, 0, first, second)              # the diagonal becomes the last axis
        sub = "".join(x for k, x in enumerate(sub) if k not in (first, second)) + c
    return sub, op


def tensordot(a, b, axes=2):
    """Sum of products over ``axes``: the last ``axes`` of a with the first of b,
    or two lists of axes to pair up."""
    na, nb = ndim(a), ndim(b)
    if isinstance(axes, (int, _np.integer)):
        ax_a, ax_b = list(range(na - axes, na)), list(range(axes))
    else:
        ax_a, ax_b = axes
        ax_a = [ax_a] if isinstance(ax_a, (int, _np.integer)) else list(ax_a)
        ax_b = [ax_b] if isinstance(ax_b, (int, _np.integer)) else list(ax_b)
    ax_a, ax_b = [i % na for i in ax_a], [i % nb for i in ax_b]
    for i, j in zip(ax_a, ax_b):
        if shape_of(a)[i] != shape_of(b)[j]:
            raise ValueError(_message("err.tensordot", i=i, j=j, n=shape_of(a)[i],
                                      m=shape_of(b)[j]))
    sa = list(_LETTERS[:na])
    sb = list(_LETTERS[na:na + nb])
    for i, j in zip(ax_a, ax_b):
        sb[j] = sa[i]
    out = [c for k, c in enumerate(sa) if k not in ax_a] + \
          [c for k, c in enumerate(sb) if k not in ax_b]
    return lax.einsum(a, b, spec=f"{''.join(sa)},{''.join(sb)}->{''.join(out)}")


def vdot(a, b):
    """Σ aᵢ bᵢ over the flattened arrays."""
    return sum(ravel(a) * ravel(b))


def inner(a, b):
    """Sum over the last axes of a and b (a product for scalars)."""
    if ndim(a) == 0 or ndim(b) == 0:
        return multiply(a, b)
    return tensordot(a, b, axes=([-1], [-1]))


def kron(a, b):
    """The Kronecker product: every aᵢⱼ times all of b, laid out in blocks."""
    n = max(ndim(a), ndim(b))
    a = reshape(a, (1,) * (n - ndim(a)) + shape_of(a))
    b = reshape(b, (1,) * (n - ndim(b)) + shape_of(b))
    sa, sb = shape_of(a), shape_of(b)
    # a[i, None, j, None] * b[None, k, None, l] → shape (i·k, j·l)
    ea = reshape(a, tuple(d for s in sa for d in (s, 1)))
    eb = reshape(b, tuple(d for s in sb for d in (1, s)))
    return reshape(ea * eb, tuple(p * q for p, q in zip(sa, sb)))


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The cross product of 3-vectors (2-vectors: its z component), along the last axis."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = moveaxis(a, axisa, -1), moveaxis(b, axisb, -1)
    na, nb = shape_of(a)[-1], shape_of(b)[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError(_message("err.cross"))
    a0, a1 = a[..., 0], a[..., 1]
    b0, b1 = b[..., 0], b[..., 1]
    if na == 2 and nb == 2:
        return a0 * b1 - a1 * b0
    zero = _np.zeros((), _np.result_type(concrete(a), concrete(b)))[()]   # dtype kept
    a2 = a[..., 2] if na == 3 else zero
    b2 = b[..., 2] if nb == 3 else zero
    parts = [a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0]
    shape = _np.broadcast_shapes(*[shape_of(p) for p in parts])
    out = stack([broadcast_to(p, shape) for p in parts], axis=-1)
    return moveaxis(out, -1, axisc)


def diagonal(a, offset=0, axis1=0, axis2=1):
    """The diagonal ``a[i, i + offset]`` of the plane (axis1, axis2), as the last axis."""
    n = ndim(a)
    axis1, axis2 = axis1 % n, axis2 % n
    m = moveaxis(a, (axis1, axis2), (-2, -1))
    rows, cols = shape_of(m)[-2:]
    i = _np.arange(max(0, min(rows + min(offset, 0), cols - max(offset, 0))))
    r, c = i - min(offset, 0), i + max(offset, 0)
    return lax.getitem(m, index=(Ellipsis, r, c))


def trace(a, offset=0, axis1=0, axis2=1):
    """Σᵢ a[i, i + offset]."""
    d = diagonal(a, offset, axis1, axis2)
    return sum(d, axis=-1)


def diag(v, k=0):
    """A vector's diagonal matrix (zeros elsewhere, in the vector's dtype), or a
    matrix's diagonal."""
    v = asarray(v)
    if ndim(v) == 1:
        n = shape_of(v)[0] + abs(k)
        rows = _np.arange(shape_of(v)[0]) - min(k, 0)
        cols = _np.arange(shape_of(v)[0]) + max(k, 0)
        zeros = _np.zeros((n, n), dtype=_np.result_type(concrete(v)))
        return lax.index_set(zeros, v, index=(rows, cols))
    if ndim(v) == 2:
        return diagonal(v, k)
    raise ValueError(_message("err.diag"))


def _triangle(m, k, who):
    """The mask of the lower triangle (on and below diagonal ``k``) and a zero in m's
    dtype. As NumPy, a vector stands for every row of a square matrix."""
    m = asarray(m)
    if ndim(m) == 0:
        raise ValueError(_message("err.triangle", who=who))
    rows, cols = (shape_of(m) * 2)[-2:]                 # (n,) counts as (n, n)
    return m, _np.tri(rows, cols, k, dtype=bool), _np.zeros((), _np.result_type(concrete(m)))


def tril(m, k=0):
    """The lower triangle (on and below diagonal ``k``); the rest zeros."""
    m, lower, zero = _triangle(m, k, "tril")
    return lax.select(lower, m, zero)


def triu(m, k=0):
    """The upper triangle (on and above diagonal ``k``); the rest zeros."""
    m, lower, zero = _triangle(m, k - 1, "triu")
    return lax.select(lower, zero, m)
