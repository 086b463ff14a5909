"""How long the trace player takes: built once in Python, then stepped in the page.

    python benchmarks/player.py                # both programs, and the page (Chromium)
    python benchmarks/player.py --quick        # the small program only, fewer repeats
    python benchmarks/player.py --no-browser   # Python's side only

Python's side (best of a few runs): recording the program (``tg.graph``) and
building the player from the record (every step's line, which SVG element
appears at which step, the links between lines and nodes), with the picture
laid out by ``dot``, or left to the page (the DOT text is sent and Graphviz in
WebAssembly lays it out there).

The page's side, in headless Chromium when Playwright and Debian's chromium are
there: the player's HTML (``.html()``, as in an HTML export or on the site) is
opened from localhost, and every step is taken with the "next" button; a step's
time is the click plus the style and layout it causes (measured with
``performance.now()`` around the click and a forced layout), before the
frame is painted. "Without visible delay" means well under a frame (16 ms).
These are wall-clock times on this machine: there is no baseline to divide by.
"""
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drawing import best, one_neuron_per_layer  # noqa: E402  (the drawing benchmark's own)
from problems import MLP_SMALL, make_loss_fun, mlp_problem  # noqa: E402

import tracegrad as tg  # noqa: E402
import tracegrad.numpy as tnp  # noqa: E402
from tracegrad.widgets.player import TracePlayer  # noqa: E402


def mlp_one_example_at_a_time():
    """The lecture MLP (problems.make_loss_fun), its loss summed one example at a
    time over the batch: 12 operations an example, about 200 for 16."""
    params, x, y = mlp_problem(**MLP_SMALL)
    loss_fun = make_loss_fun(tnp)

    def loss(params, x, y):
        total = 0.0
        for k in range(len(x)):
            total = total + loss_fun(params, x[k:k + 1], y[k:k + 1])
        return total / len(x)
    return loss, (params, x, y)


def cases(quick):
    yield ("lecture: one neuron per layer", one_neuron_per_layer,
           (0.6, 0.1, -1.2, 0.9, 1.4, -0.1), (0, 1, 2, 3, 4, 5), {})
    if not quick:
        loss, args = mlp_one_example_at_a_time()
        name = "lecture MLP {sizes}, 16 examples one at a time".format(**MLP_SMALL)
        # 16 passes of the loop: drawn folded ("× 16"), or every node (fold=False)
        yield name, loss, args, 0, {}
        yield name + ", fold=False", loss, args, 0, {"fold": False}


def with_renderer(name, f):
    before = os.environ.get("TRACEGRAD_RENDERER")
    os.environ["TRACEGRAD_RENDERER"] = name
    try:
        return f()
    finally:
        if before is None:
            del os.environ["TRACEGRAD_RENDERER"]
        else:
            os.environ["TRACEGRAD_RENDERER"] = before


STEP_ALL = """async () => {
  const root = document.querySelector('.tracegrad-trace');
  const next = root.querySelector('[data-action=next]');
  const n = parseInt(root.querySelector('input[type=range]').max, 10);
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    next.click();
    root.getBoundingClientRect(); document.body.offsetHeight;   // style and layout, now
    times.push(performance.now() - t0);
    await new Promise(r => requestAnimationFrame(r));           // painted between steps
  }
  return times;
}"""


def in_the_page(players):
    """{name: (ms to the first picture, [ms per step])}, or a reason it was not measured."""
    try:
        from playwright.sync_api import sync_playwright

        from tests.browser.lab import CHROMIUM, StaticServer, keep_local, launch_browser
    except ImportError as e:
        return f"not measured: {e}"
    if not os.path.exists(CHROMIUM):
        return f"not measured: no chromium at {CHROMIUM}"
    found = {}
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as p:
        server = StaticServer(folder)
        browser = launch_browser(p)
        try:
            for name, player in players.items():
                page_name = f"{len(found)}.html"
                Path(folder, page_name).write_text(
                    "<!doctype html><html lang='en'><meta charset='utf-8'><title>player</title>"
                    f"<body>{player.html()}</body></html>", encoding="utf-8")
                context = browser.new_context(viewport={"width": 1300, "height": 900})
                tried = keep_local(context)
                page = context.new_page()
                start = time.perf_counter()
                page.goto(server.url(page_name))
                page.wait_for_selector(".tracegrad-trace svg g.node", timeout=60_000)
                first = time.perf_counter() - start
                found[name] = (first * 1e3, page.evaluate(STEP_ALL))
                context.close()
                assert not tried, tried
        finally:
            browser.close()
            server.stop()
    return found


def build(name, fun, args, argnums, options, quick):
    """One program's row (Python's side), and its two players for the page."""
    repeats = 1 if quick else 3
    record, graph = best(lambda: tg.graph(fun, argnums=argnums, **options)(*args), repeats)
    dot, _ = with_renderer("dot", lambda: best(lambda: TracePlayer(graph), repeats))
    page, player = with_renderer("browser", lambda: best(lambda: TracePlayer(graph), repeats))
    players = {f"{name} (dot)": with_renderer("dot", lambda: TracePlayer(graph)),
               f"{name} (WebAssembly)": player}
    row = (name, graph.num_ops, len(set(player.ring)), len(player.order),
           f"{record * 1e3:.1f} ms", f"{dot * 1e3:.0f} ms", f"{page * 1e3:.0f} ms")
    return row, players


def main():
    quick = "--quick" in sys.argv[1:]
    rows, players = [], {}
    for case in cases(quick):
        row, made = build(*case, quick)
        rows.append(row)
        players.update(made)
    header = ("program", "operations", "boxes ringed", "steps", "record", "build, dot layout",
              "build, layout in the page")
    table(header, rows)
    if "--no-browser" in sys.argv[1:]:
        return
    measured = in_the_page(players)
    print()
    if isinstance(measured, str):
        print(f"page: {measured}")
        return
    rows = [(name, len(times), f"{first:.0f} ms", f"{statistics.mean(times):.2f} ms",
             f"{statistics.median(times):.2f} ms", f"{max(times):.2f} ms")
            for name, (first, times) in measured.items()]
    table(("player in the page", "steps", "first picture", "step: mean", "median", "max"), rows)


def table(header, rows):
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    for r in [header] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))


if __name__ == "__main__":
    main()
