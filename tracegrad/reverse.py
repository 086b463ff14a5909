"""Reverse mode: record every primitive call, then walk the record backwards.

This is backpropagation, exactly as the lecture derives it. While the user's
function runs, each primitive call is recorded as a :class:`Node`
(``out = primitive(*args)``). Afterwards :func:`backward_pass` starts from the
output with cotangent ``∂C/∂C = 1`` and, node by node from the last to the
first, applies the chain rule:

    ∂C/∂arg  +=  ∂C/∂out · ∂out/∂arg

The ``+=`` is the whole story of fan-out: a value used twice receives the
sum of the two contributions (the multivariable chain rule).

The order of the walk matters: a node may only pass its cotangent back once
it has received *all* contributions from the nodes that use it. Any
topological order does that, and the record already is one: a value is
always computed before it is used, so the record's order of creation is a
topological order, and its reverse is the order to walk backwards. No
recursion is needed, so a chain of 100,000 operations is no problem.

The record is kept: ``tracegrad.graph`` draws these very nodes, and the
widgets replay this very walk. It holds values, not places: a NumPy array
the user's code writes into again after an operation read it (a buffer) is
recorded as it was when read (:class:`Constants`), and inputs are copied.
"""
from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .arguments import (
    argnums_tuple,
    check_float,
    check_function,
    check_returned,
    check_scalar,
    explain_list_inputs,
    leaf_paths,
    with_args,
    zeros_like,
)
from .core import (
    Trace,
    Tracer,
    concrete,
    new_level,
    route_numpy_warnings,
    thread_state,
    unroute_numpy_warnings,
    warn_at_user,
)
from .lax.shape import like_primal
from .tree import tree_flatten, tree_unflatten
from .typing import ArgNums, Array, Fun, PyTree
from .words import message, said

__all__ = ["Node", "Recorder", "RecordedTracer", "ReverseTrace", "placeholder", "ReverseTracer",
           "backward_pass", "node_vjps", "label", "vjp", "grad", "value_and_grad",
           "ZeroGradientWarning"]


# ---------------------------------------------------------------------------
# The record: one Node per primitive call
# ---------------------------------------------------------------------------

class Node:
    """One recorded primitive call: ``out = primitive(*args, **params)``.

    ``parents[i]`` is the Node that produced argument ``i``, or ``None`` when
    that argument is a constant for this trace. An input of the traced
    function is a Node with ``primitive = None``.
    ``index`` is the position in the record: a stable id, the same on every
    run, so drawings of the graph are reproducible.
    """

    __slots__ = ("primitive", "parents", "args", "params", "out", "index",
                 "name", "source")

    def __init__(self, primitive, parents, args, params, out, index, name=None):
        self.primitive = primitive
        self.parents = parents
        self.args = args
        self.params = params
        self.out = out
        self.index = index
        self.name = name
        self.source = None          # filled in by tools that ask for it (graphs)

    def __repr__(self):
        op = self.primitive.name if self.primitive else "input"
        return f"<Node {self.index}: {op} {np.shape(concrete(self.out))}>"


class RecordedTracer(Tracer):
    """A value whose trace writes the program down: it carries its Node
    (``tg.label`` names the Node; the graph draws it)."""

    __slots__ = ("node",)


class ReverseTracer(RecordedTracer):
    """A value being traced for reverse mode: its primal and its Node."""

    __slots__ = ()

    def __init__(self, trace, primal, node):
        self._trace = trace
        self.primal = primal
        self.node = node


RecordedTracer.side = RecordedTracer.node   # its side data, read by Trace.unbox: the same slot

SMALL = 1024     # arrays with fewer elements are always kept: no memory to win


def placeholder(x):
    """An array with the shape and dtype of ``x`` but no numbers (zero bytes)."""
    zero = np.zeros((), x.dtype)
    zero.flags.writeable = False                 # nothing can change it: never copied
    return np.broadcast_to(zero, x.shape)


def may_change(a):
    """Can the numbers of the ndarray ``a`` change after it is recorded?

    Yes if it is writeable, or a read-only view of memory that is
    (``np.broadcast_to(buf, ...)`` changes when ``buf`` does).
    """
    while not a.flags.writeable:
        base = a.base
        if type(base) is not np.ndarray:
            return base is not None and type(base) is not bytes
        a = base
    return True


def same_bits(a, b):
    """Do two arrays hold exactly the same bits (-0.0 is not 0.0; nan is nan)?"""
    return a.shape == b.shape and a.dtype == b.dtype and not a.dtype.hasobject \
        and a.tobytes() == b.tobytes()


class Constants:
    """The NumPy arrays a trace reads, each as it was when it was read.

    ``constants(value)`` is ``value`` itself, or, for an array whose numbers
    may change (a buffer the user's code writes into again, a closed-over
    array), a copy taken now, which only tracegrad holds. The same array read
    again unchanged gives the same copy (one constant, drawn once); changed,
    a new copy. ``original[id(copy)]`` is the array it was taken of (graphs
    name it).
    """

    __slots__ = ("kept", "original")

    def __init__(self):
        self.kept = {}                           # id(array) -> (array, its copy)
        self.original = {}                       # id(copy) -> array

    def __call__(self, value):
        t = type(value)
        if t is np.ndarray:
            if not may_change(value):
                return value
            kept = self.kept.get(id(value))
            if kept is not None and kept[0] is value and same_bits(value, kept[1]):
                return kept[1]
            copy = value.copy()
            self.kept[id(value)] = (value, copy)     # (keeps the array: its id stays its own)
            self.original[id(copy)] = value
            return copy
        if t is tuple:                                      # an index: (rows, cols)
            for v in value:
                if type(v) is np.ndarray or type(v) is tuple:
                    return tuple(self(v) for v in value)
        return value


class Recorder(Trace):
    """A trace that writes the program down: one Node per primitive call, in order.

    Reverse mode records to differentiate (:class:`ReverseTrace`), ``tg.jit``
    to compile (``JitTrace``, jit/staging.py): the same Nodes in ``nodes``,
    read as the same :class:`~tracegrad.program.Program`. ``constants`` keeps
    the NumPy arrays read, each as it was when read.
    """

    def __init__(self):
        super().__init__()
        self.nodes = []
        self.constants = Constants()

    def add(self, primitive, parents, args, params, out, name=None):
        """Append the Node ``out = primitive(*args, **params)`` to the program."""
        node = Node(primitive, tuple(parents), tuple(args), params, out, len(self.nodes), name)
        self.nodes.append(node)
        return node

    def input_node(self, value, name=None):
        """Record an input of the program: a Node with no primitive."""
        return self.add(None, (), (), {}, value, name)


class ReverseTrace(Recorder):
    """Records primitive calls on its tracers into ``self.nodes``.

    What the backward pass will not read (``Primitive.saves``) is not kept:
    a large array that is neither saved nor still used by the program can be
    freed at once, as in PyTorch, and is replaced in the record by a
    placeholder of the same shape. ``keep_values=True`` keeps everything,
    for graphs that show every value.

    ``on_node``, when set, is called with every new Node: the hook that
    graph tools use to note source lines and variable names.
    """

    who = "vjp"

    def __init__(self, on_node=None, keep_values=False):
        super().__init__()
        self.on_node = on_node
        self.keep_values = keep_values

    def new_input(self, value, name=None, copy=True):
        """A tracer for an input of the traced function, recorded as a Node.

        The input array is copied: the function sees the value it was called
        with even if it writes into the caller's array while it runs (the
        array is also a global it updates), and a record that outlives the
        call (the function ``vjp`` returns, a graph) does not change when the
        caller updates the array afterwards (``params[0] -= lr * g``).
        ``copy=False`` is for callers that copied it already.
        """
        if copy and type(value) is np.ndarray and may_change(value):
            value = value.copy()
        node = self.input_node(value, name)
        if self.on_node is not None:
            self.on_node(node)
        return ReverseTracer(self, value, node)

    def process(self, primitive, args, params):
        # Trace.unbox, with one more step: a NumPy array the backward pass will
        # read is taken as it is now (the program may write into it again later).
        values, parents, arrays = [], [], False
        for a in args:
            if isinstance(a, Tracer) and a._trace is self:
                values.append(a.primal)
                parents.append(a.node)
            else:
                arrays = arrays or type(a) is np.ndarray
                values.append(a)
                parents.append(None)
        out = primitive.bind(*values, **params)    # the next trace down computes it
        # (computed from the arrays themselves: a jit below sees, and names, the user's)
        if arrays and (self.keep_values or "args" in primitive.saves):
            values = [self.constants(v) if p is None else v for v, p in zip(values, parents)]
        if "index" in params:                    # the one parameter that may hold arrays
            params = {**params, "index": self.constants(params["index"])}
        return self.record(primitive, parents, values, params, out)

    def record(self, primitive, parents, values, params, out):
        """Append the Node ``out = primitive(*values)``; return its tracer.

        The record keeps what the backward pass will read, as it was when read:
        ``process`` took the NumPy arrays among the constants, and the index,
        through :class:`Constants`. This trace's own values need no copy: they
        are the results of primitives, which no one else holds.
        """
        saved_out = out
        if not self.keep_values and primitive.saves != ("args", "out"):
            # Keep only what the VJP reads: big arrays it does not read become
            # placeholders, so the program's temporaries can be freed.
            if "args" not in primitive.saves:
                values = [placeholder(v) if type(v) is np.ndarray and v.size >= SMALL else v
                          for v in values]
            if "out" not in primitive.saves and type(out) is np.ndarray and out.size >= SMALL:
                saved_out = placeholder(out)
        # Recorder.add, written out: this is the hot path, one call less per operation.
        node = Node(primitive, tuple(parents), tuple(values), params, saved_out, len(self.nodes))
        self.nodes.append(node)
        if self.on_node is not None:
            self.on_node(node)
        return ReverseTracer(self, out, node)


# ---------------------------------------------------------------------------
# The backward pass: the chain rule, node by node
# ---------------------------------------------------------------------------

def backward_pass(nodes, seeds, visit=None, keep=False):
    """Propagate cotangents from ``seeds`` ({node: ∂C/∂node}) back to the inputs.

    Returns the cotangents of the inputs reached (of every node reached, with
    ``keep=True``: graphs show them). ``visit(node, cotangent)``, if given, is
    called as each node is reached, in order: the stepper widget replays it.
    By default it is ``thread_state.watch_backward``, which is None unless a
    tool watches every backward pass (``tg.jit`` names each ``g`` after its node).
    """
    if visit is None:
        visit = thread_state.watch_backward
    cotangents = dict(seeds)
    start = max(node.index for node in seeds)
    thread_state.backward_passes += 1      # lets graph tools tell backward ops apart
    routed = route_numpy_warnings()         # 1/0 in a rule: warn at the user's line
    try:
        for i in range(start, -1, -1):                  # reverse order of creation
            node = nodes[i]
            g = cotangents.get(node)
            if g is None:                               # the output does not use it
                continue
            if visit is not None:
                visit(node, g)
            if node.primitive is None:                  # an input: keep its gradient
                continue
            if not keep:
                del cotangents[node]                    # free memory as we go
            contributions = node_vjps(node, g)
            for parent, c, primal in zip(node.parents, contributions, node.args):
                if c is None:
                    continue
                # A float32 input gets a float32 gradient (two float64 scalars,
                # the common case, are let through at once).
                if type(c) is not np.float64 or type(primal) is not np.float64:
                    c = like_primal(c, primal)
                # ∂C/∂parent += ∂C/∂out · ∂out/∂parent. Written as a sum, not an
                # in-place +=, so that no array another node still holds changes.
                if parent in cotangents:
                    cotangents[parent] = cotangents[parent] + c
                else:
                    cotangents[parent] = c
    finally:
        thread_state.backward_passes -= 1
        unroute_numpy_warnings(routed)
    return cotangents


def node_vjps(node, g, all_args=False):
    """One node's step of the chain rule: ``∂C/∂arg = ∂C/∂out · ∂out/∂arg``.

    Given ``g = ∂C/∂out``, returns one contribution per argument of the
    node, or ``None`` where there is none: the argument is a constant of the
    trace (unless ``all_args``, for tools that show every local derivative)
    or the primitive has no rule for it.
    """
    rules = node.primitive.vjp
    if callable(rules):                                 # one rule for all arguments
        contributions = rules(g, node.out, *node.args, **node.params)
        return [c if all_args or parent is not None else None
                for parent, c in zip(node.parents, contributions)]
    return [rule(g, node.out, *node.args, **node.params)  # one rule per argument
            if rule is not None and (all_args or parent is not None) else None
            for parent, rule in zip(node.parents, rules)]


# ---------------------------------------------------------------------------
# The transformations: vjp, grad, value_and_grad
# ---------------------------------------------------------------------------

def vjp(fun: Fun, *primals: PyTree, has_aux: bool = False) -> tuple[Any, ...]:
    """``vjp(fun, *primals) -> (out, vjp_fun)``: one reverse pass, reusable.

    ``vjp_fun(ct)`` returns ``(ct_1, ..., ct_n)``, the row vector ``ctᵀ J``
    for each input: a vector-Jacobian product, computed without forming J.
    It may be called many times (``jacrev`` does, once per output).
    """
    check_function(fun, "vjp", "tg.vjp(f, x)")
    out, pullback, aux = _vjp(fun, primals, has_aux)
    # The caller's to keep and edit: the record (which vjp_fun reads) keeps its own.
    out = _copied(out)
    if has_aux:
        aux = _copied(aux)
    return (out, pullback, aux) if has_aux else (out, pullback)


def _copied(tree):
    """``tree`` with its NumPy arrays copied."""
    leaves, treedef = tree_flatten(tree)
    return tree_unflatten(treedef, [x.copy() if type(x) is np.ndarray else x for x in leaves])


def _vjp(fun, primals, has_aux, who="vjp", positions=None):
    """Run ``fun`` on traced inputs; return (out, pullback, aux).

    ``positions``: the argument position of each primal, for messages (grad's argnums).
    """
    with new_level(ReverseTrace, who=who) as trace:
        inputs, in_tree = _start(trace, primals, who, positions)
        try:
            result = fun(*tree_unflatten(in_tree, inputs))
        except (TypeError, AttributeError) as err:
            explain_list_inputs(err, primals, who)      # [1., 2.] is not an array
            raise
    check_returned(result, fun, who)
    if has_aux:
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            raise TypeError(message("err.aux-pair", who=who, kind=type(result).__name__))
        result, aux = result
        aux_leaves, aux_tree = tree_flatten(aux)
        aux = tree_unflatten(aux_tree, trace.unbox(aux_leaves)[0])
    else:
        aux = None
    out_leaves, out_tree = tree_flatten(result)
    outs, out_nodes = trace.unbox(out_leaves)
    out = tree_unflatten(out_tree, outs)

    def pullback(cotangent):
        """Pull a cotangent of the output back to cotangents of the inputs."""
        ct_leaves, ct_tree = tree_flatten(cotangent)
        if ct_tree != out_tree:
            raise TypeError(message("err.cotangent-tree", who=who, out=out_tree, tree=ct_tree))
        seeds = {}
        for node, o, ct in zip(out_nodes, outs, ct_leaves):
            if np.shape(ct) != np.shape(o):
                raise ValueError(message("err.cotangent-shape", who=who, shape=np.shape(ct),
                                         out=np.shape(o)))
            if node is not None:                 # outputs not traced: no gradient
                ct = like_primal(ct, o)
                seeds[node] = ct if node not in seeds else seeds[node] + ct
        cts = backward_pass(trace.nodes, seeds) if seeds else {}
        grads = [cts.get(x.node) for x in inputs]
        grads = [g if g is not None else zeros_like(x.primal) for g, x in zip(grads, inputs)]
        return tree_unflatten(in_tree, grads)

    # No differentiable operation touched the inputs, and the output is not a number
    # written out (`return 0.0`): the output was computed from something else, most
    # likely a global (see grad), or only through comparisons (a step function).
    pullback.unconnected = (len(trace.nodes) == len(inputs) and all(n is None for n in out_nodes)
                            and not all(type(o) in (int, float) for o in out_leaves))
    return out, pullback, aux


def _start(trace, primals, who, positions=None):
    """Wrap each leaf of each primal in a fresh input tracer of ``trace``."""
    leaves, treedef = tree_flatten(primals)
    inputs = []
    for k, leaf in enumerate(leaves):
        try:
            leaf = check_float(leaf, who, "")
        except TypeError:                        # said again, naming the leaf: ['n']
            check_float(leaf, who, _position(primals, k, positions))
            raise
        inputs.append(trace.new_input(leaf))
    return inputs, treedef


def _position(primals, k, positions):
    """Leaf ``k`` of the primals as a message names it: ``0``, ``['n'] of argument 0``."""
    positions = range(len(primals)) if positions is None else positions
    named = [(p, i) for i, x in zip(positions, primals, strict=True) for p in leaf_paths(x, "")]
    if len(named) == 1:
        return str(named[0][1])
    if len(named) <= k:                          # a structure leaf_paths does not know
        return said("leaf", k=k)
    path, i = named[k]
    return said("of argument", path=path, i=i) if path else str(i)


class ZeroGradientWarning(UserWarning):
    """``grad``'s output does not depend on the inputs it differentiates: the gradient
    is zero. Filter it where that is meant: ``warnings.simplefilter("ignore",
    tg.ZeroGradientWarning)``."""


def _warn_zero_gradient(who, name, nums):
    inputs = (said("zero.argument", i=nums[0]) if len(nums) == 1
              else said("zero.arguments", i=", ".join(str(i) for i in nums)))
    warn_at_user(message("err.zero-gradient", who=who, inputs=inputs, name=name),
                 ZeroGradientWarning)


def grad(fun: Fun, argnums: ArgNums = 0, has_aux: bool = False) -> Fun:
    """The gradient of a scalar function, ``∇f``, by one reverse pass.

    ``grad(f)(x)`` has the shape (and pytree structure) of ``x``. With a tuple
    ``argnums`` it returns a tuple of gradients; with ``has_aux=True`` the
    function returns ``(loss, aux)`` and ``grad`` returns ``(gradient, aux)``.
    Nest it freely: ``grad(grad(f))`` is the second derivative.
    """
    check_function(fun, "grad", "tg.grad(loss)(p, x, y)")
    value_and_grad_fun = value_and_grad(fun, argnums, has_aux)

    @functools.wraps(fun)
    def grad_fun(*args, **kwargs):
        value, g = value_and_grad_fun(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return grad_fun


def value_and_grad(fun: Fun, argnums: ArgNums = 0, has_aux: bool = False) -> Fun:
    """Like :func:`grad`, but return ``(value, gradient)`` from the same pass."""
    check_function(fun, "value_and_grad", "tg.value_and_grad(loss)(p, x, y)")
    who = f"grad({getattr(fun, '__name__', 'fun')})"

    @functools.wraps(fun)
    def value_and_grad_fun(*args, **kwargs):
        single, nums = argnums_tuple(argnums, len(args), who)
        out, pullback, aux = _vjp(with_args(fun, args, nums, kwargs),
                                  tuple(args[i] for i in nums), has_aux, who, nums)
        check_scalar(out, who, has_aux)
        if pullback.unconnected:
            _warn_zero_gradient(who, getattr(fun, "__name__", "the function"), nums)
        grads = pullback(np.ones_like(concrete(out))[()])
        if single:
            grads = grads[0]
        return ((out, aux) if has_aux else out), grads

    return value_and_grad_fun


def label(x: Array, name: str) -> Array:
    """Name a traced value for graphs and listings: ``z = tg.label(w * a + b, "z")``.

    Returns ``x`` unchanged; outside a transformation it does nothing.
    """
    t = x
    while isinstance(t, Tracer):                  # every level that records it
        if isinstance(t, RecordedTracer):
            t.node.name = name
        t = t.primal
    return x
