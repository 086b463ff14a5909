"""A graph does not change under the user's feet (issue 15, item 12).

The graph keeps copies of its inputs, so updating the caller's arrays in
place after drawing (``params[0] -= lr * g``) changes neither the values
shown nor the numbers they were differentiated at.
"""

from __future__ import annotations

import numpy as np

import tracegrad as tg
import tracegrad.numpy as tnp

from .graph_helpers import grad_rows, parse_dot


def test_in_place_update_after_drawing_changes_nothing_shown():
    params = [np.array([1., 2.])]
    x = np.ones(2)
    g = tg.graph(lambda p, x: tnp.sum((p[0] * x) ** 2))(params, x)
    before_listing, before_dot = str(g), g.to_dot()
    params[0] -= 0.5
    x *= 3.0
    assert str(g) == before_listing
    assert g.to_dot() == before_dot
    p0 = np.array([1., 2.])                       # the values it was drawn at
    np.testing.assert_array_equal(g.value(g.inputs[0]), p0)
    np.testing.assert_allclose(g.grad(g.inputs[0]), 2 * p0 * 1.0 ** 2)
    assert "# p[0] = [1, 2]   ∂f/∂p[0] = [2, 4]" in str(g)
    dot = parse_dot(g.to_dot())
    rows = dot.rows(dot.id_named("p[0]"))
    assert "[1, 2]" in rows and [v for _, _, v in grad_rows(rows)] == ["[2, 4]"]
    # the constant x is the copy too: its node shows ones, not threes
    assert "[1, 1]" in dot.rows(dot.id_named("x"))


def test_replay_and_tangents_keep_the_recorded_constants():
    x = np.array([1., 2.])
    c = np.array([3., 4.])
    g = tg.graph(lambda x, c: tnp.sum(x * c), tangents=(np.ones(2),))(x, c)
    c[:] = 0.0
    np.testing.assert_allclose(g.tangent(g.output_nodes[0]), 3. + 4.)
    np.testing.assert_allclose(g.evaluate(np.array([2., 2.]), np.array([3., 4.])), 14.)
