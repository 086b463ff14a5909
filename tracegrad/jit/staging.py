"""Staging: run the function once on tracers, and record the program.

``stage`` runs ``fun`` under a :class:`JitTrace`, a recording trace started
*before* any other, so it sits at the lowest level: whatever ``fun`` does
(``grad``, ``jvp``, any nesting) ends up, primitive by primitive, in its one
record, as a straight-line program. The trace also records guards (the
branches taken, the values Python read) and, when asked, the user's names.
"""
from __future__ import annotations

import ctypes
import operator
import sys

import numpy as np

from .. import lax
from ..core import Tracer, _shape_error, dtype_of, new_level, refuse_complex_inputs
from ..core import thread_state as _state
from ..program import Program
from ..reverse import Recorder
from ..tree import tree_flatten, tree_unflatten
from ..usercode import location, running, user_frame
from ..words import said
from .keys import const_key, leaf_names
from .staged import JitTracer, Staged, _values
from .templates import Slot, numpy_call, source_template


def stage(fun, name, leaves, rebuild, names):
    """Run ``fun`` under a JitTrace: the trace, the program it recorded, and the output.

    ``rebuild(leaves) -> (args, kwargs)`` puts the call back together; with
    ``names`` the trace also finds the user's names (see :class:`JitTrace`).
    """
    input_names = (leaf_names(fun, rebuild, leaves) if names
                   else [f"arg{k}" for k in range(len(leaves))])
    refuse_complex_inputs(leaves, f"jit({name})")    # (traced once per signature)
    watching = _state.watch_backward
    with new_level(JitTrace, names=names, who=f"jit({name})") as trace:
        inputs = [trace.new_input(leaf, n) for leaf, n in zip(leaves, input_names)]
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
            result = fun(*args, **kwargs)
        finally:
            _state.watch_backward = watching
            _state.staging = staging
            trace.forget_frame()
        trace.drew_random = _global_random_state() != drawn
    out_leaves, out_tree = tree_flatten(result)
    out_nodes = [trace.node_of(o) for o in out_leaves]
    out = tree_unflatten(out_tree, _fresh([trace.value_of(o) for o in out_leaves], out_nodes,
                                          [i.node.out for i in inputs]
                                          + [c for _, c in trace.constants.kept.values()]))
    program = Program(trace.nodes, [i.node for i in inputs],
                      [n if n is not None else o for n, o in zip(out_nodes, out_leaves)],
                      out_tree=out_tree)
    return trace, program, out


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


class _Guard:
    """A condition the compiled code re-checks: the branch taken, or a value read.

    ``what`` is a key of the words table and its fields: the source's comment
    says it in the student's language."""

    __slots__ = ("kind", "node", "value", "what", "where", "position")

    def __init__(self, kind, node, value, what, where, position):
        self.kind, self.node, self.value = kind, node, value
        self.what, self.where, self.position = what, where, position


class JitTrace(Recorder):
    """Records every primitive call, at the lowest level, into ``self.nodes``.

    A :class:`~tracegrad.reverse.Recorder`, as reverse mode's trace is, it
    writes the same Nodes; unlike it, it is not differentiated: it stages. Each node
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
        self.guards = []
        self.impure = None               # (what, where) of a side effect, if any
        self.drew_random = False         # did fun draw from np.random's global state?
        self._seen = {}                  # common subexpressions: key -> node
        self.cotangent_of = {}           # node -> the node whose cotangent it is
        self.constant_names = {}         # id(array) -> (name, array), from the user's locals
        # self.constants, the NumPy arrays read (each as it was when read), are the
        # compiled code's constants. The same array read again unchanged gives the
        # same copy: one constant, one name, and common subexpressions are found.
        self.ragged = set()              # nodes whose shape depends on values (np.nonzero)
        self._scanned = [None, 0, 0]         # the user's frame, line, instruction scanned last

    def new_input(self, value, name):
        node = self.input_node(value, name)
        node.source = "input"
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
                key.append(("id", id(a)) if t is np.ndarray else const_key(a))
        by_value = ()                            # staged integer indices: x[i]
        if params:
            if any(isinstance(v, (Staged, tuple, np.ndarray)) for v in params.values()):
                by_value = []
                params = {k: self._plain(v, k, primitive, by_value) for k, v in params.items()}
            key.append(const_key(params))
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
        node = self.add(primitive, parents, values, params, out)
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
                return Slot(len(parents) - 1)
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
        call = numpy_call(func)
        params = {"args": call_args, "kwargs": call_kwargs}
        key = None
        try:
            key = (call, tuple(p.index for p in parents), const_key(params))
        except TypeError:
            pass
        node = self._seen.get(key) if key is not None else None
        if node is None:
            node = self.add(call, parents, values, params, out)
            node.source = "backward" if _state.backward_passes else "forward"
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
        if running(_REPR_CODES, sys._getframe(1)):
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
        self.guards.append(_Guard(kind, node, value, what, location(sys._getframe(1), _QUIET),
                                  len(self.nodes)))

    def side_effect(self, what):
        if self.impure is None:
            self.impure = (what, location(sys._getframe(1), _QUIET))

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

# Where a guard was recorded: the user's line, and the library function it called
# (not these, which only pass the value on).
_QUIET = ("tracegrad.jit.", "tracegrad.core", "tracegrad.numpy.dispatch")
_REPR_CODES = {Tracer.__repr__.__code__, Tracer.__format__.__code__}    # print(x), f"{x}"

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


# ---------------------------------------------------------------------------
# Watching the user's code: NumPy's global generator, and the names of values
# ---------------------------------------------------------------------------

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

