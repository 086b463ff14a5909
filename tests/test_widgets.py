"""The widgets, driven through their state (no browser): the stepper's slider and
buttons, the explorer's sliders; every number checked against the lecture's
formulas computed here with NumPy.

``make unit`` installs what these tests need (ipywidgets, from the lab extra;
Graphviz's ``dot``); run elsewhere without them, they are skipped and
pytest's summary (``-ra``) says why.
"""
import html
import json
import re
import shutil
import sys

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.numpy as tnp

from .graph_helpers import g4
from .programs import B, W
from .programs import neuron_by_hand as by_hand
from .programs import neuron_of_w_b as neuron

pytest.importorskip("anywidget", reason="needs anywidget: pip install -e '.[lab]'")
from tracegrad.widgets.frontend import STATIC  # noqa: E402

pytest.importorskip("ipywidgets", reason="needs ipywidgets: pip install -e '.[lab]'")
pytestmark = pytest.mark.skipif(shutil.which("dot") is None,
                                reason="needs Graphviz's dot: make dot")


def node_groups(svg):
    """{'n3': group text} for every node of a Graphviz SVG."""
    return dict(re.findall(r'<g id="node\d+" class="node">\s*<title>(n\d+)</title>(.*?)</g>',
                           svg, re.S))


def shown_gradients(svg, colour="#b3261e"):
    """Names of nodes whose gradient text is visible (drawn in the gradient colour)."""
    return {name for name, body in node_groups(svg).items() if f'fill="{colour}">' in body}


@pytest.fixture
def graph():
    return tg.graph(neuron, argnums=(0, 1))(W, B)


def test_stepper_walks_the_backward_pass_with_the_chain_rule(graph):
    s = tg.widgets.stepper(graph)
    expected = by_hand()
    order = [graph.names[n] for n in s.order]
    assert order[0] == "C" and order[-2:] in (["b", "w"], ["w", "b"])
    assert s.current is None and s.step == 0
    assert s.data["order"] == [f"n{n.index}" for n in s.order]       # what the page steps
    for k in range(1, len(s.order) + 1):
        s.go(k)
        assert s.current is s.order[k - 1] and s.visited() == s.order[:k]
    line = s.lines[order.index("z") + 1]
    assert "∂C/∂z = ∂C/∂a · ∂a/∂z" in line
    da_dz = 1 - expected['a'] ** 2
    assert f"{g4(expected['dC_da'])} · {g4(da_dz)} = {g4(expected['dC_dz'])}" in line
    assert s.lines[order.index("w") + 1].endswith(f"= {g4(expected['dC_dw'])}")
    # the page reveals the gradient texts: every node's gradient is in the one picture
    svg = s.data["svg"]
    assert shown_gradients(svg) == {f"n{n.index}" for n in s.order}
    assert s.data["hidden"] == ["#b3261e"]


def test_the_chain_line_is_mathematics_whose_text_is_the_line(graph):
    s = tg.widgets.stepper(graph)
    for line, markup in zip(s.lines, s.data["lines"]):
        assert html.unescape(re.sub(r"<[^>]+>", "", markup)) == line   # textContent == line
    z_line = s.data["lines"][[graph.names[n] for n in s.order].index("z") + 1]
    assert '<span class="tg-frac"><span>∂C</span><span class="tg-slash">/</span>' \
           '<span>∂z</span></span>' in z_line
    assert tg.widgets.stepper.__module__ == "tracegrad.widgets.stepper"
    from tracegrad.widgets.stepper import math_html
    assert math_html("∂C/∂a_prev = v2") == (
        '<span class="tg-frac"><span>∂C</span><span class="tg-slash">/</span><span>∂<i>a</i>'
        '<span class="tg-hide">_</span><sub>prev</sub></span></span> = <i>v</i><sub>2</sub>')


def test_stepper_go_stops_at_the_ends(graph):
    s = tg.widgets.stepper(graph)
    s.go(-1)
    assert s.step == 0
    s.go(2)
    assert s.step == 2
    s.go(100)
    assert s.step == len(s.order) == len(s.data["order"])


def test_forward_stepper_fills_in_values_in_order(graph):
    s = tg.widgets.stepper(graph, mode="forward")
    names = [graph.names[n] for n in s.order]
    line = s.lines[names.index("a") + 1]
    assert f"a = tanh(z) = tanh({g4(by_hand()['z'])}) = {g4(by_hand()['a'])}" in line
    assert set(s.data["always"]) == {f"n{n.index}" for n in graph.inputs}  # inputs: known
    assert s.data["hidden"] == ["#222223"]                                 # values appear


def test_tangent_stepper_needs_tangents_and_then_shows_them():
    with pytest.raises(tg.TracegradError, match="tangents="):
        tg.widgets.stepper(tg.graph(neuron)(W, B), mode="tangent")
    g = tg.graph(neuron, tangents=(1.0,))(W, B)
    s = tg.widgets.stepper(g, mode="tangent")
    assert s.lines[-1].endswith(f"= {g4(by_hand()['dC_dw'])}")


def test_stepper_refuses_a_graph_without_a_backward_pass():
    g = tg.graph(lambda x: tnp.sin(x) * 2.0, argnums=None)(np.arange(3.0))
    with pytest.raises(tg.TracegradError, match="mode='forward'"):
        tg.widgets.stepper(g)
    with pytest.raises(ValueError, match="mode"):
        tg.widgets.stepper(g, mode="sideways")


def test_explorer_value_and_gradient_follow_the_sliders():
    e = tg.widgets.explore(neuron, w=(-2, 2), b=(-1, 1, 0.3))
    assert e.names == ["w", "b"] and [s["name"] for s in e.data["sliders"]] == ["w", "b"]
    assert e.point == [0.0, 0.3]                                        # middle; given value
    e.set(w=1.2, b=-0.5)                                                # points of the grid
    assert e.point == pytest.approx([1.2, -0.5], abs=1e-12)
    expected = by_hand(w=1.2, b=-0.5)
    assert e.value == pytest.approx(expected["C"], rel=1e-12)
    np.testing.assert_allclose(e.grads, (expected["dC_dw"], expected["dC_db"]), rtol=1e-12)
    assert e.data["out"] == "C"                         # the page's name for the output


def test_explorer_starts_from_the_functions_defaults():
    def f(w=0.7, b=-0.2):
        return tnp.sin(w) * b
    e = tg.widgets.explore(f, w=(-1, 1), b=(-1, 1))
    assert e.point == [0.7, -0.2]
    np.testing.assert_allclose(e.value, np.sin(0.7) * -0.2, rtol=1e-12)


def test_explorer_bad_input_names_the_parameter_and_the_fix():
    with pytest.raises(tg.TracegradError, match="'b'.*no slider and no default"):
        tg.widgets.explore(lambda w, b: w * b, w=(-1, 1))
    with pytest.raises(tg.TracegradError, match=r"\['q'\] are not parameters"):
        tg.widgets.explore(neuron, q=(-1, 1), w=(0, 1), b=(0, 1))
    with pytest.raises(tg.TracegradError, match="outside its range"):
        tg.widgets.explore(neuron, w=(-1, 1, 5.0), b=(0, 1))
    e = tg.widgets.explore(neuron, w=(-1, 1), b=(0, 1))          # the next call works
    assert e.value == pytest.approx(by_hand(w=0.0, b=0.5)["C"], rel=1e-12)


def test_missing_ipywidgets_says_how_to_install(monkeypatch, graph):
    for name in [m for m in sys.modules if m.startswith("tracegrad.widgets")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delattr(tg, "widgets", raising=False)
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    with pytest.raises(ImportError, match="pip install ipywidgets"):
        tg.widgets.stepper(graph)
    monkeypatch.undo()                                    # the next import works
    assert tg.widgets.stepper(graph).step == 0


def test_repr_is_short_and_deterministic(graph):
    s = tg.widgets.stepper(graph)
    assert repr(s) == repr(tg.widgets.stepper(graph))
    assert "0x" not in repr(s) and len(repr(s)) < 120


def test_a_300_node_stepper_is_laid_out_once():
    def chain(x):
        for _ in range(150):
            x = tnp.sin(x) * 1.01
        return x
    g = tg.graph(chain, max_nodes=400)(0.3)
    s = tg.widgets.stepper(g)
    assert len(s.order) == 301 == len(s.lines) - 1
    assert len(node_groups(s.data["svg"])) == len(g.nodes)  # one picture for every step
    assert len(shown_gradients(s.data["svg"])) == 301


def test_stepper_speaks_ukrainian_in_the_ukrainian_lectures(graph, monkeypatch, tmp_path):
    s = tg.widgets.stepper(graph, language="uk")
    assert s.lines[1] == "∂C/∂C = 1  (зворотний прохід починається з виходу)"
    assert s.data["words"]["step"] == "крок" and s.data["words"]["next"] == "далі ▶"
    (tmp_path / "uk").mkdir()
    tg.set_language(None)        # the folder and TRACEGRAD_LANG decide, not --tg-language
    monkeypatch.delenv("TRACEGRAD_LANG", raising=False)   # (conftest restores it after)
    monkeypatch.chdir(tmp_path / "uk")                    # where lectures/uk notebooks run
    assert tg.widgets.stepper(graph).data["words"]["step"] == "крок"
    monkeypatch.setenv("TRACEGRAD_LANG", "en")
    assert tg.widgets.stepper(graph).data["words"]["step"] == "step"
    with pytest.raises(ValueError, match="'en', 'uk'"):
        tg.widgets.stepper(graph, language="fr")


def test_the_square_rule_shows_its_exponent_not_n(graph):
    """n is the number of examples in the lectures: the rule of x² reads 2·x."""
    s = tg.widgets.stepper(graph)
    line = s.lines[2]                                  # the step through the square
    assert "n·" not in line and "^(" not in line
    square_input = graph.names[s.order[1]]
    assert f"(2·{square_input}) = 1 · {g4(by_hand()['dC_da'])}" in line
    cube = tg.graph(lambda x: x ** 3)(0.5)
    assert f"(3·x²) = 1 · {g4(3 * 0.5 ** 2)}" in tg.widgets.stepper(cube).lines[2]


def test_explorer_records_the_function_once_per_move():
    calls = []

    def counted(w, b):
        calls.append((w, b))
        return neuron(w, b)
    e = tg.widgets.explore(counted, w=(-2, 2), b=(-1, 1))
    calls.clear()
    e.set(w=0.5)
    assert len(calls) == 1                              # value and gradient: one trace
    expected = by_hand(w=0.5, b=0.0)
    np.testing.assert_allclose((e.value, *e.grads),
                               (expected["C"], expected["dC_dw"], expected["dC_db"]), rtol=1e-12)


# ---- the front end: static HTML, the browser renderer, which renderer --------------------

def test_static_html_escapes_user_labels(monkeypatch):
    def f(x):
        return tg.label(tnp.sin(x), "</script><script>alert(1)</script>") * 2.0
    for renderer in ("dot", "browser"):
        monkeypatch.setenv("TRACEGRAD_RENDERER", renderer)
        s = tg.widgets.stepper(tg.graph(f)(0.3))
        page = s.html()
        assert "<script>alert(1)" not in page                   # never markup
        data = re.search(r'<script type="application/json" class="tg-data">(.*?)</script>',
                         page, re.S).group(1)
        assert "<" not in data                                  # JSON cannot close its tag
        assert json.loads(data)["lines"] == s.data["lines"]
        assert any("&lt;/script&gt;&lt;script&gt;alert(1)" in line for line in s.data["lines"])
        if renderer == "dot":
            assert "&lt;/script&gt;&lt;script&gt;alert(1)" in page  # in the SVG, as text
        else:
            assert s.data["svg"] == "" and "alert(1)" in s.data["dot"]
            assert s._graphviz_js.startswith("function") and s._graphviz_js in page


def test_graph_view_sends_dot_and_the_webassembly_graphviz(graph):
    from tracegrad.widgets.graphview import GraphView
    view = GraphView(graph)
    assert view.data["dot"] == graph.to_dot() and view.data["svg"] == ""
    assert len(view._graphviz_js) > 500_000
    version = (STATIC / "graphviz.VERSION").read_text()
    assert "@hpcc-js/wasm-graphviz" in version and "Apache-2.0" in version
    import hashlib
    assert hashlib.sha256(view._graphviz_js.encode()).hexdigest() in version


def test_renderer_choice(graph, monkeypatch, tmp_path):
    from tracegrad.drawing import render
    listing = graph.listing()
    assert render.mimebundle(graph, listing, "text") == {"text/plain": listing}
    if shutil.which("dot"):
        assert set(render.mimebundle(graph, listing)) == {"text/html", "image/svg+xml",
                                                           "text/plain"}
    monkeypatch.setenv("PATH", str(tmp_path))                  # no dot
    bundle = render.mimebundle(graph, listing)                 # and no kernel (pytest)
    assert set(bundle) == {"text/plain"}
    extra = bundle["text/plain"][len(listing):].strip()
    assert bundle["text/plain"].startswith(listing) and "\n" not in extra   # ONE line
    assert "Graphviz" in extra and "tracegrad[lab]" in extra
    monkeypatch.setattr(render, "widget_front_end", lambda: True)   # in Jupyter
    bundle = render.mimebundle(graph, listing)
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].startswith(listing)
    with pytest.raises(ValueError, match="renderer must be one of"):
        render.mimebundle(graph, listing, "png")
    monkeypatch.setenv("TRACEGRAD_RENDERER", "text")
    assert render.renderer() == "text"
    render.set_renderer("browser")
    try:
        assert render.renderer() == "browser" and render.renderer("dot") == "dot"
        with pytest.raises(ValueError, match="'auto', 'dot', 'browser', 'text'"):
            render.set_renderer("gif")
        assert render.renderer() == "browser"                  # a bad call changes nothing
    finally:
        render.set_renderer(None)
    assert render.renderer() == "text"


def test_a_graph_without_dot_in_jupyter_is_drawn_in_the_browser(graph, monkeypatch, tmp_path):
    from tracegrad.drawing import render
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(render, "widget_front_end", lambda: True)
    bundle = graph._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle, (
        "Graph._repr_mimebundle_ must leave the choice to render.py: its body should be "
        "`return render.mimebundle(self, self._short_listing())`")


def test_the_explorer_says_when_it_needs_a_kernel():
    """A grid small enough: the page moves by itself and says so. Four sliders: no
    grid; the page says each move asks the kernel (and "no kernel" when none answers)."""
    words = tg.words.words()                                           # the run's language
    e = tg.widgets.explore(neuron, w=(-1, 1), b=(0, 1))
    page = html.unescape(e._repr_mimebundle_()[0]["text/html"])
    assert e.data["grid"] is not None and "tg-data" in page
    assert json.dumps(words["explorer.grid"], ensure_ascii=False) in page

    def four(a, b, c, d):
        return a * b * c * d
    e = tg.widgets.explore(four, a=(0, 1), b=(0, 1), c=(0, 1), d=(0, 1))
    page = html.unescape(e._repr_mimebundle_()[0]["text/html"])
    assert e.data["grid"] is None
    for key in ("explorer.kernel", "no kernel"):
        assert json.dumps(words[key], ensure_ascii=False) in page
