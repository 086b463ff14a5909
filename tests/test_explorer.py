"""The explorer's grid, computed once in Python: what the page moves through with no kernel.

Every value and slope on the grid is checked against a closed form written here
(f(a, b) = a·sin(b): ∂f/∂a = sin(b), ∂f/∂b = a·cos(b)) or against finite
differences; the grid's points against the sliders' ranges; the payload's size
against the budget the module states. The browser side (tangent, steps, trail)
is tests/browser/test_explorer.py.
"""
import base64
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.numpy as tnp

from .numeric import num_grad_arg
from .programs import neuron_by_hand as by_hand
from .programs import neuron_of_w_b as neuron

pytest.importorskip("anywidget", reason="needs anywidget: pip install -e '.[lab]'")
from tracegrad.widgets import explorer as explorer_module  # noqa: E402
from tracegrad.widgets.frontend import json_for_html  # noqa: E402


def f(a, b):
    return a * tnp.sin(b)


def decoded(e):
    """The grid the page gets: float32 numbers, shape n₁ × … × n_d × (1 + d)."""
    grid = e.data["grid"]
    table = np.frombuffer(base64.b64decode(grid["data"]), dtype="<f4")
    return table.reshape(grid["shape"]).astype(float)


def axes(e):
    return [s["start"] + s["step"] * np.arange(s["count"]) for s in e.data["sliders"]]


def test_the_grid_holds_the_value_and_both_slopes_of_a_sin_b():
    e = tg.widgets.explore(f, a=(-2, 2, 1.5), b=(-3, 3, 0.3))
    a, b = np.meshgrid(*axes(e), indexing="ij")
    table = decoded(e)
    assert table.shape == (41, 41, 3)                       # two sliders: 41 × 41 points
    np.testing.assert_allclose(table[..., 0], a * np.sin(b), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(table[..., 1], np.sin(b), rtol=1e-6, atol=1e-6)      # ∂f/∂a
    np.testing.assert_allclose(table[..., 2], a * np.cos(b), rtol=1e-6, atol=1e-6)  # ∂f/∂b


def test_the_sliders_grid_starts_at_the_start_value_and_stays_in_the_range():
    e = tg.widgets.explore(f, a=(-2, 2, 1.5), b=(-3, 3, 0.33))
    for (lo, hi, value), s, points in zip([(-2, 2, 1.5), (-3, 3, 0.33)], e.data["sliders"],
                                          axes(e), strict=True):
        assert s["step"] == pytest.approx((hi - lo) / 40)
        assert points[s["index"]] == pytest.approx(value, abs=1e-12)   # starts exactly there
        assert lo - 1e-9 <= points[0] and points[-1] <= hi + 1e-9
        assert points[0] - s["step"] < lo + 1e-9 and points[-1] + s["step"] > hi - 1e-9
    assert e.point == [1.5, 0.33]
    one = tg.widgets.explore(lambda x: tnp.exp(x), x=(0, 1))
    assert decoded(one).shape == (101, 2)                   # one slider: 101 points
    given_step = tg.widgets.explore(f, a=(0, 1, 0.25, 0.5), b=(0, 1, 0.5, 0.5))
    assert [s["count"] for s in given_step.data["sliders"]] == [5, 3]   # a step given is kept


def test_slopes_equal_finite_differences_for_the_neuron():
    e = tg.widgets.explore(neuron, w=(-2, 2), b=(-1, 1))
    table = decoded(e)
    ws, bs = axes(e)
    for i, j in [(0, 0), (7, 33), (20, 20), (40, 11)]:
        args = [ws[i], bs[j]]
        numeric = [num_grad_arg(lambda w, b: neuron(w, b), args, k) for k in (0, 1)]
        np.testing.assert_allclose(table[i, j, 1:], np.ravel(numeric), rtol=1e-4, atol=1e-6)
        assert table[i, j, 0] == pytest.approx(by_hand(w=ws[i], b=bs[j])["C"], rel=1e-6)


@settings(max_examples=20, deadline=None)
@given(a0=st.floats(-2, 2), b0=st.floats(-3, 3), width=st.floats(0.1, 5))
def test_property_every_grid_point_carries_the_closed_form(a0, b0, width):
    e = tg.widgets.explore(f, a=(a0 - width, a0 + width, a0), b=(b0 - width, b0 + width, b0))
    a, b = np.meshgrid(*axes(e), indexing="ij")
    table = decoded(e)
    assert e.point == [a0, b0]
    np.testing.assert_allclose(table[..., 1], np.sin(b), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(table[..., 2], a * np.cos(b), rtol=1e-5, atol=1e-5)


def test_a_function_that_branches_on_its_input_is_computed_point_by_point():
    def relu_ish(x, y):
        if x > 0:                       # Python's own if: cannot be vectorised
            return x * y
        return -y
    e = tg.widgets.explore(relu_ish, x=(-1, 1), y=(-1, 1))
    x, y = np.meshgrid(*axes(e), indexing="ij")
    table = decoded(e)
    np.testing.assert_allclose(table[..., 0], np.where(x > 0, x * y, -y), atol=1e-6)
    np.testing.assert_allclose(table[..., 1], np.where(x > 0, y, 0.0), atol=1e-6)
    np.testing.assert_allclose(table[..., 2], np.where(x > 0, x, -1.0), atol=1e-6)


def test_points_outside_the_domain_are_nan_and_nothing_is_raised():
    e = tg.widgets.explore(lambda x: tnp.log(x), x=(-1, 1, 0.5))
    xs, = axes(e)
    table = decoded(e)
    assert np.isnan(table[xs < 0, 0]).all()
    np.testing.assert_allclose(table[xs > 0, 0], np.log(xs[xs > 0]), rtol=1e-6)
    np.testing.assert_allclose(table[xs > 0, 1], 1 / xs[xs > 0], rtol=1e-6)


def test_four_sliders_send_no_grid_and_the_kernel_answers_with_the_curves():
    def g(a, b, c, d):
        return a * b + tnp.sin(c) * d
    e = tg.widgets.explore(g, a=(-1, 1), b=(-1, 1), c=(-1, 1), d=(-1, 1))
    assert e.grid is None and e.data["grid"] is None and e.data["points"] == 101 ** 4
    e.set(a=0.5, c=0.3, d=-0.8)
    answer = e.answer
    assert answer["point"] == pytest.approx([0.5, 0.0, 0.3, -0.8])
    assert answer["value"] == pytest.approx(np.sin(0.3) * -0.8)
    assert answer["grads"] == pytest.approx([0.0, 0.5, np.cos(0.3) * -0.8, np.sin(0.3)])
    xs, ys = answer["curves"][2]                             # along c: sin(c)·d
    np.testing.assert_allclose(ys, np.sin(xs) * -0.8, rtol=1e-12)
    assert len(xs) == explorer_module.CURVE_POINTS and xs[0] == -1 and xs[-1] == pytest.approx(1)


def test_set_lands_on_the_grid_and_follows_the_closed_form():
    e = tg.widgets.explore(f, a=(-2, 2), b=(-3, 3))
    e.set(a=1.23, b=-0.71)                                   # grid steps 0.1 and 0.15
    a, b = e.point
    assert a == pytest.approx(1.2) and b == pytest.approx(-0.75)
    assert e.value == pytest.approx(a * np.sin(b), rel=1e-12)
    assert e.grads == pytest.approx((np.sin(b), a * np.cos(b)), rel=1e-12)
    with pytest.raises(tg.TracegradError, match=r"\['q'\] are not parameters"):
        e.set(q=1.0)
    with pytest.raises(tg.TracegradError, match="range of 'a'|range of a"):
        tg.widgets.explore(f, a=(0, 1, 0.0, 0.5), b=(0, 1))
    e.set(a=0.0)                                             # the next call works
    assert e.value == 0.0


def test_the_payload_is_small():
    """Bytes the page carries (the state as JSON, without the shared script):
    the lecture's two-slider explorer (04: C₀ of w and b), and one slider."""
    def C0_of_w_b(w=1.4, b=-0.1, a_prev=0.6, y=1.0):
        a = 1 / (1 + tnp.exp(-(w * a_prev + b)))
        return (a - y) ** 2
    two = tg.widgets.explore(C0_of_w_b, w=(-2, 2), b=(-2, 2))
    one = tg.widgets.explore(lambda x: x ** 3, x=(-1, 1))
    three = tg.widgets.explore(lambda x, y, z: x * y * z, x=(-1, 1), y=(-1, 1), z=(-1, 1))
    sizes = {name: len(json_for_html(dict(e.data, table=[])).encode())
             for name, e in [("one", one), ("two", two), ("three", three)]}
    grids = {name: len(e.data["grid"]["data"]) for name, e in
             [("one", one), ("two", two), ("three", three)]}
    assert grids["one"] == math.ceil(101 * 2 * 4 / 3) * 4
    assert grids["two"] == math.ceil(41 * 41 * 3 * 4 / 3) * 4        # 26,896 bytes
    assert grids["three"] == math.ceil(13 ** 3 * 4 * 4 / 3) * 4      # 46,872 bytes
    assert sizes["two"] < 40_000 and sizes["three"] < 60_000 and sizes["one"] < 12_000, sizes


@pytest.mark.parametrize("language", ["en", "uk"])
def test_the_page_gets_its_words_in_the_widgets_language(language):
    e = tg.widgets.explore(f, language=language, a=(-1, 1), b=(-1, 1))
    table = tg.words.words(language)
    assert e.data["language"] == language
    for key in explorer_module.EXPLORER_WORDS:
        assert e.data["words"][key] == table[key]
    page = e.html()
    assert json.dumps(table["explorer.step"], ensure_ascii=False) in page


def test_an_explorer_without_sliders_says_how_to_give_one():
    with pytest.raises(tg.TracegradError, match=r"no slider was given.*explore\(f, a=\(-2, 2\)\)"):
        tg.widgets.explore(f)
    assert tg.widgets.explore(f, a=(-1, 1), b=(0, 1)).point == [0.0, 0.5]   # the next call works
