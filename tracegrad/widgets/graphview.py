"""A graph laid out in the browser: the same DOT as ``dot`` would get, drawn by
Graphviz compiled to WebAssembly, for notebooks on machines without Graphviz.

``tg.graph(...)`` shows one by itself when ``dot`` is missing (see
:func:`tracegrad.drawing.render.mimebundle`); ``GraphView(graph)`` makes one
on purpose.
"""
from __future__ import annotations

from ..drawing import render
from ..words import language as language_of
from ..words import words as words_of
from .frontend import FrontEnd, text_alternative

__all__ = ["GraphView"]


class GraphView(FrontEnd):
    """The picture of ``graph``, laid out in the browser, with zoom and pan."""

    def __init__(self, graph, language=None):
        super().__init__()
        self.graph = graph
        self._description = words_of(language)["repr.graphview"].format(count=len(graph.nodes))
        self._set_data(dict(kind="graph", svg="", dot=graph.to_dot(),
                            **text_alternative(graph, language_of(language))))


def _bundle(graph):
    data, _ = GraphView(graph)._repr_mimebundle_()
    return data


render.browser_view = _bundle            # tg.graph(...) without `dot` shows a GraphView
