"""The drawing package after its split into rooms (issue 14 item 1): the
recording is a named tuple, the replay takes the function's own arguments
(issue 16 item 12), and the options are checked in one place."""

from __future__ import annotations

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.numpy as tnp
from tracegrad.drawing.capture import Recording, record


def loss(params, x, y):
    for W, b in params:
        x = tnp.tanh(tnp.dot(x, W) + b)
    return tnp.mean((x - y) ** 2)


def loss_numpy(params, x, y):
    for W, b in params:
        x = np.tanh(x @ W + b)
    return np.mean((x - y) ** 2)


def problem(seed):
    rng = np.random.default_rng(seed)
    params = [(rng.normal(size=(2, 3)), rng.normal(size=3)),
              (rng.normal(size=(3, 1)), rng.normal(size=1))]
    return params, rng.normal(size=(4, 2)), rng.normal(size=(4, 1))


def test_record_returns_a_named_recording():
    rec = record(lambda x: tnp.sin(x) * 2.0, (0.5,), (0,))
    assert isinstance(rec, Recording)
    assert rec.trace.nodes[-1].out is rec.out.node.out
    assert [t.node for t in rec.inputs] == [rec.trace.nodes[0]]


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


def test_index_set_no_longer_names_a_graph_attribute():
    g = tg.graph(lambda x: x * x)(1.0)
    assert not hasattr(g, "index_set")
    assert g.node_set == set(g.nodes)
