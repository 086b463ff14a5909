"""The stepper: walk a pass over a recorded graph one node at a time, in the browser.

Python computes every step once: the order in which the pass visits the
nodes, and the chain-rule line of each step. The front end
(``static/tracegrad.js``) gets them with one picture of the graph, laid out
once with every annotation in place; a step only hides the texts not computed
yet and rings the current node. So Play, the slider, previous and next run in
JavaScript, with no round trip to the kernel: the stepper steps instantly on
large graphs, after the kernel has stopped, and in an HTML export of the
notebook (its ``text/html`` output carries the same script and data).

Hooks for tests and pages: the root has class ``tracegrad-stepper``; the
buttons carry ``data-action="play|prev|next"``; the slider is an
``<input type="range">``; the current node's SVG group has class
``tg-current``; the chain-rule line has class ``tg-chain``.
"""
from __future__ import annotations

import re
from html import escape

from ..core import TracegradError
from ..drawing import dot as dot_module
from ..drawing import render
from ..drawing.steps import explain, steps
from ..words import language as language_of
from ..words import message
from ..words import words as words_of
from .frontend import Stepping, text_alternative

__all__ = ["stepper", "Stepper", "math_html"]


def stepper(graph, mode="reverse", interval=700, language=None):
    """A widget that walks a pass over ``graph`` one node at a time.

    ``mode``: "reverse" (the backward pass, the default), "forward" (values
    computed in order) or "tangent" (forward mode; draw the graph with
    ``tangents=``). Step k shows the pass after its k-th node. ``language``:
    "en" or "uk" (see :func:`tracegrad.words.language` for the default).
    """
    _check_graph(graph)
    return Stepper(graph, mode, interval, language)


def _check_graph(graph):
    """The stepper walks a recorded graph: say how to make one from a function."""
    from ..drawing.graph import Graph
    if isinstance(graph, Graph):
        return
    if callable(graph):
        name = getattr(graph, "__name__", "f")
        name = name if name.isidentifier() else "f"
        raise TracegradError(message("err.stepper-function", name=name))
    raise TracegradError(message("err.stepper-type", type=type(graph).__name__))


class Stepper(Stepping):
    """Play, previous/next, a step slider, the chain-rule line, the graph.

    ``step`` is the step shown (0 before the first node), kept in sync with
    the page while a kernel runs; ``lines[k]`` is the chain-rule line of step k;
    ``ring[k - 1]`` the DOT id of the box ringed at step k (the node's own, or
    the folded, collapsed or omitted box that holds it).
    """

    def __init__(self, graph, mode="reverse", interval=700, language=None):
        super().__init__()
        self.graph = graph
        self.mode = mode
        self.language = language = language_of(language)
        words = words_of(language)
        self.order = steps(graph, mode)
        colours = dot_module.THEMES[graph.options["theme"]]
        show = {"reverse": ("value", "grad"), "forward": ("value",),
                "tangent": ("value", "tangent")}[mode]
        revealed = {"reverse": "grad", "forward": "value", "tangent": "tangent"}[mode]
        self.lines = [words[mode]] + [explain(graph, node, mode, language)
                                      for node in self.order]
        picture = graph.with_options(show=show)
        self._svg = picture.svg() if _use_dot(graph) else None
        # A node folded into a loop's "× 32" box, a collapsed function or the
        # omitted operations is not drawn on its own: its step rings that box.
        drawn = dot_module.drawn_ids(picture)
        self.ring = [drawn[node] for node in self.order]
        data = dict(
            kind="stepper", svg=self._svg or "", dot="" if self._svg else picture.to_dot(),
            order=[f"n{node.index}" for node in self.order], ring=self.ring,
            always=[f"n{node.index}" for node in graph.inputs] if mode == "forward" else [],
            hidden=[colours[revealed]], highlight=colours["highlight"],
            lines=[math_html(line) for line in self.lines], interval=int(interval),
            **text_alternative(graph, language))
        self._description = words["repr.stepper"].format(
            mode=words[f"part.pass {mode}"], steps=len(self.order), nodes=len(graph.nodes))
        self._set_data(data)

    def visited(self, k=None):
        """The nodes the pass has processed after step ``k`` (default: this step)."""
        return self.order[:self.step if k is None else k]


def _use_dot(graph):
    """Lay the picture out with ``dot`` (else in the browser, by WebAssembly)?"""
    choice = render.renderer(graph.options.get("renderer"))
    return choice in ("dot", "text") or (choice == "auto" and render.have_dot())


# ---- the chain-rule line as mathematics: ∂C/∂z as a fraction, indices lowered --------

_FRACTION = re.compile(r"∂([^\s/·()=+,]+)/∂([^\s/·()=+,]+)")
_INDEXED = re.compile(r"(?<![\w.])([A-Za-z]+)(_?)(\d+|(?<=_)[A-Za-z0-9]+)(?![\w.])")


def math_html(line):
    """``line`` as HTML: every ∂a/∂b a stacked fraction, ``v2`` and ``a_prev`` with
    their index lowered. Everything is escaped, and the text of the HTML (its
    ``textContent``) is ``line`` itself: the slash and the underscore stay, hidden."""
    out, last = [], 0
    for match in _FRACTION.finditer(line):
        out.append(_names(line[last:match.start()]))
        top, bottom = (_names(name) for name in match.groups())
        out.append(f'<span class="tg-frac"><span>∂{top}</span><span class="tg-slash">/</span>'
                   f'<span>∂{bottom}</span></span>')
        last = match.end()
    out.append(_names(line[last:]))
    return "".join(out)


def _names(text):
    def lower(match):
        name, underscore, index = match.groups()
        hidden = '<span class="tg-hide">_</span>' if underscore else ""
        return f"<i>{name}</i>{hidden}<sub>{index}</sub>"
    return _INDEXED.sub(lower, escape(text, quote=False))
