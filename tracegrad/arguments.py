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

__all__ = ["check_function", "check_float", "check_tangent", "check_returned", "argnums_tuple",
           "check_scalar", "zeros_like", "with_args", "explain_list_inputs", "leaf_paths"]


def check_function(fun, who, example):
    """A transformation takes a function: refuse a value or a generator at once.

    ``example`` shows the right call, e.g. ``tg.grad(loss)(p, x, y)``.
    """
    if not callable(fun):
        raise TypeError(f"{who} takes the function, not its value: {example}. It was given "
                        f"a {type(fun).__name__}, which is not callable.")
    if inspect.isgeneratorfunction(fun):
        name = getattr(fun, "__name__", "the function")
        raise TypeError(f"{who}: {name} is a generator function (it contains `yield`), so "
                        f"calling it gives a generator, not a value. Return the value "
                        f"instead of yielding it.")


def check_returned(result, fun, who):
    """A function that returned nothing most likely lacks its ``return``."""
    if result is None:
        name = getattr(fun, "__name__", "the function")
        raise TypeError(f"{who}: {name} returned None; did you forget `return`?")


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
        raise TypeError(
            f"{who}: input {position} has dtype {dtype}, but derivatives are only "
            f"defined for floating-point inputs. Pass floats instead, e.g. "
            f"np.asarray(x, dtype=float) or 3.0 rather than an integer array "
            f"(plain Python ints and floats are accepted as they are). If it is not "
            f"to be differentiated (labels, a count), pass it as another argument, "
            f"one that argnums leaves out.")
    return x


def _check_container(x, who, position):
    """Sets, dataclasses and other objects are not pytrees: say how to pass their arrays."""
    if isinstance(x, (set, frozenset)):
        hint = "a set has no order, so pass a list or a tuple of its arrays instead"
    elif hasattr(type(x), "__dataclass_fields__"):
        hint = ("pass its arrays in a dict, e.g. dataclasses.asdict(obj), and rebuild the "
                "object inside the function if you need it")
    elif isinstance(x, (str, bytes)) or not hasattr(x, "__dict__") or hasattr(x, "__array__"):
        return                                   # numbers, arrays, strings: checked below
    else:
        hint = ("pass its arrays in a tuple, list or dict, e.g. {'w': obj.w, 'b': obj.b}, "
                "and rebuild the object inside the function if you need it")
    raise TypeError(f"{who}: input {position} is a {type(x).__name__}, which is not a pytree: "
                    f"tracegrad looks for arrays inside tuples, lists, dicts and namedtuples "
                    f"only. To differentiate with respect to its arrays, {hint}.")


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
    if type(err) not in (TypeError, AttributeError) or not err.args or _LIST_HINT in str(err):
        return
    for p in primals:
        if isinstance(p, (list, tuple)) and not hasattr(p, "_fields") and _numbers_only(p):
            kind = type(p).__name__
            n = sum(1 for _ in _numbers(p))
            example = repr([float(v) for v in p] if all(not isinstance(v, (list, tuple))
                                                         for v in p) else p)
            example = example if len(example) <= 60 else "[...]"
            err.args = (f"{err.args[0]}\n{who}: an input is a Python {kind} of {n} numbers, "
                        f"and {_LIST_HINT}: the function receives {n} separate traced "
                        f"scalars in a {kind}, not an array, so array arithmetic on it "
                        f"fails. If you meant an array, pass np.array({example}).",
                        ) + err.args[1:]
            return


_LIST_HINT = "a list is a pytree of scalars"


def _numbers(p):
    for v in p:
        if isinstance(v, (list, tuple)):
            yield from _numbers(v)
        else:
            yield v


def _numbers_only(p):
    leaves = list(_numbers(p))
    return bool(leaves) and all(isinstance(v, (int, float, np.number))
                                and not isinstance(v, (bool, np.bool_)) for v in leaves)


def leaf_paths(tree, where):
    """The name of each leaf of ``tree``, in tree_flatten's order: ``argument 0['W']``."""
    if isinstance(tree, dict):
        return [p for k in sorted(tree) for p in leaf_paths(tree[k], f"{where}[{k!r}]")]
    if isinstance(tree, (tuple, list)):
        return [p for i, t in enumerate(tree) for p in leaf_paths(t, f"{where}[{i}]")]
    return [] if tree is None else [where]


def check_tangent(t, primal, who, position):
    """A tangent has its primal's dtype: floats are cast, integer arrays refused."""
    if isinstance(t, (bool, np.bool_)) or (
            not isinstance(t, (int, float, Tracer)) and np.result_type(t).kind in "biu"):
        raise TypeError(
            f"{who}: tangent {position} has dtype {np.result_type(t)}, but its primal is "
            f"floating-point ({np.result_type(concrete(primal))}), and a tangent has its "
            f"primal's dtype. Pass floats, e.g. np.ones(3) rather than np.ones(3, dtype=int).")
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
        raise TypeError(
            f"{who}: argnums={argnums!r} is not a position: argnums is the position of the "
            f"argument to differentiate (an int, 0 for the first) or a tuple of positions, "
            f"e.g. argnums=1 or argnums=(0, 1). Names are not accepted: pass the arguments "
            f"to differentiate positionally.")
    if nargs == 0 and nums:
        raise TypeError(
            f"{who}: the function was called with no positional arguments, so there is "
            f"nothing to differentiate (argnums={argnums!r}). Pass the arguments to "
            f"differentiate positionally, e.g. grad_f(x) rather than grad_f(x=x); keyword "
            f"arguments are held constant.")
    for i in nums:
        if not -nargs <= i < nargs:
            raise ValueError(
                f"{who}: argnums={argnums!r} is out of range: the function was called "
                f"with {nargs} positional argument(s), so argnums must be between 0 and "
                f"{nargs - 1}. Pass the arguments to differentiate positionally.")
    nums = tuple(i % nargs for i in nums)
    repeated = sorted({i for i in nums if nums.count(i) > 1})
    if repeated:
        raise ValueError(
            f"{who}: argnums={argnums!r} names argument {repeated[0]} more than once; "
            f"each argument can be differentiated only once, so list each position "
            f"once, e.g. argnums={tuple(sorted(set(nums)))!r}.")
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
        hint = ("; to return extra values next to the loss, return (loss, extra) "
                "and pass has_aux=True" if not has_aux else "")
        raise TypeError(f"{who}: the function must return one scalar, but it returned "
                        f"a {type(out).__name__}{hint}.")
    shape = np.shape(concrete(out))
    if shape != () and np.prod(shape) == 1:       # one number, but not 0-d
        raise TypeError(
            f"{who}: the function must return a scalar (shape ()), but it returned an array "
            f"of shape {shape} holding one number. Return out.squeeze(), or index it "
            f"down to that number: out[{', '.join('0' * len(shape))}].")
    if shape != ():
        raise TypeError(
            f"{who}: the function must return a scalar, but it returned an array of "
            f"shape {shape}. grad is for scalar outputs such as a loss. Reduce it "
            f"(e.g. .sum() or .mean()), or use tg.jacrev(fun) for the whole Jacobian, "
            f"or tg.vjp(fun, x) to pull back a cotangent of shape {shape}.")
    dtype = np.result_type(concrete(out))
    if dtype.kind != "f":
        raise TypeError(f"{who}: the function returned a value of dtype {dtype}; a "
                        f"gradient needs a floating-point output.")


def zeros_like(x):
    """Plain zeros with the shape and dtype of ``x`` (a zero derivative)."""
    c = concrete(x)
    return np.zeros(np.shape(c), dtype=np.result_type(c))[()]
