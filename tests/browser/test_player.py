"""The trace player in headless Chromium, in a static page with no kernel (as in an
HTML export or on the lecture site), with the network cut.

* next: the highlighted source line moves down the function as Python ran it,
  the ringed node changes, and the nodes appear in the order they were
  recorded; the line highlighted is found by reading the source text here;
* Play runs through the forward part into the backward pass, gradients appearing;
* clicking a node highlights its line; choosing a line (a click, or the arrow
  keys in the source listbox) rings the nodes it recorded;
* names and source code that look like markup stay text;
* a page with a stepper and a player: both mount, whichever script runs first;
* axe-core finds no WCAG 2.1 A/AA violation in the player.

Every request that leaves 127.0.0.1 is aborted, and a test fails if one was tried.
"""
import contextlib
import os
import re
import shutil
import tempfile

import numpy as np
import pytest

from .axe import AXE, audit
from .lab import StaticServer, keep_local, launch_browser, require_chromium

require_chromium()
playwright = pytest.importorskip("playwright.sync_api")
pytest.importorskip("anywidget")

import tracegrad as tg  # noqa: E402
import tracegrad.numpy as tnp  # noqa: E402
from tracegrad.words import words  # noqa: E402

W, B = 0.5, 0.1
GRAD_COLOUR = "#b3261e"


def neuron(w, b, a_prev=0.8, y=1.0):
    z = w * a_prev + b
    a = tnp.tanh(z)
    return (a - y) ** 2


def layers(w, b):
    a = 0.8
    for _ in range(3):
        a = tnp.tanh(w * a + b)
    return (a - 1.0) ** 2


@pytest.fixture
def workdir():
    path = tempfile.mkdtemp(prefix="tracegrad-player-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def browser():
    with playwright.sync_playwright() as p:
        b = launch_browser(p)
        context = b.new_context(viewport={"width": 1300, "height": 900})
        tried = keep_local(context)
        yield context.new_page()
        context.close()
        b.close()
        assert tried == [], f"requests tried to leave localhost: {tried}"


@contextlib.contextmanager
def static_page(page, workdir, name, *snippets):
    with open(os.path.join(workdir, name), "w", encoding="utf-8") as f:
        f.write("<!doctype html><html lang='en'><meta charset='utf-8'><title>player</title>"
                f"<body><main>{''.join(snippets)}</main></body></html>")
    server = StaticServer(workdir)
    try:
        page.goto(server.url(name))
        page.wait_for_selector(".tracegrad-trace svg g.node", timeout=30_000)
        yield page.query_selector(".tracegrad-trace")
    finally:
        server.stop()


STATE = """root => {
  const visible = g => getComputedStyle(g).visibility !== 'hidden';
  const title = g => g.querySelector('title').textContent;
  const grads = [...root.querySelectorAll('svg g.node text')].filter(t =>
      (t.getAttribute('fill') || '').toLowerCase() === '%s' && visible(t));
  return {
    line: [...root.querySelectorAll('.tg-current-line .tg-code')].map(e => e.textContent.trim()),
    lineno: [...root.querySelectorAll('.tg-current-line')].map(e => e.dataset.line),
    current: [...root.querySelectorAll('svg g.node.tg-current')].map(title),
    shown: [...root.querySelectorAll('svg g.node')].filter(visible).map(title),
    hidden: [...root.querySelectorAll('svg g.node.tg-unrecorded')].map(title),
    grads: grads.length,
    slider: root.querySelector('input[type=range]').value,
    chain: root.querySelector('.tg-chain').textContent,
  };
}""" % GRAD_COLOUR


def press(root, action, times=1):
    for _ in range(times):
        root.query_selector(f'[data-action="{action}"]').click()
    return root.evaluate(STATE)


def line_of(source_lines, expression):
    """The line (its text, stripped) holding ``expression``, read from the source."""
    found = [line.strip() for line in source_lines if expression in line]
    assert len(found) == 1, (expression, found)
    return found[0]


@pytest.mark.parametrize("renderer", ["dot", "browser"])
def test_next_moves_the_line_and_the_ring_and_shows_nodes_in_order(renderer, workdir, browser,
                                                                   monkeypatch):
    if renderer == "dot" and shutil.which("dot") is None:
        pytest.skip("needs Graphviz's dot")
    monkeypatch.setenv("TRACEGRAD_RENDERER", renderer)
    player = tg.widgets.trace(neuron, W, B, argnums=(0, 1))
    import inspect
    source = inspect.getsource(neuron).splitlines()
    # the forward operations of neuron, each with the expression that records it
    expected = ["w * a_prev + b", "w * a_prev + b", "tnp.tanh(z)", "(a - y) ** 2",
                "(a - y) ** 2"]
    with static_page(browser, workdir, "player.html", player.html()) as root:
        state = root.evaluate(STATE)
        assert state["current"] == [] and state["line"] == []
        assert sorted(state["shown"]) == ["n0", "n1"]                  # the inputs w and b
        order = []
        for k, expression in enumerate(expected, 1):
            state = press(root, "next")
            assert state["slider"] == str(k)
            assert state["line"] == [line_of(source, expression)], (k, state)
            number = neuron.__code__.co_firstlineno + [
                i for i, line in enumerate(source) if expression in line][0]
            spoken = words(player.language)["trace.line"].format(line=number)
            assert f"{spoken}: {line_of(source, expression)}" in \
                root.query_selector(".tg-line[role=status]").text_content()   # said, too
            assert state["current"] == [player.ring[k - 1]]
            new = set(state["shown"]) - {"k0", "k1", "n0", "n1"} - set(order)
            assert new == {player.ring[k - 1]}, (k, state)          # one new node, the ringed one
            order.append(new.pop())
            assert state["grads"] == 0                               # no gradient yet
            # a constant appears with the first operation that reads it: a_prev, then y
            assert ("k0" in state["shown"], "k1" in state["shown"]) == (k >= 1, k >= 4)
        assert order == sorted(order, key=lambda name: int(name[1:]))   # in recording order
        assert state["hidden"] == []
        # Play goes on into the backward pass and stops at the end, every gradient shown
        root.query_selector('[data-action="play"]').click()
        browser.wait_for_function(
            f"() => document.querySelector('.tracegrad-trace input[type=range]').value == "
            f"'{len(player.order)}'", timeout=30_000)
        state = root.evaluate(STATE)
        assert state["grads"] == len(player.graph.steps)
        a = np.tanh(W * 0.8 + B)
        dC_dz = 2 * (a - 1) * (1 - a ** 2)                      # the chain rule, by hand
        assert state["chain"].endswith((f"= {dC_dz * 0.8:.4g}", f"= {dC_dz:.4g}"))
        state = press(root, "prev", len(player.order) - len(expected) + 1)
        assert state["slider"] == str(len(expected) - 1) and state["grads"] == 0
        assert "n6" in state["hidden"]                               # the output not yet recorded
        if AXE.exists():
            violations = audit(browser, "document.querySelector('.tracegrad-trace')")
            assert violations == [], violations


def test_a_loop_says_which_pass_is_running(workdir, browser, monkeypatch):
    monkeypatch.setenv("TRACEGRAD_RENDERER", "browser")
    player = tg.widgets.trace(layers, 0.7, -0.2, argnums=(0, 1))
    with static_page(browser, workdir, "loop.html", player.html()) as root:
        badges = []
        for _ in range(player.forward):
            press(root, "next")
            badges.append(root.evaluate(
                "r => [...r.querySelectorAll('.tg-pass')].map(e => e.textContent)"))
        # mul, add, tanh in each of 3 passes, then sub and the square outside the loop
        assert badges == [["1/3"]] * 3 + [["2/3"]] * 3 + [["3/3"]] * 3 + [[], []]
        press(root, "prev", 5)                                  # back to the 2nd pass's tanh
        import inspect
        start = layers.__code__.co_firstlineno
        loop = start + [k for k, line in enumerate(inspect.getsource(layers).splitlines())
                        if line.strip().startswith("for ")][0]
        said = words(player.language)["trace.pass"].format(name="layers", line=loop, number=2,
                                                          total=3)
        assert root.query_selector(".tg-passes").text_content() == said


def test_clicking_links_nodes_and_lines(workdir, browser, monkeypatch):
    monkeypatch.setenv("TRACEGRAD_RENDERER", "browser")
    player = tg.widgets.trace(neuron, W, B, argnums=(0, 1))
    with static_page(browser, workdir, "link.html", player.html()) as root:
        press(root, "next", player.forward)                  # everything recorded
        tanh = player.ring[2]                                # a = tnp.tanh(z)
        root.query_selector(f"svg g.node:has(title:text-is('{tanh}'))").click()
        linked = root.eval_on_selector_all(".tg-linked-line .tg-code",
                                           "es => es.map(e => e.textContent.trim())")
        assert linked == ["a = tnp.tanh(z)"]
        # a line chosen by its click rings the two nodes it recorded (mul and add)
        root.query_selector(".tg-src-line:has-text('z = w * a_prev + b')").click()
        ringed = root.eval_on_selector_all("svg g.node.tg-linked title", "ts => ts.map(t => t.textContent)")
        assert sorted(ringed) == sorted(player.ring[:2])
        # and by the keyboard: the next line down, with the arrow key
        browser.keyboard.press("ArrowDown")
        ringed = root.eval_on_selector_all("svg g.node.tg-linked title", "ts => ts.map(t => t.textContent)")
        assert ringed == [tanh]
        assert "a" in root.query_selector(".tg-link").text_content()


def test_user_text_stays_text(workdir, browser, monkeypatch):
    monkeypatch.setenv("TRACEGRAD_RENDERER", "browser")

    def f(x):
        y = tg.label(tnp.sin(x), "<script>window.hacked=1</script>")   # <img src=x onerror=alert(1)>
        return y * 2.0
    player = tg.widgets.trace(f, 0.3)
    with static_page(browser, workdir, "escape.html", player.html()) as root:
        press(root, "next", 2)
        assert browser.evaluate("() => window.hacked") is None
        assert browser.evaluate("() => document.querySelectorAll('main img, svg script').length") == 0
        code = root.eval_on_selector_all(".tg-code", "es => es.map(e => e.textContent)")
        assert any("<img src=x onerror=alert(1)>" in line for line in code)
        assert "<script>window.hacked=1</script>" in root.text_content()


def test_a_stepper_and_a_player_on_one_page(workdir, browser, monkeypatch):
    monkeypatch.setenv("TRACEGRAD_RENDERER", "browser")
    stepper = tg.widgets.stepper(tg.graph(neuron, argnums=(0, 1))(W, B))
    player = tg.widgets.trace(neuron, W, B, argnums=(0, 1))
    with static_page(browser, workdir, "both.html", stepper.html(), player.html()) as root:
        browser.wait_for_selector(".tracegrad-stepper svg g.node", timeout=30_000)
        state = press(root, "next")
        assert state["line"] == ["z = w * a_prev + b"] and state["current"] == [player.ring[0]]


# ---- an HTML export and the lecture site: the player's own HTML, no kernel ------------------

def notebook_with(player, widget_state):
    """A notebook whose one code cell shows ``player``, as Jupyter saves it."""
    import nbformat
    data, _ = player._repr_mimebundle_()
    cell = nbformat.v4.new_code_cell("tg.widgets.trace(neuron, 0.5, 0.1, argnums=(0, 1))")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
    nb = nbformat.v4.new_notebook(cells=[cell])
    if widget_state:
        model = data["application/vnd.jupyter.widget-view+json"]["model_id"]
        nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
            "version_major": 2, "version_minor": 0,
            "state": {model: {"model_module": "anywidget", "model_name": "AnyModel",
                              "model_module_version": "~0.9.*",
                              "state": {"data": player.data, "step": 0}}}}}
    return nb


@pytest.mark.parametrize("where", ["nbconvert", "site"])
def test_the_player_plays_in_an_html_export_and_on_the_site(where, workdir, browser, monkeypatch):
    import sys

    from nbconvert import HTMLExporter
    monkeypatch.setenv("TRACEGRAD_RENDERER", "browser")
    player = tg.widgets.trace(neuron, W, B, argnums=(0, 1))
    if where == "nbconvert":                 # `jupyter nbconvert --to html`, no widget state saved
        page, _ = HTMLExporter().from_notebook_node(notebook_with(player, False))
        # nbconvert's own template loads require.js and MathJax from CDNs; the player
        # needs neither, and the test lets no request leave this machine
        page = re.sub(r'<script[^>]*\ssrc="https://[^"]*"[^>]*>\s*</script>', "", page)
    else:                                    # tools/build_site.py's steps for one lecture
        monkeypatch.syspath_prepend(os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
        import build_site
        nb = build_site.without_kernel(notebook_with(player, True))
        nb = build_site.current_front_end(build_site.describe_pictures(nb, "en"), "en")
        resources = {"metadata": {"name": "x"}, "language_code": "en",
                     "site": {"static": "../_static", "nav": "", "listing": ""}}
        page, _ = build_site.exporter().from_notebook_node(nb, resources=resources)
        sys.modules.pop("build_site", None)
    os.makedirs(os.path.join(workdir, "en"))
    with open(os.path.join(workdir, "en", "page.html"), "w", encoding="utf-8") as f:
        f.write(page)
    server = StaticServer(workdir)
    try:
        browser.goto(server.url("en/page.html"))
        browser.wait_for_selector(".tracegrad-trace svg g.node", timeout=30_000)
        root = browser.query_selector(".tracegrad-trace")
        state = press(root, "next", 3)
        assert state["line"] == ["a = tnp.tanh(z)"] and state["current"] == [player.ring[2]]
        assert browser.locator(".tracegrad-trace").count() == 1
    finally:
        server.stop()


# ---- JupyterLab: the widget, with and without dot; it keeps playing after the kernel stops ----

NEURON = '''
import tracegrad as tg
import tracegrad.numpy as tnp

def neuron(w, b, a_prev=0.8, y=1.0):
    z = w * a_prev + b
    a = tnp.tanh(z)
    return (a - y) ** 2
'''


@pytest.fixture(scope="module", params=["dot", "no dot"])
def lab(request):
    """A JupyterLab whose kernels find ``dot`` on PATH, or do not."""
    import json
    import pathlib
    import sys

    from .lab import Lab
    if request.param == "dot" and shutil.which("dot") is None:
        pytest.skip("needs Graphviz's dot")
    work = pathlib.Path(tempfile.mkdtemp(prefix="tracegrad-lab-"))
    (work / "root").mkdir()
    check = f"\nimport shutil\nassert (shutil.which('dot') is None) == {request.param == 'no dot'}"
    cells = [NEURON + check, "p = tg.widgets.trace(neuron, 0.5, 0.1, argnums=(0, 1))\np"]
    (work / "root" / "player.ipynb").write_text(json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
                   "outputs": [], "source": source} for i, source in enumerate(cells)],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}))
    env = {"PATH": str(pathlib.Path(sys.executable).parent)} if request.param == "no dot" else {}
    server = Lab(work / "root", work, env=env)
    yield server
    server.stop()
    shutil.rmtree(work, ignore_errors=True)


def test_lab_player_plays_and_keeps_playing_after_the_kernel_stops(lab, browser):
    from .lab import open_and_run
    player = tg.widgets.trace(neuron, W, B, argnums=(0, 1))          # the same steps, here
    page = browser
    open_and_run(page, lab, "player.ipynb", timeout_ms=90_000)
    page.wait_for_selector(".jp-OutputArea-output .tracegrad-trace svg g.node", timeout=60_000)
    root = page.query_selector(".tracegrad-trace")
    state = press(root, "next", 3)
    assert state["line"] == ["a = tnp.tanh(z)"] and state["current"] == [player.ring[2]]
    page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.session.shutdown()")
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.sessionContext.session",
                           timeout=20_000)
    state = press(root, "next", 3)                                     # no kernel: still plays
    assert state["slider"] == "6" and state["current"] == [player.ring[5]]
    assert state["line"] == ["return (a - y) ** 2"]


def test_the_player_steps_inside_a_slide(workdir, browser, monkeypatch):
    """tools/build_slides.py's deck of a notebook that shows a player: it steps on its
    slide, and the arrow keys in its source choose lines without leaving the slide."""
    import nbformat
    monkeypatch.setenv("TRACEGRAD_RENDERER", "browser")
    monkeypatch.syspath_prepend(os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
    import build_site
    import build_slides
    if not (build_site.NPM / "reveal.js").exists():
        pytest.skip("reveal.js is not vendored: run `python tools/vendor.py`")
    player = tg.widgets.trace(neuron, W, B, argnums=(0, 1))
    nb = notebook_with(player, True)
    nb.cells[:0] = [nbformat.v4.new_markdown_cell("# Tracing"),
                    nbformat.v4.new_markdown_cell("## The recording, line by line")]
    nb.cells.append(nbformat.v4.new_markdown_cell("## After the player"))
    path = os.path.join(workdir, "99_player.ipynb")
    nbformat.write(nb, path)
    out = build_slides.pathlib.Path(workdir) / "slides"
    build_slides.copy_assets(out)
    build_slides.build_deck(build_slides.exporter(), build_slides.pathlib.Path(path), "en", out)
    server = StaticServer(out)
    errors = []
    browser.on("pageerror", lambda e: errors.append(str(e)))
    try:
        browser.goto(server.url("en/99_player.slides.html"))
        browser.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
        browser.evaluate("""() => {
            const s = document.querySelector('.tracegrad-trace').closest('section');
            const i = Reveal.getIndices(s); Reveal.slide(i.h, i.v); }""")
        root = browser.locator(".reveal section.present .tracegrad-trace").first
        root.locator("svg g.node").first.wait_for(state="visible", timeout=30_000)
        handle = root.element_handle()
        state = press(handle, "next", 3)
        assert state["line"] == ["a = tnp.tanh(z)"] and state["current"] == [player.ring[2]]
        slide = browser.evaluate("() => Reveal.getIndices()")
        root.locator(".tg-src-line").first.click()
        browser.keyboard.press("ArrowDown")
        chosen = "es => es.map(e => e.textContent.trim())"
        assert handle.eval_on_selector_all(".tg-src-line[aria-selected=true] .tg-code",
                                           chosen) == ["z = w * a_prev + b"]
        browser.keyboard.press("End")            # reveal.js: the last slide; here: the last line
        assert browser.evaluate("() => Reveal.getIndices()") == slide          # still here
        assert handle.eval_on_selector_all(".tg-src-line[aria-selected=true] .tg-code",
                                           chosen) == ["return (a - y) ** 2"]
    finally:
        server.stop()
    assert not errors, errors


def branchy(x):
    y = x * 2.0
    if y > 0:
        y = tnp.sin(y)
    else:
        y = tnp.cos(y)
    return y


def test_the_lines_that_ran_are_marked_and_the_branch_not_taken_is_not(workdir, browser,
                                                                        monkeypatch):
    monkeypatch.setenv("TRACEGRAD_RENDERER", "browser")
    player = tg.widgets.trace(branchy, 0.5)
    ran = "r => [...r.querySelectorAll('.tg-ran-line .tg-code')].map(e => e.textContent.trim())"
    with static_page(browser, workdir, "branch.html", player.html()) as root:
        assert root.evaluate(ran) == []
        press(root, "next")
        assert root.evaluate(ran) == ["y = x * 2.0"]
        press(root, "next")
        assert root.evaluate(ran) == ["y = x * 2.0", "if y > 0:", "y = tnp.sin(y)", "return y"]
