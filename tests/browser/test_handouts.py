"""Lecture 04's handouts (tools/build_handouts.py, `make handouts`): printed by Chromium
from the static site (`make site`, built first if missing), offline, then read back
with pypdf. What the PDF must hold is read independently from the lecture's source:
its Ukrainian title, a hint's text (hints print open), a graph's labels (graphs
print as vectors, their labels as text), on A4; and what it must not: the install cell."""
import pathlib
import re
import subprocess
import sys

import pytest

from .lab import require_chromium

ROOT = pathlib.Path(__file__).resolve().parents[2]
SITE = ROOT / "build" / "site"

require_chromium()
pytest.importorskip("playwright.sync_api")
pypdf = pytest.importorskip("pypdf")


@pytest.fixture(scope="module")
def handouts(tmp_path_factory):
    if not (SITE / "uk" / "04_backprop.html").exists():
        subprocess.run([sys.executable, str(ROOT / "tools" / "build_site.py"), str(SITE)],
                       check=True)
    out = tmp_path_factory.mktemp("handouts")
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_handouts.py"), "04",
                    "--language", "uk", "--site", str(SITE), "--out", str(out)], check=True)
    return out


def source_text():
    return (ROOT / "lectures" / "src" / "04_backprop.txt").read_text(encoding="utf-8")


def squeeze(text):
    return re.sub(r"\s+", "", text)


def test_the_ukrainian_handout_prints_the_lecture(handouts):
    reader = pypdf.PdfReader(handouts / "uk" / "04_backprop.pdf")
    box = reader.pages[0].mediabox           # A4 is 210 × 297 mm = 595.3 × 841.9 pt
    assert abs(float(box.width) - 595.3) < 2 and abs(float(box.height) - 841.9) < 2
    pages = [page.extract_text() or "" for page in reader.pages]
    assert 5 <= len(pages) <= 80, f"{len(pages)} pages"
    assert all(text.strip() for text in pages), \
        f"blank pages: {[i + 1 for i, t in enumerate(pages) if not t.strip()]}"
    whole = squeeze("".join(pages))
    title = re.search(r"^%% uk\n# (.+)$", source_text(), re.M)[1]
    assert squeeze(title) in whole, f"the title {title!r} is not in the text layer"
    hint = re.search(r"<summary>Підказка[^<]*</summary>\n\n(.+)\n", source_text())[1]
    first_words = hint.replace("`", "")[:30]
    assert squeeze(first_words) in whole, "a hint did not print open"
    assert "∂C₀/∂" in "".join(pages), "the graphs' labels are not text"
    assert "google.colab" not in whole, "the install cell was printed"


def test_formulas_symbols_are_in_the_text_layer(handouts):
    """A formula prints as characters of MathJax's fonts, not as outlines: the source's
    ``C_0 = \\sum_{j}`` and ``\\sigma(z`` can be found in the PDF's text."""
    source = source_text()
    assert r"C_0 = \sum_{j}" in source and r"\sigma(z" in source   # what the formulas say
    pages = [page.extract_text() or "" for page in pypdf.PdfReader(
        handouts / "uk" / "04_backprop.pdf").pages]
    whole = squeeze("".join(pages))
    assert "C0=∑" in whole, "the formula C₀ = ∑ⱼ … is not in the text layer"
    assert "σ(z" in whole, "the formula σ(z⁽ᴸ⁾) is not in the text layer"

