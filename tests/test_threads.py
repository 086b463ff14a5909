"""Nested transformations across threads: levels are ordered globally.

A trace started in a worker thread, inside a traced function, must get a
higher level than the trace running outside it, or the inner derivative
treats the outer variable wrongly (perturbation confusion, issue 15 item 1).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import tracegrad as tg

from .numeric import EXACT_TOL, GRAD_TOL, assert_close, num_grad
from .strategies import examples


def test_grad_inside_a_worker_thread_sees_the_outer_variable_as_a_constant():
    def f(x):
        with ThreadPoolExecutor(1) as ex:
            return ex.submit(lambda: tg.grad(lambda y: x * y)(1.0)).result()

    # d/dy (x·y) = x, so f(x) = x and f'(3) = 1 (it was 0.0 with per-thread levels)
    assert tg.grad(f)(3.0) == 1.0
    assert tg.jvp(f, (3.0,), (1.0,))[1] == 1.0


def in_thread(fn):
    """Run ``fn()`` in a new thread and return its result (or raise its error)."""
    box = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as e:          # hand it to the calling thread
            box["error"] = e

    t = threading.Thread(target=run)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def derivative(kind, h, x):
    """h'(x) by one of the three transformations."""
    if kind == "grad":
        return tg.grad(h)(x)
    if kind == "jvp":
        return tg.jvp(h, (x,), (1.0,))[1]
    out, pullback = tg.vjp(h, x)
    return pullback(1.0)[0]


def nested(coefficients, levels):
    """F_0 = Σ c_i xⁱ and F_{k+1}(x) = D_k[y ↦ x · F_k(y)](x) = x · F_k'(x).

    Each inner function closes over the outer ``x``: exactly the situation in
    which perturbation confusion gives a wrong answer. ``levels`` lists
    (kind, threaded) pairs, innermost first.
    """
    def poly(x):
        return sum(c * x ** i for i, c in enumerate(coefficients))

    f = poly
    for kind, threaded in levels:
        def f(x, inner=f, kind=kind, threaded=threaded):
            def step():
                return derivative(kind, lambda y: x * inner(y), x)
            return in_thread(step) if threaded else step()
    return f


kinds = st.sampled_from(["grad", "jvp", "vjp"])


@examples(25)
@given(coefficients=st.lists(st.floats(-2, 2), min_size=1, max_size=4),
       levels=st.lists(st.tuples(kinds, st.booleans()), min_size=1, max_size=3),
       outer_threaded=st.booleans(),
       x=st.floats(0.5, 1.5))
def test_random_nestings_across_threads_match_one_thread_and_the_formula(
        coefficients, levels, outer_threaded, x):
    threaded = nested(coefficients, levels)
    one_thread = nested(coefficients, [(kind, False) for kind, _ in levels])
    run = (lambda: in_thread(lambda: tg.grad(threaded)(x))) if outer_threaded else \
        (lambda: tg.grad(threaded)(x))
    got = run()
    assert_close(got, tg.grad(one_thread)(x), **EXACT_TOL)
    # (x d/dx)ⁿ Σ c_i xⁱ = Σ c_i iⁿ xⁱ, so its derivative is Σ c_i iⁿ⁺¹ xⁱ⁻¹
    n = len(levels)
    formula = sum(c * i ** (n + 1) * x ** (i - 1) for i, c in enumerate(coefficients) if i)
    assert_close(got, formula, rtol=1e-9, atol=1e-9)
    assert_close(got, num_grad(lambda v: threaded(float(v)), np.float64(x)), **GRAD_TOL)
