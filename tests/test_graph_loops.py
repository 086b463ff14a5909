"""Loop clusters hold exactly the operations of their pass (issue 15, item 11).

A graph boxes each pass of a loop. The regression test is the issue's
program (code before and after a loop); the property test generates
programs with loops in every position (before, after, in sequence, nested,
``while`` and ``for``, in a called function, around comprehensions) and has
each program tag its own operations with the passes it is in, so the
expected box of every operation is known without asking tracegrad.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import tempfile

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.numpy as tnp
from tracegrad.words import words

from .graph_helpers import label_rows, parse_dot


def passes_of(g, node):
    """The (function, loop line, pass) boxes around a node, outermost first."""
    return [(key[0], key[3]) for key in g.cluster_path(node) if len(key) == 4]


def issue_program(w, x):
    h = tnp.sin(x * w)                   # before the loop: in no pass
    for _i in range(2):
        h = tnp.tanh(h * w)
    return tnp.sum(h ** 2)               # after the loop: in no pass


def test_code_before_and_after_a_loop_is_in_no_pass():
    g = tg.graph(issue_program)(0.5, np.ones(3))
    ops = [n for n in g.nodes if n.primitive is not None]
    assert [n.primitive.name for n in ops] == ["mul", "sin", "mul", "tanh", "mul", "tanh",
                                               "integer_pow", "reduce_sum"]
    assert [passes_of(g, n) for n in ops] == [[], [], [("issue_program", 1)],
                                              [("issue_program", 1)], [("issue_program", 2)],
                                              [("issue_program", 2)], [], []]
    # and in the picture: two pass clusters with exactly a mul and a tanh each
    dot = parse_dot(g.to_dot())
    labels = {" ".join(label_rows(c.attrs["label"])): c for c in dot.clusters()}
    assert sorted(labels) == [words()["loop pass"].format(name="issue_program", number=k)
                              for k in (1, 2)]
    for cluster in labels.values():
        ops = sorted(dot.rows(i)[0].split(" = ")[1].split("(")[0] for i in cluster.all_nodes())
        assert ops == ["mul", "tanh"]


def two_loops(w):
    h = w
    for _i in range(2):
        h = tnp.sin(h)
    for _j in range(3):
        h = tnp.cos(h)
    return h


def test_two_loops_in_sequence_count_their_own_passes():
    g = tg.graph(two_loops)(0.3)
    got = [(n.primitive.name, [p for _, p in passes_of(g, n)])
           for n in g.nodes if n.primitive is not None]
    assert got == [("sin", [1]), ("sin", [2]), ("cos", [1]), ("cos", [2]), ("cos", [3])]


def test_lecture_mlp_last_layer_after_the_loop_is_outside_it():
    def predict(params, x):
        *hidden, (W, b) = params
        for W_h, b_h in hidden:
            x = tnp.tanh(tnp.dot(x, W_h) + b_h)
        return tnp.dot(x, W) + b

    def loss(params, x, y):
        return tnp.mean((predict(params, x) - y) ** 2)

    rng = np.random.default_rng(0)
    params = [(rng.normal(size=(2, 3)), rng.normal(size=3)),
              (rng.normal(size=(3, 3)), rng.normal(size=3)),
              (rng.normal(size=(3, 1)), rng.normal(size=1))]
    g = tg.graph(loss)(params, rng.normal(size=(4, 2)), rng.normal(size=(4, 1)))
    matmuls = [n for n in g.nodes if n.primitive is not None and n.primitive.name == "matmul"]
    assert [[p for _, p in passes_of(g, n)] for n in matmuls] == [[1], [2], []]
    assert all(g.clusters()[g.cluster_path(n)[:1]]["name"] == "predict" for n in matmuls)


# ---------------------------------------------------------------------------
# generated programs

# A statement: ("op",), ("comp",), ("call",), ("for", k, body), ("while", k, body)
leaf = st.sampled_from([("op",), ("comp",), ("call",)])


def _loops(children):
    return st.tuples(st.sampled_from(["for", "while"]), st.integers(2, 3),
                     st.lists(children, min_size=1, max_size=3))


statements = st.lists(st.recursive(leaf, _loops, max_leaves=6), min_size=1, max_size=4)
helper_bodies = st.lists(st.recursive(st.sampled_from([("op",), ("comp",)]), _loops,
                                      max_leaves=3), min_size=1, max_size=3)


def emit(stmts, fname, out, indent="    ", depth=0):
    """Append the source lines of ``stmts``; every operation tags itself with
    ``_tag()``, which records the passes the program itself says it is in."""
    for s in stmts:
        if s[0] == "op":
            out.append(f"{indent}h = tg.label(tnp.sin(h), _tag())")
        elif s[0] == "comp":
            out.append(f"{indent}hs = [tg.label(tnp.cos(h), _tag()) for c in range(2)]")
            out.append(f"{indent}h = tg.label(hs[0] * hs[1], _tag())")
        elif s[0] == "call":
            out.append(f"{indent}h = helper(h)")
        else:
            kind, k, body = s
            var, inner = f"i{depth}", indent + "    "
            if kind == "while":
                out.append(f"{indent}{var} = 0")
            header = len(out) + 1
            out.append(f"{indent}for {var} in range({k}):" if kind == "for"
                       else f"{indent}while {var} < {k}:")
            out.append(f"{inner}_where.append(({fname!r}, {header}, {var} + 1))")
            emit(body, fname, out, inner, depth + 1)
            out.append(f"{inner}_where.pop()")
            if kind == "while":
                out.append(f"{inner}{var} += 1")


def program_source(main, helper):
    out = ["import tracegrad as tg", "import tracegrad.numpy as tnp",
           "_where, expected, _count = [], {}, [0]",
           "def _tag():",
           "    _count[0] += 1",
           "    expected[f't{_count[0]}'] = list(_where)",
           "    return f't{_count[0]}'",
           "def helper(h):",
           "    _where.append(('call', 'helper'))"]
    emit(helper, "helper", out)
    out += ["    _where.pop()", "    return h", "def main(h):"]
    emit(main, "main", out)
    out.append("    return h")
    return "\n".join(out) + "\n"


_modules = itertools.count()


def load(source):
    folder = tempfile.mkdtemp(prefix="tracegrad_loops_")
    path = os.path.join(folder, f"generated_{next(_modules)}.py")
    with open(path, "w") as f:
        f.write(source)
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@settings(max_examples=40, deadline=None)
@given(statements, helper_bodies)
def test_each_pass_cluster_holds_exactly_its_own_operations(main, helper):
    source = program_source(main, helper)
    module = load(source)
    g = tg.graph(module.main)(0.7)
    ops = [n for n in g.nodes if n.primitive is not None]
    assert ops, source
    for node in ops:
        want = [w for w in module.expected[node.name] if w[0] != "call"]
        want = [(fname, line, number) for fname, line, number in want]
        got = [(key[0], key[2], key[3]) for key in g.cluster_path(node) if len(key) == 4]
        assert got == want, (node.name, source)
        # a called helper is a cluster of its own around its passes
        calls = [key[0] for key in g.cluster_path(node) if len(key) == 2]
        assert calls == [w[1] for w in module.expected[node.name] if w[0] == "call"], source
    # the value is right too: the program run on plain NumPy
    module.expected.clear()
    np.testing.assert_allclose(float(g.out), float(module.main(np.float64(0.7))), rtol=1e-12)
