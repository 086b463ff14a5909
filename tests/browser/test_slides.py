"""A lecture's reveal.js deck (tools/build_slides.py, `make slides`) in headless Chromium,
offline: every request to another host is aborted and fails the test. Lecture 04's
decks are built here (a few seconds); what is counted on a deck is counted
independently in the notebook's JSON: its # and ## headings (one slide each)."""
import json
import pathlib
import re
import subprocess
import sys

import pytest

from .lab import StaticServer, keep_local, launch_browser, require_chromium

ROOT = pathlib.Path(__file__).resolve().parents[2]
LECTURES = ROOT / "lectures"

require_chromium()
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    out = tmp_path_factory.mktemp("slides")
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_slides.py"), str(out), "04"],
                   check=True)
    server = StaticServer(out)
    yield server
    server.stop()


def headings(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return sum(1 for c in cells if c["cell_type"] == "markdown"
               and re.match(r"#{1,2} ", "".join(c["source"]).lstrip()))


@pytest.mark.parametrize("language", ["uk", "en"])
def test_deck_has_a_slide_per_heading_math_and_a_stepper_that_steps(decks, language):
    notebook = next((LECTURES / language).glob("04_*.ipynb"))
    with playwright.sync_playwright() as p:
        browser = launch_browser(p)
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        left = keep_local(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        response = page.goto(decks.url(f"{language}/{notebook.stem}.slides.html"))
        assert response.ok
        page.wait_for_function("() => window.Reveal && Reveal.isReady()")
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("() => MathJax.startup.promise")
        assert page.evaluate("() => Reveal.getTotalSlides()") == headings(notebook)
        assert page.locator("mjx-container").count() > 0, "no formula was typeset"

        # go to the slide that holds the stepper, and step it there
        page.evaluate("""() => {
            const s = document.querySelector('.tracegrad-stepper').closest('section');
            const i = Reveal.getIndices(s); Reveal.slide(i.h, i.v);
        }""")
        stepper = page.locator(".reveal section.present .tracegrad-stepper").first
        stepper.wait_for(state="visible")
        chains = [stepper.locator(".tg-chain").inner_text()]
        for _ in range(2):
            stepper.locator("[data-action=next]").click()
            chains.append(stepper.locator(".tg-chain").inner_text())
        assert len(set(chains)) == 3, chains                     # a new chain-rule line each step
        assert page.evaluate("() => Reveal.getCurrentSlide().contains("
                             "document.querySelector('.tracegrad-stepper'))"), "it left the slide"
        browser.close()
    assert not left, f"requests left localhost: {left}"
    assert not errors, f"JavaScript errors in the deck: {errors}"
