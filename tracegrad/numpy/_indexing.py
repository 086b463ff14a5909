"""Indexing: ``x[i]``, ``take``, ``take_along_axis``, and ``x.at[i].set(v)``.

Picking elements is the ``getitem`` primitive; its VJP adds each cotangent
back where its element came from (scatter-add), so an element picked twice
gets both. Traced values are never changed in place: ``x.at[i].set(v)`` (or
``tnp.at(x)[i].set(v)``, which runs on plain arrays too) returns a new array.
"""
import numpy as _np

from .. import lax
from ..core import Tracer, shape_of
from ..lax.indexing import normalize_index, take_rows, traced_rows
from ..words import message as _message
from ._shape import _axis, broadcast_to, ndim, ravel

__all__ = ["take", "take_along_axis", "at"]


def getitem(x, index):
    """``x[index]``: a tracer's ``__getitem__`` (see core.Tracer)."""
    rows = traced_rows(index)                # x[i] with i computed per example (vmap)
    if rows is not None:
        return take_rows(x, rows)
    return lax.getitem(x, index=normalize_index(index))


def take(a, indices, axis=None, mode="raise"):
    """``a`` at integer ``indices`` along ``axis`` (the flattened array if None)."""
    if axis is None:
        a, axis = ravel(a), 0
    axis = _axis(axis, ndim(a), "take")
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
        arr, axis = ravel(arr), 0
    n = ndim(arr)
    axis = _axis(axis, n, "take_along_axis")
    if not isinstance(indices, (_np.ndarray, list, tuple)):
        # Positions computed from traced values (argsort under vmap or jit): they may
        # differ per example, so they are an argument of the primitive, not its index.
        if ndim(indices) != n:
            raise ValueError(_message("err.take-along", n=n, got=ndim(indices)))
        return lax.take_along(arr, indices, axis=axis)
    indices = _np.asarray(indices)
    if indices.ndim != n:
        raise ValueError(_message("err.take-along", n=n, got=indices.ndim))
    # Every other axis is indexed by an arange that broadcasts against indices.
    index = tuple(indices.astype(_np.intp) if i == axis else
                  _np.arange(shape_of(arr)[i]).reshape((-1,) + (1,) * (n - i - 1))
                  for i in range(n))
    return lax.getitem(arr, index=index)


def at(x):
    """``tnp.at(x)[i].set(v)``: a new array with ``x[i] = v``; also ``.add(v)``, ``.get()``.

    The same as ``x.at[i].set(v)`` on a traced value, but it runs on plain
    NumPy arrays too, so one function works inside and outside ``grad`` (and
    under ``numerical_grad``). With a repeated index the last write wins.
    """
    return _At(x if isinstance(x, Tracer) else _np.asarray(x))


class _At:
    __slots__ = ("x",)

    def __init__(self, x):
        self.x = x

    def __getitem__(self, index):
        return _AtIndex(self.x, normalize_index(index))


class _AtIndex:
    """``x.at[i]``: ``.set(v)``, ``.add(v)``, ``.get()`` return new arrays."""

    __slots__ = ("x", "index")

    def __init__(self, x, index):
        self.x, self.index = x, index

    def get(self):
        return lax.getitem(self.x, index=self.index)

    def set(self, value):
        return lax.index_set(self.x, value, index=self.index)

    def add(self, value):
        picked_shape = _np.broadcast_to(_np.empty((), bool), shape_of(self.x))[self.index].shape
        value = broadcast_to(value, picked_shape)
        return self.x + lax.index_add(value, index=self.index, shape=shape_of(self.x))
