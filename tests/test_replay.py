"""The engine's replay of a record (``Program.run``, tracegrad.program), which
Graph.evaluate uses: the Python code is not run again, so a branch stays as recorded;
it can be differentiated."""
import ast
import subprocess
import sys
from pathlib import Path

import numpy as np

import tracegrad as tg
import tracegrad.numpy as tnp
from tracegrad.program import Program, replay


def branchy(x):
    if x > 0:                                  # recorded once: the branch taken then
        return tnp.sin(x) * x
    return tnp.exp(x)


def test_evaluate_replays_the_recorded_branch_like_a_graph_built_ahead_of_time():
    g = tg.graph(branchy)(0.7)
    # -0.3 would take the other branch in Python; the replay keeps sin(x)·x.
    np.testing.assert_allclose(g.evaluate(-0.3), np.sin(-0.3) * -0.3, rtol=1e-12)
    np.testing.assert_allclose(tg.jit(branchy)(-0.3), np.exp(-0.3), rtol=1e-12)   # jit re-checks


def test_a_replay_can_be_differentiated():
    g = tg.graph(lambda x: tnp.tanh(x) * x)(0.4)
    x = 1.3
    want = (1 - np.tanh(x) ** 2) * x + np.tanh(x)                   # d/dx x·tanh x
    np.testing.assert_allclose(tg.grad(g.evaluate)(x), want, rtol=1e-12)


def test_replay_runs_any_record_on_new_values():
    g = tg.graph(lambda x, y: tnp.sum(x * y) + x[0], argnums=(0, 1))(np.ones(3), np.ones(3))
    x, y = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0])
    [out] = replay(g.nodes, g.inputs, [x, y], g.output_nodes)
    np.testing.assert_allclose(out, np.sum(x * y) + x[0], rtol=1e-12)
    [out] = Program(g.nodes, g.inputs, g.output_nodes).run([y, x])    # the same, by the program
    np.testing.assert_allclose(out, np.sum(x * y) + y[0], rtol=1e-12)


# What the engine must not import: the drawing and the widgets, and what they need.
DRAWING = ("tracegrad.drawing", "tracegrad.widgets", "graphviz", "ipywidgets", "IPython")


def _is_drawing(module):
    return any(module == d or module.startswith(d + ".") for d in DRAWING)


def imported_modules(path, package):
    """Every module a file imports (at the top or inside a function), with its
    relative imports resolved against ``package``; ``from . import x`` counts x."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found |= {module} | {f"{module}.{a.name}" for a in node.names}
    return found


def engine_modules():
    """(name, path, package) of every module of tracegrad outside drawing/ and widgets/,
    found by walking the package's folder: a module added or split later is in it."""
    root = Path(tg.__file__).parent
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":                # a package: relative to itself
            parts.pop()
            package = parts
        else:
            package = parts[:-1]
        name = ".".join(parts)
        if not _is_drawing(name):
            yield name, path, package


def test_the_engine_imports_no_drawing_code():
    """No module of the engine imports graphviz, the widgets or tracegrad's drawing
    (tg.graph, tg.widgets and tg.set_renderer import them when first asked for)."""
    modules = list(engine_modules())
    names = {name for name, _, _ in modules}
    assert {"tracegrad", "tracegrad.core", "tracegrad.reverse", "tracegrad.lax.elementwise",
            "tracegrad.numpy"} <= names                     # the walk finds the engine
    assert sum(name.startswith("tracegrad.jit") for name in names) >= 1
    drawn = {name: sorted(m for m in imported_modules(path, package) if _is_drawing(m))
             for name, path, package in modules}
    assert not {name: found for name, found in drawn.items() if found}


def test_the_drawing_import_is_seen(tmp_path):
    """The reader above finds each way of writing an import of the drawing."""
    for line in ("from ..drawing import graph", "from .. import widgets", "import graphviz",
                 "from ..drawing.render import run_dot", "from tracegrad.widgets import x"):
        source = tmp_path / "m.py"
        source.write_text(f"def f():\n    {line}\n", encoding="utf-8")
        assert any(_is_drawing(m) for m in imported_modules(source, ["tracegrad", "lax"])), line


def test_running_the_engine_loads_no_drawing_module():
    """In a fresh interpreter: grad, jit, vmap and jvp run, and nothing of the drawing
    (nor graphviz or the widgets) has been imported."""
    code = ("import sys, numpy as np, tracegrad as tg, tracegrad.numpy as tnp\n"
            "f = lambda x: tnp.sum(tnp.tanh(x) ** 2)\n"
            "x = np.array([0.1, 0.2])\n"
            "tg.grad(f)(x); tg.jit(tg.grad(f))(x); tg.vmap(tg.grad(f))(np.ones((2, 2)))\n"
            "tg.jvp(f, (x,), (x,)); tg.hessian(f)(x)\n"
            f"print(sorted(m for m in sys.modules if m.startswith({DRAWING!r})))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(tg.__file__).parent.parent, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
