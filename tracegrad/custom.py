"""Your own derivative rules: ``custom_jvp`` and ``custom_vjp`` (JAX's API).

Sometimes the derivative that the chain rule builds from a function's steps
is not the one you want: it may be numerically unstable (``log(1 + eˣ)``
overflows for large x although its derivative, σ(x), is harmless), or the
function may call code tracegrad cannot see. Then you give the rule yourself.

``custom_jvp``: a forward rule ``(primals, tangents) -> (out, tangent_out)``.
Reverse mode needs no second rule: the tangent output is *linear* in the
tangents, and the VJP of a linear map is its transpose, which tracegrad's own
reverse mode computes by tracing the rule itself (``_JVPRule.backward``).

``custom_vjp``: a forward function ``fwd(*args) -> (out, residuals)`` and a
backward one ``bwd(residuals, g) -> (cotangent for each arg)``. ``fwd`` runs
once, during the forward pass; its residuals are kept on the recorded node
for ``bwd``. Forward mode (``jvp``, ``jacfwd``) cannot use a backward rule,
so there it raises :class:`CustomRuleError`, as JAX does, rather than quietly
differentiate the original function and give another answer than ``grad``.
``hessian`` works: it runs ``jacfwd`` *over* ``jacrev``, and forward mode then
differentiates ``bwd``, which is ordinary code.

Arguments and outputs may be pytrees (tuples, lists, dicts of arrays), as in
JAX: the rule receives them with their structure, a tangent or cotangent has
the structure of its value, and ``bwd`` returns one cotangent pytree per
argument (``None``: zero for that whole argument). Underneath, a call is
flattened into a list of arrays (the leaves), and the classes ``_JVPRule``
and ``_VJPRule`` below work on such flat lists.

How a call finds its rule, under every transformation
-----------------------------------------------------
A function with a custom rule is not run like other code: which rule is
used depends on the transformation that meets the call first, the newest
trace among its arguments (core.py explains the levels). ``_apply`` asks it:

* **no trace** (plain arrays), **or jit's**: run the function itself. ``jit``
  always starts its trace before any other (``jit(grad(f))``), so it sits at
  the lowest level: every transformation above it has already used the rule,
  and what is left for ``jit`` is to stage the plain computation, which
  becomes NumPy lines like any other. In ``jit(grad(f))`` the rule runs while
  ``jit`` traces (``grad``'s trace uses it), so ``fwd``'s and ``bwd``'s steps
  are what gets compiled, and later calls run them, rule included.
  ``grad(jit(f))`` runs ``f`` as ordinary code, so the rule meets ``grad``'s
  trace as usual.
* **reverse mode** (``grad``, ``vjp``, ``jacrev``): one node in the record,
  whose VJP is the rule: ``bwd`` with the residuals kept on the node, or the
  transpose of the JVP rule. The value is computed one level down (``fwd``,
  or the function), where the next trace sees the call in its turn.
* **forward mode** (``jvp``, ``jacfwd``): the JVP rule, on the primals and
  tangents one level down.
* **vmap**: a batch of calls of ``f`` is one call of a *new* function with a
  custom rule, ``f_b = vmap(f)``, whose rule is the batched rule:
  ``vmap(rule)``, or ``fwd_b = vmap(fwd)`` and ``bwd_b = vmap(bwd)``. That
  new function is called one level down, where the next trace finds *its*
  rule. So ``grad(vmap(f))`` records ``bwd_b`` and runs it in the backward
  pass: every example's ``bwd`` at once. An argument that all the examples
  share (``in_axes=None``) gets the *sum* of the examples' cotangents, as
  for any value used several times (fan-out, reverse.py). In the other
  order, ``vmap(grad(f))``, ``grad``'s trace is the newer one: it records
  ``bwd`` as usual, and ``bwd``'s own steps, run on batched values, are
  batched like any other code.

Several outputs, one node: the record keeps one value per node and the
backward pass hands each node one cotangent, but ``bwd`` must see the
cotangents of *all* outputs at once. So a rule with several outputs puts
them side by side in one flat array (``_Layout``): that array is the node's
value, the outputs are pieces cut from it, and the node's cotangent is cut
into the same pieces before ``bwd`` sees them. One output needs no packing.
"""
from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from . import lax
from .advice import CustomRuleError
from .arguments import zeros_like
from .core import Primitive, TracegradError, dtype_of, shape_of, top_trace
from .custom_checks import check_bwd_result, check_jvp_result, describe, named
from .forward import JVPTrace, JVPTracer
from .lax.shape import like_primal, moveaxis
from .reverse import ReverseTrace, vjp
from .tree import tree_flatten, tree_map, tree_unflatten
from .typing import Fun
from .vmap import BatchTrace, BatchTracer, vmap
from .words import message, said

__all__ = ["custom_jvp", "custom_vjp", "CustomRuleError"]


# ---------------------------------------------------------------------------
# The user's decorators
# ---------------------------------------------------------------------------

def _split(args, nondiff_argnums):
    """The arguments that are differentiated, and the others (``nondiff_argnums``)."""
    static = tuple(args[i] for i in nondiff_argnums)
    dynamic = tuple(a for i, a in enumerate(args) if i not in nondiff_argnums)
    return dynamic, static


def _merge(dynamic, static, nondiff_argnums):
    """Put the two groups back into the original order of the arguments."""
    dynamic, static, args = list(dynamic), list(static), []
    for i in range(len(dynamic) + len(static)):
        args.append(static.pop(0) if i in nondiff_argnums else dynamic.pop(0))
    return args


class custom_jvp:
    """Decorator: ``@custom_jvp def f(x): ...`` then ``@f.defjvp def rule(primals, tangents)``.

    The rule returns ``(out, tangent_out)``; the tangent has the output's
    structure, shapes and (floating) dtype, or a :class:`CustomRuleError` says
    what differs. As in JAX, ``f.defjvps(rule_x, rule_y)`` gives one rule per
    argument instead, ``rule_x(ẋ, out, x, y)`` returning that argument's share
    of the output tangent (None: the argument has none). ``nondiff_argnums``
    names arguments that are not differentiated (a function, a flag): the rule
    receives them first, ``rule(*nondiff, primals, tangents)``, and primals
    and tangents leave them out.
    """

    def __init__(self, fun: Fun, nondiff_argnums: Sequence[int] = ()) -> None:
        # Name and docstring from fun, not its attributes: they could hide our methods.
        functools.update_wrapper(self, fun, updated=())
        self.fun = fun
        self.rule = self.named_rule = None
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.primitive = _RulePrimitive("custom_jvp", fun)

    def defjvp(self, rule: Fun) -> Fun:
        self.rule = self.named_rule = rule
        return rule

    def defjvps(self, *rules: Fun | None) -> None:
        """One rule per (differentiated) argument: ``rule(tangent, out, *primals)``."""
        def rule(*nondiff_primals_tangents):
            *static, primals, tangents = nondiff_primals_tangents
            out = self.fun(*_merge(primals, static, self.nondiff_argnums))
            total = None
            for r, t in zip(rules, tangents):
                if r is None:
                    continue
                term = r(t, out, *primals)
                if term is None:                 # a forgotten `return`: not a zero tangent
                    raise CustomRuleError(message("err.jvp-none", name=self.fun.__name__,
                                                  rule=getattr(r, "__name__", r)))
                total = term if total is None else total + term
            return out, tree_map(zeros_like, out) if total is None else total
        self.rule, self.named_rule = rule, None

    def __call__(self, *args):
        if self.rule is None:
            raise TracegradError(message("err.jvp-norule", name=self.fun.__name__))
        dynamic, static = _split(args, self.nondiff_argnums)
        leaves, in_tree = tree_flatten(dynamic)
        outs, out_tree = _apply(self._flat(in_tree, static), leaves)
        return tree_unflatten(out_tree, outs)

    def _flat(self, in_tree, static):
        """This call's function and rule, on flat lists of leaves."""
        name, nums = self.fun.__name__, self.nondiff_argnums

        def fun(leaves):
            return tree_flatten(self.fun(*_merge(tree_unflatten(in_tree, leaves), static, nums)))

        def rule(primals, tangents):
            result = self.rule(*static, tree_unflatten(in_tree, primals),
                               tree_unflatten(in_tree, tangents))
            return check_jvp_result(name, result, named(said("part.its rule"), self.named_rule))

        return _JVPRule(self.primitive, fun, rule)


class custom_vjp:
    """Decorator: ``@custom_vjp def f(x): ...`` then ``f.defvjp(fwd, bwd)``.

    ``fwd(*args)`` returns ``(out, residuals)``; ``bwd(residuals, g)`` returns a
    tuple with one cotangent per argument, each with its argument's structure
    and shapes (``None``: zero). With ``nondiff_argnums``, as in JAX: ``fwd``
    takes all the arguments, and ``bwd(*nondiff, residuals, g)`` returns
    cotangents for the others only.
    """

    def __init__(self, fun: Fun, nondiff_argnums: Sequence[int] = ()) -> None:
        # Name and docstring from fun, not its attributes: they could hide our methods.
        functools.update_wrapper(self, fun, updated=())
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.fwd = self.bwd = None
        self.primitive = _RulePrimitive("custom_vjp", fun)

    def defvjp(self, fwd: Fun, bwd: Fun) -> None:
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args):
        if self.fwd is None:
            raise TracegradError(message("err.vjp-norule", name=self.fun.__name__))
        dynamic, static = _split(args, self.nondiff_argnums)
        leaves, in_tree = tree_flatten(dynamic)
        outs, out_tree = _apply(self._flat(in_tree, static, leaves), leaves)
        return tree_unflatten(out_tree, outs)

    def _flat(self, in_tree, static, leaves):
        """This call's function, fwd and bwd, on flat lists of leaves."""
        name, nums = self.fun.__name__, self.nondiff_argnums
        shapes = [shape_of(x) for x in leaves]       # of one example, under vmap
        out_tree = []                                # set by fwd, read by bwd

        def fun(leaves):
            return tree_flatten(self.fun(*_merge(tree_unflatten(in_tree, leaves), static, nums)))

        def fwd(leaves):
            result = self.fwd(*_merge(tree_unflatten(in_tree, leaves), static, nums))
            if not (isinstance(result, (tuple, list)) and len(result) == 2):
                raise CustomRuleError(message("err.fwd-pair", name=name, got=describe(result),
                                              fwd=named("fwd", self.fwd)))
            outs, tree = tree_flatten(result[0])
            out_tree[:] = [tree]
            return outs, tree, result[1]

        def bwd(residuals, gs):
            result = self.bwd(*static, residuals, tree_unflatten(out_tree[0], gs))
            return check_bwd_result(name, result, in_tree, shapes, named("bwd", self.bwd))

        return _VJPRule(self.primitive, fun, fwd, bwd)


# ---------------------------------------------------------------------------
# One call, under whichever transformation sees it first
# ---------------------------------------------------------------------------

def _apply(rule, leaves):
    """Call ``rule`` (a flat ``_JVPRule`` or ``_VJPRule``) on ``leaves``; return
    the output leaves and their structure. The newest trace decides how."""
    trace = top_trace(leaves)
    if trace is None:
        return rule.fun(leaves)
    if trace.finished:                           # a tracer kept after its trace ended
        raise trace.escaped()
    if isinstance(trace, ReverseTrace):
        return _record(rule, trace, leaves)
    if isinstance(trace, JVPTrace):
        return rule.forward(trace, leaves)
    if isinstance(trace, BatchTrace):
        return _batch(rule, trace, leaves)
    return rule.fun(leaves)      # jit's staging trace, the lowest: it stages fun's own steps


def _record(rule, trace, leaves):
    """Reverse mode: one node, whose VJP is the rule (see ``_Backward``)."""
    values, parents = trace.unbox(leaves)
    outs, out_tree, saved = rule.forward_pass(values)      # one level down
    floats = [k for k, o in enumerate(outs) if dtype_of(o).kind == "f"]
    if not floats:                               # no output has a derivative
        return outs, out_tree
    layout = _Layout(outs, floats)
    params = {"residuals": _Backward(rule, saved, layout, outs)}   # graphs hide "residuals"
    node_out = trace.record(rule.primitive, parents, values, params, layout.pack(outs))
    return layout.unpack(node_out, outs), out_tree


def _batch(rule, trace, leaves):
    """vmap: call the batched rule one level down, every batch axis moved first."""
    values, axes = [], []
    for x in leaves:
        if isinstance(x, BatchTracer) and x._trace is trace:
            values.append(moveaxis(x.val, x.bdim, 0))
            axes.append(0)
        else:                                    # the same for every example
            values.append(x)
            axes.append(None)
    outs, out_tree = _apply(rule.batched(axes), values)
    return [BatchTracer(trace, o, 0) for o in outs], out_tree


class _JVPRule:
    """custom_jvp on flat lists: ``fun(leaves) -> (outs, out_tree)`` and
    ``rule(primals, tangents) -> (outs, tangent_outs, out_tree)``, checked."""

    def __init__(self, primitive, fun, rule):
        self.primitive, self.fun, self.rule = primitive, fun, rule

    def forward(self, trace, leaves):
        """Forward mode: the rule, on the primals and tangents one level down."""
        primals, tangents = trace.unbox(leaves)
        tangents = [zeros_like(p) if t is None else t for t, p in zip(tangents, primals)]
        outs, tangent_outs, out_tree = self.rule(primals, tangents)
        return [JVPTracer(trace, o, like_primal(t, o)) if dtype_of(o).kind == "f" else o
                for o, t in zip(outs, tangent_outs)], out_tree

    def forward_pass(self, values):
        """Reverse mode's forward pass: the function itself, one level down."""
        outs, out_tree = _apply(self, values)
        return outs, out_tree, (values, out_tree)

    def backward(self, saved, gs):
        """The VJP: ``tangents -> tangent_out`` is linear, and its VJP is its
        transpose, found by tracegrad's reverse mode traced through the rule."""
        primals, out_tree = saved
        diff = [k for k, p in enumerate(primals) if dtype_of(p).kind == "f"]
        if not diff:
            return [None] * len(primals)

        def linear(*ts):
            tangents = [zeros_like(p) for p in primals]
            for k, t in zip(diff, ts):
                tangents[k] = t
            _, tangent_outs, tree = self.rule(primals, tangents)
            shapes = [shape_of(t) for t in tangent_outs]
            if tree != out_tree or shapes != [shape_of(g) for g in gs]:
                raise CustomRuleError(message(
                    "err.rule-structure", name=self.primitive.name, tree=tree, shapes=shapes,
                    want_tree=out_tree, want_shapes=[shape_of(g) for g in gs]))
            return tangent_outs

        _, pullback = vjp(linear, *[zeros_like(primals[k]) for k in diff])
        cotangents = [None] * len(primals)
        for k, c in zip(diff, pullback(list(gs))):
            cotangents[k] = c
        return cotangents

    def batched(self, axes):
        """The same function and rule for a batch (``axes``: 0, or None if shared)."""
        tree = []

        fun = _batched_fun(self.fun, axes, tree)

        def rule(primals, tangents):
            def one(ps, ts):
                outs, tangent_outs, out_tree = self.rule(ps, ts)
                tree[:] = [out_tree]
                return outs, tangent_outs
            axes_list = list(axes)
            outs, tangent_outs = vmap(one, in_axes=(axes_list, axes_list))(
                list(primals), list(tangents))
            return outs, tangent_outs, tree[0]

        return _JVPRule(self.primitive, fun, rule)


def _batched_fun(fun, axes, tree):
    """``fun`` on flat lists, for a batch: vmap over the examples; the output's
    structure (the same for every example) is left in ``tree[0]``."""
    def batched(leaves):
        def one(*example):
            outs, out_tree = fun(list(example))
            tree[:] = [out_tree]
            return outs
        return vmap(one, in_axes=tuple(axes))(*leaves), tree[0]
    return batched


class _VJPRule:
    """custom_vjp on flat lists: ``fun(leaves) -> (outs, out_tree)``,
    ``fwd(leaves) -> (outs, out_tree, residuals)`` and
    ``bwd(residuals, gs) -> one cotangent per leaf`` (None: zero)."""

    def __init__(self, primitive, fun, fwd, bwd):
        self.primitive, self.fun, self.fwd, self.bwd = primitive, fun, fwd, bwd

    def forward(self, trace, leaves):
        name = self.primitive.name
        raise CustomRuleError(message("err.vjp-forward", name=name))

    def forward_pass(self, values):
        return self.fwd(values)

    def backward(self, residuals, gs):
        return self.bwd(residuals, gs)

    def batched(self, axes):
        """fwd and bwd for a batch; a shared argument's cotangent sums the examples'."""
        tree = []

        fun = _batched_fun(self.fun, axes, tree)

        def fwd(leaves):
            def one(*example):
                outs, out_tree, residuals = self.fwd(list(example))
                tree[:] = [out_tree]
                return outs, residuals
            outs, residuals = vmap(one, in_axes=tuple(axes))(*leaves)
            return outs, tree[0], residuals

        def bwd(residuals, gs):
            cotangents = vmap(self.bwd)(residuals, list(gs))
            return [c if ax is not None or c is None else
                    lax.reduce_sum(c, axes=(0,), keepdims=False)
                    for c, ax in zip(cotangents, axes)]

        return _VJPRule(self.primitive, fun, fwd, bwd)


# ---------------------------------------------------------------------------
# The node in the record
# ---------------------------------------------------------------------------

class _RulePrimitive(Primitive):
    """The primitive of a custom rule's nodes (``custom_vjp[f]``): its VJP is
    the rule, kept with each node. Bound again (``Graph.evaluate`` replays a
    record), it calls the function again, so the rule is used again."""

    def __init__(self, kind, fun):
        name = getattr(fun, "__name__", "fun")
        super().__init__(f"{kind}[{name}]", None,
                         vjp=lambda g, out, *args, residuals: residuals.pullback(g),
                         formulas=("custom rule",), doc=f"{name} with a custom rule ({kind})")

    def bind(self, *args, residuals):
        return residuals.replay(args)

    __call__ = bind


class _Layout:
    """Where each differentiable (floating) output sits in the node's value:
    the value itself if there is one, else all of them, flattened, side by side."""

    def __init__(self, outs, floats):
        self.floats = floats
        self.shapes = [shape_of(outs[k]) for k in floats]
        self.dtypes = [dtype_of(outs[k]) for k in floats]
        self.packed = len(floats) > 1
        self.dtype = np.result_type(*self.dtypes)

    def pack(self, outs):
        if not self.packed:
            return outs[self.floats[0]]
        pieces = []
        for k, shape in zip(self.floats, self.shapes):
            o = outs[k]
            if dtype_of(o) != self.dtype:
                o = lax.astype(o, dtype=self.dtype)
            flat = (int(np.prod(shape)),)
            pieces.append(o if shape == flat else lax.reshape(o, shape=flat))
        return lax.concatenate(*pieces, axis=0)

    def split(self, packed):
        """The outputs' pieces of ``packed`` (the node's value, or its cotangent)."""
        if not self.packed:
            return [packed]
        pieces, start = [], 0
        for shape, dtype in zip(self.shapes, self.dtypes):
            size = int(np.prod(shape))
            piece = lax.getitem(packed, index=(slice(start, start + size),))
            if shape != (size,):
                piece = lax.reshape(piece, shape=shape)
            pieces.append(piece if dtype == self.dtype else lax.astype(piece, dtype=dtype))
            start += size
        return pieces

    def unpack(self, packed, outs):
        outs = list(outs)
        for k, piece in zip(self.floats, self.split(packed)):
            outs[k] = piece
        return outs


class _Backward:
    """What a node's VJP needs (its one parameter, "residuals"): the rule, what
    the forward pass saved for it, and how the outputs sit in the node."""

    def __init__(self, rule, saved, layout, outs):
        self.rule, self.saved, self.layout = rule, saved, layout
        self.zeros = [None if k in layout.floats else zeros_like(o) for k, o in enumerate(outs)]

    def pullback(self, g):
        gs = list(self.zeros)                    # outputs without a derivative: zero
        for k, piece in zip(self.layout.floats, self.layout.split(g)):
            gs[k] = piece
        return self.rule.backward(self.saved, gs)

    def replay(self, args):
        outs, _ = _apply(self.rule, list(args))
        return self.layout.pack(outs)
