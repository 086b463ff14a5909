"""A vjp function and a graph do not change when the caller mutates an input
in place afterwards (issue 15 item 12, the engine's part)."""

from __future__ import annotations

import numpy as np

import tracegrad as tg
import tracegrad.numpy as tnp


def loss(p, x):
    return tnp.sum((p[0] * x) ** 2) + tnp.sum(tnp.sin(p[1]))


def fresh():
    return [np.array([1.0, 2.0]), np.array([0.3, -0.4])], np.array([1.0, 3.0])


def test_vjp_function_is_unchanged_by_an_in_place_update_of_the_input():
    params, x = fresh()
    out, pullback = tg.vjp(loss, params, x)
    params[0] -= 0.5                               # a gradient-descent step, in place
    params[1] *= 2.0
    x[:] = 7.0
    got = pullback(1.0)
    # the answer for the unmutated inputs, from a fresh, untouched copy
    params0, x0 = fresh()
    want = tg.vjp(loss, params0, x0)[1](1.0)
    for g, w in zip(tg.tree_leaves(got), tg.tree_leaves(want)):
        np.testing.assert_array_equal(g, w)
    # and by formula: ∂/∂p0 = 2 p0 x², ∂/∂p1 = cos p1, ∂/∂x = 2 p0² x
    p0, p1 = params0
    np.testing.assert_allclose(got[0][0], 2 * p0 * x0 ** 2, rtol=1e-14)
    np.testing.assert_allclose(got[0][1], np.cos(p1), rtol=1e-14)
    np.testing.assert_allclose(got[1], 2 * p0 ** 2 * x0, rtol=1e-14)
    assert out == loss(params0, x0)


def test_vjp_does_not_copy_into_the_callers_arrays():
    params, x = fresh()
    _, pullback = tg.vjp(loss, params, x)
    g = pullback(1.0)
    g[0][0][:] = 0.0                               # the caller may write into the result
    np.testing.assert_array_equal(params[0], [1.0, 2.0])


def test_graph_values_are_those_it_differentiated():
    params, x = fresh()
    g = tg.graph(lambda p, x: tnp.sum((p[0] * x) ** 2))(params, x)
    params[0] -= 0.5
    node = g.inputs[0]
    np.testing.assert_array_equal(g.value(node), [1.0, 2.0])
    np.testing.assert_allclose(g.grad(node), 2 * np.array([1.0, 2.0]) * x ** 2)
