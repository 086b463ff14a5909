"""The chain rule over paths: ∂C/∂w is a sum, over every path from w to C,
of the product of the local derivatives along it.

    rule = chain_rule(graph, "w")
    print(rule)          # the paths, their factors, numbers, and the sum

A value used twice (``a + a``, a weight feeding two neurons) has two paths,
and the two products add: that sum is the ``+=`` of the backward pass. The
sum over paths is compared with the gradient the backward pass computed.
"""
from __future__ import annotations

import numpy as np

from ..core import TracegradError
from . import text

__all__ = ["ChainRule", "chain_rule"]

_SHOWN_PATHS = 8                 # paths written out; the rest only count in the sum


class ChainRule:
    """The paths from one value to the output, with their local derivatives.

    ``paths`` holds the edges ``(node, k)`` of each path (node's argument k);
    ``factors`` their local derivatives as numbers (None where a factor is a
    Jacobian of arrays); ``total`` the sum of the products, or None if some
    path has no numbers or the search stopped; ``grad`` the backward pass's.
    """

    def __init__(self, graph, name, max_paths=50):
        start = graph.node(name)
        if not graph.output_nodes:
            raise TracegradError("path: this graph has no traced output.")
        target = graph.output_nodes[-1]
        users = graph.users()
        paths, stack = [], [(start, [])]
        while stack and len(paths) < max_paths:          # iterative depth-first search
            node, edges = stack.pop()
            if node is target:
                paths.append(edges)
                continue
            for user, k in reversed(users.get(node, [])):
                if user.index <= target.index:
                    stack.append((user, edges + [(user, k)]))
        self.graph, self.name, self.start, self.target = graph, name, start, target
        self.paths = paths
        self.stopped = len(paths) >= max_paths
        self.factors = [[graph.local_derivative(n, k) for n, k in edges] for edges in paths]
        exact = all(f is not None for fs in self.factors for f in fs)
        self.total = (sum(float(np.prod(fs)) if fs else 1.0 for fs in self.factors)
                      if exact and not self.stopped else None)
        self.grad = graph.grad(start)

    @property
    def nodes(self):
        """Every node on some path (the start included): what a picture highlights."""
        return {self.start} | {n for edges in self.paths for n, _ in edges}

    def lines(self):
        """The chain rule in words and numbers, one line per path, then the sum."""
        g, w = self.graph, self.graph.words
        digits = g.options["digits"]
        lines = [w["paths from"].format(start=self.name, out=g.names[self.target],
                                        count=len(self.paths))
                 + (w["stopped counting"] if self.stopped else "")]
        for i, (edges, factors) in enumerate(zip(self.paths[:_SHOWN_PATHS], self.factors)):
            symbols = " · ".join(f"∂{g.names[n]}/∂{g.arg_name(n, k)}" for n, k in edges)
            line = f"{w['path']} {i + 1}: {symbols}"
            if all(f is not None for f in factors):
                product = float(np.prod(factors)) if factors else 1.0
                numbers = " · ".join(text.fmt(f, digits) for f in factors)
                line += f" = {numbers} = {text.fmt(product, digits)}"
            lines.append(line)
        if len(self.paths) > _SHOWN_PATHS:
            lines.append(w["more paths"].format(count=len(self.paths) - _SHOWN_PATHS))
        symbol = g.grad_symbol(self.start)
        if self.total is not None and self.grad is not None:
            lines.append(w["sum over paths"].format(
                sum=text.fmt(self.total, digits), symbol=symbol,
                grad=text.fmt(self.grad, digits)))
        elif self.grad is not None and not self.stopped:
            # Arrays: each factor is a Jacobian, applied as a vector-Jacobian product,
            # so a path has no single number; the backward pass still gives the sum.
            lines.append(w["paths of arrays"].format(symbol=symbol,
                                                     grad=text.fmt(self.grad, digits)))
        return lines

    def __str__(self):
        return "\n".join(self.lines())

    __repr__ = __str__


def chain_rule(graph, name, max_paths=50):
    return ChainRule(graph, name, max_paths)
