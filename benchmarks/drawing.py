"""How long pictures take: recording, laying out with Graphviz, stepping a widget.

    python benchmarks/drawing.py            # every case
    python benchmarks/drawing.py --quick    # the two lecture programs only (a smoke run)

Each case is timed as the best of a few runs, split into the three costs a
student waits for: recording the program (``tg.graph``), Graphviz's layout
(``.svg()``), and building the stepper widget (its steps then run in the page).
There is no baseline to divide by: these are wall-clock seconds on this
machine, reported next to the number of nodes drawn.
"""
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from problems import MLP_SMALL, chain, make_loss_fun, mlp_problem  # noqa: E402

import tracegrad as tg  # noqa: E402
import tracegrad.numpy as tnp  # noqa: E402


def best(f, repeats=3):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - start)
    return min(times), result


# ---- the programs drawn --------------------------------------------------------

def one_neuron_per_layer(w1, b1, w2, b2, w3, b3, x=0.8, y=1.0):
    a = x
    for w, b in ((w1, b1), (w2, b2), (w3, b3)):
        z = w * a + b
        a = tg.nn.sigmoid(z)
    return (a - y) ** 2


def chain_of(steps):
    """problems.chain: 5 operations a step, so about 5·steps nodes."""
    return lambda v: chain(v, tnp.sin, tnp.tanh, steps)


def cases():
    params, x, y = mlp_problem(**MLP_SMALL)
    loss_fun = make_loss_fun(tnp)
    yield ("lecture: one neuron per layer", lambda: tg.graph(
        one_neuron_per_layer, argnums=(0, 1, 2, 3, 4, 5))(0.6, 0.1, -1.2, 0.9, 1.4, -0.1))
    yield ("lecture MLP {sizes}, batch {batch}".format(**MLP_SMALL),
           lambda: tg.graph(loss_fun)(params, x, y))
    yield "chain, 59 steps", lambda: tg.graph(chain_of(59))(0.3)
    yield "chain, 199 steps (max_nodes=1000)", lambda: tg.graph(chain_of(199), max_nodes=1000)(0.3)
    yield "chain, 2,000 steps (cut to 300)", lambda: tg.graph(chain_of(2000))(0.3)


def main():
    quick = "--quick" in sys.argv[1:]
    rows = []
    for name, make in list(cases())[:2 if quick else None]:
        record, graph = best(make)
        layout, svg = best(graph.svg)
        drawn = len(re.findall(r'class="node"', svg))
        build = ""
        if graph.steps and len(graph.nodes) <= 1000:
            # A step itself is the page's work (the widget's JavaScript recolours the
            # SVG it was given); in Python a stepper costs its construction: the
            # chain-rule line of every step and the picture's layout.
            seconds, stepper = best(lambda graph=graph: tg.widgets.stepper(graph))
            build = f"{seconds * 1e3:.0f} ms for {len(stepper.order)} steps"
        rows.append((name, len(graph.nodes), drawn, f"{record * 1e3:.1f} ms",
                     f"{layout * 1e3:.0f} ms", build))
    header = ("program", "nodes recorded", "boxes drawn", "record", "layout (dot -Tsvg)",
              "stepper: build")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    for r in [header] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))


if __name__ == "__main__":
    main()
