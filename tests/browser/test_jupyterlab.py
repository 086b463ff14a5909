"""The chain-rule lecture (04) in a real JupyterLab, in headless Chromium.

Run all cells of a copy of the notebook; the graph images must render and
carry the gradients that the lecture's formulas give (computed here with
NumPy); moving the stepper's slider must reveal one more gradient per step;
moving the explorer's w slider must change C₀ and ∂C₀/∂w as the formulas say.
Screenshots go to a folder whose path is printed.
"""
import pathlib
import re
import shutil
import tempfile

import numpy as np
import pytest

from tracegrad.words import words

from .axe import AXE, audit, blocking
from .lab import Lab, launch_browser, open_and_run, require_chromium, svg_labels

LECTURES = pathlib.Path(__file__).resolve().parents[2] / "lectures"
NOTEBOOK = LECTURES / "en" / "04_backprop.ipynb"
# the explorer of 04's last layer lives in the appendix, 09, with 04's parameters
EXPLORER_NOTEBOOK = LECTURES / "en" / "09_reference.ipynb"

require_chromium()
playwright = pytest.importorskip("playwright.sync_api")


def g4(v):
    return f"{v:.4g}"


def sigma(z):
    return 1 / (1 + np.exp(-z))


def lecture_parameters():
    """The inputs the notebook sets (w1 ... y), read from its parameter cell."""
    import json
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    source = next("".join(c["source"]) for c in cells
                  if c["cell_type"] == "code" and "w1, b1 =" in "".join(c["source"]))
    values = {}
    for line in source.splitlines():
        m = re.match(r"^(\w+), (\w+) = ([-\d.]+), ([-\d.]+)$", line.strip())
        if m:
            values[m.group(1)], values[m.group(2)] = float(m.group(3)), float(m.group(4))
    return values


def by_hand(p):
    """Forward pass and the chain rule for the 3-layer, one-neuron network."""
    z1 = p["w1"] * p["x"] + p["b1"]
    a1 = sigma(z1)
    z2 = p["w2"] * a1 + p["b2"]
    a2 = sigma(z2)
    z3 = p["w3"] * a2 + p["b3"]
    a3 = sigma(z3)
    dC_dz3 = 2 * (a3 - p["y"]) * a3 * (1 - a3)
    dC_dz1 = dC_dz3 * p["w3"] * a2 * (1 - a2) * p["w2"] * a1 * (1 - a1)
    return dict(a2=a2, a3=a3, C=(a3 - p["y"]) ** 2, dC_dw3=dC_dz3 * a2, dC_db3=dC_dz3,
                dC_dw1=dC_dz1 * p["x"])


def last_layer(w, b, a_prev, y):
    z = w * a_prev + b
    a = sigma(z)
    dC_dz = 2 * (a - y) * a * (1 - a)
    return (a - y) ** 2, dC_dz * a_prev, dC_dz


@pytest.fixture(scope="module", params=["en", "uk"])
def lab_page(request):
    language = request.param
    work = pathlib.Path(tempfile.mkdtemp(prefix="tracegrad-browser-"))
    shots = work / "screenshots"
    shots.mkdir()
    print(f"\nbrowser test: screenshots in {shots}")
    root = work / "root"
    (root / language).mkdir(parents=True)
    # a copy, in a folder named after its language as in lectures/ (the widgets read
    # the folder's name): autosave cannot touch the real one
    for notebook in (NOTEBOOK, EXPLORER_NOTEBOOK):
        shutil.copy(LECTURES / language / notebook.name, root / language / notebook.name)
    lab = Lab(root, work)
    try:
        with playwright.sync_playwright() as p:
            browser = launch_browser(p)
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            open_and_run(page, lab, f"{language}/{NOTEBOOK.name}")
            page.wait_for_function(                     # widgets render after the run
                "() => document.querySelectorAll('.tracegrad-stepper').length >= 1"
                " && document.querySelectorAll('.tracegrad-graph > svg').length >= 1",
                timeout=60_000)
            page.screenshot(path=str(shots / "1-after-run-all.png"))
            explorer_page = browser.new_page(viewport={"width": 1280, "height": 1000})
            open_and_run(explorer_page, lab, f"{language}/{EXPLORER_NOTEBOOK.name}")
            explorer_page.wait_for_function(
                "() => document.querySelectorAll('.tracegrad-explorer input[data-param]')"
                ".length >= 2", timeout=60_000)
            yield page, shots, language, explorer_page
            browser.close()
    finally:
        lab.stop()


def test_graphs_render_with_the_lectures_gradients(lab_page):
    page, shots, language, _ = lab_page
    expected = by_hand(lecture_parameters())
    graphs = [svg_labels(svg) for svg in graph_svgs(page)]
    assert graphs, "no graph image was rendered"
    labels = graphs[0]
    assert f"∂C₀/∂w⁽³⁾ = {g4(expected['dC_dw3'])}" in labels
    assert f"∂C₀/∂b⁽³⁾ = {g4(expected['dC_db3'])}" in labels
    assert g4(expected["C"]) in labels and g4(expected["a3"]) in labels


def graph_svgs(page):
    """The SVG of every graph output: inline in its HTML (``.tracegrad-graph``)."""
    return page.eval_on_selector_all(".jp-OutputArea-output .tracegrad-graph > svg",
                                     "els => els.map(e => e.outerHTML)")


def test_graphs_are_named_and_carry_their_table(lab_page):
    """Issue 27: a graph is inline SVG named by its summary, in the notebook's language,
    with a table of its nodes; the gradient rows are the lecture's formulas."""
    page, shots, language, _ = lab_page
    expected = by_hand(lecture_parameters())
    assert page.locator(".jp-RenderedSVG img").count() == 0     # no nameless <img> left
    graphs = page.eval_on_selector_all(".jp-OutputArea-output .tracegrad-graph", """gs =>
      gs.map(g => ({lang: g.getAttribute('lang'), role: g.querySelector('svg').getAttribute('role'),
                    label: g.querySelector('svg').getAttribute('aria-label'),
                    rows: [...g.querySelectorAll('tbody tr')].map(r =>
                            [...r.children].map(c => c.textContent))}))""")
    assert graphs
    for graph in graphs:
        assert graph["lang"] == language and graph["role"] == "img"
        assert graph["label"].startswith(words(language)["summary"].split("{")[0])
        assert graph["rows"]
    rows = {r[0]: r for r in graphs[0]["rows"]}
    assert rows["w⁽³⁾"][3] == g4(expected["dC_dw3"]) and rows["b⁽³⁾"][3] == g4(expected["dC_db3"])
    assert graphs[0]["label"].endswith(f"= {g4(expected['C'])}.")
    # the table opens from the keyboard: its summary is a tab stop
    summary = page.locator(".tracegrad-graph details > summary").first
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator(".tracegrad-graph details").first.get_attribute("open") is not None


def _widget(page, containing):
    """The output area of the widget that contains the given selector."""
    areas = page.query_selector_all(".jp-OutputArea-output")
    return next(a for a in areas if a.query_selector(containing) is not None)


def test_stepper_slider_reveals_the_backward_pass(lab_page):
    page, shots, language, _ = lab_page
    page.wait_for_selector(".tracegrad-stepper svg g.node", timeout=30_000)
    stepper = page.query_selector(".tracegrad-stepper")
    stepper.scroll_into_view_if_needed()
    state = """root => ({
      gradients: [...root.querySelectorAll('svg g.node text')].filter(t =>
          t.getAttribute('fill') === '#b3261e' && t.getAttribute('visibility') !== 'hidden').length,
      current: root.querySelectorAll('svg g.node.tg-current').length,
      chain: root.querySelector('.tg-chain').textContent })"""
    before = stepper.evaluate(state)
    assert before["gradients"] == 0 and before["current"] == 0     # step 0: nothing known yet
    for _ in range(3):
        stepper.query_selector('[data-action="next"]').click()
    after = stepper.evaluate(state)
    page.screenshot(path=str(shots / "2-stepper-step-3.png"))
    assert after["gradients"] == 3                    # three gradients known after 3 steps
    assert after["current"] == 1                      # and one current node
    expected = by_hand(lecture_parameters())
    stepper.eval_on_selector("input[type=range]", """s => { s.value = s.max;
        s.dispatchEvent(new Event('input', {bubbles: true})); }""")   # to the last step
    text = stepper.evaluate(state)["chain"]
    line = re.search(r"^(∂C₀/∂\S+) = .* = ([-\d.e]+)$", text.strip())
    assert line, text[:300]                       # the last step reaches the first input
    assert (line.group(1), line.group(2)) == ("∂C₀/∂w⁽¹⁾", g4(expected["dC_dw1"]))


def test_the_stepper_speaks_the_notebooks_language(lab_page):
    page, shots, language, _ = lab_page
    stepper = page.wait_for_selector(".tracegrad-stepper")
    for action, key in (("prev", "previous"), ("next", "next")):
        button = stepper.query_selector(f'[data-action="{action}"]')
        assert button.text_content().strip() == words(language)[key].strip()


def test_explorer_slider_moves_the_cost_as_the_formula_says(lab_page):
    """Five presses of → on the w slider (its grid step is 4/40 = 0.1): C₀, ∂C₀/∂w and the
    tangent's slope in the plot along w follow the lecture's formulas. The page moves by
    itself: the grid came with the widget."""
    _, shots, language, page = lab_page      # the appendix, 09
    explorer = page.query_selector(".tracegrad-explorer")
    explorer.scroll_into_view_if_needed()
    p = lecture_parameters()
    a2 = by_hand(p)["a2"]
    value_before = explorer.query_selector(".tg-value").text_content()
    explorer.query_selector('input[data-param="w"]').focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    w = float(explorer.query_selector('input[data-param="w"]').input_value())
    b = float(explorer.query_selector('input[data-param="b"]').input_value())
    assert w == pytest.approx(p["w3"] + 5 * 0.1) and b == pytest.approx(p["b3"])
    C, dC_dw, _ = last_layer(w, b, a2, p["y"])
    page.wait_for_function("([el, t]) => el.querySelector('.tg-value').textContent === t",
                           arg=[explorer, f"C₀ = {g4(C)}"], timeout=20_000)
    page.screenshot(path=str(shots / "3-explorer-moved.png"))
    assert explorer.query_selector(".tg-value").text_content() != value_before
    slope = explorer.evaluate("""root => {
      const row = root.querySelector('input[data-param="w"]').closest('.tg-row');
      const plot = row.querySelector('svg.tg-plot'), frame = plot.querySelector('.tg-frame');
      const [x0, x1, y0, y1] = plot.getAttribute('data-window').split(' ').map(Number);
      const l = plot.querySelector('line.tg-tangent');
      const [ax, ay, bx, by] = ['x1', 'y1', 'x2', 'y2'].map(k => +l.getAttribute(k));
      return {text: row.querySelector('.tg-slope').textContent,
              svg: (-(by - ay) / +frame.getAttribute('height') * (y1 - y0)) /
                   ((bx - ax) / +frame.getAttribute('width') * (x1 - x0))};
    }""")
    assert slope["text"] == f"∂C₀/∂w = {g4(dC_dw)}"
    assert slope["svg"] == pytest.approx(dC_dw, rel=1e-4)


# tracegrad's output areas in the notebook: the stepper, the explorer and the graphs (shown
# as HTML: an inline SVG named by its summary, with its table; as image/svg+xml, JupyterLab 4
# drew them as an <img> with no alt attribute at all, failing axe's image-alt).
OURS = """() => [...document.querySelectorAll('.jp-OutputArea-output')].filter(a =>
  a.querySelector('.tracegrad-stepper, .tracegrad-graph, .tracegrad-explorer'))"""


def test_our_widgets_pass_axe_in_jupyterlab(lab_page):
    """axe-core's WCAG 2.1 A/AA rules on tracegrad's widgets in the lectures: 04's stepper
    and graphs, and 09's explorer (JupyterLab's own toolbars and menus are not ours)."""
    if not AXE.exists():
        pytest.skip("axe-core is not vendored: python tools/vendor.py (make site does it)")
    page, shots, language, explorer_page = lab_page
    page.wait_for_selector(".tracegrad-stepper svg g.node", timeout=30_000)
    explorer_page.wait_for_selector(".tracegrad-explorer svg line.tg-tangent", timeout=30_000)
    assert page.evaluate(f"() => ({OURS})().length") >= 2          # the stepper, a graph
    assert explorer_page.evaluate(f"() => ({OURS})().length") >= 1  # the explorer
    graphs = page.evaluate("() => document.querySelectorAll("
                           "'.jp-OutputArea-output > .tracegrad-graph').length")
    assert graphs >= 1                                 # and the graphs, audited with them
    for audited in (page, explorer_page):
        problems = blocking(audit(audited, f"{{include: ({OURS})()}}"))
        assert not problems, "\n".join(problems)
    stepper = page.query_selector(".tracegrad-stepper")
    assert stepper.get_attribute("lang") == language
