"""tracegrad.lax: the primitives, like ``jax.lax``.

Every differentiable operation in tracegrad is one of these. Each is a
:class:`tracegrad.core.Primitive` holding its NumPy implementation, its JVP
rule, its VJP rule, its local derivative as text, what it does at its special
points and where the tests try it: all in its row. ``tracegrad.numpy`` builds
NumPy's functions out of them; :func:`primitives` lists them.

Files, one per family: ``elementwise.py``, ``shape.py`` (with the sum, the
transpose of broadcasting), ``reductions.py``, ``cumulative.py``, ``indexing.py``,
and for matrices ``linalg.py`` (products), ``matrix.py`` (inverse, solve,
determinants) and ``decompositions.py``; ``control.py`` holds cond, scan and
the loops, built from them.
"""
import builtins

from ..core import Primitive
from . import (
    cumulative,
    decompositions,
    elementwise,
    indexing,
    linalg,
    matrix,
    reductions,
    shape,
)

# Every Primitive of the family files is a name of tracegrad.lax, under its own
# name: a new row in a family file is all it takes (no list to keep here).
FAMILIES = (elementwise, shape, reductions, cumulative, indexing, linalg, matrix,
            decompositions)
_PRIMITIVES = {p.name: p for family in FAMILIES for p in vars(family).values()
               if isinstance(p, Primitive)}
globals().update(_PRIMITIVES)

from .control import cond, fori_loop, full_like, scan, switch, while_loop  # noqa: E402
from .elementwise import elementwise  # noqa: E402  (the helper that makes a row: lax.elementwise)
from .linalg import batch_matmul  # noqa: E402

__all__ = ["Primitive", "elementwise", "primitives", "batch_matmul", "cond", "fori_loop",
           "full_like", "scan", "switch", "while_loop", *sorted(_PRIMITIVES)]


class PrimitiveTable(list):
    """The list of primitives; shows as a table in Jupyter and in print()."""

    # the column headers: keys of tracegrad/words/, shown in the notebook's language
    HEADER = ("table.primitive", "table.derivative", "table.meaning", "table.vmap",
              "table.special")

    def _header(self):
        from ..words import words
        w = words()
        return tuple(w[key] for key in self.HEADER)

    def _rows(self):
        from ..words import primitive_words, words
        w = words()
        for p in self:
            formulas, doc, special = primitive_words(
                p.name, p.formulas or (), (p.__doc__ or "").split("\n")[0],
                p.convention)
            yield (p.name,
                   "; ".join(formulas) if p.differentiable else w["table.not differentiable"],
                   doc,
                   w["table.rule"] if p.batch is not None else w["table.loop"],  # see vmap.py
                   special)

    def __repr__(self):
        rows = [self._header()] + list(self._rows())
        widths = [builtins.max(len(r[k]) for r in rows) for k in range(4)]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[4]
                         for r in rows)

    def _repr_html_(self):
        from html import escape
        head = "".join(f"<th>{escape(h)}</th>" for h in self._header())
        body = "".join("<tr><td><code>" + escape(r[0]) + "</code></td>"
                       + "".join(f"<td>{escape(c)}</td>" for c in r[1:]) + "</tr>"
                       for r in self._rows())
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def primitives():
    """All primitives, sorted by name: derivative formulas and special-point conventions."""
    return PrimitiveTable(_PRIMITIVES[name] for name in sorted(_PRIMITIVES))
