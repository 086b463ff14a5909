"""The source tg.jit shows is the code it runs, and it stands on its own: run with
NumPy alone (a namespace holding only ``np``), it gives what NumPy's own functions
give, and the source of a gradient gives the derivative written out by hand or
found by finite differences. Only the public API is used: ``tg.jit(f).source(x)``
and calling ``tg.jit(f)``."""
import ast

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.numpy as tnp

from . import strategies as S
from .numeric import GRAD_TOL, assert_close, num_grad

TIGHT = dict(rtol=1e-12, atol=1e-13)


def run_shown(jitted, *args):
    """Execute ``jitted.source(*args)`` with only NumPy in reach; call its function."""
    text = jitted.source(*args)
    functions = [n.name for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)]
    namespace = {"np": np}
    exec(compile(text, "<shown>", "exec"), namespace)
    return namespace[functions[-1]](*args)         # the traced function comes last


def check_shown_and_run(f_tg, f_np, *args):
    """The shown source and the compiled call both give NumPy's value."""
    jitted = tg.jit(f_tg)
    want = f_np(*args)
    assert_close(run_shown(jitted, *args), want, **TIGHT)
    assert_close(jitted(*args), want, **TIGHT)


@pytest.mark.parametrize("name", sorted(S.UNARY_DOMAINS))
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_an_elementwise_function_shown_is_numpys(name, data):
    x = data.draw(S.unary_input(name, (3,)))
    check_shown_and_run(getattr(tnp, name), getattr(np, name), x)
    # its derivative, written out in the gradient's source, against finite differences
    grad_shown = run_shown(tg.jit(tg.grad(lambda a: tnp.sum(getattr(tnp, name)(a)))), x)
    assert_close(grad_shown, num_grad(lambda a: np.sum(getattr(np, name)(a)), x), **GRAD_TOL)


@pytest.mark.parametrize("name", sorted(S.BINARY_DOMAINS))
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_a_binary_function_shown_is_numpys(name, data):
    first, second = S.BINARY_DOMAINS[name]
    x, y = data.draw(S.arrays((2, 3), first)), data.draw(S.arrays((3,), second))
    check_shown_and_run(getattr(tnp, name), getattr(np, name), x, y)
    # both partial derivatives (y broadcast: its cotangent is summed back) by differences
    both = tg.jit(tg.grad(lambda a, b: tnp.sum(getattr(tnp, name)(a, b)), argnums=(0, 1)))
    gx, gy = run_shown(both, x, y)
    assert_close(gx, num_grad(lambda a: np.sum(getattr(np, name)(a, y)), x), **GRAD_TOL)
    assert_close(gy, num_grad(lambda b: np.sum(getattr(np, name)(x, b)), y), **GRAD_TOL)


# Programs that reach the other families: products, reductions, shapes, indexing,
# comparisons and the helpers a primitive writes out (logistic, softplus, index_add).
W = np.array([[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]])


def _np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


PROGRAMS = {
    "dot-tanh-sum": (lambda x: tnp.sum(tnp.tanh(x @ W)), lambda x: np.sum(np.tanh(x @ W))),
    "mean-max-min": (lambda x: tnp.mean(x, axis=0) + tnp.max(x) * tnp.min(x, axis=1)[:, None],
                     lambda x: np.mean(x, axis=0) + np.max(x) * np.min(x, axis=1)[:, None]),
    "reshape-transpose": (lambda x: tnp.transpose(tnp.reshape(x, (3, 2))) * 2.0,
                          lambda x: np.transpose(np.reshape(x, (3, 2))) * 2.0),
    "where": (lambda x: tnp.where(x > 0, x, 0.1 * x), lambda x: np.where(x > 0, x, 0.1 * x)),
    "index-repeats": (lambda x: x[np.array([1, 1, 0]), 2] * x[0, :],
                      lambda x: x[np.array([1, 1, 0]), 2] * x[0, :]),
    "concatenate": (lambda x: tnp.concatenate([x, x ** 2], axis=1),
                    lambda x: np.concatenate([x, x ** 2], axis=1)),
    "sigmoid-softplus": (lambda x: tg.nn.sigmoid(x) * tg.nn.softplus(x),
                         lambda x: _np_sigmoid(x) * np.log1p(np.exp(x))),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_a_program_shown_is_numpys(name):
    f_tg, f_np = PROGRAMS[name]
    x = np.array([[0.3, -1.2, 2.0], [1.1, 0.4, -0.6]])
    check_shown_and_run(f_tg, f_np, x)


def test_a_gradients_source_is_the_derivative_by_hand():
    """The backward pass written out: sigmoid, softplus and a repeated index, whose
    helpers (logistic, softplus, index_add) are in the text, and nothing else is needed.

    d/dx [Σ σ(x)·softplus(x) + Σ x[[0, 0]]²] = σ(x)(1 − σ(x))·softplus(x) + σ(x)² + 4x₀e₀.
    """
    def loss(x):
        return tnp.sum(tg.nn.sigmoid(x) * tg.nn.softplus(x)) + tnp.sum(x[np.array([0, 0])] ** 2)

    x = np.array([-30.0, 0.5, 40.0])
    s = _np_sigmoid(x)
    softplus = np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
    want = s * (1 - s) * softplus + s * s + np.array([4 * x[0], 0.0, 0.0])
    jitted = tg.jit(tg.grad(loss))
    assert_close(run_shown(jitted, x), want, **TIGHT)
    assert_close(jitted(x), want, **TIGHT)
