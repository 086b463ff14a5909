"""What both widgets share: importing the widget libraries with a clear message
when they are missing, a short repr, and one line of HTML."""
from __future__ import annotations

import importlib
from html import escape

from ..words import message

__all__ = ["need", "Described", "line_html"]


def need(module):
    """Import ``module`` (ipywidgets, anywidget), or say how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(message("err.need", module=module)) from None


class Described:
    """A widget whose repr is one short, deterministic line (nbval compares it)."""

    _description = ""

    def __repr__(self):
        return self._description

    def _repr_pretty_(self, p, cycle):
        p.text(self._description)


def line_html(text):
    """``text`` (escaped) as one line of monospace HTML."""
    return (f'<div style="font-family: monospace; font-size: 13px; padding: 4px 0">'
            f'{escape(text)}</div>')
