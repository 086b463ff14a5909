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
from ..words import message
from . import text

__all__ = ["ChainRule", "chain_rule"]

_SHOWN_PATHS = 8                 # paths written out; the rest only count in the sum


class ChainRule:
    """The paths from one value to the output, with their local derivatives.

    ``count`` is how many paths there are and ``total`` the sum of their
    products (None where a factor is a Jacobian of arrays): both are counted
    over *every* path, one node at a time (see :meth:`_count`), so they hold
    even when there are too many paths to list. ``paths`` holds the edges
    ``(node, k)`` (node's argument k) of the first ``max_paths`` paths, for the
    caption; ``factors`` their local derivatives; ``grad`` the backward pass's.
    """

    def __init__(self, graph, name, max_paths=50):
        start = graph.node(name)
        if not graph.output_nodes:
            raise TracegradError(message("err.path-no-output"))
        target = graph.output_nodes[-1]
        self.graph, self.name, self.start, self.target = graph, name, start, target
        self._count()
        users = graph.users()
        paths, stack = [], [(start, [])]
        while stack and len(paths) < max_paths:          # iterative depth-first search
            node, edges = stack.pop()
            if node is target:
                paths.append(edges)
                continue
            for user, k in reversed(users.get(node, [])):
                if user in self._on_path:
                    stack.append((user, edges + [(user, k)]))
        self.paths = paths
        self.factors = [[graph.local_derivative(n, k) for n, k in edges] for edges in paths]
        self.grad = graph.grad(start)

    def _count(self):
        """How many paths lead from the start to each node, and the sum of their
        products, one node at a time in the order they were computed:

            count[u] += count[v]          sum[u] += sum[v] · ∂u/∂v

        for every edge v → u. Each path is counted once without being listed, so
        a graph with 2⁶⁰ paths takes as long as one with 2. (The second line is
        forward mode, pushing the tangent 1 from the start: the sum over paths is
        the derivative, whichever direction it is computed in.)"""
        g, start, target = self.graph, self.start, self.target
        users = g.users()
        order = sorted((n for n in g.nodes if start.index <= n.index <= target.index),
                       key=lambda n: n.index)
        reaches = {target}                            # the nodes that lead to the output
        for node in reversed(order):
            if any(user in reaches for user, _ in users.get(node, [])):
                reaches.add(node)
        count, total = {start: 1}, {start: 1.0}
        exact = True
        for node in order:
            if node not in count:
                continue                              # not reached from the start
            for user, k in users.get(node, []):
                if user not in reaches:
                    continue                          # a dead end: on no path to the output
                count[user] = count.get(user, 0) + count[node]
                factor = g.local_derivative(user, k) if exact else None
                if factor is None:
                    exact = False
                else:
                    total[user] = total.get(user, 0.0) + total[node] * factor
        self.count = count.get(target, 0)
        self.total = total.get(target, 0.0) if exact else None
        self._on_path = {n for n in count if n in reaches}

    @property
    def nodes(self):
        """Every node on some path (the start included): what a picture highlights."""
        return {self.start} | self._on_path

    def lines(self):
        """The chain rule in words and numbers, one line per path, then the sum."""
        g, w = self.graph, self.graph.words
        digits = g.options["digits"]
        lines = [w["paths from"].format(start=self.name, out=g.names[self.target],
                                        count=self.count)]
        for i, (edges, factors) in enumerate(zip(self.paths[:_SHOWN_PATHS], self.factors)):
            symbols = " · ".join(f"∂{g.names[n]}/∂{g.arg_name(n, k)}" for n, k in edges)
            line = f"{w['path']} {i + 1}: {symbols}"
            if all(f is not None for f in factors):
                product = float(np.prod(factors)) if factors else 1.0
                numbers = " · ".join(text.fmt(f, digits) for f in factors)
                line += f" = {numbers} = {text.fmt(product, digits)}"
            lines.append(line)
        shown = min(len(self.paths), _SHOWN_PATHS)
        if self.count > shown:
            lines.append(w["more paths"].format(count=self.count - shown))
        symbol = g.grad_symbol(self.start)
        if self.total is not None and self.grad is not None:
            lines.append(w["sum over paths"].format(
                sum=text.fmt(self.total, digits), symbol=symbol,
                grad=text.fmt(self.grad, digits)))
        elif self.grad is not None:
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
