"""Benchmarks for tracegrad.

    python benchmarks/run.py               # full run, about half a minute
    python benchmarks/run.py --quick       # smoke run, under 20 s
    python benchmarks/run.py --only chain  # one benchmark (comma-separate several)

Every speed is reported as a ratio to a baseline measured in the same run
(usually the same computation written by hand in plain NumPy), so numbers from
different machines can be compared.  Nothing here asserts a speed: targets are
printed next to the measurements, for you to read.  See benchmarks/README.md.

Every implementation's result is checked against the baseline BEFORE it is
timed: timing a wrong computation would be worthless.
"""

import argparse
import gc
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from harness import (
    FULL,
    QUICK,
    Row,
    WrongResult,
    best_times,
    check_close,
    fmt_ratio,
    fmt_seconds,
    machine_info,
    markdown_table,
    try_import,
    write_report,
    yes_no,
)
from problems import (
    CHAIN_OPS,
    CHAIN_STEPS,
    MLP_LARGE,
    MLP_SMALL,
    TANH_POINTS,
    chain,
    make_loss_fun,
    make_tanh,
    mlp_problem,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(1, str(ROOT))          # benchmark this checkout's tracegrad


# ===========================================================================
# The libraries under test
# ===========================================================================
# Each benchmark compares up to four implementations of one computation:
#   numpy      hand-written forward + backward: the baseline (ratio 1.00×)
#   tracegrad  the library under test
#   autograd   HIPS autograd, the classic NumPy-tracing autodiff  (optional)
#   torch      PyTorch eager mode                                 (optional)
# Peers that are not installed are skipped with a note; nothing is installed.

def load_tracegrad():
    import tracegrad as tg
    import tracegrad.numpy as tnp
    return tg, tnp


def load_autograd():
    autograd = try_import("autograd")
    if autograd is None:
        return None
    import autograd.numpy as anp
    return autograd, anp


def load_torch():
    """torch, or None. Looked up first, so a missing torch costs nothing."""
    if importlib.util.find_spec("torch") is None:
        return None
    return try_import("torch")


class Skipped(Exception):
    """An optional peer is not installed."""


def require(loaded, name):
    if loaded is None:
        raise Skipped(f"{name} not installed")
    return loaded


def measure(baseline, candidates, want, settings, tol=1e-10):
    """Check each candidate against `want`, then time the correct ones
    together with the baseline.

    `baseline` is (name, fn); `candidates` is a list of (name, make), where
    make() builds a zero-argument function computing the gradient(s).
    Returns {name: seconds per call, or a string saying why there is none},
    baseline first.  A wrong candidate is not timed.
    """
    fns, reasons = dict([baseline]), {}
    for name, make in candidates:
        try:
            fn = make()
            check_close(name, fn(), want, tol)
            fns[name] = fn
        except Skipped as e:
            reasons[name] = f"skipped: {e}"
        except WrongResult as e:
            reasons[name] = f"WRONG RESULT, not timed: {e}"
        except Exception as e:
            reasons[name] = f"ERROR: {type(e).__name__}: {e}"
    times = best_times(fns, settings)
    names = [baseline[0]] + [name for name, _ in candidates]
    return {name: times.get(name, reasons.get(name)) for name in names}


def ratio_rows(bench, results, baseline, show, target=("", None)):
    """Table rows for `results` ({name: seconds, or why there is none}).

    `show(seconds)` formats a measurement; ratios are to `baseline` seconds.
    `target` is (text, met) where met(seconds) -> bool, or None when there is
    no verdict; it goes on the tracegrad row only.
    """
    rows = []
    for name, result in results.items():
        row = Row(bench, name)
        if isinstance(result, str):
            row.measured = result
        else:
            row.measured = show(result)
            row.ratio = fmt_ratio(result / baseline)
        if name == "tracegrad":
            row.target = target[0]
            if not isinstance(result, str) and target[1] is not None:
                row.meets = yes_no(target[1](result))
        rows.append(row)
    return rows


# ===========================================================================
# 1. chain: the cost of one primitive
# ===========================================================================
# A long chain of scalar operations is all overhead and no arithmetic, so the
# gradient time divided by the number of operations is what the library costs
# per primitive it records (forward) and differentiates (backward).

class OpCounter:
    """A stand-in for a number that counts every operation applied to it."""
    count = 0

    def op(self, *args):
        OpCounter.count += 1
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = op
    __mul__ = __rmul__ = __truediv__ = __rtruediv__ = __pow__ = __neg__ = op


def count_chain_ops():
    OpCounter.count = 0
    chain(OpCounter(), sin=OpCounter.op, tanh=OpCounter.op)
    return OpCounter.count


def chain_grad_numpy(x):
    """d chain(x) / dx with NumPy scalars: the forward pass records what the
    backward pass needs, then the backward pass visits every op in reverse,
    applying that op's derivative by hand (as a tape would, without a tape)."""
    x = np.float64(x)
    saved = []
    for _ in range(CHAIN_STEPS):
        s = np.sin(x)
        a = s * 0.5
        t = np.tanh(x)
        b = t * 0.5
        saved.append((x, t))
        x = a + b
    g = np.float64(1.0)                 # d out / d out
    for x, t in reversed(saved):
        ga = gb = g                     # x_next = a + b
        gt = gb * 0.5                   # b = t * 0.5
        gx_tanh = gt * (1.0 - t * t)    # t = tanh(x)
        gs = ga * 0.5                   # a = s * 0.5
        gx_sin = gs * np.cos(x)         # s = sin(x)
        g = gx_sin + gx_tanh            # x was used twice: add both paths
    return g


def chain_tracegrad(x0):
    tg, tnp = load_tracegrad()
    grad = tg.grad(lambda x: chain(x, tnp.sin, tnp.tanh))
    return lambda: grad(x0)


def chain_autograd(x0):
    autograd, anp = require(load_autograd(), "autograd")
    grad = autograd.grad(lambda x: chain(x, anp.sin, anp.tanh))
    return lambda: grad(x0)


def chain_torch(x0):
    torch = require(load_torch(), "torch")

    def grad():
        x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
        chain(x, torch.sin, torch.tanh).backward()
        return x.grad
    return grad


def bench_chain(settings, notes):
    assert count_chain_ops() == CHAIN_OPS, "the chain does not have 6,000 ops"
    x0 = 0.5
    results = measure(
        ("numpy (hand-written backward)", lambda: chain_grad_numpy(x0)),
        [("tracegrad", lambda: chain_tracegrad(x0)),
         ("autograd", lambda: chain_autograd(x0)),
         ("torch", lambda: chain_torch(x0))],
        want=chain_grad_numpy(x0), settings=settings)
    baseline = results["numpy (hand-written backward)"]

    def show(seconds):
        return f"{seconds / CHAIN_OPS * 1e6:.2f} µs/op"

    target = ("≤ 5 µs/op", lambda seconds: seconds / CHAIN_OPS <= 5e-6)

    notes.append(f"chain: {CHAIN_OPS:,} scalar ops ({CHAIN_STEPS} steps of "
                 f"`sin(x)*0.5 + tanh(x)*0.5`); µs/op = gradient time "
                 f"(forward + backward) / {CHAIN_OPS:,}.")
    return ratio_rows("chain", results, baseline, show, target)


# ===========================================================================
# 2 and 3. mlp_small, mlp_large: the lecture's network
# ===========================================================================
# The same MLP twice: small, where per-op overhead dominates, and large, where
# the matrix products dominate and any overhead should all but vanish.

def mlp_grad_numpy(params, inputs, targets):
    """Gradient of loss_fun w.r.t. params: plain NumPy, backprop by hand.

    The forward pass is the lecture's, operation for operation (including
    the tanh of the last layer, which the loss does not use), so the ratio
    to it measures exactly what the autodiff machinery adds.
    """
    layer_inputs = []
    for W, b in params:
        layer_inputs.append(inputs)
        outputs = np.dot(inputs, W) + b
        inputs = np.tanh(outputs)
    preds = outputs
    diff = preds - targets
    loss = np.mean(diff**2)             # computed, as the lecture's is

    # d loss / d preds for loss = mean(diff**2)
    g_outputs = 2.0 * diff / diff.size
    grads = [None] * len(params)
    for i in reversed(range(len(params))):
        W, b = params[i]
        x = layer_inputs[i]             # x = tanh(previous outputs), or inputs
        grads[i] = (np.dot(x.T, g_outputs), g_outputs.sum(axis=0))
        if i > 0:
            g_x = np.dot(g_outputs, W.T)
            g_outputs = g_x * (1.0 - x * x)   # tanh'(u) = 1 - tanh(u)**2
    del loss
    return grads


def mlp_tracegrad(problem):
    tg, tnp = load_tracegrad()
    grad = tg.grad(make_loss_fun(tnp))
    return lambda: grad(*problem)


def mlp_autograd(problem):
    autograd, anp = require(load_autograd(), "autograd")
    grad = autograd.grad(make_loss_fun(anp))
    return lambda: grad(*problem)


def mlp_torch(problem):
    torch = require(load_torch(), "torch")
    loss_fun = make_loss_fun(SimpleNamespace(
        dot=torch.matmul, tanh=torch.tanh, mean=torch.mean))
    params, inputs, targets = problem
    tparams = [(torch.tensor(W, requires_grad=True),
                torch.tensor(b, requires_grad=True)) for W, b in params]
    flat = [p for pair in tparams for p in pair]
    inputs, targets = torch.from_numpy(inputs), torch.from_numpy(targets)

    def grad():
        return torch.autograd.grad(loss_fun(tparams, inputs, targets), flat)
    return grad


def bench_mlp(name, sizes, batch, target_ratio, settings, notes):
    problem = mlp_problem(sizes, batch)
    results = measure(
        ("numpy (hand-written backprop)", lambda: mlp_grad_numpy(*problem)),
        [("tracegrad", lambda: mlp_tracegrad(problem)),
         ("autograd", lambda: mlp_autograd(problem)),
         ("torch", lambda: mlp_torch(problem))],
        want=mlp_grad_numpy(*problem), settings=settings)
    baseline = results["numpy (hand-written backprop)"]

    target = (f"≤ {target_ratio}×",
              lambda seconds: seconds / baseline <= target_ratio)

    notes.append(f"{name}: sizes {sizes}, batch {batch}; time of one "
                 f"`grad(loss_fun)(params, x, y)`; the NumPy backprop is "
                 f"checked against each library's gradient to 1e-10 first.")
    return ratio_rows(name, results, baseline, fmt_seconds, target)


def bench_mlp_small(settings, notes):
    return bench_mlp("mlp_small", **MLP_SMALL, target_ratio=6.5, settings=settings, notes=notes)


def bench_mlp_large(settings, notes):
    return bench_mlp("mlp_large", **MLP_LARGE, target_ratio=1.10, settings=settings,
                     notes=notes)


# ===========================================================================
# 4. higher_order: grad of grad, one scalar point at a time
# ===========================================================================

def second_derivative_numpy(points):
    """tanh''(x) = -2 tanh(x) (1 - tanh(x)**2), the same loop over points."""
    out = []
    for x in points:
        t = np.tanh(x)
        out.append(-2.0 * t * (1.0 - t * t))
    return out


def higher_order_tracegrad(points):
    tg, tnp = load_tracegrad()
    d2 = tg.grad(tg.grad(make_tanh(tnp)))
    return lambda: [d2(x) for x in points]


def higher_order_autograd(points):
    autograd, anp = require(load_autograd(), "autograd")
    d2 = autograd.grad(autograd.grad(make_tanh(anp)))
    return lambda: [d2(x) for x in points]


def higher_order_torch(points):
    torch = require(load_torch(), "torch")
    tanh = make_tanh(torch)

    def d2(x):
        x = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        (dx,) = torch.autograd.grad(tanh(x), x, create_graph=True)
        (ddx,) = torch.autograd.grad(dx, x)
        return ddx.item()
    return lambda: [d2(x) for x in points]


def bench_higher_order(settings, notes):
    points = TANH_POINTS
    results = measure(
        ("numpy (analytic tanh'')", lambda: second_derivative_numpy(points)),
        [("tracegrad", lambda: higher_order_tracegrad(points)),
         ("autograd", lambda: higher_order_autograd(points)),
         ("torch", lambda: higher_order_torch(points))],
        want=second_derivative_numpy(points), settings=settings)
    baseline = results["numpy (analytic tanh'')"]

    autograd_time = results["autograd"]
    if isinstance(autograd_time, str):      # no autograd, no verdict
        target = ("≤ autograd (not measured)", None)
    else:
        target = (f"≤ autograd ({fmt_ratio(autograd_time / baseline)})",
                  lambda seconds: seconds <= autograd_time)

    notes.append(f"higher_order: `grad(grad(tanh))` called at "
                 f"{len(points)} scalar points in a Python loop; the "
                 f"baseline evaluates the analytic second derivative with "
                 f"NumPy in the same loop.")
    return ratio_rows("higher_order", results, baseline,
                      lambda s: f"{fmt_seconds(s)} / {len(points)} pts",
                      target)


# ===========================================================================
# 5. import: how long `import tracegrad` takes, and what it drags in
# ===========================================================================

IMPORT_PROBE = """
import sys, time
start = time.perf_counter()
import {module}
elapsed = time.perf_counter() - start
print(elapsed, 'graphviz' in sys.modules, 'ipywidgets' in sys.modules)
"""


def import_once(module, env):
    """(seconds, graphviz loaded?, ipywidgets loaded?) in a fresh interpreter."""
    proc = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE.format(module=module)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        raise RuntimeError(f"`import {module}` failed: {last}")
    seconds, graphviz, ipywidgets = proc.stdout.split()
    return float(seconds), graphviz == "True", ipywidgets == "True"


def median_import_times(modules, runs):
    """{module: (median seconds, last probe)} over `runs` fresh interpreters.

    Import times are measured as a user sees them, with compiled bytecode
    cached (in a temporary folder, so the source tree is left alone and
    PYTHONDONTWRITEBYTECODE cannot interfere).  The modules take turns, so
    a busy moment on the machine affects them alike.
    """
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, PYTHONPYCACHEPREFIX=cache)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        for module in modules:
            import_once(module, env)    # warm-up: compiles the .pyc files
        probes = {module: [] for module in modules}
        for _ in range(runs):
            for module in modules:
                probes[module].append(import_once(module, env))
    return {module: (statistics.median(p[0] for p in samples), samples[-1])
            for module, samples in probes.items()}


def bench_import(settings, notes):
    runs = settings.import_runs
    try:
        times = median_import_times(["numpy", "tracegrad"], runs)
    except Exception as e:
        return [Row("import", "import tracegrad", f"ERROR: {e}")]
    numpy_time, _ = times["numpy"]
    total, (_, graphviz, ipywidgets) = times["tracegrad"]
    own = total - numpy_time
    rows = [
        Row("import", "import numpy (baseline)", fmt_seconds(numpy_time),
            "1.00×"),
        Row("import", "import tracegrad (total)", fmt_seconds(total),
            fmt_ratio(total / numpy_time)),
        Row("import", "tracegrad's own share (total − numpy)",
            fmt_seconds(own), target="≤ 150 ms", meets=yes_no(own <= 0.150)),
        Row("import", "graphviz in sys.modules after import",
            yes_no(graphviz), target="no", meets=yes_no(not graphviz)),
        Row("import", "ipywidgets in sys.modules after import",
            yes_no(ipywidgets), target="no", meets=yes_no(not ipywidgets)),
    ]
    notes.append(f"import: median of {runs} fresh interpreters each, timed "
                 f"inside the interpreter around the import statement, with "
                 f"bytecode cached by one warm-up run (in a temporary "
                 f"PYTHONPYCACHEPREFIX).")
    return rows


# ===========================================================================
# 6. memory: peak memory of one gradient of mlp_large
# ===========================================================================

def peak_memory(fn):
    """Peak bytes allocated while fn() runs, as tracemalloc sees them.

    NumPy reports its array buffers to tracemalloc, so this counts both the
    Python objects (graph nodes, closures) and the arrays kept for backward.
    """
    fn()                                # warm-up: caches, lazy imports
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del result
    return peak - before


def bench_memory(settings, notes):
    problem = mlp_problem(**MLP_LARGE)
    want = mlp_grad_numpy(*problem)
    baseline = peak_memory(lambda: mlp_grad_numpy(*problem))
    rows = [Row("memory", "numpy (hand-written backprop)",
                f"{baseline / 2**20:.1f} MiB peak", "1.00×")]
    for name, make in [("tracegrad", mlp_tracegrad),
                       ("autograd", mlp_autograd)]:
        row = Row("memory", name)
        try:
            fn = make(problem)
            check_close(name, fn(), want)
            peak = peak_memory(fn)
            row.measured = f"{peak / 2**20:.1f} MiB peak"
            row.ratio = fmt_ratio(peak / baseline)
        except Skipped as e:
            row.measured = f"skipped: {e}"
        except WrongResult as e:
            row.measured = f"WRONG RESULT, not measured: {e}"
        except Exception as e:
            row.measured = f"ERROR: {type(e).__name__}: {e}"
        rows.append(row)
    rows.append(Row("memory", "torch",
                    "not measured: tracemalloc cannot see torch's allocator"))
    notes.append("memory: peak traced allocation (tracemalloc) during one "
                 "gradient of the mlp_large problem, gradients included, "
                 "minus what was allocated before the call.")
    return rows


# ===========================================================================
# Running it all
# ===========================================================================

BENCHMARKS = {
    "chain": bench_chain,
    "mlp_small": bench_mlp_small,
    "mlp_large": bench_mlp_large,
    "higher_order": bench_higher_order,
    "import": bench_import,
    "memory": bench_memory,
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run (under 20 s): fewer, shorter repeats")
    parser.add_argument("--only", metavar="NAME",
                        help="run only these benchmarks (comma-separated): "
                             + ", ".join(BENCHMARKS))
    parser.add_argument("--output", type=Path, default=HERE / "results.md",
                        help="where to write the markdown report "
                             "(default: benchmarks/results.md)")
    args = parser.parse_args()
    args.names = args.only.split(",") if args.only else list(BENCHMARKS)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; "
                     f"choose from {', '.join(BENCHMARKS)}")
    return args


def main():
    args = parse_args()
    settings = QUICK if args.quick else FULL
    rows, notes = [], []
    load_at_start = os.getloadavg()     # is something else running?
    for i, name in enumerate(args.names, 1):
        print(f"[{i}/{len(args.names)}] {name} ...", end=" ", flush=True)
        start = time.perf_counter()
        try:
            rows += BENCHMARKS[name](settings, notes)
        except Exception as e:          # a broken benchmark must not hide others
            rows.append(Row(name, "(benchmark)",
                            f"ERROR: {type(e).__name__}: {e}"))
        print(f"{time.perf_counter() - start:.1f} s", flush=True)

    load = load_at_start[0]
    if load > 0.5 * (os.cpu_count() or 1):
        notes.append(f"the machine was busy when the run started (load "
                     f"average {load:.2f} on {os.cpu_count()} CPUs): expect "
                     f"noisy timings, and run again on a quiet machine.")
    if load_torch() is None:
        notes.append("torch is not installed: its rows are skipped "
                     "(this suite never installs it).")
    if load_autograd() is None:
        notes.append("autograd is not installed: its rows are skipped "
                     "(`make bench` installs it).")

    peers = {"autograd": try_import("autograd"), "torch": load_torch()}
    info = machine_info(peers, load_at_start)
    mode = "quick" if args.quick else "full"
    settings_text = (f"{mode} run; best of {settings.repeat} repeats of at "
                     f"least {settings.min_time} s each; GC collected before "
                     f"each repeat, enabled during it; benchmarks: "
                     f"{', '.join(args.names)}")
    print()
    for key, value in info.items():
        print(f"{key}: {value}")
    print(f"settings: {settings_text}\n")
    print(markdown_table(rows))
    print()
    for note in notes:
        print(f"- {note}")

    write_report(args.output, "tracegrad benchmark results", info,
                 settings_text, rows, notes)
    print(f"\nwrote {os.path.relpath(args.output)}")

    # Speed never fails the run; a wrong or crashing computation does.
    failed = [r for r in rows
              if r.measured.startswith(("ERROR", "WRONG"))]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
