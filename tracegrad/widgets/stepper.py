"""The stepper: walk a pass over a recorded graph one node at a time.

It draws into widget *state* (an ``ipywidgets.HTML`` holding the SVG), not
into an ``Output`` area, so notebooks stay comparable under nbval and a
static HTML export keeps the picture.

The graph is laid out once: Graphviz runs a single time, with every
annotation in place, and each step only changes the SVG's colours (hiding the
gradients not computed yet, marking the current node). So stepping even a
large graph costs a few milliseconds.
"""
from __future__ import annotations

import re

from ..drawing import dot as dot_module
from ..drawing.steps import explain, steps
from ..words import language as language_of
from ..words import words as words_of
from .common import Described, line_html, need

widgets = need("ipywidgets")

__all__ = ["stepper", "Stepper"]

_NODE = re.compile(r'(<g id="node\d+" class="node">\s*<title>(n\d+)</title>)(.*?)(</g>)', re.S)


def _recolour(svg, hidden_colours, visible, current, highlight):
    """Hide the texts in ``hidden_colours`` except in ``visible`` nodes; ring ``current``."""
    def one(match):
        head, name, body, tail = match.groups()
        if name not in visible:
            for colour in hidden_colours:
                body = body.replace(f'fill="{colour}">', 'fill="none">')
        if name == current:
            body = re.sub(r'stroke="[^"]*"', f'stroke="{highlight}" stroke-width="3"',
                          body, count=1)
        return head + body + tail
    return _NODE.sub(one, svg)


def stepper(graph, mode="reverse", interval=700, language=None):
    """A widget that walks a pass over ``graph`` one node at a time.

    ``mode``: "reverse" (the backward pass, the default), "forward" (values
    computed in order) or "tangent" (forward mode; draw the graph with
    ``tangents=``). Step k shows the pass after its k-th node. ``language``:
    "en" or "uk" (see :func:`tracegrad.words.language` for the default).
    """
    return Stepper(graph, mode, interval, language_of(language))


class Stepper(Described, widgets.VBox):
    """Play, a step slider, previous/next, the chain-rule line, the graph."""

    def __init__(self, graph, mode="reverse", interval=700, language=None):
        self.graph = graph
        self.mode = mode
        self.language = language = language_of(language)
        words = self.words = words_of(language)
        self.order = steps(graph, mode)
        colours = dot_module.THEMES[graph.options["theme"]]
        show = {"reverse": ("value", "grad"), "forward": ("value",),
                "tangent": ("value", "tangent")}[mode]
        self._hidden = {"reverse": (colours["grad"],), "forward": (colours["value"],),
                        "tangent": (colours["tangent"],)}[mode]
        self._highlight = colours["highlight"]
        self._inputs = {f"n{n.index}" for n in graph.inputs} if mode == "forward" else set()
        self._full_svg = graph.with_options(show=show).svg()
        self._cache = {}
        n = len(self.order)
        self.play = widgets.Play(value=0, min=0, max=n, step=1, interval=interval,
                                 description=words["play"])
        self.slider = widgets.IntSlider(value=0, min=0, max=n, step=1,
                                        description=words["step"], continuous_update=True)
        widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.previous = widgets.Button(description=words["previous"], layout={"width": "110px"})
        self.next = widgets.Button(description=words["next"], layout={"width": "110px"})
        self.previous.on_click(lambda _: self.go(self.slider.value - 1))
        self.next.on_click(lambda _: self.go(self.slider.value + 1))
        self.line = widgets.HTML()
        self.picture = widgets.HTML()
        self._description = (f"Stepper({mode} pass, {n} steps over a graph of "
                             f"{len(graph.nodes)} nodes)")
        super().__init__([widgets.HBox([self.play, self.slider, self.previous, self.next]),
                          self.line, self.picture])
        self.slider.observe(lambda change: self._show(change["new"]), names="value")
        self._show(0)

    def go(self, k):
        self.slider.value = max(0, min(len(self.order), k))

    @property
    def current(self):
        """The node processed at this step (None before the first)."""
        k = self.slider.value
        return self.order[k - 1] if k > 0 else None

    def visited(self, k=None):
        k = self.slider.value if k is None else k
        return self.order[:k]

    def _show(self, k):
        node = self.order[k - 1] if k > 0 else None
        w = self.words
        head = f"{w['step']} {k} {w['of']} {len(self.order)}: "
        if node is None:
            self.line.value = line_html(head + w[self.mode])
        else:
            self.line.value = line_html(head + explain(self.graph, node, self.mode,
                                                       self.language))
        if k not in self._cache:
            visible = {f"n{n.index}" for n in self.order[:k]} | self._inputs
            self._cache[k] = _recolour(self._full_svg, self._hidden, visible,
                                       f"n{node.index}" if node else None, self._highlight)
        self.picture.value = self._cache[k]
