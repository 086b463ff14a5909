"""The explorer: a slider per scalar input; the graph, value and gradient follow.

Each move of a slider records the function once, with :func:`tracegrad.graph`:
the value, the gradient and the picture all come from that one trace.
"""
from __future__ import annotations

import inspect
from html import escape

import numpy as np

from .. import drawing
from ..core import TracegradError, concrete
from ..drawing import render, text
from ..drawing.render import GraphvizNotFound
from ..reverse import value_and_grad
from ..words import message
from ..words import words as words_of
from .common import Described, line_html, need
from .frontend import FrontEnd

widgets = need("ipywidgets")

__all__ = ["explore", "Explorer"]


def explore(fun, argnums=None, show_graph=True, **ranges):
    """Sliders for the scalar inputs of ``fun``, with its graph, value and gradient.

    ``explore(loss, w=(-2, 2), b=(-1, 1))``: one slider per keyword, named after
    the parameter; a range is ``(min, max)``, ``(min, max, value)`` or
    ``(min, max, step, value)``. Starting values come from ``value``, else the
    function's defaults, else the middle of the range. Parameters without a
    slider must have defaults.
    """
    return Explorer(fun, ranges, show_graph)


class KernelWatch(FrontEnd):
    """Says "no kernel is connected" on the page when the kernel stops answering."""

    def __init__(self, language=None):
        super().__init__()
        self._description = "KernelWatch()"
        self._set_data(dict(kind="watch", words={
            "no_kernel": words_of(language)["no kernel"]}))
        self.on_msg(self._answer)

    def _answer(self, widget, content, buffers):
        if isinstance(content, dict) and content.get("ping"):
            self.send({"pong": 1})


def _step_through(lo, step, value):
    """A slider step that lands exactly on ``value`` (a slider snaps its value to
    min + k·step, and would quietly start from a different number)."""
    decade = 10.0 ** np.floor(np.log10(step))
    for candidate in (step, decade, decade / 10, decade / 100, decade / 1000):
        k = (value - lo) / candidate
        if abs(k - round(k)) < 1e-9:
            return candidate
    return step


class Explorer(Described, widgets.VBox):
    """A FloatSlider per named scalar input; the graph and readout follow them."""

    def __init__(self, fun, ranges, show_graph=True):
        self.fun = fun
        try:
            params = list(inspect.signature(fun).parameters.values())
        except (TypeError, ValueError):
            raise TracegradError(message("err.explore-signature")) from None
        self.names = [p.name for p in params]
        unknown = set(ranges) - set(self.names)
        if unknown:
            raise TracegradError(message("err.explore-unknown", unknown=sorted(unknown),
                                         signature=f"{fun.__name__}{inspect.signature(fun)}"))
        self.sliders = {}
        self.fixed = {}
        for p in params:
            if p.name in ranges:
                self.sliders[p.name] = self._slider(p, ranges[p.name])
            elif p.default is not inspect.Parameter.empty:
                self.fixed[p.name] = p.default
            else:
                raise TracegradError(message("err.explore-no-slider", name=repr(p.name),
                                             bare=p.name))
        self.argnums = tuple(self.names.index(n) for n in self.sliders)
        self.show_graph = show_graph
        self.readout = widgets.HTML()
        self.picture = widgets.HTML()
        self._description = words_of()["repr.explorer"].format(
            name=fun.__name__, names=", ".join(self.sliders))
        self.watch = KernelWatch()
        super().__init__([widgets.VBox(list(self.sliders.values())), self.readout,
                          self.picture, self.watch])
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
            raise TracegradError(message("err.explore-range", name=param.name))
        if value is None:
            value = param.default if param.default is not inspect.Parameter.empty \
                else (lo + hi) / 2
        if not lo <= value <= hi:
            raise TracegradError(message("err.explore-start", value=value, name=param.name,
                                         lo=lo, hi=hi))
        if len(spec) < 4:
            step = _step_through(lo, step, value)
        return widgets.FloatSlider(value=float(value), min=float(lo), max=float(hi),
                                   step=float(step), description=param.name,
                                   continuous_update=True, readout_format=".3f")

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs)
        # where widgets cannot run (an HTML export): the picture, and why it cannot move
        note = escape(words_of()["no kernel"])
        data["text/html"] = (f'<div class="tracegrad-explorer">{self.readout.value}'
                             f'{self.picture.value}<p>{note}</p></div>')
        return data

    def arguments(self):
        return [float(self.sliders[n].value) if n in self.sliders else self.fixed[n]
                for n in self.names]

    def _trace(self, args):
        """Value, gradients and the graph (or None) of one recording of the function."""
        if not self.show_graph:
            value, grads = value_and_grad(self.fun, argnums=self.argnums)(*args)
            return concrete(value), tuple(concrete(g) for g in grads), None
        graph = drawing.graph(self.fun, argnums=self.argnums)(*args)
        # one input node per slider, in argnums order; an unused input has no gradient
        grads = tuple(0.0 if graph.grad(n) is None else graph.grad(n) for n in graph.inputs)
        return graph.out, grads, graph

    def _update(self):
        self.value, self.grads, graph = self._trace(self.arguments())
        out = graph.output_name if graph is not None else "C"
        parts = [f"{out} = {text.fmt(self.value)}"]
        parts += [f"∂{out}/∂{n} = {text.fmt(g)}" for n, g in zip(self.sliders, self.grads)]
        self.readout.value = line_html("    ".join(parts))
        if graph is not None:
            try:
                self.picture.value = render.html(graph)     # named, with its table
            except GraphvizNotFound as e:
                self.picture.value = f"<pre>{escape(graph.listing())}\n\n{escape(str(e))}</pre>"
