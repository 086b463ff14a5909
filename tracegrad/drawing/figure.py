"""Figures for slides and print: ``graph.save("figure.pdf", theme="projector")``.

A graph drawn for a notebook has 10 pt text; shown whole on a slide, a graph
of lecture 04's network is 823 pt tall, so its text is about 1.2% of the
slide's height, too small to read from the back of a room (slides want 3–4%).

* ``theme="projector"``: high contrast, thick lines, and every text made large
  enough that, with the figure fitted to a 16:9 slide, the *smallest* text is
  at least 3% of the slide's height (see :func:`type_ratio`; a graph too big
  for that gets a warning saying how to draw less of it);
* ``theme="print"``: black on white, grey fills, the notebook's sizes;
* ``theme=None``: the graph's own picture (its ``light`` or ``dark`` theme).

``dpi`` sets a PNG's pixels (96 by default, Graphviz's) and is written into
the file (its ``pHYs`` chunk), so slide software shows it at the right size;
SVG and PDF are vector pictures and need no dpi.

The figure themes recolour the picture drawn by ``dot.py`` rather than adding
to its table: each colour of the ``light`` theme is one role (the value text,
the gradient text, an input's fill...), so the DOT text is mapped colour by
colour, and every font size is multiplied by one scale.
"""
from __future__ import annotations

import os
import re
import struct
import warnings
import zlib

from ..words import message
from .dot import THEMES
from .render import run_dot

__all__ = ["FIGURE_THEMES", "SLIDE_RATIO", "TARGET", "save", "type_ratio"]

TARGET = 0.03                     # the projector's smallest text: 3% of the slide's height
SLIDE_RATIO = 16 / 9              # width / height of the slide the figure is fitted to

# One colour per role, with the same keys as dot.THEMES. Text is black on white or on
# light fills (at least 12:1); the gradient's red stays at 7:1 or more on every fill.
FIGURE_THEMES = {
    "projector": dict(bg="white", font="#000000", value="#000000", edge="#000000",
                      border="#000000", input="#d6e6ff", constant="#e6e6e6", op="#ffffff",
                      output="#ffe0b8", backward="#e6f5e4", grad="#8c0015", tangent="#0b4d17",
                      highlight="#c2410c", cluster="#f5f5f5", cluster_border="#555555",
                      collapsed="#fff4cc"),
    "print": dict(bg="white", font="#000000", value="#000000", edge="#000000",
                  border="#000000", input="#e0e0e0", constant="#f0f0f0", op="#ffffff",
                  output="#c8c8c8", backward="#f0f0f0", grad="#000000", tangent="#000000",
                  highlight="#000000", cluster="#ffffff", cluster_border="#000000",
                  collapsed="#f0f0f0"),
}
_PEN = {"projector": 2.0, "print": 1.0}       # line widths (Graphviz's default is 1)
FORMATS = ("svg", "pdf", "png")
_MAX_SCALE = 8                                # 80 pt text: more only adds gaps' worth


def save(graph, path, dpi=None, theme=None, format=None, timeout=60.0):
    """Write ``graph`` to ``path`` (svg, pdf or png, from the suffix unless
    ``format`` is given); see the module's docstring for ``theme`` and ``dpi``."""
    fmt = (format or os.path.splitext(os.fspath(path))[1].lstrip(".") or "svg").lower()
    if fmt not in FORMATS:
        raise ValueError(message("err.save-format", fmt=repr(fmt)))
    if dpi is not None and not (isinstance(dpi, (int, float)) and 10 <= dpi <= 2400):
        raise ValueError(message("err.save-dpi", dpi=repr(dpi)))
    themes = (None, *FIGURE_THEMES, *THEMES)
    if theme not in themes:
        raise ValueError(message("err.save-theme", themes=", ".join(map(repr, themes)),
                                 theme=repr(theme)))
    source = figure_dot(graph, theme, timeout)
    if fmt == "png" and dpi is not None:
        source = _graph_attribute(source, f"dpi={float(dpi):g}")
    data = run_dot(source, fmt, timeout)
    if fmt == "png":
        data = with_dpi(data, dpi or 96)
    elif fmt == "svg":                   # named for screen readers, as in a notebook
        from . import text
        data = text.with_name(data.decode("utf-8"), text.summary(graph)).encode("utf-8")
    with open(os.fspath(path), "wb") as f:
        f.write(data)
    return path


def figure_dot(graph, theme, timeout=60.0):
    """The DOT source of the figure in ``theme`` (projector: its text scaled up)."""
    if theme is None or theme in THEMES:
        return graph.to_dot(**({} if theme is None else {"theme": theme}))
    source = recolour(graph.to_dot(theme="light"), FIGURE_THEMES[theme])
    source = _graph_attribute(source, None, pen=_PEN[theme])
    if theme != "projector":
        return source
    source, ratio = _scaled_for_slides(source, timeout)
    if ratio < TARGET:
        warnings.warn(message("err.too-big", ratio=f"{ratio:.1%}", target=f"{TARGET:.0%}"),
                      stacklevel=4)
    return source


def _scaled_for_slides(source, timeout):
    """``(source, ratio)``: every font scaled until the smallest text is TARGET of a
    16:9 slide's height (:func:`type_ratio`), or as close as the graph allows.

    The drawing grows with its text (boxes do) but not its gaps, so the ratio rises
    with the scale towards a limit set by how many lines of text are stacked: one
    new scale from each ratio measured, until it is reached or stops growing."""
    scale, best = 1.0, (source, 0.0)
    for _ in range(8):
        scaled = scale_fonts(source, scale)
        ratio = type_ratio(run_dot(scaled, "svg", timeout).decode("utf-8"))
        if ratio >= TARGET:
            return scaled, ratio
        if ratio < best[1] * 1.05:                   # hardly growing: as far as it goes
            break
        best = (scaled, ratio)
        scale = min(scale * TARGET / ratio * 1.1, _MAX_SCALE)
    return best


def recolour(source, colours):
    """Each colour of the ``light`` theme in ``source`` replaced by its role's colour."""
    light = THEMES["light"]
    mapping = {light[role].lower(): colours[role] for role in light if role in colours}
    if len(mapping) != len(light):          # two roles share a colour: cannot tell them apart
        raise AssertionError(message("err.light-theme"))
    return re.sub(r'"(#[0-9a-fA-F]{6}|white)"',
                  lambda m: '"' + mapping.get(m.group(1).lower(), m.group(1)) + '"', source)


def scale_fonts(source, scale):
    """Every font size in DOT ``source`` (``fontsize=`` and HTML labels' ``POINT-SIZE``)
    multiplied by ``scale``."""
    def bigger(m):
        return f"{m.group(1)}{float(m.group(2)) * scale:.2f}{m.group(3)}"
    return re.sub(r'(fontsize="?|POINT-SIZE=")([\d.]+)("?)', bigger, source)


def _graph_attribute(source, attribute, pen=None):
    """``source`` with graph-wide settings added just after its first line."""
    first, rest = source.split("\n", 1)
    lines = []
    if attribute:
        lines.append(f"  graph [{attribute}];")
    if pen:
        lines += [f"  node [penwidth={pen:g}];", f"  edge [penwidth={pen:g}];"]
    return "\n".join([first, *lines, rest])


# ---- measuring: how large the text is on a slide ----------------------------------------

_SIZE = re.compile(r'<svg[^>]*?\swidth="([\d.]+)pt"[^>]*?\sheight="([\d.]+)pt"', re.S)
_FONT = re.compile(r'<text[^>]*?font-size="([\d.]+)"')


def type_ratio(svg):
    """The smallest text's height as a share of the slide's, with the drawing fitted
    to a 16:9 slide: ``font size / max(height, width · 9/16)``.

    A figure shown at the slide's full height keeps its proportions, so its text is
    ``font size / drawing height`` of the slide; a figure wider than 16:9 is fitted
    to the slide's width instead, and its text is smaller by as much. (Sizes are the
    SVG's points: the font size is the em, a little more than a capital letter.)"""
    size = _SIZE.search(svg)
    if size is None:
        raise ValueError(message("err.type-ratio"))
    width, height = float(size.group(1)), float(size.group(2))
    fonts = [float(f) for f in _FONT.findall(svg)]
    if not fonts:
        return 0.0
    return min(fonts) / max(height, width / SLIDE_RATIO)


def with_dpi(png, dpi):
    """A PNG that says its resolution: a ``pHYs`` chunk (pixels per metre) after
    the header, replacing any the file had."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(message("err.not-png"))
    chunks, i = [], 8
    while i < len(png):
        length, kind = struct.unpack(">I4s", png[i:i + 8])
        if kind != b"pHYs":
            chunks.append(png[i:i + 12 + length])
        i += 12 + length
    per_metre = round(dpi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    phys = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    return png[:8] + chunks[0] + phys + b"".join(chunks[1:])
