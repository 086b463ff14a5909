"""The user's code: which running frames are the user's, and where they are.

A tool that works on someone else's program keeps having to look past its own
frames to the program's. A warning should point at the student's line, not at
the line of tracegrad that noticed the problem; ``tg.jit`` names its generated
variables after the student's; the graph follows the student's lines as they
run. All of them ask the same questions of Python's frames, answered here once:

- :func:`is_users`: is this code object the user's, or a library's?
- :func:`user_frame`: the innermost frame of the user's code now running;
- :func:`place`: ``file.py:12``, or ``f, line 12`` in a notebook cell;
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

__all__ = ["is_users", "user_frame", "place", "stacklevel_outside", "line_text", "instruction",
           "TRACEGRAD_DIR"]

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
