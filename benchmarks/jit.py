"""tg.jit against hand-written NumPy, with eager tracegrad side by side.

    .venv/bin/python benchmarks/jit.py            # full run
    .venv/bin/python benchmarks/jit.py --quick    # smoke run, shorter repeats

Every ratio is to the hand-written NumPy computation measured in the same
run, and every result is checked against that NumPy before it is timed.
The targets are issue 12's; nothing here asserts a speed. The report is
printed, and written to benchmarks/results-jit.md (--output PATH elsewhere).
"""
import argparse
import sys
import time
from pathlib import Path

from harness import (
    FULL,
    QUICK,
    Settings,
    WrongResult,
    best_times,
    check_close,
    fmt_ratio,
    fmt_seconds,
)

HERE = Path(__file__).resolve().parent
sys.path.insert(1, str(HERE.parent))           # benchmark this checkout's tracegrad

from problems import (  # noqa: E402
    CHAIN_OPS,
    TANH_POINTS,
    chain,
    hessian_problem,
    jacobian_problem,
    make_loss_fun,
    make_tanh,
    mlp_problem,
)
from run import chain_grad_numpy, mlp_grad_numpy, second_derivative_numpy  # noqa: E402

import tracegrad as tg  # noqa: E402
import tracegrad.numpy as tnp  # noqa: E402

# ---- the workloads: (hand-written NumPy, tracegrad function, its arguments) ----------

def chain_workload():
    return (lambda: chain_grad_numpy(0.5),
            tg.grad(lambda x: chain(x, tnp.sin, tnp.tanh)), (0.5,))


def mlp_workload(sizes, batch):
    problem = mlp_problem(sizes, batch)
    return (lambda: mlp_grad_numpy(*problem), tg.grad(make_loss_fun(tnp)), problem)


def hessian_workload():
    f, x, numpy_hessian = hessian_problem(tnp)
    return numpy_hessian, tg.hessian(f), (x,)


def jacobian_workload():
    f, x, numpy_jacobian = jacobian_problem(tnp)
    return numpy_jacobian, tg.jacrev(f), (x,)


def higher_order_workload():
    points = TANH_POINTS
    d2 = tg.grad(tg.grad(make_tanh(tnp)))
    return (lambda: second_derivative_numpy(points), d2, points)


def looped(fun, points):
    return lambda: [fun(x) for x in points]


WORKLOADS = [
    # name,            make,                                  target (ratio of jit to NumPy)
    ("chain",          chain_workload,                        "≤ 1.5×"),
    ("mlp_small",      lambda: mlp_workload([8, 16, 16, 1], 16),          "≤ 1.5×"),
    ("mlp_large",      lambda: mlp_workload([256, 512, 512, 10], 256),    "≤ 1.0×"),
    ("hessian_32",     hessian_workload,                      "< torch's best (86×)"),
    ("jacobian_64",    jacobian_workload,                     "< torch's best (36×)"),
    ("grad_grad_tanh", higher_order_workload,                 "≤ jax.jit (15×)"),
]
TARGETS = {"chain": 1.5, "mlp_small": 1.5, "mlp_large": 1.0, "hessian_32": 86.0,
           "jacobian_64": 36.0, "grad_grad_tanh": 15.0}


def run_workload(name, make, settings):
    numpy_fn, fun, args = make()
    jitted = tg.jit(fun)
    if name == "grad_grad_tanh":                # one scalar at a time, in a Python loop
        eager_fn, jit_fn = looped(fun, args), looped(jitted, args)
    else:
        eager_fn, jit_fn = (lambda: fun(*args)), (lambda: jitted(*args))
    want = numpy_fn()
    start = time.perf_counter()
    first = jit_fn()                            # trace + compile (+ the other points)
    first_seconds = time.perf_counter() - start
    for label, fn, result in [("jit, first call", None, first), ("jit", jit_fn, None),
                              ("eager", eager_fn, None)]:
        check_close(f"{name} {label}", result if fn is None else fn(), want, 1e-10)
    times = best_times({"numpy": numpy_fn, "jit": jit_fn, "eager": eager_fn}, settings)
    info = jitted.cache_info()
    return times, first_seconds, info


def first_call_rows(settings):
    """Trace + compile cost: the lecture MLP against one eager call, and the 6,000-op chain.

    A first call is timed on a fresh ``tg.jit`` each time (so each one traces
    and compiles), the same way as the eager call: best of repeats, the two
    taking turns. Results are checked once, outside the timed calls.
    """
    rows = []
    problem = mlp_problem([8, 16, 16, 1], 16)
    grad = tg.grad(make_loss_fun(tnp))
    check_close("mlp first call", tg.jit(grad)(*problem), mlp_grad_numpy(*problem), 1e-10)
    # Three times the usual repeats: a first call is short and noisy on a shared machine.
    more = Settings(3 * settings.repeat, settings.min_time, settings.import_runs)
    times = best_times({"eager": lambda: grad(*problem),
                        "first": lambda: tg.jit(grad)(*problem)}, more)
    first, eager = times["first"], times["eager"]
    rows.append(("first call, lecture MLP", fmt_seconds(first),
                 f"{first / eager:.1f}× one eager call ({fmt_seconds(eager)})",
                 "≤ 5× one eager call", "yes" if first <= 5 * eager else "no"))
    chain_grad = tg.grad(lambda x: chain(x, tnp.sin, tnp.tanh))
    firsts = []
    for _ in range(settings.repeat):
        jitted = tg.jit(chain_grad)
        start = time.perf_counter()
        out = jitted(0.5)
        firsts.append(time.perf_counter() - start)
        check_close("chain first call", out, chain_grad_numpy(0.5), 1e-10)
    first = min(firsts)
    rows.append((f"first call, {CHAIN_OPS:,}-op chain", fmt_seconds(first),
                 f"best of {len(firsts)}", "≤ 1 s", "yes" if first <= 1.0 else "no"))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    settings = QUICK if args.quick else FULL
    import os
    load = os.getloadavg()
    lines = ["# tg.jit benchmarks", "",
             f"Load average at start: {load[0]:.1f} on {os.cpu_count()} CPUs"
             + (" (busy machine: numbers are noisy)" if load[0] > 1 else "") + ".", "",
             "| workload | numpy (hand-written) | jit | jit ÷ numpy | eager ÷ numpy | target "
             "(jit) | meets | jit cache |",
             "|---|---|---|---|---|---|---|---|"]
    failed = False
    for name, make, target in WORKLOADS:
        print(f"{name} ...", flush=True)
        try:
            times, first, info = run_workload(name, make, settings)
        except WrongResult as e:
            lines.append(f"| {name} | WRONG RESULT: {e} | | | | {target} | no | |")
            failed = True
            continue
        ratio = times["jit"] / times["numpy"]
        lines.append(f"| {name} | {fmt_seconds(times['numpy'])} | {fmt_seconds(times['jit'])} "
                     f"| {fmt_ratio(ratio)} | {fmt_ratio(times['eager'] / times['numpy'])} "
                     f"| {target} | {'yes' if ratio <= TARGETS[name] else 'no'} "
                     f"| {info.traces} trace(s), first call {fmt_seconds(first)} |")
    lines += ["", "| first call (trace + compile) | measured | ratio | target | meets |",
              "|---|---|---|---|---|"]
    for row in first_call_rows(settings):
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "Every result was checked against the hand-written NumPy to 1e-10 before "
              "timing. Timing: best of repeats, the three variants taking turns "
              "(benchmarks/harness.py). Peer figures (torch, jax.jit) are from issue 12's "
              "reference run, not measured here."]
    report = "\n".join(lines) + "\n"
    print(report)
    args.output.write_text(report, encoding="utf-8")
    if args.output == DEFAULT_OUTPUT:
        side_by_side(report)
    return 1 if failed else 0


DEFAULT_OUTPUT = HERE / "results-jit.md"
SECTION = "## tg.jit: jitted and eager side by side"


def side_by_side(report, results=HERE / "results.md"):
    """Put this report into results.md, beside run.py's eager figures.

    ``make bench`` runs run.py (which rewrites results.md) and then this
    script, which replaces its own section there, or adds it at the end.
    """
    if not results.exists():
        return
    text = results.read_text(encoding="utf-8")
    text = text.split("\n" + SECTION + "\n")[0].rstrip("\n")
    body = report.split("\n", 1)[1].lstrip("\n")      # without its "# tg.jit benchmarks"
    results.write_text(f"{text}\n\n{SECTION}\n\nFrom `benchmarks/jit.py`, run by "
                       f"`make bench` after `run.py`.\n\n{body}", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
