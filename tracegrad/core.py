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

import itertools
import linecache
import os
import re
import sys
import threading
import warnings

import numpy as np

from .usercode import TRACEGRAD_DIR, stacklevel_outside
from .words import message, said, words

__all__ = ["Primitive", "Trace", "Tracer", "new_level", "active_traces", "thread_state",
           "concrete", "shape_of", "dtype_of", "like_primal", "top_trace", "add_any",
           "route_numpy_warnings", "unroute_numpy_warnings", "warn_at_user", "shown",
           "refuse_complex_inputs", "TracegradError", "UnexpectedTracerError"]


class TracegradError(Exception):
    """Base class for the errors tracegrad raises on bad input."""


class UnexpectedTracerError(TracegradError):
    """A traced value was used after its transformation had finished."""


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
        top = top_trace(args)
        if top is None:                          # no tracers: plain NumPy
            if thread_state.staging is not None:     # unless tg.jit stages its integers
                staged = thread_state.staging.stage(self, args, params)
                if staged is not None:
                    return staged
            try:
                if thread_state.warnings_routed:     # the usual case: inside a transformation
                    out = self.impl(*args, **params)
                    if type(out) is complex or getattr(out, "dtype", _FLOAT).kind == "c":
                        raise _complex_result(self, args)     # (see _complex_result)
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
        for k, a in enumerate(args):             # a complex constant (see _complex_result)
            if not isinstance(a, Tracer) and _is_complex(a):
                raise _complex_argument(self, k, a)
        if not self.differentiable:              # e.g. argmax: no derivative
            return self.bind(*[concrete(a) for a in args], **params)
        return top.process(self, args, params)

    __call__ = bind                              # lax.sin(x) is lax.sin.bind(x)


_BIND_CODE = Primitive.bind.__code__


# tracegrad differentiates real functions only. A complex number inside a
# transformation would be cast to real somewhere along the way (NumPy drops the
# imaginary part with a mere warning), and the derivative would be silently wrong.
# So every primitive applied inside a transformation looks at its result, which is
# complex when an argument is: this catches complex inputs and complex tangents and
# cotangents (rules are primitives too). A constant met next to a tracer is checked
# before any trace sees it (tg.jit stages primitives without coming back here).
# Plain NumPy use, outside any transformation, keeps NumPy's behaviour.
def _is_complex(x):
    if type(x) is complex:
        return True
    dtype = getattr(x, "dtype", None)
    return dtype is not None and dtype.kind == "c"


def _complex_result(prim, args):
    """The error for a complex result met inside a transformation.

    ``bind`` looks once per call, at the result: a complex argument gives a
    complex result, so the arguments are read only here, to say which one it
    was. (The few primitives that make a real number of a complex one, such as
    ``abs``, meet no complex argument inside a transformation: inputs are
    checked when it starts, constants when they meet a tracer, in ``bind``.)
    """
    for k, a in enumerate(args):
        if _is_complex(a):
            return _complex_argument(prim, k, a)
    return _complex_error(_COMPLEX_RESULT, name=prim.name)


_FLOAT = np.dtype(float)


def refuse_complex_inputs(leaves, who):
    """Raise if an input of a transformation (``who``: ``vmap(f)``, ``jit(f)``) is
    complex: inside, a primitive such as ``abs`` would make it real without a word."""
    for k, leaf in enumerate(leaves):
        if not isinstance(leaf, Tracer) and _is_complex(leaf):
            raise _complex_error(_COMPLEX_INPUT, k=k, who=who, dtype=dtype_of(leaf))


def _complex_argument(prim, k, a):
    name = prim.argnames[k] if k < len(prim.argnames) else f"{k + 1}"
    return _complex_error(_COMPLEX_ARGUMENT, argument=name, name=prim.name, dtype=dtype_of(a))


_COMPLEX_RESULT, _COMPLEX_ARGUMENT, _COMPLEX_TANGENT, _COMPLEX_INPUT = (   # words keys
    "complex.result", "complex.argument", "complex.tangent", "complex.input")


def _complex_error(what, **fields):
    """The error for a complex value met inside a transformation: ``what``, the
    words key of the value that was complex, filled from ``fields``."""
    return TracegradError(message("err.complex", what=said(what, **fields)))


def _shape_error(prim, args, err):
    shapes = said("and").join(str(np.shape(concrete(a))) for a in args
                                 if not isinstance(a, (str, type(None))))
    return ValueError(message("err.shape-args", name=prim.name, shapes=shapes, error=err))


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
        self.warnings_routed = 0                 # > 0 while NumPy's warnings are routed
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
# NumPy's warnings, at the user's line
# ---------------------------------------------------------------------------
# NumPy reports ``divide by zero encountered in log`` at the line that called
# the ufunc: a line of tracegrad, which tells a student nothing. While a
# transformation runs (or a primitive is applied to plain arrays), NumPy is
# asked to call `_numpy_warned` instead of warning (``np.errstate(call=...)``),
# and that warns again at the first line outside tracegrad, naming the
# primitive. Only the categories the user has set to "warn" are routed:
# "ignore" and "raise" keep working. The errstate is entered once, by the
# outermost transformation: nothing is added to each primitive call.

_NUMPY_DIR = os.path.dirname(os.path.abspath(np.__file__)) + os.sep


def route_numpy_warnings():
    """Start routing NumPy's warnings to the user's line; pass the result to unroute."""
    thread_state.warnings_routed += 1
    if thread_state.warnings_routed > 1:         # an outer transformation routes them
        return None
    errors = np.geterr()
    routed = {kind: "call" for kind, action in errors.items() if action == "warn"}
    if not routed or "call" in errors.values():  # nothing to route, or the user's own call
        return None
    state = np.errstate(call=_numpy_warned, **routed)
    state.__enter__()
    return state


def unroute_numpy_warnings(state):
    thread_state.warnings_routed -= 1
    if state is not None:
        state.__exit__(None, None, None)


def warn_at_user(message, category):
    """``warnings.warn`` at the first line outside tracegrad (the user's call), so the
    warning shows the user's code, and the user's filters see it there."""
    warnings.warn(message, category, stacklevel=stacklevel_outside(sys._getframe(1)))


def _numpy_warned(kind, flag):
    """NumPy's error callback: warn again at the user's line, naming the primitive.

    The frames between here and the user's code tell what was running: the
    innermost ``Primitive.bind`` is the primitive whose NumPy code warned,
    unless that primitive's JVP rule is running (forward mode); a
    ``node_vjps`` further out means a rule of the backward pass.
    """
    frame, level = sys._getframe(1), 2           # stacklevel 2: the frame that called us
    name = rule = None
    inner = set()                                # the code of the frames passed so far
    while frame.f_back is not None and frame.f_code.co_filename.startswith(
            (TRACEGRAD_DIR, _NUMPY_DIR)):
        code = frame.f_code
        if code is _BIND_CODE and rule is None:
            prim = frame.f_locals["self"]
            if getattr(prim.jvp, "__code__", None) in inner:
                rule = said("numpy.forward rule", name=prim.name)
            elif name is None:
                name = prim.name
        elif code.co_name == "node_vjps" and rule is None:
            rule = said("numpy.backward rule", name=frame.f_locals["node"].primitive.name)
        inner.add(code)
        frame, level = frame.f_back, level + 1
    where = said("numpy.in", name=name) if name else "" if rule else said("numpy.in numpy")
    why = said("numpy.computing" if name else "numpy.computing alone", rule=rule) \
        if rule else ""
    # NumPy's own words ("divide by zero encountered"), in the current language
    kind = said("numpy." + kind) if "numpy." + kind in words() else kind
    warnings.warn(said("numpy.warning", kind=kind, where=where, why=why),
                  RuntimeWarning, stacklevel=level)


# ---------------------------------------------------------------------------
# Tracers
# ---------------------------------------------------------------------------

class Tracer:
    """Base class of the values that transformations pass to user code.

    Subclasses set ``_trace`` and ``primal``, and give their side data a
    second name, ``side`` (``ReverseTracer.node``, ``JVPTracer.tangent``),
    for ``Trace.unbox``. Everything array-like (shape, operators, methods)
    is defined once, in ``tracegrad/numpy/_methods.py``, in terms of
    ``tracegrad.numpy`` functions, so a tracer behaves like an ``ndarray``
    and every operation on it goes through ``bind``.
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

    # Turning a tracer into a plain number or array would silently cut it out
    # of the trace, and its gradient would be lost. Refuse, and say why.
    def __array__(self, dtype=None, copy=None):
        if self._trace.finished:                 # hist.append(loss), then np.array(hist)
            raise self._trace.escaped(said("escaped.array"))
        raise TypeError(message("err.asarray"))

    def _no_scalar(self, kind, caller=None):
        if self._trace.finished:                 # float(hist[0]) after the step
            raise self._trace.escaped(said("escaped.number", kind=kind))
        who = self._trace.who
        calls = _math_calls(caller)
        if calls:                                # math.exp(x) calls float(x) first
            uses = ", ".join(said("math.for", tnp=_MATH_TO_TNP[c], math=c)
                             for c in calls)
            raise TypeError(message("err.math", function=calls[0], who=who, uses=uses))
        more = "\n" + said("number.math") if kind == "float" else ""
        raise TypeError(message("err.number", kind=kind, who=who, more=more))

    # float(x) and math.exp(x) both reach __float__ from C: the frame above is
    # the user's, and its line tells which of the two it was.
    def __float__(self):
        self._no_scalar("float", sys._getframe(1))

    def __int__(self):
        self._no_scalar("int")

    def __complex__(self):
        self._no_scalar("complex")

    def __index__(self):
        self._no_scalar("index")


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


def like_primal(x, primal):
    """The tangent or cotangent ``x`` in the dtype of its floating ``primal``.

    A derivative has its primal's dtype, as in JAX: a float32 input gets a
    float32 gradient. Rules mix in float64 constants and masks, so without
    this cast a float32 program would drift to float64 derivatives.
    """
    want = dtype_of(primal)
    have = dtype_of(x)
    if have.kind == "c":                         # a complex tangent would lose its imaginary part
        raise _complex_error(_COMPLEX_TANGENT, dtype=have, real=want)
    if have is want or want.kind != "f" or have == want:
        return x
    # imported here, not at the top: lax is built on this module
    from .lax import astype
    return astype(x, dtype=want)


def concrete(x):
    """The plain NumPy value under any number of nested tracers."""
    while isinstance(x, Tracer):
        x = x.primal
    return x


# Python's math functions and the tracegrad.numpy functions to use instead.
_MATH_TO_TNP = {name: f"tnp.{name}" for name in (
    "exp", "expm1", "log", "log1p", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh")}
_MATH_TO_TNP.update(asin="tnp.arcsin", acos="tnp.arccos", atan="tnp.arctan",
                    atan2="tnp.arctan2", fabs="tnp.abs", pow="tnp.power")


def _math_calls(frame):
    """The math functions with a tnp equivalent called on ``frame``'s current line."""
    if frame is None:
        return []
    line = linecache.getline(frame.f_code.co_filename, frame.f_lineno)
    return [name for name in re.findall(r"\bmath\.(\w+)\s*\(", line) if name in _MATH_TO_TNP]


def _dtype_str(dtype):
    return {"float64": "f64", "float32": "f32", "float16": "f16", "int64": "i64",
            "bool": "bool"}.get(str(dtype), str(dtype))


def _kind(trace):
    """What a trace is, in a word or two: its ``who``, else its class (JitTrace: jit)."""
    if trace.who != Trace.who:
        return trace.who
    return type(trace).__name__.removesuffix("Trace").lower() or Trace.who
