"""Making arrays: ``array``, ``zeros``, ``full``, ``linspace``, and the scalar types.

Outside a transformation these are NumPy's own functions. A traced value
(``tnp.array([x, y])`` with ``x`` traced, ``tnp.full(3, x)``) is built with the
primitives instead (stacked, broadcast), so that its derivative flows. The
scalar types (``tnp.float32``) are NumPy's, and cast a traced value too.
"""

import numpy as _np

from .. import lax
from ..core import Tracer, concrete, shape_of
from ..words import message as _message

__all__ = ["array", "asarray", "zeros", "ones", "zeros_like", "ones_like", "full", "full_like",
           "empty_like", "copy", "arange", "linspace", "eye", "float16", "float32", "float64",
           "int32", "int64", "bool_"]


def _dtype(x):
    return _np.result_type(concrete(x))


def _traced(*xs):
    """Is one of ``xs`` traced?"""
    return any(isinstance(x, Tracer) for x in xs)


def _has_tracer(obj):
    """Is ``obj`` traced, or a (nested) list or tuple holding a traced value? (NumPy's
    nesting, as ``np.array`` reads it: not a pytree, whose dicts NumPy does not read.)"""
    if isinstance(obj, Tracer):
        return True
    if isinstance(obj, (list, tuple)):
        return any(_has_tracer(o) for o in obj)
    return False


class _ScalarType:
    """``tnp.float32`` and friends: NumPy's scalar types, usable on traced values too.

    As a dtype (``dtype=tnp.float32``, ``x.astype(tnp.float32)``) it is NumPy's
    (NumPy reads its ``dtype``). Called on a traced value, a float type casts
    it differentiably, like ``x.astype``; an integer or boolean type would
    drop the gradient, so it says what to do instead.
    """

    def __init__(self, np_type):
        self.type, self.dtype, self.__name__ = np_type, _np.dtype(np_type), np_type.__name__

    def __call__(self, x=0):
        if not _has_tracer(x):
            return self.type(x)
        if self.dtype.kind == "f":
            return asarray(x, dtype=self.dtype)
        raise TypeError(_message("err.int-cast", name=self.__name__))

    def __repr__(self):
        return f"tnp.{self.__name__}"

    def __getattr__(self, name):                 # e.g. tnp.float32.__doc__, finfo-style use
        return getattr(self.type, name)


float16, float32, float64, int32, int64, bool_ = (
    _ScalarType(t) for t in (_np.float16, _np.float32, _np.float64, _np.int32, _np.int64,
                             _np.bool_))


def array(obj, dtype=None):
    """Like ``np.array``; a (nested) list holding traced values is stacked."""
    if _has_tracer(obj):
        if isinstance(obj, (list, tuple)):
            out = _stack([array(o) for o in obj])
        else:
            out = obj
        return out if dtype is None else lax.astype(out, dtype=_np.dtype(dtype))
    return _np.array(obj, dtype=dtype)


def _stack(rows):
    """``stack(rows)``, with the primitives (``stack`` is built on this module)."""
    shapes = {shape_of(x) for x in rows}
    if len(shapes) > 1:
        raise ValueError(_message("err.stack", shapes=sorted(shapes)))
    return lax.concatenate(*[lax.reshape(x, shape=(1,) + shape_of(x)) for x in rows], axis=0)


def asarray(obj, dtype=None):
    if isinstance(obj, Tracer) and (dtype is None or _np.dtype(dtype) == obj.dtype):
        return obj
    return array(obj, dtype) if _has_tracer(obj) else _np.asarray(obj, dtype=dtype)


def zeros_like(x, dtype=None):
    return _np.zeros(shape_of(x), dtype=dtype or _dtype(x))


def ones_like(x, dtype=None):
    return _np.ones(shape_of(x), dtype=dtype or _dtype(x))


zeros, ones, arange, eye = _np.zeros, _np.ones, _np.arange, _np.eye


def full(shape, fill_value, dtype=None):
    """An array of ``shape`` filled with ``fill_value``, which may be traced (as ``np.full``)."""
    if isinstance(fill_value, Tracer):
        return full_like(_np.empty(shape, dtype=bool), fill_value, dtype)
    return _np.full(shape, fill_value, dtype=dtype)


def full_like(a, fill_value, dtype=None):
    """An array of ``a``'s shape filled with ``fill_value`` (which may be traced)."""
    if not isinstance(fill_value, Tracer):
        return _np.full(shape_of(a), fill_value, dtype=dtype or _np.result_type(concrete(a)))
    value = fill_value if dtype is None else asarray(fill_value, dtype)
    if shape_of(value) == shape_of(a):
        return value
    try:
        _np.broadcast_shapes(shape_of(value), shape_of(a))
    except ValueError:
        raise ValueError(_message("err.broadcast", shape=shape_of(value),
                                  want=shape_of(a))) from None
    return lax.broadcast_to(value, shape=shape_of(a))


def empty_like(a, dtype=None):
    """Like ``np.empty_like``, but filled with zeros: its contents are undefined anyway."""
    return _np.zeros(shape_of(a), dtype=dtype or _np.result_type(concrete(a)))


def copy(a):
    """A traced array is never changed in place, so its copy is the array itself."""
    return a if isinstance(a, Tracer) else _np.copy(a)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced numbers from ``start`` to ``stop``, as ``np.linspace``.

    With a traced ``start`` or ``stop`` it is built from tnp operations,
    ``start + i · (stop − start) / (num − 1)``, so it is differentiable in both
    (plain NumPy would see a tracer it cannot read).
    """
    if not _traced(start, stop):
        return _np.linspace(start, stop, num, endpoint=endpoint, retstep=retstep,
                            dtype=dtype, axis=axis)
    if retstep or axis != 0:
        raise TypeError(_message("err.linspace-args"))
    if num < 0:
        raise ValueError(_message("err.linspace-num", num=num))
    # NumPy's dtype: float32 ends give float32 points (a float64 arange would not)
    kind = _np.result_type(concrete(start), concrete(stop), float(num))
    start, stop = asarray(start, dtype=kind), asarray(stop, dtype=kind)
    div = num - 1 if endpoint else num
    steps = _np.arange(num, dtype=kind).reshape((num,) + (1,) * len(shape_of(stop - start)))
    out = start + steps * ((stop - start) / div) if div > 0 else start + steps * (stop - start)
    if endpoint and num > 1:                     # the last point is stop exactly, as NumPy
        last = lax.broadcast_to(stop, shape=(1,) + shape_of(out)[1:])
        out = lax.concatenate(out[:-1], last, axis=0)
    return out if dtype is None else out.astype(dtype)
