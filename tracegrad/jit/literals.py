"""Values written as Python source: numbers, tuples, slices, dtypes, small arrays,
and the output's structure (``[(dW, db), ...]``)."""
from __future__ import annotations

import math

import numpy as np


def literal_text(value, lit):
    """A Python value (a number, a tuple of them, a slice, a dtype) as source text,
    or None for an array or a staged value (a constant, a variable)."""
    t = type(value)
    if value is None or t is bool or t is str:
        return repr(value)
    if t is int or t is float:
        if t is float and not math.isfinite(value):
            return "np.nan" if value != value else ("np.inf" if value > 0 else "(-np.inf)")
        return repr(value) if value >= 0 else f"({value!r})"
    if t is tuple:
        inner = ", ".join(lit(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if t is list:
        return "[" + ", ".join(lit(v) for v in value) + "]"
    if t is slice:
        return f"slice({lit(value.start)}, {lit(value.stop)}, {lit(value.step)})"
    if value is Ellipsis:
        return "..."
    if isinstance(value, np.dtype):
        return f"np.{value.name}" if getattr(np, value.name, None) is value.type \
            else f"np.dtype({value.str!r})"
    if isinstance(value, type) and getattr(np, value.__name__, None) is value:
        return f"np.{value.__name__}"
    if isinstance(value, (np.floating, np.integer, np.bool_)) and np.isfinite(value):
        text = repr(value.item())
        if isinstance(value, np.bool_):
            return f"np.{text}_"
        return f"np.{type(value).__name__}({text})"
    return None


WRITTEN_OUT = 100          # constants with at most this many numbers are written in the source


def literal(value):
    """``np.array([0.5, 1.0], dtype=np.float64)``: a constant as exact source text, or
    None when it is too big to read (or not numbers). Python's repr of a float reads
    back as the very same float, so the written constant is the constant."""
    if not isinstance(value, (np.ndarray, np.generic)) or value.dtype.kind not in "biuf" \
            or value.size > WRITTEN_OUT or not value.dtype.isnative:
        return None
    dtype = value.dtype.name
    if getattr(np, dtype, None) is not value.dtype.type:
        return None

    def text(v):
        if isinstance(v, list):
            return "[" + ", ".join(text(x) for x in v) + "]"
        if isinstance(v, float) and not math.isfinite(v):
            return "np.nan" if v != v else "np.inf" if v > 0 else "-np.inf"
        return repr(v)

    if isinstance(value, np.generic):
        return f"np.{dtype}({text(value.item())})"
    first = value.flat[0] if value.size else None
    if value.size > 1 and (value == first).all() and (
            value.dtype.kind != "f" or (np.signbit(value) == np.signbit(first)).all()):
        # one number everywhere (1/n of a mean's gradient): np.full((16, 1), 0.0625)
        return f"np.full({value.shape}, {text(first.item())}, dtype=np.{dtype})"
    return f"np.array({text(value.tolist())}, dtype=np.{dtype})"


def structure_text(treedef, names):
    """The output written as Python: ``[(dW, db), ...]``; None for unusual structures."""
    kind = treedef.kind
    if kind == "leaf":
        return next(names)
    if kind == "none":
        return "None"
    if kind == "namedtuple" or (kind == "dict" and not all(
            type(k) in (str, int) for k in treedef.meta)):
        return None
    children = [structure_text(c, names) for c in treedef.children]
    if None in children:
        return None
    if kind == "tuple":
        return f"({', '.join(children)}{',' if len(children) == 1 else ''})"
    if kind == "list":
        return f"[{', '.join(children)}]"
    return "{" + ", ".join(f"{k!r}: {c}" for k, c in zip(treedef.meta, children)) + "}"
