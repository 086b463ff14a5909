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
widgets replay this very walk.
"""
from __future__ import annotations

import functools

import numpy as np

from .core import Trace, Tracer, _state, concrete, new_level
from .tree import tree_flatten, tree_unflatten

__all__ = ["Node", "ReverseTrace", "placeholder", "ReverseTracer", "backward_pass", "label",
           "vjp", "grad", "value_and_grad"]


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


class ReverseTracer(Tracer):
    """A value being traced for reverse mode: its primal and its Node."""

    __slots__ = ("node",)

    def __init__(self, trace, primal, node):
        self._trace = trace
        self.primal = primal
        self.node = node


SMALL = 1024     # arrays with fewer elements are always kept: no memory to win


def placeholder(x):
    """An array with the shape and dtype of ``x`` but no numbers (zero bytes)."""
    return np.broadcast_to(np.zeros((), x.dtype), x.shape)




class ReverseTrace(Trace):
    """Records primitive calls on its tracers into ``self.nodes``.

    What the backward pass will not read (``Primitive.saves``) is not kept:
    a large array that is neither saved nor still used by the program can be
    freed at once, as in PyTorch, and is replaced in the record by a
    placeholder of the same shape. ``keep_values=True`` keeps everything,
    for graphs that show every value.

    ``on_node``, when set, is called with every new Node: the hook that
    graph tools use to note source lines and variable names.
    """

    def __init__(self, on_node=None, keep_values=False):
        super().__init__()
        self.nodes = []
        self.on_node = on_node
        self.keep_values = keep_values

    def new_input(self, value, name=None):
        node = Node(None, (), (), {}, value, len(self.nodes), name)
        self.nodes.append(node)
        if self.on_node is not None:
            self.on_node(node)
        return ReverseTracer(self, value, node)

    def process(self, primitive, args, params):
        values, parents = [], []
        for a in args:
            if isinstance(a, Tracer) and a._trace is self:
                values.append(a.primal)
                parents.append(a.node)
            else:                                  # a constant for this trace
                values.append(a)
                parents.append(None)
        out = primitive.bind(*values, **params)    # the next trace down computes it
        return self.record(primitive, parents, values, params, out)

    def record(self, primitive, parents, values, params, out):
        """Append the Node ``out = primitive(*values)``; return its tracer."""
        saved_out = out
        if not self.keep_values and primitive.saves != ("args", "out"):
            # Keep only what the VJP reads: big arrays it does not read become
            # placeholders, so the program's temporaries can be freed.
            if "args" not in primitive.saves:
                values = [placeholder(v) if type(v) is np.ndarray and v.size >= SMALL else v
                          for v in values]
            if "out" not in primitive.saves and type(out) is np.ndarray and out.size >= SMALL:
                saved_out = placeholder(out)
        node = Node(primitive, tuple(parents), tuple(values), params, saved_out, len(self.nodes))
        self.nodes.append(node)
        if self.on_node is not None:
            self.on_node(node)
        return ReverseTracer(self, out, node)


def backward_pass(nodes, seeds, visit=None, keep=False):
    """Propagate cotangents from ``seeds`` ({node: ∂C/∂node}) back to the inputs.

    Returns the cotangents of the inputs reached (of every node reached, with
    ``keep=True``: graphs show them). ``visit(node, cotangent)``, if given, is
    called as each node is reached, in order: the stepper widget replays it.
    """
    cotangents = dict(seeds)
    start = max(node.index for node in seeds)
    _state.backward_passes += 1        # lets graph tools tell backward ops apart
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
            rules = node.primitive.vjp
            if callable(rules):                         # one rule for all arguments
                contributions = rules(g, node.out, *node.args, **node.params)
            else:                                       # one rule per argument
                contributions = [
                    rule(g, node.out, *node.args, **node.params)
                    if parent is not None and rule is not None else None
                    for parent, rule in zip(node.parents, rules)]
            for parent, c in zip(node.parents, contributions):
                if parent is None or c is None:
                    continue
                previous = cotangents.get(parent)
                cotangents[parent] = c if previous is None else previous + c
    finally:
        _state.backward_passes -= 1
    return cotangents


def label(x, name):
    """Name a traced value for graphs and listings: ``z = tg.label(w * a + b, "z")``.

    Returns ``x`` unchanged; outside a transformation it does nothing.
    """
    t = x
    while isinstance(t, Tracer):                  # every level that records it
        if isinstance(t, ReverseTracer):
            t.node.name = name
        t = t.primal
    return x


# ---------------------------------------------------------------------------
# The transformations: vjp, value_and_grad, grad
# ---------------------------------------------------------------------------

def _check_float(x, who, position):
    """Derivatives need real floating-point inputs; say so clearly if not."""
    if type(x) is np.ndarray and x.dtype.kind == "f":      # the common case, quickly
        return x if x.ndim else x[()]
    if isinstance(x, Tracer):
        dtype = x.dtype
    elif isinstance(x, bool) or isinstance(x, np.bool_):
        dtype = np.dtype(bool)
    elif isinstance(x, int):                     # Python ints are fine: 3 → 3.0
        return np.float64(x)
    elif isinstance(x, float):
        return np.float64(x)
    else:
        x = np.asarray(x) if not isinstance(x, np.generic) else x
        dtype = x.dtype
        if x.ndim == 0 and isinstance(x, np.ndarray):
            x = x[()]
    if dtype.kind != "f":
        raise TypeError(
            f"{who}: input {position} has dtype {dtype}, but derivatives are only "
            f"defined for floating-point inputs. Pass floats instead, e.g. "
            f"np.asarray(x, dtype=float) or 3.0 rather than an integer array "
            f"(plain Python ints and floats are accepted as they are).")
    return x


def _start(trace, primals, who):
    """Wrap each leaf of each primal in a fresh input tracer of ``trace``."""
    leaves, treedef = tree_flatten(primals)
    inputs = []
    for k, leaf in enumerate(leaves):
        leaf = _check_float(leaf, who, _leaf_position(treedef, k))
        inputs.append(trace.new_input(leaf))
    return inputs, treedef


def _leaf_position(treedef, k):
    return f"leaf {k}" if treedef.num_leaves > 1 else "0"


def _unbox(x, trace):
    """The primal of ``x`` if it is this trace's tracer, else ``x`` itself."""
    return x.primal if isinstance(x, Tracer) and x._trace is trace else x


def _vjp(fun, primals, has_aux, who="vjp"):
    """Run ``fun`` on traced inputs; return (out, pullback, aux)."""
    with new_level(ReverseTrace) as trace:
        inputs, in_tree = _start(trace, primals, who)
        result = fun(*tree_unflatten(in_tree, inputs))
    if has_aux:
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            raise TypeError(f"{who}(..., has_aux=True): the function must return a pair "
                            f"(output, aux), but it returned {type(result).__name__}.")
        result, aux = result
        aux_leaves, aux_tree = tree_flatten(aux)
        aux = tree_unflatten(aux_tree, [_unbox(a, trace) for a in aux_leaves])
    else:
        aux = None
    out_leaves, out_tree = tree_flatten(result)
    out_nodes = [o.node if isinstance(o, Tracer) and o._trace is trace else None
                 for o in out_leaves]
    out = tree_unflatten(out_tree, [_unbox(o, trace) for o in out_leaves])

    def pullback(cotangent):
        """Pull a cotangent of the output back to cotangents of the inputs."""
        ct_leaves, ct_tree = tree_flatten(cotangent)
        if ct_tree != out_tree:
            raise TypeError(f"{who}: the cotangent must have the structure of the "
                            f"output, {out_tree}, but has {ct_tree}.")
        seeds = {}
        for node, o, ct in zip(out_nodes, out_leaves, ct_leaves):
            if np.shape(ct) != np.shape(o):
                raise ValueError(f"{who}: the cotangent has shape {np.shape(ct)} but the "
                                 f"output has shape {np.shape(o)}; they must match.")
            if node is not None:                 # outputs not traced: no gradient
                seeds[node] = ct if node not in seeds else seeds[node] + ct
        cts = backward_pass(trace.nodes, seeds) if seeds else {}
        grads = [cts.get(x.node) for x in inputs]
        grads = [g if g is not None else _zeros_like(x.primal) for g, x in zip(grads, inputs)]
        return tree_unflatten(in_tree, grads)

    return out, pullback, aux


def _zeros_like(x):
    c = concrete(x)
    return np.zeros(np.shape(c), dtype=np.result_type(c))[()]


def vjp(fun, *primals, has_aux=False):
    """``vjp(fun, *primals) -> (out, vjp_fun)``: one reverse pass, reusable.

    ``vjp_fun(ct)`` returns ``(ct_1, ..., ct_n)``, the row vector ``ctᵀ J``
    for each input: a vector-Jacobian product, computed without forming J.
    It may be called many times (``jacrev`` does, once per output).
    """
    out, pullback, aux = _vjp(fun, primals, has_aux)
    return (out, pullback, aux) if has_aux else (out, pullback)


def _argnums_tuple(argnums, nargs, who):
    single = isinstance(argnums, int)
    nums = (argnums,) if single else tuple(argnums)
    for i in nums:
        if not isinstance(i, int) or not -nargs <= i < nargs:
            raise ValueError(
                f"{who}: argnums={argnums!r} is out of range: the function was called "
                f"with {nargs} positional argument(s), so argnums must be between 0 and "
                f"{nargs - 1}. Pass the arguments to differentiate positionally.")
    return single, tuple(i % nargs for i in nums)


def value_and_grad(fun, argnums=0, has_aux=False):
    """Like :func:`grad`, but return ``(value, gradient)`` from the same pass."""
    who = f"grad({getattr(fun, '__name__', 'fun')})"

    @functools.wraps(fun)
    def value_and_grad_fun(*args, **kwargs):
        single, nums = _argnums_tuple(argnums, len(args), who)

        def partial(*diff_args):                # fun as a function of argnums only
            full = list(args)
            for i, a in zip(nums, diff_args):
                full[i] = a
            return fun(*full, **kwargs)

        out, pullback, aux = _vjp(partial, tuple(args[i] for i in nums), has_aux, who)
        _check_scalar(out, who, has_aux)
        grads = pullback(np.ones_like(concrete(out))[()])
        if single:
            grads = grads[0]
        return ((out, aux) if has_aux else out), grads

    return value_and_grad_fun


def _check_scalar(out, who, has_aux):
    if isinstance(out, (tuple, list, dict)):
        hint = ("; to return extra values next to the loss, return (loss, extra) "
                "and pass has_aux=True" if not has_aux else "")
        raise TypeError(f"{who}: the function must return one scalar, but it returned "
                        f"a {type(out).__name__}{hint}.")
    shape = np.shape(concrete(out))
    if shape != () and np.prod(shape) == 1:       # one number, but not 0-d
        raise TypeError(
            f"{who}: the function must return a scalar (shape ()), but it returned an array "
            f"of shape {shape} holding one number. Return out.squeeze(), or index it "
            f"down to that number: out[{', '.join('0' * len(shape))}].")
    if shape != ():
        raise TypeError(
            f"{who}: the function must return a scalar, but it returned an array of "
            f"shape {shape}. grad is for scalar outputs such as a loss. Reduce it "
            f"(e.g. .sum() or .mean()), or use tg.jacrev(fun) for the whole Jacobian, "
            f"or tg.vjp(fun, x) to pull back a cotangent of shape {shape}.")
    dtype = np.result_type(concrete(out))
    if dtype.kind != "f":
        raise TypeError(f"{who}: the function returned a value of dtype {dtype}; a "
                        f"gradient needs a floating-point output.")


def grad(fun, argnums=0, has_aux=False):
    """The gradient of a scalar function, ``∇f``, by one reverse pass.

    ``grad(f)(x)`` has the shape (and pytree structure) of ``x``. With a tuple
    ``argnums`` it returns a tuple of gradients; with ``has_aux=True`` the
    function returns ``(loss, aux)`` and ``grad`` returns ``(gradient, aux)``.
    Nest it freely: ``grad(grad(f))`` is the second derivative.
    """
    value_and_grad_fun = value_and_grad(fun, argnums, has_aux)

    @functools.wraps(fun)
    def grad_fun(*args, **kwargs):
        value, g = value_and_grad_fun(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return grad_fun
