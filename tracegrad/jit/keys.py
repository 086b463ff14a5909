"""What a call is keyed by and called: its arguments' leaves, described and named."""
from __future__ import annotations

import functools
import inspect
import weakref

import numpy as np

from .staged import Staged
from .templates import Slot

_signatures = weakref.WeakKeyDictionary()     # fun -> its parameters (inspect is slow)


def _parameters(fun):
    try:
        return _signatures[fun]
    except (KeyError, TypeError):
        pass
    try:
        parameters = list(inspect.signature(fun).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    try:
        _signatures[fun] = parameters
    except TypeError:                            # not weakly referable: not cached
        pass
    return parameters


def leaf_names(fun, rebuild, leaves):
    """``x``, ``params[0][1]``, ``p['w']`` for each leaf, from fun's parameters."""
    parameters = _parameters(fun)
    marked = [Slot(k) for k in range(len(leaves))]
    args, kwargs = rebuild(marked)
    names = [f"arg{k}" for k in range(len(leaves))]

    def walk(tree, path):
        if isinstance(tree, Slot):
            names[tree.k] = path
        elif isinstance(tree, (tuple, list)) and not hasattr(tree, "_fields"):
            for i, t in enumerate(tree):
                walk(t, f"{path}[{i}]")
        elif isinstance(tree, tuple):
            for f, t in zip(tree._fields, tree):
                walk(t, f"{path}.{f}")
        elif isinstance(tree, dict):
            for key, t in tree.items():
                walk(t, f"{path}[{key!r}]")

    for i, a in enumerate(args):
        positional = i < len(parameters) and parameters[i].kind in (
            parameters[i].POSITIONAL_ONLY, parameters[i].POSITIONAL_OR_KEYWORD)
        walk(a, parameters[i].name if positional else f"arg{i}")
    for key, a in kwargs.items():
        walk(a, key)
    walk = None                              # it calls itself: unlink it (no cycle)
    return names


def needs_arguments(fun):
    """Does ``fun`` have a parameter without a default value?"""
    return any(p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               for p in _parameters(fun))


def describe_leaves(leaves):
    """``float64[3], float`` for the leaves of a call: what its version serves."""
    return ", ".join(describe(x) for x in leaves) or "no arguments"


def describe(x):
    """``float64[16, 8]`` for an array, the type's name for anything else."""
    if isinstance(x, np.ndarray):
        return _describe_array(x.dtype, x.shape)
    return type(x).__name__


@functools.lru_cache(maxsize=256)
def _describe_array(dtype, shape):
    return f"{dtype.name}{list(shape)}"         # (dtype.name is slow: Python code in NumPy)


# Common subexpressions: a staged call is keyed by its primitive, its arguments' nodes
# and its constants; an equal key is the same value, recorded once.

def const_key(x):
    """A hashable key that tells constants apart exactly (identity for arrays)."""
    t = type(x)
    if t is int or t is bool or t is str or x is None:
        return (t, x)
    if t is float:                   # 0.0 == -0.0 in Python: zeros are told apart by repr
        return (t, x) if x else (t, repr(x))
    if isinstance(x, np.generic):
        return (t, x.tobytes())
    if t is tuple or t is list:
        return (t, tuple(const_key(v) for v in x))
    if t is dict:
        return tuple((k, const_key(v)) for k, v in x.items())
    if t is slice:
        return (t, const_key(x.start), const_key(x.stop), const_key(x.step))
    if t is Slot:
        return (t, x.k)
    if t is Staged:
        return (t, x.node.index)
    if t is complex:
        return (t, repr(x))
    if isinstance(x, (np.dtype, type)) or x is Ellipsis:
        return (t, x)
    return ("id", id(x))       # arrays and other objects: the very same one
