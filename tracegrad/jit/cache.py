"""The cache of compiled versions, and the guards that say when one may run.

A call's arguments give a key (shapes, dtypes, structure, static values);
each key keeps the versions compiled for it, each valid where its guards
hold (``RETRACE`` when one fails: trace again). After :data:`RETRACE_LIMIT`
versions the function runs eagerly, with one :class:`JitWarning`.
"""
from __future__ import annotations

import functools
import inspect
import linecache
from collections import namedtuple
from collections.abc import Callable

import numpy as np

from ..core import TracegradError, Tracer, warn_at_user
from ..core import thread_state as _state
from ..tree import tree_flatten, tree_unflatten
from ..typing import ArgNums, Fun
from ..words import message, said, words
from .keys import describe_leaves, needs_arguments
from .lowering import RETRACE, comment, generate
from .showing import Source
from .staging import stage

RETRACE_LIMIT = 8       # compiled versions kept per signature before running eagerly


class JitWarning(UserWarning):
    """``jit`` gave up compiling a function and runs it eagerly."""


def _warn(message):
    """A JitWarning at the user's line (the call of the jitted function), not here."""
    warn_at_user(message, JitWarning)


CacheInfo = namedtuple("CacheInfo", "traces signatures versions hits guard_failures eager_calls")


class _Version:
    """One compiled recording, valid where its guards hold."""

    __slots__ = ("fn", "source", "out_tree", "first_guard", "named", "example", "number")

    def __init__(self, fn, source, out_tree, first_guard, named):
        self.fn, self.source, self.out_tree = fn, source, out_tree
        self.first_guard = first_guard          # where the first guard was recorded
        self.named = named      # with the user's names? (None: tried, the names could not be had)
        self.example = None     # (leaves, rebuild) it was traced with: jf.source() names it
        self.number = 0         # the how-many-th trace made it


class _Signature:
    """Everything compiled for one cache key."""

    __slots__ = ("versions", "eager", "why")

    def __init__(self):
        self.versions, self.eager, self.why = [], False, None


def _leaf_key(x):
    t = type(x)
    if t is np.ndarray:
        return (x.shape, x.dtype)
    if t is float or t is complex:
        return t
    if t is int or t is bool:        # counts and flags: keyed by value, not traced
        return (t, x)
    if isinstance(x, np.generic):
        return (t,)
    if isinstance(x, np.ndarray):
        return (t, x.shape, x.dtype)
    return None


def _quick_key(tree, leaves):
    """The cache key of arrays and floats in tuples and lists, and their leaves.

    Plain tuples of shapes, dtypes and types: quick to build and to hash. None
    for anything else (the general key handles it).
    """
    t = type(tree)
    if t is np.ndarray:
        leaves.append(tree)
        return tree.shape, tree.dtype
    if t is float:
        leaves.append(tree)
        return float
    if t is tuple or t is list:
        key = [t]
        for child in tree:
            k = _quick_key(child, leaves)
            if k is None:
                return None
            key.append(k)
        return tuple(key)
    return None


class _QuickRebuild:
    """``rebuild(new_leaves) -> (args, kwargs)`` for the quick key: args' structure,
    flattened once (only a trace needs it)."""

    __slots__ = ("args", "treedef")

    def __init__(self, args):
        self.args, self.treedef = args, None

    def __call__(self, new_leaves):
        if self.treedef is None:
            self.treedef = tree_flatten(self.args)[1]
        return list(tree_unflatten(self.treedef, new_leaves)), {}


class Jitted:
    """A function compiled by :func:`jit`. Call it like the original."""

    def __init__(self, fun, static_argnums=(), retrace_limit=RETRACE_LIMIT):
        # Name and docstring from fun, not its attributes: they could hide our methods.
        functools.update_wrapper(self, fun, updated=())
        self.fun = fun
        nums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
        for i in nums:
            if not isinstance(i, int) or isinstance(i, bool):
                raise TypeError(message("err.jit-static-type", static=repr(static_argnums)))
        self.static_argnums = nums
        self.retrace_limit = retrace_limit
        self._cache = {}
        self._traces = self._hits = self._guard_failures = self._eager_calls = 0

    @property
    def _name(self):
        return getattr(self.fun, "__name__", "fun")

    def __repr__(self):
        return f"<tg.jit of {self._name}>"

    def __get__(self, obj, objtype=None):            # methods work too
        return self if obj is None else functools.partial(self, obj)

    def __call__(self, *args, **kwargs):
        if _state.active:
            # Inside another transformation (grad(jit(f))): its tracers must see every
            # primitive, so fun runs as ordinary code, through bind.
            return self.fun(*args, **kwargs)
        key, leaves, rebuild = self._key(args, kwargs)
        entry = self._cache.get(key)
        if entry is None:
            entry = self._cache[key] = _Signature()
        elif entry.eager:
            self._eager_calls += 1
            return self.fun(*args, **kwargs)
        else:
            for version in entry.versions:
                out = version.fn(*leaves)
                if out is not RETRACE:
                    self._hits += 1
                    # The code builds the output's structure itself, unless it is unusual.
                    return out if version.out_tree is None else \
                        tree_unflatten(version.out_tree, out)
            self._guard_failures += 1
            if len(entry.versions) >= self.retrace_limit:
                where = self._failed_where(entry, leaves)
                self._give_up(entry, said("jit.why guard",
                    limit=self.retrace_limit, where=where))
                self._eager_calls += 1
                return self.fun(*args, **kwargs)
        return self._trace_and_compile(entry, leaves, rebuild, key)[0]

    # -- the cache key ---------------------------------------------------------------
    def _key(self, args, kwargs):
        if not kwargs and not self.static_argnums:
            # The common case, quickly: arrays and floats, in tuples and lists.
            leaves = []
            key = _quick_key(args, leaves)
            if key is not None:
                return key, leaves, _QuickRebuild(args)
        nargs = len(args)
        static = []
        for i in self.static_argnums:
            if not -nargs <= i < nargs:
                raise ValueError(message("err.jit-static-range", name=self._name,
                                         static=repr(self.static_argnums), nargs=nargs))
            value = args[i % nargs]
            try:
                hash(value)
            except TypeError:
                raise TypeError(message("err.jit-static-hash", name=self._name,
                                        position=i % nargs,
                                        kind=type(value).__name__)) from None
            static.append((i % nargs, value))
        static_pos = {i for i, _ in static}
        dynamic = tuple(a for i, a in enumerate(args) if i not in static_pos)
        leaves, treedef = tree_flatten((dynamic, kwargs))
        kinds = []
        for k, leaf in enumerate(leaves):
            kind = _leaf_key(leaf)
            if kind is None:
                if isinstance(leaf, Tracer):     # a tracer of a finished trace
                    raise TracegradError(message("err.jit-finished", name=self._name, k=k))
                raise TypeError(message("err.jit-leaf", name=self._name, k=k,
                                        kind=type(leaf).__name__))
            kinds.append(kind)
        key = (treedef, tuple(static), tuple(kinds))

        def rebuild(new_leaves):
            dyn, kw = tree_unflatten(treedef, new_leaves)
            full, it = [], iter(dyn)
            for i in range(nargs):
                full.append(args[i] if i in static_pos else next(it))
            return full, kw

        return key, leaves, rebuild

    # -- tracing and compiling ----------------------------------------------------------
    def _trace_and_compile(self, entry, leaves, rebuild, key, names=False):
        """Trace ``fun`` on these leaves, compile the record, keep it as a new version.

        Without ``names`` (the calls' case) the code reads ``t7 = np.tanh(t6)``:
        the user's names cost a look at the user's frame on every line, and only
        someone reading the source needs them (see :meth:`source`).
        """
        self._traces += 1
        recording = stage(self.fun, self._name, leaves, rebuild, names)
        trace, program, out = recording
        if trace.drew_random:
            _warn(message("err.jit-random", name=self._name))
        if trace.impure is not None:
            what, where = trace.impure
            self._give_up(entry, said("jit.why impure", what=what, where=where))
            return out, None
        text, fn, structured = self._compile(recording, leaves, names)
        first = min(trace.guards, key=lambda g: g.position, default=None)
        version = _Version(fn, text, None if structured else program.out_tree,
                           "<unknown>" if first is None else comment(first.where), names)
        # What it was traced with, for jf.source(): not copied (weights updated in place
        # since then trace the same program; one that differs keeps its plain names).
        version.example = (leaves, rebuild)
        version.number = self._traces
        entry.versions.append(version)
        return out, version

    def _write(self, recording, leaves, names):
        """``generate`` for a recording of ``stage``: text, namespace, name, structured."""
        trace, program, _ = recording
        return generate(program, trace, self._name, describe_leaves(leaves), names)

    def _compile(self, recording, leaves, names):
        """The source, its compiled function, and whether it builds the output's
        structure itself."""
        text, namespace, fname, structured = self._write(recording, leaves, names)
        namespace["RETRACE"] = RETRACE
        text.namespace = {k: v for k, v in namespace.items() if k != "np"}
        code, filename = text.code, f"<tg.jit {self._name} #{self._traces}>"
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        exec(compile(code, filename, "exec"), namespace)
        fn = namespace.pop(fname)                # (its globals need not hold it: no cycle)
        return text, fn, structured

    def _add_names(self, version, leaves, rebuild):
        """Give a version the user's names: trace once more, with names, and use that
        code if it is the very program compiled before (written with plain names, the
        two must read the same, constants included). Randomness drawn inside ``fun``
        makes them differ: then the version keeps its code, and its plain names."""
        version.named = None                     # tried: whatever happens, once
        recording = stage(self.fun, self._name, leaves, rebuild, names=True)
        plain, constants, _, _ = self._write(recording, leaves, names=False)
        if recording[0].impure is not None or plain != version.source \
                or not same_values(constants, version.fn.__globals__):
            _warn(message("err.jit-names", name=self._name))
            return
        text, fn, _ = self._compile(recording, leaves, names=True)
        version.fn, version.source, version.named = fn, text, True

    def _give_up(self, entry, why):
        entry.eager, entry.why = True, why
        entry.versions = []
        _warn(message("err.jit-eager", name=self._name, why=why))

    def _failed_where(self, entry, leaves):
        """Where the newest version's first guard was recorded (the branch to name)."""
        return entry.versions[-1].first_guard if entry.versions else "<unknown>"

    # -- looking inside -----------------------------------------------------------------------
    def source(self, *args, **kwargs):
        """The compiled NumPy source that serves these arguments (traced now if needed).

        With no arguments: the source of the latest compiled version, after a list of
        all of them when there are several.
        """
        if not args and not kwargs:
            versions = sorted((v for e in self._cache.values() for v in e.versions),
                              key=lambda v: v.number)
            if versions and self._key((), {})[0] not in self._cache:
                return self._latest(versions)
            if not versions and needs_arguments(self.fun):
                raise TracegradError(message("err.jit-nothing-yet", name=self._name))
        key, leaves, rebuild = self._key(args, kwargs)
        entry = self._cache.get(key)
        if entry is None:
            entry = self._cache[key] = _Signature()
        for version in entry.versions:
            if version.fn(*leaves) is not RETRACE:
                if version.named is False:
                    self._add_names(version, leaves, rebuild)
                return version.source
        if not entry.eager and len(entry.versions) < self.retrace_limit:
            _, version = self._trace_and_compile(entry, leaves, rebuild, key, names=True)
            if version is not None:
                return version.source
        raise TracegradError(message("err.jit-no-code", name=self._name, why=entry.why))

    def _latest(self, versions):
        """The latest version's source, named; headed by a list when there are several."""
        latest = versions[-1]
        if latest.named is False:
            self._add_names(latest, *latest.example)
        if len(versions) == 1:
            return latest.source
        say = words()
        listed = ["#   " + say["jit.version"].format(k=k, signature=describe_leaves(v.example[0]))
                  + (say["jit.version guard"].format(where=v.first_guard)
                     if v.first_guard != "<unknown>" else "")
                  for k, v in enumerate(versions, 1)]
        head = ["# " + say["jit.versions"].format(name=self._name, count=len(versions)),
                *listed, "# " + say["jit.latest"].format(count=len(versions)), "", ""]
        text = Source("\n".join(head) + latest.source)
        text.namespace = latest.source.namespace
        return text

    def cache_info(self):
        """Traces run, signatures and versions compiled, hits, guard failures, eager calls."""
        return CacheInfo(self._traces, sum(1 for e in self._cache.values() if e.versions),
                         sum(len(e.versions) for e in self._cache.values()), self._hits,
                         self._guard_failures, self._eager_calls)

    def clear_cache(self):
        self._cache.clear()
        self._traces = self._hits = self._guard_failures = self._eager_calls = 0


def jit(fun: Fun | None = None, static_argnums: ArgNums = (),
        retrace_limit: int = RETRACE_LIMIT) -> Jitted | Callable[[Fun], Jitted]:
    """Compile ``fun`` into plain NumPy the first time it is called, and reuse it.

    ``jf = tg.jit(f)``; ``jf(x)`` traces ``f`` on ``x`` and compiles the
    record (see the module docstring); later calls with arguments of the same
    shapes, dtypes and structure run the compiled code. Arguments listed in
    ``static_argnums`` are not traced: they are part of the cache key, as
    they are (hashable values). ``jf.source(x)`` shows the code,
    ``jf.cache_info()`` what the cache did. Usable as a decorator, with or
    without arguments: ``@tg.jit`` or ``@tg.jit(static_argnums=1)``.
    """
    if fun is None:
        return lambda f: Jitted(f, static_argnums, retrace_limit)
    if not callable(fun):
        raise TypeError(message("err.jit-not-callable", kind=type(fun).__name__))
    return Jitted(fun, static_argnums, retrace_limit)


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
