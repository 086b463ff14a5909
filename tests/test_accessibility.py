"""Accessibility without a browser (issue 27, WCAG 2.1 AA): the text alternatives
made from a graph's record, the colours the stepper rings a node with, the words
a screen reader hears in both languages, and the site builder's page fixes.

The browser half (axe-core on every page, the live region, the keyboard, 320 px)
is in tests/browser/test_site.py and tests/browser/test_frontend.py.
"""
import html
import importlib.util
import pathlib
import re
import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracegrad as tg
from tracegrad.drawing import text
from tracegrad.drawing.dot import THEMES
from tracegrad.words import LANGUAGES, words

from .programs import B, W
from .programs import neuron_by_hand as by_hand
from .programs import neuron_of_w_b as neuron

ROOT = pathlib.Path(__file__).resolve().parents[1]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot: make dot")


def neuron_graph(language):
    return tg.graph(neuron, argnums=(0, 1), language=language)(W, B)


# ---- the summary and the table: what a screen reader gets instead of the picture --------

@pytest.mark.parametrize("language", ["en", "uk"])
def test_summary_names_the_output_its_value_inputs_and_operations(language):
    expected = by_hand()
    sentence = text.summary(neuron_graph(language))
    # five operations, counted on paper: w·a_prev, + b, tanh, − y, (·)²
    assert ("5 operations" if language == "en" else "операцій: 5") in sentence
    assert ("2 inputs (w, b)" if language == "en" else "входів: 2 (w, b)") in sentence
    assert sentence.endswith(f"C = {expected['C']:.4g}.")
    assert sentence.startswith(words(language)["summary"].split("{")[0])


def test_table_has_a_row_per_node_with_value_and_gradient_from_the_chain_rule():
    expected = by_hand()
    rows = text.table(neuron_graph("en"))
    assert [len(r) for r in rows] == [4] * len(rows)
    by_name = {r[0]: r for r in rows}
    assert by_name["w"][1] == "input" and by_name["b"][1] == "input"
    for name, value, grad in (("w", W, expected["dC_dw"]), ("b", B, expected["dC_db"]),
                              ("C", expected["C"], 1.0)):
        assert float(by_name[name][2]) == pytest.approx(value, rel=1e-3)
        assert float(by_name[name][3]) == pytest.approx(grad, rel=1e-3)
    ops = [r[1].split("(")[0] for r in rows if r[1] != "input"]
    assert ops == ["mul", "add", "tanh", "sub", "integer_pow[n=2]"]
    assert text.table(neuron_graph("uk"))[0][1] == "вхід"


def test_table_without_a_backward_pass_leaves_the_gradient_empty():
    """A vector output has no single gradient: the table's gradient column stays empty."""
    g = tg.graph(lambda x: tg.numpy.sin(x) * 2.0)(np.array([0.3, 0.6]))
    rows = text.table(g)
    assert rows[-1][2] == f"[{2 * np.sin(0.3):.4g}, {2 * np.sin(0.6):.4g}]"
    assert all(r[3] == "" for r in rows)


@needs_dot
def test_graph_svg_is_an_image_named_by_its_summary():
    g = neuron_graph("uk")
    root = ET.fromstring(g.svg().split("?>", 1)[-1].split("-->", 1)[-1]
                         .split('svg11.dtd">', 1)[-1])
    assert root.get("role") == "img"
    assert root.get("aria-label") == text.summary(g)


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_with_name_keeps_any_text_as_one_attribute(name):
    """A label with quotes, <, > or & cannot break out of the attribute."""
    name = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", name) or "x"
    svg = '<svg width="1pt" xmlns="http://www.w3.org/2000/svg"><g/></svg>'
    root = ET.fromstring(text.with_name(svg, name))
    # XML reads line breaks and tabs in an attribute as spaces (its normalisation rules)
    assert root.get("aria-label") == re.sub(r"\r\n|[\r\n\t]", " ", name)
    assert root.get("role") == "img" and root.get("width") == "1pt"


# ---- a graph in a notebook: HTML with the SVG named, and its table under it -------------

def html_root(html_text):
    """The notebook's HTML output, read as XML: every tag must be closed and every
    label escaped, or this fails."""
    return ET.fromstring(html_text)


SVG_NS = "{http://www.w3.org/2000/svg}"


@needs_dot
@pytest.mark.parametrize("language", ["en", "uk"])
def test_a_graph_is_shown_as_html_with_a_named_svg_and_a_table(language):
    """Issue 27: JupyterLab draws image/svg+xml as an <img> with no alt text. As HTML,
    the SVG is inline with role="img" and the summary, and a table follows."""
    g = neuron_graph(language)
    bundle = g._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/svg+xml", "text/plain"}
    root = html_root(bundle["text/html"])
    assert root.tag == "div" and root.get("class") == "tracegrad-graph"
    assert root.get("lang") == language
    svg = root.find(f"{SVG_NS}svg")
    assert svg.get("role") == "img"
    expected = by_hand()
    label = svg.get("aria-label")
    assert label.endswith(f"C = {expected['C']:.4g}.") and "w, b" in label
    details = root.find("details")
    assert details.find("summary").text == words(language)["text form"]
    head = [th.text for th in details.iter("th") if th.get("scope") == "col"]
    assert head == [words(language)[f"column.{k}"]
                    for k in ("node", "operation", "value", "gradient")]
    rows = {tr.find("th").text: [td.text or "" for td in tr.findall("td")]
            for tr in details.find("table").find("tbody").findall("tr")}
    assert rows["w"][0] == words(language)["column.input"]
    for name, value, grad in (("w", W, expected["dC_dw"]), ("b", B, expected["dC_db"]),
                              ("C", expected["C"], 1.0)):
        assert float(rows[name][1]) == pytest.approx(value, rel=1e-3)
        assert float(rows[name][2]) == pytest.approx(grad, rel=1e-3)
    # the SVG fallback is the same picture
    assert bundle["image/svg+xml"].count('class="node"') == \
        bundle["text/html"].count('class="node"')


@needs_dot
def test_user_labels_stay_text_in_the_html():
    from .programs import escaping_program
    html_text = tg.graph(escaping_program)(1.0)._repr_mimebundle_()["text/html"]
    assert "<script>" not in html_text and "<lambda>" not in html_text
    root = html_root(html_text)
    assert "<script>&" in [th.text for th in root.iter("th")]     # read back as written


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_any_label_is_one_cell_of_the_table(name):
    """Quotes, <, > and & in a user's label never become markup."""
    from tracegrad.drawing import render
    # "ℓ" first: no clash with the input's name x (a clash would be renamed x_2)
    name = "ℓ" + re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", name)

    def f(x):
        return tg.label(x * 2.0, name) + 1.0

    g = tg.graph(f)(0.5)
    svg = f'<svg role="img" aria-label="{html.escape(text.summary(g))}"/>'
    root = html_root(render.html(g, svg))
    cells = [th.text for th in root.iter("th") if th.get("scope") == "row"]
    assert cells[1] == name and len(cells) == len(g.nodes)


def test_a_long_table_is_cut_with_a_note():
    from tracegrad.drawing import render

    def f(x):
        for _ in range(render.MAX_ROWS + 10):
            x = x * 1.001
        return x

    g = tg.graph(f, language="en")(1.0)
    root = html_root(render.html(g, "<svg/>"))
    rows = root.find("details").find("table").find("tbody").findall("tr")
    assert len(rows) == render.MAX_ROWS + 1
    assert rows[-1].find("td").text == words("en")["more rows"].format(
        count=len(g.nodes) - render.MAX_ROWS)


@needs_dot
def test_a_path_view_puts_the_chain_rule_in_the_text_form():
    g = neuron_graph("en").path("w")
    root = html_root(g._repr_mimebundle_()["text/html"])
    said = [p.text for p in root.find("details").findall("p")]
    assert said == list(g.options["caption"]) and said[-1].startswith("sum over paths")


@needs_dot
def test_the_explorers_picture_is_named_and_has_its_table():
    pytest.importorskip("anywidget")
    e = tg.widgets.explore(neuron, w=(-2, 2, W), b=(-1, 1, B))
    svg = html_root(e._svg)
    assert f"C = {by_hand()['C']:.4g}" in e.data["summary"]          # the picture's name
    assert svg.tag.endswith("svg")
    rows = {row[0]: row for row in e.data["table"]}              # its table, at the start
    assert float(rows["w"][3]) == pytest.approx(by_hand()["dC_dw"], rel=1e-3)


# ---- colours: the current-node ring against every node's fill --------------------------

def luminance(colour):
    """WCAG 2.1 relative luminance of #rrggbb (its formula, written out here)."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


NAMED = {"white": "#ffffff"}


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_the_highlight_is_3_to_1_against_every_node_fill(theme):
    """WCAG 1.4.11: the ring marking the current node must stand out from every box."""
    c = THEMES[theme]
    for fill in ("bg", "input", "constant", "op", "output", "backward", "cluster", "collapsed"):
        colour = NAMED.get(c[fill], c[fill])
        ratio = contrast(c["highlight"], colour)
        assert ratio >= 3, (theme, fill, ratio)


def test_contrast_helper_matches_known_pairs():
    """The formula above against WCAG's own examples: black on white is 21:1, and the
    prompts' old #b0b0b0 on white the 2.16:1 the audit measured."""
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#b0b0b0", "#ffffff") == pytest.approx(2.16, abs=0.01)


# ---- words: every string a student hears, in both languages -----------------------------

A11Y_KEYS = ["zoom in", "zoom out", "graph box", "stepper", "summary", "summary no inputs",
             "text form", "column.node", "column.operation", "column.value", "column.gradient",
             "column.input", "site.nav", "site.graph listing", "site.plot alt", "site.graph alt",
             "site.svg alt", "more rows"]


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_accessibility_word_exists_and_is_translated(language):
    other = "en" if language == "uk" else "uk"
    for key in A11Y_KEYS:
        assert words(language)[key].strip(), key
        if key not in ("column.node",):           # no two languages share these words
            assert words(language)[key] != words(other)[key], key


def test_the_step_counter_reads_as_a_sentence_in_ukrainian():
    w = words("uk")
    assert f"{w['step']} 4 {w['of']} 17" == "крок 4 з 17"


# ---- the stepper's state carries its text alternative ------------------------------------

@pytest.mark.parametrize("language", ["en", "uk"])
def test_stepper_data_has_language_summary_table_and_words(language):
    pytest.importorskip("anywidget")
    stepper = tg.widgets.stepper(neuron_graph(language), language=language)
    data = stepper.data
    assert data["language"] == language
    assert data["summary"] == text.summary(stepper.graph, language)
    assert len(data["table"]) == len(stepper.graph.nodes)
    for key in ("zoom in", "zoom out", "graph box", "stepper", "text form"):
        assert data["words"][key] == words(language)[key]


# ---- the site builder: language, alt text, text forms, tab stops -------------------------

@pytest.fixture(scope="module")
def site():
    spec = importlib.util.spec_from_file_location("build_site", ROOT / "tools" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_dot
@pytest.mark.parametrize("language", ["en", "uk"])
def test_alt_text_of_a_stored_graph_is_read_from_the_picture(site, language):
    expected = by_hand()
    svg = neuron_graph(language).svg()
    alt = site.graph_alt(svg, language)
    assert f"C = {expected['C']:.4g}" in alt and "w, b" in alt
    assert site.PLACEHOLDER_ALT not in alt
    nodes = len(re.findall(r'class="node"', svg))
    assert (f"({nodes} boxes)" if language == "en" else f"(блоків: {nodes})") in alt


@needs_dot
def test_a_stored_stepper_gets_its_table_from_the_picture(site):
    """Steppers stored before their state carried a table: rows read from the SVG."""
    expected = by_hand()
    rows = {r[0]: r for r in site.svg_table(neuron_graph("uk").svg(), "uk")}
    assert rows["w"][1] == "вхід" and rows["C"][1].startswith("integer_pow[n=2](")
    for name, value, grad in (("w", W, expected["dC_dw"]), ("b", B, expected["dC_db"]),
                              ("C", expected["C"], 1.0)):
        assert float(rows[name][2]) == pytest.approx(value, rel=1e-3)
        assert float(rows[name][3]) == pytest.approx(grad, rel=1e-3)


def test_alt_text_of_another_graphviz_picture_lists_its_boxes(site):
    svg = ('<svg><g id="graph0" class="graph"><g id="node1" class="node"><title>a</title>'
           '<ellipse fill="none"/><text x="1">add</text><text x="2">0.5</text></g>'
           '<g id="node2" class="node"><title>b</title><ellipse fill="none"/>'
           '<text x="1">w &amp; b</text></g></g></svg>')
    assert site.graph_alt(svg, "en") == "Graph of 2 boxes: add 0.5; w & b."
    # stored without a listing (an IPython SVG object): the text form is each box's labels
    assert site.svg_text_form(svg, "<IPython.core.display.SVG object>") == "add 0.5\nw & b"
    assert site.svg_text_form(svg, "{ lambda x . }") == "{ lambda x . }"


def test_page_fixes_take_tab_stops_off_cells_and_name_plots(site):
    page = ('<html><body class="jp-Notebook"><div class="jp-Cell-inputWrapper" tabindex="0">x</div>'
            '<div class="jp-OutputArea-output" tabindex="0"><img src="data:image/png;base64,AA=="'
            f' alt="{site.PLACEHOLDER_ALT}"></div><button>ok</button></body></html>')
    fixed = site.accessible(page, "uk")
    assert "tabindex" not in fixed and "<button>ok</button>" in fixed
    assert f'alt="{html.escape(words("uk")["site.plot alt"])}"' in fixed


def test_describe_pictures_puts_alt_and_text_in_the_outputs_metadata(site):
    import nbformat
    svg = ('<svg><g class="node" id="node1"><title>n0</title><path fill="#cfe3ff"/>'
           '<text fill="#222222">w</text><text fill="#222223">0.5</text></g>'
           '<g class="node" id="node2"><title>n1</title><path fill="#ffd8a8"/>'
           '<text fill="#222222">C</text><text fill="#222223">0.25</text></g></svg>')
    output = nbformat.v4.new_output("display_data", data={"image/svg+xml": svg,
                                                          "text/plain": "{ lambda w . }"})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[output])])
    about = site.describe_pictures(nb, "en").cells[0].outputs[0].metadata["tracegrad_site"]
    assert about == {"alt": "Computation graph of C (2 boxes), inputs w; C = 0.25.",
                     "text": "{ lambda w . }"}


def test_every_other_word_the_site_needs_is_there(site):
    for language in ("uk", "en"):
        needed = {"nav", "graph listing", "plot alt", "graph alt", "svg alt"}
        assert needed <= set(site.WORDS[language])



@needs_dot
def test_the_site_draws_a_notebooks_graph_its_own_way(site):
    """A rebuilt lecture stores a graph as HTML and SVG; the site keeps the SVG (shown as an
    image with alt text and its text form) and drops the notebook's HTML."""
    import nbformat
    bundle = neuron_graph("en")._repr_mimebundle_()
    output = nbformat.v4.new_output("display_data", data=bundle)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[output])])
    out = site.describe_pictures(nb, "en").cells[0].outputs[0]
    assert set(out["data"]) == {"image/svg+xml", "text/plain"}
    assert out["metadata"]["tracegrad_site"]["text"] == bundle["text/plain"]
