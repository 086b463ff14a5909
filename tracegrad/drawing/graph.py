"""``tg.graph`` and :class:`Graph`: the recorded computation, named, grouped and annotated.

``tg.graph`` records the program once, with the same machinery that ``grad``
uses, and (for a scalar output) runs the same backward pass, keeping every
node's cotangent. What you see is what was computed: there is no separate
re-trace for pictures.
"""
from __future__ import annotations

import copy
import difflib
import functools
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from ..core import Tracer, concrete
from ..forward import JVPTracer
from ..program import Program
from ..reverse import Node, backward_pass, node_vjps
from ..tree import tree_flatten, tree_leaves
from ..typing import ArgNums, Fun, PyTree
from ..words import language as resolve_language
from ..words import message, said
from ..words import words as words_of
from . import options as _options
from . import rooms, text
from .capture import input_row, record, record_with_tangents, snapshot
from .dot import to_dot
from .paths import ChainRule
from .render import run_dot

__all__ = ["graph", "Graph"]

_LIBRARY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def graph(fun: Fun, argnums: ArgNums = 0, tangents: PyTree | None = None,
          **options: Any) -> Callable[..., Graph]:
    """``graph(fun, argnums=0)(*args) -> Graph``: run ``fun`` once and record it.

    * ``argnums``: the argument(s) to differentiate; with a scalar output every
      node shows ∂output/∂node. ``None`` traces every float argument and shows
      forward values only.
    * ``tangents``: a tuple of tangents for the ``argnums`` arguments: the
      forward-mode view, each node annotated with its tangent (J·v so far).
    * options: ``rankdir`` ("TB" or "LR"; by default chosen from the graph's
      shape), ``theme`` ("light" or "dark"), ``show`` (any of "value", "grad",
      "tangent", "shape"), ``edge_labels`` (label edges with local
      derivatives: the chain-rule view), ``digits``, ``fold`` (True: a
      loop's repeated passes are drawn once, with "× 32"; False: every pass),
      ``max_nodes`` (collapse or cut above this many), ``collapse`` (names
      of functions to draw as single boxes, or True for all), ``language``
      ("en" or "uk" for the captions; by default :func:`tracegrad.words.language`).
    """
    _options.check(options)

    @functools.wraps(fun)
    def graph_fun(*args):
        args = tuple(snapshot(a) for a in args)     # the graph must not change later
        if argnums is None:
            nums = tuple(i for i, a in enumerate(args) if _is_float_tree(a))
            want_grad = False
        else:
            nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
            for i in nums:
                if not -len(args) <= i < len(args):
                    raise ValueError(message("err.graph-argnums-range", argnums=repr(argnums),
                                             count=len(args)))
            nums = tuple(i % len(args) for i in nums)
            want_grad = tangents is None
        if tangents is None:
            recording = record(fun, args, nums)
        else:
            recording = record_with_tangents(fun, args, nums, snapshot(tangents))
        opts = _options.resolve(options)
        opts["language"] = resolve_language(opts["language"])
        if tangents is not None and "show" not in options:
            opts["show"] = ("value", "tangent")
        return Graph(recording, want_grad, opts, fun=fun, args=args, argnums=nums)

    return graph_fun


def _is_float_tree(a):
    leaves = tree_leaves(a)
    return bool(leaves) and all(
        isinstance(x, (float, Tracer)) or
        (not isinstance(x, (bool, int)) and np.issubdtype(np.result_type(x), np.floating))
        for x in leaves)


def output_name(fun):
    """What an unnamed output is called: ``C`` (the lecture's cost) for a loss,
    else the function's name (``arc_length``), with a prime for each
    derivative taken by tracegrad (``f′`` for ``tg.grad(f)``), else ``f``."""
    primes = 0
    while (getattr(fun, "__wrapped__", None) is not None
           and os.path.abspath(getattr(getattr(fun, "__code__", None), "co_filename", ""))
           .startswith(_LIBRARY)):
        fun, primes = fun.__wrapped__, primes + 1
    name = getattr(fun, "__name__", "")
    if not name.isidentifier():
        name = "f"
    elif any(word in name.lower() for word in ("loss", "cost")):
        name = "C"
    return name + "′" * primes


class Graph:
    """A recorded computation, ready to be drawn or listed.

    ``program`` is the recorded :class:`~tracegrad.program.Program`: its
    ``nodes`` are the engine's own Nodes (``self.nodes``), the ones the backward
    pass walked; ``names[node]`` their display names; ``grads[node]`` the
    cotangent ∂output/∂node (scalar outputs only).
    """

    def __init__(self, recording, want_grad, options, fun=None, args=(), argnums=()):
        trace, recorder, inputs, out = recording
        self.trace = trace
        self.options = options
        self._recorder = recorder
        self._args, self._argnums = args, argnums
        self._default_output = output_name(fun) if fun is not None else "C"
        self._chain_rule = None
        self._users = None
        self._fold_cache = {}                   # folds(), by its arguments: same record
        out_leaves = out if isinstance(out, (tuple, list)) else [out]
        self.output_nodes = [o.node for o in out_leaves
                             if isinstance(o, Tracer) and getattr(o, "_trace", None) is trace]
        self.out = tuple(concrete(o) for o in out_leaves) if isinstance(out, (tuple, list)) \
            else concrete(out)
        # The program the trace recorded: drawn, listed, stepped through and evaluated.
        self.program = Program(trace.nodes, [t.node for t in inputs],
                               self.output_nodes or [self.out])
        self.nodes = self.program.nodes
        self.node_set = set(self.nodes)            # "is this value recorded here?"
        self.inputs = self.program.invars
        self.grads = {}
        self.steps = []                         # (node, cotangent) in backward order
        if (want_grad and len(self.output_nodes) == 1
                and np.shape(concrete(self.output_nodes[0].out)) == ()):
            seed = self.output_nodes[0]
            self.grads = backward_pass(self.nodes, {seed: np.ones_like(concrete(seed.out))[()]},
                                       visit=lambda n, g: self.steps.append((n, g)), keep=True)
        self._find_constants()
        self._name_nodes()
        self._find_clusters()

    @property
    def words(self):
        """The words table of this graph's language (captions, notes, clusters)."""
        return words_of(self.options["language"])

    # ---- names --------------------------------------------------------------
    def _name_nodes(self):
        """Unique display names: the user's, else ``v1, v2, ...``; repeats get ``_2``.

        An unnamed output is called ``C`` (the lecture's cost) when the function
        is a loss, else by the function's name (see :func:`output_name`)."""
        self.names = {}
        used = {name: 1 for name, _ in self._constants}     # constants keep their names
        out = self.output_nodes[-1] if self.output_nodes else None
        unnamed = 0
        for node in self.nodes:
            base = node.name
            row = input_row(node) if base is None else None
            if base is None and node is out:
                base = self._default_output
            elif row is not None and node.parents[0] in self.names:
                base = f"{self.names[node.parents[0]]}[{row}]"
            elif base is None:
                unnamed += 1
                base = f"v{unnamed}"
            count = used.get(base, 0) + 1
            used[base] = count
            self.names[node] = base if count == 1 else f"{base}_{count}"
        self.output_name = self.names[out] if out is not None else self._default_output

    def _find_constants(self):
        self._constants = []                     # [(name, value)]
        self._constant_ids = {}                  # id(value) -> k
        self._constant_users = []
        for node in self.nodes:
            for parent, value in zip(node.parents, node.args):
                if parent is not None and parent in self.node_set:
                    continue
                if not self._is_drawn_constant(value):
                    continue
                k = self._constant_ids.get(id(value))
                if k is None:
                    k = len(self._constants)
                    self._constant_ids[id(value)] = k
                    name = self._recorder.constant_name(value) or f"c{k + 1}"
                    self._constants.append((name, value))
                    self._constant_users.append([])
                self._constant_users[k].append(node)

    def _is_drawn_constant(self, value):
        """Arrays and named numbers get a node; unnamed literals (2.0) are inline."""
        if isinstance(value, np.ndarray) and value.ndim > 0:
            return True
        return self._recorder.constant_name(value) is not None

    def constant_list(self):
        return list(self._constants)

    def constant_users(self, k):
        return self._constant_users[k]

    def constant_index(self, value):
        k = self._constant_ids.get(id(value))
        return k if k is not None and self._constants[k][1] is value else None

    def arg_name(self, node, k):
        parent = node.parents[k]
        if parent is not None and parent in self.node_set:
            return self.names[parent]
        value = node.args[k]
        const = self.constant_index(value)
        if const is not None:
            return self._constants[const][0]
        return text.fmt(value, self.options["digits"])

    # ---- clusters and folds: the user's functions and loop passes (rooms.py) ------------
    def _find_clusters(self):
        self._clusters, self._paths = rooms.clusters(self.nodes, self._recorder.root,
                                                     self.words)

    def clusters(self):
        return self._clusters

    def cluster_path(self, node):
        return self._paths[node]

    def folds(self, limit=rooms.FOLD_ABOVE, many=rooms.MAX_PASSES):
        """The loop passes a picture folds (see :func:`rooms.folds`), computed once."""
        cached = self._fold_cache.get((limit, many))
        if cached is None:
            cached = self._fold_cache[limit, many] = rooms.folds(
                self.nodes, set(self.output_nodes), self.num_ops, limit, many)
        return cached

    # ---- annotations ------------------------------------------------------------
    def value(self, node):
        """The value of ``node`` (a Node, or its name: ``g.value("z")``)."""
        return concrete(self._lookup(node).out)

    def grad(self, node):
        """∂output/∂node, for a Node or its name (``g.grad("h")``); None where the
        backward pass did not reach it (or the graph has no backward pass)."""
        g = self.grads.get(self._lookup(node))
        return None if g is None else concrete(g)

    def _lookup(self, node):
        return self.node(node) if isinstance(node, str) else node

    def tangent(self, node):
        out = self._lookup(node).out
        if isinstance(out, JVPTracer):
            return concrete(out.tangent)
        return None

    def phase(self, node):
        return (node.source or ((), "forward"))[1]

    def grad_symbol(self, node):
        return f"∂{self.output_name}/∂{self.names[node]}"

    def annotation(self, node):
        digits = self.options["digits"]
        parts = []
        if "value" in self.options["show"]:
            parts.append(text.fmt(self.value(node), digits))
        g = self.grad(node)
        if g is not None and "grad" in self.options["show"]:
            parts.append(f"{self.grad_symbol(node)} = {text.fmt(g, digits)}")
        t = self.tangent(node)
        if t is not None and "tangent" in self.options["show"]:
            parts.append(f"{self.words['graph tangent']} = {text.fmt(t, digits)}")
        return "   ".join(parts)

    def local_derivative(self, node, k):
        """∂out/∂arg_k at this node, as a number (scalar nodes only, else None)."""
        out = concrete(node.out)
        args = [concrete(a) for a in node.args]
        if np.size(out) != 1 or np.size(args[k]) != 1 or np.ndim(out) or np.ndim(args[k]):
            return None
        # The node's own VJP rules with ḡ = 1 give ∂out/∂arg_k. They get plain
        # values: under tangents=, the recorded ones are tracers of a finished jvp.
        plain = Node(node.primitive, node.parents, args, node.params, out, node.index)
        value = node_vjps(plain, np.ones_like(out)[()], all_args=True)[k]
        return None if value is None else float(concrete(value))

    def edge_label(self, node, k, digits):
        names = [self.arg_name(node, j) for j in range(len(node.args))]
        formula = text.local_formula(node, k, names)
        value = self.local_derivative(node, k)
        head = f"∂{self.names[node]}/∂{names[k]}"
        parts = [head]
        if formula:
            parts.append(formula)
        if value is not None and formula != text.fmt(value, digits):
            parts.append(text.fmt(value, digits))
        return " = ".join(parts)

    def users(self):
        """{node: [(user, k), ...]}: where each node is used, as argument k."""
        if self._users is None:
            self._users = {}
            for node in self.nodes:
                for k, parent in enumerate(node.parents):
                    if parent is not None:
                        self._users.setdefault(parent, []).append((node, k))
        return self._users

    @property
    def num_ops(self):
        """How many primitive calls were recorded (the inputs not counted)."""
        return sum(1 for n in self.nodes if n.primitive is not None)

    def evaluate(self, *args):
        """Run the *recorded* operations again on new arguments: ``g.evaluate(params, x, y)``.

        This is a graph built ahead of time, like TensorFlow 1: the Python
        code is not run again, so an ``if`` takes the branch it took when the
        graph was recorded, whatever the new inputs. ``args`` are the
        function's own arguments; those not in ``argnums`` were recorded as
        constants and must be the same as then. The replay is the program's
        (:meth:`tracegrad.program.Program.run`): each operation goes through
        ``bind``, so the result can itself be differentiated.
        """
        if len(args) != len(self._args):
            raise TypeError(message("err.evaluate-count", want=len(self._args), got=len(args)))
        leaves = []
        for i, (new, old) in enumerate(zip(args, self._args)):
            new_leaves, new_def = tree_flatten(new)
            old_leaves, old_def = tree_flatten(old)
            if new_def != old_def:
                raise TypeError(message("err.evaluate-structure", i=i, new=new_def,
                                        old=old_def))
            if i in self._argnums:
                leaves.extend(new_leaves)
            elif not all(_same(a, b) for a, b in zip(new_leaves, old_leaves)):
                raise ValueError(message("err.evaluate-constant", i=i,
                                         argnums=self._argnums))
        outs = self.program.run(leaves)
        return outs[0] if len(outs) == 1 and not isinstance(self.out, tuple) else tuple(outs)

    # ---- views --------------------------------------------------------------------
    def with_options(self, **options):
        """A copy drawn with other options (same record, same numbers)."""
        _options.check(options)
        if options.get("collapse") not in (None, True, False):
            self._check_collapse(options["collapse"])
        new = copy.copy(self)
        new.options = dict(self.options, **options)
        if options.get("language") is None and "language" in options:
            new.options["language"] = resolve_language(None)
        if new.options["language"] != self.options["language"]:
            new._name_nodes()
            new._find_clusters()
        return new

    def _check_collapse(self, names):
        if isinstance(names, str):
            names = (names,)
        known = {info["name"] for info in self._clusters.values()} | \
                {info["label"] for info in self._clusters.values()}
        unknown = [n for n in names if n not in known]
        if unknown:
            functions = sorted({info["name"] for info in self._clusters.values()})
            rest = (said("part.collapse functions", functions=", ".join(functions))
                    if functions else said("part.collapse none"))
            raise ValueError(message("err.collapse", names=", ".join(map(repr, unknown)),
                                     rest=rest))

    def collapse(self, *names):
        """Draw the clusters of these functions (or all, with no names) as boxes."""
        return self.with_options(collapse=True if not names else tuple(names))

    def node(self, name):
        """The node called ``name`` (as drawn and listed); a KeyError, naming the
        closest names, when there is none."""
        for node in self.nodes:
            if self.names[node] == name:
                return node
        raise UnknownName(name, [self.names[n] for n in self.nodes])

    def path(self, name, max_paths=50):
        """Highlight every path from ``name`` to the output and check the chain rule.

        Along each path, multiply the local derivatives; summed over all paths
        the products give ∂C/∂name, which the caption compares with the
        gradient from the backward pass. ``print(graph.path("w"))`` prints the
        paths, their factors and the sum. Every path is counted and summed;
        ``max_paths`` bounds only how many are listed and highlighted one by one.
        """
        rule = ChainRule(self, name, max_paths)
        new = self.with_options(highlight=tuple(rule.nodes), caption=tuple(rule.lines()),
                                edge_labels=True)
        new._chain_rule = rule
        new.path_sum = rule.total
        new.path_count = rule.count
        return new

    # ---- output -------------------------------------------------------------------
    def to_dot(self, **options):
        return to_dot(self, **dict(self.options, **options))

    def listing(self):
        return text.listing(self)

    def __str__(self):
        return self.listing() if self._chain_rule is None else str(self._chain_rule)

    __repr__ = __str__

    def svg(self, timeout=60.0):
        """The picture as SVG text (needs Graphviz's ``dot``), named for screen
        readers by a one-sentence summary (:func:`text.summary`)."""
        return text.with_name(run_dot(self.to_dot(), "svg", timeout).decode("utf-8"),
                              text.summary(self))

    def render(self, path, format=None, timeout=60.0):
        """Write the picture to ``path`` (svg, png or pdf; from the suffix by default)."""
        fmt = format or os.path.splitext(os.fspath(path))[1].lstrip(".").lower() or "svg"
        if fmt not in ("svg", "png", "pdf"):
            raise ValueError(message("err.render-format", fmt=repr(fmt)))
        run_dot(self.to_dot(), fmt, timeout, output=path)
        return path

    def save(self, path, dpi=None, theme=None, format=None, timeout=60.0):
        """Write the picture as a figure: ``g.save("figure.pdf", theme="projector")``.

        ``path``: .svg, .pdf or .png (or ``format=``); ``dpi``: a PNG's dots per
        inch (96 by default), written into the file; ``theme``: "projector"
        (high contrast, its smallest text at least 3% of a 16:9 slide's height
        when the figure fills the slide), "print" (black on white), or None for
        the picture as the notebook shows it. See :mod:`tracegrad.drawing.figure`.
        """
        from .figure import save
        return save(self, path, dpi=dpi, theme=theme, format=format, timeout=timeout)

    def _short_listing(self, head=30, tail=15):
        if self._chain_rule is not None:
            return str(self._chain_rule)
        lines = self.listing().split("\n")
        if len(lines) <= head + tail + 1:
            return "\n".join(lines)
        more = self.words["more lines"].format(count=len(lines) - head - tail)
        return "\n".join(lines[:head] + [f"    ... {more} ..."] + lines[-tail:])

    def _repr_mimebundle_(self, include=None, exclude=None):
        from . import render  # which picture: dot, the browser, or text
        return render.mimebundle(self, self._short_listing())


class UnknownName(KeyError):
    """No node has this name: the message names the closest ones, then the rest."""

    def __init__(self, name, names):
        close = difflib.get_close_matches(str(name), names, n=3, cutoff=0.5)
        # said(), not words(): in_english can put the pieces back in English
        hint = said("part.did you mean", close=said("part.or").join(map(repr, close))) \
            if close else ""
        shown = ", ".join(names[:40]) + (" ..." if len(names) > 40 else "")
        super().__init__(message("err.unknown-name", name=repr(name), hint=hint, shown=shown))

    def __str__(self):                  # KeyError's own str() would add quotes
        return self.args[0]


def _same(a, b):
    """Is the new argument ``a`` the recorded constant ``b``?"""
    if isinstance(a, Tracer):
        return False
    try:
        return np.array_equal(np.asarray(a), np.asarray(b))
    except (TypeError, ValueError):
        return a is b or a == b
