"""Lowering: the staged program written as NumPy source.

Three steps, each a method of :class:`_Writer`: keep what the outputs and the
guards need (dead code elimination), name every value (the user's names where
known, ``t7`` otherwise), and emit one line per operation, with the guards
where they were recorded. The text is in the student's language: its comments
come from the words tables.
"""
from __future__ import annotations

import keyword
import re

import numpy as np

from .. import lax
from ..core import dtype_of, shape_of
from ..words import words
from .keys import describe
from .literals import literal, literal_text, structure_text
from .showing import Source
from .staged import Staged
from .templates import RESERVED, SAME, NumpyCall, calls_helper, helper, source_template

_NOT_NAME = re.compile(r"[\W_]+")           # what separates the words of a name


def _identifier(text):
    """``params[0]['w']`` -> ``params_0_w``: a valid Python name."""
    if text.isascii() and text.isidentifier() and not keyword.iskeyword(text) \
            and "__" not in text and text[0] != "_" and text[-1] != "_":
        return text                              # already one (the usual case)
    out = "_".join(part for part in _NOT_NAME.split(text) if part) or "v"
    return "v_" + out if out[0].isdigit() or keyword.iskeyword(out) else out


class _Names:
    """Unique Python names: the user's where known, ``t7`` otherwise."""

    def __init__(self, reserved):
        self.reserved, self.taken = reserved, set()
        self.counts = {}                         # wanted -> the next suffix to try

    def new(self, wanted):
        if wanted not in self.taken and wanted not in self.reserved:   # the usual case
            self.taken.add(wanted)
            return wanted
        name, k = wanted, self.counts.get(wanted, 1)
        while name in self.taken or name in self.reserved:
            name, k = f"{wanted}_{k}", k + 1
        self.counts[wanted] = k
        self.taken.add(name)
        return name


def generate(program, trace, fun_name, signature, names=True):
    """The source of the compiled function, the namespace it runs in, its name, and
    whether it returns the output's structure itself (else a flat tuple of leaves).

    ``program`` is what was staged; ``trace``, the JitTrace that staged it, adds
    its guards and the names it found. With ``names=False`` every value is
    written ``t7`` and every input ``arg0``, whatever names the trace found:
    the same program, plainly named.
    """
    writer = _Writer(program, trace, fun_name, names)
    writer.emit_body()
    structure = writer.emit_return()
    text = writer.source(signature)
    return text, writer.namespace, writer.fname, structure is not None


def _needed(program, guards):
    """The nodes the outputs and the guards need (dead code elimination): their indices."""
    needed = set()
    stack = [v for v in program.outvars if _is_node(v)] + [g.node for g in guards]
    while stack:
        node = stack.pop()
        if node.index in needed:
            continue
        needed.add(node.index)
        stack.extend(p for p in node.parents if p is not None)
    return needed


def _is_node(v):
    return hasattr(v, "parents") and hasattr(v, "primitive")


class _Writer:
    """Writes one program as the body of a Python function, line by line.

    ``var[node]`` is the Python text of each value (a name, or text written in
    place); ``body`` the function's lines; ``namespace`` what the code reads
    besides its arguments (constants, helpers).
    """

    def __init__(self, program, trace, fun_name, names):
        self.program, self.trace, self.names, self.fun_name = program, trace, names, fun_name
        self.guards = sorted(trace.guards, key=lambda g: g.position)
        self.needed = _needed(program, trace.guards)
        self.namespace, self.helpers = {"np": np}, set()
        # the helpers of primitives from outside lax too (tg.random's philox): no local
        # shadows one
        self.taken = _Names(RESERVED | {n.primitive.name for n in program.equations
                                        if isinstance(n.primitive, lax.Primitive)
                                        and calls_helper(n.primitive,
                                                         source_template(n.primitive))})
        self.var, self.temporary, self.constants = {}, set(), {}     # constants: id -> name
        self.inline, self.line_of, self.body = {}, {}, []
        self.say = words()          # the comments in the student's language (tracegrad.words)
        self.fname = self.taken.new(_identifier(fun_name))   # a local gives way to it
        self.params = []
        for k, node in enumerate(program.invars):
            self.var[node] = self.taken.new(_identifier(node.name) if names else f"arg{k}")
            self.params.append(self.var[node])
        self.uses = self._count_uses()

    def _count_uses(self):
        """How often each node is read (an output counts twice: it must keep a name)."""
        uses = {}
        for node in self.program.nodes:
            if node.index in self.needed:
                for p in node.parents:
                    if p is not None:
                        uses[p] = uses.get(p, 0) + 1
        for n in self.program.outvars:
            if _is_node(n):
                uses[n] = uses.get(n, 0) + 2
        for guard in self.guards:
            uses[guard.node] = uses.get(guard.node, 0) + 1
        return uses

    # ---- names ------------------------------------------------------------------
    def label(self, node):
        return node.name if self.names else None

    def name_of(self, node):
        """The user's name for a node's value, ``d`` + name for a cotangent, or None."""
        if not self.names:
            return None
        if node.name is not None:
            return _identifier(node.name)
        of = self.trace.cotangent_of.get(node)
        var = self.var
        if of is not None and of in var and var[of] not in self.temporary \
                and var[of].isidentifier():
            return "d" + var[of]
        return None

    def lit(self, value):
        """A constant as source text: a literal, or the name of a stored constant."""
        text = literal_text(value, self.lit)
        if text is not None:
            return text
        if type(value) is Staged:                 # a staged index: its variable
            return self.var[value.node]
        key = id(value)
        if key not in self.constants:
            trace = self.trace
            read = trace.constants.original.get(key, value)    # the array it is a copy of
            wanted = trace.constant_names.get(id(read)) if self.names else None
            wanted = wanted[0] if wanted is not None and wanted[1] is read else "c"
            self.constants[key] = self.taken.new(_identifier(wanted))
            self.namespace[self.constants[key]] = value
        return self.constants[key]

    # ---- the body -------------------------------------------------------------------
    def emit_body(self):
        """One line per needed equation, with the guards where they were recorded."""
        self.g_at, phase = 0, "forward"
        for node in self.program.nodes:
            if self.g_at < len(self.guards):
                self.emit_guards(node.index)
            if node.primitive is None or node.index not in self.needed:
                continue
            if node.source != phase:
                phase = node.source
                self.body.append(f"    # {self.say['jit.' + phase + ' pass']}")
            self.emit(node)
        self.emit_guards(len(self.program.nodes))

    def emit_guards(self, upto):
        """The guards recorded before node ``upto``: ``if ...: return RETRACE``."""
        guards, say, body = self.guards, self.say, self.body
        while self.g_at < len(guards) and guards[self.g_at].position <= upto:
            guard = guards[self.g_at]
            x = self.var[guard.node]
            if guard.kind == "bool":
                x = self.inline.get(guard.node, x)
                test = f"not ({x})" if guard.value and guard.node in self.inline else \
                    f"not {x}" if guard.value else x
                where = comment(guard.where)
                body.append(f"    if {test}:   # {say['jit.guard'].format(where=where)}")
            else:
                self.helpers.add("same")
                key, fields = guard.what
                what = comment(say[key].format(**fields))
                body.append(f"    if not same({x}, {self.lit(guard.value)}):   # "
                            + say["jit.guard at"].format(what=what, where=comment(guard.where)))
            body.append("        return RETRACE")
            self.g_at += 1

    def text_of(self, node, args):
        """The NumPy text that computes ``node`` from its arguments' texts."""
        if isinstance(node.primitive, NumpyCall):
            return node.primitive.template(args, node.params, self.lit)
        template = source_template(node.primitive)
        if type(template) is not str:
            return template(args, node.params, self.lit, node.args)
        if calls_helper(node.primitive, template):
            self.helpers.add(node.primitive)
        if not node.params:
            return template.format(*args)
        return template.format(*args, **{k: self.lit(v) for k, v in node.params.items()})

    def emit(self, node):
        """Write one equation: as a line ``name = text``, or in place where it is read."""
        var = self.var
        args = [var[p] if p is not None else self.lit(a) for p, a in zip(node.parents, node.args)]
        text = self.text_of(node, args)
        once = self.uses.get(node) == 1 and self.label(node) is None
        if once and isinstance(node.primitive, NumpyCall) and any(
                g.node is node and g.kind == "bool" for g in self.guards):
            self.inline[node] = var[node] = text       # a condition: written in its `if`
            return
        if text in args and text.isidentifier():     # the same value again (x¹, stop_gradient)
            var[node] = text
            return
        same = _times_one(node)
        if same is not None:                      # g · 1 (a backward pass's seed): g itself
            self._rename(same, node)
            var[node] = var[same]
            return
        if once and text.endswith(".T") and text[:-2].isidentifier():
            var[node] = text                       # a transpose used once: x.T @ g, in place
            return
        wanted = self.name_of(node)
        var[node] = self.taken.new(wanted or f"t{node.index}")
        if wanted is None:
            self.temporary.add(var[node])
        self.line_of[node] = len(self.body)
        self.body.append(f"    {var[node]} = {text}")

    def _rename(self, same, node):
        """``node`` is ``same`` · 1: give ``same``'s line the name ``node`` would have
        had (dy, not t5), if ``same`` has a made-up name and no other use."""
        var, line = self.var, self.line_of.get(same)
        if line is None or self.uses.get(same) != 1 or var[same] not in self.temporary \
                or self.name_of(node) is None:
            return
        old, var[same] = var[same], self.taken.new(self.name_of(node))
        self.temporary.discard(old)
        self.body[line] = f"    {var[same]} = " + self.body[line].split(" = ", 1)[1]

    def emit_return(self):
        """The return line. Every call returns arrays of its own: not an input, a
        constant or an earlier output (x * 1.0 is x itself above, and NumPy's views
        share memory). Returns the output's structure as text, or None."""
        shared = [n.out for n in self.program.invars] + [
            v for v in self.namespace.values() if type(v) is np.ndarray]
        returned = []
        for o in self.program.outvars:
            node = o if _is_node(o) else None
            value = node.out if node is not None else o
            text = self.var[node] if node is not None else self.lit(o)
            if type(value) is np.ndarray and (
                    text in returned or text in self.params or node is None
                    or any(np.may_share_memory(value, a) for a in shared)):
                text = f"{text}.copy()" if text.isidentifier() else f"({text}).copy()"
            returned.append(text)
        structure = structure_text(self.program.out_tree, iter(returned))
        if structure is None:
            self.body.append(
                f"    return ({', '.join(returned)}{',' if len(returned) == 1 else ''})")
        else:
            self.body.append(f"    return {structure}")
        return structure

    # ---- the head, and the whole text ------------------------------------------------
    def source(self, signature):
        """The whole text: header, helpers, constants written out, ``def``, body."""
        say, namespace = self.say, self.namespace
        head = ["# " + say["jit.header"].format(name=self.fun_name, signature=signature),
                "# " + say["jit.transpose"], ""]
        for used in sorted(self.helpers, key=lambda h: "same" if h == "same" else h.name):
            if used == "same":
                head += [SAME.format(doc=say["jit.same"]), ""]
                continue
            definition, reads = helper(used)
            head += [definition, ""]
            namespace.update(reads)
        # The constants, written out, so that the source is complete: exec(source,
        # {"np": np}) runs it. One too big to read is listed instead (source.namespace
        # holds it). The compiled code reads them all from its namespace: `code`, the
        # text without them.
        written = [(n, literal(namespace[n])) for n in self.constants.values()]
        block = [f"{n} = {text}" for n, text in written if text is not None]
        at = len(head)                             # where the block goes: before the def
        head.append(f"def {self.fname}({', '.join(self.params)}):")
        if written:                  # what they are, at a glance; where the big ones are
            shown = ", ".join(f"{n} {describe(namespace[n])}"
                              + (" (source.namespace)" if text is None else "")
                              for n, text in written)
            head.append("    # " + say["jit.constants"].format(shown=shown))
        text = Source("\n".join(head[:at] + (block + [""] if block else []) + head[at:]
                                + self.body) + "\n")
        text.code = "\n".join(head + self.body) + "\n"
        return text


def _times_one(node):
    """The parent node when ``node`` is ``x * 1`` with x's own shape and dtype, else None.

    Multiplying by one changes nothing (not even nan, inf or -0.0), so the
    generated code uses x itself: a backward pass starts from the seed 1.0.
    """
    if node.primitive is not lax.mul:
        return None
    (p, q), (a, b) = node.parents, node.args
    x, one = (p, b) if q is None else (q, a) if p is None else (None, None)
    if x is None or type(one) not in (int, float, np.float64, np.float32, np.float16) \
            or one != 1 or shape_of(x.out) != shape_of(node.out) \
            or dtype_of(x.out) != dtype_of(node.out):
        return None
    return x


def comment(text):
    return str(text).replace("\n", " ")


RETRACE = type("Retrace", (), {"__repr__": lambda self: "RETRACE",
                               "__doc__": "Returned by compiled code whose guard failed."})()

