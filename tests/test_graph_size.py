"""Pictures a student can read, and text a script can print (issue 16 items 8,
9, 11, 16): ``print(graph.path(name))``, unknown names in ``collapse``, the
automatic size and orientation, and labels that Graphviz would refuse."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.numpy as tnp
from tracegrad.words import words

from .graph_helpers import g4, parse_dot
from .programs import loss_fun, mlp_problem

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is missing")


def svg_height_px(svg):
    return float(re.search(r"<svg\b[^>]*?\bheight=\"([\d.]+)pt\"", svg).group(1)) * 4 / 3


# ---- path(): a plain-text form ---------------------------------------------------

def test_printed_path_lists_paths_factors_and_sum():
    def h(w):
        return w * w + tnp.sin(w)

    w = 0.3
    text = str(tg.graph(h)(w).path("w"))
    lines = text.splitlines()
    assert lines[0] == words()["paths from"].format(start="w", out="h", count=3)
    # the two paths through mul have factors w and 1; the one through sin cos(w) and 1
    products = sorted(float(line.rsplit(" = ", 1)[1]) for line in lines[1:4])
    np.testing.assert_allclose(products, sorted([w, w, np.cos(w)]), rtol=1e-3)
    assert all(line.startswith(f"{words()['path']} {i + 1}: ∂")
               for i, line in enumerate(lines[1:4]))
    assert lines[4] == words()["sum over paths"].format(sum=g4(2 * w + np.cos(w)), symbol="∂h/∂w",
                                                        grad=g4(2 * w + np.cos(w)))
    assert repr(tg.graph(h)(w).path("w")) == text


def test_printed_path_of_an_array_parameter_says_why_there_are_no_numbers():
    def loss(W, x):
        return tnp.sum(tnp.tanh(tnp.dot(x, W)) ** 2)

    W, x = np.full((2, 2), 0.5), np.ones((3, 2))
    text = str(tg.graph(loss)(W, x).path("W"))
    assert text.splitlines()[0] == words()["paths from"].format(start="W", out="C", count=1)
    assert words()["paths of arrays"].split("{symbol}")[0] in text   # why: Jacobians of arrays
    t = np.tanh(x @ W)
    dW = x.T @ (2 * t * (1 - t ** 2))                   # by hand
    shown = [float(v) for v in re.findall(r"-?[\d.]+(?:e-?\d+)?", text.split("∂C/∂W = ")[1])]
    np.testing.assert_allclose(shown, dW.ravel(), rtol=1e-3)


# ---- collapse: unknown names are an error ----------------------------------------

def mlp():
    return mlp_problem(sizes=(3, 8, 8, 1), n=16)


def test_collapse_of_an_unknown_name_lists_the_known_ones_then_works():
    g = tg.graph(loss_fun)(*mlp())
    with pytest.raises(ValueError, match=r"no function named 'predcit'.*are: predict\."):
        g.collapse("predcit")
    with pytest.raises(ValueError, match="predcit"):
        g.with_options(collapse=("predcit",))
    boxes = [i for i, a in parse_dot(g.collapse("predict").to_dot()).nodes.items()
             if "dashed" in a.get("style", "")]
    assert len(boxes) == 1
    with pytest.raises(ValueError, match="no function boxes"):
        tg.graph(lambda x: x * x)(1.0).collapse("f")


# ---- the automatic size -------------------------------------------------------------

def chain(n):
    def f(x):
        for _ in range(n):
            x = tnp.sin(x)
        return x
    return f


@pytest.mark.parametrize("n", [300, 302, 2000])
def test_a_long_chain_shows_its_first_and_last_parts(n):
    g = tg.graph(chain(n), fold=False)(0.5)       # (fold=True draws one pass, "× n")
    dot = parse_dot(g.to_dot())
    ops = [i for i in dot.nodes if re.match(r"^\S+ = sin\(", (dot.rows(i) or [""])[0])]
    assert 20 <= len(ops) <= 40
    text = " ".join(r for i in dot.nodes for r in dot.rows(i))
    not_drawn = re.escape(words()["not drawn"]).replace(r"\{count\}", r"(\d+)")
    m = re.search(not_drawn, text)
    assert m and int(m.group(1)) + len(ops) == n
    assert dot.graph_attrs["rankdir"] == "TB"
    # first and last: the input's first user and the output are both drawn
    assert "x_2 = sin(x)" in [dot.rows(i)[0] for i in ops]
    assert dot.id_named(g.names[g.output_nodes[0]]) in ops


@needs_dot
@pytest.mark.parametrize("n", [300, 302])
def test_long_chain_and_mlp_pictures_are_at_most_4000_px_tall(n):
    assert svg_height_px(tg.graph(chain(n))(0.5).svg()) <= 4000
    g = tg.graph(loss_fun)(*mlp())
    assert svg_height_px(g.svg()) <= 4000


def test_orientation_follows_the_shape_unless_given():
    def wide(x):                  # 29 sines summed as a tree: broad and shallow
        vals = [tnp.sin(x * k) for k in np.arange(1.0, 30.0)]
        while len(vals) > 1:
            vals = [a + b for a, b in zip(vals[::2], vals[1::2])] + vals[len(vals) // 2 * 2:]
        return vals[0]

    assert parse_dot(tg.graph(wide)(0.5).to_dot()).graph_attrs["rankdir"] == "LR"
    assert parse_dot(tg.graph(chain(12))(0.5).to_dot()).graph_attrs["rankdir"] == "TB"
    given = tg.graph(wide, rankdir="TB")(0.5)
    assert parse_dot(given.to_dot()).graph_attrs["rankdir"] == "TB"


# ---- labels Graphviz would refuse ------------------------------------------------------

@pytest.mark.parametrize("name, shown", [("", ""), ("a\x00b\x1bc\x0cd", "abcd"),
                                         ("z" * 20000, "z" * 299 + "…")])
def test_labels_that_break_graphviz_still_draw(name, shown):
    g = tg.graph(lambda x: tnp.sin(tg.label(x * 2.0, name)))(0.5)
    text = g.to_dot()
    assert "\x00" not in text and "\x1b" not in text and "\x0c" not in text
    dot = parse_dot(text)
    [node] = [i for i in dot.nodes if (dot.rows(i) or [""])[0].endswith("= mul(x, 2)")]
    assert dot.rows(node)[0].replace("\xa0", "").strip() == f"{shown} = mul(x, 2)".strip()
    if shutil.which("dot"):
        assert "<svg" in g.svg()
