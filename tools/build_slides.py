"""Every lecture as a reveal.js deck, offline: ``make slides`` -> build/slides/{uk,en}/.

    python tools/build_slides.py build/slides

nbconvert's slides exporter turns each stored notebook (nothing is re-run) into
``NN_name.slides.html``; tools/slides_template/ makes it load reveal.js, MathJax 3
and the widgets' embed.js from ``build/slides/_static/`` (copied, with their
licences, from the npm packages that tools/vendor.py fetched), never from a CDN.

Where slides begin: a Markdown cell that opens with a ``#`` or ``##`` heading starts
one; everything else goes on the current slide. The lecture's source can say
otherwise per cell (``%% uk slide=no``, see OPTIONS in lectures/build.py), and the
Colab install cell is left out. Speaker notes (the ``S`` key): a cell marked
``slide=notes``, or what follows a line ``<!-- notes -->`` in a Markdown cell.
tracegrad's widgets are shown as on the static site: the stepper steps in the page.
"""
import pathlib
import re
import shutil
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
LECTURES = ROOT / "lectures"
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(LECTURES))
import build  # noqa: E402  (lectures/build.py: the source format)
import build_site  # noqa: E402  (the site's assets and its widgets without a kernel)

sys.path[:2] = []

TEMPLATES = ROOT / "tools" / "slides_template"
REVEAL = ["dist/reveal.css", "dist/reveal.js", "dist/theme/white.css",
          "dist/plugin/notes.js", "LICENSE"]
NOTES = "<!-- notes -->"
TYPES = {"yes": "slide", "no": "-", "skip": "skip", "notes": "notes"}


def copy_assets(out):
    build_site.copy_assets(out)                      # MathJax and the widgets, into _static/
    for name in REVEAL:
        path = build_site.NPM / "reveal.js" / name
        if not path.exists():
            sys.exit(f"slides: {path.relative_to(ROOT)} is missing: run `python tools/vendor.py`.")
        target = out / "_static" / "reveal" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)


def source_options(notebook, nb, language):
    """The ``slide=`` option of each cell, from the lecture's source, if the stored
    notebook is the one the source builds (else none: it is out of date)."""
    source = LECTURES / "src" / f"{notebook.stem}.txt"
    if not source.exists():
        return [None] * len(nb.cells)
    cells = [c for c in build.parse(source, with_options=True)
             if c[0] in ("code", "exercise") or c[0] == language]
    if len(cells) != len(nb.cells):
        print(f"slides: {notebook} is out of date with its source; headings only",
              file=sys.stderr)
        return [None] * len(nb.cells)
    return [(c[2].get("slide") or [None])[0] for c in cells]


def slide_type(cell, option, first):
    if option:
        return TYPES[option]
    if first:
        return "slide"
    if cell.cell_type == "code" and "google.colab" in cell.source:
        return "skip"                                # the install cell
    if cell.cell_type == "markdown" and re.match(r"#{1,2} ", cell.source.lstrip()):
        return "slide"
    return "-"


def as_slides(nb, options):
    """The notebook with nbconvert's slideshow metadata on every cell, and speaker
    notes split off the Markdown cells that mark them."""
    cells = []
    for i, (cell, option) in enumerate(zip(nb.cells, options)):
        notes = None
        if cell.cell_type == "markdown" and NOTES in cell.source:
            cell.source, notes = (part.strip() for part in cell.source.split(NOTES, 1))
        cell.metadata["slideshow"] = {"slide_type": slide_type(cell, option, i == 0)}
        cells.append(cell)
        if notes:
            note = nbformat.v4.new_markdown_cell(notes)
            note.metadata["slideshow"] = {"slide_type": "notes"}
            cells.append(note)
    nb.cells = cells
    return nb


def exporter():
    from nbconvert import SlidesExporter
    return SlidesExporter(extra_template_basedirs=[str(TEMPLATES)], template_name="tracegrad_slides",
                          reveal_url_prefix="../_static/reveal", reveal_theme="white",
                          widget_renderer_url="../_static/widgets/embed.js")


def build_deck(export, notebook, language, out):
    nb = nbformat.read(notebook, as_version=4)
    nb = as_slides(build_site.without_kernel(nb), source_options(notebook, nb, language))
    nb.metadata["title"] = build_site.title(notebook)
    resources = {"metadata": {"name": notebook.stem}, "language_code": language,
                 "slides": {"static": "../_static"}}
    deck, _ = export.from_notebook_node(nb, resources=resources)
    target = out / language / f"{notebook.stem}.slides.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(deck, encoding="utf-8")
    return target


def build_all(out, only=()):
    out = pathlib.Path(out)
    shutil.rmtree(out, ignore_errors=True)
    copy_assets(out)
    export = exporter()
    decks = [build_deck(export, notebook, language, out)
             for language in build_site.LANGUAGES for notebook in build_site.lectures(language)
             if not only or notebook.stem.startswith(tuple(only))]
    leaks = {str(d.relative_to(out)): build_site.remote_loads(d.read_text(encoding="utf-8"))
             for d in decks}
    leaks = {deck: urls for deck, urls in leaks.items() if urls}
    if leaks:
        sys.exit(f"slides: decks would load files from outside: {leaks}")
    print(f"slides: {len(decks)} decks in {out}")
    return decks


if __name__ == "__main__":
    build_all(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build" / "slides", sys.argv[2:])
