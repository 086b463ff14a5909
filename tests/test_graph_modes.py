"""``tg.graph`` views beyond the plain backward pass: graphs of ``grad(f)``
(higher order), the forward-mode (tangent) view, ``path()`` (the chain rule
as a sum over paths of products of local derivatives), and ``steps``.

Every expected number is an analytic derivative written out here.
"""

from __future__ import annotations

import collections
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.numpy as tnp
from tracegrad.words import words

from .graph_helpers import g4, grad_rows, label_rows, op_ids, op_of, parse_dot
from .numeric import EXACT_TOL as EXACT
from .programs import A_PREV, B, W, Y, neuron, neuron_by_hand, neuron_graph, two_layers


def f(x):
    return tnp.sin(x) * x


def f1(x):          # f'
    return np.cos(x) * x + np.sin(x)


def f2(x):          # f''
    return -np.sin(x) * x + 2 * np.cos(x)


def f3(x):          # f'''
    return -np.cos(x) * x - 3 * np.sin(x)


# ---------------------------------------------------------------------------
# 10. higher order


@pytest.mark.parametrize("x", [0.7, -1.3])
def test_graph_of_grad_shows_the_backward_pass(x):
    g = tg.graph(tg.grad(f))(x)
    np.testing.assert_allclose(float(g.out), f1(x), **EXACT)
    np.testing.assert_allclose(float(g.grads[g.inputs[0]]), f2(x), **EXACT)

    dot = parse_dot(g.to_dot())
    backward = [c for c in dot.clusters()
                if words()["backward pass"].lower()
                in " ".join(label_rows(c.attrs.get("label", ""))).lower()]
    assert backward, [label_rows(c.attrs.get("label", "")) for c in dot.clusters()]
    inside = {i for c in backward for i in c.all_nodes()}
    assert inside
    # the forward pass's sin is outside, the derivative's cos inside
    ops_in = {op_of(dot, i) for i in inside}
    assert "cos" in ops_in
    [sin] = [i for i in op_ids(dot) if op_of(dot, i) == "sin"]
    assert sin not in inside
    # the output shows f'(x) and the input ∂f'/∂x = f''(x)
    out_id = dot.id_named(g.names[g.output_nodes[0]])
    assert out_id in inside
    assert g4(f1(x)) in dot.rows(out_id)
    x_rows = dot.rows(dot.id_named("x"))
    assert [v for _, _, v in grad_rows(x_rows)] == [g4(f2(x))]


def test_graph_of_second_derivative():
    x = 0.45
    g = tg.graph(tg.grad(tg.grad(f)))(x)
    np.testing.assert_allclose(float(g.out), f2(x), **EXACT)
    np.testing.assert_allclose(float(g.grads[g.inputs[0]]), f3(x), **EXACT)


# ---------------------------------------------------------------------------
# 11. forward-mode view


def tangent_of(rows):
    tangent = re.escape(words()["graph tangent"])
    found = [m.group(1) for r in rows for m in [re.match(rf"^{tangent}\s*=\s*(\S+)$", r)] if m]
    assert len(found) == 1, rows
    return found[0]


@pytest.mark.parametrize("x, v", [(0.7, 1.0), (-0.4, 2.5)])
def test_tangents_are_jvps(x, v):
    g = tg.graph(f, tangents=(v,))(x)
    out = g.output_nodes[0]
    np.testing.assert_allclose(float(g.tangent(out)), f1(x) * v, **EXACT)
    np.testing.assert_allclose(float(g.out), np.sin(x) * x, **EXACT)
    dot = parse_dot(g.to_dot())
    assert tangent_of(dot.rows(dot.id_named(g.names[out]))) == g4(f1(x) * v)
    assert tangent_of(dot.rows(dot.id_named("x"))) == g4(v)
    [sin] = [i for i in op_ids(dot) if op_of(dot, i) == "sin"]
    assert tangent_of(dot.rows(sin)) == g4(np.cos(x) * v)
    np.testing.assert_allclose(float(g.tangent(g.node(dot.title(sin)))), np.cos(x) * v, **EXACT)
    # the forward view shows no cotangents
    assert not any(grad_rows(dot.rows(i)) for i in dot.nodes)


def test_tangents_for_two_arguments():
    def h(x, y):
        return x * y + tnp.sin(x)

    x, y, vx, vy = 0.3, -1.2, 0.5, 2.0
    g = tg.graph(h, argnums=(0, 1), tangents=(vx, vy))(x, y)
    expected = (y + np.cos(x)) * vx + x * vy
    np.testing.assert_allclose(float(g.tangent(g.output_nodes[0])), expected, **EXACT)
    dot = parse_dot(g.to_dot())
    assert tangent_of(dot.rows(dot.id_named(g.names[g.output_nodes[0]]))) == g4(expected)


def test_wrong_number_of_tangents():
    with pytest.raises(TypeError, match="tangent"):
        tg.graph(f, tangents=(1.0, 2.0))(0.3)


# ---------------------------------------------------------------------------
# 12. path(): the chain rule as a sum over paths


def edge_value(label):
    """The number at the end of an edge label ``∂v/∂w = formula = 0.3``."""
    rows = label_rows(label)
    return rows[-1].rsplit(" = ", 1)[-1] if rows else None


@pytest.mark.parametrize("w", [0.3, -1.1])
def test_path_sum_for_w_squared_plus_sin(w):
    def h(w):
        return w * w + tnp.sin(w)

    p = tg.graph(h)(w).path("w")
    # by hand: w->mul (first argument), w->mul (second argument), w->sin
    assert p.path_count == 3
    np.testing.assert_allclose(p.path_sum, 2 * w + np.cos(w), **EXACT)
    caption = " ".join(p.options["caption"])
    assert re.search(r"\b3\b", caption)
    assert g4(2 * w + np.cos(w)) in caption

    dot = parse_dot(p.to_dot())
    [mul] = [i for i in op_ids(dot) if op_of(dot, i) == "mul"]
    [sin] = [i for i in op_ids(dot) if op_of(dot, i) == "sin"]
    wid = dot.id_named("w")
    into_mul = [a for s, d, a in dot.edges if (s, d) == (wid, mul)]
    into_sin = [a for s, d, a in dot.edges if (s, d) == (wid, sin)]
    assert len(into_mul) == 2 and len(into_sin) == 1
    # local derivatives on the edges: ∂(w·w)/∂w_k = w, ∂sin(w)/∂w = cos(w)
    assert [edge_value(a["label"]) for a in into_mul] == [g4(w), g4(w)]
    assert edge_value(into_sin[0]["label"]) == g4(np.cos(w))
    # the caption is drawn
    assert label_rows(dot.graph_attrs["label"])


def test_path_through_the_neuron():
    r = neuron_by_hand()
    g = neuron_graph()
    for name, key in [("w", "dC_dw"), ("a_prev", "dC_da_prev"), ("b", "dC_db"),
                      ("y", "dC_dy"), ("z", "dC_dz"), ("a", "dC_da")]:
        p = g.path(name)
        assert p.path_count == 1, name
        np.testing.assert_allclose(p.path_sum, r[key], **EXACT, err_msg=name)
    # the chain-rule view labels each edge with its local derivative
    dot = parse_dot(g.path("w").to_dot())
    local = {(dot.title(s), dot.title(d)): edge_value(a["label"])
             for s, d, a in dot.edges if "label" in a}
    assert local[("z", "a")] == g4(1 - r["a"] ** 2)
    [sub] = [dot.title(i) for i in op_ids(dot) if op_of(dot, i) == "sub"]
    assert local[("y", sub)] == g4(-1.0)
    assert local[(sub, "C")] == g4(2 * (r["a"] - Y))
    [mul] = [dot.title(i) for i in op_ids(dot) if op_of(dot, i) == "mul"]
    assert local[("w", mul)] == g4(A_PREV)
    assert local[("a_prev", mul)] == g4(W)


def test_path_count_diamond_and_dead_end():
    def h(x):
        unused = tnp.exp(x)  # noqa: F841  (does not reach the output)
        return tnp.sin(x) * tnp.cos(x) + x

    x = 0.8
    g = tg.graph(h)(x)
    p = g.path("x")
    assert p.path_count == 3                  # via sin, via cos, directly
    np.testing.assert_allclose(p.path_sum, np.cos(x) ** 2 - np.sin(x) ** 2 + 1, **EXACT)
    dead = g.path("unused")
    assert dead.path_count == 0
    assert dead.path_sum == 0


@pytest.mark.parametrize("k", [2, 4])
def test_path_count_grows_exponentially(k):
    def h(x):
        for _ in range(k):
            x = x * x
        return x

    x = 1.01
    p = tg.graph(h)(x).path("x")
    n = 2 ** k                                # each squaring doubles the paths
    assert p.path_count == n
    np.testing.assert_allclose(p.path_sum, n * x ** (n - 1), rtol=1e-12)


def test_path_sum_counts_every_path_beyond_max_paths():
    def h(x):
        for _ in range(6):                    # 64 paths, more than max_paths=50
            x = x * x
        return x

    x = 1.01
    p = tg.graph(h)(x).path("x")
    assert p.path_count == 64
    np.testing.assert_allclose(p.path_sum, 64 * x ** 63, rtol=1e-12)


def test_a_dead_end_of_arrays_does_not_hide_the_sum():
    """An array computed from x that never reaches the output is on no path: the
    paths are all scalar, so they still have numbers and a sum."""
    def h(x):
        unused = tnp.sum(tnp.ones(3) * x)  # noqa: F841
        return tnp.sin(x) * x

    x = 0.7
    p = tg.graph(h)(x).path("x")
    assert p.path_count == 2
    np.testing.assert_allclose(p.path_sum, np.cos(x) * x + np.sin(x), **EXACT)


def ladder(x):
    """y_{k+1} = sin(y_k)·y_k + x: paths(k+1) = 2·paths(k) + 1, so 2^(k+1) − 1."""
    y = x
    for _ in range(6):
        y = tnp.sin(y) * y + x
    return y


def ladder_grad(x, eps=1e-6):
    """dy/dx by central differences of the same recurrence in NumPy."""
    def y(x):
        v = x
        for _ in range(6):
            v = np.sin(v) * v + x
        return v
    return (y(x + eps) - y(x - eps)) / (2 * eps)


def count_paths_back(graph, start, node):
    """Paths from ``start`` to ``node``, counted by walking the parents backwards:
    the other direction from the library's, and listing every path."""
    if node is start:
        return 1
    return sum(count_paths_back(graph, start, p) for p in node.parents
               if p is not None and p in graph.node_set)


def test_path_text_and_numbers_agree_on_127_paths():
    """Issue 22.21: 127 paths printed "50 (stopped counting)" and "42 more paths,
    counted in the sum" with no sum. Now: 127, eight listed, 119 more, and the sum."""
    x = 0.3
    g = tg.graph(ladder)(x)
    independent = count_paths_back(g, g.node("x"), g.output_nodes[-1])
    assert independent == 2 ** 7 - 1
    p = g.path("x")
    assert p.path_count == independent
    lines = str(p).split("\n")
    assert lines[0].endswith(": 127")
    listed = [line for line in lines if re.match(rf"{words()['path']} \d+: ", line)]
    more = [line for line in lines if line.startswith("…")]
    assert len(listed) == 8
    assert more == [words()["more paths"].format(count=127 - len(listed))]
    np.testing.assert_allclose(p.path_sum, ladder_grad(x), rtol=1e-7)
    before_sum = re.escape(words()["sum over paths"].split("{sum}")[0])
    total = re.search(before_sum + r"(\S+);", lines[-1])
    assert total and total.group(1) == g4(ladder_grad(x))
    assert "stopped" not in str(p)
    for language in ("uk", "en"):           # the same numbers in both languages
        text = str(g.with_options(language=language).path("x"))
        assert "127" in text and "119" in text and g4(ladder_grad(x)) in text


def test_path_highlights_every_node_on_some_path_not_only_listed_ones():
    g = tg.graph(ladder)(0.3)
    p = g.path("x", max_paths=2)             # two listed, all 127 counted
    assert p.path_count == 127
    assert set(p.options["highlight"]) == set(g.nodes)   # every node lies on a path


@settings(max_examples=40, deadline=None)
@given(recipe=st.lists(st.tuples(st.sampled_from(["add", "mul", "sin"]),
                                 st.integers(0, 100), st.integers(0, 100)),
                       min_size=1, max_size=8),
       x=st.floats(-1.5, 1.5))
def test_path_count_and_sum_of_random_programs(recipe, x):
    """Any small program: the count matches paths enumerated over the recipe, and the
    sum over paths is the derivative (finite differences)."""
    def run(x, lib):
        values = [x]
        for op, i, j in recipe:
            a, b = values[i % len(values)], values[j % len(values)]
            values.append(a + b if op == "add" else a * b if op == "mul" else lib.sin(a))
        return values[-1]

    def paths_to(k):                         # every path from x (value 0) to value k
        if k == 0:
            return 1
        op, i, j = recipe[k - 1]
        args = [i % k] if op == "sin" else [i % k, j % k]
        return sum(paths_to(a) for a in args)

    g = tg.graph(lambda x: run(x, tnp))(x)
    if not g.output_nodes:                   # the program returned x itself
        return
    p = g.path("x")
    assert p.path_count == paths_to(len(recipe))
    eps = 1e-6
    expected = (run(x + eps, np) - run(x - eps, np)) / (2 * eps)
    np.testing.assert_allclose(p.path_sum, expected, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------
# names: graph.grad("h") and graph.node("h") (issue 22.18)


def test_grad_and_value_by_name():
    g = neuron_graph()
    r = neuron_by_hand()
    np.testing.assert_allclose(g.grad("w"), r["dC_dw"], **EXACT)
    np.testing.assert_allclose(g.grad("z"), r["dC_dz"], **EXACT)
    assert g.grad("z") == g.grads[g.node("z")]       # the name and the node agree
    np.testing.assert_allclose(g.value("a"), r["a"], **EXACT)


def test_unknown_name_is_a_key_error_with_close_names():
    g = neuron_graph()
    with pytest.raises(KeyError, match=r"no value named 'a_prv'.*did you mean 'a_prev'"):
        g.grad("a_prv")
    with pytest.raises(KeyError, match=r"no value named 'q'.*the names are: .*\bw\b"):
        g.grad("q")
    np.testing.assert_allclose(g.grad("w"), neuron_by_hand()["dC_dw"], **EXACT)  # still works


# ---------------------------------------------------------------------------
# the stepper's input (issue 22.13)


def test_stepper_of_a_function_says_to_pass_its_graph():
    pytest.importorskip("anywidget")

    def loss(w, b):
        return neuron(w, A_PREV, b, Y)

    with pytest.raises(tg.TracegradError, match=r"loss is a function.*tg\.graph\(loss\)\(\.\.\.\)"):
        tg.widgets.stepper(loss)
    with pytest.raises(tg.TracegradError, match="expected a graph from tg.graph"):
        tg.widgets.stepper(3.0)
    s = tg.widgets.stepper(tg.graph(loss)(W, B))       # and then it works
    assert len(s.order) > 0


def test_path_leaves_the_graph_alone():
    g = tg.graph(two_layers, argnums=(0, 1, 2))(0.3, 0.5, -0.7)
    before = g.to_dot()
    p = g.path("w2")
    assert g.to_dot() == before
    assert p.to_dot() != before
    # ∂/∂w2 of tanh(h1 w2)^2 = 2 h2 (1 - h2^2) h1
    h1 = np.tanh(0.3 * 0.5)
    h2 = np.tanh(h1 * -0.7)
    np.testing.assert_allclose(p.path_sum, 2 * h2 * (1 - h2 ** 2) * h1, **EXACT)
    assert p.path_count == 2                  # C = h2 * h2: through either factor


# ---------------------------------------------------------------------------
# steps: the backward pass, node by node


def test_steps_are_the_backward_pass_in_order():
    r = neuron_by_hand()
    g = neuron_graph()
    nodes = [n for n, _ in g.steps]
    assert nodes[0] is g.output_nodes[0]
    assert float(g.steps[0][1]) == 1.0
    assert len(set(map(id, nodes))) == len(nodes)
    assert set(nodes) == set(g.grads)
    position = {n: i for i, n in enumerate(nodes)}
    users = collections.defaultdict(list)
    for node in g.nodes:
        for parent in node.parents:
            if parent is not None:
                users[parent].append(node)
    for node in nodes:                     # a node's cotangent is final only after all its users
        for user in users[node]:
            if user in position:
                assert position[user] < position[node]
    by_name = {g.names[n]: float(c) for n, c in g.steps}
    np.testing.assert_allclose(by_name["z"], r["dC_dz"], **EXACT)
    np.testing.assert_allclose(by_name["w"], r["dC_dw"], **EXACT)


def test_graph_does_not_change_the_function():
    """Recording leaves the traced function's own result untouched."""
    g = tg.graph(neuron, argnums=(0, 1, 2, 3))(W, A_PREV, B, Y)
    np.testing.assert_allclose(float(g.out), float(neuron(W, A_PREV, B, Y)), **EXACT)
    np.testing.assert_allclose(tg.grad(neuron)(W, A_PREV, B, Y), neuron_by_hand()["dC_dw"], **EXACT)
