"""The static site (``make site`` -> build/site/) in headless Chromium, offline.

The site is served from 127.0.0.1 by a plain HTTP server; every request the
browser makes to any other host is aborted and recorded, and each test fails
if one was attempted. What is counted on the pages is counted independently in
the notebooks' JSON: the SVG outputs, the math in the Markdown, the widget views.

Accessibility (issue 27): axe-core checks every page against WCAG 2.1 A and AA
and a serious or critical violation fails; further tests check what axe cannot:
each page's language, alt text made from the graph, the stepper's live region,
stepping by keyboard alone, the tab stops before the first widget, and a 320 px
wide screen.
"""
import functools
import http.server
import json
import pathlib
import re
import subprocess
import sys
import threading

import pytest

from tracegrad.words import words

from .axe import audit, blocking, require_axe
from .lab import keep_local, launch_browser, require_chromium

ROOT = pathlib.Path(__file__).resolve().parents[2]
LECTURES = ROOT / "lectures"
SITE = ROOT / "build" / "site"
LANGUAGES = ("uk", "en")

require_chromium()
require_axe()
playwright = pytest.importorskip("playwright.sync_api")


def notebooks():
    return [nb for language in LANGUAGES for nb in sorted((LECTURES / language).glob("*.ipynb"))]


def page_of(notebook):
    return f"{notebook.parent.name}/{notebook.stem}.html"


def cells(notebook):
    return json.loads(notebook.read_text(encoding="utf-8"))["cells"]


def svg_pictures(notebook):
    """How many SVG graphs the notebook stores: image/svg+xml outputs, HTML outputs
    with an inline Graphviz SVG, and widgets whose stored HTML value is one."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    state = nb["metadata"].get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    models = state.get("state", {})
    count = 0
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            view = data.get("application/vnd.jupyter.widget-view+json", {}).get("model_id")
            if view in models and models[view]["model_module"] != "anywidget":
                continue           # an ipywidgets view is drawn from the state (counted below)
            if "image/svg+xml" in data or 'class="graph"' in "".join(data.get("text/html", "")):
                count += 1
    for model in models.values():
        value = model["state"].get("value")
        count += isinstance(value, str) and 'class="graph"' in value
    return count


MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+?\$", re.DOTALL)


def math_in_markdown(notebook):
    """How many formulas ($...$ and $$...$$) the Markdown cells hold."""
    return sum(len(MATH.findall("".join(c["source"]))) for c in cells(notebook)
               if c["cell_type"] == "markdown")


def widget_views(notebook, module="@jupyter-widgets/controls"):
    """How many outputs are views of a stored widget from ``module``: ipywidgets'
    own, drawn by the site's widget manager, or "anywidget" (tracegrad's stepper and trace player),
    whose pages show its self-contained HTML instead."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    state = nb["metadata"].get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    models = state.get("state", {})
    views = [o["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
             for c in nb["cells"] for o in c.get("outputs", [])
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    return sum(models.get(v, {}).get("model_module") == module for v in views)


def shown_as(notebook, start):
    """How many outputs' text form starts with ``start`` ("Explorer(")."""
    return sum("".join(o.get("data", {}).get("text/plain", "")).startswith(start)
               for c in cells(notebook) for o in c.get("outputs", []))


def site_is_current():
    """The built site is newer than every lecture and every file that builds it."""
    index = SITE / "index.html"
    if not index.exists():
        return False
    sources = notebooks() + [p for p in (ROOT / "tools").rglob("*") if p.is_file()]
    return index.stat().st_mtime >= max(p.stat().st_mtime for p in sources)


@pytest.fixture(scope="module")
def site():
    """The site's URL, served from 127.0.0.1; built first unless it is current."""
    if not site_is_current():
        subprocess.run([sys.executable, str(ROOT / "tools" / "build_site.py"), str(SITE)], check=True)
    handler = functools.partial(Quiet, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        browser = launch_browser(p)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A page whose requests to anywhere but this machine are aborted and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    left = keep_local(context)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert not left, f"requests left localhost: {left}"
    assert not errors, f"JavaScript errors on the page: {errors}"


def open_lecture(page, url):
    response = page.goto(url)
    assert response.ok, url
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("() => MathJax.startup.promise")


def heading(notebook):
    """The notebook's first Markdown heading, as the site's builder reads it."""
    return next(re.sub(r"[*_`]", "", line.lstrip("#").strip())
                for c in cells(notebook) if c["cell_type"] == "markdown"
                for line in "".join(c["source"]).splitlines() if line.startswith("#"))


def test_indexes_link_every_lecture_in_both_languages(site, page):
    page.goto(site + "index.html")
    hrefs = set(page.eval_on_selector_all("a", "els => els.map(a => a.getAttribute('href'))"))
    for notebook in notebooks():
        assert page_of(notebook) in hrefs
    for language in LANGUAGES:
        page.goto(site + f"{language}/index.html")
        links = page.eval_on_selector_all("ol a", "els => els.map(a => a.getAttribute('href'))")
        assert links == [f"{nb.stem}.html" for nb in sorted((LECTURES / language).glob("*.ipynb"))]
        others = page.eval_on_selector_all(".tg-site-language a", "els => els.map(a => a.href)")
        assert others and all(page.request.get(u).ok for u in others)


GRAPHS_SHOWN = """() => {
  const imgs = [...document.querySelectorAll('img')].filter(
      i => i.src.startsWith('data:image/svg+xml') && i.complete && i.naturalWidth > 0);
  const inline = [...document.querySelectorAll('.jp-OutputArea svg')].filter(
      s => s.querySelector('g.graph'));
  return imgs.length + inline.length;
}"""

MATH_SHOWN = """() => [
  [...document.querySelectorAll('.jp-MarkdownOutput mjx-container')].filter(m => m.querySelector('svg')).length,
  document.querySelectorAll('mjx-merror, [data-mjx-error]').length]"""


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda nb: f"{nb.parent.name}/{nb.stem}")
def test_lecture_page(site, page, notebook):
    """One lecture's page: its title and links, every graph decoded, every formula
    typeset by the site's MathJax, its stored widgets drawn, nothing loaded from outside."""
    views = widget_views(notebook)
    open_lecture(page, site + page_of(notebook))
    assert page.title() == heading(notebook)
    links = page.eval_on_selector_all("nav.tg-site-nav a", "els => els.map(a => a.href)")
    assert links and all(page.request.get(u).ok for u in set(links))
    twin = next(o for o in LANGUAGES if o != notebook.parent.name)
    if (LECTURES / twin / notebook.name).exists():
        assert any(u.endswith(f"/{twin}/{notebook.stem}.html") for u in links)
        labels = page.eval_on_selector_all("nav.tg-site-nav a", "els => els.map(a => a.textContent)")
        # the page's own language, and the twin's link in the twin's (tracegrad/words.py)
        assert {words(notebook.parent.name)["site.lectures"], words(twin)["site.language"]} <= set(labels)
    if views:                      # stored widget state, drawn by the site's widget manager
        page.wait_for_function("n => document.querySelectorAll('.jupyter-widgets.widget-vbox,"
                               " .jupyter-widgets.widget-hbox').length >= n", arg=views, timeout=30_000)
    explorers = shown_as(notebook, "Explorer(")          # anywidgets too, with their own HTML
    steppers = widget_views(notebook, "anywidget") - explorers   # steppers and trace players
    page.wait_for_function("n => document.querySelectorAll('.tracegrad-stepper .tg-chain,"
                           " .tracegrad-trace .tg-chain').length >= n", arg=steppers, timeout=10_000)
    assert page.locator(".tracegrad-stepper, .tracegrad-trace").count() == steppers
    page.wait_for_function("n => document.querySelectorAll('.tracegrad-explorer .tg-tangent').length >= n",
                           arg=explorers, timeout=10_000)
    assert page.locator(".tracegrad-explorer").count() == explorers
    page.wait_for_function(f"n => ({GRAPHS_SHOWN})() >= n", arg=svg_pictures(notebook), timeout=10_000)
    assert page.evaluate(GRAPHS_SHOWN) == svg_pictures(notebook)
    assert page.evaluate(MATH_SHOWN) == [math_in_markdown(notebook), 0]
    # accessible: the page's language, text alternatives, and axe's WCAG 2.1 AA rules
    language = notebook.parent.name
    assert page.get_attribute("html", "lang") == language
    alts = page.eval_on_selector_all("img", "els => els.map(i => i.getAttribute('alt'))")
    assert all(alt and "No description" not in alt for alt in alts), alts
    graphs = stored_graph_images(notebook)
    assert page.locator(".jp-RenderedSVG + details.tg-site-text pre").count() == graphs
    starts = tuple(words(language)[k].split("{")[0] for k in ("site.graph alt", "site.svg alt"))
    graph_alts = page.eval_on_selector_all(".jp-RenderedSVG img", "is => is.map(i => i.alt)")
    assert len(graph_alts) == graphs and all(a.startswith(starts) for a in graph_alts), graph_alts
    assert page.locator("mjx-container[tabindex='0'], .jp-Cell-inputWrapper[tabindex]").count() == 0
    problems = blocking(audit(page))
    assert not problems, "\n".join(problems)


def stored_graph_images(notebook):
    """How many outputs are an SVG picture (shown as an <img> with its text form under it)."""
    return sum("image/svg+xml" in o.get("data", {}) for c in cells(notebook)
               for o in c.get("outputs", []))


def test_index_pages_pass_axe_and_have_landmarks(site, page):
    for path, language in (("index.html", "uk"), ("uk/index.html", "uk"), ("en/index.html", "en")):
        page.goto(site + path)
        assert page.get_attribute("html", "lang") == language
        assert page.locator("main h1").count() == 1
        problems = blocking(audit(page))
        assert not problems, (path, problems)
    page.goto(site + "index.html")          # the root lists both languages, each marked
    assert page.eval_on_selector_all("main > ol", "els => els.map(e => e.lang)") == list(LANGUAGES)


def test_some_lecture_has_graphs_math_and_widgets():
    """The page checks above are not vacuous."""
    assert sum(map(svg_pictures, notebooks())) > 0
    assert sum(map(math_in_markdown, notebooks())) > 0
    # tracegrad's widgets are anywidgets (the stepper, the explorer); no lecture needs
    # ipywidgets' own controls since the explorer draws its sliders itself
    assert sum(widget_views(nb, "anywidget") for nb in notebooks()) > 0
    assert sum(shown_as(nb, "Explorer(") for nb in notebooks()) > 0


def pages_with(root_class):
    """The lectures whose page shows a widget with this root class (the class of its
    element: every snippet's inlined script names both kinds of root)."""
    return [nb for nb in notebooks() if SITE.exists() and (SITE / page_of(nb)).exists()
            and f'class="{root_class}"' in (SITE / page_of(nb)).read_text(encoding="utf-8")]


def stepper_pages():
    return pages_with("tracegrad-stepper")


def test_stepper_steps_on_the_page_without_a_kernel(site, page):
    pages = stepper_pages()
    assert pages, "no lecture page holds a .tracegrad-stepper"
    notebook = next((nb for nb in pages if "backprop" in nb.stem), pages[0])
    open_lecture(page, site + page_of(notebook))
    stepper = page.locator(".tracegrad-stepper").first
    stepper.scroll_into_view_if_needed()

    def state():
        return (stepper.locator(".tg-chain").inner_text(),
                stepper.locator(".tg-current").evaluate_all("els => els.map(e => e.outerHTML)"))

    seen = [state()]
    for _ in range(3):
        stepper.locator("[data-action=next]").click()
        seen.append(state())
    assert len({chain for chain, _ in seen}) == 4, seen          # a new chain-rule line each step
    assert all(len(current) == 1 for _, current in seen[1:])     # one current node per step
    assert len({current[0] for _, current in seen[1:]}) == 3     # and a different one each step
    stepper.locator("[data-action=prev]").click()
    assert state() == seen[2]                                    # and back again
    # what a screen reader hears: the live region says the step and its chain-rule line
    language = notebook.parent.name
    w = words(language)
    live = stepper.locator("[aria-live=polite]")
    assert live.get_attribute("role") == "status"
    n = int(stepper.locator("input[type=range]").get_attribute("max"))
    said = f"{w['step']} 2 {w['of']} {n}"
    assert live.text_content() == said + " " + stepper.locator(".tg-chain").text_content()
    assert stepper.locator("input[type=range]").get_attribute("aria-valuetext") == said
    assert stepper.get_attribute("lang") == language
    names = stepper.locator(".tg-zoom button").evaluate_all("bs => bs.map(b => b.ariaLabel)")
    assert names == [w["zoom out"], w["zoom in"]]
    assert stepper.locator("svg").first.get_attribute("aria-label").startswith(
        w["site.graph alt"].split("{")[0])
    header = stepper.locator(".tg-text tr th[scope=col]").all_text_contents()
    assert header == [w[f"column.{c}"] for c in ("node", "operation", "value", "gradient")]
    assert stepper.locator(".tg-text tr").count() > 5                  # the graph as a table
    problems = blocking(audit(page, "document.querySelector('.tracegrad-stepper')"))
    assert not problems, "\n".join(problems)


def test_trace_player_plays_on_the_page_without_a_kernel(site, page):
    """Issue 25: a lecture's trace player plays with no kernel: the current line and
    the ringed node move as it steps, and the nodes appear in the order recorded."""
    pages = pages_with("tracegrad-trace")
    if not pages:
        pytest.skip("no lecture page holds a trace player (.tracegrad-trace) yet")
    open_lecture(page, site + page_of(pages[0]))
    player = page.locator(".tracegrad-trace").first
    player.scroll_into_view_if_needed()
    player.locator("svg g.node").first.wait_for()
    read = """r => ({
      line: [...r.querySelectorAll('.tg-current-line')].map(e => e.id),
      current: [...r.querySelectorAll('svg g.node.tg-current title')].map(t => t.textContent),
      hidden: r.querySelectorAll('svg g.node.tg-unrecorded').length })"""
    seen = [player.evaluate(read)]
    for _ in range(4):
        player.locator("[data-action=next]").click()
        seen.append(player.evaluate(read))
    assert seen[0]["current"] == [] and all(len(s["current"]) == 1 for s in seen[1:]), seen
    assert all(len(s["line"]) == 1 for s in seen[1:]), seen          # one current line a step
    hidden = [s["hidden"] for s in seen]
    assert hidden == sorted(hidden, reverse=True) and hidden[0] > hidden[-1], seen
    assert player.get_attribute("lang") == pages[0].parent.name
    problems = blocking(audit(page, "document.querySelector('.tracegrad-trace')"))
    assert not problems, "\n".join(problems)


FOCUSED = """() => { const e = document.activeElement;
  return {stepper: !!e.closest('.tracegrad-stepper'), tag: e.tagName.toLowerCase(),
          math: !!e.closest('mjx-container'), cell: !!e.closest('.jp-Cell-inputWrapper')
                 && e.matches('.jp-Cell-inputWrapper'), action: e.getAttribute('data-action')}; }"""

BEFORE_STEPPER = """() => {
  const first = document.querySelector('.tracegrad-stepper');
  const stops = [...document.querySelectorAll('a[href], button, input, select, textarea, summary,'
                                              + ' [tabindex]:not([tabindex="-1"])')];
  const shown = e => e.offsetParent !== null            // not hidden, nor in a closed <details>
    && !(e.closest('details:not([open])') && e.tagName !== 'SUMMARY');
  return stops.filter(e => e.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING
                           && !first.contains(e) && shown(e)).length; }"""


def test_keyboard_alone_reaches_and_steps_the_stepper(site, page):
    """Tab from the top reaches the stepper past links and text forms only (no formula,
    no cell is a tab stop), then Enter and the arrow keys step it."""
    notebook = next(nb for nb in stepper_pages() if "backprop" in nb.stem)
    open_lecture(page, site + page_of(notebook))
    expected = page.evaluate(BEFORE_STEPPER)         # links, text forms: counted in the DOM
    for presses in range(1, 200):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUSED)
        assert not focus["math"] and not focus["cell"], (presses, focus)
        if focus["stepper"]:
            break
    assert focus["stepper"] and presses == expected + 1, (presses, expected)
    assert presses < 40, presses                      # 132 before issue 27
    stepper = page.locator(".tracegrad-stepper").first
    chain = stepper.locator(".tg-chain")
    start = chain.text_content()
    page.keyboard.press("Tab")                        # play -> the slider
    page.keyboard.press("ArrowRight")
    assert stepper.locator("input[type=range]").input_value() == "1"
    first = chain.text_content()
    assert first != start
    while page.evaluate(FOCUSED)["action"] != "next":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert stepper.locator("input[type=range]").input_value() == "2"
    assert chain.text_content() not in (start, first)
    while page.evaluate(FOCUSED)["tag"] != "div":     # the zoom buttons, then the graph box
        page.keyboard.press("Tab")
    box = stepper.locator(".tg-viewport")
    assert page.evaluate("() => document.activeElement.classList.contains('tg-viewport')")
    width = box.locator("svg").evaluate("s => s.getBoundingClientRect().width")
    page.keyboard.press("+")
    assert box.locator("svg").evaluate("s => s.getBoundingClientRect().width") > width * 1.2
    top = box.evaluate("b => b.scrollTop")
    page.keyboard.press("ArrowDown")
    assert box.evaluate("b => b.scrollTop") > top


def test_a_320_px_screen_keeps_graphs_legible(site, browser):
    """WCAG 1.4.10 reflow: at 320 px the page does not scroll sideways, a graph keeps its
    size (its text stays readable) and scrolls in its own box, and axe still passes."""
    notebook = next(nb for nb in stepper_pages() if "backprop" in nb.stem)
    context = browser.new_context(viewport={"width": 320, "height": 700})
    left = keep_local(context)
    page = context.new_page()
    try:
        open_lecture(page, site + page_of(notebook))
        page.wait_for_selector(".tracegrad-stepper svg text")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
        # the stepper's labels: 10 pt in the picture, so about 13 px; shrunk to fit they were 6
        heights = page.eval_on_selector_all(".tracegrad-stepper svg text",
                                            "ts => ts.map(t => t.getBoundingClientRect().height)")
        assert min(h for h in heights if h > 0) >= 11, heights
        images = page.eval_on_selector_all(".jp-RenderedSVG img", """is => is.map(i =>
            [i.getBoundingClientRect().width, i.naturalWidth, i.parentElement.scrollWidth >
             i.parentElement.clientWidth, i.parentElement.tabIndex])""")
        assert images
        for shown, natural, scrolls, tab in images:
            assert shown == pytest.approx(natural, abs=1)         # not shrunk
            assert not scrolls or tab == 0                        # a box that scrolls is a tab stop
        box = page.locator(".tracegrad-stepper .tg-viewport").first
        box.focus()
        page.keyboard.press("ArrowRight")
        assert box.evaluate("b => b.scrollLeft") > 0              # panned by the keyboard
        problems = blocking(audit(page))
        assert not problems, "\n".join(problems)
    finally:
        context.close()
    assert not left


def test_the_guard_records_a_request_that_leaves_localhost(browser):
    """The check the other tests rely on: a request to another host is aborted and seen."""
    context = browser.new_context()
    left = keep_local(context)               # the very guard the page fixture uses
    page = context.new_page()
    page.set_content('<img src="http://tracegrad-guard.invalid/probe.png">')
    page.wait_for_timeout(500)
    context.close()
    assert left == ["http://tracegrad-guard.invalid/probe.png"]


def test_the_explorer_moves_its_tangent_without_a_kernel(site, page):
    """On the site there is no kernel: the explorer's grid came with the page. Three presses
    of → on w move the point; C₀, ∂C₀/∂w and the tangent's slope follow the lecture's
    formulas, computed here with NumPy (the page's w and b are read from its sliders)."""
    from .test_jupyterlab import by_hand, g4, last_layer, lecture_parameters
    explorers = [nb for nb in notebooks() if shown_as(nb, "Explorer(")]
    assert explorers, "no lecture stores an explorer"
    notebook = explorers[0]
    open_lecture(page, site + page_of(notebook))
    page.wait_for_selector(".tracegrad-explorer svg line.tg-tangent", timeout=20_000)
    explorer = page.query_selector(".tracegrad-explorer")
    assert explorer.get_attribute("lang") == notebook.parent.name
    explorer.query_selector('input[data-param="w"]').focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    w = float(explorer.query_selector('input[data-param="w"]').input_value())
    b = float(explorer.query_selector('input[data-param="b"]').input_value())
    p = lecture_parameters()
    assert w == pytest.approx(p["w3"] + 0.3) and b == pytest.approx(p["b3"])
    C, dC_dw, _ = last_layer(w, b, by_hand(p)["a2"], p["y"])
    assert explorer.query_selector(".tg-value").text_content() == f"C₀ = {g4(C)}"
    row = explorer.query_selector('input[data-param="w"]').evaluate_handle("s => s.closest('.tg-row')")
    assert row.query_selector(".tg-slope").text_content() == f"∂C₀/∂w = {g4(dC_dw)}"
    slope = row.evaluate("""row => {
      const plot = row.querySelector('svg.tg-plot'), frame = plot.querySelector('.tg-frame');
      const [x0, x1, y0, y1] = plot.getAttribute('data-window').split(' ').map(Number);
      const l = plot.querySelector('line.tg-tangent');
      const [ax, ay, bx, by] = ['x1', 'y1', 'x2', 'y2'].map(k => +l.getAttribute(k));
      return (-(by - ay) / +frame.getAttribute('height') * (y1 - y0)) /
             ((bx - ax) / +frame.getAttribute('width') * (x1 - x0));
    }""")
    assert slope == pytest.approx(dC_dw, rel=1e-4)
    assert not page.evaluate("() => [...document.querySelectorAll('.tg-no-kernel')]"
                             ".some(n => !n.hidden)")
