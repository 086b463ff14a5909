"""The lectures as printable handouts: ``make handouts`` -> build/handouts/{uk,en}/NN_name.pdf.

    python tools/build_handouts.py [--site build/site] [--out build/handouts] [04 ...]

Chromium (the one the browser tests drive) prints each page of the static site
(``make site``) to an A4 PDF, offline: every request that leaves this machine is
aborted. Before printing, the page gets tools/handouts/print.css and a few changes
that only make sense on paper: every hint (``<details>``) open, each stepper moved
to its last step (a still), the Colab/JupyterLite install cell left out, and a box
to write in under each exercise. Graphs are the page's inline SVG, so they print
as vectors; the text is real text (Cyrillic included), and so are the graphs'
labels. Formulas are typeset for paper by MathJax's CommonHTML output instead
of the site's SVG output (the script is swapped as the page loads it): its
symbols are characters of MathJax's own fonts, which Chromium embeds, so a
formula's symbols are in the PDF's text layer (∂, σ, ∑ can be searched and
copied), where SVG output would leave only outlines.
"""
import argparse
import functools
import http.server
import pathlib
import sys
import threading
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parents[1]
PRINT_CSS = ROOT / "tools" / "handouts" / "print.css"
MATHJAX = ROOT / "build" / "npm" / "mathjax" / "es5"           # tools/vendor.py unpacks it
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--no-first-run"]

FOR_PAPER = """async () => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('.jp-CodeCell').forEach(cell => {
    const code = cell.querySelector('.jp-InputArea');
    if (code && code.textContent.includes('google.colab')) cell.classList.add('tg-install-cell');
  });
  for (const stepper of document.querySelectorAll('.tracegrad-stepper')) {
    const next = stepper.querySelector('[data-action=next]');
    for (let i = 0; next && !next.disabled && i < 500; i++) {
      next.click();
      await new Promise(r => setTimeout(r, 0));
    }
  }
  if (window.MathJax && MathJax.typesetPromise) await MathJax.typesetPromise();
  return true;
}"""


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder):
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def keep_local(context):
    """Abort every request that leaves this machine: a handout prints what the site holds.

    Formulas for paper: the site's MathJax (``mathjax/tex-svg.js``) is answered
    with the same release's CommonHTML build, and its font files, which it asks
    for beside itself, from the vendored package.
    """
    def route(r):
        url = r.request.url
        host = urllib.parse.urlsplit(url).hostname or ""
        if url.startswith(("http", "ws")) and host not in ("127.0.0.1", "localhost"):
            return r.abort()
        path = urllib.parse.urlsplit(url).path
        if path.endswith("/mathjax/tex-svg.js"):
            return r.fulfill(path=str(MATHJAX / "tex-chtml.js"),
                             content_type="text/javascript")
        if "/mathjax/output/chtml/fonts/" in path:
            font = MATHJAX / "output" / "chtml" / "fonts" / path.rsplit("/fonts/", 1)[1]
            if font.is_file():
                return r.fulfill(path=str(font), content_type="font/woff")
        return r.continue_()
    context.route("**/*", route)


def print_page(page, url, target):
    response = page.goto(url)
    if not response.ok:
        sys.exit(f"handouts: {url} answered {response.status}")
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("() => MathJax.startup.promise")
    page.add_style_tag(path=str(PRINT_CSS))
    page.evaluate(FOR_PAPER)
    page.emulate_media(media="print")
    target.parent.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(target), format="A4", print_background=True, prefer_css_page_size=True,
             display_header_footer=True, header_template="<span></span>",
             footer_template='<div style="font-size:8px;width:100%;text-align:center">'
                             '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')


def build(site, out, only=(), languages=("uk", "en")):
    from playwright.sync_api import sync_playwright
    site, out = pathlib.Path(site), pathlib.Path(out)
    pages = [p for language in languages for p in sorted((site / language).glob("[0-9]*.html"))
             if not only or p.stem.startswith(tuple(only))]
    if not pages:
        sys.exit(f"handouts: no lecture pages in {site}: run `make site` first")
    if not (MATHJAX / "tex-chtml.js").exists():
        sys.exit("handouts: build/npm/mathjax is missing: run `python tools/vendor.py` "
                 "(or `make handouts`, which does)")
    server = serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    written = []
    try:
        with sync_playwright() as p:
            import shutil
            browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                        headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1000, "height": 1400})
            keep_local(context)
            page = context.new_page()
            for html in pages:
                target = out / html.parent.name / f"{html.stem}.pdf"
                print_page(page, base + f"{html.parent.name}/{html.name}", target)
                written.append(target)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    print(f"handouts: {len(written)} PDFs in {out}")
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("only", nargs="*")
    parser.add_argument("--site", default=ROOT / "build" / "site")
    parser.add_argument("--out", default=ROOT / "build" / "handouts")
    parser.add_argument("--language", choices=("uk", "en"), action="append")
    args = parser.parse_args(argv)
    build(args.site, args.out, args.only, args.language or ("uk", "en"))


if __name__ == "__main__":
    main()
