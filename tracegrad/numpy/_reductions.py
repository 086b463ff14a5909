"""Reductions: ``sum``, ``mean``, ``var``, ``std``, ``max``, ``min``, ``prod``, ``argmax``.

``sum``, ``max`` and ``min`` are primitives (``reduce_sum``, ...); ``mean`` is a
sum and a division, ``var`` a mean of squares, ``prod`` a tree of ``mul``:
compositions, differentiated by the chain rule for free.
"""
import builtins
import math

import numpy as _np

from .. import lax
from ..core import shape_of
from ..words import message as _message
from ._creation import _traced, asarray
from ._elementwise import sqrt, square
from ._shape import concatenate, ndim, reshape, transpose

__all__ = ["sum", "mean", "prod", "max", "min", "amax", "amin", "var", "std", "argmax", "argmin"]


def _axes(axis, ndim, who):
    """None, or a sorted tuple of non-negative axes; a clear error when out of range."""
    if axis is None:
        return None
    axes = axis if isinstance(axis, tuple) else (axis,)
    out = []
    for a in axes:
        if not -ndim <= a < builtins.max(ndim, 1) or (ndim == 0 and a not in (0, -1)):
            raise ValueError(_message("err.axis", who=who, axis=a, ndim=ndim, low=-ndim,
                                     high=ndim - 1))
        out.append(a % ndim if ndim else 0)
    return tuple(sorted(out)) if ndim else None


def sum(a, axis=None, dtype=None, keepdims=False):
    """np.sum; with ``dtype`` the elements are cast first (differentiably, for floats)."""
    if dtype is not None:
        a = asarray(a, dtype=dtype)
    return lax.reduce_sum(a, axes=_axes(axis, ndim(a), "sum"), keepdims=keepdims)


def _count(a, axes):
    s = shape_of(a)
    return math.prod(s) if axes is None else math.prod(s[i] for i in axes)


def mean(a, axis=None, keepdims=False):
    a = asarray(a)                               # a Python list of traced scalars too
    axes = _axes(axis, ndim(a), "mean")
    return lax.reduce_sum(a, axes=axes, keepdims=keepdims) / _count(a, axes)


def var(a, axis=None, ddof=0, keepdims=False):
    a = asarray(a)
    axes = _axes(axis, ndim(a), "var")
    centered = a - mean(a, axis=axes, keepdims=True)
    return lax.reduce_sum(square(centered), axes=axes, keepdims=keepdims) / (_count(a, axes) - ddof)


def std(a, axis=None, ddof=0, keepdims=False):
    return sqrt(var(a, axis=axis, ddof=ddof, keepdims=keepdims))


def max(a, axis=None, keepdims=False):
    return lax.reduce_max(a, axes=_axes(axis, ndim(a), "max"), keepdims=keepdims)


def min(a, axis=None, keepdims=False):
    return lax.reduce_min(a, axes=_axes(axis, ndim(a), "min"), keepdims=keepdims)


amax, amin = max, min


def prod(a, axis=None, keepdims=False):
    """Product by pairwise multiplication: exact derivatives even with zeros.

    (The shortcut ∂/∂x_i = prod/x_i divides by zero when some x_i = 0, so
    the product is built from ``mul`` and differentiated like any program.)
    """
    if not _traced(a):
        return _np.prod(a, axis=axis, keepdims=keepdims)
    original = shape_of(a)
    axes = _axes(axis, len(original), "prod")
    if axes is None:
        axes = tuple(range(len(original)))
    for ax in reversed(axes):                 # one axis at a time, from the last
        a = _prod_axis(a, ax)
    if keepdims:
        a = reshape(a, tuple(1 if i in axes else n for i, n in enumerate(original)))
    return a


def _prod_axis(a, axis):
    a = _moveaxis_last(a, axis)
    n = shape_of(a)[-1]
    if n == 0:                                # the empty product: ones, in a's own dtype
        return _np.ones(shape_of(a)[:-1], dtype=a.dtype)
    while n > 1:                              # halve the length: log₂(n) multiplications
        half = n // 2
        paired = a[..., :half] * a[..., half:2 * half]
        a = concatenate([paired, a[..., 2 * half:]], axis=-1) if n % 2 else paired
        n = half + n % 2
    return reshape(a, shape_of(a)[:-1])


def _moveaxis_last(a, axis):
    order = [i for i in range(ndim(a)) if i != axis] + [axis]
    return a if order == list(range(ndim(a))) else transpose(a, order)


def argmax(a, axis=None, keepdims=False):
    return lax.argmax(a, axis=axis, keepdims=keepdims)


def argmin(a, axis=None, keepdims=False):
    return lax.argmin(a, axis=axis, keepdims=keepdims)
