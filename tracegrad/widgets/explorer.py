"""The explorer: a slider per scalar input; beside each, the function along that
input with its tangent line; for two inputs, the level lines with the gradient
arrow; a button that takes one gradient-descent step.

No kernel is needed where a grid is small enough: when the widget is made,
Python computes the value and the gradient at every point of the sliders' grid
(one vectorised run, :func:`tracegrad.vmap` of :func:`tracegrad.value_and_grad`)
and ships them with the widget, 4 bytes a number. The page
(``static/explorer.js``) then moves the sliders, the curves, the tangent and the
arrow by itself: in JupyterLab, after the kernel stops, in an HTML export and
on the static site. Every number shown is one tracegrad computed at that very
point; nothing is interpolated, so a descent step lands on the nearest point
of the grid.

Past three sliders a grid is too large to send (its size is the product of
the sliders' sizes); then the page asks the kernel at each move, and says so
when no kernel answers.

Hooks for tests and pages: the root has class ``tracegrad-explorer``; each
parameter's slider is an ``<input type="range" data-param="name">``; in its
plot, the tangent is an SVG ``line.tg-tangent``, and its slope is the text of
``.tg-slope``; the value is the text of ``.tg-value``; the descent step is the
button ``data-action="step"``, the learning rate ``input[data-lr]``; the
contour plot has ``.tg-gradient`` and ``.tg-descent`` arrows and a
``.tg-trail`` of points.
"""
from __future__ import annotations

import base64
import inspect
import math
import warnings

import numpy as np

from .. import drawing
from ..core import TracegradError, concrete
from ..reverse import value_and_grad
from ..vmap import vmap
from ..words import language as language_of
from ..words import message
from ..words import words as words_of
from .common import need
from .frontend import PageWidget, script, text_alternative, traitlets

need("ipywidgets")      # anywidget's base: when it is missing, say how to install it

__all__ = ["explore", "Explorer", "GRID_SIZE", "GRID_LIMIT"]

# Points per slider when the range gives no step, by the number of sliders. The
# grid carries 1 + d numbers a point, float32: 1 slider 101 points (1 KB), 2
# sliders 41 × 41 (27 KB of base64), 3 sliders 13³ (47 KB). Fine enough for a
# smooth curve and level lines; small enough for a page with several explorers.
GRID_SIZE = {1: 101, 2: 41, 3: 13}
GRID_LIMIT = 4000          # points; a larger grid is not sent, the kernel answers instead
CURVE_POINTS = 41          # along one slider, when the kernel computes the curve


def explore(fun, argnums=None, show_graph=True, language=None, **ranges):
    """Sliders for the scalar inputs of ``fun``, with its curves, tangents, value,
    gradient and graph.

    ``explore(loss, w=(-2, 2), b=(-1, 1))``: one slider per keyword, named after
    the parameter; a range is ``(min, max)``, ``(min, max, value)`` or
    ``(min, max, step, value)``. Starting values come from ``value``, else the
    function's defaults, else the middle of the range. Parameters without a
    slider must have defaults. ``language``: "en" or "uk".
    """
    return Explorer(fun, ranges, show_graph, language)


class Slider:
    """One slider's grid: ``count`` points ``start + k·step``, through the start ``value``."""

    def __init__(self, name, lo, hi, step, value):
        self.name, self.value, self.step = name, float(value), float(step)
        # the grid is anchored at the start value, so the slider starts exactly there
        below = math.floor((value - lo) / step + 1e-9)
        above = math.floor((hi - value) / step + 1e-9)
        self.start = self.value - below * self.step
        self.count = below + above + 1
        self.index = below                        # of the start value

    @property
    def points(self):
        return self.start + self.step * np.arange(self.count)

    def snap(self, x):
        """The grid point nearest ``x``, inside the range."""
        k = min(self.count - 1, max(0, round((float(x) - self.start) / self.step)))
        return self.start + k * self.step

    def state(self):
        return dict(name=self.name, start=self.start, step=self.step, count=self.count,
                    index=self.index)


class Explorer(PageWidget):
    """The explorer of ``fun`` over the sliders in ``ranges`` (see :func:`explore`).

    ``point`` holds the sliders' values, in the order of ``names``; the page
    and Python keep it in sync while a kernel runs. ``value`` and ``grads`` are
    the function and its gradient there; ``set(w=0.5)`` moves a slider.
    """

    root_class = "tracegrad-explorer"
    _esm = traitlets.Unicode(script("explorer")).tag(sync=True)
    point = traitlets.List([]).tag(sync=True)
    answer = traitlets.Dict({}).tag(sync=True)     # the kernel's curves, when there is no grid

    def __init__(self, fun, ranges, show_graph=True, language=None):
        super().__init__()
        self.fun = fun
        self.language = language = language_of(language)
        params, self.fixed = _parameters(fun, ranges)
        self.names_all = [p.name for p in params]
        given = [p for p in params if p.name in ranges]
        size = GRID_SIZE.get(len(given), 101)
        self.sliders = {p.name: _slider(p, ranges[p.name], size) for p in given}
        self.names = list(self.sliders)
        self.argnums = tuple(self.names_all.index(n) for n in self.names)
        points = math.prod(s.count for s in self.sliders.values())
        start = [s.value for s in self.sliders.values()]
        graph = drawing.graph(fun, argnums=self.argnums)(*self._arguments(start))
        self.output_name = graph.output_name
        self.grid = self._grid() if points <= GRID_LIMIT else None
        words = words_of(language)
        data = dict(kind="explorer", out=self.output_name,
                    sliders=[s.state() for s in self.sliders.values()],
                    grid=_encode(self.grid) if self.grid is not None else None,
                    points=points, words=_front_words(words), svg="", dot="",
                    language=language)
        if show_graph:
            # the graph's structure, recorded at the start: the numbers are in the plots
            picture = graph.with_options(show=())
            self._svg = picture.svg() if _use_dot(graph) else None
            data.update(dot="" if self._svg else picture.to_dot(),
                        **text_alternative(graph, language))
            data["words"] = dict(data["words"], **_front_words(words))
        else:
            self._svg = None
        self.show_graph = show_graph
        self._description = words["repr.explorer"].format(name=fun.__name__,
                                                          names=", ".join(self.names))
        self.observe(self._moved, names="point")
        self.point = start
        data["answer"] = self.answer                 # the start, for a page with no kernel
        self._set_data(data)

    # ---- Python's side: the value and gradient at the sliders' point ---------------------

    def set(self, **values):
        """Move sliders: ``set(w=0.5)``; each value lands on its slider's grid."""
        unknown = set(values) - set(self.names)
        if unknown:
            raise TracegradError(message("err.explore-unknown", unknown=sorted(unknown),
                                         signature=f"{self.fun.__name__}{tuple(self.names)}"))
        self.point = [self.sliders[n].snap(values[n]) if n in values else x
                      for n, x in zip(self.names, self.point, strict=True)]

    def arguments(self):
        """The arguments of ``fun`` at the sliders' point, defaults for the rest."""
        return self._arguments(self.point)

    def _arguments(self, point):
        at = dict(zip(self.names, point, strict=True))
        return [float(at[n]) if n in at else self.fixed[n] for n in self.names_all]

    def _moved(self, change):
        value, grads = value_and_grad(self.fun, argnums=self.argnums)(*self.arguments())
        self.value, self.grads = float(concrete(value)), tuple(float(concrete(g)) for g in grads)
        if self.grid is None:             # the page has no grid: it needs the curves too
            # JSON has no NaN: a point outside the domain is null (None) there
            self.answer = dict(point=list(self.point), value=_finite(self.value),
                               grads=[_finite(g) for g in self.grads], curves=self._curves())

    def _curves(self):
        """The function along each slider, the others where they are: [[x...], [y...]] each."""
        curves = []
        for i, s in enumerate(self.sliders.values()):
            xs = np.linspace(s.start, s.start + s.step * (s.count - 1), CURVE_POINTS)
            columns = [np.full(CURVE_POINTS, x) for x in self.point]
            columns[i] = xs
            ys, _ = self._values_and_grads(columns)
            curves.append([xs.tolist(), [_finite(y) for y in ys]])
        return curves

    # ---- the grid, computed once -----------------------------------------------------------

    def _grid(self):
        """Value and gradient at every grid point: an array of shape (n₁, ..., n_d, 1 + d)."""
        axes = np.meshgrid(*(s.points for s in self.sliders.values()), indexing="ij")
        values, grads = self._values_and_grads([a.ravel() for a in axes])
        table = np.stack([values, *grads], axis=-1)
        return table.reshape(*axes[0].shape, 1 + len(self.names))

    def _values_and_grads(self, columns):
        """``value_and_grad`` at many points: one vectorised run, else point by point
        (a function whose Python branches on its inputs cannot be vectorised)."""
        n = len(columns[0])
        at = dict(zip(self.names, columns, strict=True))
        args = [at[name] if name in at else self.fixed[name] for name in self.names_all]
        in_axes = tuple(0 if name in at else None for name in self.names_all)
        with warnings.catch_warnings():       # log(−1) somewhere on the grid is a NaN there
            warnings.simplefilter("ignore")
            try:
                value, grads = vmap(value_and_grad(self.fun, argnums=self.argnums),
                                    in_axes=in_axes)(*args)
                out = [np.broadcast_to(np.asarray(concrete(x), float), (n,))
                       for x in (value, *grads)]
                return out[0], out[1:]
            except (TracegradError, TypeError, ValueError):
                pass
            rows = []
            for k in range(n):
                point = [float(at[name][k]) if name in at else self.fixed[name]
                         for name in self.names_all]
                try:
                    value, grads = value_and_grad(self.fun, argnums=self.argnums)(*point)
                    rows.append([float(concrete(value)), *(float(concrete(g)) for g in grads)])
                except (TracegradError, ArithmeticError, ValueError):
                    rows.append([np.nan] * (1 + len(self.names)))
            table = np.array(rows, float)
            return table[:, 0], [table[:, 1 + i] for i in range(len(self.names))]

    # ---- HTML for pages with no kernel -----------------------------------------------------


def _parameters(fun, ranges):
    """``fun``'s parameters, and the values of those without a slider (their defaults)."""
    try:
        params = list(inspect.signature(fun).parameters.values())
    except (TypeError, ValueError):
        raise TracegradError(message("err.explore-signature")) from None
    unknown = set(ranges) - {p.name for p in params}
    if unknown:
        raise TracegradError(message("err.explore-unknown", unknown=sorted(unknown),
                                     signature=f"{fun.__name__}{inspect.signature(fun)}"))
    if not ranges:
        first = params[0].name if params else "x"
        raise TracegradError(message("err.explore-nothing", name=first))
    fixed = {}
    for p in params:
        if p.name not in ranges:
            if p.default is inspect.Parameter.empty:
                raise TracegradError(message("err.explore-no-slider", name=repr(p.name),
                                             bare=p.name))
            fixed[p.name] = p.default
    return params, fixed


def _slider(param, spec, size):
    spec = tuple(spec)
    if len(spec) == 2:
        (lo, hi), value, step = spec, None, None
    elif len(spec) == 3:
        (lo, hi, value), step = spec, None
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
    if step is None:
        step = (hi - lo) / (size - 1)
    if not step > 0:
        raise TracegradError(message("err.explore-range", name=param.name))
    return Slider(param.name, lo, hi, step, value)


def _encode(grid):
    """The grid as base64 of little-endian float32: a quarter of its JSON's size."""
    return dict(shape=list(grid.shape),
                data=base64.b64encode(grid.astype("<f4").tobytes()).decode("ascii"))


def _finite(y):
    return float(y) if np.isfinite(y) else None


def _use_dot(graph):
    from .stepper import _use_dot as use_dot
    return use_dot(graph)


# The words the page shows: its buttons, labels and the names a screen reader hears.
EXPLORER_WORDS = ("explorer", "explorer.along", "explorer.slope", "explorer.contour",
                  "explorer.gradient", "explorer.descent", "explorer.step", "explorer.rate",
                  "explorer.clear", "explorer.trail", "explorer.grid", "explorer.kernel",
                  "explorer.snap", "explorer.graph", "explorer.point", "no kernel")


def _front_words(words):
    return {key: words[key] for key in EXPLORER_WORDS}
