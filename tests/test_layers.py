"""The house's layers: tracegrad's modules import each other one way only.

The imports are read from the source with ``ast`` (every ``import`` statement,
at the top of a file or inside a function), so a late import inside a function
counts as much as one at the top. Also ``tree_paths``, checked against the
tree itself.
"""
from __future__ import annotations

import ast
import pathlib

from hypothesis import given, settings

from tracegrad.tree import tree_flatten, tree_paths

from .strategies import pytrees

SOURCE = pathlib.Path(__file__).resolve().parent.parent / "tracegrad"


def _module_name(path):
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports():
    """{module: the tracegrad modules it imports}, from every import statement."""
    modules = {_module_name(p): p for p in SOURCE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                stem = (f"{base}.{node.module}" if node.module else base) if node.level \
                    else node.module
                # `from .. import lax` takes tracegrad.lax, not tracegrad's own __init__
                targets = [stem] * bool(node.module) + [f"{stem}.{a.name}" for a in node.names]
            else:
                continue
            found |= {t for t in targets if t in modules and t != name}
        graph[name] = found
    return graph


def _reachable(graph, start):
    seen, todo = set(), [start]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_the_reader_finds_the_imports():
    graph = _imports()
    assert "tracegrad.core" in graph["tracegrad.reverse"]
    assert "tracegrad.numpy._shape" in graph["tracegrad.numpy._reductions"]


def test_no_module_reaches_itself_through_its_imports():
    graph = _imports()
    circles = sorted(m for m in graph if m in _reachable(graph, m))
    assert not circles, f"modules in an import circle: {circles}"


def test_the_drawing_stands_below_the_widgets():
    # the widgets use the drawing; a graph shown without `dot` gets the widgets' view
    # handed in from above (render.browser_view), never imported
    graph = _imports()
    for name in graph:
        if name.startswith("tracegrad.drawing"):
            assert not {m for m in _reachable(graph, name)
                        if m.startswith("tracegrad.widgets")}, name


def test_core_stands_on_the_bottom_layer_only():
    graph = _imports()
    words = {m for m in graph if m.startswith("tracegrad.words")}
    bottom = {"tracegrad.advice", "tracegrad.usercode"} | words
    assert _reachable(graph, "tracegrad.core") <= bottom
    assert _reachable(graph, "tracegrad.advice") <= bottom - {"tracegrad.advice"}


def test_the_numpy_families_do_not_import_their_own_package():
    graph = _imports()
    for name, imported in graph.items():
        if name.startswith("tracegrad.numpy.") and name != "tracegrad.numpy.dispatch":
            assert "tracegrad.numpy" not in imported, name


def test_lax_imports_neither_numpy_nor_the_transformations():
    graph = _imports()
    above = {"tracegrad.numpy", "tracegrad.vmap", "tracegrad.custom", "tracegrad.reverse",
             "tracegrad.forward", "tracegrad.jit"}
    for name in graph:
        if name.startswith("tracegrad.lax"):
            assert not _reachable(graph, name) & above, name


def test_tree_paths_name_each_leaf_by_hand():
    tree = {"b": [1.0, None, (2.0,)], "a": 3.0}
    assert tree_paths(tree) == ["['a']", "['b'][0]", "['b'][2][0]"]
    assert tree_paths(5.0) == [""]
    assert tree_paths(None) == []


@settings(max_examples=60, deadline=None)
@given(pytrees())
def test_each_path_leads_to_its_leaf(tree):
    # Following the path's subscripts from the root reaches the leaf tree_flatten lists
    leaves, _ = tree_flatten(tree)
    paths = tree_paths(tree)
    assert len(paths) == len(leaves)
    for path, leaf in zip(paths, leaves, strict=True):
        assert eval("tree" + path, {}, {"tree": tree}) is leaf  # noqa: S307
