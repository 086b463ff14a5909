"""NumPy's shape functions: stacking, splitting, repeating, flipping, padding.

None of them needs a primitive of its own. Each moves numbers around, so each
is a composition of the moves tracegrad already knows how to differentiate:
``reshape``, ``transpose``, ``concatenate`` and indexing (``getitem``). The
trick used again and again here: *ask NumPy where the elements go*. Applying
``np.repeat``, ``np.tile`` or ``np.pad`` to ``np.arange(n)`` gives the
positions each output element comes from; picking those positions with an
integer array is differentiable, and where a position is picked twice the
backward pass adds the cotangents (scatter-add), exactly as the chain rule
wants.
"""
import builtins

import numpy as _np

from .. import lax
from .. import numpy as tnp
from ..core import Tracer, concrete, shape_of
from ..lax.indexing import take_rows
from ..words import message as _message

__all__ = ["vstack", "hstack", "dstack", "column_stack", "row_stack", "split",
           "array_split", "hsplit", "vsplit", "dsplit", "repeat", "tile", "roll", "flip",
           "fliplr", "flipud", "rot90", "pad", "moveaxis", "rollaxis", "atleast_1d",
           "atleast_2d", "atleast_3d", "append", "take", "take_along_axis", "r_", "c_",
           "gradient"]


def _axis(axis, ndim, who):
    if not -ndim <= axis < builtins.max(ndim, 1):
        raise ValueError(_message("err.axis", who=who, axis=axis, ndim=ndim, low=-ndim,
                                  high=ndim - 1))
    return axis % builtins.max(ndim, 1)


def _pick(a, positions, axis):
    """``a`` with the positions ``positions`` (an integer array) picked along ``axis``."""
    index = (slice(None),) * axis + (_np.asarray(positions, dtype=_np.intp),)
    return lax.getitem(a, index=index)


# ---- at least n dimensions ------------------------------------------------------------

def _atleast(arys, n, where):
    out = []
    for a in arys:
        a = tnp.asarray(a)
        s = shape_of(a)
        if len(s) < n:
            a = tnp.reshape(a, where(s))
        out.append(a)
    return out[0] if len(out) == 1 else out


def atleast_1d(*arys):
    return _atleast(arys, 1, lambda s: (1,))


def atleast_2d(*arys):
    return _atleast(arys, 2, lambda s: (1,) * (2 - len(s)) + s)


def atleast_3d(*arys):
    # As NumPy: a vector (n,) becomes (1, n, 1), a matrix (m, n) becomes (m, n, 1).
    return _atleast(arys, 3, lambda s: {0: (1, 1, 1), 1: (1,) + s + (1,), 2: s + (1,)}[len(s)])


# ---- stacking -------------------------------------------------------------------------

def vstack(tup):
    """Stack along the first axis; vectors become rows first."""
    return tnp.concatenate([atleast_2d(a) for a in tup], axis=0)


row_stack = vstack


def hstack(tup):
    """Stack along the second axis (the first, for vectors)."""
    arrays = [atleast_1d(a) for a in tup]
    return tnp.concatenate(arrays, axis=0 if tnp.ndim(arrays[0]) == 1 else 1)


def dstack(tup):
    """Stack along the third axis (depth)."""
    return tnp.concatenate([atleast_3d(a) for a in tup], axis=2)


def column_stack(tup):
    """Vectors become columns, then everything is stacked side by side."""
    arrays = [tnp.reshape(a, (-1, 1)) if tnp.ndim(a) < 2 else a for a in tup]
    return tnp.concatenate(arrays, axis=1)


# ---- splitting ------------------------------------------------------------------------

def array_split(ary, indices_or_sections, axis=0):
    """Split into pieces along ``axis``; sections need not divide the length evenly."""
    axis = _axis(axis, tnp.ndim(ary), "array_split")
    n = shape_of(ary)[axis]
    if isinstance(indices_or_sections, (int, _np.integer)):
        sections = int(indices_or_sections)
        if sections <= 0:
            raise ValueError(_message("err.sections"))
        each, extra = divmod(n, sections)
        sizes = [each + 1] * extra + [each] * (sections - extra)
        cuts = list(_np.cumsum(sizes)[:-1])
    else:
        cuts = list(indices_or_sections)
    pieces, start = [], 0
    for stop in cuts + [None]:
        index = (slice(None),) * axis + (slice(start, stop),)
        pieces.append(lax.getitem(ary, index=index))
        start = stop
    return pieces


def split(ary, indices_or_sections, axis=0):
    """Like ``array_split``, but a number of sections must divide the length."""
    if isinstance(indices_or_sections, (int, _np.integer)):
        n = shape_of(ary)[_axis(axis, tnp.ndim(ary), "split")]
        if indices_or_sections <= 0 or n % indices_or_sections:
            raise ValueError(_message("err.split-equal", n=n, sections=indices_or_sections))
    return array_split(ary, indices_or_sections, axis)


def hsplit(ary, indices_or_sections):
    if tnp.ndim(ary) == 0:
        raise ValueError(_message("err.split-ndim", who="hsplit", n=1))
    return split(ary, indices_or_sections, axis=1 if tnp.ndim(ary) > 1 else 0)


def vsplit(ary, indices_or_sections):
    if tnp.ndim(ary) < 2:
        raise ValueError(_message("err.split-ndim", who="vsplit", n=2))
    return split(ary, indices_or_sections, axis=0)


def dsplit(ary, indices_or_sections):
    if tnp.ndim(ary) < 3:
        raise ValueError(_message("err.split-ndim", who="dsplit", n=3))
    return split(ary, indices_or_sections, axis=2)


# ---- repeating and rearranging ----------------------------------------------------------

def repeat(a, repeats, axis=None):
    """Each element ``repeats`` times; its gradient sums the copies back."""
    if axis is None:
        a, axis = tnp.ravel(a), 0
    axis = _axis(axis, tnp.ndim(a), "repeat")
    return _pick(a, _np.repeat(_np.arange(shape_of(a)[axis]), repeats), axis)


def tile(A, reps):
    """The whole array repeated ``reps`` times along each axis."""
    reps = (reps,) if isinstance(reps, (int, _np.integer)) else tuple(reps)
    A = tnp.asarray(A)
    n = builtins.max(tnp.ndim(A), len(reps))
    A = tnp.reshape(A, (1,) * (n - tnp.ndim(A)) + shape_of(A))
    reps = (1,) * (n - len(reps)) + reps
    for axis, r in enumerate(reps):
        if r != 1:
            A = _pick(A, _np.tile(_np.arange(shape_of(A)[axis]), r), axis)
    return A


def roll(a, shift, axis=None):
    """Shift elements cyclically; the ones pushed off one end come back at the other."""
    if axis is None:
        return tnp.reshape(roll(tnp.ravel(a), shift, 0), shape_of(a))
    shifts = shift if isinstance(shift, tuple) else (shift,)
    axes = axis if isinstance(axis, tuple) else (axis,)
    shifts, axes = _np.broadcast_arrays(shifts, axes)
    for s, ax in zip(shifts.ravel(), axes.ravel()):
        ax = _axis(int(ax), tnp.ndim(a), "roll")
        n = shape_of(a)[ax]
        a = _pick(a, (_np.arange(n) - int(s)) % builtins.max(n, 1), ax)
    return a


def flip(m, axis=None):
    """Reverse the order of elements along ``axis`` (all axes if None)."""
    n = tnp.ndim(m)
    if n == 0 and axis is None:
        return m                                 # a scalar has nothing to reverse
    axes = range(n) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    index = [slice(None)] * n
    for ax in axes:
        index[_axis(ax, n, "flip")] = slice(None, None, -1)
    return lax.getitem(m, index=tuple(index))


def fliplr(m):
    if tnp.ndim(m) < 2:
        raise ValueError(_message("err.fliplr"))
    return flip(m, 1)


def flipud(m):
    if tnp.ndim(m) < 1:
        raise ValueError(_message("err.flipud"))
    return flip(m, 0)


def rot90(m, k=1, axes=(0, 1)):
    """Rotate by 90° ``k`` times in the plane of ``axes`` (a flip and a transpose)."""
    n = tnp.ndim(m)
    a0, a1 = _axis(axes[0], n, "rot90"), _axis(axes[1], n, "rot90")
    if a0 == a1:
        raise ValueError(_message("err.rot90"))
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, a0), a1)
    order = list(range(n))
    order[a0], order[a1] = order[a1], order[a0]
    return (tnp.transpose(flip(m, a1), order) if k == 1
            else flip(tnp.transpose(m, order), a1))


def moveaxis(a, source, destination):
    """Move axes to new positions; the others keep their order."""
    n = tnp.ndim(a)
    src = [_axis(s, n, "moveaxis") for s in _np.atleast_1d(source)]
    dst = [_axis(d, n, "moveaxis") for d in _np.atleast_1d(destination)]
    if len(src) != len(dst):
        raise ValueError(_message("err.moveaxis"))
    order = [i for i in range(n) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return tnp.transpose(a, order)


def rollaxis(a, axis, start=0):
    """NumPy's older spelling: move ``axis`` to just before ``start``."""
    n = tnp.ndim(a)
    axis = _axis(axis, n, "rollaxis")
    start = start + n if start < 0 else start
    if not 0 <= start <= n:
        raise ValueError(_message("err.rollaxis", start=start, n=n))
    return moveaxis(a, axis, start - 1 if axis < start else start)


def append(arr, values, axis=None):
    if axis is None:
        return tnp.concatenate([tnp.ravel(arr), tnp.ravel(values)])
    return tnp.concatenate([arr, values], axis=axis)


# ---- picking: take, take_along_axis -----------------------------------------------------

def take(a, indices, axis=None, mode="raise"):
    """``a`` at integer ``indices`` along ``axis`` (the flattened array if None)."""
    if axis is None:
        a, axis = tnp.ravel(a), 0
    axis = _axis(axis, tnp.ndim(a), "take")
    if isinstance(indices, Tracer) and mode == "raise":     # positions computed per example
        return take_rows(a, indices, axis)
    if not hasattr(indices, "dtype"):            # a list; not tg.jit's staged integers
        indices = _np.asarray(indices)
    n = shape_of(a)[axis]
    if mode == "wrap":
        indices = indices % n
    elif mode == "clip":
        indices = _np.clip(indices, 0, n - 1)
    elif mode != "raise":
        raise ValueError(_message("err.take-mode", mode=repr(mode)))
    index = (slice(None),) * axis + (indices.astype(_np.intp),)
    return lax.getitem(a, index=index)


def take_along_axis(arr, indices, axis):
    """Pick ``arr``'s elements at ``indices`` along ``axis`` (e.g. with tnp.argsort's result)."""
    if axis is None:
        arr, axis = tnp.ravel(arr), 0
    n = tnp.ndim(arr)
    axis = _axis(axis, n, "take_along_axis")
    if not isinstance(indices, (_np.ndarray, list, tuple)):
        # Positions computed from traced values (argsort under vmap or jit): they may
        # differ per example, so they are an argument of the primitive, not its index.
        if tnp.ndim(indices) != n:
            raise ValueError(_message("err.take-along", n=n, got=tnp.ndim(indices)))
        return lax.take_along(arr, indices, axis=axis)
    indices = _np.asarray(indices)
    if indices.ndim != n:
        raise ValueError(_message("err.take-along", n=n, got=indices.ndim))
    # Every other axis is indexed by an arange that broadcasts against indices.
    index = tuple(indices.astype(_np.intp) if i == axis else
                  _np.arange(shape_of(arr)[i]).reshape((-1,) + (1,) * (n - i - 1))
                  for i in range(n))
    return lax.getitem(arr, index=index)


# ---- pad --------------------------------------------------------------------------------

def pad(array, pad_width, mode="constant", constant_values=0):
    """Pad with a constant (default), or with ``'edge'``, ``'wrap'``, ``'reflect'``,
    ``'symmetric'``: for these NumPy's own ``np.pad`` of the positions says which
    element lands where. The result keeps the array's dtype, as NumPy's (an integer
    array padded with 0.5 gets 0s); the constant may be traced (it is differentiated)."""
    array = tnp.asarray(array)
    n = tnp.ndim(array)
    dtype = _np.result_type(concrete(array))
    widths = _np.broadcast_to(_np.asarray(pad_width, dtype=int), (n, 2))
    if mode == "constant":
        values = tnp.broadcast_to(tnp.asarray(constant_values), (n, 2))
    elif mode not in ("edge", "wrap", "reflect", "symmetric"):
        raise ValueError(_message("err.pad-mode", mode=repr(mode)))
    for axis, (before, after) in enumerate(widths):
        if before == 0 and after == 0:
            continue
        if mode == "constant":
            parts = []
            for width, value in ((before, values[axis, 0]), (after, values[axis, 1])):
                shape = list(shape_of(array))
                shape[axis] = width
                parts.append(_constant(value, tuple(shape), dtype))
            array = tnp.concatenate([parts[0], array, parts[1]], axis=axis)
        else:
            positions = _np.pad(_np.arange(shape_of(array)[axis]), (before, after), mode=mode)
            array = _pick(array, positions, axis)
    return array


def _constant(value, shape, dtype):
    """``value`` filling ``shape``, in ``dtype``: a plain array, or a traced one."""
    if not isinstance(value, Tracer):
        return _np.full(shape, value, dtype=dtype)
    if value.dtype != dtype:
        value = tnp.asarray(value, dtype=dtype)
    return tnp.broadcast_to(value, shape)


# ---- gradient: differences of neighbours ---------------------------------------------

def gradient(f, *varargs, axis=None, edge_order=1):
    """NumPy's ``gradient``: the derivative of sampled values along each axis.

    Inside, central differences (f[i+1] − f[i−1]) / 2h; at the two ends, one-sided
    differences of first (``edge_order=1``) or second order. ``varargs`` are the
    spacings: one number for all axes, one per axis, or the sample coordinates of an
    axis (then the differences are NumPy's weighted ones for uneven spacing). Only
    slices, sums and products: its derivative comes from theirs.
    """
    f = tnp.asarray(f)
    n = tnp.ndim(f)
    axes = tuple(range(n)) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    axes = tuple(_axis(a, n, "gradient") for a in axes)
    if len(varargs) == 0:
        spacings = [1.0] * len(axes)
    elif len(varargs) == 1 and tnp.ndim(varargs[0]) == 0:
        spacings = list(varargs) * len(axes)
    elif len(varargs) == len(axes):
        spacings = list(varargs)
    else:
        raise TypeError(_message("err.gradient-spacing", axes=len(axes), got=len(varargs)))
    if edge_order not in (1, 2):
        raise ValueError(_message("err.edge-order"))
    kind = _np.result_type(concrete(f))
    kind = kind if kind.kind == "f" else _np.dtype(_np.float64)     # as NumPy: ints → float64
    if _np.result_type(concrete(f)) != kind:
        f = tnp.asarray(f, dtype=kind)
    outs = []
    for ax, h in zip(axes, spacings):
        out = _gradient_along(f, ax, h, edge_order)
        outs.append(out if _np.result_type(concrete(out)) == kind else out.astype(kind))
    return outs[0] if len(outs) == 1 else tuple(outs)


def _gradient_along(f, axis, h, edge_order):
    length, n = shape_of(f)[axis], tnp.ndim(f)
    if length < edge_order + 1:
        raise ValueError(_message("err.gradient-small"))

    def part(start, stop):                       # f[start:stop] along the axis
        return lax.getitem(f, index=(slice(None),) * axis + (slice(start, stop),))

    f0, f1, f2 = part(0, 1), part(1, 2), part(2, 3)
    l0, l1, l2 = part(-1, None), part(-2, -1), part(-3, -2)    # the last, from the end
    if tnp.ndim(h) == 0:                         # evenly spaced
        inner = (part(2, None) - part(None, -2)) / (2.0 * h)
        if edge_order == 1:
            first, last = (f1 - f0) / h, (l0 - l1) / h
        else:
            first = (-1.5 * f0 + 2.0 * f1 - 0.5 * f2) / h
            last = (1.5 * l0 - 2.0 * l1 + 0.5 * l2) / h
    else:                                        # sample coordinates
        if tnp.ndim(h) != 1 or shape_of(h)[0] != length:
            raise ValueError(_message("err.gradient-coords", axis=axis, length=length,
                                      shape=shape_of(h)))

        def along(c):                            # a 1-D coefficient, lined up with the axis
            return tnp.reshape(c, (-1,) + (1,) * (n - axis - 1))
        dx = tnp.asarray(h)[1:] - tnp.asarray(h)[:-1]
        d1, d2 = dx[:-1], dx[1:]
        inner = (along(-d2 / (d1 * (d1 + d2))) * part(None, -2)
                 + along((d2 - d1) / (d1 * d2)) * part(1, -1)
                 + along(d1 / (d2 * (d1 + d2))) * part(2, None))
        if edge_order == 1:
            first, last = (f1 - f0) / dx[0], (l0 - l1) / dx[-1]
        else:
            a, b = dx[0], dx[1]
            first = (-(2.0 * a + b) / (a * (a + b)) * f0 + (a + b) / (a * b) * f1
                     - a / (b * (a + b)) * f2)
            a, b = dx[-2], dx[-1]
            last = (b / (a * (a + b)) * l2 - (a + b) / (a * b) * l1
                    + (2.0 * b + a) / (b * (a + b)) * l0)
    return tnp.concatenate([first, inner, last], axis=axis)


# ---- r_ and c_ ---------------------------------------------------------------------------

class _Concatenator:
    """``tnp.r_[a, b, 1:4]`` joins its pieces along the first axis; ``tnp.c_`` makes
    vectors columns and joins along the last. Slices become ``arange``/``linspace``
    as in NumPy (``1:4``, ``0:1:5j``). NumPy's string directives are not supported."""

    def __init__(self, columns):
        self.columns = columns

    def __getitem__(self, key):
        key = key if isinstance(key, tuple) else (key,)
        pieces = []
        for item in key:
            if isinstance(item, str):
                raise ValueError(_message("err.r_"))
            if isinstance(item, slice):
                item = _np.r_[item]
            item = atleast_1d(item)
            if self.columns:
                item = tnp.reshape(item, (-1, 1)) if tnp.ndim(item) == 1 else item
            pieces.append(item)
        return tnp.concatenate(pieces, axis=-1 if self.columns else 0)

    def __len__(self):
        return 0


r_ = _Concatenator(columns=False)
c_ = _Concatenator(columns=True)
