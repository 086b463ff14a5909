"""The options of a picture: their defaults and their checks, in one place.

``tg.graph(f, rankdir="LR")``, ``graph.with_options(...)`` and ``to_dot``
all read this table, so a default changes once and a bad value is refused
when it is given, not later when the picture is drawn.
"""
from __future__ import annotations

__all__ = ["DEFAULTS", "RANKDIRS", "SHOWN", "check", "resolve"]

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


def check(options):
    """Refuse unknown options and bad values, with the allowed ones named."""
    from ..words import LANGUAGES
    from .dot import THEMES
    unknown = set(options) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"graph: unknown option(s) {sorted(unknown)}; the options are "
                        f"{sorted(DEFAULTS)}.")
    if "theme" in options and options["theme"] not in THEMES:
        raise ValueError(f"graph: theme must be one of {sorted(THEMES)}, not "
                         f"{options['theme']!r}.")
    if options.get("rankdir") is not None and options["rankdir"] not in RANKDIRS:
        raise ValueError(f"graph: rankdir must be 'TB', 'LR', 'BT' or 'RL', not "
                         f"{options['rankdir']!r}.")
    bad = set(options.get("show", ())) - set(SHOWN)
    if bad:
        raise ValueError(f"graph: show may hold 'value', 'grad', 'tangent' and 'shape', "
                         f"not {sorted(bad)}.")
    if options.get("language") is not None and options["language"] not in LANGUAGES:
        raise ValueError(f"graph: language must be one of {sorted(LANGUAGES)}, not "
                         f"{options['language']!r}.")
    if "fold" in options and not isinstance(options["fold"], bool):
        raise ValueError(f"graph: fold must be True (draw a loop's repeated passes once) or "
                         f"False (draw every pass), not {options['fold']!r}.")
    from .render import check_renderer
    check_renderer(options.get("renderer"))
    for key in ("digits", "max_nodes"):
        value = options.get(key)
        if value is not None and not (isinstance(value, int) and value >= 1):
            raise ValueError(f"graph: {key} must be a positive whole number, not "
                             f"{options[key]!r}.")


def resolve(options, base=None):
    """``base`` (the defaults if None) updated with ``options``, checked."""
    check(options)
    return dict(DEFAULTS if base is None else base, **options)
