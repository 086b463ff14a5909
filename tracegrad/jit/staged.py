"""The values a function sees while ``jit`` stages it.

A :class:`JitTracer` is what tracegrad's own operations see: each primitive
on it is recorded by the :class:`~tracegrad.jit.staging.JitTrace`. Under it,
``concrete(x)`` finds a :class:`Staged` value, what NumPy code and Python
see: NumPy functions on it are recorded too, and where its value leaves for
Python (``if x > 0``, ``float(x)``) the trace records a guard.
"""
from __future__ import annotations

import operator

import numpy as np

from .. import numpy as tnp
from ..core import Tracer, _dtype_str, _kind, dtype_of, shape_of, shown
from ..numpy.dispatch import UFUNCS, array_function, array_ufunc
from ..reverse import RecordedTracer
from ..words import said
from .templates import as_type


class JitTracer(RecordedTracer):
    """A value staged by ``jit``: its record ``node``, and as ``primal`` a
    :class:`Staged` value, which is what ``concrete()`` finds underneath.

    Like reverse mode's tracer, it carries the ``node`` its trace recorded
    (``tg.label`` names it); its trace is a :class:`JitTrace`.
    """

    __slots__ = ("_staged",)

    def __init__(self, trace, value, node):
        self._trace = trace
        self.node = node
        self._staged = None

    @property
    def primal(self):
        """The Staged value, made when first asked for (most tracers never are)."""
        staged = self._staged
        if staged is None:
            staged = self._staged = Staged(self._trace, self.node.out, self.node)
        return staged

    # Read from the value itself (not through the Staged primal): asked often.
    @property
    def shape(self):
        if self.node in self._trace.ragged:
            self._trace.read_shape(self.primal)
        return shape_of(self.node.out)

    @property
    def dtype(self):
        return dtype_of(self.node.out)

    # Where eager code may turn a value into a Python number or a NumPy array
    # (no derivative is being taken), jitted code may too: guarded.
    def __float__(self):
        return float(self.primal)

    def __int__(self):
        return int(self.primal)

    def __index__(self):
        return operator.index(self.primal)

    def __complex__(self):
        return complex(self.primal)

    def __array__(self, dtype=None, copy=None):
        return self.primal.__array__(dtype, copy)

    # print(x) and f"{x:.3f}" are Tracer's: the value, then "(traced: f64[], jit(f))".
    # Reading the value for them is a side effect (see JitTrace.read).

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "__call__" and not kwargs and ufunc.__name__ in UFUNCS:
            return array_ufunc(self, ufunc, method, *inputs, **kwargs)
        # NumPy functions tracegrad cannot differentiate are fine here: staged as they are.
        return getattr(ufunc, method)(*_as_staged(inputs, self._trace),
                                      **_as_staged(kwargs, self._trace))

    def __array_function__(self, func, types, args, kwargs):
        if func.__name__ in tnp.__all__:
            return array_function(self, func, types, args, kwargs)
        return func(*_as_staged(args, self._trace), **_as_staged(kwargs, self._trace))


def _as_staged(tree, trace):
    """Replace this trace's JitTracers by their Staged values, in nested args."""
    if isinstance(tree, JitTracer) and tree._trace is trace:
        return tree.primal
    if isinstance(tree, (tuple, list)) and not hasattr(tree, "_fields"):
        return type(tree)(_as_staged(t, trace) for t in tree)
    if isinstance(tree, dict):
        return {k: _as_staged(v, trace) for k, v in tree.items()}
    return tree


# NumPy functions that read only shapes and dtypes: nothing to stage.
_VALUE_FREE = {np.shape, np.ndim, np.size, np.result_type, np.zeros_like, np.ones_like,
               np.empty_like}


class Staged(np.lib.mixins.NDArrayOperatorsMixin):
    """A value under ``jit``, as NumPy code sees it: the array plus its node.

    Whatever NumPy computes from it (``x > 0``, ``np.where``, ``mask.sum()``)
    is recorded, so masks and conditions are recomputed by the compiled code
    from the new values. Where its value leaves NumPy for Python (``bool``,
    ``float``, ``np.asarray``), the trace records a guard.
    """

    __slots__ = ("trace", "value", "node")
    __array_priority__ = 50

    def __init__(self, trace, value, node):
        self.trace, self.value, self.node = trace, value, node

    @property
    def shape(self):
        if self.node in self.trace.ragged:
            self.trace.read_shape(self)
        return shape_of(self.value)

    @property
    def dtype(self):
        return dtype_of(self.value)

    ndim = property(lambda self: np.ndim(self.value))
    size = property(lambda self: np.size(self.value))
    T = property(lambda self: np.transpose(self))

    def __len__(self):
        return self.shape[0] if self.shape else len(self.value)   # (0-d: NumPy's TypeError)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if any(isinstance(x, Tracer) for x in inputs) or "out" in kwargs:
            return NotImplemented
        return self.trace.call_numpy(getattr(ufunc, method), inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        if any(issubclass(t, Tracer) for t in types):
            return NotImplemented
        if func in _VALUE_FREE:
            return func(*_values(args), **_values(kwargs))
        return self.trace.call_numpy(func, args, kwargs)

    def __getitem__(self, index):
        return self.trace.call_numpy(operator.getitem, (self, index), {})

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def astype(self, dtype, copy=True):
        return self.trace.call_numpy(as_type, (self, dtype), {})

    # The value leaves NumPy for Python: guard it.
    def __bool__(self):
        return self.trace.branch(self)

    def __array__(self, dtype=None, copy=None):
        # NumPy 2 trusts copy=True: np.array(x, copy=True) then writes into the
        # result (x.at[i].set(v) does). Handing out the recorded value itself
        # would let that write change the record.
        value = self.trace.read(self, "np.asarray")
        return np.array(value, dtype=dtype, copy=True) if copy else np.asarray(value, dtype)

    def __float__(self):
        return float(self.trace.read(self, "float"))

    def __int__(self):
        return int(self.trace.read(self, "int"))

    def __index__(self):
        return operator.index(self.trace.read(self, "an index"))

    def __complex__(self):
        return complex(self.trace.read(self, "complex"))

    def __getattr__(self, name):                 # other ndarray attributes and methods
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.trace.read(self, f".{name}"), name)

    def __repr__(self):
        return self.__format__("")

    def __format__(self, spec):                  # as a Tracer shows itself (core.py)
        self.trace.side_effect(said("jit.shows"))
        value = np.asarray(self.value)
        shape = ",".join(str(n) for n in value.shape)
        return shown(value, spec, f"(traced: {_dtype_str(value.dtype)}[{shape}], "
                                  f"{_kind(self.trace)})")



def _values(tree):
    if isinstance(tree, Staged):
        return tree.value
    if isinstance(tree, (tuple, list)) and not hasattr(tree, "_fields"):
        return type(tree)(_values(t) for t in tree)
    if isinstance(tree, dict):
        return {k: _values(v) for k, v in tree.items()}
    return tree


