"""tracegrad.lax: the primitives, like ``jax.lax``.

Every differentiable operation in tracegrad is one of these. Each is a
:class:`tracegrad.core.Primitive` holding its NumPy implementation, its JVP
rule, its VJP rule and its local derivative as text. ``tracegrad.numpy``
builds NumPy's functions out of them; :func:`primitives` lists them.

Files, one per family: ``elementwise.py``, ``shape.py`` (with the sum, the
transpose of broadcasting), ``reductions.py``, ``linalg.py``, ``indexing.py``.
"""
import builtins

from ..core import Primitive
from .elementwise import elementwise
from .elementwise import (abs, acos, add, asin, atan, atan2, cos, cosh, div, exp, expm1,
                          integer_pow, log, log1p, logistic, max, min, mul, neg, pow, select,
                          softplus,
                          sign, sin,
                          sinh, sqrt, square, sub, tan, tanh)
from .indexing import getitem, index_add, index_set
from .linalg import batch_matmul, einsum, matmul
from .reductions import argmax, argmin, reduce_max, reduce_min
from .shape import (astype, broadcast_to, concatenate, reduce_sum, reshape,
                    stop_gradient, transpose)

__all__ = ["Primitive", "elementwise", "primitives", "abs", "acos", "add", "asin", "atan", "atan2", "cos", "cosh",
           "div", "exp", "expm1", "integer_pow", "log", "log1p", "logistic", "max", "min", "mul", "neg",
           "pow", "select", "sign", "sin", "softplus", "sinh", "sqrt", "square", "sub", "tan", "tanh",
           "getitem", "index_add", "index_set", "batch_matmul", "einsum", "matmul",
           "argmax", "argmin", "reduce_max", "reduce_min", "astype", "broadcast_to",
           "concatenate", "reduce_sum", "reshape", "stop_gradient", "transpose"]


class PrimitiveTable(list):
    """The list of primitives; shows as a table in Jupyter and in print()."""

    def _rows(self):
        for p in self:
            yield p.name, "; ".join(p.formulas) if p.differentiable else "not differentiable", \
                (p.__doc__ or "").split("\n")[0]

    def __repr__(self):
        rows = list(self._rows())
        w = builtins.max(len(r[0]) for r in rows)
        v = builtins.max(len(r[1]) for r in rows)
        lines = [f"{'primitive':<{w}}  {'local derivative(s)':<{v}}  meaning"]
        lines += [f"{n:<{w}}  {f:<{v}}  {d}" for n, f, d in rows]
        return "\n".join(lines)

    def _repr_html_(self):
        from html import escape
        body = "".join(f"<tr><td><code>{escape(n)}</code></td><td>{escape(f)}</td>"
                       f"<td>{escape(d)}</td></tr>" for n, f, d in self._rows())
        return ("<table><thead><tr><th>primitive</th><th>local derivative(s)</th>"
                f"<th>meaning</th></tr></thead><tbody>{body}</tbody></table>")


def primitives():
    """All primitives, sorted by name, with their derivative formulas."""
    found = {p.name: p for p in globals().values() if isinstance(p, Primitive)}
    return PrimitiveTable(found[name] for name in sorted(found))
