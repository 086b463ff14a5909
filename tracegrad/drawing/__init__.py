"""tracegrad.drawing (``tg.graph``): draw the recorded trace, each node with value and gradient.

    g = tg.graph(loss_fun)(params, x, y)
    g                      # in Jupyter: the picture (SVG), or the listing without Graphviz
    print(g)               # the jaxpr-like listing
    g.save("loss.pdf", theme="projector")   # a figure for slides (or "print")
    print(g.path("w"))     # the chain rule: paths from w to the output, and their sum

The rooms, in the order the data flows through them:

* ``capture.py``: run the function once under the engine's record, noting
  names and where each operation ran (``loops.py``: which pass of which loop);
* ``graph.py``: :class:`Graph`, the record named, grouped and annotated;
* ``paths.py``: the chain rule over paths; ``options.py``: the options;
* ``text.py``: numbers and the listing; ``dot.py``: Graphviz's DOT;
  ``render.py``: running ``dot``; ``steps.py``: the passes step by step;
  ``figure.py``: figures for slides and print (``graph.save``).

This package reads the engine's record; the engine never imports it.
"""
from __future__ import annotations

from .graph import Graph, graph
from .options import THEMES
from .render import GraphvizNotFound

__all__ = ["graph", "Graph", "GraphvizNotFound", "THEMES"]
