"""``tg.graph`` with and without Graphviz: SVG/PNG/PDF output, the text
fallback when ``dot`` is missing, and a 10,000-node trace.

The SVG is read with ElementTree; files are checked by their magic bytes.
The tests that need ``dot`` are skipped if it is not installed.
"""

from __future__ import annotations

import re
import shutil
import time

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.numpy as tnp

from .graph_helpers import g4, grad_rows, label_rows, parse_dot, svg_all_text, svg_node_texts
from .programs import (
    escaping_program,
    loss_fun,
    mlp_problem,
    neuron_by_hand,
    neuron_graph,
    two_layers,
)

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot is not installed")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PDF_MAGIC = b"%PDF-"


def squash(s):
    return re.sub(r"\s+", "", s)


# ---------------------------------------------------------------------------
# 7. with Graphviz


@needs_dot
def test_svg_contains_every_node_label():
    g = neuron_graph()
    svg = g.svg()
    assert "<svg" in svg
    dot = parse_dot(g.to_dot())
    drawn = svg_node_texts(svg)
    assert set(drawn) == set(dot.nodes)
    for node_id in dot.nodes:
        assert squash("".join(drawn[node_id])) == squash("".join(dot.rows(node_id))), node_id
    # the numbers, computed here, are in the picture
    r = neuron_by_hand()
    text = " ".join(svg_all_text(svg))
    for v in (r["z"], r["a"], r["C"], r["dC_dz"], r["dC_dw"]):
        assert g4(v) in text


@needs_dot
def test_svg_escapes_user_text():
    svg = tg.graph(escaping_program)(1.0).svg()
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "<lambda>" not in svg
    # it is well-formed XML, and decoded it shows the name as written
    assert any(t.startswith("<script>&") for t in svg_all_text(svg))


@needs_dot
@pytest.mark.parametrize("fmt, magic", [("png", PNG_MAGIC), ("pdf", PDF_MAGIC)])
def test_render_writes_files(tmp_path, fmt, magic):
    g = neuron_graph()
    path = tmp_path / f"g.{fmt}"
    g.render(path)
    assert path.read_bytes().startswith(magic)
    # an explicit format wins over a missing suffix
    other = tmp_path / "picture"
    g.render(other, format=fmt)
    assert other.read_bytes().startswith(magic)


@needs_dot
def test_render_svg_file_and_bad_format(tmp_path):
    g = neuron_graph()
    path = tmp_path / "g.svg"
    g.render(path)
    assert "<svg" in path.read_text("utf-8")
    with pytest.raises(ValueError):
        g.render(tmp_path / "g.gif")


@needs_dot
def test_mimebundle_with_graphviz():
    g = neuron_graph()
    bundle = g._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/svg+xml", "text/plain"}
    assert "<svg" in bundle["image/svg+xml"]
    assert '<svg role="img"' in bundle["text/html"]
    assert bundle["text/plain"].startswith(g.listing().splitlines()[0])


@needs_dot
def test_every_kind_of_graph_is_accepted_by_dot():
    """dot exits cleanly on clusters, boxes, paths, constants, themes."""

    params, X, Yt = mlp_problem()
    g = tg.graph(loss_fun)(params, X, Yt)
    for view in [g, g.collapse("predict"), g.with_options(theme="dark", rankdir="LR"),
                 tg.graph(two_layers, argnums=(0, 1, 2))(0.3, 0.5, -0.7).path("x"),
                 tg.graph(tg.grad(lambda x: tnp.sin(x) * x))(0.7)]:
        assert "<svg" in view.svg()


# ---------------------------------------------------------------------------
# 8. without Graphviz


def test_without_dot_falls_back_to_text(tmp_path, monkeypatch):
    g = neuron_graph()
    listing = g.listing()
    dot_text = g.to_dot()
    monkeypatch.setenv("PATH", str(tmp_path))
    assert shutil.which("dot") is None

    bundle = g._repr_mimebundle_()
    assert set(bundle) == {"text/plain"}
    text = bundle["text/plain"]
    assert listing in text
    assert "Graphviz" in text
    for advice in ("apt-get", "brew", "conda"):
        assert advice in text

    # DOT needs no Graphviz
    assert g.to_dot() == dot_text

    out = tmp_path / "g.png"
    with pytest.raises(tg.GraphvizNotFound) as info:
        g.render(out)
    assert isinstance(info.value, tg.TracegradError)
    assert issubclass(tg.GraphvizNotFound, tg.TracegradError)
    assert "install" in str(info.value).lower()
    assert any(a in str(info.value) for a in ("apt-get", "brew", "conda"))
    assert not out.exists()
    with pytest.raises(tg.GraphvizNotFound):
        g.svg()

    monkeypatch.undo()
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    g.render(out)
    assert out.read_bytes().startswith(PNG_MAGIC)
    assert set(g._repr_mimebundle_()) == {"text/html", "image/svg+xml", "text/plain"}


# ---------------------------------------------------------------------------
# 9. a 10,000-node trace

N_SIN = 10_000


def long_chain(x):
    for _ in range(N_SIN):
        x = tnp.sin(x)
    return x


@pytest.fixture(scope="module")
def long_graph():
    start = time.perf_counter()
    g = tg.graph(long_chain)(0.5)
    return g, time.perf_counter() - start


def test_long_trace_gradient_is_the_product_of_cosines(long_graph):
    g, _ = long_graph
    x, expected = 0.5, 1.0
    for _ in range(N_SIN):
        expected *= np.cos(x)
        x = np.sin(x)
    np.testing.assert_allclose(float(g.out), x, rtol=1e-12)
    np.testing.assert_allclose(float(g.grads[g.inputs[0]]), expected, rtol=1e-10)
    assert sum(1 for n in g.nodes if n.primitive is not None) == N_SIN


@pytest.mark.parametrize("max_nodes", [300, 60])
def test_long_trace_is_cut_to_max_nodes(long_graph, max_nodes):
    g, _ = long_graph
    start = time.perf_counter()
    # fold=False: the passes of the loop are not drawn once, "× 10000", but cut
    text = (g.with_options(fold=False) if max_nodes == 300
            else g.with_options(max_nodes=max_nodes, fold=False)).to_dot()
    dot = parse_dot(text)
    assert len(dot.nodes) <= max_nodes + 5
    assert not any(a.get("__implicit__") for a in dot.nodes.values())
    # a note says operations were left out, and how many, in a box or in the caption
    notes = label_rows(dot.graph_attrs.get("label", ""))
    all_text = " ".join(notes + [r for i in dot.nodes for r in dot.rows(i)])
    assert re.search(r"not drawn|only the last", all_text), all_text[:300]
    drawn_ops = sum(1 for i in dot.nodes if re.match(r"^\S+ = sin\(", (dot.rows(i) or [""])[0]))
    m = re.search(r"(\d+) operations not drawn", all_text)
    assert m, all_text[:300]
    assert int(m.group(1)) + drawn_ops == N_SIN
    # the output is among the drawn nodes, with its value
    x = 0.5
    for _ in range(N_SIN):
        x = np.sin(x)
    out_rows = dot.rows(dot.id_named(g.names[g.output_nodes[0]]))
    assert g4(x) in out_rows
    assert [v for _, _, v in grad_rows(out_rows)] == ["1"]
    # and so is the input, with the product of the cosines as its gradient
    x, product = 0.5, 1.0
    for _ in range(N_SIN):
        product *= np.cos(x)
        x = np.sin(x)
    x_rows = dot.rows(dot.id_named("x"))
    assert g4(0.5) in x_rows
    assert [v for _, _, v in grad_rows(x_rows)] == [g4(product)]
    assert time.perf_counter() - start < 60


def test_long_trace_note_counts_operations(long_graph):
    g, _ = long_graph
    notes = label_rows(parse_dot(g.to_dot()).graph_attrs.get("label", ""))
    counts = [int(m.group(1)) for n in notes for m in [re.match(r"^(\d+) operations", n)] if m]
    assert counts and all(c == N_SIN for c in counts), notes


def test_long_trace_note_does_not_claim_collapsed_clusters(long_graph):
    g, _ = long_graph
    dot = parse_dot(g.to_dot())
    assert dot.clusters() == []
    notes = label_rows(dot.graph_attrs.get("label", ""))
    assert not any("collapsed" in n for n in notes), notes


@needs_dot
def test_long_trace_svg_completes(long_graph):
    g, record_seconds = long_graph
    assert record_seconds < 60                         # a timeout guard, not a benchmark
    start = time.perf_counter()
    svg = g.svg(timeout=60)
    assert time.perf_counter() - start < 60
    assert "<svg" in svg
    bundle = g._repr_mimebundle_()
    assert "image/svg+xml" in bundle
    # the text is shortened, not 10,000 lines
    assert bundle["text/plain"].count("\n") < 200


def test_long_trace_listing_without_dot(long_graph, tmp_path, monkeypatch):
    g, _ = long_graph
    monkeypatch.setenv("PATH", str(tmp_path))
    start = time.perf_counter()
    bundle = g._repr_mimebundle_()
    assert time.perf_counter() - start < 60
    assert set(bundle) == {"text/plain"}
    assert bundle["text/plain"].count("\n") < 200
    assert "Graphviz" in bundle["text/plain"]
    assert len(g.listing().splitlines()) >= N_SIN
