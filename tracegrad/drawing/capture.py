"""Recording a program for a picture: the trace plus where each value came from.

``record(fun, args)`` runs ``fun`` once under a :class:`ReverseTrace`, the
very same record that ``grad`` walks, and adds what a picture needs:

* **names**: the traced function's parameter names for its inputs
  (``params[0][1]`` for a leaf of a pytree), ``tg.label`` names, and the
  names of the user's own local variables (``z``, ``a``), read from the
  running frames with ``sys.settrace``;
* **where**: the stack of the user's function calls that made each node
  (``loss_fun › predict``, and the pass of a loop: one per layer), used to
  group nodes into clusters;
* **phase**: whether a node was made during a backward pass (drawing
  ``grad(f)`` shows the backward pass as part of the graph);
* **lines**: the source line each of the user's running frames was on when a
  node was made, and every line the user's code ran, in order (the trace
  player, ``tg.widgets.trace``, plays them beside the source).

Frames of tracegrad, NumPy and the standard library are not the user's and
are skipped, so a node made inside ``tnp.mean`` belongs to whoever called it.
"""
from __future__ import annotations

import inspect
import itertools
import sys
from typing import NamedTuple

import numpy as np

from ..arguments import check_float as _check_float
from ..arguments import with_args
from ..core import Tracer, new_level
from ..core import thread_state as _state
from ..forward import jvp
from ..reverse import ReverseTrace, ReverseTracer
from ..tree import tree_flatten, tree_unflatten
from ..usercode import is_users
from ..words import message
from .loops import loops_of

__all__ = ["Frame", "Recorder", "Recording", "record", "record_with_tangents", "input_names",
           "input_row", "snapshot", "running_lines"]



class Frame:
    """One call of a user function during recording, and the passes of its loops."""

    __slots__ = ("name", "call", "frame", "loops", "passes", "last_offset")

    def __init__(self, name, frame, call):
        self.name, self.frame, self.call = name, frame, call
        self.loops = loops_of(frame.f_code)       # None: a function without loops
        self.passes = {}                          # Loop -> passes finished so far
        self.last_offset = -1

    def on_line(self):
        """A line starts: if it is a jump back to a loop's start, that loop is in its
        next pass, and the loops inside it start again from their first pass."""
        offset = self.frame.f_lasti
        loop = self.loops.restarts.get(offset) if self.loops is not None else None
        if loop is not None and offset <= self.last_offset:
            self.passes[loop] = self.passes.get(loop, 0) + 1
            for inner in list(self.passes):
                if inner is not loop and inner.inside(loop):
                    del self.passes[inner]
        self.last_offset = offset

    def key(self):
        """``(name, call, ((loop line, pass), ...))``: where the running instruction
        is, with the pass of each loop whose body holds it, outermost first."""
        if self.loops is None:
            return (self.name, self.call, ())
        return (self.name, self.call, tuple((loop.line, self.passes.get(loop, 0) + 1)
                                            for loop in self.loops.bodies_at(self.frame.f_lasti)))


def _is_users(frame):
    """The user's frame, and not a comprehension's (its values are its function's)."""
    name = frame.f_code.co_name
    return is_users(frame.f_code) and (name == "<lambda>" or not name.startswith("<"))


class Recorder:
    """Watches the user's frames while ``fun`` runs under ``trace``."""

    def __init__(self, trace, root_code=None):
        self.trace = trace
        self.root_code = root_code        # the code of the function being drawn
        self.root = None                  # the call number of its frame, once seen
        self.stack = []                   # the user's frames now running, outermost first
        self.frames = {}                  # frame object -> Frame
        self.calls = itertools.count(1)
        self.constant_names = {}          # id(array) -> (name, array)
        self.ambiguous = set()            # ids of numbers that two parameters share
        self.unpacked = {}                # input node -> {(code, local variable)} holding it
        self.lines = {}                   # node -> running_lines() when it was made
        self.ran = []                     # (code, line, nodes recorded before it), as run

    # -- sys.settrace protocol --------------------------------------------------
    def on_call(self, frame, event, arg):
        if event != "call" or not _is_users(frame):
            return None                   # do not trace inside library code
        info = Frame(frame.f_code.co_name, frame, next(self.calls))
        if self.root is None and not self.stack and frame.f_code is self.root_code:
            self.root = info.call         # the drawn function itself: no cluster for it
        self.frames[frame] = info
        self.stack.append(info)
        return self.on_line

    def on_line(self, frame, event, arg):
        info = self.frames.get(frame)
        if info is None:
            return None
        self.name_locals(frame)
        if event == "line":
            info.on_line()
            self.ran.append((frame.f_code, frame.f_lineno, len(self.trace.nodes)))
        elif event == "return":
            if self.stack and self.stack[-1] is info:
                self.stack.pop()
            del self.frames[frame]        # keep no frame (and its locals) alive
        return self.on_line

    # -- what the trace's hook records -------------------------------------------
    def on_node(self, node):
        node.source = (tuple(f.key() for f in self.stack),
                       "backward" if _state.backward_passes else "forward")
        self.lines[node] = running_lines(self.stack)

    def name_locals(self, frame):
        code = frame.f_code
        parameters = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
        local = frame.f_locals
        # Two parameters may hold the very same number object (defaults x=1.0, y=1.0
        # share one constant): such a number cannot be named by identity.
        seen = {}
        for var in parameters:
            value = local.get(var)
            if isinstance(value, (float, np.floating)):
                if id(value) in seen and seen[id(value)] != var:
                    self.ambiguous.add(id(value))
                seen[id(value)] = var
        for var, value in local.items():
            if isinstance(value, Tracer):
                # Our tracer, or (inside an inner grad) a tracer wrapping one of ours.
                while isinstance(value, Tracer) and value._trace is not self.trace:
                    value = value.primal
                if (isinstance(value, ReverseTracer) and value.node.name is None
                        and input_row(value.node) is None):     # X[3] says more than x
                    value.node.name = var
                elif (isinstance(value, ReverseTracer) and value.node.primitive is None
                      and var not in parameters):
                    self.unpacked.setdefault(value.node, set()).add((code, var))
            elif isinstance(value, np.ndarray) or (
                    var in parameters and isinstance(value, (float, np.floating))):
                # Constants get names too: arrays from any variable, numbers only
                # from parameters (a literal 2.0 is one shared object per function).
                self.constant_names.setdefault(id(value), (var, value))

    def name_unpacked_inputs(self):
        """``W1, b1 = params[0]``: call the input ``params[0][0]`` by the user's name
        ``W1``, when that variable held this one input and no other (a loop
        variable ``for W, b in params`` holds each layer's in turn: the inputs
        keep their ``params[k][0]`` names)."""
        holders = {}
        for node, places in self.unpacked.items():
            for place in places:
                holders.setdefault(place, set()).add(node)
        for node, places in self.unpacked.items():
            names = {var for _, var in places}
            if (len(names) == 1 and all(len(holders[p]) == 1 for p in places)
                    and ("[" in (node.name or "") or "." in (node.name or ""))):
                node.name = names.pop()

    def constant_name(self, value):
        value = self.trace.constants.original.get(id(value), value)   # copied when read
        if id(value) in self.ambiguous:
            return None
        row = self.row_name(value)
        if row is not None:
            return row
        found = self.constant_names.get(id(value))
        return found[0] if found is not None and found[1] is value else None

    def row_name(self, value):
        """``X[3]`` for a row of a named array ``X``: in a loop over the examples
        each ``X[i]`` is its own constant, and the local variable that holds it
        (``x``) names all of them alike. The row is a view into ``X``: where it
        starts in ``X``'s memory says which one it is."""
        base = getattr(value, "base", None)
        if not isinstance(value, np.ndarray) or not isinstance(base, np.ndarray) \
                or base.ndim == 0 or value.shape != base.shape[1:] \
                or value.strides != base.strides[1:] or base.strides[0] == 0:
            return None
        found = self.constant_names.get(id(base))
        if found is None or found[1] is not base:
            return None
        offset = value.__array_interface__["data"][0] - base.__array_interface__["data"][0]
        row, rest = divmod(offset, base.strides[0])
        if rest or not 0 <= row < base.shape[0]:
            return None
        return f"{found[0]}[{row}]"


def running_lines(stack):
    """``((code, line), ...)``: the line each of the user's running frames is on,
    outermost first; the last is the line that made the node (the trace player
    highlights it, :mod:`tracegrad.widgets.player`)."""
    return tuple((f.frame.f_code, f.frame.f_lineno) for f in stack)


def input_row(node):
    """``"3"`` for ``X[3]`` read from an input ``X`` with whole-number indices
    (``"3, 1"`` for ``X[3, 1]``), else None: in a loop over the examples each
    row is named by its index, not all alike by the variable ``x``."""
    if node.primitive is None or node.primitive.name != "getitem":
        return None
    parent, index = node.parents[0], node.params.get("index")
    if parent is None or parent.primitive is not None or not isinstance(index, tuple) \
            or not index or not all(isinstance(i, (int, np.integer)) and not isinstance(i, bool)
                                    for i in index):
        return None
    return ", ".join(str(int(i)) for i in index)


def input_names(fun, args):
    """Names for the leaves of ``args``: ``x``, ``params[0][1]``, ``p['w']``."""
    try:
        params = list(inspect.signature(fun).parameters.values())
    except (TypeError, ValueError):
        params = []
    names = []
    for i, arg in enumerate(args):
        if i < len(params) and params[i].kind in (params[i].POSITIONAL_ONLY,
                                                  params[i].POSITIONAL_OR_KEYWORD):
            base = params[i].name
        else:
            base = f"arg{i}"
        names.extend(base + path for path in _paths(arg))
    return names


def _paths(tree):
    if isinstance(tree, (list, tuple)) and not hasattr(tree, "_fields"):
        return [f"[{i}]{p}" for i, t in enumerate(tree) for p in _paths(t)]
    if isinstance(tree, tuple):                                  # namedtuple
        return [f".{f}{p}" for f, t in zip(tree._fields, tree) for p in _paths(t)]
    if isinstance(tree, dict):
        return [f"[{k!r}]{p}" for k in sorted(tree) for p in _paths(tree[k])]
    if tree is None:
        return []
    return [""]


def snapshot(tree):
    """``tree`` with a copy of each of its arrays.

    A graph shows its inputs' values next to the gradients computed from them,
    and can be replayed and stepped through later. The caller's arrays must not
    change it afterwards (``params[0] -= lr * g`` updates in place), so the
    graph keeps copies: inputs are small in teaching."""
    leaves, treedef = tree_flatten(tree)
    return tree_unflatten(treedef, [np.array(x, copy=True) if isinstance(x, np.ndarray) else x
                                    for x in leaves])


class Recording(NamedTuple):
    """What one run of the user's function left behind."""
    trace: ReverseTrace           # the engine's record: its nodes, in order
    recorder: Recorder            # names and clusters
    inputs: list                  # the input tracers of the ``argnums`` arguments
    out: object                   # what the function returned (tracers in it)


def record(fun, args, argnums, who="graph"):
    """Run ``fun(*args)`` once, recording; return a :class:`Recording`.

    The arguments in ``argnums`` become inputs; the others are recorded as
    constants."""
    names = input_names(fun, args)
    trace_holder = new_level(ReverseTrace, keep_values=True, who=who)  # every value shown
    trace = trace_holder.trace
    # A plain function is the picture's frame; a transformation (tg.jacfwd(f), which
    # calls f several times) is not, and each call of f gets a cluster.
    plain = hasattr(fun, "__code__") and not hasattr(fun, "__wrapped__")
    recorder = Recorder(trace, fun.__code__ if plain else None)
    trace.on_node = recorder.on_node
    leaves_per_arg = [tree_flatten(a) for a in args]
    traced_args, inputs, k = [], [], 0
    with trace_holder:
        for i, (leaves, treedef) in enumerate(leaves_per_arg):
            if i in argnums:
                new = []
                for leaf, name in zip(leaves, names[k:k + len(leaves)]):
                    # copy=False: tg.graph took copies of its arguments already
                    tracer = trace.new_input(_check_float(leaf, who, name), name,
                                             copy=False)
                    inputs.append(tracer)
                    new.append(tracer)
                traced_args.append(tree_unflatten(treedef, new))
            else:
                for leaf, name in zip(leaves, names[k:k + len(leaves)]):
                    if isinstance(leaf, (np.ndarray, float, np.floating)):
                        recorder.constant_names.setdefault(id(leaf), (name, leaf))
                traced_args.append(args[i])
            k += len(leaves)
        previous = sys.gettrace()
        sys.settrace(recorder.on_call)
        try:
            out = fun(*traced_args)
        finally:
            sys.settrace(previous)
            recorder.name_unpacked_inputs()
            recorder.frames.clear()
            recorder.stack.clear()
    return Recording(trace, recorder, inputs, out)


def record_with_tangents(fun, args, argnums, tangents):
    """Record ``fun`` as :func:`record` does, under ``jvp``: every node's value
    then carries its tangent (J·v so far), the forward-mode view."""
    if not isinstance(tangents, (tuple, list)) or len(tangents) != len(argnums):
        raise TypeError(message("err.graph-tangents", count=len(argnums)))
    found = []

    def record_all(*full):
        found.append(record(fun, full, argnums))
        out = found[-1].out
        return out.primal if isinstance(out, Tracer) and out._trace is found[-1].trace else out

    # jvp varies the arguments in argnums; with_args keeps the others as they are
    jvp(with_args(record_all, args, argnums, {}), tuple(args[i] for i in argnums),
        tuple(tangents))
    return found[-1]


