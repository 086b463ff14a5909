"""The benchmark scripts still run (nothing here times anything).

``make bench`` is not part of ``make test``, so a script that stops working
(an attribute renamed in the widgets, say) would only be found by the next
person to measure. The drawing benchmark's smoke run is quick enough to
run with the unit tests; ``run.py`` and ``jit.py`` check their own results
against hand-written NumPy whenever they run.
"""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_drawing_benchmark_runs():
    pytest.importorskip("anywidget", reason="the stepper widget needs the lab extra (anywidget)")
    done = subprocess.run([sys.executable, "benchmarks/drawing.py", "--quick"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[:2] == ["program", "nodes"]
    assert len(lines) == 3 and all("steps" in line for line in lines[1:])
