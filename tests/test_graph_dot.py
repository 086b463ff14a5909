"""``tg.graph`` at the DOT level: labels, names, edges, clusters, escaping,
determinism, options.

The DOT text is read back with the independent parser in ``graph_helpers``;
every number is compared with a value computed here, in plain NumPy or from
a derivative written out by hand, and formatted as the brief specifies
(``f"{v:.4g}"``). Nothing here needs Graphviz.
"""

from __future__ import annotations

import collections
import re

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.numpy as tnp

from .graph_helpers import g4, grad_rows, label_rows, op_ids, op_of, parse_dot
from .numeric import EXACT_TOL as EXACT
from .numeric import GRAD_TOL, assert_close, num_grad
from .programs import (
    A_PREV,
    B,
    W,
    Y,
    escaping_program,
    loss_fun,
    mlp_loss_numpy,
    mlp_problem,
    neuron,
    neuron_by_hand,
    neuron_graph,
    two_layers,
)

# ---------------------------------------------------------------------------
# 1. labels carry the right values and gradients


def test_neuron_labels_show_values_and_gradients():
    r = neuron_by_hand()
    dot = parse_dot(neuron_graph().to_dot())

    expected = {  # name -> (value, ∂C/∂name)
        "w": (W, r["dC_dw"]), "a_prev": (A_PREV, r["dC_da_prev"]), "b": (B, r["dC_db"]),
        "y": (Y, r["dC_dy"]), "z": (r["z"], r["dC_dz"]), "a": (r["a"], r["dC_da"]),
        "C": (r["C"], 1.0),
    }
    for name, (value, grad) in expected.items():
        rows = dot.rows(dot.id_named(name))
        assert g4(value) in rows, (name, rows)
        grads = grad_rows(rows)
        assert len(grads) == 1, (name, rows)
        num, den, text = grads[0]
        assert (num, den) == ("C", name), rows
        assert text == g4(grad), (name, text, g4(grad))

    # the operations as the program wrote them
    assert dot.rows(dot.id_named("a"))[0] == "a = tanh(z)"
    assert re.fullmatch(r"z = add\(\w+, b\)", dot.rows(dot.id_named("z"))[0])


def test_neuron_listing_shows_values_and_gradients():
    r = neuron_by_hand()
    listing = neuron_graph().listing()
    lines = {m.group(1): line for line in listing.splitlines()
             for m in [re.match(r"^\s*([\w\[\]'.]+):\S+\s*=", line)] if m}
    for name, value, grad in [("z", r["z"], r["dC_dz"]), ("a", r["a"], r["dC_da"]),
                              ("C", r["C"], 1.0)]:
        line = lines[name]
        note = line.split("#", 1)[1]
        assert g4(value) in note.split(), (name, line)
        assert f"∂C/∂{name} = {g4(grad)}" in note, (name, line)
    # the inputs' gradients, at the end
    for name, value, grad in [("w", W, r["dC_dw"]), ("a_prev", A_PREV, r["dC_da_prev"]),
                              ("b", B, r["dC_db"]), ("y", Y, r["dC_dy"])]:
        [line] = [ln for ln in listing.splitlines() if ln.startswith(f"# {name} = ")]
        assert line.startswith(f"# {name} = {g4(value)}")
        assert f"∂C/∂{name} = {g4(grad)}" in line
    assert str(neuron_graph()) == listing


def test_neuron_grads_match_the_chain_rule_to_1e_12():
    r = neuron_by_hand()
    g = neuron_graph()
    by_name = {g.names[n]: n for n in g.nodes}
    for name, key in [("w", "dC_dw"), ("a_prev", "dC_da_prev"), ("b", "dC_db"), ("y", "dC_dy"),
                      ("z", "dC_dz"), ("a", "dC_da")]:
        np.testing.assert_allclose(float(g.grads[by_name[name]]), r[key], **EXACT, err_msg=name)
    np.testing.assert_allclose(float(g.grads[by_name["C"]]), 1.0, **EXACT)
    # inputs in argnums order, and the values recorded on the nodes
    assert [g.names[n] for n in g.inputs] == ["w", "a_prev", "b", "y"]
    assert all(n.primitive is None for n in g.inputs)
    np.testing.assert_allclose(float(np.asarray(g.node("z").out)), r["z"], **EXACT)
    np.testing.assert_allclose(float(np.asarray(g.node("a").out)), r["a"], **EXACT)
    np.testing.assert_allclose(float(g.out), r["C"], **EXACT)


@pytest.mark.parametrize("digits", [2, 6, 9])
def test_digits_option_controls_significant_digits(digits):
    r = neuron_by_hand()
    dot = parse_dot(neuron_graph(digits=digits).to_dot())
    rows = dot.rows(dot.id_named("z"))
    assert g4(r["z"], digits) in rows
    assert ("C", "z", g4(r["dC_dz"], digits)) in grad_rows(rows)


def test_mlp_grads_match_finite_differences():
    params, X, Yt = mlp_problem()
    g = tg.graph(loss_fun)(params, X, Yt)
    leaves = [p for layer_ in params for p in layer_]
    assert len(g.inputs) == len(leaves)
    for k, (node, leaf) in enumerate(zip(g.inputs, leaves, strict=True)):
        def f(v, k=k):
            flat = list(leaves)
            flat[k] = v
            return mlp_loss_numpy(list(zip(flat[::2], flat[1::2], strict=True)), X, Yt)
        assert_close(g.grads[node], num_grad(f, leaf), **GRAD_TOL, err_msg=g.names[node])
    np.testing.assert_allclose(float(g.out), mlp_loss_numpy(params, X, Yt), **EXACT)


# ---------------------------------------------------------------------------
# 2. names from the user's code


def test_names_from_parameters_and_locals():
    dot = parse_dot(neuron_graph().to_dot())
    titles = {dot.title(i) for i in dot.nodes}
    assert {"w", "a_prev", "b", "y", "z", "a", "C"} <= titles


def test_names_from_parameters_of_any_function():
    def f(weight, bias):
        return tnp.sin(weight) * bias

    g = tg.graph(f, argnums=(0, 1))(0.3, 2.0)
    assert [g.names[n] for n in g.inputs] == ["weight", "bias"]
    dot = parse_dot(g.to_dot())
    for name, value in [("weight", 0.3), ("bias", 2.0)]:
        assert g4(value) in dot.rows(dot.id_named(name))
    assert g.listing().startswith("{ lambda ; weight:")      # JAX's jaxpr: constants; inputs


def test_label_names_a_value():
    def f(x):
        u = tg.label(x * 3.0, "triple")
        return tnp.sin(u)

    g = tg.graph(f)(0.5)
    dot = parse_dot(g.to_dot())
    rows = dot.rows(dot.id_named("triple"))
    assert g4(1.5) in rows
    assert ("f", "triple", g4(np.cos(1.5))) in grad_rows(rows)     # the output is f's
    np.testing.assert_allclose(float(g.grads[g.node("triple")]), np.cos(1.5), **EXACT)
    # the sin node reads its argument by that name
    assert dot.rows(dot.id_named("f"))[0] == "f = sin(triple)"


def test_pytree_leaf_names():
    params, X, Yt = mlp_problem()
    g = tg.graph(loss_fun)(params, X, Yt)
    expected = [f"params[{i}][{j}]" for i in range(3) for j in range(2)]
    assert [g.names[n] for n in g.inputs] == expected
    dot = parse_dot(g.to_dot())
    for name in expected:
        assert len(dot.ids_named(name)) == 1
    # the first matmul reads the first weight matrix by that name
    [first] = [i for i in op_ids(dot) if op_of(dot, i) == "matmul"
               and "params[0][0]" in dot.rows(i)[0]]
    assert first


def test_pytree_names_for_dicts_and_namedtuples():
    Pt = collections.namedtuple("Pt", "u v")

    def f(pt, d):
        return pt.u * d["k"] + pt.v

    g = tg.graph(f, argnums=(0, 1))(Pt(1.5, 2.0), {"k": 3.0})
    names = [g.names[n] for n in g.inputs]
    assert names[:2] == ["pt.u", "pt.v"]
    assert names[2] in ("d['k']", 'd["k"]')
    # ∂/∂pt.u = k, ∂/∂pt.v = 1, ∂/∂k = u
    for node, expected in zip(g.inputs, [3.0, 1.0, 1.5], strict=True):
        np.testing.assert_allclose(float(g.grads[node]), expected, **EXACT)


def test_reassigned_variable_gets_numbered_names_not_duplicates():
    def f(x):
        for _ in range(3):
            x = tnp.sin(x)
        return x * 2.0

    g = tg.graph(f)(0.4)
    names = [g.names[n] for n in g.nodes]
    assert len(set(names)) == len(names), names
    assert sum(1 for n in names if n == "x" or n.startswith("x_")) == 4


@pytest.mark.parametrize("case", ["input", "constant"])
def test_display_names_are_unique(case):
    if case == "input":
        def f(C):
            return tnp.sin(C) * 2.0
        g = tg.graph(f)(0.5)
    else:
        def f(x, C):
            return tnp.sum(x * C)
        g = tg.graph(f)(np.ones(3), np.arange(3.0))
    names = [g.names[n] for n in g.nodes] + [name for name, _ in g.constant_list()]
    assert len(set(names)) == len(names), names


def test_gradient_symbol_names_the_output_as_drawn():
    def f(x):
        x = tnp.sin(x)
        return x

    g = tg.graph(f)(0.5)
    dot = parse_dot(g.to_dot())
    out_title = g.names[g.output_nodes[0]]
    assert out_title != "x"
    out_rows = dot.rows(dot.id_named(out_title))
    assert grad_rows(out_rows) == [(out_title, out_title, "1")]
    assert grad_rows(dot.rows(dot.id_named("x"))) == [(out_title, "x", g4(np.cos(0.5)))]


# ---------------------------------------------------------------------------
# 3. edges match the program


def titled_edges(dot):
    return collections.Counter((dot.title(a), dot.title(b)) for a, b, _ in dot.edges)


def test_neuron_edges_match_the_program():
    dot = parse_dot(neuron_graph().to_dot())
    assert len(dot.edges) == 8
    assert not any(a.get("__implicit__") for a in dot.nodes.values())
    # the product w*a_prev is unnamed: find it by its operation
    [mul] = [dot.title(i) for i in op_ids(dot) if op_of(dot, i) == "mul"]
    [sub] = [dot.title(i) for i in op_ids(dot) if op_of(dot, i) == "sub"]
    assert titled_edges(dot) == collections.Counter([
        ("w", mul), ("a_prev", mul), (mul, "z"), ("b", "z"), ("z", "a"),
        ("a", sub), ("y", sub), (sub, "C")])


@pytest.mark.parametrize("op", ["add", "mul"])
def test_repeated_argument_gives_two_edges(op):
    def f(x):
        return x + x if op == "add" else x * x

    g = tg.graph(f)(1.25)
    dot = parse_dot(g.to_dot())
    [out] = op_ids(dot)
    assert titled_edges(dot) == collections.Counter({("x", dot.title(out)): 2})
    # d(x+x)/dx = 2, d(x*x)/dx = 2x
    expected = 2.0 if op == "add" else 2.5
    assert ("f", "x", g4(expected)) in grad_rows(dot.rows(dot.id_named("x")))


def test_every_parent_relation_is_an_edge():
    params, X, Yt = mlp_problem()
    for g in [neuron_graph(), tg.graph(two_layers, argnums=(0, 1, 2))(0.3, 0.5, -0.7),
              tg.graph(loss_fun)(params, X, Yt)]:
        dot = parse_dot(g.to_dot())
        expected = collections.Counter()
        recorded = set(g.nodes)
        for node in g.nodes:
            for parent in node.parents:
                if parent is not None and parent in recorded:
                    expected[(g.names[parent], g.names[node])] += 1
        got = titled_edges(dot)
        node_edges = collections.Counter({k: v for k, v in got.items()
                                          if k[0] in g.names.values()})
        assert node_edges == expected
        assert not any(a.get("__implicit__") for a in dot.nodes.values())


def test_array_constants_get_a_node_and_an_edge():
    def f(x, c):
        return tnp.sum(x * c)

    x, c = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0])
    g = tg.graph(f)(x, c)
    dot = parse_dot(g.to_dot())
    [mul] = [i for i in op_ids(dot) if op_of(dot, i) == "mul"]
    [const] = dot.ids_named("c")
    assert (const, mul) in [(a, b) for a, b, _ in dot.edges]
    np.testing.assert_allclose(np.asarray(g.grads[g.inputs[0]]), c, **EXACT)
    # a literal (2.0) is written inline, not drawn as a node
    g2 = tg.graph(lambda x: x * 2.0)(3.0)
    assert len(parse_dot(g2.to_dot()).nodes) == 2


# ---------------------------------------------------------------------------
# 4. clusters


def test_called_function_gives_a_cluster_per_call():
    dot = parse_dot(tg.graph(two_layers, argnums=(0, 1, 2))(0.3, 0.5, -0.7).to_dot())
    clusters = [c for c in dot.clusters()
                if "layer" in " ".join(label_rows(c.attrs.get("label", "")))]
    assert len(clusters) == 2
    labels = [" ".join(label_rows(c.attrs["label"])) for c in clusters]
    assert labels[0] != labels[1]
    members = [sorted(op_of(dot, i) for i in c.all_nodes()) for c in clusters]
    assert members == [["mul", "tanh"], ["mul", "tanh"]]
    # the first call reads x and w1, the second w2
    first_mul = [i for i in clusters[0].all_nodes() if op_of(dot, i) == "mul"][0]
    second_mul = [i for i in clusters[1].all_nodes() if op_of(dot, i) == "mul"][0]
    into = collections.defaultdict(set)
    for a, b, _ in dot.edges:
        into[b].add(dot.title(a))
    assert {"x", "w1"} <= into[first_mul]
    assert "w2" in into[second_mul]
    for name in ("x", "w1", "w2", "two_layers"):
        assert dot.enclosing_clusters(dot.id_named(name)) == []


def test_mlp_loop_gives_one_cluster_per_pass():
    params, X, Yt = mlp_problem()
    dot = parse_dot(tg.graph(loss_fun)(params, X, Yt).to_dot())
    matmuls = [i for i in op_ids(dot) if op_of(dot, i) == "matmul"]
    assert len(matmuls) == 3
    inner = [dot.enclosing_clusters(i)[0] for i in matmuls]
    assert len({id(c) for c in inner}) == 3
    for k, (mm, cluster) in enumerate(zip(matmuls, inner, strict=True)):
        ops = sorted(op_of(dot, i) for i in cluster.all_nodes())
        assert ops == ["add", "matmul", "tanh"], ops
        label = " ".join(label_rows(cluster.attrs["label"]))
        assert "predict" in " ".join(" ".join(label_rows(c.attrs["label"]))
                                     for c in dot.enclosing_clusters(mm))
        assert re.search(rf"\b{k + 1}\b", label), label
        assert f"params[{k}][0]" in dot.rows(mm)[0]
    # the loss itself is outside predict
    [sub] = [i for i in op_ids(dot) if op_of(dot, i) == "sub"]
    assert dot.enclosing_clusters(sub) == []


def reachable(dot, start):
    succ = collections.defaultdict(list)
    for a, b, _ in dot.edges:
        succ[a].append(b)
    seen, stack = {start}, [start]
    while stack:
        for b in succ[stack.pop()]:
            if b not in seen:
                seen.add(b)
                stack.append(b)
    return seen


def test_collapse_predict_draws_one_box():
    params, X, Yt = mlp_problem()
    g = tg.graph(loss_fun)(params, X, Yt)
    full = parse_dot(g.to_dot())
    small = parse_dot(g.collapse("predict").to_dot())
    assert len(small.nodes) < len(full.nodes)
    assert not any(a.get("__implicit__") for a in small.nodes.values())
    # nothing of predict's inside is drawn, and one box stands for it
    assert not any(op_of(small, i) in ("matmul", "tanh") for i in op_ids(small))
    boxes = [i for i in small.nodes if "predict" in " ".join(small.rows(i))]
    assert len(boxes) == 1
    box = boxes[0]
    assert re.search(r"\b9\b", " ".join(small.rows(box)))          # 3 layers x (matmul, add, tanh)
    # still connected: every parameter reaches the box, and the box reaches the loss
    for name in [f"params[{i}][{j}]" for i in range(3) for j in range(2)]:
        assert box in reachable(small, small.id_named(name)), name
    out = small.id_named(g.names[g.output_nodes[0]])
    assert out in reachable(small, box)
    # the original graph is unchanged
    assert g.to_dot() == tg.graph(loss_fun)(params, X, Yt).to_dot()


def test_collapse_everything_and_max_nodes():
    params, X, Yt = mlp_problem()
    g = tg.graph(loss_fun)(params, X, Yt)
    all_boxed = parse_dot(g.collapse().to_dot())
    assert not any(op_of(all_boxed, i) == "matmul" for i in op_ids(all_boxed))
    few = parse_dot(g.with_options(max_nodes=12).to_dot())
    assert len(few.nodes) <= 12 + 3
    assert not any(a.get("__implicit__") for a in few.nodes.values())


# ---------------------------------------------------------------------------
# 5. escaping


def test_user_text_is_escaped_in_dot():
    g = tg.graph(escaping_program)(1.0)
    text = g.to_dot()
    assert "<script>" not in text
    assert "<lambda>" not in text
    assert "&lt;script&gt;&amp;" in text
    dot = parse_dot(text)
    # decoded, the name reads exactly as the user wrote it (escaped once, not twice)
    [node] = dot.ids_named("<script>&")
    assert g4(2.0) in dot.rows(node)
    # d/dy (y^2 + x^2) = 2y = 4
    assert ("escaping_program", "<script>&", g4(4.0)) in grad_rows(dot.rows(node))
    labels = [" ".join(label_rows(c.attrs["label"])) for c in dot.clusters()]
    assert any("<lambda>" in lbl for lbl in labels)


def test_dict_keys_and_quotes_are_escaped():
    def f(p):
        return tg.label(p["<b>"] * p["w"], 'say "hi"')

    g = tg.graph(f)({"<b>": 1.0, "w": 2.0})
    text = g.to_dot()
    assert "<b>" not in text.replace("<B>", "")     # <B> is the label's own bold tag
    dot = parse_dot(text)
    titles = {dot.title(i) for i in dot.nodes}
    assert "p['<b>']" in titles and 'say "hi"' in titles


# ---------------------------------------------------------------------------
# 6. determinism


def build_all():
    params, X, Yt = mlp_problem()
    g = tg.graph(loss_fun)(params, X, Yt)
    return [neuron_graph().to_dot(), g.to_dot(), g.collapse("predict").to_dot(),
            tg.graph(two_layers, argnums=(0, 1, 2))(0.3, 0.5, -0.7).path("x").to_dot(),
            tg.graph(escaping_program)(1.0).to_dot(), g.listing()]


def test_same_program_gives_identical_dot():
    first, second = build_all(), build_all()
    for a, b in zip(first, second, strict=True):
        assert a == b
        assert "0x" not in a
        assert not re.search(r"\bat 0x|id\(", a)


# ---------------------------------------------------------------------------
# 13. bad input


def test_unknown_option_is_a_type_error_naming_the_options():
    with pytest.raises(TypeError) as info:
        tg.graph(neuron, colour="red")
    msg = str(info.value)
    assert "colour" in msg
    for option in ("rankdir", "theme", "show", "edge_labels", "digits", "max_nodes", "collapse"):
        assert option in msg
    with pytest.raises(TypeError, match="rankdir"):
        neuron_graph().with_options(colour="red")


def test_bad_theme_and_rankdir_are_value_errors():
    with pytest.raises(ValueError, match="neon"):
        neuron_graph(theme="neon").to_dot()
    with pytest.raises(ValueError, match="XY"):
        neuron_graph(rankdir="XY").to_dot()


@pytest.mark.parametrize("argnums", [4, -5, (0, 7)])
def test_argnums_out_of_range(argnums):
    with pytest.raises((ValueError, IndexError, tg.TracegradError), match="argnums|range"):
        tg.graph(neuron, argnums=argnums)(W, A_PREV, B, Y)


def test_path_to_unknown_name_lists_the_names():
    with pytest.raises(KeyError) as info:
        neuron_graph().path("nonexistent")
    msg = str(info.value)
    assert "nonexistent" in msg
    for name in ("w", "a_prev", "z", "a"):
        assert re.search(rf"\b{name}\b", msg)


# ---------------------------------------------------------------------------
# 14. themes, rankdir, show


def luminance(color):
    named = {"white": "#ffffff", "black": "#000000"}
    color = named.get(color, color)
    r, g, b = (int(color[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_dark_theme_changes_background():
    light = parse_dot(neuron_graph().to_dot())
    dark = parse_dot(neuron_graph(theme="dark").to_dot())
    assert light.graph_attrs["bgcolor"] != dark.graph_attrs["bgcolor"]
    assert luminance(light.graph_attrs["bgcolor"]) > 0.5
    assert luminance(dark.graph_attrs["bgcolor"]) < 0.5
    # readable: light text on the dark background
    assert luminance(dark.defaults["node"]["fontcolor"]) > 0.5
    # with_options gives a dark copy and leaves the original alone
    g = neuron_graph()
    assert parse_dot(g.with_options(theme="dark").to_dot()).graph_attrs["bgcolor"] == \
        dark.graph_attrs["bgcolor"]
    assert parse_dot(g.to_dot()).graph_attrs["bgcolor"] == light.graph_attrs["bgcolor"]


def test_rankdir():
    assert parse_dot(neuron_graph().to_dot()).graph_attrs["rankdir"] == "TB"
    assert parse_dot(neuron_graph(rankdir="LR").to_dot()).graph_attrs["rankdir"] == "LR"
    assert parse_dot(neuron_graph().to_dot(rankdir="LR")).graph_attrs["rankdir"] == "LR"


def test_show_option():
    r = neuron_by_hand()
    only_values = parse_dot(neuron_graph(show=("value",)).to_dot())
    assert not any(grad_rows(only_values.rows(i)) for i in only_values.nodes)
    assert g4(r["z"]) in only_values.rows(only_values.id_named("z"))
    only_grads = parse_dot(neuron_graph(show=("grad",)).to_dot())
    rows = only_grads.rows(only_grads.id_named("z"))
    assert g4(r["z"]) not in rows
    assert ("C", "z", g4(r["dC_dz"])) in grad_rows(rows)

    def f(m):
        return tnp.sum(m * m)

    shaped = parse_dot(tg.graph(f, show=("value", "grad", "shape"))(np.ones((3, 4))).to_dot())
    assert any(re.search(r"3\s*[,x×]\s*4", row) for row in shaped.rows(shaped.id_named("m")))


def test_argnums_none_shows_values_only():
    g = tg.graph(neuron, argnums=None)(W, A_PREV, B, Y)
    assert g.grads == {}
    dot = parse_dot(g.to_dot())
    assert not any(grad_rows(dot.rows(i)) for i in dot.nodes)
    assert g4(neuron_by_hand()["z"]) in dot.rows(dot.id_named("z"))


def test_label_html_is_well_formed():
    """Every label's tags are balanced, so Graphviz can read it."""
    for text in build_all()[:5]:
        dot = parse_dot(text)
        labels = [a["label"] for a in dot.nodes.values() if "label" in a]
        labels += [a["label"] for _, _, a in dot.edges if "label" in a]
        labels += [c.attrs["label"] for c in dot.clusters() if "label" in c.attrs]
        for label in labels:
            stack = []
            for m in re.finditer(r"<(/?)([A-Za-z]+)[^<>]*?(/?)>", label):
                closing, tag, selfclosing = m.groups()
                if selfclosing:
                    continue
                if closing:
                    assert stack and stack.pop() == tag.upper(), label
                else:
                    stack.append(tag.upper())
            assert not stack, label


def test_two_parameters_sharing_one_number_object_are_not_mislabelled():
    def f(w, x=1.0, y=1.0):          # both defaults are the same float object
        return (w * x - y) ** 2
    listing = tg.graph(f)(0.5).listing()
    assert "sub v1 x" not in listing and "mul w y" not in listing, listing


def test_every_call_of_a_function_under_a_transformation_gets_its_own_cluster():
    def f(x):
        return tnp.sin(x) * 2.0
    g = tg.graph(tg.jacfwd(f, vectorize=False), argnums=None)(np.ones(3))  # once per column
    assert sorted(info["label"] for info in g.clusters().values()) == ["f", "f #2", "f #3"]
