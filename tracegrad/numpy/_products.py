"""Products and matrix parts: tensordot, vdot, inner, kron, cross, trace, diag, tril, triu.

All compositions: products are ``einsum`` (or ``matmul``), diagonals are
picked with integer arrays (``getitem``), triangles are a ``select`` with a
boolean mask, whose derivative is that same mask.
"""
import string

import numpy as _np

from .. import lax
from ..core import shape_of
from .. import numpy as tnp

__all__ = ["tensordot", "vdot", "inner", "kron", "cross", "trace", "diag", "diagonal",
           "tril", "triu"]

_LETTERS = string.ascii_letters


def tensordot(a, b, axes=2):
    """Sum of products over ``axes``: the last ``axes`` of a with the first of b,
    or two lists of axes to pair up."""
    na, nb = tnp.ndim(a), tnp.ndim(b)
    if isinstance(axes, (int, _np.integer)):
        ax_a, ax_b = list(range(na - axes, na)), list(range(axes))
    else:
        ax_a, ax_b = axes
        ax_a = [ax_a] if isinstance(ax_a, (int, _np.integer)) else list(ax_a)
        ax_b = [ax_b] if isinstance(ax_b, (int, _np.integer)) else list(ax_b)
    ax_a, ax_b = [i % na for i in ax_a], [i % nb for i in ax_b]
    for i, j in zip(ax_a, ax_b):
        if shape_of(a)[i] != shape_of(b)[j]:
            raise ValueError(f"tensordot: shape mismatch for sum: axis {i} of a has length "
                             f"{shape_of(a)[i]}, axis {j} of b has {shape_of(b)[j]}.")
    sa = list(_LETTERS[:na])
    sb = list(_LETTERS[na:na + nb])
    for i, j in zip(ax_a, ax_b):
        sb[j] = sa[i]
    out = [c for k, c in enumerate(sa) if k not in ax_a] + \
          [c for k, c in enumerate(sb) if k not in ax_b]
    return lax.einsum(a, b, spec=f"{''.join(sa)},{''.join(sb)}->{''.join(out)}")


def vdot(a, b):
    """Σ aᵢ bᵢ over the flattened arrays."""
    return tnp.sum(tnp.ravel(a) * tnp.ravel(b))


def inner(a, b):
    """Sum over the last axes of a and b (a product for scalars)."""
    if tnp.ndim(a) == 0 or tnp.ndim(b) == 0:
        return tnp.multiply(a, b)
    return tensordot(a, b, axes=([-1], [-1]))


def kron(a, b):
    """The Kronecker product: every aᵢⱼ times all of b, laid out in blocks."""
    n = max(tnp.ndim(a), tnp.ndim(b))
    a = tnp.reshape(a, (1,) * (n - tnp.ndim(a)) + shape_of(a))
    b = tnp.reshape(b, (1,) * (n - tnp.ndim(b)) + shape_of(b))
    sa, sb = shape_of(a), shape_of(b)
    # a[i, None, j, None] * b[None, k, None, l] → shape (i·k, j·l)
    ea = tnp.reshape(a, tuple(d for s in sa for d in (s, 1)))
    eb = tnp.reshape(b, tuple(d for s in sb for d in (1, s)))
    return tnp.reshape(ea * eb, tuple(p * q for p, q in zip(sa, sb)))


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The cross product of 3-vectors (2-vectors: its z component), along the last axis."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = tnp.moveaxis(a, axisa, -1), tnp.moveaxis(b, axisb, -1)
    na, nb = shape_of(a)[-1], shape_of(b)[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError("cross: incompatible dimensions for cross product "
                         "(dimension must be 2 or 3).")
    a0, a1 = a[..., 0], a[..., 1]
    b0, b1 = b[..., 0], b[..., 1]
    if na == 2 and nb == 2:
        return a0 * b1 - a1 * b0
    a2 = a[..., 2] if na == 3 else 0.0
    b2 = b[..., 2] if nb == 3 else 0.0
    parts = [a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0]
    shape = _np.broadcast_shapes(*[shape_of(p) for p in parts])
    out = tnp.stack([tnp.broadcast_to(p, shape) for p in parts], axis=-1)
    return tnp.moveaxis(out, -1, axisc)


def diagonal(a, offset=0, axis1=0, axis2=1):
    """The diagonal ``a[i, i + offset]`` of the plane (axis1, axis2), as the last axis."""
    n = tnp.ndim(a)
    axis1, axis2 = axis1 % n, axis2 % n
    m = tnp.moveaxis(a, (axis1, axis2), (-2, -1))
    rows, cols = shape_of(m)[-2:]
    i = _np.arange(max(0, min(rows + min(offset, 0), cols - max(offset, 0))))
    r, c = i - min(offset, 0), i + max(offset, 0)
    return lax.getitem(m, index=(Ellipsis, r, c))


def trace(a, offset=0, axis1=0, axis2=1):
    """Σᵢ a[i, i + offset]."""
    d = diagonal(a, offset, axis1, axis2)
    return tnp.sum(d, axis=-1)


def diag(v, k=0):
    """A vector's diagonal matrix, or a matrix's diagonal."""
    if tnp.ndim(v) == 1:
        n = shape_of(v)[0] + abs(k)
        rows = _np.arange(shape_of(v)[0]) - min(k, 0)
        cols = _np.arange(shape_of(v)[0]) + max(k, 0)
        return lax.index_set(_np.zeros((n, n)), v, index=(rows, cols))
    if tnp.ndim(v) == 2:
        return diagonal(v, k)
    raise ValueError("diag: the input must be 1-D or 2-D.")


def tril(m, k=0):
    """The lower triangle (on and below diagonal ``k``); the rest zeros."""
    rows, cols = shape_of(m)[-2:]
    return lax.select(_np.tri(rows, cols, k, dtype=bool), m, 0.0)


def triu(m, k=0):
    """The upper triangle (on and above diagonal ``k``); the rest zeros."""
    rows, cols = shape_of(m)[-2:]
    return lax.select(_np.tri(rows, cols, k - 1, dtype=bool), 0.0, m)
