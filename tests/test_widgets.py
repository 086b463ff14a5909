"""The widgets, driven through their state (no browser): the stepper's slider and
buttons, the explorer's sliders; every number checked against the lecture's
formulas computed here with NumPy."""
import html
import re
import shutil
import sys

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.numpy as tnp

pytest.importorskip("ipywidgets")
pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")

W, B, A_PREV, Y = 0.5, 0.1, 0.8, 1.0


def neuron(w, b, a_prev=A_PREV, y=Y):
    z = w * a_prev + b
    a = tnp.tanh(z)
    return (a - y) ** 2


def by_hand(w=W, b=B, a_prev=A_PREV, y=Y):
    """The lecture's chain rule, written out."""
    z = w * a_prev + b
    a = np.tanh(z)
    dC_da = 2 * (a - y)
    dC_dz = dC_da * (1 - a ** 2)
    return dict(z=z, a=a, C=(a - y) ** 2, dC_da=dC_da, dC_dz=dC_dz,
                dC_dw=dC_dz * a_prev, dC_db=dC_dz)


def g4(v):
    return f"{v:.4g}"


def node_groups(svg):
    """{'n3': group text} for every node of a Graphviz SVG."""
    return dict(re.findall(r'<g id="node\d+" class="node">\s*<title>(n\d+)</title>(.*?)</g>',
                           svg, re.S))


def shown_gradients(svg, colour="#b3261e"):
    """Names of nodes whose gradient text is visible (drawn in the gradient colour)."""
    return {name for name, body in node_groups(svg).items() if f'fill="{colour}">' in body}


def highlighted(svg):
    return {name for name, body in node_groups(svg).items() if 'stroke-width="3"' in body}


@pytest.fixture
def graph():
    return tg.graph(neuron, argnums=(0, 1))(W, B)


def test_stepper_walks_the_backward_pass_with_the_chain_rule(graph):
    s = tg.widgets.stepper(graph)
    expected = by_hand()
    order = [graph.names[n] for n in s.order]
    assert order[0] == "C" and order[-2:] in (["b", "w"], ["w", "b"])
    assert s.current is None and shown_gradients(s.picture.value) == set()
    for k in range(1, len(s.order) + 1):
        s.slider.value = k
        node = s.current
        assert node is s.order[k - 1]
        svg = s.picture.value
        assert highlighted(svg) == {f"n{node.index}"}
        assert shown_gradients(svg) == {f"n{n.index}" for n in s.order[:k]}
    s.slider.value = order.index("z") + 1
    line = s.line.value
    assert "∂C/∂z = ∂C/∂a · ∂a/∂z" in line
    assert f"{g4(expected['dC_da'])} · {g4(1 - expected['a'] ** 2)} = {g4(expected['dC_dz'])}" in line
    s.slider.value = order.index("w") + 1
    assert s.line.value.rstrip("</div>").endswith(f"= {g4(expected['dC_dw'])}")


def test_stepper_buttons_move_one_step_and_stop_at_the_ends(graph):
    s = tg.widgets.stepper(graph)
    s.previous.click()
    assert s.slider.value == 0
    s.next.click()
    s.next.click()
    assert s.slider.value == 2
    for _ in range(20):
        s.next.click()
    assert s.slider.value == len(s.order)
    assert s.play.max == len(s.order)


def test_forward_stepper_fills_in_values_in_order(graph):
    s = tg.widgets.stepper(graph, mode="forward")
    value_colour = "#222223"
    inputs = {f"n{n.index}" for n in graph.inputs}
    assert shown_gradients(s.picture.value, value_colour) == inputs
    names = [graph.names[n] for n in s.order]
    s.slider.value = names.index("a") + 1
    assert f"a = tanh(z) = tanh({g4(by_hand()['z'])}) = {g4(by_hand()['a'])}" in s.line.value
    assert shown_gradients(s.picture.value, value_colour) == \
        inputs | {f"n{n.index}" for n in s.order[:names.index("a") + 1]}


def test_tangent_stepper_needs_tangents_and_then_shows_them():
    with pytest.raises(tg.TracegradError, match="tangents="):
        tg.widgets.stepper(tg.graph(neuron)(W, B), mode="tangent")
    g = tg.graph(neuron, tangents=(1.0,))(W, B)
    s = tg.widgets.stepper(g, mode="tangent")
    s.slider.value = len(s.order)
    assert s.line.value.rstrip("</div>").endswith(f"= {g4(by_hand()['dC_dw'])}")


def test_stepper_refuses_a_graph_without_a_backward_pass():
    g = tg.graph(lambda x: tnp.sin(x) * 2.0, argnums=None)(np.arange(3.0))
    with pytest.raises(tg.TracegradError, match="mode='forward'"):
        tg.widgets.stepper(g)
    with pytest.raises(ValueError, match="mode"):
        tg.widgets.stepper(g, mode="sideways")


def test_explorer_readout_follows_the_sliders():
    e = tg.widgets.explore(neuron, w=(-2, 2), b=(-1, 1, 0.3))
    assert [s.description for s in e.sliders.values()] == ["w", "b"]
    assert e.sliders["w"].value == 0.0 and e.sliders["b"].value == 0.3   # middle; given value
    e.sliders["w"].value = 1.25
    e.sliders["b"].value = -0.5
    expected = by_hand(w=1.25, b=-0.5)
    readout = e.readout.value
    assert f"C = {g4(expected['C'])}" in readout
    assert f"∂C/∂w = {g4(expected['dC_dw'])}" in readout
    assert f"∂C/∂b = {g4(expected['dC_db'])}" in readout
    assert f"∂C/∂w = {g4(expected['dC_dw'])}" in html.unescape(e.picture.value)  # the graph too
    np.testing.assert_allclose(e.grads, (expected["dC_dw"], expected["dC_db"]), rtol=1e-12)


def test_explorer_starts_from_the_functions_defaults():
    def f(w=0.7, b=-0.2):
        return tnp.sin(w) * b
    e = tg.widgets.explore(f, w=(-1, 1), b=(-1, 1))
    assert (e.sliders["w"].value, e.sliders["b"].value) == (0.7, -0.2)
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
    assert tg.widgets.stepper(graph).slider.value == 0


def test_repr_is_short_and_deterministic(graph):
    s = tg.widgets.stepper(graph)
    assert repr(s) == repr(tg.widgets.stepper(graph))
    assert "0x" not in repr(s) and len(repr(s)) < 120


def test_stepping_a_300_node_graph_keeps_one_layout():
    def chain(x):
        for _ in range(150):
            x = tnp.sin(x) * 1.01
        return x
    g = tg.graph(chain, max_nodes=400)(0.3)
    s = tg.widgets.stepper(g)
    assert len(s.order) == 301
    boxes = lambda svg: re.findall(r'<g id="node\d+" class="node">\s*<title>(n\d+)</title>', svg)
    first = boxes(s.picture.value)
    s.slider.value = 150
    assert boxes(s.picture.value) == first            # same nodes, same places: no re-layout
    assert len(shown_gradients(s.picture.value)) == 150


def test_stepper_speaks_ukrainian_in_the_ukrainian_lectures(graph, monkeypatch, tmp_path):
    s = tg.widgets.stepper(graph, language="uk")
    s.slider.value = 1
    assert s.line.value.count("крок 1 з 7: ∂C/∂C = 1") == 1
    assert s.slider.description == "крок" and s.next.description == "далі ▶"
    (tmp_path / "uk").mkdir()
    monkeypatch.delenv("TRACEGRAD_LANG", raising=False)
    monkeypatch.chdir(tmp_path / "uk")                    # where lectures/uk notebooks run
    assert tg.widgets.stepper(graph).slider.description == "крок"
    monkeypatch.setenv("TRACEGRAD_LANG", "en")
    assert tg.widgets.stepper(graph).slider.description == "step"
    with pytest.raises(ValueError, match="'en', 'uk'"):
        tg.widgets.stepper(graph, language="fr")


def test_the_square_rule_shows_its_exponent_not_n(graph):
    """n is the number of examples in the lectures: the rule of x² reads 2·x."""
    s = tg.widgets.stepper(graph)
    s.slider.value = 2                                 # the step through the square
    line = html.unescape(s.line.value)
    assert "n·" not in line and "^(" not in line
    square_input = graph.names[s.order[1]]
    assert f"(2·{square_input}) = 1 · {g4(by_hand()['dC_da'])}" in line
    cube = tg.graph(lambda x: x ** 3)(0.5)
    s = tg.widgets.stepper(cube)
    s.slider.value = 2
    assert f"(3·x²) = 1 · {g4(3 * 0.5 ** 2)}" in html.unescape(s.line.value)


def test_explorer_records_the_function_once_per_move():
    calls = []

    def counted(w, b):
        calls.append((w, b))
        return neuron(w, b)
    e = tg.widgets.explore(counted, w=(-2, 2), b=(-1, 1))
    calls.clear()
    e.sliders["w"].value = 0.5
    assert len(calls) == 1                              # value, gradient and graph: one trace
    expected = by_hand(w=0.5, b=0.0)
    np.testing.assert_allclose((e.value, *e.grads),
                               (expected["C"], expected["dC_dw"], expected["dC_db"]), rtol=1e-12)
