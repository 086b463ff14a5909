"""The user's code: which running frames are the user's, and where they are.

A tool that works on someone else's program keeps having to look past its own
frames to the program's. A warning should point at the student's line, not at
the line of tracegrad that noticed the problem; ``tg.jit`` names its generated
variables after the student's; the graph follows the student's lines as they
run. All of them ask the same questions of Python's frames, answered here once:

- :func:`is_users`: is this code object the user's, or a library's?
- :func:`user_frame`: the innermost frame of the user's code now running;
- :func:`place`: ``file.py:12``, or ``f, line 12`` in a notebook cell;
- :func:`location`: that place for the innermost user frame, with the library
  function it called (``f, line 4 (in tracegrad.numpy.where)``);
- :func:`running`: is one of these functions among the callers (``print(x)``)?
- :func:`stacklevel_outside`: the ``stacklevel`` that makes ``warnings.warn``
  point at the first line outside tracegrad;
- :func:`line_text`, :func:`instruction`: what the frame is running, as source
  text and as the bytecode instruction (``preds[i] = x`` is a ``STORE_SUBSCR``).

A frame is Python's record of one running call: its code (``f_code``), its
current line (``f_lineno``), its local variables (``f_locals``) and its caller
(``f_back``). ``sys._getframe()`` returns the running one.
"""
from __future__ import annotations

import linecache
import os
import sysconfig

import numpy as np

from .words import said

__all__ = ["is_users", "user_frame", "place", "location", "running", "stacklevel_outside",
           "line_text", "instruction", "TRACEGRAD_DIR"]

TRACEGRAD_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_LIBRARY_DIRS = tuple(os.path.normcase(d) for d in (
    TRACEGRAD_DIR, os.path.dirname(os.path.abspath(np.__file__)) + os.sep))
_STDLIB = os.path.normcase(sysconfig.get_paths()["stdlib"])

_known = {}                                # code object -> is it the user's? (a cache)


def is_users(code):
    """Is ``code`` (a function's code object) the user's own, not a library's?

    Decided by its file: not tracegrad, NumPy, the standard library or an
    installed package. A notebook cell's file is a temporary one: the user's.
    """
    mine = _known.get(code)
    if mine is None:
        filename = os.path.normcase(code.co_filename)
        mine = _known[code] = not (
            filename.startswith(_LIBRARY_DIRS) or filename.startswith(_STDLIB)
            or "site-packages" in filename or filename.startswith("<frozen"))
    return mine


def user_frame(frame):
    """The first frame of the user's code from ``frame`` outwards, or ``None``."""
    while frame is not None and not is_users(frame.f_code):
        frame = frame.f_back
    return frame


def place(code, lineno):
    """``file.py:12``; in a notebook cell, whose file is a temporary one, ``f, line 12``."""
    filename = code.co_filename
    if "ipykernel_" in filename or filename.startswith("<"):
        return said("usercode.cell line", name=code.co_name, line=lineno)
    return f"{os.path.basename(filename)}:{lineno}"


def location(frame, quiet=()):
    """:func:`place` of the innermost user frame from ``frame`` outwards, and the
    tracegrad function it called, unless that function's module starts with one of
    ``quiet`` (modules that only pass a value on); ``<unknown>`` if there is none."""
    inside = None
    while frame is not None:
        if is_users(frame.f_code):
            where = place(frame.f_code, frame.f_lineno)
            return said("usercode.inside", where=where, name=inside) if inside else where
        module = frame.f_globals.get("__name__", "")
        if inside is None and module.startswith("tracegrad.") and not module.startswith(quiet):
            inside = f"{public(module)}.{frame.f_code.co_name}"
        frame = frame.f_back
    return "<unknown>"


def public(module):
    """The name a user imports a module by: ``tracegrad.numpy._reductions`` is
    ``tracegrad.numpy`` (its families are private; the package re-exports them)."""
    parts = module.split(".")
    while len(parts) > 1 and parts[-1].startswith("_"):
        parts.pop()
    return ".".join(parts)


def running(codes, frame, depth=6):
    """Is one of ``codes`` (functions' code objects) running in ``frame`` or one of
    its ``depth`` callers?"""
    for _ in range(depth):
        if frame is None:
            return False
        if frame.f_code in codes:
            return True
        frame = frame.f_back
    return False


def stacklevel_outside(frame):
    """The ``stacklevel`` for ``warnings.warn``, called by the function whose caller is
    ``frame``, that shows the first line outside tracegrad (the user's call)."""
    level = 2                                    # 2: the frame that called the warner
    while frame.f_back is not None and frame.f_code.co_filename.startswith(TRACEGRAD_DIR):
        frame, level = frame.f_back, level + 1
    return level


def line_text(frame):
    """The source text of the line ``frame`` is running (empty if it has none)."""
    return linecache.getline(frame.f_code.co_filename, frame.f_lineno)


def instruction(frame):
    """The opcode ``frame`` is running (``dis.opname[...]`` names it): what it asked of
    the value in hand, e.g. ``STORE_SUBSCR`` for ``a[i] = value``."""
    return frame.f_code.co_code[frame.f_lasti]
