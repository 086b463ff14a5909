"""The drawing package after its split into rooms (issue 14 item 1): the graph
is the engine's record, the replay takes the function's own arguments
(issue 16 item 12), and the options are checked in one place."""

from __future__ import annotations

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.numpy as tnp

from .programs import loss_fun as loss
from .programs import mlp_loss_numpy as loss_numpy
from .programs import mlp_problem


def problem(seed):
    return mlp_problem(seed, sizes=(2, 3, 1), n=4)


def test_the_graph_is_the_record_of_one_run():
    """Its nodes are the primitives the function called, in order, each holding
    the value NumPy computes; the input comes first, the output last."""
    x = 0.5
    g = tg.graph(lambda a: tnp.sin(a) * 2.0)(x)
    assert [n.primitive.name for n in g.nodes[1:]] == ["sin", "mul"]
    assert g.inputs == [g.nodes[0]] and g.output_nodes == [g.nodes[-1]]
    np.testing.assert_allclose([g.value(n) for n in g.nodes], [x, np.sin(x), 2 * np.sin(x)],
                               rtol=1e-15)


def test_evaluate_takes_the_functions_arguments():
    params, x, y = problem(0)
    g = tg.graph(loss, argnums=(0, 1, 2))(params, x, y)
    new_params, new_x, new_y = problem(1)
    np.testing.assert_allclose(g.evaluate(new_params, new_x, new_y),
                               loss_numpy(new_params, new_x, new_y), rtol=1e-12)


def test_evaluate_refuses_a_new_value_for_a_constant_then_works():
    params, x, y = problem(0)
    g = tg.graph(loss)(params, x, y)                   # only params traced
    with pytest.raises(ValueError, match=r"argument 1 was not differentiated .*argnums"):
        g.evaluate(params, x + 1.0, y)
    with pytest.raises(TypeError, match=r"3 argument\(s\), not 1"):
        g.evaluate(params)
    new_params, _, _ = problem(2)
    np.testing.assert_allclose(g.evaluate(new_params, x, y), loss_numpy(new_params, x, y),
                               rtol=1e-12)


def test_a_value_of_an_outer_trace_is_no_node_of_the_graph():
    """A graph drawn inside tg.grad: w comes from the outer trace, so it is not
    recorded in this graph: x, recorded here (in node_set), is shown by its name,
    w by its numbers."""
    seen = {}

    def outer(w):
        seen["g"] = tg.graph(lambda x: tnp.sin(x * w))(np.array([1.0, 2.0]))
        return tnp.sum(w * 2.0)

    tg.grad(outer)(np.array([0.5, 4.0]))
    g = seen["g"]
    assert not hasattr(g, "index_set")
    mul = g.nodes[1]
    assert all(p is None or p in g.node_set for n in g.nodes for p in n.parents)
    assert (g.arg_name(mul, 0), g.arg_name(mul, 1)) == ("x", "[0.5, 4]")
    np.testing.assert_allclose(g.value(g.nodes[-1]), np.sin(np.array([0.5, 8.0])), rtol=1e-15)
