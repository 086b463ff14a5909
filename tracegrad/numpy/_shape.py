"""NumPy's shape functions: reshaping, stacking, splitting, repeating, flipping, padding.

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
import math

import numpy as _np

from .. import lax
from ..core import Tracer, concrete, shape_of
from ..words import message as _message
from ._creation import _traced, asarray

__all__ = ["shape", "ndim", "size", "reshape", "ravel", "transpose", "swapaxes", "expand_dims",
           "squeeze", "broadcast_to", "concatenate", "stack", "vstack", "hstack", "dstack",
           "column_stack", "row_stack", "split", "array_split", "hsplit", "vsplit", "dsplit",
           "repeat", "tile", "roll", "flip", "fliplr", "flipud", "rot90", "pad", "moveaxis",
           "rollaxis", "atleast_1d", "atleast_2d", "atleast_3d", "append", "r_", "c_"]


def shape(a):
    return shape_of(a)


def ndim(a):
    return len(shape_of(a))


def size(a):
    return math.prod(shape_of(a))


def _resolveshape_of(old, new, who="reshape"):
    new = (new,) if isinstance(new, int) else tuple(new)
    total = math.prod(old)
    if new.count(-1) > 1:
        raise ValueError(_message("err.reshape-two", who=who, new=new))
    if -1 in new:
        known = math.prod(n for n in new if n != -1)
        if known == 0 or total % known:
            raise ValueError(_message("err.reshape-infer", who=who, old=old, total=total,
                                     new=new))
        new = tuple(total // known if n == -1 else n for n in new)
    if math.prod(new) != total:
        raise ValueError(_message("err.reshape", who=who, old=old, total=total, new=new,
                                 count=math.prod(new)))
    return new


def reshape(a, newshape):
    new = _resolveshape_of(shape_of(a), newshape)
    return a if new == shape_of(a) else lax.reshape(a, shape=new)


def ravel(a):
    return reshape(a, (-1,))


def transpose(a, axes=None):
    n = ndim(a)
    axes = tuple(reversed(range(n))) if axes is None else tuple(i % n for i in axes)
    if sorted(axes) != list(range(n)):
        raise ValueError(_message("err.transpose", axes=axes, n=n, shape=shape_of(a)))
    return lax.transpose(a, axes=axes)


def swapaxes(a, axis1, axis2):
    order = list(range(ndim(a)))
    order[axis1], order[axis2] = order[axis2], order[axis1]
    return transpose(a, order)


def expand_dims(a, axis):
    axes = axis if isinstance(axis, tuple) else (axis,)
    n = ndim(a) + len(axes)
    axes = sorted(ax % n for ax in axes)
    new = list(shape_of(a))
    for ax in axes:
        new.insert(ax, 1)
    return reshape(a, tuple(new))


def squeeze(a, axis=None):
    s = shape_of(a)
    if axis is None:
        axes = [i for i, n in enumerate(s) if n == 1]
    else:
        axes = [ax % len(s) for ax in (axis if isinstance(axis, tuple) else (axis,))]
        for ax in axes:
            if s[ax] != 1:
                raise ValueError(_message("err.squeeze", axis=ax, shape=s, length=s[ax]))
    return reshape(a, tuple(n for i, n in enumerate(s) if i not in axes))


def broadcast_to(a, shape):
    shape = tuple(shape) if not isinstance(shape, int) else (shape,)
    try:
        _np.broadcast_shapes(shape_of(a), shape)
    except ValueError:
        raise ValueError(_message("err.broadcast", shape=shape_of(a), want=shape)) from None
    return a if shape_of(a) == shape else lax.broadcast_to(a, shape=shape)


def concatenate(arrays, axis=0):
    arrays = list(arrays)
    if not _traced(*arrays):
        return _np.concatenate(arrays, axis=axis)
    if axis is None:
        arrays, axis = [ravel(x) for x in arrays], 0
    n = ndim(arrays[0])
    for x in arrays[1:]:
        sx, s0 = shape_of(x), shape_of(arrays[0])
        if len(sx) != n or any(p != q for i, (p, q) in enumerate(zip(sx, s0))
                                        if i != axis % n):
            raise ValueError(_message("err.concatenate", a=s0, b=sx, axis=axis))
    return lax.concatenate(*arrays, axis=axis % n)


def stack(arrays, axis=0):
    arrays = list(arrays)
    if not _traced(*arrays):
        return _np.stack(arrays, axis=axis)
    shapes = {shape_of(x) for x in arrays}
    if len(shapes) > 1:
        raise ValueError(_message("err.stack", shapes=sorted(shapes)))
    return concatenate([expand_dims(x, axis) for x in arrays], axis=axis)


def _axis(axis, ndim, who):
    if not -ndim <= axis < max(ndim, 1):
        raise ValueError(_message("err.axis", who=who, axis=axis, ndim=ndim, low=-ndim,
                                  high=ndim - 1))
    return axis % max(ndim, 1)


def _pick(a, positions, axis):
    """``a`` with the positions ``positions`` (an integer array) picked along ``axis``."""
    index = (slice(None),) * axis + (_np.asarray(positions, dtype=_np.intp),)
    return lax.getitem(a, index=index)


def _atleast(arys, n, where):
    out = []
    for a in arys:
        a = asarray(a)
        s = shape_of(a)
        if len(s) < n:
            a = reshape(a, where(s))
        out.append(a)
    return out[0] if len(out) == 1 else out


def atleast_1d(*arys):
    return _atleast(arys, 1, lambda s: (1,))


def atleast_2d(*arys):
    return _atleast(arys, 2, lambda s: (1,) * (2 - len(s)) + s)


def atleast_3d(*arys):
    # As NumPy: a vector (n,) becomes (1, n, 1), a matrix (m, n) becomes (m, n, 1).
    return _atleast(arys, 3, lambda s: {0: (1, 1, 1), 1: (1,) + s + (1,), 2: s + (1,)}[len(s)])


def vstack(tup):
    """Stack along the first axis; vectors become rows first."""
    return concatenate([atleast_2d(a) for a in tup], axis=0)


row_stack = vstack


def hstack(tup):
    """Stack along the second axis (the first, for vectors)."""
    arrays = [atleast_1d(a) for a in tup]
    return concatenate(arrays, axis=0 if ndim(arrays[0]) == 1 else 1)


def dstack(tup):
    """Stack along the third axis (depth)."""
    return concatenate([atleast_3d(a) for a in tup], axis=2)


def column_stack(tup):
    """Vectors become columns, then everything is stacked side by side."""
    arrays = [reshape(a, (-1, 1)) if ndim(a) < 2 else a for a in tup]
    return concatenate(arrays, axis=1)


def array_split(ary, indices_or_sections, axis=0):
    """Split into pieces along ``axis``; sections need not divide the length evenly."""
    axis = _axis(axis, ndim(ary), "array_split")
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
        n = shape_of(ary)[_axis(axis, ndim(ary), "split")]
        if indices_or_sections <= 0 or n % indices_or_sections:
            raise ValueError(_message("err.split-equal", n=n, sections=indices_or_sections))
    return array_split(ary, indices_or_sections, axis)


def hsplit(ary, indices_or_sections):
    if ndim(ary) == 0:
        raise ValueError(_message("err.split-ndim", who="hsplit", n=1))
    return split(ary, indices_or_sections, axis=1 if ndim(ary) > 1 else 0)


def vsplit(ary, indices_or_sections):
    if ndim(ary) < 2:
        raise ValueError(_message("err.split-ndim", who="vsplit", n=2))
    return split(ary, indices_or_sections, axis=0)


def dsplit(ary, indices_or_sections):
    if ndim(ary) < 3:
        raise ValueError(_message("err.split-ndim", who="dsplit", n=3))
    return split(ary, indices_or_sections, axis=2)


def repeat(a, repeats, axis=None):
    """Each element ``repeats`` times; its gradient sums the copies back."""
    if axis is None:
        a, axis = ravel(a), 0
    axis = _axis(axis, ndim(a), "repeat")
    return _pick(a, _np.repeat(_np.arange(shape_of(a)[axis]), repeats), axis)


def tile(A, reps):
    """The whole array repeated ``reps`` times along each axis."""
    reps = (reps,) if isinstance(reps, (int, _np.integer)) else tuple(reps)
    A = asarray(A)
    n = max(ndim(A), len(reps))
    A = reshape(A, (1,) * (n - ndim(A)) + shape_of(A))
    reps = (1,) * (n - len(reps)) + reps
    for axis, r in enumerate(reps):
        if r != 1:
            A = _pick(A, _np.tile(_np.arange(shape_of(A)[axis]), r), axis)
    return A


def roll(a, shift, axis=None):
    """Shift elements cyclically; the ones pushed off one end come back at the other."""
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), shape_of(a))
    shifts = shift if isinstance(shift, tuple) else (shift,)
    axes = axis if isinstance(axis, tuple) else (axis,)
    shifts, axes = _np.broadcast_arrays(shifts, axes)
    for s, ax in zip(shifts.ravel(), axes.ravel()):
        ax = _axis(int(ax), ndim(a), "roll")
        n = shape_of(a)[ax]
        a = _pick(a, (_np.arange(n) - int(s)) % max(n, 1), ax)
    return a


def flip(m, axis=None):
    """Reverse the order of elements along ``axis`` (all axes if None)."""
    n = ndim(m)
    if n == 0 and axis is None:
        return m                                 # a scalar has nothing to reverse
    axes = range(n) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    index = [slice(None)] * n
    for ax in axes:
        index[_axis(ax, n, "flip")] = slice(None, None, -1)
    return lax.getitem(m, index=tuple(index))


def fliplr(m):
    if ndim(m) < 2:
        raise ValueError(_message("err.fliplr"))
    return flip(m, 1)


def flipud(m):
    if ndim(m) < 1:
        raise ValueError(_message("err.flipud"))
    return flip(m, 0)


def rot90(m, k=1, axes=(0, 1)):
    """Rotate by 90° ``k`` times in the plane of ``axes`` (a flip and a transpose)."""
    n = ndim(m)
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
    return (transpose(flip(m, a1), order) if k == 1
            else flip(transpose(m, order), a1))


def moveaxis(a, source, destination):
    """Move axes to new positions; the others keep their order."""
    n = ndim(a)
    src = [_axis(s, n, "moveaxis") for s in _np.atleast_1d(source)]
    dst = [_axis(d, n, "moveaxis") for d in _np.atleast_1d(destination)]
    if len(src) != len(dst):
        raise ValueError(_message("err.moveaxis"))
    order = [i for i in range(n) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(a, order)


def rollaxis(a, axis, start=0):
    """NumPy's older spelling: move ``axis`` to just before ``start``."""
    n = ndim(a)
    axis = _axis(axis, n, "rollaxis")
    start = start + n if start < 0 else start
    if not 0 <= start <= n:
        raise ValueError(_message("err.rollaxis", start=start, n=n))
    return moveaxis(a, axis, start - 1 if axis < start else start)


def append(arr, values, axis=None):
    if axis is None:
        return concatenate([ravel(arr), ravel(values)])
    return concatenate([arr, values], axis=axis)


def pad(array, pad_width, mode="constant", constant_values=0):
    """Pad with a constant (default), or with ``'edge'``, ``'wrap'``, ``'reflect'``,
    ``'symmetric'``: for these NumPy's own ``np.pad`` of the positions says which
    element lands where. The result keeps the array's dtype, as NumPy's (an integer
    array padded with 0.5 gets 0s); the constant may be traced (it is differentiated)."""
    array = asarray(array)
    n = ndim(array)
    dtype = _np.result_type(concrete(array))
    widths = _np.broadcast_to(_np.asarray(pad_width, dtype=int), (n, 2))
    if mode == "constant":
        values = broadcast_to(asarray(constant_values), (n, 2))
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
            array = concatenate([parts[0], array, parts[1]], axis=axis)
        else:
            positions = _np.pad(_np.arange(shape_of(array)[axis]), (before, after), mode=mode)
            array = _pick(array, positions, axis)
    return array


def _constant(value, shape, dtype):
    """``value`` filling ``shape``, in ``dtype``: a plain array, or a traced one."""
    if not isinstance(value, Tracer):
        return _np.full(shape, value, dtype=dtype)
    if value.dtype != dtype:
        value = asarray(value, dtype=dtype)
    return broadcast_to(value, shape)


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
                item = reshape(item, (-1, 1)) if ndim(item) == 1 else item
            pieces.append(item)
        return concatenate(pieces, axis=-1 if self.columns else 0)

    def __len__(self):
        return 0


r_ = _Concatenator(columns=False)


c_ = _Concatenator(columns=True)
