"""vmap-batched Jacobians against the loop over basis vectors, side by side.

    .venv/bin/python benchmarks/vmap.py            # full run
    .venv/bin/python benchmarks/vmap.py --quick    # smoke run, shorter repeats

``tg.jacfwd``, ``tg.jacrev`` and ``tg.hessian`` run their passes together,
batched by ``tg.vmap``; ``vectorize=False`` runs them one by one in a Python
loop. Issue 13's target: the Hessian of 32 inputs and the 64 → 64 Jacobian
(the same problems as benchmarks/jit.py) at least 3× faster batched than
looped. Both are measured in the same run, taking turns, and both results are
checked against hand-written NumPy before they are timed. Nothing here
asserts a speed: the ratios are printed.
"""
import argparse
import functools
import sys
from pathlib import Path

from harness import FULL, QUICK, best_times, check_close, fmt_seconds

HERE = Path(__file__).resolve().parent
sys.path.insert(1, str(HERE.parent))           # benchmark this checkout's tracegrad

from problems import hessian_problem, jacobian_problem  # noqa: E402

import tracegrad as tg  # noqa: E402
import tracegrad.numpy as tnp  # noqa: E402

TARGET = 3.0                                    # batched at least this much faster


def hessian_case():
    f, x, hessian_numpy = hessian_problem(tnp)
    return (lambda vectorize: tg.hessian(f, vectorize=vectorize)), x, hessian_numpy()


def jacobian_case(jac):
    f, x, jacobian_numpy = jacobian_problem(tnp)
    return (lambda vectorize: jac(f, vectorize=vectorize)), x, jacobian_numpy()


PROBLEMS = [
    # name,                  make,                                  counts in the target
    ("hessian_32",           hessian_case,                          True),
    ("jacrev_64x64",         lambda: jacobian_case(tg.jacrev),      True),
    ("jacfwd_64x64",         lambda: jacobian_case(tg.jacfwd),      False),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter repeats (a smoke run)")
    settings = QUICK if parser.parse_args().quick else FULL
    print(f"{'problem':<14} {'loop':>10} {'vmap':>10} {'speed-up':>9}  target")
    ok = True
    for name, make, counted in PROBLEMS:
        transform, x, want = make()
        looped, batched = transform(False), transform(True)
        for label, fun in (("loop", looped), ("vmap", batched)):
            check_close(f"{name} {label}", fun(x), want, 1e-10)
        times = best_times({"loop": functools.partial(looped, x),
                            "vmap": functools.partial(batched, x)}, settings)
        ratio = times["loop"] / times["vmap"]
        met = ratio >= TARGET
        ok &= met or not counted
        target = (f"≥ {TARGET:.0f}× {'met' if met else 'NOT met'}" if counted
                  else "(not a target)")
        print(f"{name:<14} {fmt_seconds(times['loop']):>10} {fmt_seconds(times['vmap']):>10} "
              f"{ratio:>8.1f}×  {target}")
    print("all targets met" if ok else "some target NOT met")


if __name__ == "__main__":
    main()
