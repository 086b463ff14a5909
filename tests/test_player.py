"""The trace player, driven through its state (no browser; tests/browser/test_player.py
runs it in Chromium): how many steps it has, which source line each step
highlights (found here by reading the source text), the loop passes, what
appears when, escaping, and its words in both languages.
"""
import inspect
import json
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.numpy as tnp
from tracegrad.core import TracegradError
from tracegrad.words import LANGUAGES

pytest.importorskip("anywidget", reason="needs anywidget: pip install -e '.[lab]'")

W, B = 0.5, 0.1


@pytest.fixture(autouse=True)
def in_the_browser(monkeypatch):
    """Laid out by the page (the DOT is sent): no ``dot`` needed, and fast."""
    monkeypatch.setenv("TRACEGRAD_RENDERER", "browser")


def neuron(w, b, a_prev=0.8, y=1.0):
    z = w * a_prev + b
    a = tnp.tanh(z)
    return (a - y) ** 2


def predict(w, b, a):
    for _ in range(3):
        a = tnp.tanh(w * a + b)
    return a


def loss(w, b):
    a = predict(w, b, 0.8)
    return (a - 1.0) ** 2


def line_number(fun, expression):
    """The line of ``fun``'s file that holds ``expression``, read from its source text."""
    lines = inspect.getsource(fun).splitlines()
    found = [k for k, line in enumerate(lines) if expression in line]
    assert len(found) == 1, (expression, found)
    return fun.__code__.co_firstlineno + found[0]


def test_the_steps_are_the_recording_then_the_backward_pass():
    player = tg.widgets.trace(neuron, W, B, argnums=(0, 1))
    g = tg.graph(neuron, argnums=(0, 1))(W, B)
    ops = [n for n in g.nodes if n.primitive is not None]
    assert player.forward == len(ops) == 5                   # mul, add, tanh, sub, square
    assert len(player.order) == 5 + len(g.steps)
    assert [n.primitive.name for n in player.order[:5]] == [n.primitive.name for n in ops]
    assert len(player.data["lines"]) == len(player.data["at"]) == len(player.order) + 1
    # the backward part is the stepper's, step for step
    stepper = tg.widgets.stepper(player.graph)
    assert player.texts[6:] == stepper.lines[1:]
    assert player.ring[5:] == stepper.ring


def test_each_forward_step_highlights_the_line_that_ran():
    player = tg.widgets.trace(neuron, W, B, argnums=(0, 1))
    expected = ["w * a_prev + b"] * 2 + ["tnp.tanh(z)"] + ["(a - y) ** 2"] * 2
    for k, expression in enumerate(expected, 1):
        assert player.current_line(k) == ("neuron", line_number(neuron, expression))
    assert player.current_line(0) is None
    # step 3 records a = tanh(z): its value is shown on the line under the controls
    assert player.texts[3].endswith(f"= {np.tanh(W * 0.8 + B):.4g}")
    # the backward pass climbs back up the source: the square's line first
    assert player.current_line(6) == ("neuron", line_number(neuron, "(a - y) ** 2"))


def test_a_nested_call_is_shown_when_entered_and_a_loop_counts_its_passes():
    player = tg.widgets.trace(loss, 0.7, -0.2, argnums=(0, 1))
    names = [b["name"] for b in player.blocks]
    assert names == ["loss", "predict"]
    assert player.blocks[1]["appear"] == 1                   # entered by the first operation
    assert player.blocks[1]["lines"][0] == "def predict(w, b, a):"
    call = line_number(loss, "predict(w, b, 0.8)")
    body = line_number(predict, "tnp.tanh(w * a + b)")
    loop = line_number(predict, "for _ in range(3)")
    for k in range(1, 10):                                   # 3 passes of mul, add, tanh
        assert player.at[k] == [[0, call], [1, body]]        # the call, then the line inside
        assert [p[:4] for p in player.passes[k]] == [[1, loop, (k - 1) // 3 + 1, 3]]
    assert player.at[10] == [[0, line_number(loss, "(a - 1.0) ** 2")]]
    assert player.passes[10] == []


@settings(max_examples=10, deadline=None)
@given(passes=st.integers(1, 8), x=st.floats(-2, 2))
def test_every_pass_of_a_loop_is_counted(passes, x):
    def f(x):
        for _ in range(passes):
            x = tnp.sin(x) * 0.5
        return x
    player = tg.widgets.trace(f, x)
    loop, body = line_number(f, "for _ in range"), line_number(f, "tnp.sin(x) * 0.5")
    assert player.forward == 2 * passes
    assert len(player.order) == 2 * passes + len(player.graph.steps)
    for k in range(1, 2 * passes + 1):
        assert player.current_line(k) == ("f", body)
        assert [p[:4] for p in player.passes[k]] == [[0, loop, (k - 1) // 2 + 1, passes]]


def test_nodes_appear_when_recorded_and_edges_with_their_ends():
    player = tg.widgets.trace(neuron, W, B, argnums=(0, 1))
    appear = player.data["appear"]
    g = player.graph
    for k, node in enumerate(player.order[:player.forward], 1):
        assert appear[f"n{node.index}"] == k
    for node in g.inputs:
        assert appear[f"n{node.index}"] == 0
    # the constants a_prev (read by the first operation, w * a_prev) and y (by a - y)
    names = [name for name, _ in g.constant_list()]
    assert (appear[f"k{names.index('a_prev')}"], appear[f"k{names.index('y')}"]) == (1, 4)
    dot = player.data["dot"]
    edges = re.findall(r'^\s*"(\w+)" -> "(\w+)"', dot, re.M)
    assert edges and all(appear[f"{a}->{b}"] == appear[b] for a, b in edges)
    assert player.data["svg"] == ""                          # laid out once, in the page


def test_linking_a_line_to_its_nodes():
    player = tg.widgets.trace(neuron, W, B, argnums=(0, 1))
    line = line_number(neuron, "w * a_prev + b")
    assert player.data["links"][f"0:{line}"] == player.ring[:2]     # mul and add
    tanh = player.ring[2]
    assert player.data["boxes"][tanh] == {"name": "a",
                                          "at": [[0, line_number(neuron, "tnp.tanh(z)")]]}


def test_user_text_is_escaped_in_the_page():
    def f(x):
        y = tg.label(tnp.sin(x), "<script>alert(1)</script>")   # </script><b>bold</b>
        return y * 2.0
    player = tg.widgets.trace(f, 0.3)
    page = player.html()
    assert "<script>alert(1)" not in page and "<b>bold</b>" not in page
    assert page.count("<script") == 3                # the data, Graphviz, the module: no more
    data = json.loads(re.search(r'class="tg-data">(.*?)</script>', page, re.S).group(1))
    assert any("</script><b>bold</b>" in line for line in data["blocks"][0]["lines"])
    assert "&lt;script&gt;" in data["dot"]               # the label, escaped for Graphviz
    assert 'class="tracegrad-trace"' in page


def test_the_player_speaks_ukrainian():
    player = tg.widgets.trace(neuron, W, B, argnums=(0, 1), language="uk")
    uk = LANGUAGES["uk"]
    assert player.language == "uk" and player.data["language"] == "uk"
    assert player.texts[0] == uk["trace.start"].format(inputs="w = 0.5, b = 0.1")
    for key in ("trace.phase forward", "trace.phase backward", "trace.pass", "play", "next"):
        assert player.data["words"][key] == uk[key]
    assert repr(player) == uk["repr.trace"].format(name="neuron", ops=5, steps=12)
    assert "(зворотний прохід починається з виходу)" in player.texts[6]


def test_a_graph_or_a_number_is_refused_with_the_way_out():
    g = tg.graph(neuron, argnums=(0, 1))(W, B)
    with pytest.raises(TracegradError, match=r"tg\.widgets\.stepper\(graph\)"):
        tg.widgets.trace(g)
    with pytest.raises(TracegradError, match="float"):
        tg.widgets.trace(3.0)
    assert tg.widgets.trace(neuron, W, B).forward == 5       # the next call works


def test_go_and_the_step_stay_in_range():
    player = tg.widgets.trace(neuron, W, B)
    player.go(100)
    assert player.step == len(player.order) and player.current is player.order[-1]
    player.go(-3)
    assert player.step == 0 and player.current is None


def test_no_backward_pass_without_a_scalar_output():
    player = tg.widgets.trace(lambda v: tnp.sin(v) * 2.0, np.ones(3))
    assert len(player.order) == player.forward == 2
    assert player.blocks[0]["name"] == "<lambda>"
    assert player.graph.steps == [] and player.data["order"] == []


def test_the_player_benchmark_runs():
    """benchmarks/player.py still runs (nothing here times anything)."""
    import pathlib
    import subprocess
    import sys
    root = pathlib.Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "benchmarks/player.py", "--quick", "--no-browser"],
                          cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[:2] == ["program", "operations"] and len(lines) == 2


def branchy(x):
    y = x * 2.0
    if y > 0:
        y = tnp.sin(y)
    else:
        y = tnp.cos(y)
    return y


def test_the_lines_that_ran_and_the_branch_that_did_not():
    player = tg.widgets.trace(branchy, 0.5)
    block = player.blocks[0]
    ran = {block["lines"][i].strip(): step for i, step in enumerate(block["ran"])}
    # step 1 records x * 2.0; the `if` runs before step 2 records sin; cos never runs
    assert ran["y = x * 2.0"] == 1
    assert ran["if y > 0:"] == ran["y = tnp.sin(y)"] == 2
    assert ran["y = tnp.cos(y)"] is None and ran["else:"] is None
    assert ran["return y"] == player.forward                   # after the last operation
    assert player.current_line(2) == ("branchy", line_number(branchy, "tnp.sin(y)"))
    negative = tg.widgets.trace(branchy, -0.5).blocks[0]       # the other branch, then
    ran = {negative["lines"][i].strip(): s for i, s in enumerate(negative["ran"])}
    assert ran["y = tnp.sin(y)"] is None and ran["y = tnp.cos(y)"] == 2


@settings(max_examples=12, deadline=None)
@given(n=st.integers(2, 20), max_nodes=st.one_of(st.none(), st.integers(6, 40)),
       fold=st.booleans(), collapse=st.booleans())
def test_the_box_ringed_at_a_step_is_drawn_and_already_shown(n, max_nodes, fold, collapse):
    """Folded, collapsed or cut, every step rings a box the DOT declares, and that box
    is visible at its step (it appears no later than the step that rings it)."""
    def loss(w, xs):
        total = 0.0
        for x in xs:
            total = total + tnp.tanh(w * x) ** 2
        return total
    player = tg.widgets.trace(loss, 0.3, np.linspace(-1, 1, n), fold=fold,
                              max_nodes=max_nodes, collapse=collapse)
    declared = set(re.findall(r'^\s*"(\w+)" \[', player.data["dot"], re.M))
    assert set(player.ring) <= declared
    appear = player.data["appear"]
    for k, box in enumerate(player.ring, 1):
        assert appear[box] <= min(k, player.forward), (k, box)
    assert player.forward == 3 * n + n                    # mul, tanh, square, add per x
