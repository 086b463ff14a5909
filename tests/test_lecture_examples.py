"""The lecture's code runs unchanged, with only the import swapped.

The network example is checked against finite differences and against a
hand-written NumPy backpropagation (both in ``tests/programs.py``); the
``tanh`` example against the closed forms of its first and second derivatives.
The lecture's code is copied here on purpose, verbatim: the tests' own
programs live in ``tests/programs.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

# --- the lecture's code, verbatim except for the import --------------------
import tracegrad.numpy as jnp  # noqa: E402
from tracegrad import grad  # noqa: E402

from .numeric import GRAD_TOL, assert_close, num_grad
from .programs import mlp_backprop_numpy, mlp_loss_numpy, mlp_problem


def predict(params, inputs):
    for W, b in params:
        outputs = jnp.dot(inputs, W) + b
        inputs = jnp.tanh(outputs)
    return outputs


def loss_fun(params, inputs, targets):
    preds = predict(params, inputs)
    return jnp.mean((preds - targets) ** 2)


grad_fun = grad(loss_fun)


def tanh(x):
    y = jnp.exp(-2.0 * x)
    return (1.0 - y) / (1.0 + y)


fp = grad(tanh)
fpp = grad(grad(tanh))
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lecture_mlp_gradient_has_params_structure(seed):
    params, inputs, targets = mlp_problem(seed)
    g = grad_fun(params, inputs, targets)
    assert isinstance(g, list) and len(g) == len(params)
    for (W, b), gl in zip(params, g, strict=True):
        assert isinstance(gl, tuple) and len(gl) == 2
        assert np.shape(gl[0]) == W.shape and np.shape(gl[1]) == b.shape


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lecture_mlp_gradient_matches_mlp_backprop_numpy(seed):
    params, inputs, targets = mlp_problem(seed)
    g = grad_fun(params, inputs, targets)
    expected = mlp_backprop_numpy(params, inputs, targets)
    for layer, ((gW, gb), (eW, eb)) in enumerate(zip(g, expected, strict=True)):
        assert_close(gW, eW, rtol=1e-10, atol=1e-12, err_msg=f"layer {layer} W")
        assert_close(gb, eb, rtol=1e-10, atol=1e-12, err_msg=f"layer {layer} b")


def test_lecture_mlp_gradient_matches_finite_differences():
    params, inputs, targets = mlp_problem(3)
    g = grad_fun(params, inputs, targets)
    for layer, (W, b) in enumerate(params):
        def loss_of_W(Wl, layer=layer):
            p = list(params)
            p[layer] = (Wl, p[layer][1])
            return mlp_loss_numpy(p, inputs, targets)

        def loss_of_b(bl, layer=layer):
            p = list(params)
            p[layer] = (p[layer][0], bl)
            return mlp_loss_numpy(p, inputs, targets)

        assert_close(g[layer][0], num_grad(loss_of_W, W), **GRAD_TOL, err_msg=f"W{layer}")
        assert_close(g[layer][1], num_grad(loss_of_b, b), **GRAD_TOL, err_msg=f"b{layer}")


def test_lecture_mlp_loss_value_and_training_step_decreases_loss():
    params, inputs, targets = mlp_problem(4)
    value = loss_fun(params, inputs, targets)
    assert_close(value, mlp_loss_numpy(params, inputs, targets), rtol=1e-12, atol=0)
    step = 0.05
    g = grad_fun(params, inputs, targets)
    new_params = [(W - step * np.asarray(gW), b - step * np.asarray(gb))
                  for (W, b), (gW, gb) in zip(params, g, strict=True)]
    assert mlp_loss_numpy(new_params, inputs, targets) < mlp_loss_numpy(params, inputs, targets)


POINTS = np.concatenate([np.linspace(-6.0, 6.0, 97), [-0.3, 1e-3, 0.25, 2.5]])


def sech2(x):
    return 1.0 / np.cosh(x) ** 2


@pytest.mark.parametrize("x", POINTS)
def test_lecture_tanh_values(x):
    assert_close(tanh(x), np.tanh(x), rtol=1e-12, atol=1e-15)


def test_lecture_tanh_first_derivative_is_one_minus_tanh_squared():
    for x in POINTS:
        expected = sech2(x)  # == 1 - tanh(x)^2, without the cancellation
        assert_close(fp(float(x)), expected, rtol=1e-12, atol=1e-15, err_msg=f"x={x}")


def test_lecture_tanh_second_derivative():
    for x in POINTS:
        expected = -2.0 * np.tanh(x) * sech2(x)
        assert_close(fpp(float(x)), expected, rtol=1e-12, atol=1e-14, err_msg=f"x={x}")


def test_lecture_tanh_derivatives_on_numpy_scalars_and_arrays():
    # float64 NumPy scalars work like Python floats
    assert_close(fp(np.float64(0.5)), sech2(0.5), rtol=1e-12, atol=0)
    # elementwise: the gradient of sum(tanh(x)) is the derivative at each point
    xs = np.linspace(-2, 2, 9)
    g = grad(lambda x: jnp.sum(tanh(x)))(xs)
    assert_close(g, sech2(xs), rtol=1e-12, atol=1e-15)
