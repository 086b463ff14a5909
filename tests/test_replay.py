"""The engine's replay of a record (``Program.run``, tracegrad.program), which
Graph.evaluate uses: the Python code is not run again, so a branch stays as recorded;
it can be differentiated."""
import ast
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


ENGINE = ("core.py", "reverse.py", "forward.py", "program.py", "transforms.py", "vmap.py",
          "custom.py", "tree.py", "arguments.py", "usercode.py", "lax", "numpy", "jit")


def imports_of(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [(n.level, n.module or "") for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    found += [(0, a.name) for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    return found


def test_the_engine_imports_no_drawing_code():
    """Every module of the engine, the jit package's too (once one file, the only one read)."""
    root = Path(tg.__file__).parent
    files = [p for part in ENGINE for p in ((root / part).rglob("*.py") if (root / part).is_dir()
                                            else [root / part])]
    assert len(files) > 20 and root / "jit" / "lowering.py" in files
    bad = [(str(p.relative_to(root)), m) for p in files for _, m in imports_of(p)
           if "drawing" in m or "widgets" in m or m.split(".")[0] in ("graphviz", "ipywidgets")]
    assert not bad, bad


def test_the_check_sees_a_drawing_import(tmp_path):
    """The reader above finds an import of drawing code, relative or absolute."""
    module = tmp_path / "m.py"
    module.write_text("from ..drawing.graph import Graph\nimport graphviz\n")
    assert [m for _, m in imports_of(module)] == ["drawing.graph", "graphviz"]
