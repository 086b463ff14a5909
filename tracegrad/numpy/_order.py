"""Running sums and products, differences, sorting and order statistics.

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
from .. import numpy as tnp
from ..core import Tracer, concrete, shape_of
from ..words import message as _message
from ._shape import _axis, take_along_axis

__all__ = ["cumsum", "cumprod", "diff", "sort", "argsort", "partition", "argpartition",
           "median", "quantile", "percentile"]


def _flat_or(a, axis):
    return (tnp.ravel(a), 0) if axis is None else (a, _axis(axis, tnp.ndim(a), "cumsum"))


def cumsum(a, axis=None):
    """Running sum along ``axis`` (of the flattened array if None)."""
    a, axis = _flat_or(tnp.asarray(a), axis)
    return lax.cumsum(a, axis=axis, reverse=False)


def cumprod(a, axis=None):
    """Running product along ``axis``: ``out[k] = a[0]·a[1]·…·a[k]``.

    Built from ⌈log₂ n⌉ rounds: in round d every element is multiplied by the
    one 2ᵈ places before it (the first 2ᵈ stay as they are).
    """
    a, axis = _flat_or(tnp.asarray(a), axis)
    if not isinstance(a, Tracer):
        return _np.cumprod(a, axis=axis)
    n, step = shape_of(a)[axis], 1
    while step < n:
        before = (slice(None),) * axis
        head = lax.getitem(a, index=before + (slice(0, step),))
        tail = (lax.getitem(a, index=before + (slice(step, None),))
                * lax.getitem(a, index=before + (slice(0, n - step),)))
        a = tnp.concatenate([head, tail], axis=axis)
        step *= 2
    return a


def diff(a, n=1, axis=-1, prepend=None, append=None):
    """``a[1:] − a[:-1]`` along ``axis``, ``n`` times."""
    a = tnp.asarray(a)
    axis = _axis(axis, tnp.ndim(a), "diff")
    pieces = []
    for extra in (prepend, append):
        if extra is not None and tnp.ndim(extra) == 0:
            shape = list(shape_of(a))
            shape[axis] = 1
            extra = tnp.broadcast_to(extra, tuple(shape))
        pieces.append(extra)
    if pieces[0] is not None or pieces[1] is not None:
        a = tnp.concatenate([p for p in (pieces[0], a, pieces[1]) if p is not None], axis=axis)
    before = (slice(None),) * axis
    for _ in range(n):
        a = (lax.getitem(a, index=before + (slice(1, None),))
             - lax.getitem(a, index=before + (slice(None, -1),)))
    return a


def argsort(a, axis=-1, kind=None, stable=None):
    """Positions that sort ``a`` (integers: no derivative; computed on the values)."""
    return _np.argsort(concrete(a), axis=axis, kind=kind, stable=stable)


def sort(a, axis=-1, kind=None, stable=None):
    """Sorted copy. The elements are picked in ``argsort`` order, so each one's
    cotangent returns to its original position (ties: NumPy's order decides)."""
    if axis is None:
        a, axis = tnp.ravel(a), 0
    order = _np.argsort(concrete(a), axis=axis, kind="stable" if stable else kind)
    return take_along_axis(a, order, axis)


def argpartition(a, kth, axis=-1):
    """Positions that partition ``a`` around ``kth`` (integers: no derivative)."""
    return _np.argpartition(concrete(a), kth, axis=axis)


def partition(a, kth, axis=-1):
    """``a`` rearranged so that ``a[kth]`` is where sorting would put it, smaller
    elements before it, larger after; the elements are picked, as in ``sort``."""
    if axis is None:
        a, axis = tnp.ravel(a), 0
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
    a = tnp.asarray(a)
    q = _np.asarray(q, dtype=float)
    if _np.any((q < 0) | (q > 1)):
        raise ValueError(_message("err.quantile-range"))
    dtype = tnp.result_type(a)
    if dtype.kind != "f":                                   # integers interpolate in float64
        dtype = _np.dtype(_np.float64)
    nd = tnp.ndim(a)
    axes = tuple(range(nd)) if axis is None else tuple(
        _axis(ax, nd, "quantile") for ax in (axis if isinstance(axis, tuple) else (axis,)))
    rest = [i for i in range(nd) if i not in axes]
    moved = tnp.transpose(a, rest + list(axes)) if nd else a
    flat = tnp.reshape(moved, tuple(shape_of(a)[i] for i in rest) + (-1,))
    n = shape_of(flat)[-1]
    if n == 0:
        _warnings.warn(_message("err.quantile-empty"), RuntimeWarning, stacklevel=3)
        out = tnp.sum(flat, axis=-1, keepdims=True) * _np.full(q.size, _np.nan, dtype)
    else:
        out = _interpolate(sort(flat, axis=-1), q.ravel() * (n - 1), method, dtype)
        out = _nan_where_nan(flat, out, dtype)
    out = tnp.moveaxis(out, -1, 0)                          # q's axes come first, as NumPy
    out = tnp.reshape(out, q.shape + shape_of(out)[1:])
    if keepdims:
        shape = q.shape + tuple(1 if i in axes else shape_of(a)[i] for i in range(nd))
        out = tnp.reshape(out, shape)
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
    has_nan = tnp.any(tnp.isnan(flat), axis=-1)
    if not isinstance(has_nan, Tracer) and not _np.any(has_nan):
        return out
    poison = tnp.where(has_nan, _np.array(_np.nan, dtype), _np.array(1.0, dtype))
    poisoned = tnp.sum(flat * tnp.expand_dims(poison, -1), axis=-1, keepdims=True)
    return tnp.where(tnp.expand_dims(has_nan, -1), poisoned, out)


def percentile(a, q, axis=None, keepdims=False, method="linear"):
    """``quantile`` with ``q`` in percent."""
    return quantile(a, _np.asarray(q, dtype=float) / 100.0, axis=axis, keepdims=keepdims,
                    method=method)


def median(a, axis=None, keepdims=False):
    """The middle value; for an even count the mean of the two middle ones (each
    gets half the gradient)."""
    return quantile(a, 0.5, axis=axis, keepdims=keepdims, method="linear")

