"""How each primitive is written in NumPy: the words lowering puts together.

Each primitive says how it is written, beside its other rules in lax/
(``Primitive.source``): a format string over the arguments ({0}, {1}, ...)
and the parameters ({shape}, {n}, ...), or a function (args, params, lit)
-> text when the text depends on the parameters. Primitives whose
implementation is a NumPy ufunc (np.tanh) need none: ``np.tanh({0})`` is
derived. Each template computes exactly what the primitive's ``impl`` does.

A template that calls a function named after the primitive itself
(``logistic({0})``) calls its ``impl``: that function's own source is
written out at the top of the generated code, so there is one definition.

NumPy functions tracegrad does not know (``np.nonzero`` on a staged mask)
are recorded as a :class:`NumpyCall`, written as the call itself.
"""
from __future__ import annotations

import ast
import builtins
import inspect
import operator
import textwrap

import numpy as np

from .. import lax


def _derived(primitive):
    """``np.tanh({0})`` for a primitive whose impl is NumPy's own ufunc."""
    impl = primitive.impl
    if isinstance(impl, np.ufunc) and getattr(np, impl.__name__, None) is impl:
        return f"np.{impl.__name__}({', '.join('{%d}' % k for k in range(impl.nin))})"
    return None


_TEMPLATES = {}                           # primitive -> its template (or None), cached


def source_template(primitive):
    """The template that writes ``primitive`` as NumPy, or None (custom rules)."""
    try:
        return _TEMPLATES[primitive]
    except KeyError:
        template = _TEMPLATES[primitive] = primitive.source or _derived(primitive)
        return template


def calls_helper(primitive, template):
    """Does the template call the primitive's own impl, by the primitive's name?"""
    return isinstance(template, str) and template.startswith(primitive.name + "(")


# The names the generated code keeps for itself: np, RETRACE, Python's builtins
# and the helpers (primitives written as a call of their own impl).
RESERVED = frozenset({"same", "np", "RETRACE"} | set(dir(builtins))
                      | {p.name for p in lax.primitives() if calls_helper(p, source_template(p))})
_helpers = {}                            # primitive name -> (definition, the names it reads)


def helper(primitive):
    """The definition of ``primitive.impl`` as ``def <name>(...)``, and what it reads.

    The small functions of its own module that it calls are written out first.
    """
    found = _helpers.get(primitive.name)
    if found is None:
        impl = primitive.impl
        text = _bare(inspect.getsource(impl))
        text = text.replace(f"def {impl.__name__}(", f"def {primitive.name}(", 1)
        reads = {n: impl.__globals__[n] for n in impl.__code__.co_names
                 if n in impl.__globals__ and n != "np"}
        for used in reads.values():
            if inspect.isfunction(used) and used.__module__ == impl.__module__:
                text = _bare(inspect.getsource(used)) + "\n\n" + text
        found = _helpers[primitive.name] = (text, reads)
    return found


def _bare(source):
    """A helper's code without its docstrings and comments: they are tracegrad's
    English, and the source is shown in the student's language."""
    tree = ast.parse(textwrap.dedent(source))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.FunctionDef, ast.ClassDef)) and body
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.unparse(tree)


# The guard on a value read by Python, written out in the code that uses it
# (its docstring in the student's language; no comments, they would be English).
# A tuple or list ``value`` is several arrays, or a shape.
SAME = '''\
def same(x, value):
    """{doc}"""
    if isinstance(value, (tuple, list)):
        return isinstance(x, (tuple, list)) and len(x) == len(value) and all(
            same(a, b) for a, b in zip(x, value))
    same_shape = np.shape(x) == np.shape(value)
    return same_shape and bool(np.all((x == value) | (x != x) & (value != value)))
'''


# Comparisons and arithmetic that NumPy code reaches through ufuncs: written
# with their operators, which call the very same ufuncs on arrays.
_OPERATOR_UFUNCS = {np.greater: ">", np.greater_equal: ">=", np.less: "<", np.less_equal: "<=",
                    np.equal: "==", np.not_equal: "!=", np.add: "+", np.subtract: "-",
                    np.multiply: "*", np.true_divide: "/", np.logical_and: "&",
                    np.logical_or: "|"}



def as_type(x, dtype):
    return x.astype(dtype)


class Slot:
    """Stands for argument ``k`` (a staged value) inside a NumPy call's arguments."""
    __slots__ = ("k",)

    def __init__(self, k):
        self.k = k


class NumpyCall:
    """A recorded call of a NumPy function on staged values (not a Primitive)."""

    def __init__(self, func):
        self.func = func
        self.name = getattr(func, "__name__", repr(func))

    def template(self, args, params, lit):
        func, call_args, kwargs = self.func, params["args"], params["kwargs"]

        def text(x):
            if isinstance(x, Slot):
                return args[x.k]
            if isinstance(x, (tuple, list)) and not hasattr(x, "_fields"):
                inner = ", ".join(text(t) for t in x)
                return (f"({inner},)" if len(x) == 1 else f"({inner})") \
                    if isinstance(x, tuple) else f"[{inner}]"
            return lit(x)

        if func is operator.getitem:
            index = call_args[1] if isinstance(call_args[1], tuple) else (call_args[1],)
            return lax.getitem.source([text(call_args[0])], {"index": index}, text)
        if func is as_type:
            return f"{text(call_args[0])}.astype({lit(call_args[1])})"
        ufunc = getattr(func, "__self__", None)
        if isinstance(ufunc, np.ufunc) and func.__name__ == "__call__" and not kwargs:
            if ufunc in _OPERATOR_UFUNCS and len(call_args) == 2:
                return f"{text(call_args[0])} {_OPERATOR_UFUNCS[ufunc]} {text(call_args[1])}"
            name = f"np.{ufunc.__name__}"
        elif isinstance(ufunc, np.ufunc):
            name = f"np.{ufunc.__name__}.{func.__name__}"
        else:
            module = getattr(func, "__module__", "") or ""
            name = (f"np.{func.__name__}" if getattr(np, func.__name__, None) is func
                    else f"{module.replace('numpy', 'np', 1)}.{func.__name__}")
        parts = [text(a) for a in call_args] + [f"{k}={text(v)}" for k, v in kwargs.items()]
        return f"{name}({', '.join(parts)})"


_NUMPY_CALLS = {}


def numpy_call(func):
    call = _NUMPY_CALLS.get(func)
    if call is None:
        call = _NUMPY_CALLS[func] = NumpyCall(func)
    return call

