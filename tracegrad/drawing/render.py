"""Running Graphviz's ``dot``, and what to do when it is not installed.

The Python ``graphviz`` package runs the ``dot`` program for us (it only
writes DOT itself: pictures need ``dot`` installed). We wait for it with a
time limit, so a huge graph can never hang a notebook's kernel.

Who draws a graph in a notebook, the *renderer*:

* ``"dot"``: Graphviz's ``dot`` program makes an SVG (the default when it is
  installed; stored notebooks hold these SVGs);
* ``"browser"``: the same DOT is laid out in the notebook's front end by
  Graphviz compiled to WebAssembly (``tracegrad.widgets.GraphView``), so no
  system install is needed;
* ``"text"``: the listing only;
* ``"auto"`` (the default): ``dot`` if it is installed, else the browser when
  a Jupyter kernel can show widgets, else the listing and one line saying how
  to get pictures.

Choose with ``tg.graph(..., renderer="browser")``, :func:`set_renderer`, or
``$TRACEGRAD_RENDERER``, in that order.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import threading

from ..core import TracegradError
from ..words import message, words

__all__ = ["GraphvizNotFound", "INSTALL_HINT", "RENDERERS", "run_dot", "have_dot",
           "set_renderer", "renderer", "check_renderer", "mimebundle", "html"]

RENDERERS = ("auto", "dot", "browser", "text")
_chosen = None                       # set_renderer's choice, for every graph after it

# The hint in English; message("err.graphviz") gives it in the notebook's language.
INSTALL_HINT = words("en")["err.graphviz"]


class GraphvizNotFound(TracegradError):
    """Graphviz's ``dot`` executable is missing."""


def have_dot():
    """Is Graphviz's ``dot`` on PATH?"""
    return shutil.which("dot") is not None


def run_dot(source, fmt="svg", timeout=60.0, output=None):
    """Lay out DOT ``source`` with ``dot`` and return bytes (or write ``output``)."""
    import graphviz

    if not have_dot():
        raise GraphvizNotFound(message("err.graphviz"))
    done = {}

    def work():                      # graphviz.pipe has no time limit: wait for it here
        try:
            done["out"] = graphviz.pipe("dot", fmt, source.encode("utf-8"), quiet=True)
        except BaseException as e:   # handed to the caller's thread below
            done["error"] = e
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():            # (the stray dot process finishes in the background)
        raise TracegradError(message("err.graphviz-timeout", timeout=f"{timeout:.0f}"))
    error = done.get("error")
    if isinstance(error, graphviz.ExecutableNotFound):
        raise GraphvizNotFound(message("err.graphviz")) from None
    if isinstance(error, graphviz.CalledProcessError):
        said = (error.stderr or b"").decode("utf-8", "replace").strip()
        raise TracegradError(message("err.graphviz-failed", error=said)) from None
    if error is not None:
        raise error
    if output is None:
        return done["out"]
    with open(os.fspath(output), "wb") as f:
        f.write(done["out"])
    return b""


# ---- which renderer ----------------------------------------------------------------------

def check_renderer(name):
    """Refuse a renderer that does not exist (None means: not chosen here)."""
    if name is not None and name not in RENDERERS:
        raise ValueError(message("err.renderer", renderers=RENDERERS, name=repr(name)))


def set_renderer(name: str | None = None) -> None:
    """Draw every graph from now on with ``name`` ("auto", "dot", "browser" or
    "text"); ``None`` goes back to ``$TRACEGRAD_RENDERER``, else "auto"."""
    global _chosen
    check_renderer(name)
    _chosen = name


def renderer(name=None):
    """The renderer to use: ``name``, else :func:`set_renderer`'s, else
    ``$TRACEGRAD_RENDERER``, else ``"auto"``."""
    choice = name or _chosen or os.environ.get("TRACEGRAD_RENDERER") or "auto"
    check_renderer(choice)
    return choice


def widget_front_end():
    """Can this Python show a widget? (A Jupyter kernel, with anywidget installed.)"""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return (getattr(shell, "kernel", None) is not None
            and importlib.util.find_spec("anywidget") is not None)


def mimebundle(graph, listing, renderer_name=None):
    """What a notebook shows for ``graph``: a dict of MIME type to content.

    ``text/plain`` is always the listing. With ``dot``, ``text/html`` (the
    picture with its text alternative: see :func:`html`) and the bare SVG as
    ``image/svg+xml``, which front ends that do not show HTML (and exports to
    PDF) use instead; in the browser, a widget view; when neither can run, the
    listing and one line saying how to get pictures.
    """
    choice = renderer(renderer_name or graph.options.get("renderer"))
    if choice == "text":
        return {"text/plain": listing}
    if choice == "dot" or (choice == "auto" and have_dot()):
        try:
            svg = graph.svg()
            return {"text/html": html(graph, svg), "image/svg+xml": svg, "text/plain": listing}
        except GraphvizNotFound:
            if choice == "dot":
                return {"text/plain": listing + "\n\n" + message("err.graphviz")}
        except TracegradError as e:
            return {"text/plain": listing + "\n\n" + str(e)}
    hint = graph.words["no picture"]
    if widget_front_end() and browser_view is not None:
        data = browser_view(graph)
        data["text/plain"] = listing + "\n\n" + hint    # seen only where widgets cannot show
        return data
    return {"text/plain": listing + "\n\n" + hint}


# Who lays a graph out in the browser: a function, graph -> MIME bundle, handed in from
# above. The widgets sit above the drawing (they use it), so the drawing never imports
# them: tracegrad.widgets.graphview sets this when it is imported, and ``tg.graph`` sets
# it to import that module when it is first needed (tracegrad/__init__.py).
browser_view = None


# ---- the picture as HTML, with a text alternative ------------------------------------

MAX_ROWS = 200                       # a longer table is cut; print(graph) lists everything


def html(graph, svg=None):
    """The picture as HTML a screen reader can use.

    Shown as ``image/svg+xml``, a graph becomes an ``<img>`` with no alt text in
    JupyterLab. As HTML, the SVG is inline and named by a one-sentence summary
    (``role="img"``, ``aria-label``: see :func:`text.summary`), and under it a
    collapsed table (node, operation, value, gradient) can be opened and walked
    row by row, in the graph's language. Every label is escaped: a name such as
    ``<script>`` stays text.
    """
    from html import escape

    from . import text
    svg = svg if svg is not None else graph.svg()
    language = graph.options["language"]
    w = graph.words
    columns = "".join(f'<th scope="col">{escape(w[key])}</th>' for key in
                      ("column.node", "column.operation", "column.value", "column.gradient"))
    rows = text.table(graph)
    body = ["<tr>" + f'<th scope="row">{escape(row[0])}</th>'
            + "".join(f"<td>{escape(cell)}</td>" for cell in row[1:]) + "</tr>"
            for row in rows[:MAX_ROWS]]
    if len(rows) > MAX_ROWS:
        more = w["more rows"].format(count=len(rows) - MAX_ROWS)
        body.append(f'<tr><td colspan="4">{escape(more)}</td></tr>')
    caption = "".join(f"<p>{escape(line)}</p>" for line in graph.options.get("caption") or ())
    start = svg.find("<svg")
    return (f'<div class="tracegrad-graph" lang="{escape(language)}">\n'
            f"{svg[start:] if start >= 0 else escape(svg)}\n"
            f'<details class="tg-text"><summary>{escape(w["text form"])}</summary>\n'
            f"{caption}<table><thead><tr>{columns}</tr></thead>\n"
            f"<tbody>\n" + "\n".join(body) + "\n</tbody></table></details>\n</div>")
