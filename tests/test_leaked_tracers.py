"""A traced value kept after its transformation ended is refused, clearly.

Issue 15 item 2: a tracer stored in a list while ``grad`` ran used to flow
into a later computation, giving a tracer object (or a silent zero gradient)
instead of a number, and adding nodes to a finished trace.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.numpy as tnp


def leak_from(transformation):
    """Run ``transformation`` on a function that keeps its traced input; return it."""
    kept = []

    def f(x):
        kept.append(x)
        return x * x

    transformation(f)
    return kept[0]


def test_leaked_tracer_from_grad_is_refused_and_names_grad():
    leaked = leak_from(lambda f: tg.grad(f)(2.0))
    with pytest.raises(tg.UnexpectedTracerError,
                       match=r"escaped from grad\(f\), which has already finished"):
        tg.grad(lambda y: y * leaked)(3.0)
    with pytest.raises(tg.UnexpectedTracerError, match="has_aux=True"):
        leaked + 1.0                                   # outside any transformation too
    assert tg.grad(lambda y: y * 2.0)(3.0) == 2.0      # the next call works


def test_the_issue_repro_with_a_lambda():
    leak = []
    tg.grad(lambda x: (leak.append(x), x * x)[1])(2.0)
    with pytest.raises(tg.UnexpectedTracerError, match=r"escaped from grad\(<lambda>\)"):
        tg.grad(lambda y: y * leak[0])(3.0)
    assert isinstance(tg.UnexpectedTracerError("x"), tg.TracegradError)


@pytest.mark.parametrize("who,transformation", [
    ("vjp", lambda f: tg.vjp(f, np.array([1.0, 2.0]))),
    ("jvp", lambda f: tg.jvp(f, (np.array([1.0, 2.0]),), (np.ones(2),))),
    (r"grad\(<lambda>\)", lambda f: tg.value_and_grad(lambda x: f(x).sum())(
        np.array([1.0, 2.0]))),
])
def test_leaked_tracer_is_refused_in_every_mode(who, transformation):
    leaked = leak_from(transformation)
    with pytest.raises(tg.UnexpectedTracerError, match=f"escaped from ({who})"):
        tnp.sin(leaked)
    with pytest.raises(tg.UnexpectedTracerError, match="escaped"):
        tg.jvp(lambda y: y * leaked, (np.ones(2),), (np.ones(2),))
    np.testing.assert_allclose(tg.jvp(tnp.sin, (0.0,), (1.0,))[1], 1.0)


def test_a_finished_trace_gets_no_new_nodes():
    leaked = leak_from(lambda f: tg.grad(f)(2.0))
    trace = leaked._trace
    before = len(trace.nodes)
    for op in (lambda: leaked * 2.0, lambda: tnp.exp(leaked), lambda: leaked[None]):
        with pytest.raises(tg.UnexpectedTracerError):
            op()
    assert len(trace.nodes) == before


def test_custom_vjp_refuses_a_leaked_tracer_too():
    @tg.custom_vjp
    def double(x):
        return 2.0 * x

    double.defvjp(lambda x: (2.0 * x, None), lambda res, g: (2.0 * g,))
    leaked = leak_from(lambda f: tg.grad(f)(2.0))
    before = len(leaked._trace.nodes)
    with pytest.raises(tg.UnexpectedTracerError, match=r"escaped from grad\(f\)"):
        double(leaked)
    assert len(leaked._trace.nodes) == before
    assert tg.grad(double)(1.0) == 2.0


def test_trace_is_finished_even_when_the_function_raised():
    kept = []

    def f(x):
        kept.append(x)
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        tg.grad(f)(1.0)
    with pytest.raises(tg.UnexpectedTracerError, match=r"escaped from grad\(f\)"):
        kept[0] * 3.0


def test_leaked_through_a_thread_is_refused_not_zero():
    kept = []
    t = threading.Thread(target=lambda: tg.grad(lambda x: (kept.append(x), x * x)[1])(2.0))
    t.start()
    t.join()
    with pytest.raises(tg.UnexpectedTracerError, match="escaped from grad"):
        tg.grad(lambda y: y * kept[0])(3.0)


def test_the_advice_in_the_message_works():
    # has_aux returns the value itself, as a number
    g, aux = tg.grad(lambda x: (x * x, x * 10.0), has_aux=True)(2.0)
    assert (g, aux) == (4.0, 20.0)
    assert tg.grad(lambda y: y * aux)(3.0) == 20.0
    out, tangent = tg.jvp(lambda x: (x * x, x * 10.0), (2.0,), (1.0,))
    assert tg.grad(lambda y: y * out[1])(3.0) == 20.0


def test_a_leaked_tracer_can_still_be_looked_at():
    leaked = leak_from(lambda f: tg.vjp(f, np.array([1.0, 2.0])))
    assert leaked.shape == (2,)
    assert "1." in repr(leaked)
