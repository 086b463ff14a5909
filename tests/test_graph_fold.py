"""Pictures of repeated structure (issue 22, items 22 to 25): a loop's repeated
passes drawn once ("× 32"), rows of a named array named ``X[3]``, every node
that an edge names declared, and the stepper ringing a drawn box at every step.

Expected numbers come from the programs themselves (how many passes, how many
operations in each, by hand) and from NumPy; pictures are read back with the
independent DOT and SVG readers of ``graph_helpers``."""

from __future__ import annotations

import re
import shutil
import time
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.numpy as tnp
from tracegrad.words import words

from .graph_helpers import g4, label_rows, parse_dot, svg_node_texts
from .programs import mlp_problem, predict

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is missing")

RNG = np.random.default_rng(0)


def svg_size_px(svg):
    """(width, height) in CSS pixels, from the root element's attributes (in points)."""
    root = ET.fromstring(svg.encode("utf-8"))
    return tuple(float(root.get(a).removesuffix("pt")) * 4 / 3 for a in ("width", "height"))


def undeclared(dot_text):
    """The node ids an edge names but no node statement declares."""
    dot = parse_dot(dot_text)
    return sorted(i for i, attrs in dot.nodes.items() if attrs.get("__implicit__"))


def all_rows(dot):
    return [r for i in dot.nodes for r in dot.rows(i)]


# ---- programs: a per-example loop, and a network applied example by example ----------

OPS_PER_EXAMPLE = 6            # matmul, add b, tanh, sub y, square, add to the total


def per_example_loss(w, b, X, Y):
    total = 0.0
    for i in range(len(X)):
        p = tnp.tanh(X[i] @ w + b)
        total = total + (p - Y[i]) ** 2
    return total / len(X)


def mlp_loss(params, X, Y):
    """The lecture's network, one example at a time: a loop of n passes."""
    total = 0.0
    for i in range(len(X)):
        total = total + tnp.sum((predict(params, X[i]) - Y[i]) ** 2)
    return total / len(X)


def loop_case(n=32):
    X, Y = RNG.normal(size=(n, 2)), RNG.normal(size=n)
    return tg.graph(per_example_loss, argnums=(0, 1))(RNG.normal(size=2), 0.1, X, Y)


def mlp_case(n=64, sizes=(3, 32, 32, 32, 1)):
    return tg.graph(mlp_loss)(*mlp_problem(sizes=sizes, n=n))


def softmax_loss(params, X, labels):
    """A 3-class softmax network applied example by example: each pass gathers its
    own example's log-probability by its integer label."""
    W1, b1, W2, b2 = params
    total = 0.0
    for i in range(len(X)):
        h = tnp.tanh(X[i] @ W1 + b1)
        total = total - tg.nn.log_softmax(h @ W2 + b2)[labels[i]]
    return total / len(X)


def softmax_case(n=64, hidden=32, classes=3):
    params = (RNG.normal(size=(3, hidden)), np.zeros(hidden),
              RNG.normal(size=(hidden, classes)), np.zeros(classes))
    return tg.graph(softmax_loss)(params, RNG.normal(size=(n, 3)),
                                  RNG.integers(0, classes, size=n))


def reads_as(key, row):
    """Is ``row`` the words of ``key``, in the run's language, with its fields filled?"""
    pattern = re.sub(r"\\\{\w+\\\}", ".+", re.escape(words()[key]))
    return re.fullmatch(pattern, row) is not None


def folded_boxes(dot):
    """{id: rows} of the boxes that say "× N"."""
    return {i: dot.rows(i) for i in dot.nodes if "×" in (dot.rows(i) or [""])[0]}


# ---- item 24: a loop's repeated passes drawn once -------------------------------------

def test_a_32_example_loop_is_drawn_once_with_its_count():
    n = 32
    g = loop_case(n)
    assert g.num_ops == n * OPS_PER_EXAMPLE + 1                     # the loop, and the mean
    dot = parse_dot(g.to_dot())
    (box, rows), = folded_boxes(dot).items()
    assert rows[0] == words()["loop folded"].format(name="per_example_loss", total=n)
    assert rows[1] == words()["passes folded"].format(count=n - 1,
                                                      ops=(n - 1) * OPS_PER_EXAMPLE)
    # one pass is drawn, operation by operation: one tanh, not 32
    tanhs = [i for i in dot.nodes if re.match(r"^\S+ = tanh\(", dot.rows(i)[0])]
    assert len(tanhs) == 1
    assert undeclared(g.to_dot()) == []
    notes = label_rows(dot.graph_attrs["label"])
    assert any("fold=False" in note for note in notes)


def test_fold_false_draws_every_pass():
    n = 32
    g = loop_case(n)
    for picture in (g.with_options(fold=False), tg.graph(per_example_loss, argnums=(0, 1),
                                                         fold=False)(*g._args)):
        dot = parse_dot(picture.to_dot(max_nodes=400))
        assert folded_boxes(dot) == {}
        tanhs = [i for i in dot.nodes if re.match(r"^\S+ = tanh\(", dot.rows(i)[0])]
        assert len(tanhs) == n


@needs_dot
@pytest.mark.parametrize("case", [loop_case, mlp_case, softmax_case])
def test_the_default_picture_of_a_loss_fits_a_page_and_draws_fast(case):
    g = case()
    start = time.perf_counter()
    svg = g.svg()
    seconds = time.perf_counter() - start
    width, height = svg_size_px(svg)
    assert max(width, height) <= 2400, (width, height)             # about 2,000 px
    assert seconds < 2.0
    unfolded = svg_size_px(g.with_options(fold=False).svg())
    assert unfolded[0] * unfolded[1] > 5 * width * height            # folding is what did it


def test_the_layers_of_a_network_stay_apart_inside_the_pass_drawn():
    n = 64
    g = mlp_case(n)
    dot = parse_dot(g.to_dot())
    (box, rows), = folded_boxes(dot).items()
    assert rows[0] == words()["loop folded"].format(name="mlp_loss", total=n)
    per_example = 4 * 3 + 3     # 4 layers of matmul, add, tanh (the last unused); sub, square, sum
    per_example += 1                          # and the add to the total
    assert g.num_ops == n * per_example + 1
    assert rows[1] == words()["passes folded"].format(count=n - 1, ops=(n - 1) * per_example)
    labels = sorted(label_rows(c.attrs.get("label", ""))[0] for c in dot.clusters())
    assert labels == ["predict"] + [words()["loop pass"].format(name="predict", number=k)
                                    for k in (1, 2, 3, 4)]


def test_passes_of_different_shapes_are_not_folded():
    def growing(x):
        total = 0.0
        for i in range(1, 21):
            total = total + tnp.sum(x[:i] ** 2)
        return total

    x = RNG.normal(size=20)
    g = tg.graph(growing)(x)
    dot = parse_dot(g.to_dot())
    assert folded_boxes(dot) == {}
    squares = [i for i in dot.nodes if re.match(r"^\S+ = integer_pow", dot.rows(i)[0])]
    assert len(squares) == 20


def test_a_long_chain_folds_and_keeps_its_input_and_output():
    def chain(x):
        for _ in range(500):
            x = tnp.sin(x)
        return x

    g = tg.graph(chain)(0.5)
    dot = parse_dot(g.to_dot())
    (box, rows), = folded_boxes(dot).items()
    assert rows[0] == words()["loop folded"].format(name="chain", total=500)
    assert rows[1] == words()["passes folded"].format(count=498, ops=498)
    x = 0.5
    for _ in range(500):
        x = np.sin(x)
    out = dot.id_named(g.names[g.output_nodes[0]])
    assert g4(x) in dot.rows(out)
    assert dot.id_named("x") and undeclared(g.to_dot()) == []


def test_the_folded_box_speaks_ukrainian():
    dot = parse_dot(loop_case(20).to_dot(language="uk"))
    (box, rows), = folded_boxes(dot).items()
    assert rows[0] == "per_example_loss: цикл × 20"


def test_fold_must_be_true_or_false_then_the_next_call_works():
    with pytest.raises(ValueError, match="fold must be True"):
        tg.graph(per_example_loss, fold="yes")
    g = loop_case(16)
    with pytest.raises(ValueError, match="fold must be True"):
        g.with_options(fold=1)
    assert folded_boxes(parse_dot(g.with_options(fold=True).to_dot()))


@settings(max_examples=20, deadline=None)
@given(n=st.integers(2, 40), fold=st.booleans(),
       max_nodes=st.one_of(st.none(), st.integers(8, 120)))
def test_counts_on_the_folded_box_match_the_loop(n, fold, max_nodes):
    g = loop_case(n)
    text = g.to_dot(fold=fold, max_nodes=max_nodes)
    assert undeclared(text) == []
    boxes = folded_boxes(parse_dot(text))
    limit = max_nodes or 300
    folds = fold and (n > 12 and max_nodes is None or g.num_ops > limit)
    assert len(boxes) == (1 if folds else 0)
    if folds:
        (rows,) = boxes.values()
        assert rows[0].endswith(f"× {n}")
        assert rows[1] == words()["passes folded"].format(count=n - 1,
                                                          ops=(n - 1) * OPS_PER_EXAMPLE)


# ---- item 22: every node an edge names is declared ------------------------------------

def rows_loss(x, C):
    for i in range(len(C)):
        x = tnp.tanh(x * C[i] + 0.5)
    return tnp.sum(x)


@pytest.mark.parametrize("n, options", [(60, dict(max_nodes=30)),
                                        (600, dict()),                 # the automatic cut
                                        (600, dict(max_nodes=50, collapse=True))])
def test_a_cut_graph_declares_every_node_it_draws(n, options):
    C = RNG.normal(size=(n, 3))
    g = tg.graph(rows_loss, fold=False, **options)(np.ones(3), C)
    text = g.to_dot()
    dot = parse_dot(text)
    assert any(reads_as("not drawn", r) for r in all_rows(dot))      # it is cut
    assert undeclared(text) == []
    # the constants drawn are those read by an operation drawn: the rows of C named
    drawn = {dot.title(i) for i in dot.nodes}
    rows = {f"C[{i}]" for i in range(n)} & drawn
    assert rows and len(rows) < n


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 80), max_nodes=st.one_of(st.none(), st.integers(5, 60)),
       fold=st.booleans(), collapse=st.booleans())
def test_every_edge_names_a_declared_node(n, max_nodes, fold, collapse):
    C = RNG.normal(size=(n, 2))
    g = tg.graph(rows_loss, fold=fold, max_nodes=max_nodes, collapse=collapse)(np.ones(2), C)
    assert undeclared(g.to_dot()) == []


# ---- item 23: an indexed input named by its expression --------------------------------

def test_rows_of_the_examples_are_named_x3_not_x():
    def loss(w, X, Y):
        total = 0.0
        for i in range(len(X)):
            x, y = X[i], Y[i]
            total = total + (tnp.tanh(x @ w) - y) ** 2
        return tnp.sum(total)

    n = 5
    X, Y, w = RNG.normal(size=(n, 2)), RNG.normal(size=(n, 1)), RNG.normal(size=2)
    g = tg.graph(loss)(w, X, Y)
    dot = parse_dot(g.to_dot())
    names = {dot.title(i) for i in dot.nodes}
    assert {f"X[{i}]" for i in range(n)} <= names and {f"Y[{i}]" for i in range(n)} <= names
    assert not {"x", "y"} & names
    for i in range(n):                        # each X[i] feeds the product with its own row
        (node,) = [k for k in dot.nodes if dot.rows(k)[0].endswith(f"matmul(X[{i}], w)")]
        assert g4(X[i] @ w) in dot.rows(node)


@settings(max_examples=20, deadline=None)
@given(order=st.permutations(range(6)), columns=st.integers(1, 3))
def test_a_row_is_named_by_the_index_it_was_read_with(order, columns):
    X = RNG.normal(size=(6, columns))

    def loss(w, X):
        total = 0.0
        for i in order:
            total = total + X[i] @ w
        return total

    w = RNG.normal(size=columns)
    g = tg.graph(loss)(w, X)
    dot = parse_dot(g.to_dot())
    for i in order:
        (node,) = [k for k in dot.nodes if dot.rows(k)[0].endswith(f"matmul(X[{i}], w)")]
        assert g4(X[i] @ w) in dot.rows(node)


def test_a_slice_or_a_column_keeps_the_local_name():
    """Only a whole row X[i] is written as X[i]; a column X[:, 0] is not a row."""
    def loss(w, X):
        col = X[:, 0]
        return tnp.sum(col * w)

    X = RNG.normal(size=(4, 3))
    dot = parse_dot(tg.graph(loss)(RNG.normal(size=4), X).to_dot())
    names = {dot.title(i) for i in dot.nodes}
    assert "col" in names and not any(re.fullmatch(r"X\[\d+\]", n or "") for n in names)


# ---- item 25: the stepper rings a drawn box at every step -----------------------------

def ringed_ids(graph, **options):
    pytest.importorskip("anywidget")
    s = tg.widgets.stepper(graph.with_options(**options))
    return s, s.ring


@needs_dot
@pytest.mark.parametrize("options", [dict(), dict(collapse=True),
                                     dict(fold=False, max_nodes=40)])
def test_the_stepper_rings_a_drawn_box_at_every_step(options):
    g = mlp_case(16, sizes=(2, 4, 4, 1))
    s, ring = ringed_ids(g, **options)
    drawn = set(svg_node_texts(s.data["svg"]))
    assert len(ring) == len(s.order) == len(s.data["ring"])
    assert set(ring) <= drawn
    # a node drawn on its own is ringed itself
    for node, ringed in zip(s.order, ring):
        if f"n{node.index}" in drawn:
            assert ringed == f"n{node.index}"
    assert any(r != f"n{node.index}" for node, r in zip(s.order, ring))


def test_the_page_rings_the_box_the_stepper_names():
    from tracegrad.widgets.frontend import STATIC
    script = (STATIC / "tracegrad.js").read_text(encoding="utf-8")
    assert "data.ring" in script


@settings(max_examples=15, deadline=None)
@given(n=st.integers(2, 30), max_nodes=st.one_of(st.none(), st.integers(6, 40)),
       fold=st.booleans(), collapse=st.booleans())
def test_every_ring_names_a_declared_node(n, max_nodes, fold, collapse):
    pytest.importorskip("anywidget")
    g = loop_case(n).with_options(fold=fold, max_nodes=max_nodes, collapse=collapse,
                                  renderer="browser")
    s = tg.widgets.stepper(g)
    declared = {i for i, a in parse_dot(s.data["dot"]).nodes.items()
                if not a.get("__implicit__")}
    assert set(s.ring) <= declared


def test_rows_of_a_differentiated_input_are_named_by_their_index():
    def loss(w, X):
        total = 0.0
        for i in range(len(X)):
            x = X[i]                                  # the local name is the same every pass
            total = total + tnp.sum(x * w)
        return total

    X, w = RNG.normal(size=(4, 2)), RNG.normal(size=2)
    g = tg.graph(loss, argnums=(0, 1))(w, X)
    dot = parse_dot(g.to_dot())
    for i in range(4):
        rows = dot.rows(dot.id_named(f"X[{i}]"))
        assert rows[0] == f"X[{i}] = getitem[index=[{i}]](X)"
        out = g.output_name
        assert f"∂{out}/∂X[{i}] = [{g4(w[0])}, {g4(w[1])}]" in rows    # d(sum x·w)/dx = w
    assert not {"x", "x_2"} & {dot.title(i) for i in dot.nodes}


def test_a_label_still_names_a_row():
    def loss(X):
        return tnp.sum(tg.label(X[1], "second") ** 2)

    dot = parse_dot(tg.graph(loss)(RNG.normal(size=(3, 2))).to_dot())
    names = {dot.title(i) for i in dot.nodes}
    assert "second" in names and "X[1]" not in names
