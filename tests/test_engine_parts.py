"""The engine's shared pieces: Trace.unbox, node_vjps, with_args, add_any."""

from __future__ import annotations

import math

import numpy as np

import tracegrad as tg
from tracegrad import lax
from tracegrad.arguments import with_args
from tracegrad.core import add_any, new_level
from tracegrad.forward import JVPTrace, JVPTracer
from tracegrad.reverse import ReverseTrace, node_vjps


def test_unbox_gives_primals_and_side_data_of_its_own_tracers_only():
    with new_level(ReverseTrace) as outer:
        a = outer.new_input(np.float64(2.0))
        with new_level(JVPTrace) as inner:
            b = JVPTracer(inner, np.float64(3.0), np.float64(1.0))
            assert inner.unbox([b, a, 5.0]) == ([3.0, a, 5.0], [1.0, None, None])
        primals, nodes = outer.unbox([a, 5.0])
        assert primals == [2.0, 5.0] and nodes == [a.node, None]


def test_node_vjps_applies_the_rules_of_one_node():
    x = 0.7
    with new_level(ReverseTrace) as trace:
        t = trace.new_input(np.float64(x))
        out = lax.mul(lax.sin(t), 3.0)                   # 3.0 is a constant here
    mul_node, sin_node = out.node, trace.nodes[1]
    # ∂(s·3)/∂s = 3; the constant gets nothing unless asked for (then ∂/∂3 = s)
    assert node_vjps(mul_node, 2.0) == [6.0, None]
    assert node_vjps(mul_node, 2.0, all_args=True) == [6.0, 2.0 * math.sin(x)]
    assert math.isclose(node_vjps(sin_node, 1.0)[0], math.cos(x), rel_tol=1e-15)


def test_with_args_fixes_the_other_arguments():
    f = with_args(lambda a, b, c=0.0: (a, b, c), (1.0, 2.0), (1,), {"c": 9.0})
    assert f(5.0) == (1.0, 5.0, 9.0)


def test_add_any_sums_what_is_there():
    assert add_any([None, None]) is None
    assert add_any([None, 2.0, 3.0]) == 5.0
    assert tg.grad(lambda x: x * x)(3.0) == 6.0
