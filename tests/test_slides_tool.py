"""Where slides begin and what becomes speaker notes (tools/build_slides.py); the
decks themselves are opened in a browser by tests/browser/test_slides.py."""
import importlib.util
import pathlib

import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent


def load_tool():
    path = ROOT / "tools" / "build_slides.py"
    spec = importlib.util.spec_from_file_location("build_slides", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = load_tool()


def kinds(nb):
    return [(c.cell_type, c.metadata["slideshow"]["slide_type"]) for c in nb.cells]


def test_headings_start_slides_and_the_install_cell_is_skipped():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 09. Title\n\nintro"),
                nbformat.v4.new_code_cell('if "google.colab" in sys.modules:\n    pass'),
                nbformat.v4.new_markdown_cell("## 1. A section"),
                nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_markdown_cell("### A smaller heading stays"),
                nbformat.v4.new_markdown_cell("text\n\n<!-- notes -->\nSay this aloud.")]
    out = tool.as_slides(nb, [None] * 6)
    assert kinds(out) == [("markdown", "slide"), ("code", "skip"), ("markdown", "slide"),
                          ("code", "-"), ("markdown", "-"), ("markdown", "-"),
                          ("markdown", "notes")]
    assert out.cells[5].source == "text" and out.cells[6].source == "Say this aloud."


def test_the_source_can_say_otherwise():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# T"), nbformat.v4.new_markdown_cell("## kept"),
                nbformat.v4.new_markdown_cell("plain"), nbformat.v4.new_markdown_cell("aside")]
    out = tool.as_slides(nb, [None, "no", "yes", "notes"])
    assert [k for _, k in kinds(out)] == ["slide", "-", "slide", "notes"]


def test_options_come_from_the_lectures_source():
    notebook = ROOT / "lectures" / "en" / "08_rules.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    assert tool.source_options(notebook, nb, "en") == [None] * len(nb.cells)
