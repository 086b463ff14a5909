"""Pytrees: nested tuples, lists, dicts and namedtuples of arrays.

A network's parameters are rarely one array; the lecture keeps them as a list
of ``(W, b)`` pairs. Transformations flatten such a structure into a list of
arrays (the *leaves*), work on the leaves, and rebuild the structure, so the
gradient of ``params`` has exactly the structure of ``params``.

``None`` is a pytree with no leaves. Dict keys are sorted, so the order of
the leaves does not depend on the order in which the dict was built: two
dicts with the same keys have the same structure (equal treedefs, one
``jit`` cache entry). A rebuilt dict, though, has its keys in the caller's
order, so ``zip(params.items(), grads.items())`` pairs each key with its own
gradient. JAX returns the keys sorted; this is a departure from it. Dict
subclasses (``OrderedDict``, ``defaultdict``, your own) are pytrees too, as
in JAX, and come back as what they were. Anything else (a set, a dataclass,
your own class) is a leaf: pass its arrays in one of the containers above.
"""
from __future__ import annotations

from collections import OrderedDict, defaultdict

from .words import message, said

__all__ = ["PyTreeDef", "tree_flatten", "tree_unflatten", "tree_map", "tree_leaves", "tree_paths"]


class PyTreeDef:
    """The shape of a pytree without its leaves.

    ``kind`` is ``"leaf"``, ``"none"``, ``"tuple"``, ``"list"``, ``"dict"``,
    ``"namedtuple"`` or ``"dict subclass"``; ``meta`` holds the dict keys, the
    namedtuple class, or for a dict subclass ``(keys, cls, how)``: ``how`` is
    the default factory of a defaultdict, the key order of an OrderedDict.
    """

    __slots__ = ("kind", "meta", "children", "num_leaves", "order")

    def __init__(self, kind, meta, children, num_leaves=None, order=None):
        self.kind = kind
        self.meta = meta
        self.children = children
        # A dict's keys in the caller's order, when that is not sorted: used to rebuild
        # the dict, and left out of == and hash (the leaves' order does not depend on it).
        self.order = order
        if num_leaves is None:
            num_leaves = 1 if kind == "leaf" else sum(c.num_leaves for c in children)
        self.num_leaves = num_leaves

    def __eq__(self, other):
        return (isinstance(other, PyTreeDef) and self.kind == other.kind
                and self.meta == other.meta and self.children == other.children)

    def __hash__(self):
        return hash((self.kind, str(self.meta), tuple(self.children)))

    def __repr__(self):
        if self.kind == "leaf":
            return "*"
        if self.kind == "none":
            return "None"
        inner = ", ".join(map(repr, self.children))
        if self.kind == "tuple":
            return f"({inner}{',' if len(self.children) == 1 else ''})"
        if self.kind == "list":
            return f"[{inner}]"
        if self.kind == "dict":
            return "{" + ", ".join(f"{k!r}: {c!r}" for k, c in zip(self.meta, self.children)) + "}"
        if self.kind == "dict subclass":
            keys, cls, _ = self.meta
            items = ", ".join(f"{k!r}: {c!r}" for k, c in zip(keys, self.children))
            return f"{cls.__name__}({{{items}}})"
        return f"{self.meta.__name__}({inner})"


_LEAF = PyTreeDef("leaf", None, ())
_NONE = PyTreeDef("none", None, ())


def _flatten(tree, leaves):
    kind = type(tree)                       # the common cases first: this runs on every call
    if kind is tuple or kind is list:
        start = len(leaves)
        children = tuple(_flatten(c, leaves) for c in tree)
        return PyTreeDef(kind.__name__, None, children, len(leaves) - start)
    if kind is dict:
        start = len(leaves)
        keys = _sorted_keys(tree)
        children = tuple(_flatten(tree[k], leaves) for k in keys)
        given = tuple(tree)
        return PyTreeDef("dict", keys, children, len(leaves) - start,
                         None if given == keys else given)
    if tree is None:
        return _NONE
    if isinstance(tree, dict):                   # OrderedDict, defaultdict, ...
        start = len(leaves)
        keys = _sorted_keys(tree)
        children = tuple(_flatten(tree[k], leaves) for k in keys)
        how = (tree.default_factory if isinstance(tree, defaultdict)
               else tuple(tree) if isinstance(tree, OrderedDict) else None)
        given = tuple(tree)
        return PyTreeDef("dict subclass", (keys, kind, how), children, len(leaves) - start,
                         None if given == keys else given)
    if isinstance(tree, tuple) and hasattr(tree, "_fields"):      # namedtuple
        start = len(leaves)
        children = tuple(_flatten(c, leaves) for c in tree)
        return PyTreeDef("namedtuple", kind, children, len(leaves) - start)
    leaves.append(tree)
    return _LEAF


def _sorted_keys(d):
    try:
        return tuple(sorted(d))
    except TypeError:
        kinds = sorted({type(k).__name__ for k in d})
        raise TypeError(message("err.tree-keys", kinds=said("part.and").join(kinds),
                                keys=f"{list(d)!r:.80}")) from None


def tree_flatten(tree):
    """``tree -> (leaves, treedef)``, leaves in a fixed left-to-right order."""
    leaves = []
    treedef = _flatten(tree, leaves)
    return leaves, treedef


def tree_leaves(tree):
    return tree_flatten(tree)[0]


def tree_unflatten(treedef, leaves):
    """Rebuild a pytree of structure ``treedef`` from ``leaves``."""
    leaves = list(leaves)
    if len(leaves) != treedef.num_leaves:
        raise ValueError(message("err.tree-leaves", treedef=treedef, want=treedef.num_leaves,
                                 got=len(leaves)))
    it = iter(leaves)
    return _build(treedef, it)


def _build(treedef, it):
    kind = treedef.kind
    if kind == "leaf":
        return next(it)
    if kind == "none":
        return None
    children = [_build(c, it) for c in treedef.children]
    if kind == "tuple":
        return tuple(children)
    if kind == "list":
        return children
    if kind == "dict":
        return dict(_in_order(treedef, treedef.meta, children))
    if kind == "dict subclass":
        keys, cls, how = treedef.meta
        items = _in_order(treedef, keys, children)
        if issubclass(cls, defaultdict):
            return cls(how, items)
        return cls(items)
    return treedef.meta(*children)                                  # namedtuple


def _in_order(treedef, keys, children):
    """The (key, child) pairs of a dict, in the order its caller gave the keys."""
    if treedef.order is None:
        return zip(keys, children)
    by_key = dict(zip(keys, children))
    return ((k, by_key[k]) for k in treedef.order)


def tree_map(f, tree, *rest):
    """Apply ``f`` leaf by leaf; ``rest`` are trees of the same structure."""
    leaves, treedef = tree_flatten(tree)
    others = []
    for other in rest:
        other_leaves, other_def = tree_flatten(other)
        if other_def != treedef:
            raise ValueError(message("err.tree-map", first=treedef, other=other_def))
        others.append(other_leaves)
    return tree_unflatten(treedef, [f(*xs) for xs in zip(leaves, *others)])


def tree_paths(tree):
    """Where each leaf of ``tree`` sits, in tree_flatten's order: ``"[0]['W']"`` is
    ``tree[0]['W']`` (JAX's ``tree_flatten_with_path``, as text for messages)."""
    return _paths(tree_flatten(tree)[1], "")


def _paths(treedef, where):
    if treedef.kind == "leaf":
        return [where]
    keys = (treedef.meta if treedef.kind == "dict" else
            treedef.meta[0] if treedef.kind == "dict subclass" else None)
    steps = [f"[{k!r}]" for k in keys] if keys is not None else \
        [f"[{i}]" for i in range(len(treedef.children))]
    return [p for step, child in zip(steps, treedef.children, strict=True)
            for p in _paths(child, where + step)]
