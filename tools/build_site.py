"""Build the static site of the lectures: ``make site`` -> build/site/.

Every notebook in lectures/uk/ and lectures/en/ becomes one HTML page, as
stored (nothing is re-run), with an index per language and links between the
lectures and between the two languages.

Why nbconvert: it is Jupyter's own exporter, already installed with JupyterLab,
and its "lab" template writes a page the way JupyterLab shows the notebook:
the same CSS, SVG outputs inline, HTML outputs with their scripts, and the
notebook's stored widget state. Sphinx with myst-nb or Jupyter Book would add
a theme, a second toolchain and build-time downloads for a site of fourteen
pages that needs none of them.

Offline: the lab template loads require.js, MathJax 2, the widget manager and
mermaid from CDNs. tools/site_template/tracegrad_site/index.html.j2 swaps each one for a
file copied into build/site/_static/ from the npm packages that
tools/vendor.py unpacked (MathJax 3, @jupyter-widgets/html-manager), with
their licences. After building, every page is checked: a ``src=`` or a
stylesheet that leaves the site fails the build.

Accessible (WCAG 2.1 AA, checked with axe-core by tests/browser/test_site.py):
each page declares its own language; a graph image gets alt text made from the
graph (never nbconvert's "No description has been provided") and its text form
(the stored listing) right under it; cells and outputs are not tab stops
(nbconvert makes each one a stop, so the first widget sat 130 Tab presses
down); the template's theme fixes contrast, underlines links, and lets a wide
output scroll in its own box, which becomes a tab stop only when it scrolls.
"""
import html
import json
import pathlib
import re
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
LECTURES = ROOT / "lectures"
NPM = ROOT / "build" / "npm"
TEMPLATES = pathlib.Path(__file__).resolve().parent / "site_template"
LANGUAGES = ("uk", "en")
sys.path.insert(0, str(ROOT))     # this checkout's tracegrad (words, themes), not an installed one

# The site's own words (navigation, titles) are in tracegrad/words.py ("site." keys),
# beside everything else a student reads, in both languages.
def site_words(language):
    from tracegrad.words import words
    return {key[len("site."):]: value for key, value in words(language).items()
            if key.startswith("site.")}


WORDS = {language: site_words(language) for language in LANGUAGES}

# What each page needs from the npm packages, and where it goes under _static/.
ASSETS = [
    ("mathjax/es5/tex-svg.js", "mathjax/tex-svg.js"),
    ("mathjax/LICENSE", "mathjax/LICENSE"),
    ("@jupyter-widgets/html-manager/dist/embed.js", "widgets/embed.js"),
    ("@jupyter-widgets/html-manager/dist/embed.js.LICENSE.txt", "widgets/embed.js.LICENSE.txt"),
    ("@jupyter-widgets/html-manager/LICENSE.txt", "widgets/LICENSE.txt"),
]
# embed.js loads its icon fonts from beside itself.
FONT_SUFFIXES = (".woff2", ".woff", ".ttf", ".eot", ".svg")


def lectures(language):
    """The notebooks of one language, in file-name order (the lectures' order)."""
    return sorted((LECTURES / language).glob("*.ipynb"))


def title(notebook):
    """The first Markdown heading of a notebook, as plain text."""
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("#"):
                    return re.sub(r"[*_`]", "", line.lstrip("#").strip())
    return notebook.stem


def copy_assets(out):
    static = out / "_static"
    for source, target in ASSETS:
        path = NPM / source
        if not path.exists():
            sys.exit(f"site: {path.relative_to(ROOT)} is missing: run `make site` "
                     "(it fetches the front-end packages first) or `python tools/vendor.py`.")
        (static / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, static / target)
    dist = NPM / "@jupyter-widgets/html-manager/dist"
    for font in dist.iterdir():
        if font.suffix in FONT_SUFFIXES:
            shutil.copy(font, static / "widgets" / font.name)


def link(href, text, cls=""):
    attr = f' class="{cls}"' if cls else ""
    return f'<a{attr} href="{html.escape(href)}">{html.escape(text)}</a>'


def nav(language, notebooks, i):
    """The bar at the top and bottom of a lecture: index, previous, next, the other language."""
    w = WORDS[language]
    parts = [link("index.html", w["lectures"])]
    if i > 0:
        parts.append(link(notebooks[i - 1].stem + ".html", w["previous"], "tg-site-prev"))
    if i + 1 < len(notebooks):
        parts.append(link(notebooks[i + 1].stem + ".html", w["next"], "tg-site-next"))
    for other in LANGUAGES:
        twin = LECTURES / other / notebooks[i].name
        if other != language and twin.exists():
            parts.append(f'<span class="tg-site-language" lang="{other}">'
                         + link(f"../{other}/{twin.stem}.html", WORDS[other]["language"]) + "</span>")
    return (f'<nav class="tg-site-nav" aria-label="{html.escape(w["nav"])}">'
            + "\n".join(parts) + "</nav>")


# Links between notebooks (`[04](04_backprop.ipynb)`, `../en/04_backprop.ipynb#x`)
# point at the pages instead.
NOTEBOOK_LINK = re.compile(r'href="((?:\.\./(?:uk|en)/)?[\w.-]+)\.ipynb(#[^"]*)?"')


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def without_kernel(nb):
    """tracegrad's own widgets (anywidgets) as the page can show them with no kernel.

    The site's widget manager draws ipywidgets' own models from the notebook's
    stored state, but it cannot load anywidget's module (that would come from
    a CDN). So an output that is a tracegrad widget shows its ``text/html``
    instead: for the stepper, a self-contained snippet that steps in
    JavaScript. A tracegrad widget inside an ipywidgets box (the explorer's
    kernel watch) becomes an HTML widget with the note it would show there:
    no kernel is connected.
    """
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    ours = {key for key, model in state.items() if model.get("model_module") == "anywidget"}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if data.get(WIDGET_VIEW, {}).get("model_id") in ours and "text/html" in data:
                del data[WIDGET_VIEW]
    for key in ours:
        mine = state[key]["state"].get("data", {})
        note = mine.get("words", {}).get("no_kernel", "") if mine.get("kind") == "watch" else ""
        state[key] = {"model_module": "@jupyter-widgets/controls", "model_module_version": "2.0.0",
                      "model_name": "HTMLModel",
                      "state": {"layout": state[key]["state"].get("layout"),
                                "value": f"<p>{html.escape(note)}</p>" if note else ""}}
    return nb


# ---- text alternatives for stored graph pictures -------------------------------------

PLACEHOLDER_ALT = "No description has been provided for this image"
SVG_NODE = re.compile(r'<g\b[^>]*\sclass="node"[^>]*>(.*?)</g>', re.DOTALL)
SVG_FILL = re.compile(r'<(?:path|polygon|ellipse)[^>]*\sfill="([^"]*)"')
SVG_TEXT = re.compile(r"<text([^>]*)>([^<]*)</text>")
TEXT_FILL = re.compile(r'\sfill="([^"]*)"')


def fill(attributes):
    found = TEXT_FILL.search(attributes)
    return found.group(1).lower() if found else ""


def svg_boxes(svg):
    """The boxes of a Graphviz SVG: (fill colour, [(text colour, text), ...]) each."""
    boxes = []
    for body in SVG_NODE.findall(svg):
        shape = SVG_FILL.search(body)
        texts = [(fill(attributes), html.unescape(text).strip())
                 for attributes, text in SVG_TEXT.findall(body)]
        boxes.append((fill(shape.group(0)) if shape else "", [t for t in texts if t[1]]))
    return boxes


def graph_alt(svg, language):
    """Alt text for a stored Graphviz picture, read from the picture itself.

    A tracegrad graph is recognised by its theme's colours: the output's box
    (its name, then its value in the value colour) and the inputs' boxes. Any
    other graph is described by its number of boxes and their first labels."""
    from tracegrad.drawing.dot import THEMES
    theme = THEMES["light"]
    w = WORDS[language]
    boxes = svg_boxes(svg)
    outputs = [texts for fill, texts in boxes if fill == theme["output"] and texts]
    if outputs:
        texts = outputs[-1]
        out = texts[0][1]
        value = next((f"; {out} = {t}" for colour, t in texts if colour == theme["value"]), "")
        names = [texts[0][1] for fill, texts in boxes if fill == theme["input"] and texts]
        return w["graph alt"].format(out=out, boxes=len(boxes), value=value,
                                     names=", ".join(names))
    labels = [" ".join(t for _, t in texts) for _, texts in boxes]
    shown = "; ".join(labels[:8]) + ("; …" if len(labels) > 8 else "")
    return w["svg alt"].format(boxes=len(boxes), labels=shown)


def svg_table(svg, language):
    """A tracegrad graph's boxes as the stepper's table rows (node, operation, value,
    gradient), read from the picture by its theme's colours, for a stepper stored
    before its state carried the table."""
    from tracegrad.drawing.dot import THEMES
    from tracegrad.words import words
    theme, rows = THEMES["light"], []
    for shape, texts in svg_boxes(svg):
        if not texts or shape == theme["constant"]:
            continue
        operation = next((t.lstrip("= ") for _, t in texts if t.startswith("= ")), "")
        rows.append([texts[0][1],
                     words(language)["column.input"] if shape == theme["input"] else operation,
                     next((t for colour, t in texts if colour == theme["value"]), ""),
                     next((t.rsplit(" = ", 1)[-1] for colour, t in texts
                           if colour == theme["grad"]), "")])
    return rows


def svg_text_form(svg, listing):
    """The graph as text: its stored listing, or (for a picture stored without one,
    such as an IPython SVG object) each box's labels, one box a line."""
    if listing and not re.fullmatch(r"<[^>]*object[^>]*>", listing.strip()):
        return listing
    return "\n".join(" ".join(t for _, t in texts) for _, texts in svg_boxes(svg))


def describe_pictures(nb, language):
    """Put alt text and the text form of every stored SVG graph where the page
    template (index.html.j2, block data_svg) reads them: the output's metadata."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/svg+xml" in data:
                svg = data["image/svg+xml"]
                # a notebook's graph HTML (the SVG named, its table): the site shows the
                # SVG its own way instead (alt text, text form, a scroll box)
                if 'class="tracegrad-graph"' in "".join(data.get("text/html", "")):
                    del data["text/html"]
                output.setdefault("metadata", {})["tracegrad_site"] = {
                    "alt": graph_alt(svg, language),
                    "text": svg_text_form(svg, data.get("text/plain", ""))}
    return nb


STATIC_DATA = re.compile(r'<script type="application/json" class="tg-data">(.*?)</script>',
                         re.DOTALL)
STATIC_SVG = re.compile(r'<div class="tg-static-svg">(.*?)</div>\s*<script type="module">',
                        re.DOTALL)


def current_front_end(nb, language):
    """Every stored stepper snippet, rewritten with today's front end.

    A notebook stores the stepper's state (its steps, lines and picture) with the
    JavaScript of the day it ran. The page gets that state with the current
    ``tracegrad.js``, so fixes to the widget (speaking to screen readers, the
    keyboard) reach the site without re-running the lectures; what older state
    lacks (its language, its summary, new words) is filled in here."""
    from tracegrad.drawing.dot import THEMES
    from tracegrad.widgets.frontend import FRONT_END_WORDS, static_html
    from tracegrad.words import words
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            snippet = "".join(output.get("data", {}).get("text/html", ""))
            if "data-tg-static" not in snippet:
                continue
            data = json.loads(STATIC_DATA.search(snippet).group(1))
            svg = STATIC_SVG.search(snippet)
            data.setdefault("language", language)
            kind = data.get("kind", "stepper")         # the explorer's state is its own
            if kind == "stepper":
                theme = next((t for t in THEMES.values()
                              if set(data["hidden"]) & set(t.values())), THEMES["light"])
                data["highlight"] = theme["highlight"]     # today's ring (3:1 on every node)
                data["words"] = {**{k: words(language)[k] for k in FRONT_END_WORDS},
                                 **data["words"]}
                if svg and not data.get("summary"):
                    data["summary"] = graph_alt(svg.group(1), language)
                    data["table"] = svg_table(svg.group(1), language)
            output["data"]["text/html"] = static_html(data, svg.group(1) if svg else None,
                                                      classes=f"tracegrad-{kind}")
    return nb


def accessible(page, language):
    """The exported page, made keyboard- and screen-reader-friendly where the lab
    template is not: no tab stop on every cell and output, real alt text on plots."""
    from bs4 import BeautifulSoup
    soup = BeautifulSoup(page, features="html.parser")
    for element in soup.select("div.jp-Cell-inputWrapper[tabindex], "
                               "div.jp-OutputArea-output[tabindex]"):
        del element["tabindex"]          # the page's script gives one back to a box that scrolls
    for img in soup.select(f'img[alt="{PLACEHOLDER_ALT}"]'):
        img["alt"] = WORDS[language]["plot alt"]
    return str(soup)


def exporter():
    from nbconvert import HTMLExporter
    return HTMLExporter(extra_template_basedirs=[str(TEMPLATES)], template_name="tracegrad_site",
                        theme="light", widget_renderer_url="../_static/widgets/embed.js")


def build_lecture(export, language, notebooks, i, out):
    import nbformat
    notebook = notebooks[i]
    nb = without_kernel(nbformat.read(notebook, as_version=4))
    nb = describe_pictures(nb, language)
    nb = current_front_end(nb, language)
    nb.metadata["title"] = title(notebook)
    export.language_code = language            # <html lang="...">: nbconvert's default is "en"
    resources = {"metadata": {"name": notebook.stem}, "language_code": language,
                 "site": {"static": "../_static", "nav": nav(language, notebooks, i),
                          "listing": WORDS[language]["graph listing"]}}
    page, _ = export.from_notebook_node(nb, resources=resources)
    page = accessible(page, language)
    page = NOTEBOOK_LINK.sub(lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', page)
    (out / language / f"{notebook.stem}.html").write_text(page, encoding="utf-8")


def index_page(language, body_html, home=""):
    w = WORDS[language]
    return f"""<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(w["title"])}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 50em; margin: 2em auto; padding: 0 1em;
       line-height: 1.5; color: #222; }}
li {{ margin: 0.3em 0; }}
.tg-site-language {{ float: right; }}
.tg-site-note {{ color: #555; }}
a {{ color: #0b57d0; text-decoration: underline; }}
</style>
</head>
<body>
<main>
{home}
{body_html}
</main>
</body>
</html>
"""


def build_indexes(out):
    lists = {}
    for language in LANGUAGES:
        w = WORDS[language]
        items = "\n".join(f'<li>{link(nb.stem + ".html", title(nb))}</li>' for nb in lectures(language))
        other = [link(f"../{o}/index.html", WORDS[o]["language"]) for o in LANGUAGES if o != language]
        body = (f'<p class="tg-site-language">{" · ".join(other)}</p>\n'
                f'<h1>{html.escape(w["title"])}</h1>\n'
                f'<p class="tg-site-note">{html.escape(w["offline"])}</p>\n'
                f'<ol class="tg-site-lectures" start="0">\n{items}\n</ol>')
        (out / language / "index.html").write_text(index_page(language, body), encoding="utf-8")
        lists[language] = (f'<h2 lang="{language}">{link(f"{language}/index.html", w["title"])}</h2>\n'
                           + f'<ol start="0" lang="{language}">\n' + items.replace('href="', f'href="{language}/')
                           + "\n</ol>")
    body = '<h1>tracegrad</h1>\n' + "\n".join(lists[language] for language in LANGUAGES)
    (out / "index.html").write_text(index_page("uk", body), encoding="utf-8")


# A page may link anywhere (a reader clicks), but what it *loads* must be local.
LOADS = re.compile(r'<(?:script|img|iframe|audio|video|source|embed)\b[^>]*\ssrc="([^"]*)"'
                   r'|<link\b[^>]*\shref="([^"]*)"|@import\s+(?:url\()?["\']?([^"\')\s;]+)'
                   r'|url\(["\']?((?:https?:)?//[^"\')]+)'
                   r'|["\'](https?://[^"\'\s]+\.(?:m?js|css|woff2?|wasm))["\']')


def remote_loads(page):
    """Every URL a page would load from outside the site."""
    urls = [next(g for g in m.groups() if g) for m in LOADS.finditer(page)]
    return [u for u in urls if re.match(r"(?:[a-z][a-z0-9+.-]*:)?//", u, re.IGNORECASE)]


def build(out):
    out = pathlib.Path(out)
    shutil.rmtree(out, ignore_errors=True)
    copy_assets(out)
    export = exporter()
    count = 0
    for language in LANGUAGES:
        (out / language).mkdir(parents=True, exist_ok=True)
        notebooks = lectures(language)
        for i in range(len(notebooks)):
            build_lecture(export, language, notebooks, i, out)
            count += 1
    build_indexes(out)
    leaks = {str(p.relative_to(out)): remote_loads(p.read_text(encoding="utf-8"))
             for p in out.rglob("*.html")}
    leaks = {page: urls for page, urls in leaks.items() if urls}
    if leaks:
        sys.exit(f"site: pages would load files from outside the site: {leaks}")
    print(f"site: {count} lectures and {len(LANGUAGES) + 1} indexes in {out}")


if __name__ == "__main__":
    build(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build" / "site")
