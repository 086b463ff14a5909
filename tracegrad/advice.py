"""What tracegrad tells a student whose code it cannot follow, and where it says it.

The engine (``core.py``) reads as primitives, ``bind``, traces and tracers;
this module holds what it says when something goes wrong, so that those
few lines stay short:

- the errors: :class:`TracegradError`, :class:`UnexpectedTracerError` and
  :class:`CustomRuleError`;
- NumPy's warnings (``divide by zero encountered in log``) repeated at the
  student's line, naming the primitive: :func:`route_numpy_warnings`;
- complex numbers, refused inside a transformation: :func:`is_complex`;
- a traced value turned into a number or an array (``float(x)``,
  ``math.exp(x)``, ``preds[i] = x``, ``np.array(hist)``): :func:`number_refused`,
  :func:`array_refused`;
- habits from PyTorch and NumPy (``loss.backward()``, ``x.grad``, ``x.exp()``,
  ``x.tolist()``): :func:`missing_attribute`.

It knows the student's frames (``usercode.py``) and the words tables, not
tracers: a tracer is asked for its ``_trace`` and ``dtype``, as any object.
"""
from __future__ import annotations

import dis
import os
import re
import sys
import threading
import warnings

import numpy as np

from .usercode import TRACEGRAD_DIR, instruction, line_text, stacklevel_outside
from .words import message, said, words

__all__ = ["TracegradError", "UnexpectedTracerError", "CustomRuleError", "route_numpy_warnings",
           "unroute_numpy_warnings", "routing", "warn_at_user", "is_complex",
           "complex_result", "complex_argument", "complex_error", "refuse_complex_inputs",
           "shape_error", "number_refused", "array_refused", "missing_attribute",
           "scipy_error", "SCIPY_SPECIAL", "COMPLEX_TANGENT"]


class TracegradError(Exception):
    """Base class for the errors tracegrad raises on bad input."""


class UnexpectedTracerError(TracegradError):
    """A traced value was used after its transformation had finished."""


class CustomRuleError(TracegradError, TypeError):
    """A custom rule returned something of the wrong kind, structure or shape, or
    was used where it cannot be. Also a ``TypeError``: what JAX raises then."""


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


class _Routing(threading.local):
    depth = 0                                    # > 0 while NumPy's warnings are routed


routing = _Routing()                             # this thread's routing (Primitive.bind reads it)


def route_numpy_warnings():
    """Start routing NumPy's warnings to the user's line; pass the result to unroute."""
    routing.depth += 1
    if routing.depth > 1:                        # an outer transformation routes them
        return None
    errors = np.geterr()
    routed = {kind: "call" for kind, action in errors.items() if action == "warn"}
    if not routed or "call" in errors.values():  # nothing to route, or the user's own call
        return None
    state = np.errstate(call=_numpy_warned, **routed)
    state.__enter__()
    return state


def unroute_numpy_warnings(state):
    routing.depth -= 1
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
        if code.co_qualname == "Primitive.bind" and rule is None:
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
# Complex numbers
# ---------------------------------------------------------------------------
# tracegrad differentiates real functions only. A complex number inside a
# transformation would be cast to real somewhere along the way (NumPy drops the
# imaginary part with a mere warning), and the derivative would be silently wrong.
# So every primitive applied inside a transformation looks at its result, which is
# complex when an argument is: this catches complex inputs and complex tangents and
# cotangents (rules are primitives too). A constant met next to a tracer is checked
# before any trace sees it (tg.jit stages primitives without coming back here).
# Plain NumPy use, outside any transformation, keeps NumPy's behaviour.

_COMPLEX_RESULT, _COMPLEX_ARGUMENT, COMPLEX_TANGENT, _COMPLEX_INPUT = (   # words keys
    "complex.result", "complex.argument", "complex.tangent", "complex.input")


def is_complex(x):
    if type(x) is complex:
        return True
    dtype = getattr(x, "dtype", None)
    return dtype is not None and dtype.kind == "c"


def complex_result(prim, args):
    """The error for a complex result met inside a transformation.

    ``bind`` looks once per call, at the result: a complex argument gives a
    complex result, so the arguments are read only here, to say which one it
    was. (The few primitives that make a real number of a complex one, such as
    ``abs``, meet no complex argument inside a transformation: inputs are
    checked when it starts, constants when they meet a tracer, in ``bind``.)
    """
    for k, a in enumerate(args):
        if is_complex(a):
            return complex_argument(prim, k, a)
    return complex_error(_COMPLEX_RESULT, name=prim.name)


def complex_argument(prim, k, a):
    name = prim.argnames[k] if k < len(prim.argnames) else f"{k + 1}"
    return complex_error(_COMPLEX_ARGUMENT, argument=name, name=prim.name, dtype=_dtype(a))


def _dtype(x):
    return x.dtype if hasattr(x, "dtype") else np.result_type(x)


def complex_error(what, **fields):
    """The error for a complex value met inside a transformation: ``what``, the
    words key of the value that was complex, filled from ``fields``."""
    return TracegradError(message("err.complex", what=said(what, **fields)))


def refuse_complex_inputs(leaves, who):
    """Raise if an input of a transformation (``who``: ``vmap(f)``, ``jit(f)``) is
    complex: inside, a primitive such as ``abs`` would make it real without a word.
    (A tracer is never complex: ``bind`` refused it when it was made.)"""
    for k, leaf in enumerate(leaves):
        if is_complex(leaf):
            raise complex_error(_COMPLEX_INPUT, k=k, who=who, dtype=_dtype(leaf))


def shape_error(prim, args, err):
    """NumPy's error for arguments of the wrong shapes, with the primitive and the shapes
    named (``args`` are plain values: ``bind`` meets this only outside every trace)."""
    shapes = said("and").join(str(np.shape(a)) for a in args
                              if not isinstance(a, (str, type(None))))
    return ValueError(message("err.shape-args", name=prim.name, shapes=shapes, error=err))


# ---------------------------------------------------------------------------
# A traced value turned into a number or an array
# ---------------------------------------------------------------------------
# Turning a tracer into a plain number or array would silently cut it out of
# the trace, and its gradient would be lost: refused, saying why.
#
# A traced v stored into a plain NumPy array (preds[i] = v): NumPy's own
# __setitem__ cannot be intercepted, but to store v it asks v for a number
# (float(v), one element) or an array (np.asarray(v), a row), and turns a
# TypeError into "setting an array element with a sequence". So both look at
# the instruction that called them: a store into a subscript gets its own
# error, a TracegradError. NumPy passes it on for a row; for one element it
# still raises its ValueError, but with ours as the cause, printed above it.
# SciPy's functions reach np.asarray(v) too (scipy.special.softmax): name tracegrad's.

_STORE_SUBSCR = dis.opmap["STORE_SUBSCR"]
_BINARY_SUBSCR = dis.opmap.get("BINARY_SUBSCR")     # Python 3.14 reads a[k] as a BINARY_OP

# Python's math functions and the tracegrad.numpy functions to use instead.
_MATH_TO_TNP = {name: f"tnp.{name}" for name in (
    "exp", "expm1", "log", "log1p", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh")}
_MATH_TO_TNP.update(asin="tnp.arcsin", acos="tnp.arccos", atan="tnp.arctan",
                    atan2="tnp.arctan2", fabs="tnp.abs", pow="tnp.power")

# SciPy's functions that tracegrad has under another name. scipy.special's are NumPy
# ufuncs (expit, logit) or functions that call np.asarray (softmax): both reach a tracer.
SCIPY_SPECIAL = {
    "expit": "tg.nn.sigmoid(x)", "log_expit": "-tg.nn.softplus(-x)",
    "logit": "tnp.log(x) - tnp.log1p(-x)", "softplus": "tg.nn.softplus(x)",
    "softmax": "tg.nn.softmax(x, axis)", "log_softmax": "tg.nn.log_softmax(x, axis)",
    "logsumexp": "tg.nn.logsumexp(x, axis)",
}


def scipy_error(name):
    return TypeError(message("err.scipy", name=name, instead=SCIPY_SPECIAL[name]))


def number_refused(tracer, kind, frame=None):
    """The error for ``float(x)``, ``int(x)``, ... of a tracer (``kind``: ``"float"``).

    float(x) and math.exp(x) both reach ``__float__`` from C: ``frame`` is the
    caller's, and its instruction or line tells which it was.
    """
    trace = tracer._trace
    if frame is not None and instruction(frame) == _STORE_SUBSCR:
        return TracegradError(message("err.store", who=trace.who))
    if trace.finished:                           # float(hist[0]) after the step
        return trace.escaped(said("escaped.number", kind=kind))
    calls = _math_calls(frame)
    if calls:                                    # math.exp(x) calls float(x) first
        uses = ", ".join(said("math.for", tnp=_MATH_TO_TNP[c], math=c) for c in calls)
        return TypeError(message("err.math", function=calls[0], who=trace.who, uses=uses))
    more = "\n" + said("number.math") if kind == "float" else ""
    return TypeError(message("err.number", kind=kind, who=trace.who, more=more))


def array_refused(tracer, frame):
    """The error for ``np.asarray(x)`` of a tracer, called from ``frame``."""
    trace = tracer._trace
    asked = instruction(frame)
    if asked == _STORE_SUBSCR:
        return TracegradError(message("err.store", who=trace.who))
    if asked == _BINARY_SUBSCR and tracer.dtype.kind in "iu":
        # a[k] on a plain array a, k integers computed per example: NumPy tries
        # operator.index(k), then np.asarray(k); neither can stand for every example.
        return TracegradError(message("err.subscript", who=trace.who))
    name = _scipy_caller(frame)
    if name is not None:
        return scipy_error(name)
    if trace.finished:                           # hist.append(loss), then np.array(hist)
        return trace.escaped(said("escaped.array"))
    return TypeError(message("err.asarray"))


def _math_calls(frame):
    """The math functions with a tnp equivalent called on ``frame``'s current line."""
    if frame is None:
        return []
    return [name for name in re.findall(r"\bmath\.(\w+)\s*\(", line_text(frame))
            if name in _MATH_TO_TNP]


def _scipy_caller(frame):
    """The outermost SciPy function among the callers, if it is one tracegrad has."""
    name = None
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith("scipy."):
            name = frame.f_code.co_name
        elif not module.startswith("numpy") and name is not None:
            break
        frame = frame.f_back
    return name if name in SCIPY_SPECIAL else None


# ---------------------------------------------------------------------------
# Habits: what a tracer lacks, and what to write instead
# ---------------------------------------------------------------------------
# A student who knows PyTorch reaches for loss.backward() and x.grad. Traced
# values have neither: tracegrad, like JAX, returns gradients from tg.grad.
# Each habit gets two lines, what is different and what to write; as
# AttributeErrors, so that hasattr(x, "grad") stays False, as for an ndarray.

# The habit, and the words key of what to write instead (tracegrad/words/).
_PYTORCH_HABITS = {
    "backward": ("loss.backward()", "part.pytorch backward"),
    "grad": ("x.grad", "part.pytorch grad"),
    "requires_grad_": ("x.requires_grad_()", "part.pytorch requires_grad"),
    "requires_grad": ("x.requires_grad", "part.pytorch requires_grad"),
    "detach": ("x.detach()", "part.pytorch detach"),
}

# Functions that are methods in PyTorch (x.exp()), and what to write: code, or a
# words key ("part.*") when it has words in it.
_NOT_METHODS = {name: f"tnp.{name}(x)" for name in (
    "exp", "log", "log1p", "expm1", "sqrt", "square", "sin", "cos", "tan", "sinh", "cosh",
    "tanh", "abs", "sign", "floor", "ceil")}
_NOT_METHODS.update({name: f"tg.nn.{name}(x)" for name in (
    "sigmoid", "relu", "softplus", "softmax", "log_softmax", "logsumexp")})
_NOT_METHODS.update(pow="part.pow instead", norm="tnp.linalg.norm(x)")


def missing_attribute(tracer, name):
    """The AttributeError for ``x.<name>``, which a tracer lacks, saying what to write
    instead when it is a known habit; ``None`` for any other name."""
    if name in _PYTORCH_HABITS:
        what, instead = _PYTORCH_HABITS[name]
        return AttributeError(message("err.pytorch", what=what, instead=said(instead)))
    if name in _NOT_METHODS:
        instead = _NOT_METHODS[name]
        return AttributeError(message("err.not-a-method", name=name, instead=said(instead)
                                      if instead in words() else instead))
    if name == "tolist":
        return AttributeError(message("err.tolist", who=tracer._trace.who))
    if name == "numpy":
        return AttributeError(message("err.numpy-method"))
    return None
