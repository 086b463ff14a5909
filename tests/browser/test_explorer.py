"""The explorer in headless Chromium, in a static page: no kernel at all, the network cut.

* f(a, b) = a·sin(b): moving the b slider moves the tangent of the plot along b;
  the tangent's slope, read from the SVG coordinates of ``line.tg-tangent`` and the
  plot's data window, is a·cos(b), the closed form; ``.tg-slope`` and ``.tg-value``
  say a·cos(b) and a·sin(b).
* The descent step moves the point to x − rate·∇f (the nearest grid point),
  computed here by hand, and leaves a trail on the contour plot.
* A parameter named like a tag stays text; axe-core finds no WCAG 2.1 A/AA violation.
* In JupyterLab with no ``dot``: the graph is laid out in WebAssembly; past three sliders
  the kernel answers each move; after the kernel stops, the grid's explorer still moves
  and the other says it has no kernel.

Every request that leaves 127.0.0.1 is aborted, and a test fails if one was tried.
"""
import contextlib
import json
import math
import pathlib
import shutil
import sys
import tempfile

import pytest

from .axe import AXE, audit
from .lab import (
    Lab,
    StaticServer,
    keep_local,
    launch_browser,
    open_and_run,
    require_chromium,
)

require_chromium()
playwright = pytest.importorskip("playwright.sync_api")
pytest.importorskip("anywidget")

import tracegrad as tg  # noqa: E402
import tracegrad.numpy as tnp  # noqa: E402


def f(a, b):
    return a * tnp.sin(b)


def bowl(x, y):
    C = (x - 1.0) ** 2 + 2.0 * (y + 0.5) ** 2
    return C


@pytest.fixture
def browser():
    with playwright.sync_playwright() as p:
        b = launch_browser(p)
        context = b.new_context(viewport={"width": 1200, "height": 1000})
        tried = keep_local(context)
        yield context.new_page()
        context.close()
        b.close()
        assert tried == [], f"requests tried to leave localhost: {tried}"


@contextlib.contextmanager
def static_page(explorer, page):
    """The explorer's HTML alone in a page served from localhost; yields its root."""
    work = pathlib.Path(tempfile.mkdtemp(prefix="tracegrad-explorer-"))
    (work / "explorer.html").write_text(
        f"<!doctype html><html lang='en'><meta charset='utf-8'><title>explorer</title>"
        f"<body><main>{explorer.html()}</main></body></html>", encoding="utf-8")
    server = StaticServer(work)
    try:
        page.goto(server.url("explorer.html"))
        page.wait_for_selector(".tracegrad-explorer svg .tg-tangent", state="attached", timeout=20_000)
        yield page.query_selector(".tracegrad-explorer")
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


def move(root, name, value):
    """Set slider ``name`` to ``value`` as a user's drag does: an input event."""
    root.eval_on_selector(f'input[type=range][data-param="{name}"]', """(s, v) => {
        s.value = String(v); s.dispatchEvent(new Event('input', {bubbles: true})); }""", value)


# the tangent's slope in data units, from its SVG coordinates and the plot's window
TANGENT = """(root, name) => {
  const plot = root.querySelector(`input[data-param="${name}"]`).closest('.tg-row')
                   .querySelector('svg.tg-plot');
  const [x0, x1, y0, y1] = plot.getAttribute('data-window').split(' ').map(Number);
  const frame = plot.querySelector('.tg-frame');
  const w = +frame.getAttribute('width'), h = +frame.getAttribute('height');
  const line = plot.querySelector('line.tg-tangent');
  const [ax, ay, bx, by] = ['x1', 'y1', 'x2', 'y2'].map(k => +line.getAttribute(k));
  const dx = (bx - ax) / w * (x1 - x0), dy = -(by - ay) / h * (y1 - y0);
  return {slope: dy / dx, svgSlope: (by - ay) / (bx - ax),
          text: line.closest('.tg-row').querySelector('.tg-slope').textContent,
          value: root.querySelector('.tg-value').textContent};
}"""


def number_after_equals(text):
    return float(text.rsplit("=", 1)[1])


def test_the_tangent_follows_the_slider_without_a_kernel(browser):
    e = tg.widgets.explore(f, a=(-2, 2, 1.5), b=(-3, 3, 0.3))
    with static_page(e, browser) as root:
        a_points = root.eval_on_selector_all("input[type=range][data-param]",
                                             "ss => ss.map(s => s.dataset.param)")
        assert a_points == ["a", "b"]                     # one slider per parameter
        for b in (0.3, -1.2, 2.4):
            move(root, "b", b)
            b_shown = float(root.eval_on_selector('input[data-param="b"]', "s => s.value"))
            assert b_shown == pytest.approx(b, abs=1e-9)  # these values are on the grid
            along_b = root.evaluate(TANGENT, "b")
            assert along_b["slope"] == pytest.approx(1.5 * math.cos(b), rel=1e-4, abs=1e-5)
            assert number_after_equals(along_b["text"]) == pytest.approx(1.5 * math.cos(b),
                                                                          rel=1e-3, abs=1e-4)
            assert number_after_equals(along_b["value"]) == pytest.approx(1.5 * math.sin(b),
                                                                           rel=1e-3, abs=1e-4)
            along_a = root.evaluate(TANGENT, "a")         # ∂f/∂a = sin(b), a closed form too
            assert along_a["slope"] == pytest.approx(math.sin(b), rel=1e-4, abs=1e-5)
        # the keyboard: → moves b by one grid step; the slider says where it is and what f is
        root.query_selector('input[data-param="b"]').focus()
        browser.keyboard.press("ArrowRight")
        b = 2.4 + e.sliders["b"].step
        assert float(root.eval_on_selector('input[data-param="b"]', "s => s.value")) == \
            pytest.approx(b)
        said = root.eval_on_selector('input[data-param="b"]', "s => s.getAttribute('aria-valuetext')")
        assert said.startswith(f"b = {b:.4g}; f = {1.5 * math.sin(b):.4g}"), said
        # a steeper slope is a steeper line on the screen, not only a different number
        move(root, "b", 0.0)
        steep = root.evaluate(TANGENT, "b")["svgSlope"]
        move(root, "b", 1.5)
        flat = root.evaluate(TANGENT, "b")["svgSlope"]
        assert abs(steep) > abs(flat) * 5


def test_the_descent_step_moves_the_point_and_leaves_a_trail(browser):
    e = tg.widgets.explore(bowl, x=(-2, 2, -1.5), y=(-2, 2, 1.0))
    grid = {name: (s.start, s.step, s.count) for name, s in e.sliders.items()}

    def on_grid(name, v):                          # the nearest grid point, inside the range
        start, step, count = grid[name]
        return start + min(count - 1, max(0, round((v - start) / step))) * step

    with static_page(e, browser) as root:
        root.eval_on_selector("input[data-lr]", """s => { s.value = '0.2';
            s.dispatchEvent(new Event('input', {bubbles: true})); }""")
        x, y = -1.5, 1.0
        for k in range(1, 4):
            gx, gy = 2 * (x - 1.0), 4 * (y + 0.5)            # ∇C by hand
            x, y = on_grid("x", x - 0.2 * gx), on_grid("y", y - 0.2 * gy)
            root.query_selector('[data-action="step"]').click()
            shown = root.eval_on_selector_all("input[type=range][data-param]",
                                              "ss => ss.map(s => +s.value)")
            assert shown == pytest.approx([x, y], abs=1e-9), k
            trail = root.eval_on_selector(".tg-contour polyline.tg-trail",
                                          "p => p.getAttribute('points').trim().split(' ').length")
            assert trail == k + 1                                  # the start, then each step
            value = root.eval_on_selector(".tg-value", "v => v.textContent")
            assert number_after_equals(value) == pytest.approx(
                (x - 1) ** 2 + 2 * (y + 0.5) ** 2, rel=1e-3, abs=1e-6)
        # the arrows: the gradient points uphill, the descent the other way, in the same line
        arrows = root.evaluate("""r => ['tg-gradient', 'tg-descent'].map(c => {
            const l = r.querySelector('line.' + c);
            return ['x1', 'y1', 'x2', 'y2'].map(k => +l.getAttribute(k)); })""")
        (ax, ay, bx, by), (cx, cy, dx, dy) = arrows
        gx, gy = 2 * (x - 1.0), 4 * (y + 0.5)
        # screen y grows downwards; equal scales on both axes (both ranges are 4 wide)
        assert (bx - ax) * gx > 0 or gx == 0
        assert math.atan2(-(by - ay), bx - ax) == pytest.approx(math.atan2(gy, gx), abs=0.02)
        assert (dx - cx, dy - cy) == pytest.approx((-(bx - ax), -(by - ay)), abs=1e-6)
        root.query_selector('[data-action="clear"]').click()
        assert root.eval_on_selector(".tg-contour polyline.tg-trail",
                                     "p => p.getAttribute('points')") == ""


@pytest.mark.parametrize("language", ["en", "uk"])
def test_names_stay_text_and_axe_finds_nothing(browser, language):
    def g(x, y=1.0):
        return x * y
    e = tg.widgets.explore(g, language=language, x=(-1, 1))
    # names reach the page as text: a parameter or an output named like a tag stays text
    tag = "<img src=x onerror=window.hacked=1>"
    e.data = dict(e.data, out=tag, sliders=[dict(e.data["sliders"][0], name=tag)])
    with static_page(e, browser) as root:
        assert root.get_attribute("lang") == language
        root.eval_on_selector("input[type=range][data-param]", """s => { s.value = '0.5';
            s.dispatchEvent(new Event('input', {bubbles: true})); }""")
        assert browser.evaluate("() => window.hacked") is None
        assert root.query_selector("img") is None
        assert number_after_equals(root.eval_on_selector(".tg-value", "v => v.textContent")) == 0.5
        assert tag in root.eval_on_selector("label", "l => l.textContent")
        assert tag in root.eval_on_selector(".tg-value", "v => v.textContent")
        step = tg.words.words(language)["explorer.step"]
        assert root.eval_on_selector('[data-action="step"]', "b => b.textContent") == step
        if AXE.exists():
            problems = audit(browser, "document.querySelector('.tracegrad-explorer')")
            assert problems == [], problems


def test_past_three_sliders_the_page_shows_the_start_and_says_it_needs_a_kernel(browser):
    """No grid (4 sliders): the page draws the start the kernel computed, and a move with
    no kernel to ask says so, in the widget's words."""
    def g(a, b, c, d):
        return a * b + tnp.sin(c) * d
    e = tg.widgets.explore(g, a=(-1, 1, 0.5), b=(-1, 1, 0.2), c=(-1, 1, 0.3), d=(-1, 1, -0.8))
    with static_page(e, browser) as root:
        along_c = root.evaluate(TANGENT, "c")               # ∂g/∂c = cos(c)·d at the start
        assert along_c["slope"] == pytest.approx(math.cos(0.3) * -0.8, rel=1e-4)
        assert number_after_equals(along_c["value"]) == pytest.approx(
            0.5 * 0.2 + math.sin(0.3) * -0.8, rel=1e-3)
        assert root.eval_on_selector(".tg-no-kernel", "n => n.hidden")
        move(root, "a", 0.7)
        assert not root.eval_on_selector(".tg-no-kernel", "n => n.hidden")
        assert root.eval_on_selector(".tg-no-kernel", "n => n.textContent") == \
            tg.words.words()["no kernel"]


def test_a_page_with_a_stepper_and_an_explorer_mounts_both(browser):
    """Each snippet carries its own module: the stepper's (without the explorer's file)
    leaves the explorer to the explorer's own, and both work on one page."""
    stepper = tg.widgets.stepper(tg.graph(f, argnums=(0, 1))(1.5, 0.3))
    e = tg.widgets.explore(f, show_graph=False, a=(-2, 2, 1.5), b=(-3, 3, 0.3))
    work = pathlib.Path(tempfile.mkdtemp(prefix="tracegrad-explorer-"))
    (work / "both.html").write_text(
        f"<!doctype html><meta charset='utf-8'><body>{stepper.html()}{e.html()}</body>",
        encoding="utf-8")
    server = StaticServer(work)
    try:
        browser.goto(server.url("both.html"))
        browser.wait_for_selector(".tracegrad-explorer svg .tg-tangent", timeout=20_000)
        browser.wait_for_selector(".tracegrad-stepper svg g.node", timeout=20_000)
        root = browser.query_selector(".tracegrad-explorer")
        move(root, "b", 1.2)
        assert root.evaluate(TANGENT, "b")["slope"] == pytest.approx(1.5 * math.cos(1.2), rel=1e-4)
        assert root.query_selector(".tg-picture") is None           # show_graph=False
        browser.query_selector('.tracegrad-stepper [data-action="next"]').click()
        assert browser.query_selector_all(".tracegrad-stepper svg g.node.tg-current")
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


def test_without_dot_the_graph_is_laid_out_in_webassembly(browser, monkeypatch):
    monkeypatch.setenv("TRACEGRAD_RENDERER", "browser")
    e = tg.widgets.explore(f, a=(-2, 2, 1.5), b=(-3, 3, 0.3))
    assert e.data["dot"] and "tg-graphviz-js" in e.html()
    with static_page(e, browser) as root:
        browser.wait_for_selector(".tracegrad-explorer .tg-picture svg g.node", timeout=30_000)
        titles = root.eval_on_selector_all(".tg-picture svg g.node title", "ts => ts.length")
        assert titles == len(tg.graph(f, argnums=(0, 1))(1.5, 0.3).nodes)


LAB_CELL = """
import shutil
import tracegrad as tg
import tracegrad.numpy as tnp
assert shutil.which("dot") is None, "dot is on PATH"

def f(a, b):
    return a * tnp.sin(b)

def g(a, b, c, d):
    return a * b + tnp.sin(c) * d

grid = tg.widgets.explore(f, a=(-2, 2, 1.5), b=(-3, 3, 0.3))
asks = tg.widgets.explore(g, a=(-1, 1, 0.5), b=(-1, 1, 0.2), c=(-1, 1, 0.3), d=(-1, 1, -0.8))
"""


def test_in_jupyterlab_without_dot_and_after_the_kernel_stops(browser):
    work = pathlib.Path(tempfile.mkdtemp(prefix="tracegrad-explorer-lab-"))
    root = work / "root"
    root.mkdir()
    cells = [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
              "outputs": [], "source": source} for i, source in enumerate([LAB_CELL, "grid", "asks"])]
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    (root / "explorer.ipynb").write_text(json.dumps({"cells": cells, "metadata": kernel,
                                                     "nbformat": 4, "nbformat_minor": 5}))
    lab = Lab(root, work, env={"PATH": str(pathlib.Path(sys.executable).parent)})   # no dot
    try:
        page = browser
        open_and_run(page, lab, "explorer.ipynb", timeout_ms=60_000)
        page.wait_for_selector(".tracegrad-explorer .tg-picture svg g.node", timeout=30_000)
        grid, asks = page.query_selector_all(".tracegrad-explorer")
        move(grid, "b", 1.2)
        assert grid.evaluate(TANGENT, "b")["slope"] == pytest.approx(1.5 * math.cos(1.2), rel=1e-4)
        move(asks, "c", -0.5)                       # no grid: the kernel computes the curves
        page.wait_for_function("r => r.querySelector('line.tg-tangent') !== null", arg=asks,
                               timeout=10_000)
        along_c = asks.evaluate(TANGENT, "c")
        assert along_c["slope"] == pytest.approx(math.cos(-0.5) * -0.8, rel=1e-4)
        assert number_after_equals(along_c["value"]) == pytest.approx(
            0.5 * 0.2 + math.sin(-0.5) * -0.8, rel=1e-3)
        page.evaluate("""() => window.jupyterapp.shell.currentWidget.sessionContext
                                .session.shutdown()""")
        page.wait_for_function("""() => { const c = window.jupyterapp.shell.currentWidget
                                         .sessionContext; return !c.session; }""", timeout=20_000)
        move(grid, "b", -2.1)                       # no kernel: the grid still moves
        assert grid.evaluate(TANGENT, "b")["slope"] == pytest.approx(1.5 * math.cos(-2.1), rel=1e-4)
        move(asks, "c", 0.6)
        page.wait_for_function("r => !r.querySelector('.tg-no-kernel').hidden", arg=asks,
                               timeout=10_000)
    finally:
        lab.stop()
        shutil.rmtree(work, ignore_errors=True)
