"""Running sums and products, differences, gradients, sorting and order statistics.

``cumsum`` is a primitive (its VJP is a ``cumsum`` run backwards). The rest
are compositions:

* ``cumprod`` multiplies neighbours ``log₂ n`` times (a Hillis–Steele scan),
  so its derivatives are exact even where an element is 0 (a rule that
  divides by ``x[i]`` would not be);
* ``sort`` asks NumPy for the order (``argsort`` of the values, an integer
  array with no derivative) and then *picks* the elements in that order:
  the gradient of a sorted array flows back to where each element came from,
  as in JAX;
* ``median`` and ``quantile`` pick from the sorted array and interpolate
  linearly, so their gradient goes to the one or two elements they read.
"""
import warnings as _warnings

import numpy as _np

from .. import lax
from ..core import Tracer, concrete, shape_of
from ..words import message as _message
from ._comparison import any, isnan, result_type
from ._creation import asarray
from ._elementwise import where
from ._indexing import take_along_axis
from ._reductions import sum
from ._shape import (
    _axis,
    broadcast_to,
    concatenate,
    expand_dims,
    moveaxis,
    ndim,
    ravel,
    reshape,
    transpose,
)

__all__ = ["cumsum", "cumprod", "diff", "gradient", "sort", "argsort", "partition", "argpartition",
           "median", "quantile", "percentile"]


def _flat_or(a, axis):
    return (ravel(a), 0) if axis is None else (a, _axis(axis, ndim(a), "cumsum"))


def cumsum(a, axis=None):
    """Running sum along ``axis`` (of the flattened array if None)."""
    a, axis = _flat_or(asarray(a), axis)
    return lax.cumsum(a, axis=axis, reverse=False)


def cumprod(a, axis=None):
    """Running product along ``axis``: ``out[k] = a[0]·a[1]·…·a[k]``.

    Built from ⌈log₂ n⌉ rounds: in round d every element is multiplied by the
    one 2ᵈ places before it (the first 2ᵈ stay as they are).
    """
    a, axis = _flat_or(asarray(a), axis)
    if not isinstance(a, Tracer):
        return _np.cumprod(a, axis=axis)
    n, step = shape_of(a)[axis], 1
    while step < n:
        before = (slice(None),) * axis
        head = lax.getitem(a, index=before + (slice(0, step),))
        tail = (lax.getitem(a, index=before + (slice(step, None),))
                * lax.getitem(a, index=before + (slice(0, n - step),)))
        a = concatenate([head, tail], axis=axis)
        step *= 2
    return a


def diff(a, n=1, axis=-1, prepend=None, append=None):
    """``a[1:] − a[:-1]`` along ``axis``, ``n`` times."""
    a = asarray(a)
    axis = _axis(axis, ndim(a), "diff")
    pieces = []
    for extra in (prepend, append):
        if extra is not None and ndim(extra) == 0:
            shape = list(shape_of(a))
            shape[axis] = 1
            extra = broadcast_to(extra, tuple(shape))
        pieces.append(extra)
    if pieces[0] is not None or pieces[1] is not None:
        a = concatenate([p for p in (pieces[0], a, pieces[1]) if p is not None], axis=axis)
    before = (slice(None),) * axis
    for _ in range(n):
        a = (lax.getitem(a, index=before + (slice(1, None),))
             - lax.getitem(a, index=before + (slice(None, -1),)))
    return a


def gradient(f, *varargs, axis=None, edge_order=1):
    """NumPy's ``gradient``: the derivative of sampled values along each axis.

    Inside, central differences (f[i+1] − f[i−1]) / 2h; at the two ends, one-sided
    differences of first (``edge_order=1``) or second order. ``varargs`` are the
    spacings: one number for all axes, one per axis, or the sample coordinates of an
    axis (then the differences are NumPy's weighted ones for uneven spacing). Only
    slices, sums and products: its derivative comes from theirs.
    """
    f = asarray(f)
    n = ndim(f)
    axes = tuple(range(n)) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    axes = tuple(_axis(a, n, "gradient") for a in axes)
    if len(varargs) == 0:
        spacings = [1.0] * len(axes)
    elif len(varargs) == 1 and ndim(varargs[0]) == 0:
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
        f = asarray(f, dtype=kind)
    outs = []
    for ax, h in zip(axes, spacings):
        out = _gradient_along(f, ax, h, edge_order)
        outs.append(out if _np.result_type(concrete(out)) == kind else out.astype(kind))
    return outs[0] if len(outs) == 1 else tuple(outs)


def _gradient_along(f, axis, h, edge_order):
    length, n = shape_of(f)[axis], ndim(f)
    if length < edge_order + 1:
        raise ValueError(_message("err.gradient-small"))

    def part(start, stop):                       # f[start:stop] along the axis
        return lax.getitem(f, index=(slice(None),) * axis + (slice(start, stop),))

    f0, f1, f2 = part(0, 1), part(1, 2), part(2, 3)
    l0, l1, l2 = part(-1, None), part(-2, -1), part(-3, -2)    # the last, from the end
    if ndim(h) == 0:                         # evenly spaced
        inner = (part(2, None) - part(None, -2)) / (2.0 * h)
        if edge_order == 1:
            first, last = (f1 - f0) / h, (l0 - l1) / h
        else:
            first = (-1.5 * f0 + 2.0 * f1 - 0.5 * f2) / h
            last = (1.5 * l0 - 2.0 * l1 + 0.5 * l2) / h
    else:                                        # sample coordinates
        if ndim(h) != 1 or shape_of(h)[0] != length:
            raise ValueError(_message("err.gradient-coords", axis=axis, length=length,
                                      shape=shape_of(h)))

        def along(c):                            # a 1-D coefficient, lined up with the axis
            return reshape(c, (-1,) + (1,) * (n - axis - 1))
        dx = asarray(h)[1:] - asarray(h)[:-1]
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
    return concatenate([first, inner, last], axis=axis)


def argsort(a, axis=-1, kind=None, stable=None):
    """Positions that sort ``a`` (integers: no derivative; computed on the values)."""
    return _np.argsort(concrete(a), axis=axis, kind=kind, stable=stable)


def sort(a, axis=-1, kind=None, stable=None):
    """Sorted copy. The elements are picked in ``argsort`` order, so each one's
    cotangent returns to its original position (ties: NumPy's order decides)."""
    if axis is None:
        a, axis = ravel(a), 0
    order = _np.argsort(concrete(a), axis=axis, kind="stable" if stable else kind)
    return take_along_axis(a, order, axis)


def argpartition(a, kth, axis=-1):
    """Positions that partition ``a`` around ``kth`` (integers: no derivative)."""
    return _np.argpartition(concrete(a), kth, axis=axis)


def partition(a, kth, axis=-1):
    """``a`` rearranged so that ``a[kth]`` is where sorting would put it, smaller
    elements before it, larger after; the elements are picked, as in ``sort``."""
    if axis is None:
        a, axis = ravel(a), 0
    return take_along_axis(a, _np.argpartition(concrete(a), kth, axis=axis), axis)


def quantile(a, q, axis=None, keepdims=False, method="linear"):
    """The ``q``-quantile(s), with NumPy's default linear interpolation.

    The sorted values are read at position ``q·(n − 1)``: between two of them,
    ``s[i]·(1 − f) + s[i+1]·f`` with ``f`` the fractional part. So the gradient
    goes to those two elements, with weights ``1 − f`` and ``f``, as in JAX.
    ``q`` is a plain number or array (it is not differentiated).

    A slice that holds a nan has no order: its quantile is nan, as in NumPy, and so
    is its derivative with respect to every element of the slice. An empty slice
    gives nan with a RuntimeWarning, as ``np.median`` does.
    """
    if method not in ("linear", "midpoint", "lower", "higher", "nearest"):
        raise ValueError(_message("err.quantile-method", method=repr(method)))
    if isinstance(q, Tracer):
        raise TypeError(_message("err.quantile-traced"))
    a = asarray(a)
    q = _np.asarray(q, dtype=float)
    if _np.any((q < 0) | (q > 1)):
        raise ValueError(_message("err.quantile-range"))
    dtype = result_type(a)
    if dtype.kind != "f":                                   # integers interpolate in float64
        dtype = _np.dtype(_np.float64)
    nd = ndim(a)
    axes = tuple(range(nd)) if axis is None else tuple(
        _axis(ax, nd, "quantile") for ax in (axis if isinstance(axis, tuple) else (axis,)))
    rest = [i for i in range(nd) if i not in axes]
    moved = transpose(a, rest + list(axes)) if nd else a
    flat = reshape(moved, tuple(shape_of(a)[i] for i in rest) + (-1,))
    n = shape_of(flat)[-1]
    if n == 0:
        _warnings.warn(_message("err.quantile-empty"), RuntimeWarning, stacklevel=3)
        out = sum(flat, axis=-1, keepdims=True) * _np.full(q.size, _np.nan, dtype)
    else:
        out = _interpolate(sort(flat, axis=-1), q.ravel() * (n - 1), method, dtype)
        out = _nan_where_nan(flat, out, dtype)
    out = moveaxis(out, -1, 0)                          # q's axes come first, as NumPy
    out = reshape(out, q.shape + shape_of(out)[1:])
    if keepdims:
        shape = q.shape + tuple(1 if i in axes else shape_of(a)[i] for i in range(nd))
        out = reshape(out, shape)
    return out


def _interpolate(s, pos, method, dtype):
    """The sorted ``s`` read at the (fractional) positions ``pos`` along its last axis."""
    n = shape_of(s)[-1]
    lo = _np.floor(pos).astype(int)
    hi = _np.minimum(lo + 1, n - 1)
    frac = pos - lo
    if method == "lower":
        frac = frac * 0
    elif method == "higher":
        lo, frac = _np.ceil(pos).astype(int), frac * 0
    elif method == "nearest":
        lo, frac = _np.round(pos).astype(int), frac * 0     # ties to even, as NumPy
    elif method == "midpoint":
        frac = _np.where(frac > 0, 0.5, 0.0)
    below = lax.getitem(s, index=(Ellipsis, lo))
    if not _np.any(frac):
        return below
    above = lax.getitem(s, index=(Ellipsis, hi))
    f = frac.astype(dtype)                                  # float32 data stays float32
    return below * (1 - f) + above * f


def _nan_where_nan(flat, out, dtype):
    """``out``, but nan (value and derivatives) for the slices of ``flat`` holding a nan.

    There the result is the sum of the slice times nan: nan, and its derivative with
    respect to each element of the slice is nan too. The check reads values only
    (under vmap a mask per example, under jit a guard), so nan-free data costs nothing.
    """
    has_nan = any(isnan(flat), axis=-1)
    if not isinstance(has_nan, Tracer) and not _np.any(has_nan):
        return out
    poison = where(has_nan, _np.array(_np.nan, dtype), _np.array(1.0, dtype))
    poisoned = sum(flat * expand_dims(poison, -1), axis=-1, keepdims=True)
    return where(expand_dims(has_nan, -1), poisoned, out)


def percentile(a, q, axis=None, keepdims=False, method="linear"):
    """``quantile`` with ``q`` in percent."""
    return quantile(a, _np.asarray(q, dtype=float) / 100.0, axis=axis, keepdims=keepdims,
                    method=method)


def median(a, axis=None, keepdims=False):
    """The middle value; for an even count the mean of the two middle ones (each
    gets half the gradient)."""
    return quantile(a, 0.5, axis=axis, keepdims=keepdims, method="linear")
