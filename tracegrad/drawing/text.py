"""Text for graphs: numbers, shapes, operation names, and the jaxpr-like listing."""
from __future__ import annotations

import re

import numpy as np

from ..core import concrete
from ..program import type_str, write

__all__ = ["fmt", "type_str", "op_str", "local_formula", "listing", "summary", "table"]

def fmt(x, digits=4):
    """A value in a few characters: 4 significant digits, small arrays inline,
    large arrays as (shape, min, mean, max)."""
    a = np.asarray(concrete(x))
    if a.dtype == bool or np.issubdtype(a.dtype, np.integer):
        return np.array2string(a, threshold=8, separator=", ") if a.ndim else str(a.item())
    if a.ndim == 0:
        return _num(float(a), digits)
    if a.size <= 6:
        s = np.array2string(a, separator=", ", max_line_width=10**6,
                            formatter={"float_kind": lambda v: _num(v, digits)})
        return " ".join(s.split())
    return (f"{'×'.join(map(str, a.shape))}: min {_num(a.min(), 3)}, "
            f"mean {_num(a.mean(), 3)}, max {_num(a.max(), 3)}")


def _num(v, digits):
    s = f"{float(v):.{digits}g}"
    return "0" if s == "-0" else s


def params_str(params):
    shown = {k: v for k, v in params.items() if k not in ("residuals",)}
    if not shown:
        return ""
    return "[" + " ".join(f"{k}={_param(v)}" for k, v in shown.items()) + "]"


def _param(v):
    if isinstance(v, tuple) and v and all(isinstance(i, (slice, int, np.ndarray, type(None),
                                                          type(Ellipsis))) for i in v):
        return "[" + ", ".join(_index(i) for i in v) + "]"
    return str(v).replace(" ", "")


def _index(i):
    if isinstance(i, slice):
        parts = ["" if p is None else str(p) for p in (i.start, i.stop, i.step)]
        return ":".join(parts[:2] if i.step is None else parts)
    if i is None:
        return "None"
    if i is Ellipsis:
        return "..."
    if isinstance(i, np.ndarray):
        return np.array2string(i, threshold=6, separator=",")
    return str(i)


def op_str(node):
    name = node.primitive.name
    return name + params_str(node.params)


# x, y or cond standing alone: "2x", "x²" and "tanh(x)" match, "exp" and "max" do not.
_SYMBOL = re.compile(r"(?<![A-Za-z_])(x|y|cond)(?![A-Za-z_])")


def local_formula(node, k, names):
    """The local derivative ∂out/∂arg_k as text, with the user's names put in."""
    prim = node.primitive
    formulas = prim.formulas
    if not formulas:
        return ""
    formula = formulas[k] if k < len(formulas) else formulas[-1]
    symbols = getattr(prim, "argnames", ("x", "y"))
    mapping = {s: names[i] for i, s in enumerate(symbols) if i < len(names)}
    return _SYMBOL.sub(lambda m: mapping.get(m.group(1), m.group(1)), formula)


def listing(graph):
    """The graph's program in JAX's jaxpr format (:func:`tracegrad.program.write`),
    with the user's names and the value and the gradient of each result as a comment."""
    return write(graph.program, _GraphNames(graph), graph.annotation)


class _GraphNames:
    """How the listing names things: as the picture does (the user's names, the
    constants' names, tracegrad's operations)."""

    def __init__(self, graph):
        self.graph = graph

    def constants(self):
        return [(name, value) for name, value in self.graph.constant_list()]

    def var(self, node):
        return self.graph.names[node]

    def arg(self, node, k):
        return self.graph.arg_name(node, k)

    def op(self, node):
        return op_str(node)

    def literal(self, value, like):
        return fmt(value, self.graph.options["digits"])


# ---- text alternatives: what a screen reader reads instead of the picture ----------

def summary(graph, language=None):
    """One sentence for the picture's accessible name: what is computed, from which
    inputs, how many operations, and the output's value (in the graph's language)."""
    from ..words import words
    w = words(language or graph.options["language"])
    names = [graph.names[n] for n in graph.inputs]
    key = "summary" if names else "summary no inputs"
    return w[key].format(out=graph.output_name, inputs=len(names), names=", ".join(names),
                         ops=graph.num_ops, value=fmt(graph.out, graph.options["digits"]))


def table(graph, language=None):
    """The graph as rows a screen reader can walk: (node, operation, value, gradient),
    one per recorded node in the order they were computed (an input's operation
    says "input"); the gradient is ""
    when there is none (no backward pass, or a node the output does not use)."""
    from ..words import words
    digits, w = graph.options["digits"], words(language or graph.options["language"])
    rows = []
    for node in graph.nodes:
        if node.primitive is None:
            operation = w["column.input"]
        else:
            args = ", ".join(graph.arg_name(node, k) for k in range(len(node.args)))
            operation = f"{op_str(node)}({args})"
        g = graph.grad(node)
        rows.append((graph.names[node], operation, fmt(graph.value(node), digits),
                     "" if g is None else fmt(g, digits)))
    return rows


def with_name(svg, name):
    """Graphviz's SVG with an accessible name: ``role="img"`` and ``aria-label``.

    Without them a screen reader names the picture by Graphviz's ids ("n0", "n6")."""
    from html import escape
    start = svg.find("<svg")
    if start < 0:
        return svg
    return (svg[:start] + f'<svg role="img" aria-label="{escape(name, quote=True)}"'
            + svg[start + len("<svg"):])
