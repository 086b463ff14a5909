"""tracegrad's front end in headless Chromium, with the network cut.

* A graph drawn with NO ``dot`` on PATH, in JupyterLab: its SVG, with its nodes
  and labels, comes from Graphviz compiled to WebAssembly.
* The stepper steps in the browser: three clicks on "next" reveal three
  gradients, ring one node, and show the chain-rule line Python computed; it
  keeps stepping after the kernel is shut down, and in a static HTML file
  served from localhost (with the SVG from ``dot``, and without it).

Every request that leaves 127.0.0.1 is aborted, and a test fails if one was tried.
"""
import contextlib
import json
import pathlib
import re
import shutil
import sys
import tempfile

import numpy as np
import pytest

from .axe import AXE, audit, blocking
from .lab import (
    Lab,
    StaticServer,
    keep_local,
    launch_browser,
    open_and_run,
    require_chromium,
    svg_labels,
)

require_chromium()
playwright = pytest.importorskip("playwright.sync_api")
pytest.importorskip("anywidget")

import tracegrad as tg  # noqa: E402
import tracegrad.numpy as tnp  # noqa: E402

W, B, A_PREV, Y = 0.5, 0.1, 0.8, 1.0
GRAD_COLOUR = "#b3261e"

NEURON = '''
import tracegrad as tg
import tracegrad.numpy as tnp

def neuron(w, b, a_prev=0.8, y=1.0):
    z = w * a_prev + b
    a = tnp.tanh(z)
    return (a - y) ** 2
'''


def neuron(w, b, a_prev=A_PREV, y=Y):
    z = w * a_prev + b
    a = tnp.tanh(z)
    return (a - y) ** 2


def by_hand(w=W, b=B):
    """The chain rule of the lecture, with NumPy: C, and ∂C/∂ of each named value."""
    z = w * A_PREV + b
    a = np.tanh(z)
    dC_da = 2 * (a - Y)
    dC_dz = dC_da * (1 - a ** 2)
    return dict(C=(a - Y) ** 2, a=a, z=z, dC_da=dC_da, dC_dz=dC_dz, dC_dw=dC_dz * A_PREV,
                dC_db=dC_dz)


def notebook(path, *cells):
    cells = [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
              "outputs": [], "source": source} for i, source in enumerate(cells)]
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3",
                             "language": "python"}}
    path.write_text(json.dumps({"cells": cells, "metadata": kernel, "nbformat": 4,
                                "nbformat_minor": 5}))


@pytest.fixture
def workdir():
    path = pathlib.Path(tempfile.mkdtemp(prefix="tracegrad-frontend-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def browser():
    with playwright.sync_playwright() as p:
        b = launch_browser(p)
        context = b.new_context(viewport={"width": 1200, "height": 900})
        tried = keep_local(context)
        yield context.new_page()
        context.close()
        b.close()
        assert tried == [], f"requests tried to leave localhost: {tried}"


# ---- what the page shows, read through the stable hooks -----------------------------

STATE = """root => {
  const texts = [...root.querySelectorAll('svg g.node text')];
  const shown = texts.filter(t => (t.getAttribute('fill') || '').toLowerCase() === '%s'
                                  && t.getAttribute('visibility') !== 'hidden');
  return {
    gradients: shown.map(t => t.textContent),
    current: [...root.querySelectorAll('svg g.node.tg-current title')].map(t => t.textContent),
    chain: root.querySelector('.tg-chain').textContent,
    slider: root.querySelector('input[type=range]').value,
  };
}""" % GRAD_COLOUR


def click_next(page, root, times):
    for _ in range(times):
        root.query_selector('[data-action="next"]').click()
    return root.evaluate(STATE)


def check_three_steps(state, stepper, where):
    names = [f"n{node.index}" for node in stepper.order]
    assert state["slider"] == "3", where
    assert len(state["gradients"]) == 3, (where, state)          # three gradients known
    assert state["current"] == [names[2]], (where, state)        # one current node: the 3rd
    assert state["chain"] == stepper.lines[3], (where, state)    # the line Python computed


# ---- a static page: no kernel at all ---------------------------------------------------

@contextlib.contextmanager
def static_page(stepper, workdir, page, name):
    """The stepper's HTML alone in a page served from localhost; yields its root element."""
    (workdir / name).write_text(
        f"<!doctype html><meta charset='utf-8'><body>{stepper.html()}</body>", encoding="utf-8")
    server = StaticServer(workdir)
    try:
        page.goto(server.url(name))
        page.wait_for_selector(".tracegrad-stepper svg g.node", timeout=20_000)
        yield page.query_selector(".tracegrad-stepper")
    finally:
        server.stop()


@pytest.mark.parametrize("renderer", ["dot", "browser"])
def test_the_stepper_steps_in_a_static_page(renderer, workdir, browser, monkeypatch):
    if renderer == "dot" and shutil.which("dot") is None:
        pytest.skip("needs Graphviz's dot")
    monkeypatch.setenv("TRACEGRAD_RENDERER", renderer)
    graph = tg.graph(neuron, argnums=(0, 1))(W, B)
    stepper = tg.widgets.stepper(graph)
    page = browser
    with static_page(stepper, workdir, page, "stepper.html") as root:
        before = root.evaluate(STATE)
        assert before["gradients"] == [] and before["current"] == []
        state = click_next(page, root, 3)
        check_three_steps(state, stepper, renderer)
        expected = by_hand()
        labels = root.evaluate("r => [...r.querySelectorAll('svg text')].map(t => t.textContent)")
        out = graph.output_name                                          # named after neuron
        assert f"∂{out}/∂w = {expected['dC_dw']:.4g}" in labels       # every label is there
        last = click_next(page, root, 10)                                # stops at the end
        assert last["slider"] == str(len(stepper.order))
        assert last["chain"].endswith(f"= {expected['dC_dw']:.4g}") or \
            last["chain"].endswith(f"= {expected['dC_db']:.4g}")
        check_text_alternative(page, root, graph, expected)


def check_text_alternative(page, root, graph, expected):
    """The picture is one image named by its summary; the table under it walks the graph
    with the gradients of the chain rule; axe finds no serious or critical violation."""
    from tracegrad.drawing import text
    svg = root.query_selector("svg")
    assert svg.get_attribute("role") == "img"
    assert svg.get_attribute("aria-label") == text.summary(graph)
    rows = root.eval_on_selector_all(".tg-text tr", "rs => rs.map(r => [...r.cells].map(c => c.textContent))")
    assert len(rows) == 1 + len(graph.nodes)                           # a header, then one per node
    by_name = {r[0]: r for r in rows[1:]}
    assert float(by_name["w"][3]) == pytest.approx(expected["dC_dw"], rel=1e-3)
    assert float(by_name["b"][3]) == pytest.approx(expected["dC_db"], rel=1e-3)
    if AXE.exists():                                   # the widget itself (the page is a bare test page)
        problems = blocking(audit(page, "document.querySelector('.tracegrad-stepper')"))
        assert not problems, "\n".join(problems)


def test_the_stepper_rings_the_folded_box_of_a_loop(workdir, browser, monkeypatch):
    """A node folded into a loop's "× 16" box is not drawn on its own: its step
    rings that box (issue 22 item 25), so every step rings something."""
    if shutil.which("dot") is None:
        pytest.skip("needs Graphviz's dot")
    monkeypatch.setenv("TRACEGRAD_RENDERER", "dot")

    def loss(w, X):
        total = 0.0
        for i in range(len(X)):
            total = total + tnp.tanh(X[i] @ w) ** 2
        return total

    X = np.random.default_rng(0).normal(size=(16, 2))
    stepper = tg.widgets.stepper(tg.graph(loss)(np.ones(2), X))
    folded = [k for k, (node, ring) in enumerate(zip(stepper.order, stepper.ring))
              if ring != f"n{node.index}"]
    assert folded                                   # some steps are inside the folded box
    with static_page(stepper, workdir, browser, "folded.html") as root:
        for k in range(1, len(stepper.order) + 1):
            state = click_next(browser, root, 1)
            assert state["current"] == [stepper.ring[k - 1]], (k, state)


def test_user_labels_stay_text_in_the_page(workdir, browser, monkeypatch):
    """A user's label such as <script> is shown as text, never run."""
    monkeypatch.setenv("TRACEGRAD_RENDERER", "browser")

    def f(x):
        return tg.label(tnp.sin(x), "<script>window.hacked=1</script>") * 2.0
    stepper = tg.widgets.stepper(tg.graph(f)(0.3))
    page = browser
    with static_page(stepper, workdir, page, "label.html") as root:
        click_next(page, root, 2)
        assert page.evaluate("() => window.hacked") is None
        assert page.evaluate("() => document.querySelectorAll('svg script').length") == 0
        assert "<script>window.hacked=1</script>" in root.text_content()


# ---- JupyterLab --------------------------------------------------------------------------

NO_DOT = "\nimport shutil\nassert shutil.which('dot') is None, 'dot is on PATH'"


@pytest.fixture(scope="module")
def lab():
    """One JupyterLab for the tests below, whose kernels find no ``dot`` on PATH."""
    work = pathlib.Path(tempfile.mkdtemp(prefix="tracegrad-lab-"))
    root = work / "root"
    root.mkdir()
    notebook(root / "graph.ipynb", NEURON + NO_DOT, "tg.graph(neuron, argnums=(0, 1))(0.5, 0.1)")
    notebook(root / "stepper.ipynb", NEURON + NO_DOT,
             "s = tg.widgets.stepper(tg.graph(neuron, argnums=(0, 1))(0.5, 0.1))\ns")
    bin_dir = pathlib.Path(sys.executable).parent          # this Python's folder, no Graphviz
    assert not (bin_dir / "dot").exists()
    server = Lab(root, work, env={"PATH": str(bin_dir)})
    yield server
    server.stop()
    shutil.rmtree(work, ignore_errors=True)


def test_lab_without_dot_draws_the_graph_in_webassembly(lab, browser):
    try:
        page = browser
        open_and_run(page, lab, "graph.ipynb", timeout_ms=60_000)
        page.wait_for_selector(".jp-OutputArea-output .tracegrad-graph svg g.node",
                               timeout=30_000)
        svg = page.eval_on_selector(".tracegrad-graph svg", "s => s.outerHTML")
        # drawn by our front end (the widget), not an SVG image from dot
        assert page.query_selector_all(".jp-RenderedSVG img") == []
        labels = svg_labels(svg)
        expected = by_hand()
        out = tg.graph(neuron, argnums=(0, 1))(W, B).output_name     # named as in the kernel
        for label in (f"∂{out}/∂w = {expected['dC_dw']:.4g}", f"∂{out}/∂b = {expected['dC_db']:.4g}",
                      f"{expected['C']:.4g}", "w", "b"):
            assert label in labels, (label, labels)
        titles = page.eval_on_selector_all(".tracegrad-graph svg g.node title",
                                           "ts => ts.map(t => t.textContent)")
        dot_source = tg.graph(neuron, argnums=(0, 1))(W, B).to_dot()
        assert sorted(titles) == sorted(set(re.findall(r'^\s*"(\w+)" \[', dot_source, re.M)))
    finally:
        page.close()


def test_lab_stepper_steps_in_the_browser_and_after_the_kernel_stops(lab, browser):
    graph = tg.graph(neuron, argnums=(0, 1))(W, B)
    stepper = tg.widgets.stepper(graph)                # the same steps, computed here
    try:
        page = browser
        open_and_run(page, lab, "stepper.ipynb", timeout_ms=60_000)
        page.wait_for_selector(".tracegrad-stepper svg g.node", timeout=30_000)
        widget = page.query_selector(".tracegrad-stepper")
        check_three_steps(click_next(page, widget, 3), stepper, "lab")
        page.evaluate("""() => window.jupyterapp.shell.currentWidget.sessionContext
                                .session.shutdown()""")
        page.wait_for_function("""() => { const c = window.jupyterapp.shell.currentWidget
                                         .sessionContext; return !c.session; }""",
                               timeout=20_000)
        state = click_next(page, widget, 1)              # no kernel: still steps
        assert state["slider"] == "4" and state["chain"] == stepper.lines[4]
        assert len(state["gradients"]) == 4
    finally:
        page.close()
