"""Every caption a graph shows comes from the words table, in the graph's
language (issue 10): a Ukrainian notebook shows Ukrainian captions. Outputs
that are not a loss are named after their function; an unpacked input leaf
is shown by the user's variable name."""

from __future__ import annotations

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.numpy as tnp
from tracegrad.words import words

from .graph_helpers import label_rows, parse_dot
from .programs import loss_fun

# English captions a graph can show: none may appear in a Ukrainian picture.
ENGLISH = ["backward pass", "loop pass", "tangent", "Paths from", "sum over paths",
           "operations", "not drawn", "last:", "collapsed", "path 1"]


def layer(x, w):
    return tnp.tanh(x * w)


def looped(w, x):
    for _ in range(3):
        x = layer(x, w)
    return tnp.sum(x ** 2)


def all_text(g, **options):
    dot = parse_dot(g.to_dot(**options))
    rows = label_rows(dot.graph_attrs.get("label", ""))
    rows += [r for c in dot.clusters() for r in label_rows(c.attrs["label"])]
    rows += [r for i in dot.nodes for r in dot.rows(i)]
    rows += [label_rows(a["label"])[0] for _, _, a in dot.edges if "label" in a]
    return "\n".join(rows)


def ukrainian_views():
    g = tg.graph(looped, language="uk")(0.5, np.ones(2))
    gg = tg.graph(tg.grad(looped), language="uk")(0.5, np.ones(2))
    chain = tg.graph(lambda x: [x := tnp.sin(x) for _ in range(400)][-1], language="uk")(0.3)
    tangent = tg.graph(looped, tangents=(1.0,), language="uk")(0.5, np.ones(2))
    return [all_text(g), all_text(g.path("w")), str(g.path("w")), all_text(gg),
            all_text(chain), all_text(g.collapse("layer")), all_text(tangent), str(tangent),
            all_text(g.with_options(max_nodes=5))]


def test_ukrainian_graphs_show_no_english_caption():
    uk = words("uk")
    texts = ukrainian_views()
    joined = "\n".join(texts)
    for english in ENGLISH:
        assert english not in joined, english
    for key in ("backward pass", "graph tangent", "path"):
        assert uk[key] in joined, key
    assert "прохід циклу 3" in joined and "Шляхи від w до looped" in joined
    assert "не показано операцій" in joined and "операцій: " in joined


def test_the_language_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("TRACEGRAD_LANG", "uk")
    g = tg.graph(tg.grad(looped))(0.5, np.ones(2))
    assert "зворотний прохід" in all_text(g)
    assert "зворотний прохід" not in all_text(g.with_options(language="en"))
    with pytest.raises(ValueError, match=r"language.*\[TG-graph-language\]"):
        tg.graph(looped, language="fr")
    monkeypatch.delenv("TRACEGRAD_LANG")
    assert "backward pass" in all_text(tg.graph(tg.grad(looped), language="en")(0.5, np.ones(2)))


def test_output_names_follow_the_function():
    def arc_length(t):
        return tnp.sum(tnp.sqrt(1.0 + tnp.cos(t) ** 2))

    def my_loss(w):
        return (w - 1.0) ** 2

    assert tg.graph(arc_length)(np.ones(3)).output_name == "arc_length"
    assert tg.graph(my_loss)(0.5).output_name == "C"
    assert tg.graph(tg.grad(arc_length))(np.ones(3)).output_name in ("arc_length′",)
    assert tg.graph(lambda x: tnp.sin(x))(0.5).output_name == "f"
    assert tg.graph(lambda x: tg.label(tnp.sin(x), "y"))(0.5).output_name == "y"


def test_an_unpacked_input_leaf_shows_the_users_name():
    def loss(params, x):
        (W1, b1), (W2, b2) = params
        h = tnp.tanh(tnp.dot(x, W1) + b1)
        return tnp.mean(tnp.dot(h, W2) + b2)

    rng = np.random.default_rng(0)
    params = [(rng.normal(size=(2, 3)), rng.normal(size=3)),
              (rng.normal(size=(3, 1)), rng.normal(size=1))]
    x = rng.normal(size=(4, 2))
    g = tg.graph(loss)(params, x)
    assert [g.names[n] for n in g.inputs] == ["W1", "b1", "W2", "b2"]
    g2 = tg.graph(loss_fun)(params, x, np.ones((4, 1)))    # a loop variable: several leaves
    assert [g2.names[n] for n in g2.inputs] == ["params[0][0]", "params[0][1]",
                                                  "params[1][0]", "params[1][1]"]
    (W1, b1), (W2, b2) = params                      # the values are the same as NumPy's
    np.testing.assert_allclose(g.out, np.mean(np.tanh(x @ W1 + b1) @ W2 + b2), rtol=1e-12)
