"""Batching: ``vmap`` runs a function written for one example on a whole batch.

Read this after ``forward.py``: it is the same machinery with a different
thing carried on the side. There a tracer is a pair (primal, tangent); here a
:class:`BatchTracer` is a pair (value, batch axis): the values of all the
examples stacked along one axis, which the user's function never sees.
To the function the tracer looks like *one* example (its ``shape`` leaves the
batch axis out), so code written for a single input runs unchanged:

    per_example_grads = vmap(grad(loss), in_axes=(None, 0, 0))(params, xs, ys)

Every primitive maps the pair forward with its batching rule
(``Primitive.batch``, kept in ``tracegrad/lax/`` beside the primitive's other
rules): ``sin`` of a batch is ``sin`` of the stacked array, a reduction over
axis 0 of each example is a reduction over axis 1 of the stack, a batch of
matrix products is one ``matmul`` with one more batch axis. So the batch costs
one call of each primitive instead of one per example, which is why
``jacfwd``, ``jacrev`` and ``hessian`` use ``vmap`` over the basis vectors
(see ``transforms.py``). A primitive without a rule still works: ``vmap``
loops over the examples and stacks the results (``tg.primitives()`` shows
which primitives have a rule).

Traces nest as always: ``vmap(grad(f))`` and ``grad(vmap(f))`` differ only in
which trace has the higher level, and a value from outside the batched
function (a closed-over weight, or a tracer of an outer ``grad``) is simply
the same for every example.

Concrete values: ``if x > 0:`` on a batched ``x`` asks one question of every
example. ``concrete(x)`` of a batch tracer is a :class:`Batched` value, which
computes NumPy's answer for each example: masks such as ``x > 0`` come out
batched, and a Python branch works when all the examples agree, with a clear
error (use ``tnp.where``) when they do not. ``lax.cond``, ``lax.switch`` and
``lax.while_loop`` choose per example (see ``lax/control.py``), and positions
computed per example (``argsort``) are an argument of ``lax.take_along``, so
``sort`` and ``median`` pick each example's own order.
"""
from __future__ import annotations

import functools
import operator
import re
import sys

import numpy as np

from . import lax
from .arguments import leaf_paths as _paths
from .core import (
    Trace,
    TracegradError,
    Tracer,
    _dtype_str,
    _kind,
    concrete,
    new_level,
    refuse_complex_inputs,
    shape_of,
)
from .lax.shape import moveaxis
from .tree import tree_flatten, tree_leaves, tree_map, tree_unflatten
from .typing import Fun, PyTree
from .usercode import place
from .words import message, said

__all__ = ["vmap", "BatchTrace", "BatchTracer", "Batched"]


# ---------------------------------------------------------------------------
# The trace and its tracers
# ---------------------------------------------------------------------------

class BatchTracer(Tracer):
    """A batch of values: ``val`` holds every example, stacked along axis ``bdim``."""

    __slots__ = ("val", "bdim")

    def __init__(self, trace, val, bdim):
        self._trace = trace
        self.val = val
        self.bdim = bdim

    @property
    def shape(self):                              # the shape of one example
        s = shape_of(self.val)
        return s[:self.bdim] + s[self.bdim + 1:]

    @property
    def dtype(self):
        return _dtype(self.val)

    @property
    def primal(self):
        """What ``concrete()`` finds underneath: every example's value, as :class:`Batched`."""
        inner = concrete(self.val)
        data, axes = (inner.data, inner.axes) if isinstance(inner, Batched) else (inner, ())
        taken = {a for _, a in axes}
        free = [i for i in range(np.ndim(data)) if i not in taken]
        return Batched(data, axes + ((self._trace, free[self.bdim]),))

    # print(x) inside vmap shows every example's value, as print does inside grad,
    # and says that it is a batch: ``[1. 2. 3.] (batched: f64[] per example, ...)``.
    def __repr__(self):
        return _batch_text(self.primal)

    __str__ = __repr__

    def __format__(self, spec):                   # f"{x:.3f}": the spec for each example
        return _batch_text(self.primal, spec) if spec else repr(self)

    # Masks combine with & | ^ ~, which have no derivative: computed on the values.
    def __and__(self, other):
        return np.bitwise_and(concrete(self), concrete(other))

    def __or__(self, other):
        return np.bitwise_or(concrete(self), concrete(other))

    def __xor__(self, other):
        return np.bitwise_xor(concrete(self), concrete(other))

    def __invert__(self):
        return np.invert(concrete(self))

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from .numpy.dispatch import UFUNCS as _UFUNCS
        from .numpy.dispatch import array_ufunc as _array_ufunc
        if (method == "__call__" and not kwargs and ufunc.__name__ not in _UFUNCS
                and all(_dtype(x).kind in "biu" for x in inputs if isinstance(x, Tracer))):
            return ufunc(*[concrete(x) for x in inputs])   # logical ops on masks
        return _array_ufunc(self, ufunc, method, *inputs, **kwargs)


def _dtype(x):
    dtype = getattr(x, "dtype", None)
    return dtype if isinstance(dtype, np.dtype) else np.result_type(x)


class BatchTrace(Trace):
    """Maps each primitive over the batch with its batching rule."""

    def __init__(self, size):
        super().__init__()
        self.size = size                          # the number of examples

    def process(self, primitive, args, params):
        values, dims = [], []
        for a in args:
            if isinstance(a, Batched):            # NumPy's result on every example's values
                a = a.as_tracer()
            if isinstance(a, BatchTracer) and a._trace is self:
                values.append(a.val)
                dims.append(a.bdim)
            else:                                 # the same for every example
                values.append(a)
                dims.append(None)
        rule = primitive.batch
        result = rule(dims, *values, **params) if rule is not None else None
        if result is None:                        # no rule (or not for these arguments)
            result = self.loop(primitive, values, dims, params)
        out, out_dim = result
        return out if out_dim is None else BatchTracer(self, out, out_dim)

    def loop(self, primitive, values, dims, params):
        """The fallback: apply the primitive to one example at a time, then stack."""
        if self.size == 0:
            raise ValueError(message("err.vmap-empty-loop", name=primitive.name))
        outs = []
        for b in range(self.size):
            example = [a if d is None else lax.getitem(a, index=(slice(None),) * d + (b,))
                       for a, d in zip(values, dims, strict=True)]
            out = primitive.bind(*example, **params)
            outs.append(lax.reshape(out, shape=(1,) + shape_of(out)))
        return lax.concatenate(*outs, axis=0), 0


# ---------------------------------------------------------------------------
# Concrete values of a batch, for NumPy code (masks, branches)
# ---------------------------------------------------------------------------

class Batched(np.lib.mixins.NDArrayOperatorsMixin):
    """Every example's concrete value, as NumPy code inside ``vmap`` sees it.

    ``data`` is a plain array (under ``jit``, a staged one) holding all the
    examples; ``axes`` says which of its axes run over the examples of which
    ``vmap`` (``(trace, axis)`` pairs, the outermost ``vmap`` first). To NumPy
    it looks like one example (``shape``), and what NumPy computes from it is
    computed for every example: ``x > 0`` gives a batch of masks, returned as
    a :class:`BatchTracer` so that it stays with its batch.
    """

    __slots__ = ("data", "axes")
    __array_priority__ = 50

    def __init__(self, data, axes):
        self.data, self.axes = data, axes

    @property
    def shape(self):
        taken = {a for _, a in self.axes}
        return tuple(n for i, n in enumerate(np.shape(self.data)) if i not in taken)

    dtype = property(lambda self: _dtype(self.data))
    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(np.prod(self.shape)))

    def __len__(self):
        if not self.shape:
            raise TypeError(message("err.len-scalar-batched"))
        return self.shape[0]

    def lined_up(self, traces, rank):
        """``data`` with one axis per trace in ``traces`` first (length 1 where this
        value does not vary with that vmap), then each example, padded to ``rank`` axes."""
        where = dict(self.axes)
        order = [where[t] for t in traces if t in where]
        taken = set(where.values())
        order += [i for i in range(np.ndim(self.data)) if i not in taken]
        data = self.data
        if order != list(range(len(order))):
            data = np.transpose(data, order)
        per = self.shape
        shape = tuple(t.size if t in where else 1 for t in traces) + (1,) * (rank - len(per)) + per
        return data if np.shape(data) == shape else np.reshape(data, shape)

    def example(self, choice):
        """One example's value: ``choice`` maps each trace to an example number."""
        index = [slice(None)] * np.ndim(self.data)
        for t, a in self.axes:
            index[a] = choice[t]
        return self.data[tuple(index)]

    def as_tracer(self):
        traces = _traces([self])
        return _wrap(self.lined_up(traces, self.ndim), traces)

    # -- NumPy's protocols ------------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if any(isinstance(x, Tracer) for x in inputs):
            return NotImplemented                 # the tracer's operator takes over
        if method == "__call__" and ufunc.signature is None and not kwargs:
            return _elementwise(ufunc, inputs)
        return _loop(getattr(ufunc, method), inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        if any(issubclass(t, Tracer) for t in types):
            return NotImplemented
        if func in (np.shape, np.ndim, np.size):
            return func(np.broadcast_to(np.zeros((), bool), self.shape))
        if func is np.result_type:
            return np.result_type(*[a.dtype if isinstance(a, Batched) else a for a in args])
        if func in (np.zeros_like, np.ones_like, np.empty_like) and not kwargs:
            return func(np.zeros(self.shape, self.dtype), *args[1:])   # the same for all
        if func is np.where and len(args) == 3 and not kwargs:
            return _elementwise(np.where, args)
        if func is np.reshape and args[0] is self:
            return _reshape(self, *args[1:], **kwargs)
        if func in _REDUCTIONS and args[0] is self and len(args) == 1:
            return _reduce(func, self, **kwargs)
        if func in _ALONG_AXIS and args[0] is self and len(args) <= _ALONG_AXIS[func]:
            return _along_axis(func, self, *args[1:], **kwargs)
        return _loop(func, args, kwargs)

    def __getitem__(self, index):
        if index == ():
            return self.as_tracer()
        return _loop(operator.getitem, (self, index), {})

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def astype(self, dtype, copy=True):
        return _elementwise(lambda d: d.astype(dtype), (self,))

    # -- leaving NumPy for Python: one answer for the whole batch ------------------
    def _one_value(self, kind):
        traces = _traces([self])
        flat = np.reshape(self.lined_up(traces, self.ndim), (-1, max(self.size, 1)))
        if self.size != 1:
            raise ValueError(message("err.vmap-ambiguous", kind=kind, size=self.size))
        values = flat[:, 0]
        first = values[0]
        differ = np.nonzero(values != first)[0]
        if len(differ):
            k = int(differ[0])
            module, where = _asker()
            disagree = said("vmap.disagree", first=repr(first), k=k,
                                                       other=repr(values[k]))
            if module.startswith("tracegrad."):       # not the user's `if`: do not blame them
                raise TracegradError(message("err.vmap-bug", module=module, where=where,
                                             kind=kind, disagree=disagree))
            raise TracegradError(message("err.vmap-branch", kind=kind, where=where,
                                         disagree=disagree))
        return first

    def __bool__(self):
        return bool(self._one_value("bool"))

    def __float__(self):
        return float(self._one_value("float"))

    def __int__(self):
        return int(self._one_value("int"))

    def __index__(self):
        return operator.index(self._one_value("index"))

    def __array__(self, dtype=None, copy=None):
        raise TypeError(message("err.vmap-asarray"))

    def __repr__(self):
        return _batch_text(self)

    def __format__(self, spec):
        return _batch_text(self, spec) if spec else repr(self)


def _batch_text(b, spec=""):
    """The examples' values of the :class:`Batched` ``b`` (the examples along the first
    axes, each value formatted with ``spec``), then what they are: one value per example."""
    traces = _traces([b])
    shape = ",".join(str(n) for n in b.shape)
    sizes = " × ".join(str(t.size) for t in traces)
    what = (f"(batched: {_dtype_str(b.dtype)}[{shape}] per example, {sizes} examples, "
            f"{_kind(traces[-1])})")
    data = b.lined_up(traces, b.ndim)
    if not isinstance(data, (np.ndarray, np.generic)):    # under jit: a staged value
        staged = getattr(data, "trace", None)
        if staged is None or not hasattr(staged, "side_effect"):
            return what
        staged.side_effect(said("jit.shows"))   # (see jit.py)
        data = data.value
    formatter = {"all": lambda v: format(v, spec)} if spec else None
    return f"{np.array2string(data, formatter=formatter)} {what}"


# The modules between a Python `if` and the question it asks of a batch.
_PASSING_ON = ("tracegrad.vmap", "tracegrad.core", "tracegrad.advice", "tracegrad.numpy.dispatch")


def _asker():
    """(module, ``file:line``) of the code whose ``if``, ``float()``, ... reached a batch."""
    frame = sys._getframe(2)
    while frame.f_back is not None and frame.f_globals.get("__name__") in _PASSING_ON:
        frame = frame.f_back
    return (frame.f_globals.get("__name__", ""),
            place(frame.f_code, frame.f_lineno))


def _traces(inputs):
    """The vmaps that the Batched values among ``inputs`` vary with, outermost first."""
    found = {t for x in inputs if isinstance(x, Batched) for t, _ in x.axes}
    return sorted(found, key=lambda t: t.level)


def _wrap(data, traces):
    """Batch tracers for ``data``, whose first axes run over ``traces``' examples."""
    out = data
    for t in traces:                              # the outermost vmap wraps first
        out = BatchTracer(t, out, 0)
    return out


def _elementwise(fn, inputs):
    """``fn`` elementwise, each example with its own values: line them up, apply once."""
    traces = _traces(inputs)
    rank = max(x.ndim if isinstance(x, Batched) else np.ndim(x) for x in inputs)
    lined = [x.lined_up(traces, rank) if isinstance(x, Batched) else x for x in inputs]
    return _wrap(fn(*lined), traces)


def _reshape(x, newshape, order="C"):
    traces = _traces([x])
    newshape = (newshape,) if isinstance(newshape, (int, np.integer)) else tuple(newshape)
    data = x.lined_up(traces, x.ndim)
    k = len(traces)
    return _wrap(np.reshape(data, np.shape(data)[:k] + newshape, order=order), traces)


_REDUCTIONS = {np.sum, np.any, np.all, np.max, np.min, np.amax, np.amin, np.mean, np.prod}


def _reduce(func, x, axis=None, keepdims=False, **kwargs):
    traces = _traces([x])
    k, n = len(traces), x.ndim
    axes = tuple(range(n)) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    axes = tuple(k + a % max(n, 1) for a in axes)
    return _wrap(func(x.lined_up(traces, n), axis=axes, keepdims=keepdims, **kwargs), traces)


# Functions that work on each 1-d slice along ``axis`` (the number: how many positional
# arguments come before ``axis``): one call on the whole batch, the axis shifted.
_ALONG_AXIS = {np.argsort: 1, np.sort: 1, np.argpartition: 2, np.partition: 2}


def _along_axis(func, x, *args, axis=-1, **kwargs):
    n = x.ndim
    if axis is None or n == 0:                      # flattened first: one example at a time
        return _loop(func, (x, *args), dict(kwargs, axis=axis))
    traces = _traces([x])
    axis = len(traces) + axis % n
    return _wrap(func(x.lined_up(traces, n), *args, axis=axis, **kwargs), traces)


def _loop(func, args, kwargs):
    """Any other NumPy function: call it on one example at a time, and stack."""
    traces = _traces([x for x in tree_leaves((args, kwargs)) if isinstance(x, Batched)])
    sizes = tuple(t.size for t in traces)

    def pick(choice):                        # one example of each batch among the arguments
        return tree_map(lambda x: x.example(choice) if isinstance(x, Batched) else x,
                        (args, kwargs))

    results = []
    for numbers in np.ndindex(*sizes):
        one_args, one_kwargs = pick(dict(zip(traces, numbers, strict=True)))
        results.append(func(*one_args, **one_kwargs))
    name = getattr(func, "__name__", func)
    if not results:
        raise ValueError(message("err.vmap-empty", name=name))
    first = results[0]
    if isinstance(first, tuple):             # several results (np.linalg.svd): each stacked
        parts = [_stack([r[k] for r in results], sizes, traces, name)
                 for k in range(len(first))]
        return type(first)(*parts) if hasattr(first, "_fields") else tuple(parts)
    return _stack(results, sizes, traces, name)


def _stack(results, sizes, traces, name):
    results = [r if hasattr(r, "shape") else np.asarray(r) for r in results]
    shapes = sorted({np.shape(r) for r in results})
    if len(shapes) > 1:
        raise ValueError(message("err.vmap-ragged", name=name,
                                 shapes=", ".join(map(str, shapes))))
    stacked = np.stack(results)
    return _wrap(np.reshape(stacked, sizes + np.shape(stacked)[1:]), traces)


# ---------------------------------------------------------------------------
# vmap: in_axes and out_axes
# ---------------------------------------------------------------------------

def vmap(fun: Fun, in_axes: PyTree = 0, out_axes: PyTree = 0) -> Fun:
    """Map ``fun`` over a batch: ``vmap(f)(xs)[i] == f(xs[i])``, in one vectorised run.

    ``in_axes`` says which axis of each argument runs over the examples: an
    int for all arguments, ``None`` for an argument every example shares, or
    a tuple with one entry per positional argument. An entry may itself be a
    pytree that matches the argument's structure, or any prefix of it (a dict
    of axes for a dict of arrays, or one int for the whole dict). Keyword
    arguments are mapped over axis 0. ``out_axes`` places the examples' axis
    in the outputs, in the same way; an output that does not depend on the
    mapped inputs is copied for every example (``out_axes=None`` returns it
    once instead).
    """
    who = f"vmap({getattr(fun, '__name__', 'fun')})"
    _check_spec(in_axes, "in_axes", who)
    _check_spec(out_axes, "out_axes", who)

    @functools.wraps(fun)
    def vmapped(*args, **kwargs):
        if isinstance(in_axes, (tuple, list)):
            if len(in_axes) != len(args):
                raise ValueError(message("err.in-axes-count", who=who, n=len(in_axes),
                                         nargs=len(args),
                                         example=tuple([0] + [None] * (len(args) - 1))))
            arg_axes = tuple(in_axes)
        elif isinstance(in_axes, dict):
            raise TypeError(message("err.in-axes-dict", who=who, spec=repr(in_axes)))
        else:
            arg_axes = (in_axes,) * len(args)
        leaves, in_tree = tree_flatten((args, kwargs))
        refuse_complex_inputs(leaves, who)
        placed = []
        for k, (arg, ax) in enumerate(zip(args, arg_axes, strict=True)):
            placed += _prefix(ax, arg, f"in_axes[{k}]" if isinstance(in_axes, (tuple, list))
                              else "in_axes", said("vmap.argument", k=k), who)
        placed += _prefix(0, kwargs, "keyword arguments", "keyword argument", who)
        size = _batch_size(leaves, placed, who)
        with new_level(BatchTrace, size, who=who) as trace:
            inputs = [x if ax is None else
                      BatchTracer(trace, x if isinstance(x, Tracer) else np.asarray(x),
                                  ax % len(shape_of(x)))
                      for x, (ax, _) in zip(leaves, placed, strict=True)]
            args_in, kwargs_in = tree_unflatten(in_tree, inputs)
            out = fun(*args_in, **kwargs_in)
        out_leaves, out_tree = tree_flatten(out)
        out_placed = _prefix(out_axes, out, "out_axes", said("vmap.output"), who)
        return tree_unflatten(out_tree, [
            _place_output(o, ax, where, trace, who)
            for o, (ax, where) in zip(out_leaves, out_placed, strict=True)])

    return vmapped


def _check_spec(spec, name, who):
    """in_axes/out_axes hold ints and None, in tuples, lists and dicts: say so early."""
    for axis in tree_leaves(spec):               # None has no leaves: it is fine
        if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
            raise TypeError(message("err.axes-type", who=who, name=name, spec=repr(axis)))


def _prefix(spec, tree, name, where, who):
    """(axis, leaf name) for each leaf of ``tree``: ``spec`` is a prefix of its structure."""
    if spec is None or isinstance(spec, (int, np.integer)):
        return [(spec, p) for p in _paths(tree, where)]
    if isinstance(spec, dict) and isinstance(tree, dict) and set(spec) == set(tree):
        return [pair for k in sorted(tree)
                for pair in _prefix(spec[k], tree[k], f"{name}[{k!r}]", f"{where}[{k!r}]", who)]
    if (isinstance(spec, (tuple, list)) and isinstance(tree, (tuple, list))
            and len(spec) == len(tree)):
        return [pair for i, (s, t) in enumerate(zip(spec, tree, strict=True))
                for pair in _prefix(s, t, f"{name}[{i}]", f"{where}[{i}]", who)]
    _, tree_def = tree_flatten(tree)
    raise ValueError(message("err.axes-structure", who=who, name=name, spec=repr(spec),
                             where=where, tree=tree_def))


def _batch_size(leaves, placed, who):
    sizes = []
    for x, (ax, where) in zip(leaves, placed, strict=True):
        if ax is None:
            continue
        shape = shape_of(x)
        if not -len(shape) <= ax < len(shape):
            hint = (said("vmap.axis from", low=-len(shape), high=len(shape) - 1)
                    if shape else said("vmap.scalar"))
            if not shape and re.search(r"\[\d+\]$", where):  # vmap(f)([1.0, 2.0])
                hint = said("vmap.list", what=where[:where.rindex('[')])
            raise ValueError(message("err.in-axes-range", who=who, ax=ax, where=where,
                                     shape=shape, hint=hint))
        sizes.append((shape[ax], where, ax, shape))
    if not sizes:
        raise ValueError(message("err.vmap-nothing", who=who))
    if len({s for s, *_ in sizes}) > 1:
        listed = "; ".join(said("vmap.size", where=where, size=s, ax=ax, shape=shape)
                           for s, where, ax, shape in sizes)
        raise ValueError(message("err.vmap-sizes", who=who, listed=listed))
    return sizes[0][0]


def _place_output(o, ax, where, trace, who):
    """Put the examples' axis of one output where out_axes says."""
    if isinstance(o, Batched):
        o = o.as_tracer()
    batched = isinstance(o, BatchTracer) and o._trace is trace
    if ax is None:
        if batched:
            raise ValueError(message("err.out-axes-none", who=who, where=where))
        return o
    shape = shape_of(o)
    if not -len(shape) - 1 <= ax <= len(shape):
        raise ValueError(message("err.out-axes-range", who=who, ax=ax, where=where,
                                 shape=shape, low=-len(shape) - 1, high=len(shape)))
    ax %= len(shape) + 1
    if batched:
        return moveaxis(o.val, o.bdim, ax)
    # The same for every example: copied along the new axis, as JAX does.
    if not isinstance(o, Tracer):
        return np.repeat(np.expand_dims(np.asarray(o), ax), trace.size, axis=ax)
    o = lax.reshape(o, shape=shape[:ax] + (1,) + shape[ax:])
    return lax.broadcast_to(o, shape=shape[:ax] + (trace.size,) + shape[ax:])
