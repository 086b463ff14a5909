"""The names in the type hints of tracegrad's public API.

They say what a function takes and returns, for a reader and an editor; nothing
checks them when the code runs (the modules read hints as text:
``from __future__ import annotations``).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Union

import numpy as np

from .core import Tracer

# A number or an array: a NumPy array, a Python or NumPy scalar, or the traced
# value that stands for one inside a transformation.
Array = Union[np.ndarray, np.generic, float, int, Tracer]
# An Array, or nested tuples, lists, dicts and namedtuples of them (tree.py).
PyTree = Any
# A function of arrays (or pytrees of them) returning arrays (or pytrees).
Fun = Callable[..., Any]
# Which positional arguments a transformation works on: one, or several.
ArgNums = Union[int, Sequence[int]]
Shape = Sequence[int]
DTypeLike = Any                  # np.float64, "float32", np.dtype(...)
Key = np.ndarray                 # a random key: two uint32 words (tracegrad.random)

__all__ = ["Array", "PyTree", "Fun", "ArgNums", "Shape", "DTypeLike", "Key"]
