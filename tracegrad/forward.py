"""Forward mode: carry a tangent next to every value (dual numbers).

Each traced value is a pair (primal x, tangent ẋ). Every primitive maps the
pair forward with its JVP rule:

    out = f(x),    ȯut = ∂f/∂x · ẋ

so one pass gives the directional derivative ``J · ẋ``, a Jacobian-vector
product, without ever forming J. Nothing is recorded: forward mode needs no
memory of the past, which is why it pairs so well with reverse mode for
higher derivatives (``hessian = jacfwd(jacrev(f))``).

A tangent of ``None`` stands for zero: constants carry no tangent at all.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .arguments import (
    check_float,
    check_function,
    check_returned,
    check_tangent,
    explain_list_inputs,
    zeros_like,
)
from .core import Trace, Tracer, new_level
from .lax.shape import like_primal
from .tree import tree_flatten, tree_unflatten
from .typing import Fun, PyTree
from .words import message

__all__ = ["JVPTrace", "JVPTracer", "jvp"]


class JVPTracer(Tracer):
    """A dual number: a primal and its tangent."""

    __slots__ = ("tangent",)

    def __init__(self, trace, primal, tangent):
        self._trace = trace
        self.primal = primal
        self.tangent = tangent


JVPTracer.side = JVPTracer.tangent        # its side data, read by Trace.unbox: the same slot


class JVPTrace(Trace):
    """Pushes tangents forward through each primitive with its JVP rule."""

    who = "jvp"

    def process(self, primitive, args, params):
        primals, tangents = self.unbox(args)       # a constant's tangent is None: zero
        out = primitive.bind(*primals, **params)
        tangent = primitive.jvp(tangents, out, *primals, **params)
        if tangent is None:                        # zero tangent: a constant again
            return out
        if type(tangent) is not np.float64 or type(out) is not np.float64:
            tangent = like_primal(tangent, out)    # float32 stays float32 (see core)
        return JVPTracer(self, out, tangent)


def jvp(fun: Fun, primals: Sequence[PyTree], tangents: Sequence[PyTree]
        ) -> tuple[PyTree, PyTree]:
    """``jvp(fun, primals, tangents) -> (out, tangent_out)``: ``J · tangent``.

    ``primals`` and ``tangents`` are tuples (one entry per argument of
    ``fun``) of the same structure and shapes.
    """
    check_function(fun, "jvp", "tg.jvp(f, (x,), (v,))")
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError(message("err.jvp-tuples"))
    p_leaves, p_tree = tree_flatten(tuple(primals))
    t_leaves, t_tree = tree_flatten(tuple(tangents))
    if p_tree != t_tree:
        raise TypeError(message("err.jvp-structure", primals=p_tree, tangents=t_tree))
    with new_level(JVPTrace) as trace:
        inputs = []
        for k, (p, t) in enumerate(zip(p_leaves, t_leaves)):
            p = check_float(p, "jvp", k)
            if np.shape(t) != np.shape(p):
                raise ValueError(message("err.jvp-shape", k=k, shape=np.shape(t),
                                         primal=np.shape(p)))
            t = check_tangent(t, p, "jvp", k)
            inputs.append(JVPTracer(trace, p, like_primal(t, p)))
        try:
            result = fun(*tree_unflatten(p_tree, inputs))
        except (TypeError, AttributeError) as err:
            explain_list_inputs(err, primals, "jvp")    # [1., 2.] is not an array
            raise
    check_returned(result, fun, "jvp")
    out_leaves, out_tree = tree_flatten(result)
    outs, out_tangents = trace.unbox(out_leaves)
    out_tangents = [zeros_like(o) if t is None else t          # not from the inputs
                    for o, t in zip(outs, out_tangents)]
    return tree_unflatten(out_tree, outs), tree_unflatten(out_tree, out_tangents)
