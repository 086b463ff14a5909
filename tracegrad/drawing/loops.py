"""The loops of the user's functions: which pass of which loop ran each operation.

A picture boxes each pass of a loop: one box per layer, for an MLP written
as a ``for`` loop. Each box must hold exactly the operations of its pass,
and nothing from before or after the loop, so the loops are read from the
function's source with ``ast``: a ``for`` or ``while`` statement, its header
and its body. While the program runs, two things are measured:

* **where**: which loop bodies hold the instruction that made an operation.
  The instruction's source position (line and column) says so; code before
  and after a loop, its header (``for W, b in params``) and its ``else`` are
  outside every pass.
* **which pass**: a loop starts its next pass when the interpreter jumps back
  to the loop's start. :mod:`dis` finds the loop's own backward jumps (a
  comprehension's jumps are its own, not the loop's), and a line event that
  lands on their target, coming from further down, counts one more pass.

Without the function's source (code typed at a bare ``python -c``), no loop
is found, and the operations stay in their function's box: a picture with
fewer boxes, never a wrong one.
"""
from __future__ import annotations

import ast
import bisect
import dis
import functools
import linecache

__all__ = ["Loop", "LoopTable", "loops_of"]

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


class Loop:
    """One ``for``/``while`` statement (or a comprehension, which owns its jumps
    but is not drawn as passes)."""

    __slots__ = ("line", "span", "body", "parent", "drawn")

    def __init__(self, node, parent):
        self.line = node.lineno                       # names the loop in the record
        self.span = ((node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset))
        self.parent = parent
        self.drawn = not isinstance(node, _COMPREHENSIONS)
        if self.drawn:
            first, last = node.body[0], node.body[-1]
            self.body = ((first.lineno, first.col_offset), (last.end_lineno, last.end_col_offset))
        else:
            self.body = self.span

    def inside(self, loop):
        """Is this loop ``loop`` or nested in it?"""
        while self is not None:
            if self is loop:
                return True
            self = self.parent
        return False


def _contains(span, position):
    start, end = span
    return start <= position <= end


class LoopTable:
    """The loops of one code object and the offsets that start their next pass."""

    def __init__(self, code, loops):
        self.loops = loops
        self.restarts = {}                             # jump target offset -> Loop
        self._positions = {}                           # offset -> (line, column)
        for ins in dis.get_instructions(code):
            where = _position(ins)
            if where is not None:
                self._positions[ins.offset] = where
            if (isinstance(ins.argval, int) and ins.argval <= ins.offset
                    and "JUMP" in ins.opname and where is not None):
                owner = None
                for loop in loops:                    # pre-order: the last match is innermost
                    if _contains(loop.span, where):
                        owner = loop
                if owner is not None and owner.drawn:
                    self.restarts[ins.argval] = owner
        self._offsets = sorted(self._positions)
        self._inside = {}

    def bodies_at(self, offset):
        """The drawn loops whose body holds the instruction at ``offset``, outermost first."""
        found = self._inside.get(offset)
        if found is None:
            # A running call may stand on one of its instruction's inline caches, which
            # dis does not list: the instruction is the last one at or before offset.
            k = bisect.bisect_right(self._offsets, offset) - 1
            where = self._positions.get(self._offsets[k]) if k >= 0 else None
            found = () if where is None else tuple(
                loop for loop in self.loops if loop.drawn and _contains(loop.body, where))
            self._inside[offset] = found
        return found


def _position(ins):
    positions = getattr(ins, "positions", None)          # Python 3.11+
    if positions is not None and positions.lineno is not None:
        return (positions.lineno, positions.col_offset or 0)
    line = getattr(ins, "starts_line", None)
    return None if not isinstance(line, int) or line is True else (line, 0)


@functools.lru_cache(maxsize=512)
def loops_of(code):
    """The :class:`LoopTable` of a code object, or None when it has no loops
    (or its source cannot be read)."""
    node = _function_node(code)
    if node is None:
        return None
    loops = []

    def visit(node, parent):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _SCOPES):
                continue                               # another code object, another table
            if isinstance(child, (ast.For, ast.AsyncFor, ast.While) + _COMPREHENSIONS):
                loop = Loop(child, parent)
                loops.append(loop)
                visit(child, loop)
            else:
                visit(child, parent)

    visit(node, None)
    return LoopTable(code, loops) if any(loop.drawn for loop in loops) else None


def _function_node(code):
    if code.co_name.startswith("<"):                   # lambdas hold no loop statements
        return None
    tree = _parse(code.co_filename, "".join(linecache.getlines(code.co_filename)))
    if tree is None:
        return None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == code.co_name:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            if code.co_firstlineno in (node.lineno, first):
                return node
    return None


@functools.lru_cache(maxsize=64)
def _parse(filename, source):
    if not source:
        return None
    try:
        return ast.parse(source, filename)
    except (SyntaxError, ValueError):
        return None
