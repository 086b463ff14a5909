"""The heart of tracegrad: primitives, ``bind``, traces and tracers.

Read this file first. Everything else is built from four ideas:

1. A **primitive** is one operation that tracegrad knows how to differentiate
   (``sin``, ``mul``, ``matmul``, ...). It holds its NumPy implementation and
   its derivative rules. ``tracegrad.lax`` defines them; ``tracegrad.numpy``
   composes them into NumPy's functions.

2. A **tracer** is a stand-in for an array while a transformation runs. It
   carries the ordinary value (the *primal*) and whatever the transformation
   needs on the side: a tangent (forward mode) or a record of how it was made
   (reverse mode). The user's Python code runs unchanged on tracers, just in
   time, with concrete values: ``if x > 0:`` works because ``x`` has a value.

3. A **trace** is one running transformation (one ``grad``, one ``jvp``).
   Each tracer belongs to exactly one trace. Traces nest: ``grad(grad(f))``
   runs an inner trace inside an outer one, and the inner tracer's primal is
   itself a tracer of the outer trace.

4. ``Primitive.bind`` is the single entry point for every operation. It looks
   at its arguments, finds the newest trace among them and hands the call to
   that trace (``trace.process``). The trace unwraps its own tracers, calls
   ``bind`` again on the primals (the call now goes to the next trace down, or
   finally to NumPy), and wraps the result. So a call falls through the stack
   of traces level by level, each doing its own bookkeeping.

A tracer's operators are defined on :class:`Tracer`: ``x * y`` is
``tnp.multiply(x, y)``, a primitive in the end. What tracegrad tells a student
whose code goes astray (the errors, NumPy's warnings at the student's line,
``float(x)`` refused) is kept in ``advice.py``, so that this file stays short.

Why levels? In ``grad(lambda x: x * grad(lambda y: x * y)(2.0))`` the inner
function sees ``x`` from the outer trace and ``y`` from the inner one. If both
were treated alike the inner derivative would pick up ``x``'s perturbation too
("perturbation confusion"). Every trace gets a level when it starts, later
traces get higher levels, and ``bind`` always serves the highest level first.
To the inner trace, the outer ``x`` is just a constant.

The levels come from one counter shared by all threads, taken under a lock.
The inner ``grad`` may run in a worker thread (a thread pool inside a traced
function): it must still get a higher level than the outer trace it sees
values from, and only a counter that every thread shares can promise that.
The *list* of running traces, on the other hand, is kept per thread: two
threads running their own ``grad`` side by side must not see each other's.
"""
from __future__ import annotations

import importlib
import itertools
import sys
import threading

import numpy as np

# What the engine says when a student's code goes astray lives in advice.py; the
# engine's modules take these names from here.
from .advice import (
    TracegradError,
    UnexpectedTracerError,
    array_refused,
    complex_argument,
    complex_result,
    is_complex,
    missing_attribute,
    number_refused,
    refuse_complex_inputs,
    route_numpy_warnings,
    routing,
    unroute_numpy_warnings,
    warn_at_user,
)
from .advice import shape_error as _shape_error
from .words import message

__all__ = ["Primitive", "Trace", "Tracer", "new_level", "active_traces", "thread_state",
           "concrete", "shape_of", "dtype_of", "top_trace", "add_any",
           "route_numpy_warnings", "unroute_numpy_warnings", "warn_at_user", "shown",
           "refuse_complex_inputs", "TracegradError", "UnexpectedTracerError"]


# ---------------------------------------------------------------------------
# Primitives
# ---------------------------------------------------------------------------

class Primitive:
    """One differentiable operation.

    ``impl(*args, **params)``
        computes the result with NumPy on ordinary arrays.
    ``jvp(tangents, out, *args, **params)``
        forward mode: given the input tangents (``None`` stands for a zero
        tangent) returns the output tangent, or ``None`` if it is zero.
    ``vjp``
        reverse mode: a tuple with one rule per argument,
        ``rule(g, out, *args, **params)`` returns the cotangent of that
        argument given the output's cotangent ``g``. ``None`` in the tuple
        means "never differentiable in this argument".
    ``batch(dims, *args, **params)``
        batching (``vmap``): ``dims[k]`` is the axis of ``args[k]`` that runs
        over the examples (``None``: the argument is the same for all). It
        returns ``(out, out_dim)``, computed with one call on the whole batch.
        ``None`` here (or returned): ``vmap`` loops over the examples instead.
    ``formulas``
        the local derivative of the output with respect to each argument, as
        text for graphs and tables, e.g. ``("1 - tanh(x)²",)``.
    ``saves``
        what the VJP reads from the forward pass: ``"args"``, ``"out"``, both
        (the default) or neither (``()``: it needs only shapes). Like PyTorch's
        ``save_for_backward``, the record keeps only that (see reverse.py).
    ``source``
        how ``tg.jit`` writes the primitive as NumPy source: a format string
        over the arguments and parameters (``"{0} * {1}"``), or a function
        ``(args, params, lit, values) -> text`` that may look at the values
        seen while tracing. Not needed when ``impl`` is a NumPy ufunc:
        ``np.tanh({0})`` is derived (see jit.py).
    ``special_points``, ``convention``
        the points where the primitive needs a convention (0, ±inf, nan,
        ties: numbers for one argument, pairs for two, lists for a
        reduction) and what it does there, in words; ``tg.primitives()``
        shows the words, ``tests/test_special_points.py`` visits the points.
    ``domain``, ``examples``
        what the tests need to know, so that a new primitive is tested the
        moment it exists. ``domain``: per argument, the open set where it is
        smooth, shrunk by a margin: ``(lo, hi)``, ``(lo, hi, points, gap)``
        keeping ``gap`` from ``points``, a tuple of those (their union), or a
        word for what an interval cannot say (``"spd"``: symmetric positive
        definite; see ``tests/strategies.py``). ``examples``: calls to try, as
        ``(shapes, params)``; none for an elementwise primitive, which takes
        any shapes that broadcast.

    All rules are written with tracegrad's own operations, so when the values
    they receive are tracers of an outer trace the derivative computation is
    itself traced: that is all it takes to get higher-order derivatives.
    """

    def __init__(self, name, impl, jvp=None, vjp=None, formulas=(),
                 differentiable=True, doc="", argnames=("x", "y"), saves=("args", "out"),
                 source=None, batch=None, special_points=(), convention="", domain=None,
                 examples=()):
        self.name = name
        self.special_points, self.convention = tuple(special_points), convention
        self.domain, self.examples = domain, tuple(examples)
        self.source = source
        self.saves = tuple(saves)
        self.argnames = argnames                 # the symbols the formulas use
        self.impl = impl
        self.jvp = jvp
        self.vjp = vjp
        self.batch = batch
        self.formulas = tuple(formulas)
        self.differentiable = differentiable
        self.__doc__ = doc or f"The `{name}` primitive."

    def __repr__(self):
        return f"<primitive {self.name}>"

    def bind(self, *args, **params):
        """Apply the primitive: hand it to the newest trace among ``args``."""
        # top_trace(args), written out (this runs for every operation), noting on the
        # way whether a constant other than a Python float needs the complex check below
        top, constants = None, False
        for a in args:
            if isinstance(a, Tracer):
                if top is None or a._trace.level > top.level:
                    top = a._trace
            elif type(a) is not float:
                constants = True
        if top is None:                          # no tracers: plain NumPy
            if thread_state.staging is not None:     # unless tg.jit stages its integers
                staged = thread_state.staging.stage(self, args, params)
                if staged is not None:
                    return staged
            try:
                if routing.depth:                    # the usual case: inside a transformation
                    out = self.impl(*args, **params)
                    if type(out) is complex or getattr(out, "dtype", _FLOAT).kind == "c":
                        raise complex_result(self, args)      # (see advice.py)
                    return out
                routed = route_numpy_warnings()      # a call on plain arrays, on its own
                try:
                    return self.impl(*args, **params)
                finally:
                    unroute_numpy_warnings(routed)
            except (ValueError, IndexError) as e:
                raise _shape_error(self, args, e) from None
        if top.finished:                         # a tracer kept after its trace ended
            raise top.escaped()
        if constants:                            # a complex constant (see advice.py)
            for k, a in enumerate(args):
                if not isinstance(a, Tracer) and is_complex(a):
                    raise complex_argument(self, k, a)
        if not self.differentiable:              # e.g. argmax: no derivative
            return self.bind(*[concrete(a) for a in args], **params)
        return top.process(self, args, params)

    __call__ = bind                              # lax.sin(x) is lax.sin.bind(x)


_FLOAT = np.dtype(float)


# ---------------------------------------------------------------------------
# Traces and their levels
# ---------------------------------------------------------------------------

_levels = itertools.count(1)                     # one counter for every thread ...
_levels_lock = threading.Lock()                  # ... so no two traces share a level


def _next_level():
    with _levels_lock:
        return next(_levels)


class _ThreadState(threading.local):
    """Per-thread tracing state: two threads never see each other's traces."""

    def __init__(self):
        self.active = []                         # the traces now running, oldest first
        self.backward_passes = 0                 # > 0 while a backward pass runs
        self.staging = None                      # tg.jit's trace while it records (jit.py)
        self.watch_backward = None               # visit(node, g) for every backward pass


thread_state = _ThreadState()                    # this thread's tracing state


class Trace:
    """One running transformation. Subclasses define ``process``.

    ``who`` names the transformation for error messages (``grad(loss)``,
    ``jvp``). ``finished`` becomes true when the transformation ends: a
    tracer of a finished trace has escaped (stored in a list or a global
    while the function ran), and any operation on it is refused.
    """

    who = "a transformation"

    def __init__(self):
        self.level = _next_level()
        self.finished = False

    def process(self, primitive, args, params):
        raise NotImplementedError

    def unbox(self, values):
        """Split ``values`` into ``(primals, sides)`` as this trace sees them.

        This trace's own tracers give their primal and their side data
        (``tracer.side``: a Node in reverse mode, a tangent in forward mode).
        Anything else (a number, an array, a tracer of another trace) is a
        constant here: it is its own primal, and its side data is ``None``
        (no node, a zero tangent).
        """
        primals, sides = [], []
        for a in values:
            if isinstance(a, Tracer) and a._trace is self:
                primals.append(a.primal)
                sides.append(a.side)
            else:
                primals.append(a)
                sides.append(None)
        return primals, sides

    def escaped(self, how=""):
        """The error for an operation on a tracer of this finished trace (``how``: the use,
        already in the current language)."""
        return UnexpectedTracerError(message("err.escaped", who=self.who, how=how))


class new_level:
    """Context manager: start a trace, and always end it again.

    ``with new_level(ReverseTrace, who="grad(f)") as trace: ...`` pushes a
    fresh trace with a level higher than any running one. On the way out,
    with or without an exception, the trace is removed and marked finished:
    an exception inside a traced function leaves nothing running, and a
    tracer that escaped can no longer be used.
    """

    def __init__(self, trace_class, *args, who=None, **kwargs):
        self.trace = trace_class(*args, **kwargs)
        if who is not None:
            self.trace.who = who

    def __enter__(self):
        self.routed = route_numpy_warnings()
        thread_state.active.append(self.trace)
        return self.trace

    def __exit__(self, *exc):
        thread_state.active.remove(self.trace)
        self.trace.finished = True
        unroute_numpy_warnings(self.routed)
        return False


def active_traces():
    """The traces running in this thread, oldest first (for tools and tests)."""
    return tuple(thread_state.active)


# ---------------------------------------------------------------------------
# Tracers
# ---------------------------------------------------------------------------

class _ImportedLater:
    """A module imported when one of its names is first used, then remembered.

    ``tracegrad.numpy`` is built on this module, so this module cannot import
    it at the top (each would need the other first). The tracer's operators
    only *call* it, by which time it is there.
    """

    def __init__(self, module):
        self._module = module

    def __getattr__(self, name):
        value = getattr(importlib.import_module(self._module), name)
        setattr(self, name, value)               # from now on a plain attribute
        return value


tnp = _ImportedLater("tracegrad.numpy")
_dispatch = _ImportedLater("tracegrad.numpy.dispatch")


def _calls(name):
    """The method ``x.f(*args)`` that calls ``tnp.<name>(x, *args)``."""
    return lambda self, *args, **kwargs: getattr(tnp, name)(self, *args, **kwargs)


def _operator(name):
    """The operators ``x ∘ y`` and ``y ∘ x`` that call ``tnp.<name>``: Python calls
    ``x.__rmul__(2)`` for ``2 * x``. (Two arguments exactly: operators run often.)"""
    return (lambda self, other: getattr(tnp, name)(self, other),
            lambda self, other: getattr(tnp, name)(other, self))


class Tracer:
    """Base class of the values that transformations pass to user code.

    Subclasses set ``_trace`` and ``primal``, and give their side data a
    second name, ``side`` (``ReverseTracer.node``, ``JVPTracer.tangent``),
    for ``Trace.unbox``. A tracer behaves like an ``ndarray``: its operators
    and methods are ``tracegrad.numpy``'s functions (``x * y`` is
    ``tnp.multiply(x, y)``), so every operation on it goes through ``bind``.
    """

    __slots__ = ("_trace", "primal")
    __array_priority__ = 100                     # ndarray ∘ tracer defers to us

    @property
    def shape(self):
        return shape_of(self.primal)

    @property
    def dtype(self):
        return dtype_of(self.primal)

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return int(np.prod(self.shape))

    def __len__(self):
        if not self.shape:
            raise TypeError(message("err.len-scalar"))
        return self.shape[0]

    def __bool__(self):
        # Branching on a value is fine: the trace follows the branch taken.
        return bool(concrete(self))

    # ---- operators and methods: tracegrad.numpy's functions --------------------------
    __add__, __radd__ = _operator("add")
    __sub__, __rsub__ = _operator("subtract")
    __mul__, __rmul__ = _operator("multiply")
    __truediv__, __rtruediv__ = _operator("divide")
    __pow__, __rpow__ = _operator("power")
    __mod__, __rmod__ = _operator("mod")
    __matmul__, __rmatmul__ = _operator("matmul")
    __neg__, __abs__ = _calls("negative"), _calls("abs")
    __lt__, __le__ = _calls("less"), _calls("less_equal")        # booleans, on the values
    __gt__, __ge__ = _calls("greater"), _calls("greater_equal")
    __eq__, __ne__ = _calls("equal"), _calls("not_equal")
    __getitem__ = _calls("getitem")              # x[i]: numpy/_indexing.py
    at = property(_calls("at"))                  # x.at[i].set(v): a new array

    def __pos__(self):
        return self

    def __hash__(self):                          # __eq__ is elementwise, as in NumPy
        return id(self)

    def __round__(self, ndigits=None):
        return tnp.round(self, ndigits or 0)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __setitem__(self, index, value):
        raise TypeError(message("err.inplace"))

    sum, mean, prod, var, std = map(_calls, ("sum", "mean", "prod", "var", "std"))
    max, min, argmax, argmin = map(_calls, ("max", "min", "argmax", "argmin"))
    any, all, round, clip = map(_calls, ("any", "all", "round", "clip"))
    dot, ravel, flatten, squeeze = map(_calls, ("dot", "ravel", "ravel", "squeeze"))
    swapaxes, repeat, take = map(_calls, ("swapaxes", "repeat", "take"))
    cumsum, cumprod, sort, argsort = map(_calls, ("cumsum", "cumprod", "sort", "argsort"))
    trace, diagonal, astype = map(_calls, ("trace", "diagonal", "asarray"))
    T = property(_calls("transpose"))

    def reshape(self, *shape):                   # x.reshape(2, 3) or x.reshape((2, 3))
        return tnp.reshape(self, shape[0] if len(shape) == 1 else shape)

    def transpose(self, *axes):
        return tnp.transpose(self, None if not axes else axes[0] if len(axes) == 1 else axes)

    def copy(self):
        return self          # traced values are never changed in place: a copy is the value

    def item(self, *args):
        raise TypeError(message("err.item"))

    # NumPy's own functions on a tracer (np.sin(x), np.linalg.norm(x)) are redirected
    # to tracegrad.numpy's, through NumPy's dispatch protocols: numpy/dispatch.py.
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _dispatch.array_ufunc(self, ufunc, method, *inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return _dispatch.array_function(self, func, types, args, kwargs)

    # ---- printing ------------------------------------------------------------------

    def __repr__(self):
        return self.__format__("")

    __str__ = __repr__

    def __format__(self, spec):
        # The value first, as print(array) shows it; then, briefly, what traces it:
        # ``[1. 2. 3.] (traced: f64[3], grad(loss))``. A spec (f"{x:.3f}") formats
        # each number; a scalar is then just the number, as for a NumPy scalar.
        value = concrete(self)
        shape = ",".join(str(n) for n in self.shape)
        what = f"(traced: {_dtype_str(self.dtype)}[{shape}], {_kind(self._trace)})"
        try:
            value = np.asarray(value)            # (under jit: read as shown, see jit.py)
        except TypeError:                        # a batch (vmap): it shows its examples
            return f"{format(value, spec) if spec else repr(value)} {what}"
        return shown(value, spec, what)

    # ---- what a tracer refuses, and what it lacks (advice.py says what to write) --------
    # Turning a tracer into a plain number or array would silently cut it out of the
    # trace, and its gradient would be lost. float(x) and math.exp(x) both reach
    # __float__ from C: the frame above is the user's, and its line tells which it was.

    def __array__(self, dtype=None, copy=None):
        raise array_refused(self, sys._getframe(1))

    def __float__(self):
        raise number_refused(self, "float", sys._getframe(1))

    def __int__(self):
        raise number_refused(self, "int")

    def __complex__(self):
        raise number_refused(self, "complex")

    def __index__(self):
        raise number_refused(self, "index")

    def __getattr__(self, name):                 # only for names a tracer lacks (x.grad)
        refusal = missing_attribute(self, name)
        if refusal is None:
            return object.__getattribute__(self, name)      # Python's own AttributeError
        raise refusal


def shown(value, spec, what):
    """``[1.00 2.00] (what)``: an array as print shows it, each number formatted with
    ``spec``, then what it is; with a spec, a scalar is the number alone (f"{x:.3f}")."""
    if spec and not value.ndim:
        return format(value[()], spec)
    formatter = {"all": lambda v: format(v, spec)} if spec else None
    text = np.array2string(value, formatter=formatter) if spec else str(value)
    return f"{text} {what}"


def top_trace(args):
    """The newest trace among the tracers in ``args``, or None."""
    top = None
    for a in args:
        if isinstance(a, Tracer) and (top is None or a._trace.level > top.level):
            top = a._trace
    return top


def add_any(terms):
    """The sum of the terms that are not ``None``; ``None`` if all are.

    Tangents use ``None`` for zero (a constant has no tangent), so a JVP
    rule that adds one term per argument adds only the terms that exist.
    """
    total = None
    for t in terms:
        if t is not None:
            total = t if total is None else total + t
    return total


def shape_of(x):
    """``np.shape(x)``, faster for the common cases (arrays, scalars, tracers)."""
    try:
        return x.shape
    except AttributeError:
        return np.shape(x)


def dtype_of(x):
    """The dtype of an array, a NumPy or Python number, or a tracer."""
    try:
        return x.dtype
    except AttributeError:
        return np.asarray(x).dtype


def concrete(x):
    """The plain NumPy value under any number of nested tracers."""
    while isinstance(x, Tracer):
        x = x.primal
    return x


def _dtype_str(dtype):
    return {"float64": "f64", "float32": "f32", "float16": "f16", "int64": "i64",
            "bool": "bool"}.get(str(dtype), str(dtype))


def _kind(trace):
    """What a trace is, in a word or two: its ``who``, else its class (JitTrace: jit)."""
    if trace.who != Trace.who:
        return trace.who
    return type(trace).__name__.removesuffix("Trace").lower() or Trace.who
