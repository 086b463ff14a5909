"""The options of a picture: their defaults and their checks, in one place.

``tg.graph(f, rankdir="LR")``, ``graph.with_options(...)`` and ``to_dot``
all read this table, so a default changes once and a bad value is refused
when it is given, not later when the picture is drawn.
"""
from __future__ import annotations

from ..words import LANGUAGES, message
from .render import check_renderer

__all__ = ["DEFAULTS", "RANKDIRS", "SHOWN", "THEMES", "check", "resolve"]

DEFAULTS = dict(
    rankdir=None,                 # None: chosen from the graph's shape ("TB" or "LR")
    theme="light",
    show=("value", "grad"),
    edge_labels=False,            # label edges with local derivatives: the chain-rule view
    digits=4,
    max_nodes=None,               # draw at most this many boxes; None: automatic (300 boxes,
                                  # and a long chain shown by its first and last parts)
    fold=True,                    # a loop's repeated passes drawn once, "× 32" (False: all)
    collapse=(),                  # names of functions to draw as boxes, or True for all
    highlight=(),
    caption=(),
    language=None,                # "en" or "uk"; None: tracegrad.words.language()
    renderer=None,                # "dot", "browser", "text" or "auto"; None: tg.set_renderer's
)
RANKDIRS = ("TB", "LR", "BT", "RL")
SHOWN = ("value", "grad", "tangent", "shape")

# The colours of each theme, by role (dot.py draws with them)
THEMES = {
    "light": dict(bg="white", font="#222222", value="#222223", edge="#555555", border="#666666",
                  input="#cfe3ff", constant="#eeeeee", op="#ffffff", output="#ffd8a8",
                  backward="#e3f4e1", grad="#b3261e", tangent="#1b5e20",
                  highlight="#c2410c", cluster="#f7f7f7", cluster_border="#bbbbbb",
                  collapsed="#fff4cc"),
    "dark": dict(bg="#111111", font="#eeeeee", value="#eeeeef", edge="#aaaaaa", border="#bbbbbb",
                 input="#1f3b63", constant="#333333", op="#1e1e1e", output="#6b3d0e",
                 backward="#173d1a", grad="#ff8a80", tangent="#9be39f",
                 highlight="#ffa94d", cluster="#1a1a1a", cluster_border="#555555",
                 collapsed="#4d4000"),
}


def check(options):
    """Refuse unknown options and bad values, with the allowed ones named."""
    unknown = set(options) - set(DEFAULTS)
    if unknown:
        raise TypeError(message("err.graph-option", unknown=sorted(unknown),
                                options=sorted(DEFAULTS)))
    if "theme" in options and options["theme"] not in THEMES:
        raise ValueError(message("err.graph-theme", themes=sorted(THEMES),
                                 theme=repr(options["theme"])))
    if options.get("rankdir") is not None and options["rankdir"] not in RANKDIRS:
        raise ValueError(message("err.graph-rankdir", rankdir=repr(options["rankdir"])))
    bad = set(options.get("show", ())) - set(SHOWN)
    if bad:
        raise ValueError(message("err.graph-show", bad=sorted(bad)))
    if options.get("language") is not None and options["language"] not in LANGUAGES:
        raise ValueError(message("err.graph-language", languages=sorted(LANGUAGES),
                                 name=repr(options["language"])))
    if "fold" in options and not isinstance(options["fold"], bool):
        raise ValueError(message("err.graph-fold", fold=repr(options["fold"])))
    check_renderer(options.get("renderer"))
    for key in ("digits", "max_nodes"):
        value = options.get(key)
        if value is not None and not (isinstance(value, int) and value >= 1):
            raise ValueError(message("err.graph-positive", option=key,
                                     value=repr(options[key])))


def resolve(options, base=None):
    """``base`` (the defaults if None) updated with ``options``, checked."""
    check(options)
    return dict(DEFAULTS if base is None else base, **options)
