"""The bridge to tracegrad's front end (``static/tracegrad.js``).

A widget here is an ``anywidget``: its JavaScript is sent with it, so it needs
no Jupyter extension and runs in JupyterLab, Notebook 7, VS Code, Colab and
JupyterLite alike. Its whole state is one dict, ``data``, computed in Python
once; the same dict, written into a page as JSON, drives the same JavaScript
on a static page (see :func:`static_html`).

When Graphviz's ``dot`` is missing, the picture is laid out in the browser by
Graphviz compiled to WebAssembly: ``static/graphviz.js``, vendored from the
npm package ``@hpcc-js/wasm-graphviz`` (see ``static/graphviz.VERSION`` and
``tools/vendor-graphviz.sh``). It travels with the widget that needs it, and
nothing is ever fetched from the network.
"""
from __future__ import annotations

import functools
import json
import pathlib
from html import escape

from ..words import words as words_of
from .common import Described, need

anywidget = need("anywidget")
traitlets = need("traitlets")

__all__ = ["STATIC", "FrontEnd", "PageWidget", "Stepping", "graphviz_js", "script",
           "player_script", "json_for_html", "static_html", "text_alternative"]

STATIC = pathlib.Path(__file__).resolve().parent / "static"


@functools.lru_cache(maxsize=None)
def graphviz_js():
    """Graphviz in WebAssembly: one ES module, the WebAssembly inlined (~815 KB)."""
    return (STATIC / "graphviz.js").read_text(encoding="utf-8")


# A kind of widget whose JavaScript has a file of its own: the file follows
# tracegrad.js (the picture, the stepper, mounting) in one module and adds the
# kind to its table KINDS. Other widgets do not carry it.
KIND_MODULES = {"explorer": ("explorer.js",), "trace": ("player.js",)}


@functools.lru_cache(maxsize=None)
def script(kind=None):
    """tracegrad's own front-end module, for a widget of ``kind``."""
    names = ("tracegrad.js", *KIND_MODULES.get(kind, ()))
    return "\n".join((STATIC / name).read_text(encoding="utf-8") for name in names)


def player_script():
    """tracegrad.js with the trace player (``static/player.js``): one module, in
    which player.js uses tracegrad.js's picture and registers its kind."""
    return script("trace")


def json_for_html(data):
    """JSON that is safe inside ``<script>``: no ``<``, so nothing can close the tag."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")


def static_html(data, svg=None, classes=None):
    """A self-contained HTML snippet that runs the front end with no kernel.

    The SVG from ``dot`` goes in as markup (so a page without JavaScript still
    shows the picture); without it, ``data["dot"]`` is laid out by the
    WebAssembly Graphviz, which then travels inside the snippet. A snippet
    carries the script of its own kind (``KIND_MODULES``), which mounts it.
    """
    if classes is None:
        classes = "tracegrad-trace" if data.get("kind") == "trace" else "tracegrad-stepper"
    code = script(data.get("kind"))
    for source in (code, graphviz_js()):
        assert "</script" not in source.lower()          # both are inlined below
    parts = [f'<div class="{classes}" data-tg-static>',
             f'<script type="application/json" class="tg-data">{json_for_html(data)}</script>']
    if svg is not None:
        parts.append(f'<div class="tg-static-svg">{_strip_xml_header(svg)}</div>')
    elif data.get("dot"):
        parts.append(f'<script type="text/plain" class="tg-graphviz-js">{graphviz_js()}</script>')
    parts.append(f'<script type="module">\n{code}\nmountStatic();\n</script>')
    parts.append("</div>")
    return "\n".join(parts)


def _strip_xml_header(svg):
    """The ``<svg>`` element alone: no XML declaration or DOCTYPE inside HTML."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else escape(svg)


# The words the front end shows or speaks: buttons, the step counter, names for screen readers.
FRONT_END_WORDS = ("play", "pause", "previous", "next", "step", "of", "zoom", "zoom in",
                   "zoom out", "graph box", "stepper", "text form", "column.node",
                   "column.operation", "column.value", "column.gradient")


def text_alternative(graph, language):
    """What a screen reader gets instead of the picture, in ``language``: the page
    language of the widget, a one-sentence summary (the picture's accessible name)
    and the graph as a table (node, operation, value, gradient) under it."""
    from ..drawing import text
    words = words_of(language)
    return dict(language=language, summary=text.summary(graph, language),
                table=[list(row) for row in text.table(graph, language)],
                words={key: words[key] for key in FRONT_END_WORDS})


class FrontEnd(Described, anywidget.AnyWidget):
    """A widget drawn by ``static/tracegrad.js`` from the one dict ``data``."""

    _esm = STATIC / "tracegrad.js"
    data = traitlets.Dict().tag(sync=True)
    _graphviz_js = traitlets.Unicode("").tag(sync=True)

    def _set_data(self, data):
        """Set the state; ship the WebAssembly Graphviz only when there is no SVG."""
        self._graphviz_js = graphviz_js() if data.get("dot") and not data.get("svg") else ""
        self.data = data


class PageWidget(FrontEnd):
    """A widget that works with no kernel too: its output carries, as ``text/html``,
    a self-contained snippet of itself, for HTML exports and static pages."""

    root_class = None                        # None: by the data's kind (see static_html)

    def html(self):
        """A self-contained HTML snippet of this widget: it runs with no kernel."""
        return static_html(dict(self.data, svg=""), self._svg, classes=self.root_class)

    def _repr_mimebundle_(self, **kwargs):
        data, metadata = super()._repr_mimebundle_(**kwargs)
        data["text/html"] = self.html()          # for HTML exports and static pages
        return data, metadata


class Stepping(PageWidget):
    """A widget that steps through ``order`` (the stepper, the trace player): ``step``
    is the step shown (0 before the first), kept in sync with the page while a
    kernel runs."""

    step = traitlets.Int(0).tag(sync=True)

    def go(self, k):
        """Show step ``k`` (clipped to 0 ... the number of steps)."""
        self.step = max(0, min(len(self.order), int(k)))

    @property
    def current(self):
        """The node of this step (None before the first)."""
        return self.order[self.step - 1] if self.step > 0 else None
