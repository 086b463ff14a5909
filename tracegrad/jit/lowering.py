"""Lowering: the staged program written as NumPy source.

Three steps, each a method of :class:`_Writer`: keep what the outputs and the
guards need (dead code elimination), name every value (the user's names where
known, ``t7`` otherwise), and emit one line per operation, with the guards
where they were recorded. The text is in the student's language: its comments
come from the words tables.
"""
from __future__ import annotations

import inspect
import keyword
import math
import re

import numpy as np

from .. import lax
from ..core import dtype_of, shape_of
from ..words import words
from .keys import describe
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


def generate(trace, inputs, out_leaves, out_tree, fun_name, signature, names=True):
    """The source of the compiled function, the namespace it runs in, its name, and
    whether it returns the output's structure itself (else a flat tuple of leaves).

    With ``names=False`` every value is written ``t7`` and every input ``arg0``,
    whatever names the trace found: the same program, plainly named.
    """
    nodes = trace.nodes
    label = (lambda node: node.name) if names else (lambda node: None)
    outs = [trace.node_of(o) for o in out_leaves]
    # Keep only what the outputs and the guards need (dead code elimination).
    needed = set()
    stack = [n for n in outs if n is not None] + [g.node for g in trace.guards]
    while stack:
        node = stack.pop()
        if node.index in needed:
            continue
        needed.add(node.index)
        for p in node.parents:
            if p is not None:
                stack.append(p)

    namespace = {"np": np}
    helpers = set()
    # the helpers of primitives from outside lax too (tg.random's philox): no local shadows one
    taken = _Names(RESERVED | {n.primitive.name for n in nodes
                                if isinstance(n.primitive, lax.Primitive)
                                and calls_helper(n.primitive, source_template(n.primitive))})
    var = {}                                   # node -> its Python name
    temporary = set()                          # the names made up: t7
    constants = {}                             # id -> name

    def lit(value):
        """A constant as source text: a literal, or the name of a stored constant."""
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
        if t is Staged:                          # a staged index: its variable
            return var[value.node]
        key = id(value)
        if key not in constants:
            read = trace.constants.original.get(key, value)    # the array it is a copy of
            wanted = trace.constant_names.get(id(read)) if names else None
            wanted = wanted[0] if wanted is not None and wanted[1] is read else "c"
            constants[key] = taken.new(_identifier(wanted))
            namespace[constants[key]] = value
        return constants[key]

    fname = taken.new(_identifier(fun_name))  # the function keeps its name; a local gives way
    params = []
    for k, node in enumerate(inputs):
        var[node] = taken.new(_identifier(node.name) if names else f"arg{k}")
        params.append(var[node])

    def name_of(node):
        if not names:
            return None
        if node.name is not None:
            return _identifier(node.name)
        of = trace.cotangent_of.get(node)
        if of is not None and of in var and var[of] not in temporary and var[of].isidentifier():
            return "d" + var[of]
        return None

    # A condition used by nothing but its guard is written inside the `if`.
    uses = {}
    for node in nodes:
        if node.index in needed:
            for p in node.parents:
                if p is not None:
                    uses[p] = uses.get(p, 0) + 1
    for n in outs:
        if n is not None:
            uses[n] = uses.get(n, 0) + 2
    for guard in trace.guards:
        uses[guard.node] = uses.get(guard.node, 0) + 1
    inline = {}

    body, phase = [], "forward"
    line_of = {}                               # node -> the line of body that computes it
    say = words()                   # the comments in the student's language (tracegrad.words)
    guards = sorted(trace.guards, key=lambda g: g.position)
    g_at = 0

    def emit_guards(upto):
        nonlocal g_at
        while g_at < len(guards) and guards[g_at].position <= upto:
            guard = guards[g_at]
            x = var[guard.node]
            if guard.kind == "bool":
                x = inline.get(guard.node, x)
                test = f"not ({x})" if guard.value and guard.node in inline else \
                    f"not {x}" if guard.value else x
                where = comment(guard.where)
                body.append(f"    if {test}:   # {say['jit.guard'].format(where=where)}")
            else:
                helpers.add("same")
                key, fields = guard.what
                what = comment(say[key].format(**fields))
                body.append(f"    if not same({x}, {lit(guard.value)}):   # "
                            + say["jit.guard at"].format(what=what, where=comment(guard.where)))
            body.append("        return RETRACE")
            g_at += 1

    for node in nodes:
        if g_at < len(guards):
            emit_guards(node.index)
        if node.primitive is None or node.index not in needed:
            continue
        if node.source != phase:
            phase = node.source
            body.append(f"    # {say['jit.' + phase + ' pass']}")
        args = [var[p] if p is not None else lit(a) for p, a in zip(node.parents, node.args)]
        if isinstance(node.primitive, NumpyCall):
            text = node.primitive.template(args, node.params, lit)
        else:
            template = source_template(node.primitive)
            if type(template) is str:
                text = template.format(*args, **{k: lit(v) for k, v in node.params.items()}) \
                    if node.params else template.format(*args)
                if calls_helper(node.primitive, template):
                    helpers.add(node.primitive)
            else:
                text = template(args, node.params, lit, node.args)
        if (uses.get(node) == 1 and label(node) is None and isinstance(node.primitive, NumpyCall)
                and any(g.node is node and g.kind == "bool" for g in guards)):
            inline[node] = var[node] = text
            continue
        if text in args and text.isidentifier():     # the same value again (x¹, stop_gradient)
            var[node] = text
            continue
        same = _times_one(node)
        if same is not None:                      # g · 1 (a backward pass's seed): g itself
            if line_of.get(same) is not None and uses.get(same) == 1 and var[same] in temporary \
                    and name_of(node) is not None:   # the name it would have had: dy, not t5
                old, var[same] = var[same], taken.new(name_of(node))
                temporary.discard(old)
                body[line_of[same]] = f"    {var[same]} = " + body[line_of[same]].split(" = ", 1)[1]
            var[node] = var[same]
            continue
        if (uses.get(node) == 1 and label(node) is None and text.endswith(".T")
                and text[:-2].isidentifier()):      # a transpose used once: x.T @ g, inline
            var[node] = text
            continue
        wanted = name_of(node)
        var[node] = taken.new(wanted or f"t{node.index}")
        if wanted is None:
            temporary.add(var[node])
        line_of[node] = len(body)
        body.append(f"    {var[node]} = {text}")
    emit_guards(len(nodes))

    # Every call returns arrays of its own: not an input, a constant or an
    # earlier output (x * 1.0 is x itself above, and NumPy's views share memory).
    shared = [n.out for n in inputs] + [v for v in namespace.values() if type(v) is np.ndarray]
    returned = []
    for n, o in zip(outs, out_leaves):
        text = var[n] if n is not None else lit(trace.value_of(o))
        value = trace.value_of(o)
        if type(value) is np.ndarray and (text in returned or text in params or n is None
                                           or any(np.may_share_memory(value, a) for a in shared)):
            text = f"{text}.copy()" if text.isidentifier() else f"({text}).copy()"
        returned.append(text)
    structure = _structure_text(out_tree, iter(returned))
    if structure is None:
        body.append(f"    return ({', '.join(returned)}{',' if len(returned) == 1 else ''})")
    else:
        body.append(f"    return {structure}")
    head = ["# " + say["jit.header"].format(name=fun_name, signature=signature),
            "# " + say["jit.transpose"], ""]
    for used in sorted(helpers, key=lambda h: "same" if h == "same" else h.name):
        if used == "same":
            head += [SAME.format(doc=say["jit.same"]), ""]
            continue
        definition, reads = helper(used)
        head += [definition, ""]
        namespace.update(reads)
    # The constants, written out, so that the source is complete: exec(source, {"np": np})
    # runs it. One too big to read is listed instead (source.namespace holds it). The
    # compiled code reads them all from its namespace: `code`, the text without them.
    written = [(n, _literal(namespace[n])) for n in constants.values()]
    block = [f"{n} = {text}" for n, text in written if text is not None]
    at = len(head)                             # where the block goes: before the def
    head.append(f"def {fname}({', '.join(params)}):")
    if written:                  # what they are, at a glance; where the big ones are
        shown = ", ".join(f"{n} {describe(namespace[n])}"
                          + (" (source.namespace)" if text is None else "")
                          for n, text in written)
        head.append("    # " + say["jit.constants"].format(shown=shown))
    lit = None             # it calls itself: unlink it, so no cycle keeps the trace alive
    text = Source("\n".join(head[:at] + (block + [""] if block else []) + head[at:] + body)
                  + "\n")
    text.code = "\n".join(head + body) + "\n"
    return text, namespace, fname, structure is not None


WRITTEN_OUT = 100          # constants with at most this many numbers are written in the source


def _literal(value):
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


def same_values(namespace, other):
    """Do two generated programs' namespaces hold the same values (arrays equal,
    dtypes and shapes too; anything else the very same object)?"""
    for name, value in namespace.items():
        if name not in other:
            return False
        theirs = other[name]
        if isinstance(value, np.ndarray):
            if not (isinstance(theirs, np.ndarray) and value.dtype == theirs.dtype
                    and np.array_equal(value, theirs, equal_nan=value.dtype.kind in "fc")):
                return False
        elif inspect.isfunction(value):          # a helper (its source is in the text)
            if getattr(theirs, "__name__", None) != value.__name__:
                return False
        elif value is not theirs and not (type(value) is type(theirs) and value == theirs):
            return False
    return True


def _structure_text(treedef, names):
    """The output written as Python: ``[(dW, db), ...]``; None for unusual structures."""
    kind = treedef.kind
    if kind == "leaf":
        return next(names)
    if kind == "none":
        return "None"
    if kind == "namedtuple" or (kind == "dict" and not all(
            type(k) in (str, int) for k in treedef.meta)):
        return None
    children = [_structure_text(c, names) for c in treedef.children]
    if None in children:
        return None
    if kind == "tuple":
        return f"({', '.join(children)}{',' if len(children) == 1 else ''})"
    if kind == "list":
        return f"[{', '.join(children)}]"
    return "{" + ", ".join(f"{k!r}: {c}" for k, c in zip(treedef.meta, children)) + "}"


def comment(text):
    return str(text).replace("\n", " ")


RETRACE = type("Retrace", (), {"__repr__": lambda self: "RETRACE",
                               "__doc__": "Returned by compiled code whose guard failed."})()

