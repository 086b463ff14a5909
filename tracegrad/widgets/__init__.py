"""tracegrad.widgets: step through a pass node by node; move inputs with sliders.

    g = tg.graph(loss, argnums=(0, 1))(w, b)
    tg.widgets.stepper(g)                        # the backward pass, one node a step
    tg.widgets.explore(loss, w=(-2, 2), b=(-1, 1))

Both draw into widget *state* (an ``ipywidgets.HTML`` holding the SVG), not
into an ``Output`` area, so notebooks stay comparable under nbval and a
static HTML export keeps the picture.

The stepper lays the graph out once: Graphviz runs a single time, with every
annotation in place, and each step only changes the SVG's colours (hiding the
gradients not computed yet, marking the current node). So stepping even a
large graph costs a few milliseconds.
"""
from __future__ import annotations

import inspect
import re

import numpy as np

from ..core import TracegradError, concrete
from ..words import language as language_of
from ..words import words as words_of

__all__ = ["stepper", "explore", "Stepper", "Explorer"]


def _ipywidgets():
    try:
        import ipywidgets
    except ImportError:
        raise ImportError(
            "tracegrad.widgets needs ipywidgets (and JupyterLab to show them). Install "
            "them with:  pip install ipywidgets jupyterlab   (or: pip install "
            "'tracegrad[lab]'), then restart the kernel.") from None
    return ipywidgets


# ---- the SVG, re-coloured per step -----------------------------------------------

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


def _line_html(text):
    from html import escape
    return f'<div style="font-family: monospace; font-size: 13px; padding: 4px 0">{escape(text)}</div>'


class _Mixin:
    def __repr__(self):                 # short and deterministic: nbval compares it
        return self._description

    def _repr_pretty_(self, p, cycle):
        p.text(self._description)


def stepper(graph, mode="reverse", interval=700, language=None):
    """A widget that walks a pass over ``graph`` one node at a time.

    ``mode``: "reverse" (the backward pass, the default), "forward" (values
    computed in order) or "tangent" (forward mode; draw the graph with
    ``tangents=``). Step k shows the pass after its k-th node. ``language``:
    "en" or "uk" (see :func:`tracegrad.words.language` for the default).
    """
    return _stepper_class()(graph, mode, interval, language_of(language))


def _stepper_class():
    widgets = _ipywidgets()
    from ..drawing import dot as dot_module
    from ..drawing.steps import explain, steps

    class Stepper(_Mixin, widgets.VBox):
        """Play, a step slider, previous/next, the chain-rule line, the graph."""

        def __init__(self, graph, mode, interval, language):
            self.graph = graph
            self.mode = mode
            self.language = language
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
                                     description="Play")
            self.slider = widgets.IntSlider(value=0, min=0, max=n, step=1,
                                            description=words["step"],
                                            continuous_update=True)
            widgets.jslink((self.play, "value"), (self.slider, "value"))
            self.previous = widgets.Button(description=words["previous"],
                                           layout={"width": "110px"})
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
                self.line.value = _line_html(head + w[self.mode])
            else:
                self.line.value = _line_html(
                    head + explain(self.graph, node, self.mode, self.language))
            if k not in self._cache:
                visible = {f"n{n.index}" for n in self.order[:k]} | self._inputs
                self._cache[k] = _recolour(self._full_svg, self._hidden, visible,
                                           f"n{node.index}" if node else None,
                                           self._highlight)
            self.picture.value = self._cache[k]

    return Stepper


Stepper = None      # the class is made on first use, so importing needs no ipywidgets


def _step_through(lo, step, value):
    """A slider step that lands exactly on ``value`` (a slider snaps its value to
    min + k·step, and would quietly start from a different number)."""
    decade = 10.0 ** np.floor(np.log10(step))
    for candidate in (step, decade, decade / 10, decade / 100, decade / 1000):
        k = (value - lo) / candidate
        if abs(k - round(k)) < 1e-9:
            return candidate
    return step


def explore(fun, argnums=None, show_graph=True, **ranges):
    """Sliders for the scalar inputs of ``fun``, with its graph, value and gradient.

    ``explore(loss, w=(-2, 2), b=(-1, 1))``: one slider per keyword, named after
    the parameter; a range is ``(min, max)``, ``(min, max, value)`` or
    ``(min, max, step, value)``. Starting values come from ``value``, else the
    function's defaults, else the middle of the range. Parameters without a
    slider must have defaults.
    """
    return _explorer_class()(fun, ranges, show_graph)


def _explorer_class():
    widgets = _ipywidgets()
    from .. import drawing
    from ..drawing import text
    from ..drawing.render import GraphvizNotFound
    from ..reverse import value_and_grad

    class Explorer(_Mixin, widgets.VBox):
        """A FloatSlider per named scalar input; the graph and readout follow them."""

        def __init__(self, fun, ranges, show_graph):
            self.fun = fun
            try:
                params = list(inspect.signature(fun).parameters.values())
            except (TypeError, ValueError):
                raise TracegradError("explore: cannot read the parameters of this function; "
                                     "pass a function defined with def.") from None
            self.names = [p.name for p in params]
            unknown = set(ranges) - set(self.names)
            if unknown:
                raise TracegradError(f"explore: {sorted(unknown)} are not parameters of "
                                     f"{fun.__name__}{inspect.signature(fun)}.")
            self.sliders = {}
            self.fixed = {}
            for p in params:
                if p.name in ranges:
                    self.sliders[p.name] = self._slider(p, ranges[p.name])
                elif p.default is not inspect.Parameter.empty:
                    self.fixed[p.name] = p.default
                else:
                    raise TracegradError(
                        f"explore: parameter {p.name!r} has no slider and no default value; "
                        f"pass {p.name}=(low, high) or give it a default in the def.")
            self.argnums = tuple(self.names.index(n) for n in self.sliders)
            self.show_graph = show_graph
            self.readout = widgets.HTML()
            self.picture = widgets.HTML()
            self._description = (f"Explorer({fun.__name__}: sliders for "
                                 f"{', '.join(self.sliders)})")
            super().__init__([widgets.VBox(list(self.sliders.values())), self.readout,
                              self.picture])
            for s in self.sliders.values():
                s.observe(lambda change: self._update(), names="value")
            self._update()

        @staticmethod
        def _slider(param, spec):
            spec = tuple(spec)
            if len(spec) == 2:
                lo, hi = spec
                step, value = (hi - lo) / 100, None
            elif len(spec) == 3:
                (lo, hi, value), step = spec, (spec[1] - spec[0]) / 100
            elif len(spec) == 4:
                lo, hi, step, value = spec
            else:
                raise TracegradError(f"explore: the range of {param.name} must be (min, max), "
                                     f"(min, max, value) or (min, max, step, value).")
            if value is None:
                value = param.default if param.default is not inspect.Parameter.empty \
                    else (lo + hi) / 2
            if not lo <= value <= hi:
                raise TracegradError(f"explore: the start value {value} of {param.name} is "
                                     f"outside its range ({lo}, {hi}).")
            if len(spec) < 4:
                step = _step_through(lo, step, value)
            return widgets.FloatSlider(value=float(value), min=float(lo), max=float(hi),
                                       step=float(step), description=param.name,
                                       continuous_update=True, readout_format=".3f")

        def arguments(self):
            return [float(self.sliders[n].value) if n in self.sliders else self.fixed[n]
                    for n in self.names]

        def _update(self):
            args = self.arguments()
            value, grads = value_and_grad(self.fun, argnums=self.argnums)(*args)
            self.value, self.grads = concrete(value), tuple(concrete(g) for g in grads)
            graph = drawing.graph(self.fun, argnums=self.argnums)(*args) \
                if self.show_graph else None
            out = graph.output_name if graph is not None else "C"
            parts = [f"{out} = {text.fmt(self.value)}"]
            parts += [f"∂{out}/∂{n} = {text.fmt(g)}" for n, g in zip(self.sliders, self.grads)]
            self.readout.value = _line_html("    ".join(parts))
            if graph is not None:
                try:
                    self.picture.value = graph.svg()
                except GraphvizNotFound as e:
                    from html import escape
                    self.picture.value = f"<pre>{escape(graph.listing())}\n\n{escape(str(e))}</pre>"

    return Explorer


Explorer = None
