"""``tg.jit``: trace a function once, compile the record into plain NumPy source.

Read this after ``core.py`` and ``reverse.py``. Eager tracegrad runs the
user's Python every time, and every primitive pays for ``bind`` and the
traces on its way down. ``jit`` pays that once:

1. **Trace.** The first call runs ``fun`` on the actual values under a
   :class:`JitTrace`, a recording trace started *before* any other, so it
   sits at the lowest level. Whatever ``fun`` does (``grad``, ``jvp``,
   ``hessian``, any nesting) ends up, primitive by primitive, in this one
   record: ``jit(grad(f))`` records the forward *and* the backward pass, as
   one straight-line program.
2. **Compile.** Each recorded primitive becomes one line of NumPy
   (each primitive's ``source`` says how it is written). Python compiles
   that source into an ordinary function. ``jf.source(x)`` shows it, named
   after the user's variables (``z = t4 + b``, ``dw``): finding those names
   means looking at the user's frame on every line, so a call compiles with
   plain names (``t5 = t4 + arg1``) and ``source`` traces once more, with
   names, and uses that code if it is the very same program.
3. **Reuse.** Later calls with arguments of the same shapes, dtypes and
   structure (and equal ``static_argnums``) run the compiled function: plain
   NumPy, no tracers, no ``bind``.

Never wrong: guards
-------------------
A recording is only valid for inputs on which the Python code would do the
same thing. Under ``jit``, ``concrete(x)`` (the value that comparisons,
``if`` and masks read) is a :class:`Staged` value: it behaves like the array
but records what is computed from it. So ``if x > 0:`` records the
comparison and the branch taken, and the compiled code re-checks that
condition on the new values before it uses the branch (``return RETRACE``
when it fails). Then ``fun`` is traced again and both versions are kept, up
to :data:`RETRACE_LIMIT`; after that the function runs eagerly, with one
warning that names the line of the branch. A value read in a way that
cannot be staged (``float(x)``, ``np.asarray(x)``) is guarded the strictest
way: the compiled version is used only when that value is exactly the same.
Printing a traced value is a side effect compiled code would not repeat, so
such a function runs eagerly.

The shape of most values follows from the shapes of the arguments, which
are part of the cache key. Where it depends on the values (``np.nonzero``,
a boolean mask), reading it (``len``, ``.shape``) is guarded too. Integer
and boolean arguments are never differentiated: the function sees them as
staged NumPy values, so ``x[i]`` indexes with each call's ``i``, as in JAX.

Constants: arrays are values, read when used
--------------------------------------------
A NumPy array that is not an argument (closed over, a global, a buffer
the function writes into between operations) is read by value, at the
moment an operation reads it (``JitTrace.constants`` copies it): the
compiled code holds that value as a constant, as ``jax.jit`` does. So a
buffer used twice with different contents is two constants, and an array
changed *after* compiling is not seen: the compiled code keeps the value,
and the branches, of the trace. Pass an array that changes between calls
(weights updated in place) as an argument. The other way, guarding each
closed-over array by value, would compare every such array on every call.

Results are the caller's: each call returns arrays of its own, never an
argument, a constant or an earlier result (``x * 1.0`` compiles to ``x``,
so it is copied on the way out), and editing one changes nothing else.

Randomness drawn inside ``fun`` and changes ``fun`` makes to the outside
world are done while tracing, as in ``jax.jit``: once per trace, and once
more if ``jf.source`` traces again for the names (it then keeps the code
that ran, see ``Jitted._add_names``). The numbers drawn become constants,
the same on every call: a draw from NumPy's global generator
(``np.random.rand``) is noticed and warned about, naming ``tg.random``.

The source ``jf.source(x)`` shows is complete: its constants are written
out (``exec(source, {"np": np})`` defines the function), except those too
big to read, which ``source.namespace`` holds.
"""
from __future__ import annotations

import ast
import builtins
import ctypes
import functools
import html
import inspect
import io
import keyword
import linecache
import math
import operator
import re
import sys
import textwrap
import tokenize
import weakref
from collections import namedtuple

import numpy as np

from . import lax
from .core import (
    Trace,
    TracegradError,
    Tracer,
    _dtype_str,
    _kind,
    _shape_error,
    dtype_of,
    new_level,
    refuse_complex_inputs,
    shape_of,
    shown,
    warn_at_user,
)
from .core import thread_state as _state
from .reverse import Constants, Node, ReverseTracer
from .tree import tree_flatten, tree_unflatten
from .usercode import is_users, place, user_frame
from .words import message, said, words

__all__ = ["jit", "replay", "Jitted", "JitTrace", "JitTracer", "Staged", "source_template",
           "RETRACE_LIMIT", "JitWarning", "CacheInfo"]

RETRACE_LIMIT = 8       # compiled versions kept per signature before running eagerly


class JitWarning(UserWarning):
    """``jit`` gave up compiling a function and runs it eagerly."""


# ---------------------------------------------------------------------------
# 1. How each primitive is written in NumPy
# ---------------------------------------------------------------------------
# Each primitive says how it is written, beside its other rules in lax/
# (``Primitive.source``): a format string over the arguments ({0}, {1}, ...)
# and the parameters ({shape}, {n}, ...), or a function (args, params, lit)
# -> text when the text depends on the parameters. Primitives whose
# implementation is a NumPy ufunc (np.tanh) need none: ``np.tanh({0})`` is
# derived. Each template computes exactly what the primitive's ``impl`` does.
#
# A template that calls a function named after the primitive itself
# (``logistic({0})``) calls its ``impl``: that function's own source is
# written out at the top of the generated code, so there is one definition.

def _derived(primitive):
    """``np.tanh({0})`` for a primitive whose impl is NumPy's own ufunc."""
    impl = primitive.impl
    if isinstance(impl, np.ufunc) and getattr(np, impl.__name__, None) is impl:
        return f"np.{impl.__name__}({', '.join('{%d}' % k for k in range(impl.nin))})"
    return None


_TEMPLATES = {}                           # primitive -> its template (or None), cached


def source_template(primitive):
    """The template that writes ``primitive`` as NumPy, or None (custom rules)."""
    try:
        return _TEMPLATES[primitive]
    except KeyError:
        template = _TEMPLATES[primitive] = primitive.source or _derived(primitive)
        return template


def _calls_helper(primitive, template):
    """Does the template call the primitive's own impl, by the primitive's name?"""
    return isinstance(template, str) and template.startswith(primitive.name + "(")


# The names the generated code keeps for itself: np, RETRACE, Python's builtins
# and the helpers (primitives written as a call of their own impl).
_RESERVED = frozenset({"same", "np", "RETRACE"} | set(dir(builtins))
                      | {p.name for p in lax.primitives() if _calls_helper(p, source_template(p))})
_helpers = {}                            # primitive name -> (definition, the names it reads)


def _helper(primitive):
    """The definition of ``primitive.impl`` as ``def <name>(...)``, and what it reads.

    The small functions of its own module that it calls are written out first.
    """
    found = _helpers.get(primitive.name)
    if found is None:
        impl = primitive.impl
        text = _bare(inspect.getsource(impl))
        text = text.replace(f"def {impl.__name__}(", f"def {primitive.name}(", 1)
        reads = {n: impl.__globals__[n] for n in impl.__code__.co_names
                 if n in impl.__globals__ and n != "np"}
        for used in reads.values():
            if inspect.isfunction(used) and used.__module__ == impl.__module__:
                text = _bare(inspect.getsource(used)) + "\n\n" + text
        found = _helpers[primitive.name] = (text, reads)
    return found


def _bare(source):
    """A helper's code without its docstrings and comments: they are tracegrad's
    English, and the source is shown in the student's language."""
    tree = ast.parse(textwrap.dedent(source))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.FunctionDef, ast.ClassDef)) and body
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.unparse(tree)


# The guard on a value read by Python, written out in the code that uses it
# (its docstring in the student's language).
_SAME = '''\
def same(x, value):
    """{doc}"""
    if isinstance(value, (tuple, list)):          # several arrays, or a shape
        return isinstance(x, (tuple, list)) and len(x) == len(value) and all(
            same(a, b) for a, b in zip(x, value))
    same_shape = np.shape(x) == np.shape(value)
    return same_shape and bool(np.all((x == value) | (x != x) & (value != value)))
'''


# Comparisons and arithmetic that NumPy code reaches through ufuncs: written
# with their operators, which call the very same ufuncs on arrays.
_OPERATOR_UFUNCS = {np.greater: ">", np.greater_equal: ">=", np.less: "<", np.less_equal: "<=",
                    np.equal: "==", np.not_equal: "!=", np.add: "+", np.subtract: "-",
                    np.multiply: "*", np.true_divide: "/", np.logical_and: "&",
                    np.logical_or: "|"}


# ---------------------------------------------------------------------------
# 2. The staging trace
# ---------------------------------------------------------------------------

class JitTracer(ReverseTracer):
    """A value staged by ``jit``: its record ``node``, and as ``primal`` a
    :class:`Staged` value, which is what ``concrete()`` finds underneath.

    It is a ``ReverseTracer`` only in that it carries a ``node`` (so that
    ``tg.label`` names it); its trace is a :class:`JitTrace`.
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
        from .numpy._methods import _UFUNCS, _array_ufunc
        if method == "__call__" and not kwargs and ufunc.__name__ in _UFUNCS:
            return _array_ufunc(self, ufunc, method, *inputs, **kwargs)
        # NumPy functions tracegrad cannot differentiate are fine here: staged as they are.
        return getattr(ufunc, method)(*_as_staged(inputs, self._trace),
                                      **_as_staged(kwargs, self._trace))

    def __array_function__(self, func, types, args, kwargs):
        from . import numpy as tnp
        from .numpy._methods import _array_function
        if func.__name__ in tnp.__all__:
            return _array_function(self, func, types, args, kwargs)
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
        return self.trace.call_numpy(_astype, (self, dtype), {})

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


def _astype(x, dtype):
    return x.astype(dtype)


def _values(tree):
    if isinstance(tree, Staged):
        return tree.value
    if isinstance(tree, (tuple, list)) and not hasattr(tree, "_fields"):
        return type(tree)(_values(t) for t in tree)
    if isinstance(tree, dict):
        return {k: _values(v) for k, v in tree.items()}
    return tree


class _Slot:
    """Stands for argument ``k`` (a staged value) inside a NumPy call's arguments."""
    __slots__ = ("k",)

    def __init__(self, k):
        self.k = k


class _NumpyCall:
    """A recorded call of a NumPy function on staged values (not a Primitive)."""

    def __init__(self, func):
        self.func = func
        self.name = getattr(func, "__name__", repr(func))

    def template(self, args, params, lit):
        func, call_args, kwargs = self.func, params["args"], params["kwargs"]

        def text(x):
            if isinstance(x, _Slot):
                return args[x.k]
            if isinstance(x, (tuple, list)) and not hasattr(x, "_fields"):
                inner = ", ".join(text(t) for t in x)
                return (f"({inner},)" if len(x) == 1 else f"({inner})") \
                    if isinstance(x, tuple) else f"[{inner}]"
            return lit(x)

        if func is operator.getitem:
            index = call_args[1] if isinstance(call_args[1], tuple) else (call_args[1],)
            return lax.getitem.source([text(call_args[0])], {"index": index}, text)
        if func is _astype:
            return f"{text(call_args[0])}.astype({lit(call_args[1])})"
        ufunc = getattr(func, "__self__", None)
        if isinstance(ufunc, np.ufunc) and func.__name__ == "__call__" and not kwargs:
            if ufunc in _OPERATOR_UFUNCS and len(call_args) == 2:
                return f"{text(call_args[0])} {_OPERATOR_UFUNCS[ufunc]} {text(call_args[1])}"
            name = f"np.{ufunc.__name__}"
        elif isinstance(ufunc, np.ufunc):
            name = f"np.{ufunc.__name__}.{func.__name__}"
        else:
            module = getattr(func, "__module__", "") or ""
            name = (f"np.{func.__name__}" if getattr(np, func.__name__, None) is func
                    else f"{module.replace('numpy', 'np', 1)}.{func.__name__}")
        parts = [text(a) for a in call_args] + [f"{k}={text(v)}" for k, v in kwargs.items()]
        return f"{name}({', '.join(parts)})"


_numpy_calls = {}


def _numpy_call(func):
    call = _numpy_calls.get(func)
    if call is None:
        call = _numpy_calls[func] = _NumpyCall(func)
    return call


class _Guard:
    """A condition the compiled code re-checks: the branch taken, or a value read.

    ``what`` is a key of the words table and its fields: the source's comment
    says it in the student's language."""

    __slots__ = ("kind", "node", "value", "what", "where", "position")

    def __init__(self, kind, node, value, what, where, position):
        self.kind, self.node, self.value = kind, node, value
        self.what, self.where, self.position = what, where, position


class JitTrace(Trace):
    """Records every primitive call, at the lowest level, into ``self.nodes``.

    Unlike ``ReverseTrace`` it is not differentiated: it stages. Each node
    computes its value at once (the first call's result is the eager result)
    and will become one line of the compiled source. Equal calls on equal
    arguments are recorded once (common subexpressions: the primal parts of
    ``jacfwd``'s passes are all the same).

    With ``names=True`` it also finds the user's names for the values: the
    locals they are assigned to, and ``d`` + name for a cotangent. That looks
    at the user's frame on every line, so ``jit`` asks for it only when the
    source is to be read (``Jitted.source``).
    """

    def __init__(self, names=True):
        super().__init__()
        self.names = names
        self.nodes = []
        self.guards = []
        self.impure = None               # (what, where) of a side effect, if any
        self.drew_random = False         # did fun draw from np.random's global state?
        self._seen = {}                  # common subexpressions: key -> node
        self.cotangent_of = {}           # node -> the node whose cotangent it is
        self.constant_names = {}         # id(array) -> (name, array), from the user's locals
        # The NumPy arrays read, each as it was when read (a copy, if it may change):
        # the compiled code's constants. The same array read again unchanged gives
        # the same copy: one constant, one name, and common subexpressions are found.
        self.constants = Constants()
        self.ragged = set()              # nodes whose shape depends on values (np.nonzero)
        self._scanned = [None, 0, 0]         # the user's frame, line, instruction scanned last

    def new_input(self, value, name):
        node = Node(None, (), (), {}, value, len(self.nodes), name)
        node.source = "input"
        self.nodes.append(node)
        return JitTracer(self, value, node)

    def forget_frame(self):
        """Let go of the user's frame kept by the naming (it holds this trace's tracers)."""
        self._scanned = [None, 0, 0]

    def process(self, primitive, args, params):
        if source_template(primitive) is None:
            # A custom rule (custom_jvp/custom_vjp): stage what it does, primitive by primitive.
            return primitive.impl(*args, **params)
        values, parents = [], []
        key = [primitive]                        # equal calls are recorded once (CSE)
        for a in args:
            t = type(a)
            if (t is JitTracer and a._trace is self) or \
                    (t is Staged and a.trace is self):
                node = a.node
                parents.append(node)
                values.append(node.out)
                key.append(node.index)
            else:
                if t is np.ndarray:
                    a = self.constants(a)
                parents.append(None)
                values.append(a)
                key.append(("id", id(a)) if t is np.ndarray else _const_key(a))
        by_value = ()                            # staged integer indices: x[i]
        if params:
            if any(isinstance(v, (Staged, tuple, np.ndarray)) for v in params.values()):
                by_value = []
                params = {k: self._plain(v, k, primitive, by_value) for k, v in params.items()}
            key.append(_const_key(params))
        try:
            key = tuple(key)
            node = self._seen.get(key)
        except TypeError:                        # something unhashable: no sharing
            key = node = None
        if node is None:
            try:
                out = primitive.impl(*values, **(_values(params) if by_value else params))
            except (ValueError, IndexError) as e:
                raise _shape_error(primitive, values, e) from None
            # A staged index is computed by the code before: it is a parent too.
            node = self.record(primitive, parents + [i.node for i in by_value],
                               values + [i.value for i in by_value], params, out, key)
            if self.ragged and any(p in self.ragged for p in parents):
                self.ragged.add(node)
        return JitTracer(self, node.out, node)

    def stage(self, primitive, args, params):
        """A primitive on staged integers alone (a random key, an index): record it.

        Integer and boolean values under jit are :class:`Staged`, not tracers, so
        ``bind`` finds no trace among them and asks here (``thread_state.staging``).
        Computing the primitive on the spot would read the values and guard them:
        every new key or index would trace the function again. Recorded, the
        compiled code computes it from each call's values. None: not ours.
        """
        def ours(x):
            if isinstance(x, tuple):
                return any(ours(v) for v in x)
            return type(x) is Staged and x.trace is self

        if not (ours(args) or params and ours(tuple(params.values()))):
            return None
        out = self.process(primitive, args, params)
        return out.primal if dtype_of(out.node.out).kind in "biu" else out

    def _plain(self, value, name, primitive, by_value):
        """A parameter must be a plain value: a staged one is read (and guarded).

        Except integers that index (``x[i]``, ``i`` an integer argument or
        ``argmax``'s result): the compiled code indexes with the new values,
        as NumPy would (they go to ``by_value``).
        """
        if isinstance(value, Staged):
            if name == "index" and primitive in _INDEXING and value.dtype.kind in "iu":
                by_value.append(value)
                return value
            return self.read(value, f"the parameter {name} of {primitive.name}")
        if type(value) is np.ndarray:            # an index array, say
            return self.constants(value)
        if isinstance(value, tuple) and any(isinstance(v, (Staged, tuple, np.ndarray))
                                            for v in value):
            return tuple(self._plain(v, name, primitive, by_value) for v in value)
        return value

    def record(self, primitive, parents, values, params, out, key=None):
        node = Node(primitive, tuple(parents), tuple(values), params, out, len(self.nodes))
        self.nodes.append(node)
        if key is not None:
            self._seen[key] = node
        if _state.backward_passes:
            node.source = "backward"
        else:
            node.source = "forward"
            if self.names:
                _name_locals(self)
        return node

    # -- NumPy on staged values ---------------------------------------------------
    def call_numpy(self, func, args, kwargs):
        """Compute ``func(*args, **kwargs)`` and record it, staged values as slots."""
        parents, values = [], []

        def slot(x):
            if isinstance(x, Staged) and x.trace is self:
                parents.append(x.node)
                values.append(x.value)
                return _Slot(len(parents) - 1)
            if isinstance(x, (tuple, list)) and not hasattr(x, "_fields"):
                return type(x)(slot(t) for t in x)
            if isinstance(x, Staged):            # a value of another jit: a constant here
                return x.value
            if type(x) is np.ndarray:
                return self.constants(x)
            return x

        call_args, call_kwargs = slot(tuple(args)), {k: slot(v) for k, v in kwargs.items()}
        plain_args, plain_kwargs = _values(args), _values(kwargs)
        out = func(*plain_args, **plain_kwargs)
        call = _numpy_call(func)
        params = {"args": call_args, "kwargs": call_kwargs}
        key = None
        try:
            key = (call, tuple(p.index for p in parents), _const_key(params))
        except TypeError:
            pass
        node = self._seen.get(key) if key is not None else None
        if node is None:
            node = Node(call, tuple(parents), tuple(values), params, out, len(self.nodes))
            node.source = "backward" if _state.backward_passes else "forward"
            self.nodes.append(node)
            if key is not None:
                self._seen[key] = node
            if _ragged(func, args) or any(p in self.ragged for p in parents):
                self.ragged.add(node)
        if isinstance(out, (np.ndarray, np.generic)):
            return Staged(self, node.out, node)
        if isinstance(out, tuple) and all(isinstance(o, (np.ndarray, np.generic)) for o in out):
            # Several arrays (np.linalg.svd, np.nonzero): each is staged, as out[k].
            whole = Staged(self, node.out, node)
            parts = [whole[k] for k in range(len(out))]
            return type(out)._make(parts) if hasattr(type(out), "_make") else tuple(parts)
        # A Python number or bool from NumPy (np.allclose): it leaves NumPy here.
        self._guard("value", node, out, ("jit.numpy call", {"name": call.name}))
        return out

    # -- guards ---------------------------------------------------------------------
    def branch(self, staged):
        """``bool(x)`` on a staged value: the branch taken becomes a guard."""
        taken = bool(staged.value)
        self._guard("bool", staged.node, taken, ("jit.branch", {}))
        return taken

    def read(self, staged, how):
        """The value itself leaves for Python: valid only for this very value."""
        if _inside_repr():
            self.side_effect(said("jit.shows"))
        else:
            self._guard("value", staged.node, staged.value, ("jit.reading", {"how": how}))
        return staged.value

    def read_shape(self, staged):
        """The shape of a value whose shape depends on the values (``np.nonzero``'s):
        guarded, once, like any value Python reads."""
        node = staged.node
        self.ragged.discard(node)                # its shape is fixed from here on
        self.call_numpy(np.shape, (staged,), {})

    def _guard(self, kind, node, value, what):
        self.guards.append(_Guard(kind, node, value, what, _user_location(),
                                  len(self.nodes)))

    def side_effect(self, what):
        if self.impure is None:
            self.impure = (what, _user_location())

    # -- names of cotangents: dz is ∂C/∂z ---------------------------------------------
    def watch(self, node, g):
        """Called by each backward pass as it reaches ``node`` (``thread_state.
        watch_backward``): its cotangent ``g`` is ∂C/∂node, to be written ``d`` + name."""
        self.name_cotangent(g, node.out)

    def name_cotangent(self, ct, of):
        """Note that ``ct`` is ∂C/∂``of``: it will be written ``d`` + of's name."""
        mine, of = self.node_of(ct), self.node_of(of)
        if mine is None or of is None or mine is of or mine.name is not None:
            return
        before = self.cotangent_of.get(mine)
        if before is None or _rank(of) > _rank(before):
            self.cotangent_of[mine] = of

    def node_of(self, x):
        """The node of this trace under ``x`` (through any tracers), or None."""
        while True:
            t = type(x)
            if t is JitTracer and x._trace is self:
                return x.node
            if t is Staged:
                return x.node if x.trace is self else None
            if not isinstance(x, Tracer):
                return None
            x = x.primal

    def value_of(self, x):
        node = self.node_of(x)
        return node.out if node is not None else x


_INDEXING = (lax.getitem, lax.index_add, lax.index_set)    # their index may be staged

# NumPy functions whose result's shape depends on the values, not only the shapes.
_RAGGED = {np.nonzero, np.flatnonzero, np.argwhere, np.unique, np.extract, np.compress}


def _ragged(func, args):
    if func in _RAGGED or (func is np.where and len(args) == 1):
        return True
    if func is operator.getitem:                 # a boolean mask picks a data-dependent count
        index = args[1] if isinstance(args[1], tuple) else (args[1],)
        return any(dtype_of(i).kind == "b" for i in index if isinstance(i, (Staged, np.ndarray)))
    return False


def _rank(node):
    """Which name a cotangent takes when it is ∂C/∂ of several values (z = w·x + b
    passes ∂C/∂z on to b unchanged): an input's (db), else a named value's (dz)."""
    return 2 if node.primitive is None else 1 if node.name is not None else 0


def _const_key(x):
    """A hashable key that tells constants apart exactly (identity for arrays)."""
    t = type(x)
    if t is int or t is bool or t is str or x is None:
        return (t, x)
    if t is float:                   # 0.0 == -0.0 in Python: zeros are told apart by repr
        return (t, x) if x else (t, repr(x))
    if isinstance(x, np.generic):
        return (t, x.tobytes())
    if t is tuple or t is list:
        return (t, tuple(_const_key(v) for v in x))
    if t is dict:
        return tuple((k, _const_key(v)) for k, v in x.items())
    if t is slice:
        return (t, _const_key(x.start), _const_key(x.stop), _const_key(x.step))
    if t is _Slot:
        return (t, x.k)
    if t is Staged:
        return (t, x.node.index)
    if t is complex:
        return (t, repr(x))
    if isinstance(x, (np.dtype, type)) or x is Ellipsis:
        return (t, x)
    return ("id", id(x))       # arrays and other objects: the very same one


# ---------------------------------------------------------------------------
# 3. Where in the user's code: for guards, warnings and names
# ---------------------------------------------------------------------------

def _user_location():
    """``file:line`` of the innermost user code now running (and the library call)."""
    frame, inside = sys._getframe(1), None
    while frame is not None:
        if is_users(frame.f_code):
            where = place(frame.f_code, frame.f_lineno)
            return where + (f" (in {inside})" if inside else "")
        module = frame.f_globals.get("__name__", "")
        if inside is None and module.startswith("tracegrad.") and module not in (
                __name__, "tracegrad.core", "tracegrad.numpy._methods"):
            inside = f"{module}.{frame.f_code.co_name}"
        frame = frame.f_back
    return "<unknown>"


# NumPy's legacy global generator (np.random.rand, np.random.normal, ...) keeps its state
# in one C struct: 624 words and a position, which every draw changes. A NumPy view on
# that memory, made once, tells whether tracing drew numbers: its bytes before and after
# (a microsecond; np.random.get_state() would take 30 times longer on every trace).
def _random_state_view():
    generator = np.random.mtrand._rand._bit_generator
    words = ctypes.cast(generator.ctypes.state_address, ctypes.POINTER(ctypes.c_uint32))
    return np.ctypeslib.as_array(words, shape=(625,))     # key[624], then pos


_RANDOM_STATE = _random_state_view()


def _global_random_state():
    return _RANDOM_STATE.tobytes()


def _warn(message):
    """A JitWarning at the user's line (the call of the jitted function), not here."""
    warn_at_user(message, JitWarning)


def _inside_repr():
    frame = sys._getframe(2)
    for _ in range(6):
        if frame is None:
            return False
        if frame.f_code in _REPR_CODES:
            return True
        frame = frame.f_back
    return False


_REPR_CODES = {Tracer.__repr__.__code__, Tracer.__format__.__code__}


def _name_locals(trace):
    """Name nodes after the user's local variables (``z``, ``a``), cheaply.

    Called as each primitive is recorded: the innermost frame of the user's
    own code then holds, in its locals, the values assigned so far. The first
    name a node gets is kept, so each pass of a loop names its own ``a``.
    """
    frame = user_frame(sys._getframe(3))
    if frame is None:
        return
    # Locals change when a statement ends: a line is scanned once, at its first
    # primitive (again if a loop comes back to it), not at each of its primitives.
    lasti, line = frame.f_lasti, frame.f_lineno
    if frame is trace._scanned[0] and line == trace._scanned[1] and lasti > trace._scanned[2]:
        trace._scanned[2] = lasti
        return
    trace._scanned = [frame, line, lasti]     # (the frame is kept: no other one is it)
    for var, value in frame.f_locals.items():
        if isinstance(value, (Tracer, Staged)):
            node = trace.node_of(value)
            if node is not None and node.name is None:
                node.name = var
        elif type(value) is np.ndarray:
            trace.constant_names.setdefault(id(value), (var, value))


# ---------------------------------------------------------------------------
# 4. From the record to source code
# ---------------------------------------------------------------------------

_NOT_NAME = re.compile(r"[\W_]+")           # what separates the words of a name


def _identifier(text):
    """``params[0]['w']`` -> ``params_0_w``: a valid Python name."""
    if text.isascii() and text.isidentifier() and not keyword.iskeyword(text) \
            and "__" not in text and text[0] != "_" and text[-1] != "_":
        return text                              # already one (the usual case)
    out = "_".join(part for part in _NOT_NAME.split(text) if part) or "v"
    return "v_" + out if out[0].isdigit() or keyword.iskeyword(out) else out


class _Names:
    """Unique Python names: the user's where known, ``t7`` otherwise."""

    def __init__(self, reserved):
        self.reserved, self.taken = reserved, set()
        self.counts = {}                         # wanted -> the next suffix to try

    def new(self, wanted):
        if wanted not in self.taken and wanted not in self.reserved:   # the usual case
            self.taken.add(wanted)
            return wanted
        name, k = wanted, self.counts.get(wanted, 1)
        while name in self.taken or name in self.reserved:
            name, k = f"{wanted}_{k}", k + 1
        self.counts[wanted] = k
        self.taken.add(name)
        return name


def _generate(trace, inputs, out_leaves, out_tree, fun_name, signature, names=True):
    """The source of the compiled function, the namespace it runs in, its name, and
    whether it returns the output's structure itself (else a flat tuple of leaves).

    With ``names=False`` every value is written ``t7`` and every input ``arg0``,
    whatever names the trace found: the same program, plainly named.
    """
    nodes = trace.nodes
    label = (lambda node: node.name) if names else (lambda node: None)
    outs = [trace.node_of(o) for o in out_leaves]
    # Keep only what the outputs and the guards need (dead code elimination).
    needed = set()
    stack = [n for n in outs if n is not None] + [g.node for g in trace.guards]
    while stack:
        node = stack.pop()
        if node.index in needed:
            continue
        needed.add(node.index)
        for p in node.parents:
            if p is not None:
                stack.append(p)

    namespace = {"np": np}
    helpers = set()
    # the helpers of primitives from outside lax too (tg.random's philox): no local shadows one
    taken = _Names(_RESERVED | {n.primitive.name for n in nodes
                                if isinstance(n.primitive, lax.Primitive)
                                and _calls_helper(n.primitive, source_template(n.primitive))})
    var = {}                                   # node -> its Python name
    temporary = set()                          # the names made up: t7
    constants = {}                             # id -> name

    def lit(value):
        """A constant as source text: a literal, or the name of a stored constant."""
        t = type(value)
        if value is None or t is bool or t is str:
            return repr(value)
        if t is int or t is float:
            if t is float and not math.isfinite(value):
                return "np.nan" if value != value else ("np.inf" if value > 0 else "(-np.inf)")
            return repr(value) if value >= 0 else f"({value!r})"
        if t is tuple:
            inner = ", ".join(lit(v) for v in value)
            return f"({inner},)" if len(value) == 1 else f"({inner})"
        if t is list:
            return "[" + ", ".join(lit(v) for v in value) + "]"
        if t is slice:
            return f"slice({lit(value.start)}, {lit(value.stop)}, {lit(value.step)})"
        if value is Ellipsis:
            return "..."
        if isinstance(value, np.dtype):
            return f"np.{value.name}" if getattr(np, value.name, None) is value.type \
                else f"np.dtype({value.str!r})"
        if isinstance(value, type) and getattr(np, value.__name__, None) is value:
            return f"np.{value.__name__}"
        if isinstance(value, (np.floating, np.integer, np.bool_)) and np.isfinite(value):
            text = repr(value.item())
            if isinstance(value, np.bool_):
                return f"np.{text}_"
            return f"np.{type(value).__name__}({text})"
        if t is Staged:                          # a staged index: its variable
            return var[value.node]
        key = id(value)
        if key not in constants:
            read = trace.constants.original.get(key, value)    # the array it is a copy of
            wanted = trace.constant_names.get(id(read)) if names else None
            wanted = wanted[0] if wanted is not None and wanted[1] is read else "c"
            constants[key] = taken.new(_identifier(wanted))
            namespace[constants[key]] = value
        return constants[key]

    fname = taken.new(_identifier(fun_name))  # the function keeps its name; a local gives way
    params = []
    for k, node in enumerate(inputs):
        var[node] = taken.new(_identifier(node.name) if names else f"arg{k}")
        params.append(var[node])

    def name_of(node):
        if not names:
            return None
        if node.name is not None:
            return _identifier(node.name)
        of = trace.cotangent_of.get(node)
        if of is not None and of in var and var[of] not in temporary and var[of].isidentifier():
            return "d" + var[of]
        return None

    # A condition used by nothing but its guard is written inside the `if`.
    uses = {}
    for node in nodes:
        if node.index in needed:
            for p in node.parents:
                if p is not None:
                    uses[p] = uses.get(p, 0) + 1
    for n in outs:
        if n is not None:
            uses[n] = uses.get(n, 0) + 2
    for guard in trace.guards:
        uses[guard.node] = uses.get(guard.node, 0) + 1
    inline = {}

    body, phase = [], "forward"
    line_of = {}                               # node -> the line of body that computes it
    say = words()                   # the comments in the student's language (tracegrad.words)
    guards = sorted(trace.guards, key=lambda g: g.position)
    g_at = 0

    def emit_guards(upto):
        nonlocal g_at
        while g_at < len(guards) and guards[g_at].position <= upto:
            guard = guards[g_at]
            x = var[guard.node]
            if guard.kind == "bool":
                x = inline.get(guard.node, x)
                test = f"not ({x})" if guard.value and guard.node in inline else \
                    f"not {x}" if guard.value else x
                where = _comment(guard.where)
                body.append(f"    if {test}:   # {say['jit.guard'].format(where=where)}")
            else:
                helpers.add("same")
                key, fields = guard.what
                what = _comment(say[key].format(**fields))
                body.append(f"    if not same({x}, {lit(guard.value)}):   # "
                            + say["jit.guard at"].format(what=what, where=_comment(guard.where)))
            body.append("        return RETRACE")
            g_at += 1

    for node in nodes:
        if g_at < len(guards):
            emit_guards(node.index)
        if node.primitive is None or node.index not in needed:
            continue
        if node.source != phase:
            phase = node.source
            body.append(f"    # {say['jit.' + phase + ' pass']}")
        args = [var[p] if p is not None else lit(a) for p, a in zip(node.parents, node.args)]
        if isinstance(node.primitive, _NumpyCall):
            text = node.primitive.template(args, node.params, lit)
        else:
            template = source_template(node.primitive)
            if type(template) is str:
                text = template.format(*args, **{k: lit(v) for k, v in node.params.items()}) \
                    if node.params else template.format(*args)
                if _calls_helper(node.primitive, template):
                    helpers.add(node.primitive)
            else:
                text = template(args, node.params, lit, node.args)
        if (uses.get(node) == 1 and label(node) is None and isinstance(node.primitive, _NumpyCall)
                and any(g.node is node and g.kind == "bool" for g in guards)):
            inline[node] = var[node] = text
            continue
        if text in args and text.isidentifier():     # the same value again (x¹, stop_gradient)
            var[node] = text
            continue
        same = _times_one(node)
        if same is not None:                      # g · 1 (a backward pass's seed): g itself
            if line_of.get(same) is not None and uses.get(same) == 1 and var[same] in temporary \
                    and name_of(node) is not None:   # the name it would have had: dy, not t5
                old, var[same] = var[same], taken.new(name_of(node))
                temporary.discard(old)
                body[line_of[same]] = f"    {var[same]} = " + body[line_of[same]].split(" = ", 1)[1]
            var[node] = var[same]
            continue
        if (uses.get(node) == 1 and label(node) is None and text.endswith(".T")
                and text[:-2].isidentifier()):      # a transpose used once: x.T @ g, inline
            var[node] = text
            continue
        wanted = name_of(node)
        var[node] = taken.new(wanted or f"t{node.index}")
        if wanted is None:
            temporary.add(var[node])
        line_of[node] = len(body)
        body.append(f"    {var[node]} = {text}")
    emit_guards(len(nodes))

    # Every call returns arrays of its own: not an input, a constant or an
    # earlier output (x * 1.0 is x itself above, and NumPy's views share memory).
    shared = [n.out for n in inputs] + [v for v in namespace.values() if type(v) is np.ndarray]
    returned = []
    for n, o in zip(outs, out_leaves):
        text = var[n] if n is not None else lit(trace.value_of(o))
        value = trace.value_of(o)
        if type(value) is np.ndarray and (text in returned or text in params or n is None
                                           or any(np.may_share_memory(value, a) for a in shared)):
            text = f"{text}.copy()" if text.isidentifier() else f"({text}).copy()"
        returned.append(text)
    structure = _structure_text(out_tree, iter(returned))
    if structure is None:
        body.append(f"    return ({', '.join(returned)}{',' if len(returned) == 1 else ''})")
    else:
        body.append(f"    return {structure}")
    head = ["# " + say["jit.header"].format(name=fun_name, signature=signature),
            "# " + say["jit.transpose"], ""]
    for helper in sorted(helpers, key=lambda h: "same" if h == "same" else h.name):
        if helper == "same":
            head += [_SAME.format(doc=say["jit.same"]), ""]
            continue
        definition, reads = _helper(helper)
        head += [definition, ""]
        namespace.update(reads)
    # The constants, written out, so that the source is complete: exec(source, {"np": np})
    # runs it. One too big to read is listed instead (source.namespace holds it). The
    # compiled code reads them all from its namespace: `code`, the text without them.
    written = [(n, _literal(namespace[n])) for n in constants.values()]
    block = [f"{n} = {text}" for n, text in written if text is not None]
    at = len(head)                             # where the block goes: before the def
    head.append(f"def {fname}({', '.join(params)}):")
    if written:                  # what they are, at a glance; where the big ones are
        shown = ", ".join(f"{n} {_describe(namespace[n])}"
                          + (" (source.namespace)" if text is None else "")
                          for n, text in written)
        head.append("    # " + say["jit.constants"].format(shown=shown))
    lit = None             # it calls itself: unlink it, so no cycle keeps the trace alive
    text = Source("\n".join(head[:at] + (block + [""] if block else []) + head[at:] + body)
                  + "\n")
    text.code = "\n".join(head + body) + "\n"
    return text, namespace, fname, structure is not None


WRITTEN_OUT = 100          # constants with at most this many numbers are written in the source


def _literal(value):
    """``np.array([0.5, 1.0], dtype=np.float64)``: a constant as exact source text, or
    None when it is too big to read (or not numbers). Python's repr of a float reads
    back as the very same float, so the written constant is the constant."""
    if not isinstance(value, (np.ndarray, np.generic)) or value.dtype.kind not in "biuf" \
            or value.size > WRITTEN_OUT or not value.dtype.isnative:
        return None
    dtype = value.dtype.name
    if getattr(np, dtype, None) is not value.dtype.type:
        return None

    def text(v):
        if isinstance(v, list):
            return "[" + ", ".join(text(x) for x in v) + "]"
        if isinstance(v, float) and not math.isfinite(v):
            return "np.nan" if v != v else "np.inf" if v > 0 else "-np.inf"
        return repr(v)

    if isinstance(value, np.generic):
        return f"np.{dtype}({text(value.item())})"
    first = value.flat[0] if value.size else None
    if value.size > 1 and (value == first).all() and (
            value.dtype.kind != "f" or (np.signbit(value) == np.signbit(first)).all()):
        # one number everywhere (1/n of a mean's gradient): np.full((16, 1), 0.0625)
        return f"np.full({value.shape}, {text(first.item())}, dtype=np.{dtype})"
    return f"np.array({text(value.tolist())}, dtype=np.{dtype})"


def _times_one(node):
    """The parent node when ``node`` is ``x * 1`` with x's own shape and dtype, else None.

    Multiplying by one changes nothing (not even nan, inf or -0.0), so the
    generated code uses x itself: a backward pass starts from the seed 1.0.
    """
    if node.primitive is not lax.mul:
        return None
    (p, q), (a, b) = node.parents, node.args
    x, one = (p, b) if q is None else (q, a) if p is None else (None, None)
    if x is None or type(one) not in (int, float, np.float64, np.float32, np.float16) \
            or one != 1 or shape_of(x.out) != shape_of(node.out) \
            or dtype_of(x.out) != dtype_of(node.out):
        return None
    return x


def _same_values(namespace, other):
    """Do two generated programs' namespaces hold the same values (arrays equal,
    dtypes and shapes too; anything else the very same object)?"""
    for name, value in namespace.items():
        if name not in other:
            return False
        theirs = other[name]
        if isinstance(value, np.ndarray):
            if not (isinstance(theirs, np.ndarray) and value.dtype == theirs.dtype
                    and np.array_equal(value, theirs, equal_nan=value.dtype.kind in "fc")):
                return False
        elif inspect.isfunction(value):          # a helper (its source is in the text)
            if getattr(theirs, "__name__", None) != value.__name__:
                return False
        elif value is not theirs and not (type(value) is type(theirs) and value == theirs):
            return False
    return True


def _structure_text(treedef, names):
    """The output written as Python: ``[(dW, db), ...]``; None for unusual structures."""
    kind = treedef.kind
    if kind == "leaf":
        return next(names)
    if kind == "none":
        return "None"
    if kind == "namedtuple" or (kind == "dict" and not all(
            type(k) in (str, int) for k in treedef.meta)):
        return None
    children = [_structure_text(c, names) for c in treedef.children]
    if None in children:
        return None
    if kind == "tuple":
        return f"({', '.join(children)}{',' if len(children) == 1 else ''})"
    if kind == "list":
        return f"[{', '.join(children)}]"
    return "{" + ", ".join(f"{k!r}: {c}" for k, c in zip(treedef.meta, children)) + "}"


def _comment(text):
    return str(text).replace("\n", " ")


RETRACE = type("Retrace", (), {"__repr__": lambda self: "RETRACE",
                               "__doc__": "Returned by compiled code whose guard failed."})()


class Source(str):
    """The generated source: a string, shown as highlighted code in Jupyter.

    ``exec(source, {"np": np})`` defines the function. ``source.namespace`` holds
    what the text only names: constants too big to write out, ``RETRACE`` (what a
    failed guard returns) and what helpers read; ``exec(source, {"np": np,
    **source.namespace})`` runs in any case.
    """

    namespace = {}
    code = ""             # the text the compiled function was made from (constants not written)

    def __repr__(self):
        return str(self)

    def _repr_markdown_(self):
        fence = "```"
        while fence in self:
            fence += "`"
        return f"{fence}python\n{self}\n{fence}"

    def _repr_html_(self):
        return f"<pre style='line-height:1.35'>{_highlight(str(self))}</pre>"


_COLOURS = {"keyword": "#0000c0", "comment": "#408080", "number": "#007020",
            "string": "#a02020", "np": "#7030a0"}


def _highlight(code):
    """HTML for Python source, escaped, with keywords, comments, numbers coloured."""
    out, lines = [], code.splitlines(keepends=True)
    position = (1, 0)

    def text_between(start, end):
        (l1, c1), (l2, c2) = start, end
        if l1 == l2:
            return lines[l1 - 1][c1:c2] if l1 - 1 < len(lines) else ""
        return lines[l1 - 1][c1:] + "".join(lines[l1:l2 - 1]) + \
            (lines[l2 - 1][:c2] if l2 - 1 < len(lines) else "")

    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            out.append(html.escape(text_between(position, tok.start)))
            piece = html.escape(tok.string)
            name = tok.type == tokenize.NAME
            colour = (_COLOURS["keyword"] if name and keyword.iskeyword(tok.string)
                      else _COLOURS["np"] if name and tok.string == "np"
                      else _COLOURS.get({tokenize.COMMENT: "comment", tokenize.NUMBER: "number",
                                         tokenize.STRING: "string"}.get(tok.type, "")))
            shown = f"<span style='color:{colour}'>{piece}</span>" if colour and piece else piece
            out.append(shown)
            position = tok.end
    except (tokenize.TokenError, IndexError):
        return html.escape(code)
    return "".join(out)


# ---------------------------------------------------------------------------
# 5. jit: the cache of compiled versions
# ---------------------------------------------------------------------------

CacheInfo = namedtuple("CacheInfo", "traces signatures versions hits guard_failures eager_calls")


class _Version:
    """One compiled recording, valid where its guards hold."""

    __slots__ = ("fn", "source", "out_tree", "first_guard", "named", "example", "number")

    def __init__(self, fn, source, out_tree, first_guard, named):
        self.fn, self.source, self.out_tree = fn, source, out_tree
        self.first_guard = first_guard          # where the first guard was recorded
        self.named = named      # with the user's names? (None: tried, the names could not be had)
        self.example = None     # (leaves, rebuild) it was traced with: jf.source() names it
        self.number = 0         # the how-many-th trace made it


class _Signature:
    """Everything compiled for one cache key."""

    __slots__ = ("versions", "eager", "why")

    def __init__(self):
        self.versions, self.eager, self.why = [], False, None


def _leaf_key(x):
    t = type(x)
    if t is np.ndarray:
        return (x.shape, x.dtype)
    if t is float or t is complex:
        return t
    if t is int or t is bool:        # counts and flags: keyed by value, not traced
        return (t, x)
    if isinstance(x, np.generic):
        return (t,)
    if isinstance(x, np.ndarray):
        return (t, x.shape, x.dtype)
    return None


def _quick_key(tree, leaves):
    """The cache key of arrays and floats in tuples and lists, and their leaves.

    Plain tuples of shapes, dtypes and types: quick to build and to hash. None
    for anything else (the general key handles it).
    """
    t = type(tree)
    if t is np.ndarray:
        leaves.append(tree)
        return tree.shape, tree.dtype
    if t is float:
        leaves.append(tree)
        return float
    if t is tuple or t is list:
        key = [t]
        for child in tree:
            k = _quick_key(child, leaves)
            if k is None:
                return None
            key.append(k)
        return tuple(key)
    return None


class _QuickRebuild:
    """``rebuild(new_leaves) -> (args, kwargs)`` for the quick key: args' structure,
    flattened once (only a trace needs it)."""

    __slots__ = ("args", "treedef")

    def __init__(self, args):
        self.args, self.treedef = args, None

    def __call__(self, new_leaves):
        if self.treedef is None:
            self.treedef = tree_flatten(self.args)[1]
        return list(tree_unflatten(self.treedef, new_leaves)), {}


def _fresh(values, nodes, shared):
    """The first call's outputs, each an array of its own (as the compiled code's are):
    a copy where it is an input, a constant, an earlier output, or shares their memory."""
    out, seen = [], set()
    for value, node in zip(values, nodes):
        if type(value) is np.ndarray and (
                id(value) in seen or node is None or node.primitive is None
                or any(np.may_share_memory(value, a) for a in shared)):
            value = value.copy()
        seen.add(id(value))
        out.append(value)
    return out


class Jitted:
    """A function compiled by :func:`jit`. Call it like the original."""

    def __init__(self, fun, static_argnums=(), retrace_limit=RETRACE_LIMIT):
        # Name and docstring from fun, not its attributes: they could hide our methods.
        functools.update_wrapper(self, fun, updated=())
        self.fun = fun
        nums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
        for i in nums:
            if not isinstance(i, int) or isinstance(i, bool):
                raise TypeError(message("err.jit-static-type", static=repr(static_argnums)))
        self.static_argnums = nums
        self.retrace_limit = retrace_limit
        self._cache = {}
        self._traces = self._hits = self._guard_failures = self._eager_calls = 0

    @property
    def _name(self):
        return getattr(self.fun, "__name__", "fun")

    def __repr__(self):
        return f"<tg.jit of {self._name}>"

    def __get__(self, obj, objtype=None):            # methods work too
        return self if obj is None else functools.partial(self, obj)

    def __call__(self, *args, **kwargs):
        if _state.active:
            # Inside another transformation (grad(jit(f))): its tracers must see every
            # primitive, so fun runs as ordinary code, through bind.
            return self.fun(*args, **kwargs)
        key, leaves, rebuild = self._key(args, kwargs)
        entry = self._cache.get(key)
        if entry is None:
            entry = self._cache[key] = _Signature()
        elif entry.eager:
            self._eager_calls += 1
            return self.fun(*args, **kwargs)
        else:
            for version in entry.versions:
                out = version.fn(*leaves)
                if out is not RETRACE:
                    self._hits += 1
                    # The code builds the output's structure itself, unless it is unusual.
                    return out if version.out_tree is None else \
                        tree_unflatten(version.out_tree, out)
            self._guard_failures += 1
            if len(entry.versions) >= self.retrace_limit:
                where = self._failed_where(entry, leaves)
                self._give_up(entry, said("jit.why guard",
                    limit=self.retrace_limit, where=where))
                self._eager_calls += 1
                return self.fun(*args, **kwargs)
        return self._trace_and_compile(entry, leaves, rebuild, key)[0]

    # -- the cache key ---------------------------------------------------------------
    def _key(self, args, kwargs):
        if not kwargs and not self.static_argnums:
            # The common case, quickly: arrays and floats, in tuples and lists.
            leaves = []
            key = _quick_key(args, leaves)
            if key is not None:
                return key, leaves, _QuickRebuild(args)
        nargs = len(args)
        static = []
        for i in self.static_argnums:
            if not -nargs <= i < nargs:
                raise ValueError(message("err.jit-static-range", name=self._name,
                                         static=repr(self.static_argnums), nargs=nargs))
            value = args[i % nargs]
            try:
                hash(value)
            except TypeError:
                raise TypeError(message("err.jit-static-hash", name=self._name,
                                        position=i % nargs,
                                        kind=type(value).__name__)) from None
            static.append((i % nargs, value))
        static_pos = {i for i, _ in static}
        dynamic = tuple(a for i, a in enumerate(args) if i not in static_pos)
        leaves, treedef = tree_flatten((dynamic, kwargs))
        kinds = []
        for k, leaf in enumerate(leaves):
            kind = _leaf_key(leaf)
            if kind is None:
                if isinstance(leaf, Tracer):     # a tracer of a finished trace
                    raise TracegradError(message("err.jit-finished", name=self._name, k=k))
                raise TypeError(message("err.jit-leaf", name=self._name, k=k,
                                        kind=type(leaf).__name__))
            kinds.append(kind)
        key = (treedef, tuple(static), tuple(kinds))

        def rebuild(new_leaves):
            dyn, kw = tree_unflatten(treedef, new_leaves)
            full, it = [], iter(dyn)
            for i in range(nargs):
                full.append(args[i] if i in static_pos else next(it))
            return full, kw

        return key, leaves, rebuild

    # -- tracing and compiling ----------------------------------------------------------
    def _trace_and_compile(self, entry, leaves, rebuild, key, names=False):
        """Trace ``fun`` on these leaves, compile the record, keep it as a new version.

        Without ``names`` (the calls' case) the code reads ``t7 = np.tanh(t6)``:
        the user's names cost a look at the user's frame on every line, and only
        someone reading the source needs them (see :meth:`source`).
        """
        self._traces += 1
        recording = self._record(leaves, rebuild, names)
        trace, _, out, _, out_tree = recording
        if trace.drew_random:
            _warn(message("err.jit-random", name=self._name))
        if trace.impure is not None:
            what, where = trace.impure
            self._give_up(entry, said("jit.why impure", what=what, where=where))
            return out, None
        text, fn, structured = self._compile(recording, leaves, names)
        first = min(trace.guards, key=lambda g: g.position, default=None)
        version = _Version(fn, text, None if structured else out_tree,
                           "<unknown>" if first is None else _comment(first.where), names)
        # What it was traced with, for jf.source(): not copied (weights updated in place
        # since then trace the same program; one that differs keeps its plain names).
        version.example = (leaves, rebuild)
        version.number = self._traces
        entry.versions.append(version)
        return out, version

    def _record(self, leaves, rebuild, names):
        """Run ``fun`` under a JitTrace: the trace, its inputs, the output and its leaves."""
        leaf_names = (_leaf_names(self.fun, rebuild, leaves) if names
                      else [f"arg{k}" for k in range(len(leaves))])
        refuse_complex_inputs(leaves, f"jit({self._name})")    # (traced once per signature)
        watching = _state.watch_backward
        with new_level(JitTrace, names=names, who=f"jit({self._name})") as trace:
            inputs = [trace.new_input(leaf, name) for leaf, name in zip(leaves, leaf_names)]
            # Python ints and bools are part of the cache key: they stay themselves.
            # Integer and boolean arrays are never differentiated: NumPy code sees
            # them as they are, staged (they may index, x[i], as in JAX).
            args, kwargs = rebuild([leaf if type(leaf) in (int, bool) else
                                    x.primal if dtype_of(leaf).kind in "biu" else x
                                    for leaf, x in zip(leaves, inputs)])
            if names:
                _state.watch_backward = trace.watch      # to name the cotangents
            staging, _state.staging = _state.staging, trace
            drawn = _global_random_state()
            try:
                result = self.fun(*args, **kwargs)
            finally:
                _state.watch_backward = watching
                _state.staging = staging
                trace.forget_frame()
            trace.drew_random = _global_random_state() != drawn
        out_leaves, out_tree = tree_flatten(result)
        out = tree_unflatten(out_tree, _fresh([trace.value_of(o) for o in out_leaves],
                                              [trace.node_of(o) for o in out_leaves],
                                              [i.node.out for i in inputs]
                                              + [c for _, c in trace.constants.kept.values()]))
        return trace, inputs, out, out_leaves, out_tree

    def _write(self, recording, leaves, names):
        """``_generate`` for a recording of ``_record``: text, namespace, name, structured."""
        trace, inputs, _, out_leaves, out_tree = recording
        signature = _signature(leaves)
        return _generate(trace, [i.node for i in inputs], out_leaves, out_tree, self._name,
                         signature, names)

    def _compile(self, recording, leaves, names):
        """The source, its compiled function, and whether it builds the output's
        structure itself."""
        text, namespace, fname, structured = self._write(recording, leaves, names)
        namespace["RETRACE"] = RETRACE
        text.namespace = {k: v for k, v in namespace.items() if k != "np"}
        code, filename = text.code, f"<tg.jit {self._name} #{self._traces}>"
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        exec(compile(code, filename, "exec"), namespace)
        fn = namespace.pop(fname)                # (its globals need not hold it: no cycle)
        return text, fn, structured

    def _add_names(self, version, leaves, rebuild):
        """Give a version the user's names: trace once more, with names, and use that
        code if it is the very program compiled before (written with plain names, the
        two must read the same, constants included). Randomness drawn inside ``fun``
        makes them differ: then the version keeps its code, and its plain names."""
        version.named = None                     # tried: whatever happens, once
        recording = self._record(leaves, rebuild, names=True)
        plain, constants, _, _ = self._write(recording, leaves, names=False)
        if recording[0].impure is not None or plain != version.source \
                or not _same_values(constants, version.fn.__globals__):
            _warn(message("err.jit-names", name=self._name))
            return
        text, fn, _ = self._compile(recording, leaves, names=True)
        version.fn, version.source, version.named = fn, text, True

    def _give_up(self, entry, why):
        entry.eager, entry.why = True, why
        entry.versions = []
        _warn(message("err.jit-eager", name=self._name, why=why))

    def _failed_where(self, entry, leaves):
        """Where the newest version's first guard was recorded (the branch to name)."""
        return entry.versions[-1].first_guard if entry.versions else "<unknown>"

    # -- looking inside -----------------------------------------------------------------------
    def source(self, *args, **kwargs):
        """The compiled NumPy source that serves these arguments (traced now if needed).

        With no arguments: the source of the latest compiled version, after a list of
        all of them when there are several.
        """
        if not args and not kwargs:
            versions = sorted((v for e in self._cache.values() for v in e.versions),
                              key=lambda v: v.number)
            if versions and self._key((), {})[0] not in self._cache:
                return self._latest(versions)
            if not versions and _needs_arguments(self.fun):
                raise TracegradError(message("err.jit-nothing-yet", name=self._name))
        key, leaves, rebuild = self._key(args, kwargs)
        entry = self._cache.get(key)
        if entry is None:
            entry = self._cache[key] = _Signature()
        for version in entry.versions:
            if version.fn(*leaves) is not RETRACE:
                if version.named is False:
                    self._add_names(version, leaves, rebuild)
                return version.source
        if not entry.eager and len(entry.versions) < self.retrace_limit:
            _, version = self._trace_and_compile(entry, leaves, rebuild, key, names=True)
            if version is not None:
                return version.source
        raise TracegradError(message("err.jit-no-code", name=self._name, why=entry.why))

    def _latest(self, versions):
        """The latest version's source, named; headed by a list when there are several."""
        latest = versions[-1]
        if latest.named is False:
            self._add_names(latest, *latest.example)
        if len(versions) == 1:
            return latest.source
        say = words()
        listed = ["#   " + say["jit.version"].format(k=k, signature=_signature(v.example[0]))
                  + (say["jit.version guard"].format(where=v.first_guard)
                     if v.first_guard != "<unknown>" else "")
                  for k, v in enumerate(versions, 1)]
        head = ["# " + say["jit.versions"].format(name=self._name, count=len(versions)),
                *listed, "# " + say["jit.latest"].format(count=len(versions)), "", ""]
        text = Source("\n".join(head) + latest.source)
        text.namespace = latest.source.namespace
        return text

    def cache_info(self):
        """Traces run, signatures and versions compiled, hits, guard failures, eager calls."""
        return CacheInfo(self._traces, sum(1 for e in self._cache.values() if e.versions),
                         sum(len(e.versions) for e in self._cache.values()), self._hits,
                         self._guard_failures, self._eager_calls)

    def clear_cache(self):
        self._cache.clear()
        self._traces = self._hits = self._guard_failures = self._eager_calls = 0


def jit(fun=None, static_argnums=(), retrace_limit=RETRACE_LIMIT):
    """Compile ``fun`` into plain NumPy the first time it is called, and reuse it.

    ``jf = tg.jit(f)``; ``jf(x)`` traces ``f`` on ``x`` and compiles the
    record (see the module docstring); later calls with arguments of the same
    shapes, dtypes and structure run the compiled code. Arguments listed in
    ``static_argnums`` are not traced: they are part of the cache key, as
    they are (hashable values). ``jf.source(x)`` shows the code,
    ``jf.cache_info()`` what the cache did. Usable as a decorator, with or
    without arguments: ``@tg.jit`` or ``@tg.jit(static_argnums=1)``.
    """
    if fun is None:
        return lambda f: Jitted(f, static_argnums, retrace_limit)
    if not callable(fun):
        raise TypeError(message("err.jit-not-callable", kind=type(fun).__name__))
    return Jitted(fun, static_argnums, retrace_limit)


# ---------------------------------------------------------------------------
# Ahead of time: a record replayed, as TensorFlow 1 ran its graphs
# ---------------------------------------------------------------------------

def replay(nodes, inputs, new_values, outputs):
    """Run a recorded program again on new input values; return the outputs' values.

    ``nodes`` is a record in order (a reverse trace's, or a ``JitTrace``'s),
    ``inputs`` its input nodes, ``new_values`` one value for each, and
    ``outputs`` the nodes whose values to return. The Python code that made
    the record is not run again: an ``if`` keeps the branch it took when
    recorded, whatever the new values (``jit`` guards against exactly that;
    a replay does not). Each primitive goes through ``bind``, so a replay
    can itself be traced and differentiated. ``Graph.evaluate`` is this.
    """
    values = dict(zip(inputs, new_values))
    for node in nodes:
        if node.primitive is None:
            continue
        args = [values[p] if p is not None and p in values else a
                for p, a in zip(node.parents, node.args)]
        values[node] = node.primitive.bind(*args, **node.params)
    return [values[n] for n in outputs]


# ---------------------------------------------------------------------------
# Names of the inputs and of the gradients
# ---------------------------------------------------------------------------

_signatures = weakref.WeakKeyDictionary()     # fun -> its parameters (inspect is slow)


def _parameters(fun):
    try:
        return _signatures[fun]
    except (KeyError, TypeError):
        pass
    try:
        parameters = list(inspect.signature(fun).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    try:
        _signatures[fun] = parameters
    except TypeError:                            # not weakly referable: not cached
        pass
    return parameters


def _leaf_names(fun, rebuild, leaves):
    """``x``, ``params[0][1]``, ``p['w']`` for each leaf, from fun's parameters."""
    parameters = _parameters(fun)
    marked = [_Mark(k) for k in range(len(leaves))]
    args, kwargs = rebuild(marked)
    names = [f"arg{k}" for k in range(len(leaves))]

    def walk(tree, path):
        if isinstance(tree, _Mark):
            names[tree.k] = path
        elif isinstance(tree, (tuple, list)) and not hasattr(tree, "_fields"):
            for i, t in enumerate(tree):
                walk(t, f"{path}[{i}]")
        elif isinstance(tree, tuple):
            for f, t in zip(tree._fields, tree):
                walk(t, f"{path}.{f}")
        elif isinstance(tree, dict):
            for key, t in tree.items():
                walk(t, f"{path}[{key!r}]")

    for i, a in enumerate(args):
        positional = i < len(parameters) and parameters[i].kind in (
            parameters[i].POSITIONAL_ONLY, parameters[i].POSITIONAL_OR_KEYWORD)
        walk(a, parameters[i].name if positional else f"arg{i}")
    for key, a in kwargs.items():
        walk(a, key)
    walk = None                              # it calls itself: unlink it (no cycle)
    return names


def _needs_arguments(fun):
    """Does ``fun`` have a parameter without a default value?"""
    return any(p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               for p in _parameters(fun))


def _signature(leaves):
    return ", ".join(_describe(x) for x in leaves) or "no arguments"


class _Mark:
    __slots__ = ("k",)

    def __init__(self, k):
        self.k = k


def _describe(x):
    """``float64[16, 8]`` for an array, the type's name for anything else."""
    if isinstance(x, np.ndarray):
        return _describe_array(x.dtype, x.shape)
    return type(x).__name__


@functools.lru_cache(maxsize=256)
def _describe_array(dtype, shape):
    return f"{dtype.name}{list(shape)}"         # (dtype.name is slow: Python code in NumPy)
