"""Control flow with JAX's signatures: cond, switch, while_loop, fori_loop, scan.

JAX needs these because ``jax.jit`` compiles a function without running it,
so a Python ``if`` or ``for`` cannot look at traced values. tracegrad traces
*by running*: every tracer has a value, and Python's own ``if`` and ``for``
work on it (the trace simply records the branch taken and every turn of the
loop). So here they are plain Python, eager, and exist so that JAX code runs
unchanged; their derivatives are those of the steps actually taken.

Under ``vmap`` one Python ``if`` cannot serve examples that disagree. So when
the predicate (or ``switch``'s index) differs per example, these do what JAX
does: ``cond`` and ``switch`` run every branch and pick each example's result
with ``where``; ``while_loop`` runs until every example is done, and an example
that is done keeps its value (``where(still_running, new, old)``). Derivatives
flow only through the branch each example takes: a branch's inputs keep their
cotangents for its own examples (``_only_for``), so a nan in the derivative of
a branch an example did not take (``sqrt`` of a negative number) does not
reach that example's gradient. That holds for the operands; a value the branch
reads from outside (a closed-over traced array) gets every branch's
cotangent, so pass such values as operands.
"""
import sys

import numpy as np

from ..core import Tracer, concrete, shape_of
from ..tree import tree_flatten, tree_unflatten
from ..words import message
from .elementwise import select
from .shape import astype, broadcast_to, concatenate, reshape, stop_gradient

__all__ = ["cond", "switch", "while_loop", "fori_loop", "scan", "full_like"]


def _per_example(value):
    """True when ``value`` depends on a ``vmap``: one answer per example, not one.

    Such a value's concrete value is a ``tracegrad.vmap.Batched``. vmap is built
    on these primitives, so it is looked up, not imported: until something has
    imported vmap, no value can be per example."""
    vmap = sys.modules.get("tracegrad.vmap")
    return vmap is not None and isinstance(concrete(value), vmap.Batched)


def _where(mask, new, old):
    """``tnp.where(mask, new, old)``, with the primitive itself."""
    return select(np.not_equal(concrete(mask), 0), new, old)


def _pick(mask, new, old, who):
    """``where(mask, new, old)`` leaf by leaf; ``mask`` holds one boolean per example."""
    new_leaves, new_tree = tree_flatten(new)
    old_leaves, old_tree = tree_flatten(old)
    if new_tree != old_tree:
        raise TypeError(message("err.branch-structure", who=who, new=new_tree, old=old_tree))
    picked = []
    for n, o in zip(new_leaves, old_leaves, strict=True):
        if shape_of(n) != shape_of(o):
            raise TypeError(message("err.branch-shape", who=who, new=shape_of(n),
                                    old=shape_of(o)))
        picked.append(_where(mask, n, o))
    return tree_unflatten(new_tree, picked)


def _only_for(mask, operands):
    """The operands, with their cotangents kept only for the examples in ``mask``.

    A branch runs on every example, but its derivative counts only for the
    examples that take it. ``where(mask, x, stop_gradient(x))`` is ``x``, and
    its VJP is ``where(mask, ḡ, 0)``: the other examples' cotangents, nan
    perhaps (``sqrt`` of a negative number), are dropped instead of multiplied
    by 0, as JAX's batched ``cond`` does.
    """
    def one(x):
        if isinstance(x, Tracer) and np.dtype(x.dtype).kind == "f":
            return _where(mask, x, stop_gradient(x))
        return x
    leaves, tree = tree_flatten(operands)
    return tree_unflatten(tree, [one(x) for x in leaves])


def cond(pred, true_fun, false_fun, *operands):
    """``true_fun(*operands)`` if ``pred`` else ``false_fun(*operands)``.

    Under vmap with a predicate per example: both, picked per example.
    """
    if _per_example(pred):
        taken = concrete(pred) != 0
        return _pick(taken, true_fun(*_only_for(taken, operands)),
                     false_fun(*_only_for(~taken, operands)), "cond")
    return true_fun(*operands) if pred else false_fun(*operands)


def switch(index, branches, *operands):
    """``branches[index](*operands)``, the index clamped into range as in JAX.

    Under vmap with an index per example: every branch, picked per example.
    """
    last = len(branches) - 1
    if _per_example(index):
        i = np.clip(concrete(index), 0, last)
        out = branches[last](*_only_for(i == last, operands))
        for k in range(last - 1, -1, -1):
            out = _pick(i == k, branches[k](*_only_for(i == k, operands)), out, "switch")
        return out
    i = int(np.clip(np.asarray(concrete(index)), 0, last))
    return branches[i](*operands)


def while_loop(cond_fun, body_fun, init_val):
    """``val = body_fun(val)`` while ``cond_fun(val)``; returns the last ``val``.

    Under vmap, when the examples disagree, the loop runs until every example
    is done, and a finished example keeps its value. (JAX cannot
    reverse-differentiate a while_loop; eager tracing can: the derivative is
    that of the steps taken.)
    """
    val = init_val
    while True:
        going = cond_fun(val)
        if not _per_example(going):
            if not going:
                return val
            val = body_fun(val)
            continue
        going = concrete(going)
        if not np.any(going.data):                 # every example (of every vmap) is done
            return val
        going = going != 0
        val = _pick(going, body_fun(_only_for(going, val)), val, "while_loop")


def fori_loop(lower, upper, body_fun, init_val):
    """``val = body_fun(i, val)`` for ``i`` from ``lower`` up to ``upper − 1``."""
    if _per_example(lower) or _per_example(upper):   # bounds per example: JAX's while_loop
        return while_loop(lambda iv: iv[0] < upper,
                          lambda iv: (iv[0] + 1, body_fun(iv[0], iv[1])), (lower, init_val))[1]
    val = init_val
    for i in range(int(concrete(lower)), int(concrete(upper))):   # bounds: no derivative
        val = body_fun(i, val)
    return val


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Carry a state through a sequence: ``carry, y = f(carry, x)`` for each ``x``.

    ``xs`` is an array (or a pytree of arrays) scanned along its first axis;
    returns the final carry and the ``y``'s stacked along a new first axis.
    """
    leaves, treedef = tree_flatten(xs)
    if length is None:
        if not leaves:
            raise ValueError(message("err.scan"))
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
    stacked = [_stack([ls[k] for ls in y_leaves]) for k in range(len(y_leaves[0]))]
    return carry, tree_unflatten(y_tree, stacked)


def _stack(xs):
    """``tnp.stack(xs)``, with the primitives: each gets a new first axis, then all are joined."""
    return concatenate(*[reshape(x, shape=(1,) + shape_of(x)) for x in xs], axis=0)


def full_like(x, fill_value, dtype=None, shape=None):
    """An array like ``x`` (its shape, or ``shape``) filled with ``fill_value``, which
    may be traced (then it keeps its dtype unless ``dtype`` is given)."""
    shape = shape_of(x) if shape is None else tuple(shape)
    if not isinstance(fill_value, Tracer):
        return np.full(shape, fill_value, dtype=dtype or np.result_type(concrete(x)))
    if dtype is not None and np.dtype(dtype) != fill_value.dtype:
        fill_value = astype(fill_value, dtype=np.dtype(dtype))
    return fill_value if shape_of(fill_value) == shape else broadcast_to(fill_value, shape=shape)


