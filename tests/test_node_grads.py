"""By hand before automation: tracegrad.checks.node_verdicts compares a student's dict of
node gradients with the backward pass of a recorded graph, one line per node (✓, or ✗
and a hint), and never prints a gradient. The expected gradients here are worked out
by hand (the chain rule on σ(0) = 1/2), not read from tracegrad."""
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracegrad as tg
from tracegrad.checks import check_node_grads, is_verdict, node_verdicts
from tracegrad.words import words


def neuron(w, b, a_prev=2.0, y=1.0):
    w, b = tg.label(w, "w"), tg.label(b, "b")
    z = tg.label(tg.label(w * a_prev, "(wa)") + b, "z")
    a = tg.label(tg.nn.sigmoid(z), "a")
    return tg.label(tg.label(a - y, "(a−y)") ** 2, "C₀")


# w·a_prev + b = 0.5·2 − 1 = 0: σ(0) = 1/2, σ'(0) = 1/4, so by hand
HAND = {"(a−y)": 2 * (0.5 - 1.0), "a": -1.0, "z": -0.25, "b": -0.25, "(wa)": -0.25,
        "w": -0.25 * 2.0}


@pytest.fixture
def graph():
    return tg.graph(neuron, argnums=(0, 1))(0.5, -1.0)


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("TRACEGRAD_LANG", "en")


def test_all_right_is_one_tick(graph, capsys):
    check_node_grads(HAND, graph)
    assert capsys.readouterr().out == "✓\n"


def test_each_node_gets_its_own_line_and_hint(graph):
    answer = dict(HAND, z=-1.0, b=None, **{"(wa)": 0.25})
    lines = node_verdicts(answer, graph).split("\n")
    w = words()
    assert lines == ["✗ " + w["check.some right"].format(right=3, total=6),
                     "✓ ∂C₀/∂(a−y)", "✓ ∂C₀/∂a",
                     "✗ ∂C₀/∂z: " + w["check.factor"], "✗ ∂C₀/∂b: " + w["check.none"],
                     "✗ ∂C₀/∂(wa): " + w["check.sign"], "✓ ∂C₀/∂w"]
    assert is_verdict("\n".join(lines))


def test_the_uk_lines_use_the_uk_hints(graph, monkeypatch):
    monkeypatch.setenv("TRACEGRAD_LANG", "uk")
    said = node_verdicts(dict(HAND, a=None), graph)
    assert "✗ ∂C₀/∂a: " + words()["check.none"] in said.split("\n")


def test_no_answer_a_wrong_name_and_an_error_are_hints(graph):
    assert node_verdicts(None, graph) == "✗ " + words()["check.none"]
    nothing = node_verdicts(dict.fromkeys(HAND), graph).split("\n")
    assert nothing[0] == "✗ " + words()["check.none"] and len(nothing) == 1 + len(HAND)
    said = node_verdicts({"zz": 1.0}, graph)
    assert said.startswith("✗ ") and "UnknownName" in said and is_verdict(said)
    said = node_verdicts(lambda: {"a": 1 / 0}, graph)
    assert said.startswith("✗ ") and "ZeroDivisionError" in said and is_verdict(said)


def test_a_value_is_no_node_line():
    for line in ["✓ ∂C₀/∂z", "✓ 0.25", "✗ 0.25\n✓ ∂C₀/∂z", "✗ ∂C₀/∂z: -0.25",
                 "✓ ∂C₀/∂z\n✗ -0.25", "✗ ∂C₀/∂z: 0.25 ≠ -0.25"]:
        assert not is_verdict(line), line


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["right", "none", "negated", "doubled", "off"]),
                min_size=len(HAND), max_size=len(HAND)))
def test_the_verdict_is_a_tick_exactly_when_all_are_right_and_shows_no_gradient(kinds):
    graph = tg.graph(neuron, argnums=(0, 1))(0.5, -1.0)
    answer = {name: {"right": v, "none": None, "negated": -v, "doubled": 2 * v,
                     "off": v + 0.37}[kind] for (name, v), kind in zip(HAND.items(), kinds)}
    said = node_verdicts(answer, graph)
    assert (said == "✓") == all(k == "right" for k in kinds)
    assert is_verdict(said)
    assert not re.search(r"\d\.\d|\d\s*$", said.replace("⁽", "").replace("₀", ""))
    if said != "✓":
        assert [line[0] for line in said.split("\n")[1:]] == \
            ["✓" if k == "right" else "✗" for k in kinds]
    assert np.isfinite(list(HAND.values())).all()
