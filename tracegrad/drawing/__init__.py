"""tracegrad.drawing (``tg.graph``): draw the recorded trace, every node with its value and gradient.

    g = tg.graph(loss_fun)(params, x, y)
    g                      # in Jupyter: the picture (SVG), or the listing without Graphviz
    print(g)               # the jaxpr-like listing
    g.render("loss.pdf")   # for slides
    g.path("w")            # the chain rule: paths from w to the output

``tg.graph`` records the program once, with the same machinery that ``grad``
uses, and (for a scalar output) runs the same backward pass, keeping every
node's cotangent. What you see is what was computed: there is no separate
re-trace for pictures.

This package reads the engine's record; the engine never imports it.
"""
from __future__ import annotations

import copy
import functools

import numpy as np

from ..core import Tracer, TracegradError, concrete
from ..forward import JVPTracer, jvp
from ..reverse import backward_pass
from . import text
from .capture import record, snapshot
from .dot import THEMES, to_dot
from .render import INSTALL_HINT, GraphvizNotFound, run_dot

__all__ = ["graph", "Graph", "GraphvizNotFound", "THEMES"]

_MAX_PASSES = 12
_OPTIONS = dict(rankdir="TB", theme="light", show=("value", "grad"), edge_labels=False,
                digits=4, max_nodes=300, collapse=(), highlight=(), caption=())


def _check_options(options):
    """Refuse unknown options and bad values when they are given, not when drawing."""
    unknown = set(options) - set(_OPTIONS)
    if unknown:
        raise TypeError(f"graph: unknown option(s) {sorted(unknown)}; the options are "
                        f"{sorted(_OPTIONS)}.")
    if "theme" in options and options["theme"] not in THEMES:
        raise ValueError(f"graph: theme must be one of {sorted(THEMES)}, not "
                         f"{options['theme']!r}.")
    if "rankdir" in options and options["rankdir"] not in ("TB", "LR", "BT", "RL"):
        raise ValueError(f"graph: rankdir must be 'TB', 'LR', 'BT' or 'RL', not "
                         f"{options['rankdir']!r}.")
    bad = set(options.get("show", ())) - {"value", "grad", "tangent", "shape"}
    if bad:
        raise ValueError(f"graph: show may hold 'value', 'grad', 'tangent' and 'shape', "
                         f"not {sorted(bad)}.")


def graph(fun, argnums=0, tangents=None, **options):
    """``graph(fun, argnums=0)(*args) -> Graph``: run ``fun`` once and record it.

    * ``argnums``: the argument(s) to differentiate; with a scalar output every
      node shows ∂output/∂node. ``None`` traces every float argument and shows
      forward values only.
    * ``tangents``: a tuple of tangents for the ``argnums`` arguments: the
      forward-mode view, each node annotated with its tangent (J·v so far).
    * options: ``rankdir`` ("TB" or "LR"), ``theme`` ("light" or "dark"),
      ``show`` (any of "value", "grad", "tangent", "shape"), ``edge_labels``
      (label edges with local derivatives: the chain-rule view), ``digits``,
      ``max_nodes`` (collapse above this many), ``collapse`` (names of functions
      to draw as single boxes, or True for all).
    """
    _check_options(options)

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
                    raise ValueError(f"graph: argnums={argnums!r} is out of range for "
                                     f"{len(args)} argument(s).")
            nums = tuple(i % len(args) for i in nums)
            want_grad = tangents is None
        if tangents is None:
            trace, recorder, inputs, out = record(fun, args, nums)
        else:
            trace, recorder, inputs, out = _record_with_tangents(fun, args, nums,
                                                                 snapshot(tangents))
        opts = dict(_OPTIONS, **options)
        if tangents is not None and "show" not in options:
            opts["show"] = ("value", "tangent")
        return Graph(trace, recorder, inputs, out, want_grad, opts)

    return graph_fun


def _is_float_tree(a):
    from ..tree import tree_leaves
    leaves = tree_leaves(a)
    return bool(leaves) and all(
        isinstance(x, (float, Tracer)) or
        (not isinstance(x, (bool, int)) and np.issubdtype(np.result_type(x), np.floating))
        for x in leaves)


def _record_with_tangents(fun, args, nums, tangents):
    if not isinstance(tangents, (tuple, list)) or len(tangents) != len(nums):
        raise TypeError(f"graph: tangents must be a tuple with one tangent per argument in "
                        f"argnums ({len(nums)}), e.g. tangents=(1.0,).")
    found = {}

    def partial(*diff_args):
        full = list(args)
        for i, a in zip(nums, diff_args):
            full[i] = a
        found["record"] = record(fun, full, nums)
        out = found["record"][3]
        return out.primal if isinstance(out, Tracer) and out._trace is found["record"][0] else out

    jvp(partial, tuple(args[i] for i in nums), tuple(tangents))
    return found["record"]


class Graph:
    """A recorded computation, ready to be drawn or listed.

    ``nodes`` are the engine's own Nodes; ``names[node]`` their display names;
    ``grads[node]`` the cotangent ∂output/∂node (scalar outputs only).
    """

    def __init__(self, trace, recorder, inputs, out, want_grad, options):
        self.trace = trace
        self.nodes = list(trace.nodes)
        self.index_set = set(self.nodes)
        self.inputs = [t.node for t in inputs]
        self.options = options
        self._recorder = recorder
        out_leaves = out if isinstance(out, (tuple, list)) else [out]
        self.output_nodes = [o.node for o in out_leaves
                             if isinstance(o, Tracer) and getattr(o, "_trace", None) is trace]
        self.out = tuple(concrete(o) for o in out_leaves) if isinstance(out, (tuple, list)) \
            else concrete(out)
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

    # ---- names --------------------------------------------------------------
    def _name_nodes(self):
        """Unique display names: the user's, else ``v1, v2, ...``; repeats get ``_2``.

        An unnamed output is called ``C`` (the lecture's cost), or ``C_2`` if
        ``C`` is taken."""
        self.names = {}
        used = {name: 1 for name, _ in self._constants}     # constants keep their names
        out = self.output_nodes[-1] if self.output_nodes else None
        unnamed = 0
        for node in self.nodes:
            base = node.name
            if base is None and node is out:
                base = "C"
            elif base is None:
                unnamed += 1
                base = f"v{unnamed}"
            count = used.get(base, 0) + 1
            used[base] = count
            self.names[node] = base if count == 1 else f"{base}_{count}"
        self.output_name = self.names[out] if out is not None else "C"

    def _find_constants(self):
        self._constants = []                     # [(name, value)]
        self._constant_ids = {}                  # id(value) -> k
        self._constant_users = []
        for node in self.nodes:
            for parent, value in zip(node.parents, node.args):
                if parent is not None and parent in self.index_set:
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
        if parent is not None and parent in self.index_set:
            return self.names[parent]
        value = node.args[k]
        const = self.constant_index(value)
        if const is not None:
            return self._constants[const][0]
        return text.fmt(value, self.options["digits"])

    # ---- clusters: which user function made each node -------------------------
    def _find_clusters(self):
        passes = {}                              # (name, call, loop line) -> its passes
        for node in self.nodes:
            frames, _ = node.source or ((), "forward")
            for name, call, loops in frames:
                for line, number in loops:
                    passes.setdefault((name, call, line), set()).add(number)
        # A loop's passes become clusters (one per layer, say), unless there are
        # so many that the clusters would only clutter the picture.
        self._looped = {k for k, numbers in passes.items() if 1 < len(numbers) <= _MAX_PASSES}
        self._clusters = {}
        self._paths = {}
        siblings = {}
        for node in self.nodes:
            path = self._compute_path(node)
            self._paths[node] = path
            for i in range(1, len(path) + 1):
                key = path[:i]
                if key in self._clusters:
                    continue
                last = key[-1]
                if last == ("backward",):
                    label, name = "backward pass", "backward"
                elif len(last) == 4:                 # (name, call, loop line, pass)
                    label, name = f"{last[0]}: loop pass {last[3]}", last[0]
                else:
                    count = siblings.get((key[:-1], last[0]), 0) + 1
                    siblings[(key[:-1], last[0])] = count
                    label, name = last[0] + ("" if count == 1 else f" #{count}"), last[0]
                self._clusters[key] = {"id": str(len(self._clusters)), "label": label,
                                       "name": name}

    def _compute_path(self, node):
        if node.primitive is None:
            return ()
        frames, phase = node.source or ((), "forward")
        path = [("backward",)] if phase == "backward" else []
        for name, call, loops in frames:
            if call != self._recorder.root:
                path.append((name, call))
            for line, number in loops:
                if (name, call, line) in self._looped:
                    path.append((name, call, line, number))
        return tuple(path)

    def clusters(self):
        return self._clusters

    def cluster_path(self, node):
        return self._paths[node]

    def drawn_nodes(self):
        return self.nodes

    # ---- annotations ------------------------------------------------------------
    def value(self, node):
        return concrete(node.out)

    def grad(self, node):
        g = self.grads.get(node)
        return None if g is None else concrete(g)

    def tangent(self, node):
        out = node.out
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
            parts.append(f"tangent = {text.fmt(t, digits)}")
        return "   ".join(parts)

    def local_derivative(self, node, k):
        """∂out/∂arg_k at this node, as a number (scalar nodes only, else None)."""
        out = concrete(node.out)
        args = [concrete(a) for a in node.args]
        if np.size(out) != 1 or np.size(args[k]) != 1 or np.ndim(out) or np.ndim(args[k]):
            return None
        one = np.ones_like(out)[()]
        rules = node.primitive.vjp
        if callable(rules):
            value = rules(one, out, *args, **node.params)[k]
        else:
            rule = rules[k] if rules is not None and k < len(rules) else None
            value = rule(one, out, *args, **node.params) if rule is not None else 0.0
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
        if getattr(self, "_users", None) is None:
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

    def evaluate(self, *inputs):
        """Run the *recorded* operations again on new input values.

        This is a graph built ahead of time, like TensorFlow 1: the Python
        code is not run again, so an ``if`` takes the branch it took when the
        graph was recorded, whatever the new inputs. ``inputs`` are the new
        values of the traced arguments, one per input leaf, in the order of
        ``self.inputs``. The operations go through ``bind``, so the result
        can itself be differentiated.
        """
        if len(inputs) != len(self.inputs):
            raise TypeError(f"evaluate: this graph has {len(self.inputs)} input(s) "
                            f"({', '.join(self.names[n] for n in self.inputs)}), but "
                            f"{len(inputs)} value(s) were given.")
        values = dict(zip(self.inputs, inputs))
        for node in self.nodes:
            if node.primitive is None:
                continue
            args = [values[p] if p is not None and p in values else a
                    for p, a in zip(node.parents, node.args)]
            values[node] = node.primitive.bind(*args, **node.params)
        outs = [values[n] for n in self.output_nodes]
        return outs[0] if len(outs) == 1 and not isinstance(self.out, tuple) else tuple(outs)

    # ---- views --------------------------------------------------------------------
    def with_options(self, **options):
        """A copy drawn with other options (same record, same numbers)."""
        _check_options(options)
        new = copy.copy(self)
        new.options = dict(self.options, **options)
        return new

    def collapse(self, *names):
        """Draw the clusters of these functions (or all, with no names) as boxes."""
        return self.with_options(collapse=True if not names else tuple(names))

    def node(self, name):
        for node in self.nodes:
            if self.names[node] == name:
                return node
        raise KeyError(f"no value named {name!r} in this graph; the names are: "
                       f"{', '.join(self.names[n] for n in self.nodes[:40])}"
                       f"{' ...' if len(self.nodes) > 40 else ''}.")

    def path(self, name, max_paths=50):
        """Highlight every path from ``name`` to the output and check the chain rule.

        Along each path, multiply the local derivatives; summed over all paths
        the products give ∂C/∂name, which the caption compares with the
        gradient from the backward pass.
        """
        start = self.node(name)
        if not self.output_nodes:
            raise TracegradError("path: this graph has no traced output.")
        target = self.output_nodes[-1]
        users = self.users()
        paths, stack = [], [(start, [])]
        while stack and len(paths) < max_paths:          # iterative depth-first search
            node, edges = stack.pop()
            if node is target:
                paths.append(edges)
                continue
            for user, k in reversed(users.get(node, [])):
                if user.index <= target.index:
                    stack.append((user, edges + [(user, k)]))
        digits = self.options["digits"]
        on_path = {start} | {n for p in paths for n, _ in p}
        lines = [f"Paths from {name} to {self.names[target]}: {len(paths)}"
                 + (" (stopped counting)" if len(paths) >= max_paths else "")]
        total, exact = 0.0, True
        for i, edges in enumerate(paths[:8]):
            factors = [self.local_derivative(n, k) for n, k in edges]
            symbols = " · ".join(f"∂{self.names[n]}/∂{self.arg_name(n, k)}" for n, k in edges)
            if any(f is None for f in factors):
                exact = False
                lines.append(f"path {i + 1}: {symbols}")
                continue
            product = float(np.prod(factors)) if factors else 1.0
            total += product
            numbers = " · ".join(text.fmt(f, digits) for f in factors)
            lines.append(f"path {i + 1}: {symbols} = {numbers} = {text.fmt(product, digits)}")
        for edges in paths[8:]:
            factors = [self.local_derivative(n, k) for n, k in edges]
            if any(f is None for f in factors):
                exact = False
            else:
                total += float(np.prod(factors))
        complete = exact and len(paths) < max_paths       # else the sum would be partial
        g = self.grad(start)
        if complete and g is not None:
            lines.append(f"sum over paths = {text.fmt(total, digits)};  backward pass: "
                         f"{self.grad_symbol(start)} = {text.fmt(g, digits)}")
        new = self.with_options(highlight=tuple(on_path), caption=tuple(lines),
                                edge_labels=True)
        new.path_sum = total if complete else None
        new.path_count = len(paths)
        return new

    # ---- output -------------------------------------------------------------------
    def to_dot(self, **options):
        opts = dict(self.options, **options)
        return to_dot(self, **opts)

    def listing(self):
        return text.listing(self)

    def __str__(self):
        return self.listing()

    def __repr__(self):
        return self.listing()

    def svg(self, timeout=60.0):
        """The picture as SVG text (needs Graphviz's ``dot``)."""
        return run_dot(self.to_dot(), "svg", timeout).decode("utf-8")

    def render(self, path, format=None, timeout=60.0):
        """Write the picture to ``path`` (svg, png or pdf; from the suffix by default)."""
        import os
        fmt = format or os.path.splitext(os.fspath(path))[1].lstrip(".").lower() or "svg"
        if fmt not in ("svg", "png", "pdf"):
            raise ValueError(f"render: format must be 'svg', 'png' or 'pdf', not {fmt!r}.")
        run_dot(self.to_dot(), fmt, timeout, output=path)
        return path

    def _short_listing(self, head=30, tail=15):
        lines = self.listing().split("\n")
        if len(lines) <= head + tail + 1:
            return "\n".join(lines)
        return "\n".join(lines[:head] + [f"    ... {len(lines) - head - tail} more lines: "
                                          f"print(graph) shows all ..."] + lines[-tail:])

    def _repr_mimebundle_(self, include=None, exclude=None):
        listing = self._short_listing()
        try:
            return {"image/svg+xml": self.svg(), "text/plain": listing}
        except GraphvizNotFound:
            return {"text/plain": listing + "\n\n" + INSTALL_HINT}
        except TracegradError as e:
            return {"text/plain": listing + "\n\n" + str(e)}
