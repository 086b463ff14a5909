"""The passes over a recorded graph, one node at a time, each step in words.

``steps(graph, mode)`` lists the nodes in the order a pass visits them:

* ``"reverse"``: the backward pass, from the output to the inputs, exactly the
  order in which :func:`tracegrad.reverse.backward_pass` visited them;
* ``"forward"``: the forward pass, the program's equations in order;
* ``"tangent"``: forward mode, tangents pushed in the same order.

``explain(graph, node, mode)`` states that step with the chain rule, in the
lecture's notation and with the numbers, e.g.

    ∂C/∂z = ∂C/∂a · ∂a/∂z = ∂C/∂a · (1 − tanh(z)²) = -1.076 · 0.7864 = -0.846
"""
from __future__ import annotations

import re

import numpy as np

from ..core import TracegradError, concrete
from ..words import message
from ..words import words as words_of
from . import text

__all__ = ["steps", "explain", "with_params"]

MODES = ("reverse", "forward", "tangent")
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def steps(graph, mode="reverse"):
    if mode not in MODES:
        raise ValueError(message("err.step-mode", modes=MODES, mode=repr(mode)))
    if mode == "reverse":
        if not graph.steps:
            raise TracegradError(message("err.no-backward"))
        return [node for node, _ in graph.steps]
    program = graph.program                     # the record the graph draws
    if mode == "tangent" and not any(graph.tangent(n) is not None for n in program.nodes):
        raise TracegradError(message("err.no-tangents"))
    # forward: one step per equation; tangent: the inputs' tangents first, as given
    return list(program.nodes if mode == "tangent" else program.equations)


def explain(graph, node, mode="reverse", language="en"):
    words = words_of(language)
    digits = graph.options["digits"]
    f = lambda v: text.fmt(v, digits)                       # noqa: E731
    name = graph.names[node]
    if mode == "forward":
        if node.primitive is None:
            return f"{name} = {f(graph.value(node))}  ({words['input']})"
        args = [graph.arg_name(node, k) for k in range(len(node.args))]
        values = [f(a) for a in node.args]
        op = text.op_str(node)
        return (f"{name} = {op}({', '.join(args)}) = {op}({', '.join(values)}) "
                f"= {f(graph.value(node))}")
    if mode == "tangent":
        dot = f"{name}\u0307"                               # ż: z with a dot above
        if node.primitive is None:
            return f"{dot} = {f(graph.tangent(node))}  ({words['input tangent']})"
        terms, numbers = [], []
        for k, parent in enumerate(node.parents):
            if parent is None or graph.tangent(parent) is None:
                continue
            arg = graph.names[parent]
            terms.append(f"∂{name}/∂{arg} · {arg}\u0307")
            local = graph.local_derivative(node, k)
            if local is not None:
                numbers.append(f"{f(local)} · {f(graph.tangent(parent))}")
        line = f"{dot} = " + " + ".join(terms)
        if numbers and len(numbers) == len(terms):
            line += " = " + " + ".join(numbers)
        return line + f" = {f(graph.tangent(node))}"
    # reverse: the cotangent of `node` gathers one term per use of it
    symbol = graph.grad_symbol(node)
    if node in graph.output_nodes:
        return f"{symbol} = 1  ({words['start']})"
    out = graph.output_name
    uses = [(u, k) for u, k in graph.users().get(node, []) if graph.grad(u) is not None]
    symbolic = [f"∂{out}/∂{graph.names[u]} · ∂{graph.names[u]}/∂{name}" for u, k in uses]
    formulas, numbers = [], []
    for u, k in uses:
        names = [graph.arg_name(u, j) for j in range(len(u.args))]
        formula = with_params(text.local_formula(u, k, names), u, names)
        formulas.append(f"∂{out}/∂{graph.names[u]} · ({formula})" if formula else None)
        local = graph.local_derivative(u, k)
        numbers.append(None if local is None else f"{f(graph.grad(u))} · {f(local)}")
    line = f"{symbol} = " + " + ".join(symbolic)
    if all(formulas) and formulas:
        line += " = " + " + ".join(formulas)
    if all(n is not None for n in numbers) and numbers:
        line += " = " + " + ".join(numbers)
    elif np.ndim(concrete(node.out)) > 0:
        line += f"  ({words['arrays']})"
    return line + f" = {f(graph.grad(node))}"


def with_params(formula, node, names=()):
    """Put a node's whole-number parameters into its formula and fold the exponent.

    For ``x ** 2`` the rule ``n·x^(n−1)`` reads ``2·x``; for ``x ** 3``, ``3·x²``.
    A bare ``n`` would mislead: in the lectures n is the number of examples.
    A parameter named like one of the arguments (``names``) is left alone.
    """
    for key, value in node.params.items():
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool) \
                and key not in names:
            formula = re.sub(rf"(?<![\w]){re.escape(key)}(?![\w])", str(int(value)), formula)

    def fold(match):
        power = int(match.group(1)) - int(match.group(2))
        return "" if power == 1 else str(power).translate(_SUPERSCRIPT)
    return re.sub(r"\^\((-?\d+)−(\d+)\)", fold, formula)
