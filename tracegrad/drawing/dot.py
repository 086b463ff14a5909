"""From a recorded graph to Graphviz's DOT language.

One DOT node per recorded Node (inputs and primitive calls), one per
constant array, one edge per argument: ``a + a`` gives two edges. Nodes are
grouped in clusters by the user's function that made them. A loop's
repeated passes are drawn once, with "× 32", and large graphs are collapsed
or cut, so that a picture stays readable and Graphviz stays fast. Constants
are drawn when an operation drawn reads them: every node an edge names is
declared.

Everything the user wrote (names, labels) is escaped: labels are
HTML-like, so ``<``, ``>`` and ``&`` become entities and cannot inject markup.
Ids come from the record's order (``n12``), never from ``id()``: the same
program gives byte-identical DOT.
"""
from __future__ import annotations

import re
from html import escape

import numpy as np

from ..words import words
from .options import THEMES, resolve
from .text import fmt, op_str, type_str

__all__ = ["THEMES", "drawn_ids", "to_dot"]

_LAYOUT_LIMITS = 'nslimit=1; nslimit1=1; mclimit=0.01; searchsize=10;'
_MAX_NODES = 300                  # boxes drawn, unless max_nodes= says otherwise
_MAX_PASSES = 12                  # a loop of more passes is drawn once ("× 32")
_MAX_RANKS = 36                   # about 3,500 px from top to bottom: a readable picture
_MAX_TEXT = 300                   # characters of one piece of user text on a node
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _h(text):
    """User text made safe for an HTML-like label: control characters (NUL, ESC,
    form feed), which Graphviz refuses, are dropped; very long text is cut with
    "…" (Graphviz refuses labels over 16,384 characters); empty text is a blank."""
    text = _CONTROL.sub("", str(text))
    if len(text) > _MAX_TEXT:
        text = text[:_MAX_TEXT - 1] + "…"
    return escape(text, quote=True) if text else "&#160;"


def _table(rows):
    cells = "".join(f'<TR><TD ALIGN="CENTER">{r}</TD></TR>' for r in rows)
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>>'


class _Layout:
    """Which DOT nodes to draw: each recorded node, a collapsed box, or nothing.

    A picture stays readable: with ``fold``, a loop's repeated passes are
    drawn once, the others folded into one "× 32" box (:meth:`Graph.folds`);
    above ``max_nodes`` boxes, the innermost clusters collapse into boxes
    (repeated structure: a layer, a loop pass);
    if it is still too big, or (unless ``max_nodes`` was given) its longest
    chain is too long to read (more than 36 ranks), the first and the last parts are drawn with one
    "⋯ N operations not drawn ⋯" box between them."""

    def __init__(self, graph, collapse, max_nodes, w, fold=True):
        automatic, max_nodes = max_nodes is None, max_nodes or _MAX_NODES
        self.graph = graph
        self.box_of = {}              # node -> id of the collapsed box it is drawn in
        self.boxes = {}               # box id -> (label, [nodes])
        self.notes = []
        if fold:          # a loop of many passes folds unless max_nodes= asks for more
            self._fold(graph, max_nodes, None if not automatic else _MAX_PASSES, w)
        nodes = [n for n in graph.nodes if n not in self.box_of]
        clusters = graph.clusters()
        chosen = set()
        for key, info in clusters.items():
            if collapse is True or collapse and (info["label"] in collapse
                                                 or info["name"] in collapse):
                chosen.add(key)
        operations = graph.num_ops
        count = self._count(nodes, clusters, chosen) + len(self.boxes)
        if count > max_nodes and clusters:   # collapse from the innermost clusters outwards
            size = {}
            for n in nodes:
                path = graph.cluster_path(n)
                for i in range(1, len(path) + 1):
                    size[path[:i]] = size.get(path[:i], 0) + 1
            depth = max(len(k) for k in clusters)
            while count > max_nodes and depth > 0:
                # A box hiding more than a whole picture's worth shows nothing: such a
                # cluster stays open, and the cut below keeps its first and last operations.
                chosen |= {k for k in clusters if len(k) == depth and size.get(k, 0) <= max_nodes}
                count = self._count(nodes, clusters, chosen) + len(self.boxes)
                depth -= 1
            if chosen:
                self.notes.append(w["collapsed note"].format(count=operations,
                                                            max_nodes=max_nodes))
        for node in nodes:
            outer = self._outermost(node, chosen)
            if outer is not None:
                self.box_of[node] = "c" + clusters[outer]["id"]
                self.boxes.setdefault(self.box_of[node], (clusters[outer], []))[1].append(node)
        self.kept = [n for n in nodes if n not in self.box_of]
        units = self.kept + list(self.boxes)
        inputs = [n for n in self.kept if n.primitive is None]
        first = {n: n.index for n in self.kept}
        first.update({b: members[0].index for b, (_, members) in self.boxes.items()})
        rest = sorted((u for u in units if u not in inputs), key=first.get)
        cut = []
        if len(units) > max_nodes:                            # too many boxes
            room = max(max_nodes - len(inputs), 2)
            head = room // 3
            cut = rest[head:len(rest) - (room - head)]
            self._omit(cut, w)
        rank = self._ranks(nodes)
        top = max(rank.values(), default=0)
        if automatic and top > _MAX_RANKS:                    # too tall a chain
            head, tail = _MAX_RANKS // 3, _MAX_RANKS - _MAX_RANKS // 3
            tall = [u for u in rest if u in rank and head < rank[u] <= top - tail]
            cut += tall
            self._omit(tall, w)
        if cut:
            cut = set(cut)
            drawn = [u for u in rest if u not in cut]
            first_cut = min(first[u] for u in cut)
            shown_first = len([u for u in drawn if first[u] < first_cut])
            self.kept = inputs + [u for u in drawn if u not in self.boxes]
            self.notes.append(w["cut note"].format(count=operations, first=shown_first,
                                                   last=len(drawn) - shown_first))

    def _fold(self, graph, max_nodes, many, w):
        """Each loop's repeated passes into one box, next to the pass drawn."""
        folds = graph.folds(max_nodes, many)
        for k, fold in enumerate(folds):
            box = f"f{k}"
            for n in fold["nodes"]:
                self.box_of[n] = box
            info = {"label": w["loop folded"].format(name=fold["name"], total=fold["total"]),
                    "name": fold["name"], "id": box, "fold": fold,
                    "rows": [w["passes folded"].format(count=fold["total"] - len(fold["drawn"]),
                                                       ops=fold["ops"])]}
            self.boxes[box] = (info, list(fold["nodes"]))
        if folds:
            self.notes.append(w["fold note"].format(count=graph.num_ops))

    def _omit(self, cut, w):
        """Draw the units ``cut`` as one "⋯ N operations not drawn ⋯" box."""
        if not cut:
            return
        _, omitted = self.boxes.pop("omitted", (None, []))
        for unit in cut:
            omitted.extend(self.boxes.pop(unit)[1] if unit in self.boxes else [unit])
        for n in omitted:
            self.box_of[n] = "omitted"
        ops = len([n for n in omitted if n.primitive is not None])
        self.boxes["omitted"] = ({"label": w["not drawn"].format(count=ops),
                                  "name": "omitted", "id": "omitted"}, omitted)
        self.kept = [n for n in self.kept if n not in self.box_of]

    def _ranks(self, nodes):
        """The rank of each drawn box: 1 + the highest rank among its arguments."""
        rank = {}
        for node in nodes:
            if node.primitive is None:
                continue
            unit = self.box_of.get(node, node)
            r = 1
            for parent in node.parents:
                if parent is None or parent.primitive is None:
                    continue
                source = self.box_of.get(parent, parent)
                if source != unit:
                    r = max(r, rank.get(source, 0) + 1)
            rank[unit] = max(rank.get(unit, 0), r)
        return rank

    def shape(self):
        """(ranks, widest rank) of the drawn picture: its depth and breadth."""
        drawn = {n for n in self.kept} | set(self.boxes)
        rank = {u: r for u, r in self._ranks(self.graph.nodes).items() if u in drawn}
        if not rank:
            return 1, 1
        widths = {}
        for r in rank.values():
            widths[r] = widths.get(r, 0) + 1
        return max(rank.values()) + 1, max(widths.values())

    def _outermost(self, node, chosen):
        path = self.graph.cluster_path(node)
        for i in range(1, len(path) + 1):
            if path[:i] in chosen:
                return path[:i]
        return None

    def _count(self, nodes, clusters, chosen):
        boxes = {self._outermost(n, chosen) for n in nodes} - {None}
        return sum(1 for n in nodes if self._outermost(n, chosen) is None) + len(boxes)

    def reads_drawn(self, node):
        """Is ``node`` drawn, on its own or in a collapsed function's box (not
        folded, not omitted)? Then the constants it reads are drawn too."""
        box = self.box_of.get(node)
        return box is None or (box != "omitted" and "fold" not in self.boxes[box][0])

    def dot_id(self, node):
        return self.box_of.get(node, f"n{node.index}")


def drawn_ids(graph, **options):
    """``{node: DOT id}``: the box in which each recorded node is drawn (its own,
    a collapsed function's, a folded loop's or the omitted operations'), for the
    stepper to ring the box that holds the current node."""
    o = resolve(options, graph.options)
    layout = _Layout(graph, o["collapse"], o["max_nodes"], words(o["language"]), o["fold"])
    return {node: layout.dot_id(node) for node in graph.nodes}


def _rankdir(layout):
    """Top to bottom, unless the picture is so wide and shallow that left to right
    is nearer a page's shape (boxes are about 3 times wider than tall)."""
    depth, breadth = layout.shape()
    tall = max(breadth * 220 / 1000, depth * 75 / 1400)     # TB: width and height, in pages
    wide = max(depth * 240 / 1000, breadth * 60 / 1400)     # LR
    return "LR" if wide < tall else "TB"


def to_dot(graph, **options):
    """DOT source for ``graph``; see :func:`tracegrad.graph` for the options."""
    o = resolve(options, graph.options)
    theme, show, edge_labels, digits = o["theme"], o["show"], o["edge_labels"], o["digits"]
    max_nodes, collapse, highlight, caption = (o["max_nodes"], o["collapse"], o["highlight"],
                                               o["caption"])
    w = words(o["language"])
    c = THEMES[theme]
    layout = _Layout(graph, collapse, max_nodes, w, o["fold"])
    rankdir = o["rankdir"] or _rankdir(layout)
    highlight = set(highlight)
    out = ["digraph tracegrad {",
           f'  graph [rankdir={rankdir}, bgcolor="{c["bg"]}", fontname="Helvetica", '
           f'fontcolor="{c["font"]}", fontsize=11, nodesep=0.25, ranksep=0.35];',
           f'  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, '
           f'color="{c["border"]}", fontcolor="{c["font"]}", margin="0.08,0.04"];',
           f'  edge [color="{c["edge"]}", fontname="Helvetica", fontsize=9, '
           f'fontcolor="{c["font"]}", arrowsize=0.6];']
    total = len(layout.kept) + len(layout.boxes)
    if total > 100:
        out.append("  " + _LAYOUT_LIMITS)
    notes = list(layout.notes) + list(caption)
    if notes:
        out.append(f'  label={_table([_h(n) for n in notes])}; labelloc=t; labeljust=l;')

    # nodes, inside their clusters
    body = _cluster_tree(graph, layout)
    _emit_clusters(out, body, graph, layout, c, show, digits, highlight, indent="  ")
    for box_id, (info, members) in sorted(layout.boxes.items()):
        if box_id in {"c" + i["id"] for i in graph.clusters().values()} or box_id == "omitted" \
                or "fold" in info:
            last = members[-1]
            rows = [f"<B>{_h(info['label'])}</B>"] + [_h(r) for r in info.get("rows", [
                w["operations"].format(count=len([m for m in members if m.primitive]))])]
            if box_id != "omitted" and "value" in show:
                value = fmt(last.out, digits)
                rows.append(_h(w["last"].format(name=graph.names[last], value=value)))
            out.append(f'  "{box_id}" [label={_table(rows)}, fillcolor="{c["collapsed"]}", '
                       f'style="filled,dashed"];')

    # constants: those an operation drawn reads (a folded pass's or an omitted
    # operation's own constants are not drawn, nor their edges)
    drawn_constants = set()
    for k, (name, value) in enumerate(graph.constant_list()):
        if any(layout.reads_drawn(n) for n in graph.constant_users(k)):
            drawn_constants.add(k)
            rows = [f"<B>{_h(name)}</B>"] + ([_h(type_str(value))] if np.ndim(value) else [])
            if "value" in show:
                rows.append(_h(fmt(value, digits)))
            out.append(f'  "k{k}" [label={_table(rows)}, fillcolor="{c["constant"]}", '
                       f'shape=box, style="filled"];')

    # edges: one per argument
    seen_box_edges = set()
    for node in graph.nodes:
        if node.primitive is None:
            continue
        dst = layout.dot_id(node)
        for k, parent in enumerate(node.parents):
            if parent is not None and parent in graph.node_set:
                src = layout.dot_id(parent)
            else:
                const = graph.constant_index(node.args[k])
                if const not in drawn_constants:
                    continue
                src = f"k{const}"
            if src == dst:
                continue
            attrs = []
            if src in layout.boxes or dst in layout.boxes:
                if (src, dst) in seen_box_edges:
                    continue
                seen_box_edges.add((src, dst))
            elif edge_labels:
                text = graph.edge_label(node, k, digits)
                if text:
                    attrs.append(f"label={_table([_h(text)])}")
            if node in highlight and parent in highlight:
                attrs.append(f'color="{c["highlight"]}", penwidth=2.2')
            out.append(f'  "{src}" -> "{dst}"' + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    out.append("}")
    return "\n".join(out) + "\n"


def _node_line(graph, node, c, show, digits, highlight, indent):
    names = graph.names
    if node.primitive is None:
        rows = [f"<B>{_h(names[node])}</B>"]
        fill = c["input"]
    else:
        args = ", ".join(graph.arg_name(node, k) for k in range(len(node.args)))
        rows = [f"<B>{_h(names[node])}</B> = {_h(op_str(node))}({_h(args)})"]
        fill = c["op"]
        if graph.phase(node) == "backward":
            fill = c["backward"]
    if node in graph.output_nodes:
        fill = c["output"]
    if "shape" in show or np.ndim(graph.value(node)) > 0:
        rows.append(_h(type_str(node.out)))
    if "value" in show:
        # Values, gradients and tangents each have their own text colour (the value's
        # differs from the font's by one bit), so the stepper can find them in the SVG.
        rows.append(f'<FONT COLOR="{c["value"]}">{_h(fmt(graph.value(node), digits))}</FONT>')
    if "grad" in show and graph.grad(node) is not None:
        rows.append(f'<FONT COLOR="{c["grad"]}">'
                    f'{_h(graph.grad_symbol(node))} = {_h(fmt(graph.grad(node), digits))}</FONT>')
    if "tangent" in show and graph.tangent(node) is not None:
        rows.append(f'<FONT COLOR="{c["tangent"]}">'
                    f'{_h(graph.words["graph tangent"])} = '
                    f'{_h(fmt(graph.tangent(node), digits))}</FONT>')
    style = "rounded,filled" + (",dashed" if graph.phase(node) == "backward" else "")
    extra = f', color="{c["highlight"]}", penwidth=2.5' if node in highlight else ""
    return (f'{indent}"n{node.index}" [label={_table(rows)}, fillcolor="{fill}", '
            f'style="{style}"{extra}];')


def _cluster_tree(graph, layout):
    """Nested dict: cluster path -> {"nodes": [...], "children": {...}}."""
    root = {"nodes": [], "children": {}}
    for node in layout.kept:
        path = graph.cluster_path(node)
        where = root
        for i in range(1, len(path) + 1):
            where = where["children"].setdefault(path[:i], {"nodes": [], "children": {}})
        where["nodes"].append(node)
    return root


def _emit_clusters(out, tree, graph, layout, c, show, digits, highlight, indent):
    for node in tree["nodes"]:
        out.append(_node_line(graph, node, c, show, digits, highlight, indent))
    for path, sub in tree["children"].items():
        info = graph.clusters()[path]
        out.append(f'{indent}subgraph "cluster_{info["id"]}" {{')
        out.append(f'{indent}  label={_table([_h(info["label"])])}; style="rounded,filled"; '
                   f'fillcolor="{c["cluster"]}"; color="{c["cluster_border"]}"; '
                   f'fontcolor="{c["font"]}";')
        _emit_clusters(out, sub, graph, layout, c, show, digits, highlight, indent + "  ")
        out.append(f"{indent}}}")
