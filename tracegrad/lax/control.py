"""Control flow with JAX's signatures: cond, switch, while_loop, fori_loop, scan.

JAX needs these because ``jax.jit`` compiles a function without running it,
so a Python ``if`` or ``for`` cannot look at traced values. tracegrad traces
*by running*: every tracer has a value, and Python's own ``if`` and ``for``
work on it (the trace simply records the branch taken and every turn of the
loop). So here they are plain Python, eager, and exist so that JAX code runs
unchanged; their derivatives are those of the steps actually taken.
"""
import numpy as np

from ..core import shape_of
from ..tree import tree_flatten, tree_unflatten

__all__ = ["cond", "switch", "while_loop", "fori_loop", "scan", "full_like"]


def cond(pred, true_fun, false_fun, *operands):
    """``true_fun(*operands)`` if ``pred`` else ``false_fun(*operands)``."""
    return true_fun(*operands) if pred else false_fun(*operands)


def switch(index, branches, *operands):
    """``branches[index](*operands)``, the index clamped into range as in JAX."""
    i = int(np.clip(np.asarray(index), 0, len(branches) - 1))
    return branches[i](*operands)


def while_loop(cond_fun, body_fun, init_val):
    """``val = body_fun(val)`` while ``cond_fun(val)``; returns the last ``val``.

    (JAX cannot reverse-differentiate a while_loop; eager tracing can.)
    """
    val = init_val
    while cond_fun(val):
        val = body_fun(val)
    return val


def fori_loop(lower, upper, body_fun, init_val):
    """``val = body_fun(i, val)`` for ``i`` from ``lower`` up to ``upper − 1``."""
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Carry a state through a sequence: ``carry, y = f(carry, x)`` for each ``x``.

    ``xs`` is an array (or a pytree of arrays) scanned along its first axis;
    returns the final carry and the ``y``'s stacked along a new first axis.
    """
    from .. import numpy as tnp
    leaves, treedef = tree_flatten(xs)
    if length is None:
        if not leaves:
            raise ValueError("scan: give xs or length.")
        length = shape_of(leaves[0])[0]
    steps = range(length - 1, -1, -1) if reverse else range(length)
    carry, ys = init, []
    for i in steps:
        x = tree_unflatten(treedef, [leaf[i] for leaf in leaves]) if leaves else None
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys.reverse()
    if not ys:
        return carry, None
    y_leaves = [tree_flatten(y)[0] for y in ys]
    y_tree = tree_flatten(ys[0])[1]
    stacked = [tnp.stack([ls[k] for ls in y_leaves]) for k in range(len(y_leaves[0]))]
    return carry, tree_unflatten(y_tree, stacked)


def full_like(x, fill_value, dtype=None, shape=None):
    """An array like ``x`` (its shape, or ``shape``) filled with ``fill_value``."""
    from .. import numpy as tnp
    if shape is not None:
        return tnp.full_like(np.empty(shape, dtype=tnp.result_type(x)), fill_value, dtype)
    return tnp.full_like(x, fill_value, dtype)


