"""Reading what ``tg.graph`` produces, independently of how it was produced.

* :func:`parse_dot`: a small parser for the DOT language (quoted and
  HTML-like ids, subgraphs, attribute lists, edge chains). It knows nothing
  about tracegrad's layout of the text: it does not rely on one statement per
  line or on any particular order of attributes.
* :func:`label_rows`: the rows of an HTML-like label as plain text
  (tags dropped, entities decoded), e.g. ``["z = add(v1, b)", "0.5",
  "∂C/∂z = -0.846"]``.
* :func:`svg_node_texts`: the text drawn inside each node of an SVG made by
  Graphviz, keyed by the DOT node id (the ``<title>`` of each node group).

Nothing here imports tracegrad.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

# ---------------------------------------------------------------------------
# DOT tokens


class DotSyntaxError(ValueError):
    pass


_PUNCT = set("{}[];,=:")
# a numeral, or a name (letters, digits, underscores, and any non-ASCII character)
_ID = re.compile(r"-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)"
                 r"|[A-Za-z_\u0080-\uffff][A-Za-z_0-9\u0080-\uffff]*")


def _tokens(text):
    """Yield (kind, value): kind is 'id', 'html', 'punct' or 'edgeop'."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise DotSyntaxError("unterminated comment")
            i = j + 2
        elif ch == "#" and (i == 0 or text[i - 1] == "\n"):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
        elif ch == '"':
            j, buf = i + 1, []
            while True:
                if j >= n:
                    raise DotSyntaxError("unterminated string")
                c = text[j]
                if c == "\\" and j + 1 < n:
                    nxt = text[j + 1]
                    if nxt == '"':
                        buf.append('"')
                    elif nxt == "\n":
                        pass                     # line continuation
                    else:
                        buf.append("\\" + nxt)
                    j += 2
                    continue
                if c == '"':
                    break
                buf.append(c)
                j += 1
            yield "id", "".join(buf)
            i = j + 1
        elif ch == "<":
            depth, j = 0, i
            while j < n:
                if text[j] == "<":
                    depth += 1
                elif text[j] == ">":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if depth != 0:
                raise DotSyntaxError("unbalanced HTML-like string")
            yield "html", text[i + 1:j]
            i = j + 1
        elif text.startswith("->", i) or text.startswith("--", i):
            yield "edgeop", text[i:i + 2]
            i += 2
        elif ch in _PUNCT:
            yield "punct", ch
            i += 1
        else:
            m = _ID.match(text, i)
            if not m:
                raise DotSyntaxError(f"unexpected character {ch!r} at {i}")
            yield "id", m.group(0)
            i = m.end()


# ---------------------------------------------------------------------------
# DOT structure


@dataclass
class Subgraph:
    name: str | None
    parent: "Subgraph | None" = None
    attrs: dict = field(default_factory=dict)
    nodes: list = field(default_factory=list)      # node ids declared directly inside
    children: list = field(default_factory=list)

    @property
    def is_cluster(self):
        return bool(self.name) and self.name.startswith("cluster")

    def all_nodes(self):
        out = list(self.nodes)
        for c in self.children:
            out.extend(c.all_nodes())
        return out

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


@dataclass
class Dot:
    root: Subgraph
    nodes: dict            # id -> attrs of its node statement(s)
    node_parent: dict      # id -> Subgraph in which it was first declared
    edges: list            # (src, dst, attrs)
    defaults: dict         # "graph"/"node"/"edge" -> attrs of the root attr statements
    directed: bool

    # -- convenience --------------------------------------------------------
    @property
    def graph_attrs(self):
        merged = dict(self.defaults.get("graph", {}))
        merged.update(self.root.attrs)
        return merged

    def clusters(self):
        return [s for s in self.root.walk() if s.is_cluster]

    def rows(self, node_id):
        return label_rows(self.nodes[node_id].get("label", ""))

    def title(self, node_id):
        """The bold text of a node's label (its name), or None."""
        return bold(self.nodes[node_id].get("label", ""))

    def ids_named(self, name):
        return [i for i in self.nodes if self.title(i) == name]

    def id_named(self, name):
        found = self.ids_named(name)
        assert len(found) == 1, f"expected one DOT node named {name!r}, found {found}"
        return found[0]

    def enclosing_clusters(self, node_id):
        """Clusters around a node, innermost first."""
        out, sub = [], self.node_parent.get(node_id)
        while sub is not None:
            if sub.is_cluster:
                out.append(sub)
            sub = sub.parent
        return out


def parse_dot(text):
    toks = list(_tokens(text))
    pos = 0

    def peek(k=0):
        return toks[pos + k] if pos + k < len(toks) else (None, None)

    def take(kind=None, value=None):
        nonlocal pos
        tok = peek()
        if tok[0] is None:
            raise DotSyntaxError("unexpected end of input")
        if kind is not None and tok[0] != kind or value is not None and tok[1] != value:
            raise DotSyntaxError(f"expected {kind} {value!r}, got {tok!r} (token {pos})")
        pos += 1
        return tok

    def ident():
        kind, value = take()
        if kind not in ("id", "html"):
            raise DotSyntaxError(f"expected an id, got {value!r} (token {pos - 1})")
        return value

    def attr_list():
        attrs = {}
        while peek() == ("punct", "["):
            take()
            while peek() != ("punct", "]"):
                key = ident()
                take("punct", "=")
                attrs[key] = ident()
                if peek()[0] == "punct" and peek()[1] in ",;":
                    take()
            take("punct", "]")
        return attrs

    nodes, node_parent, edges, defaults = {}, {}, [], {}

    def declare(node_id, sub, attrs):
        if node_id not in nodes:
            nodes[node_id] = {}
            node_parent[node_id] = sub
            sub.nodes.append(node_id)
        nodes[node_id].update(attrs)

    def node_id():
        name = ident()
        if peek() == ("punct", ":"):                  # port
            take()
            ident()
            if peek() == ("punct", ":"):
                take()
                ident()
        return name

    def stmt_list(sub):
        while peek() != ("punct", "}"):
            stmt(sub)
            if peek() == ("punct", ";"):
                take()
        take("punct", "}")

    def subgraph(parent):
        name = None
        if peek() == ("id", "subgraph"):
            take()
            if peek()[0] in ("id", "html"):
                name = ident()
        take("punct", "{")
        sub = Subgraph(name, parent)
        parent.children.append(sub)
        stmt_list(sub)
        return sub

    def stmt(sub):
        kind, value = peek()
        if kind == "id" and value in ("graph", "node", "edge") and peek(1) == ("punct", "["):
            take()
            target = defaults.setdefault(value, {}) if sub is root else \
                sub.attrs.setdefault("__" + value, {})
            target.update(attr_list())
            return
        if (kind == "id" and value == "subgraph") or (kind, value) == ("punct", "{"):
            subgraph(sub)
            if peek()[0] == "edgeop":
                raise DotSyntaxError("edges from subgraphs are not supported by this parser")
            return
        if kind in ("id", "html") and peek(1) == ("punct", "="):
            key = ident()
            take()
            sub.attrs[key] = ident()
            return
        chain = [node_id()]
        while peek()[0] == "edgeop":
            take()
            chain.append(node_id())
        attrs = attr_list()
        if len(chain) == 1:
            declare(chain[0], sub, attrs)
        else:
            for a, b in zip(chain, chain[1:], strict=False):
                for end in (a, b):
                    if end not in nodes:
                        declare(end, sub, {})
                        nodes[end]["__implicit__"] = True
                edges.append((a, b, attrs))

    if peek() == ("id", "strict"):
        take()
    kind, value = take("id")
    if value not in ("graph", "digraph"):
        raise DotSyntaxError(f"expected graph or digraph, got {value!r}")
    directed = value == "digraph"
    if peek()[0] in ("id", "html") and peek() != ("punct", "{"):
        ident()
    take("punct", "{")
    root = Subgraph(None)
    stmt_list(root)
    if pos != len(toks):
        raise DotSyntaxError(f"trailing tokens after the graph: {toks[pos:pos + 5]}")
    return Dot(root, nodes, node_parent, edges, defaults, directed)


# ---------------------------------------------------------------------------
# labels

_TAG = re.compile(r"<[^<>]*>")


def _plain(fragment):
    return html.unescape(_TAG.sub("", fragment)).strip()


def label_rows(label):
    """The rows of an HTML-like label (or the lines of a plain one) as text."""
    rows = re.findall(r"<TR[^>]*>(.*?)</TR>", label, flags=re.S | re.I)
    if rows:
        return [_plain(r) for r in rows]
    return [line for line in re.split(r"\\[nlr]", label) if line]


def bold(label):
    m = re.search(r"<B>(.*?)</B>", label, flags=re.S | re.I)
    return _plain(m.group(1)) if m else None


_GRAD = re.compile(r"^∂(?P<num>.+?)/∂(?P<den>.+?) = (?P<val>.+)$")


def grad_rows(rows):
    """[(numerator, denominator, value text)] for rows like ``∂C/∂z = -0.846``."""
    out = []
    for r in rows:
        m = _GRAD.match(r)
        if m:
            out.append((m["num"], m["den"], m["val"]))
    return out


def op_ids(dot):
    """DOT ids of the nodes whose label is ``name = op(args)``."""
    return [i for i in dot.nodes if re.match(r"^.+? = \w+", dot.rows(i)[0] if dot.rows(i) else "")]


def op_of(dot, node_id):
    """The operation in a node's first row ``name = op(args)``, or None."""
    m = re.match(r"^.+? = (\w+)", dot.rows(node_id)[0])
    return m.group(1) if m else None


def g4(v, digits=4):
    """A number as the brief specifies: ``digits`` significant digits."""
    s = f"{float(v):.{digits}g}"
    return "0" if s == "-0" else s


# ---------------------------------------------------------------------------
# SVG

_SVG = "{http://www.w3.org/2000/svg}"


def svg_node_texts(svg):
    """{dot node id: the text drawn in that node, its <text> pieces joined}."""
    root = ET.fromstring(svg.encode("utf-8"))
    out = {}
    for g in root.iter(_SVG + "g"):
        if g.get("class") != "node":
            continue
        title = g.find(_SVG + "title")
        texts = ["".join(t.itertext()) for t in g.iter(_SVG + "text")]
        out[title.text if title is not None else None] = texts
    return out


def svg_all_text(svg):
    root = ET.fromstring(svg.encode("utf-8"))
    return ["".join(t.itertext()) for t in root.iter(_SVG + "text")]
