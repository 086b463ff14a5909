"""The program: one traced call written out as equations over variables, a jaxpr.

A trace records each primitive call as a :class:`~tracegrad.reverse.Node`,
``out = primitive(*args, **params)``, in the order the calls ran. Read in
that order the record *is* a program, straight-line, with no Python left in
it: the ``if`` took its branch and the loop ran its passes while recording.
:class:`Program` is that record with its inputs and outputs named:

    { lambda c:f64[3]; a:f64[] b:f64[3]. let
        d:f64[3] = mul a b
        e:f64[3] = mul d c
        f:f64[] = reduce_sum[axes=(0,)] e
      in (f,) }

The inputs come after the ``;`` and the constants (arrays the function read
but was not given: closed over, globals) before it, as in JAX. Each line is
one equation; a Node is both the equation and the variable it defines.

The same record is read by everything that shows or runs the computation:
``reverse.backward_pass`` walks it backwards (backpropagation), the graph
draws and lists it, the stepper replays that walk, :meth:`Program.evaluate`
runs it again on new values, and ``tg.jit`` lowers it to NumPy source. What
is drawn is, by construction, what is differentiated and what is compiled.

``tg.make_jaxpr(f)(*args)`` records ``f`` and returns its program.
"""
from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from .arguments import check_function
from .core import Tracer, concrete, new_level
from .reverse import ReverseTrace, backward_pass
from .tree import tree_flatten, tree_unflatten
from .typing import Fun
from .words import message

__all__ = ["Program", "make_jaxpr", "replay", "type_str"]

_DTYPES = {"float64": "f64", "float32": "f32", "float16": "f16", "int64": "i64",
           "int32": "i32", "int16": "i16", "int8": "i8", "uint8": "u8", "bool": "bool"}


def type_str(x):
    """``f64[]``, ``f64[3,4]``: dtype and shape, as in a jaxpr."""
    a = concrete(x)
    dtype = str(np.result_type(a))
    return f"{_DTYPES.get(dtype, dtype)}[{','.join(map(str, np.shape(a)))}]"


class Program:
    """One traced call: its inputs, its equations in order, its outputs (a jaxpr).

    * ``nodes``: the record, in order, inputs included;
    * ``invars``: the input Nodes (``primitive is None``), one per leaf of the arguments;
    * ``equations``: the Nodes of primitive calls, in the order they ran, which
      is a topological order (a value is computed before it is used);
    * ``constvars``: the arrays the equations read that no equation computed and
      no input is (closed over, globals), each once; numbers are literals;
    * ``outvars``: the Node of each output leaf, or the value itself where no
      equation computed it (``return 0.0``).
    """

    def __init__(self, nodes, invars, outvars, in_tree=None, out_tree=None, positions=None):
        self.nodes = list(nodes)
        self.invars = list(invars)
        self.outvars = list(outvars)
        # For evaluate: the call's structure, and which of its leaves are the invars.
        self.in_tree, self.out_tree, self._positions = in_tree, out_tree, positions
        self.equations = [n for n in self.nodes if n.primitive is not None]
        self.constvars, seen = [], set()
        for eq in self.equations:
            for parent, value in zip(eq.parents, eq.args):
                if parent is None and is_constvar(value) and id(value) not in seen:
                    seen.add(id(value))
                    self.constvars.append(value)

    # ---- running it again --------------------------------------------------------
    def run(self, values):
        """The outputs' values for new input values (one per invar), a list.

        The Python code that made the record is not run again: an ``if`` keeps
        the branch it took when recorded, whatever the new values (``jit``
        guards against exactly that; a replay does not). Each primitive goes
        through ``bind``, so a run can itself be traced and differentiated.
        """
        env = dict(zip(self.invars, values, strict=True))
        for eq in self.equations:
            args = [env[p] if p is not None and p in env else a
                    for p, a in zip(eq.parents, eq.args)]
            env[eq] = eq.primitive.bind(*args, **eq.params)
        return [env[v] if _is_var(v) else v for v in self.outvars]

    def evaluate(self, *args):
        """Run the program on new arguments, structured as the traced call's were.

        ``make_jaxpr(f)(x, y).evaluate(x2, y2)`` is ``f(x2, y2)`` by the record:
        like a graph built ahead of time (TensorFlow 1), not a new trace.
        """
        leaves, tree = tree_flatten(args)
        if self.in_tree is not None and tree != self.in_tree:
            raise TypeError(message("err.program-arguments", want=self.in_tree, got=tree))
        if self._positions is not None:
            leaves = [leaves[k] for k in self._positions]
        if len(leaves) != len(self.invars):
            raise TypeError(message("err.program-arguments", want=len(self.invars),
                                    got=len(leaves)))
        outs = self.run(leaves)
        return tree_unflatten(self.out_tree, outs) if self.out_tree is not None else outs

    def grads(self):
        """{node: ∂out/∂node} for a program with one scalar output (else {})."""
        if len(self.outvars) != 1 or not _is_var(self.outvars[0]) \
                or np.shape(concrete(self.outvars[0].out)) != ():
            return {}
        out = self.outvars[0]
        return backward_pass(self.nodes, {out: np.ones_like(concrete(out.out))[()]}, keep=True)

    # ---- showing it ------------------------------------------------------------------
    def text(self, values=False, grads=False, digits=4):
        """The program in JAX's jaxpr format; ``values``, ``grads``: each line's
        value and ∂output/∂value as a comment (the gradient needs a scalar output)."""
        names = JaxNames(self)
        notes = None
        if values or grads:
            cotangents = self.grads() if grads else {}
            out = names.var(self.outvars[0]) if cotangents else ""
            notes = functools.partial(_note, values=values, cotangents=cotangents,
                                      out=out, names=names, digits=digits)
        return write(self, names, notes)

    def __str__(self):
        return self.text()

    __repr__ = __str__

    def _repr_pretty_(self, p, cycle):          # IPython shows the text, not a repr
        p.text(str(self))


def is_constvar(value):
    """An array an equation reads as a constant: a constvar. A number is a literal."""
    return isinstance(value, np.ndarray) and value.ndim > 0


def _is_var(v):
    return hasattr(v, "primitive") and hasattr(v, "parents")


def _note(node, values, cotangents, out, names, digits):
    parts = []
    if values:
        parts.append(_number(node.out, digits))
    g = cotangents.get(node)
    if g is not None:
        parts.append(f"∂{out}/∂{names.var(node)} = {_number(g, digits)}")
    return "   ".join(parts)


def _number(x, digits):
    a = np.asarray(concrete(x))
    with np.printoptions(precision=digits, threshold=8, linewidth=10**6):
        return " ".join(np.array2string(a, separator=", ").split()) if a.ndim \
            else f"{a.item():.{digits}g}"


# ---------------------------------------------------------------------------
# Writing it out: names, then lines
# ---------------------------------------------------------------------------

def write(program, names, note=None):
    """The program as text. ``names`` says how variables, arguments and operations
    read (:class:`JaxNames`, or a graph's names); ``note(node)``, if given, is a
    comment for each equation and input (values, gradients), aligned in a column."""
    consts = " ".join(f"{n}:{type_str(v)}" for n, v in names.constants())
    ins = " ".join(f"{names.var(n)}:{type_str(n.out)}" for n in program.invars)
    rows = []
    for eq in program.equations:
        args = " ".join(names.arg(eq, k) for k in range(len(eq.args)))
        rows.append((f"{names.var(eq)}:{type_str(eq.out)}", f"{names.op(eq)} {args}".rstrip(),
                     note(eq) if note else ""))
    w1 = max((len(r[0]) for r in rows), default=0) if note else 0
    w2 = max((len(r[1]) for r in rows), default=0) if note else 0
    lines = [f"{{ lambda {consts}; {ins}. let"]
    for lhs, rhs, comment in rows:
        line = f"    {lhs:<{w1}} = {rhs:<{w2}}"
        lines.append(f"{line}    # {comment}" if comment else line.rstrip())
    outs = [names.var(v) if _is_var(v) else names.literal(v, v) for v in program.outvars]
    lines.append(f"  in ({', '.join(outs)}{',' if len(outs) == 1 else ''}) }}")
    for node in program.invars if note else ():
        comment = note(node)
        if comment:
            lines.append(f"# {names.var(node)} = {comment}")
    return "\n".join(lines)


def _letters(k):
    """JAX's variable names: a, b, ..., z, ba, bb, ... (k in base 26, a for 0)."""
    name = ""
    while True:
        name = chr(ord("a") + k % 26) + name
        k //= 26
        if k == 0:
            return name


class JaxNames:
    """How :func:`write` names things in JAX's format: constants, then inputs, then
    each equation's result, lettered in order; a result nothing uses is ``_``;
    numbers are literals (``2.0:f64[]``); operations by JAX's names (:func:`jax_form`)."""

    def __init__(self, program):
        used = {p for eq in program.equations for p in eq.parents if p is not None}
        used.update(v for v in program.outvars if _is_var(v))
        self._consts = {id(v): _letters(k) for k, v in enumerate(program.constvars)}
        self._const_values = list(program.constvars)
        self._vars, k = {}, len(self._consts)
        for node in program.invars + [eq for eq in program.equations if eq in used]:
            self._vars[node] = _letters(k)
            k += 1

    def constants(self):
        return [(self._consts[id(v)], v) for v in self._const_values]

    def var(self, node):
        return self._vars.get(node, "_")

    def arg(self, eq, k):
        parent, value = eq.parents[k], eq.args[k]
        if parent is not None:
            return self.var(parent)
        name = self._consts.get(id(value))
        return name if name is not None else self.literal(value, eq.out)

    @staticmethod
    def literal(value, like):
        """``2.0:f64[]``. A Python number takes the dtype of what it is used with
        (JAX's weak types), so ``x / 12`` reads ``div x 12.0:f64[]``, as in JAX."""
        if type(value) in (int, float):
            dtype = np.result_type(concrete(like))
            if dtype.kind not in "fc" and type(value) is float:
                dtype = np.float64
            value = np.asarray(value, dtype)
        a = np.asarray(concrete(value))
        shown = repr(a.item()) if a.ndim == 0 else np.array2string(a, separator=",")
        return f"{shown}:{type_str(a)}"

    @staticmethod
    def op(eq):
        name, params = jax_form(eq)
        if not params:
            return name
        return name + "[" + " ".join(f"{k}={_param(v)}" for k, v in params.items()) + "]"


def _param(v):
    if isinstance(v, np.dtype) or isinstance(v, type):
        return np.dtype(v).name
    return str(v)


# ---------------------------------------------------------------------------
# JAX's names for tracegrad's primitives
# ---------------------------------------------------------------------------
# Most primitives have JAX's name and parameters already (mul, tanh, logistic,
# integer_pow, reduce_sum, ...). Where tracegrad's differ, make_jaxpr prints
# JAX's, so a listing reads like JAX's documentation:
#
#   tracegrad                        printed as (JAX)
#   matmul (2-d and 1-d operands)    dot_general[dimension_numbers=((lhs, rhs), ([], []))]
#   integer_pow[n=2]                 integer_pow[y=2]
#   transpose[axes=p]                transpose[permutation=p]
#   reshape[shape=s]                 reshape[new_sizes=s]
#   reduce_*[axes=None]              reduce_*[axes=(0, 1)]: every axis, spelt out
#   astype[dtype=d]                  convert_element_type[new_dtype=d]
#
# Others have no one JAX primitive and keep tracegrad's name: getitem (JAX
# writes slice, squeeze, gather), select (JAX's select_n orders its cases the
# other way), einsum (dot_general and transposes), the linear algebra ones.
# Two differences in the equations themselves: tracegrad's elementwise
# primitives broadcast as NumPy does, where JAX first writes a
# broadcast_in_dim; and a Python number is a literal of the operation's dtype,
# where JAX sometimes first writes a convert_element_type of a weakly typed input.
# The program of a gradient (make_jaxpr(tg.grad(f))) is the forward pass and then
# tracegrad's own VJP rules, primitive by primitive: the same derivative as JAX's
# transposed JVPs, written with other equations (tanh's rule reads 1 − tanh², say).

def _dot_general(eq):
    a, b = (np.ndim(concrete(x)) for x in eq.args)
    if a > 2 or b > 2:                           # batched matmul: tracegrad's own name
        return "matmul", eq.params
    contract = ([a - 1], [0])
    return "dot_general", {"dimension_numbers": (contract, ([], []))}


def _reduce(eq):
    params = dict(eq.params)
    if params.get("axes") is None:
        params["axes"] = tuple(range(np.ndim(concrete(eq.args[0]))))
    elif isinstance(params["axes"], int):
        params["axes"] = (params["axes"],)
    if not params.pop("keepdims", False):
        return eq.primitive.name, params
    return eq.primitive.name, {**params, "keepdims": True}


def _renamed(new_name=None, **renames):
    def form(eq):
        params = {renames.get(k, k): v for k, v in eq.params.items()}
        return new_name or eq.primitive.name, params
    return form


_JAX_FORMS = {
    "matmul": _dot_general,
    "integer_pow": _renamed(n="y"),
    "transpose": _renamed(axes="permutation"),
    "reshape": _renamed(shape="new_sizes"),
    "reduce_sum": _reduce, "reduce_max": _reduce, "reduce_min": _reduce,
    "astype": _renamed("convert_element_type", dtype="new_dtype"),
}


def jax_form(eq):
    """``(name, params)`` of an equation as JAX writes it (see the table above)."""
    form = _JAX_FORMS.get(eq.primitive.name)
    return form(eq) if form is not None else (eq.primitive.name, eq.params)


# ---------------------------------------------------------------------------
# make_jaxpr, and replay
# ---------------------------------------------------------------------------

def make_jaxpr(fun: Fun) -> Callable[..., Program]:
    """``make_jaxpr(f)(*args) -> Program``: run ``f`` once, recording every primitive.

    Each float leaf of the arguments is an input of the program; anything else
    (an integer, a string) is taken as it is, like JAX's static arguments.
    Transformations inside ``f`` are recorded too: ``make_jaxpr(tg.grad(f))``
    is the program of the forward *and* the backward pass. ``print`` it for
    JAX's format, ``.text(values=True, grads=True)`` for the numbers as well.
    """
    check_function(fun, "make_jaxpr", "tg.make_jaxpr(f)(x)")

    @functools.wraps(fun)
    def make(*args, **kwargs):
        leaves, in_tree = tree_flatten(args)
        with new_level(ReverseTrace, keep_values=True, who="make_jaxpr") as trace:
            inputs = [trace.new_input(x) if _is_float(x) else x for x in leaves]
            result = fun(*tree_unflatten(in_tree, inputs), **kwargs)
            out_leaves, out_tree = tree_flatten(result)
            values, nodes = trace.unbox(out_leaves)
        positions = [k for k, x in enumerate(inputs) if isinstance(x, Tracer)]
        outvars = [n if n is not None else v for n, v in zip(nodes, values)]
        return Program(trace.nodes, [inputs[k].node for k in positions], outvars,
                       in_tree, out_tree, positions)

    return make


def _is_float(x):
    return type(x) is float or (isinstance(x, (np.ndarray, np.floating))
                                and x.dtype.kind == "f")


def replay(nodes, inputs, new_values, outputs):
    """``Program(nodes, inputs, outputs).run(new_values)``: a record run again."""
    return Program(nodes, inputs, outputs).run(new_values)
