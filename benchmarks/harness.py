"""Small helpers shared by the benchmarks in run.py.

Nothing here knows about autodiff: it times functions, compares gradients,
collects table rows, and writes the report.
"""

import datetime
import gc
import importlib.metadata
import math
import os
import platform
import time
from dataclasses import dataclass

import numpy as np

# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------

@dataclass
class Settings:
    repeat: int        # how many timed repeats; we keep the best one
    min_time: float    # seconds one repeat must last at least
    import_runs: int   # fresh interpreters per import measurement


FULL = Settings(repeat=5, min_time=0.2, import_runs=5)
QUICK = Settings(repeat=3, min_time=0.05, import_runs=3)


def _run_loops(fn, number):
    """Seconds taken by `number` back-to-back calls of fn()."""
    gc.collect()                      # start every repeat with an empty GC
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return time.perf_counter() - start


def loops_for(fn, settings):
    """How many back-to-back calls of fn() last at least settings.min_time."""
    fn()                              # warm-up: lazy imports, caches
    number = 1
    while True:
        elapsed = _run_loops(fn, number)
        if elapsed >= settings.min_time:
            return number
        grow = math.ceil(1.2 * settings.min_time / max(elapsed, 1e-9))
        number *= max(2, min(grow, 100))


def best_times(fns, settings):
    """{name: seconds per call of fn()} for a dict {name: fn}, timeit-style.

    Each repeat runs fn() `number` times in a row, where `number` is chosen so
    that one repeat lasts at least `settings.min_time`; the best (smallest)
    of `settings.repeat` repeats is the one least disturbed by the rest of
    the machine.  The functions take turns, one repeat each per round, so a
    busy spell on the machine hits all of them alike, not just one: that
    keeps the ratios between them honest.

    The garbage collector is collected before each repeat but stays ENABLED
    while timing (timeit disables it): autodiff libraries allocate many small
    container objects, and the collections they trigger are a real cost that
    a user pays, so hiding it would flatter them.
    """
    numbers = {name: loops_for(fn, settings) for name, fn in fns.items()}
    best = {name: math.inf for name in fns}
    for _ in range(settings.repeat):
        for name, fn in fns.items():
            elapsed = _run_loops(fn, numbers[name]) / numbers[name]
            best[name] = min(best[name], elapsed)
    return best


# ---------------------------------------------------------------------------
# Checking results before timing them
# ---------------------------------------------------------------------------

def leaves(tree):
    """The arrays in a nest of lists / tuples / dicts, in order, as float64."""
    if isinstance(tree, dict):
        return [leaf for key in sorted(tree) for leaf in leaves(tree[key])]
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in leaves(item)]
    return [np.asarray(tree, dtype=np.float64)]


def max_rel_error(got, want):
    """Largest |got - want| over all leaves, each relative to the largest
    |want| in its leaf (so tiny gradients are compared as strictly as big ones)."""
    got, want = leaves(got), leaves(want)
    if len(got) != len(want):
        return math.inf
    worst = 0.0
    for g, w in zip(got, want, strict=True):
        if g.shape != w.shape:
            return math.inf
        scale = max(float(np.max(np.abs(w), initial=0.0)), 1e-300)
        worst = max(worst, float(np.max(np.abs(g - w), initial=0.0)) / scale)
    return worst


class WrongResult(Exception):
    """An implementation computed something else than the reference."""


def check_close(name, got, want, tol=1e-10):
    err = max_rel_error(got, want)
    if not err <= tol:                # also catches NaN
        raise WrongResult(f"{name} differs from the reference "
                          f"(max relative error {err:.2e} > {tol:.0e})")
    return err


# ---------------------------------------------------------------------------
# Optional peers
# ---------------------------------------------------------------------------

def try_import(name):
    """The module, or None if it is not installed (or fails to import)."""
    try:
        return __import__(name)
    except Exception:
        return None


def version_of(module):
    """The installed version of an imported module, or "not installed"."""
    if module is None:
        return "not installed"
    try:
        return importlib.metadata.version(module.__name__)
    except Exception:
        return getattr(module, "__version__", "?")


# ---------------------------------------------------------------------------
# The results table
# ---------------------------------------------------------------------------

@dataclass
class Row:
    benchmark: str
    implementation: str
    measured: str = ""
    ratio: str = ""          # relative to this benchmark's baseline row
    target: str = ""
    meets: str = ""          # "yes" / "no" / "" (no target)


COLUMNS = ["benchmark", "implementation", "measured", "vs baseline",
           "target", "meets target"]


def yes_no(flag):
    return "yes" if flag else "no"


def fmt_ratio(x):
    return f"{x:.2f}×" if x < 10 else f"{x:.1f}×" if x < 100 else f"{x:.0f}×"


def fmt_seconds(s):
    if abs(s) < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if abs(s) < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def markdown_table(rows):
    cells = [COLUMNS] + [[r.benchmark, r.implementation, r.measured, r.ratio,
                          r.target, r.meets] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS))]

    def line(row):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), rule] + [line(r) for r in cells[1:]])


# ---------------------------------------------------------------------------
# Machine information and the report file
# ---------------------------------------------------------------------------

def blas_name():
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:
        return "unknown"


def machine_info(peers, load):
    info = {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "CPU count": str(os.cpu_count()),
        "load average at start (1, 5, 15 min)": ", ".join(
            f"{x:.2f}" for x in load),
        "processor": platform.processor() or platform.machine(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "BLAS": blas_name(),
    }
    for name, module in peers.items():
        info[name] = version_of(module)
    return info


def write_report(path, title, info, settings_text, rows, notes):
    lines = [f"# {title}", ""]
    lines += [f"- **{key}**: {value}" for key, value in info.items()]
    lines += [f"- **settings**: {settings_text}", ""]
    lines += [markdown_table(rows), ""]
    lines += ["Every number was measured in this run, and each ratio is against "
              "the baseline row of the same benchmark, measured in the same run. "
              "Figures for other libraries on a reference machine are in "
              "benchmarks/README.md.", ""]
    if notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))

