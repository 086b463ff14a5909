"""Checking what the user passes to a transformation, and a few small helpers.

Every transformation (``grad``, ``vjp``, ``jvp``, ``jacfwd``, ``jacrev``,
``graph``) takes a function and arguments from the user. The checks here say
clearly what is wrong and how to fix it, before any tracing starts, so a
mistake never leaves a half-run trace behind. ``who`` in each signature is
the transformation's name as the message shows it, e.g. ``grad(loss)``.
"""
from __future__ import annotations

import inspect

import numpy as np

from .core import Tracer, concrete
from .tree import tree_leaves, tree_paths
from .words import message, said

__all__ = ["check_function", "check_float", "check_tangent", "check_returned", "argnums_tuple",
           "check_scalar", "zeros_like", "with_args", "explain_list_inputs", "leaf_paths"]


def check_function(fun, who, example):
    """A transformation takes a function: refuse a value or a generator at once.

    ``example`` shows the right call, e.g. ``tg.grad(loss)(p, x, y)``.
    """
    if not callable(fun):
        raise TypeError(message("err.not-callable", who=who, example=example,
                                kind=type(fun).__name__))
    if inspect.isgeneratorfunction(fun):
        name = getattr(fun, "__name__", None) or said("the function")
        raise TypeError(message("err.generator", who=who, name=name))


def check_returned(result, fun, who):
    """A function that returned nothing most likely lacks its ``return``."""
    if result is None:
        name = getattr(fun, "__name__", None) or said("the function")
        raise TypeError(message("err.returned-none", who=who, name=name))


def check_float(x, who, position):
    """``x`` as a float input of a transformation; a clear error if it is not.

    Derivatives need real floating-point inputs. Python ints are accepted
    (3 becomes 3.0); a 0-d array becomes a NumPy scalar.
    """
    if type(x) is np.ndarray and x.dtype.kind == "f":      # the common case, quickly
        return x if x.ndim else x[()]
    if isinstance(x, Tracer):
        dtype = x.dtype
    elif isinstance(x, bool) or isinstance(x, np.bool_):
        dtype = np.dtype(bool)
    elif isinstance(x, int):                     # Python ints are fine: 3 → 3.0
        return np.float64(x)
    elif isinstance(x, float):
        return np.float64(x)
    else:
        _check_container(x, who, position)
        x = np.asarray(x) if not isinstance(x, np.generic) else x
        dtype = x.dtype
        if x.ndim == 0 and isinstance(x, np.ndarray):
            x = x[()]
    if dtype.kind != "f":
        raise TypeError(message("err.int-input", who=who, position=position, dtype=dtype))
    return x


def _check_container(x, who, position):
    """Sets, dataclasses and other objects are not pytrees: say how to pass their arrays."""
    if isinstance(x, (set, frozenset)):
        hint = said("hint.set")
    elif hasattr(type(x), "__dataclass_fields__"):
        hint = said("hint.dataclass")
    elif isinstance(x, (str, bytes)) or not hasattr(x, "__dict__") or hasattr(x, "__array__"):
        return                                   # numbers, arrays, strings: checked below
    else:
        hint = said("hint.object")
    raise TypeError(message("err.not-pytree", who=who, position=position,
                            kind=type(x).__name__, hint=hint))


def explain_list_inputs(err, primals, who):
    """Add a hint to ``err`` when the function failed on a list of numbers.

    ``tg.grad(f)([1., 2., 3.])`` hands ``f`` a list of three traced scalars
    (a list is a pytree, and each number one leaf), so ``x ** 2`` inside is
    Python's list arithmetic and fails with an operand error that does not
    say why. The transformation catches the TypeError or AttributeError the
    function raised and, if one of its inputs is a list or tuple of plain
    numbers, adds to the message what happened and what to pass instead.
    The error stays the one Python raised, at the line where it happened.
    """
    if type(err) not in (TypeError, AttributeError) or not err.args or _LIST_CODE in str(err):
        return
    for p in primals:
        if isinstance(p, (list, tuple)) and not hasattr(p, "_fields") and _numbers_only(p):
            kind = type(p).__name__
            n = len(tree_leaves(p))
            example = repr([float(v) for v in p] if all(not isinstance(v, (list, tuple))
                                                         for v in p) else p)
            example = example if len(example) <= 60 else "[...]"
            hint = message("err.list-input", who=who, kind=kind, n=n, example=example)
            err.args = (f"{err.args[0]}\n{hint}",) + err.args[1:]
            return


_LIST_CODE = "[TG-list-input]"            # added once, in any language


def _numbers_only(p):
    leaves = tree_leaves(p)
    return bool(leaves) and all(isinstance(v, (int, float, np.number))
                                and not isinstance(v, (bool, np.bool_)) for v in leaves)


def leaf_paths(tree, where):
    """The name of each leaf of ``tree``, in tree_flatten's order: ``argument 0['W']``."""
    return [where + path for path in tree_paths(tree)]


def check_tangent(t, primal, who, position):
    """A tangent has its primal's dtype: floats are cast, integer arrays refused."""
    if isinstance(t, (bool, np.bool_)) or (
            not isinstance(t, (int, float, Tracer)) and np.result_type(t).kind in "biu"):
        raise TypeError(message("err.tangent-int", who=who, position=position,
                                dtype=np.result_type(t),
                                primal=np.result_type(concrete(primal))))
    return t


def argnums_tuple(argnums, nargs, who):
    """``argnums`` (an int or a sequence) as ``(single, positions)``, checked.

    ``single`` says whether one int was given (then the result is not a
    tuple); negative positions count from the end, as in Python.
    """
    if type(argnums) is int and -nargs <= argnums < nargs:     # the common case, quickly
        return True, (argnums % nargs,)
    single = isinstance(argnums, int) and not isinstance(argnums, bool)
    nums = (argnums,) if single else tuple(argnums) if isinstance(argnums, (tuple, list)) \
        else None
    if nums is None or not all(isinstance(i, int) and not isinstance(i, bool) for i in nums):
        raise TypeError(message("err.argnums-type", who=who, argnums=repr(argnums)))
    if nargs == 0 and nums:
        raise TypeError(message("err.argnums-none", who=who, argnums=repr(argnums)))
    for i in nums:
        if not -nargs <= i < nargs:
            raise ValueError(message("err.argnums-range", who=who, argnums=repr(argnums),
                                     nargs=nargs, last=nargs - 1))
    nums = tuple(i % nargs for i in nums)
    repeated = sorted({i for i in nums if nums.count(i) > 1})
    if repeated:
        raise ValueError(message("err.argnums-repeated", who=who, argnums=repr(argnums),
                                 position=repeated[0], once=repr(tuple(sorted(set(nums))))))
    return single, nums


def with_args(fun, args, nums, kwargs):
    """``fun`` as a function of the arguments at positions ``nums`` only.

    The other arguments keep the values in ``args``: to the transformation
    they are constants. ``with_args(f, (w, x), (0,), {})(v)`` is ``f(v, x)``.
    """
    def fun_of_nums(*diff_args):
        full = list(args)
        for i, a in zip(nums, diff_args):
            full[i] = a
        return fun(*full, **kwargs)
    fun_of_nums.__name__ = getattr(fun, "__name__", "fun")      # for messages
    return fun_of_nums


def check_scalar(out, who, has_aux):
    """``grad`` needs one floating-point scalar output: say so if ``out`` is not."""
    if isinstance(out, (tuple, list, dict)):
        key = "err.scalar-container" if has_aux else "err.scalar-container-aux"
        raise TypeError(message(key, who=who, kind=type(out).__name__))
    shape = np.shape(concrete(out))
    if shape != () and np.prod(shape) == 1:       # one number, but not 0-d
        raise TypeError(message("err.scalar-one", who=who, shape=shape,
                                index=", ".join("0" * len(shape))))
    if shape != ():
        raise TypeError(message("err.scalar-shape", who=who, shape=shape))
    dtype = np.result_type(concrete(out))
    if dtype.kind != "f":
        raise TypeError(message("err.scalar-dtype", who=who, dtype=dtype))


def zeros_like(x):
    """Plain zeros with the shape and dtype of ``x`` (a zero derivative)."""
    c = concrete(x)
    return np.zeros(np.shape(c), dtype=np.result_type(c))[()]
