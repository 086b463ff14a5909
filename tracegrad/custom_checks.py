"""Checking what a custom rule returned, and saying what it must return.

A ``custom_jvp`` rule must return ``(out, tangent_out)`` with matching
structure, shapes and dtypes; a ``custom_vjp`` ``bwd`` must return one
cotangent per argument, shaped like it (``None`` for a zero). A rule is the
student's own code, so a mistake in it is the likeliest error of all: each
check names the rule as its author wrote it, what it returned and what it
must return (:class:`~tracegrad.advice.CustomRuleError`). ``custom.py`` calls
these; they know nothing else about the transformations.
"""
from __future__ import annotations

from .advice import CustomRuleError
from .core import dtype_of, shape_of
from .tree import tree_flatten
from .words import message, said

__all__ = ["check_jvp_result", "check_bwd_result", "describe", "named"]



def describe(x):
    """What a value is, for messages: ``an array of shape (3,)``, ``a tuple of 3 values``."""
    if x is None:
        return "None"
    if isinstance(x, (tuple, list)):
        return said("part.sequence of one" if len(x) == 1 else "part.sequence",
                    type=type(x).__name__, count=len(x))
    if isinstance(x, dict):
        return said("part.dict", keys=sorted(map(str, x)))
    if hasattr(x, "shape"):
        return said("part.array", shape=tuple(x.shape))
    return said("part.object", type=type(x).__name__)


def _leaf(k, n):
    return said("part.output leaf", k=k) if n > 1 else ""


def named(role, fn):
    """``rule f_jvp``: a rule named as its author wrote it (a lambda has no name to give)."""
    name = getattr(fn, "__name__", "<lambda>")
    return role if name == "<lambda>" else f"{role} {name}"


def check_jvp_result(name, result, rule=None):
    """The rule's ``(out, tangent_out)``, flattened, if it is one; else a clear error."""
    example = f"`return {name}(x), 2.0 * x * x_dot`"
    rule = rule or said("part.its rule")
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise CustomRuleError(message("err.jvp-pair", name=name, rule=rule, example=example,
                                      got=describe(result)))
    out, tangent = result
    if tangent is None and out is not None:
        raise CustomRuleError(message("err.jvp-tangent-none", name=name, rule=rule))
    outs, out_tree = tree_flatten(out)
    tangents, tangent_tree = tree_flatten(tangent)
    if out_tree != tangent_tree:
        raise CustomRuleError(message("err.jvp-tangent-tree", name=name, rule=rule,
                                      out_tree=out_tree, tangent_tree=tangent_tree))
    for k, (o, t) in enumerate(zip(outs, tangents)):
        if shape_of(o) != shape_of(t):
            raise CustomRuleError(message("err.jvp-tangent-shape", name=name, rule=rule,
                                          shape=shape_of(t), out_shape=shape_of(o),
                                          leaf=_leaf(k, len(outs))))
        if dtype_of(o).kind == "f" and dtype_of(t).kind != "f":
            raise CustomRuleError(message("err.jvp-tangent-dtype", name=name, rule=rule,
                                          dtype=dtype_of(t), out_dtype=dtype_of(o),
                                          leaf=_leaf(k, len(outs))))
    return outs, tangents, out_tree


def check_bwd_result(name, result, in_tree, shapes, bwd="bwd"):
    """bwd's cotangents, one per argument leaf (None: zero); else a clear error."""
    args = in_tree.children
    n = len(args)
    if not isinstance(result, (tuple, list)) or len(result) != n:
        raise CustomRuleError(message("err.bwd-tuple", name=name, bwd=bwd, count=n,
                                      example="(g * y,)" if n == 1 else "(g * y, g * x)",
                                      got=describe(result)))
    cotangents, start = [], 0
    for i, (c, arg) in enumerate(zip(result, args)):
        arg_shapes = shapes[start:start + arg.num_leaves]
        start += arg.num_leaves
        if c is None:
            cotangents += [None] * arg.num_leaves
            continue
        c_leaves, tree = tree_flatten(c)
        leaves = []
        if not _fill(tree, arg, iter(c_leaves), leaves):
            raise CustomRuleError(message("err.bwd-tree", name=name, bwd=bwd, i=i, tree=tree,
                                          arg=arg))
        for c_leaf, shape in zip(leaves, arg_shapes):
            if c_leaf is not None and shape_of(c_leaf) != shape:
                raise CustomRuleError(message("err.bwd-shape", name=name, bwd=bwd, i=i,
                                              shape=shape_of(c_leaf), arg_shape=shape))
        cotangents += leaves
    return cotangents


def _fill(tree, arg, leaves, out):
    """Append to ``out`` the cotangent's leaves for each leaf of ``arg`` (the
    argument's structure), None where the cotangent has None; False if it does
    not have the argument's structure."""
    if tree.kind == "none" and arg.kind != "none":
        out += [None] * arg.num_leaves
        return True
    if arg.kind == "leaf" or tree.kind == "leaf":
        if tree.kind != arg.kind:
            return False
        out.append(next(leaves))
        return True
    if (tree.kind, tree.meta, len(tree.children)) != (arg.kind, arg.meta, len(arg.children)):
        return False
    return all(_fill(t, a, leaves, out) for t, a in zip(tree.children, arg.children))
