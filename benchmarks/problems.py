"""The computations the benchmarks time, each written once.

Each is written against a NumPy-like module passed in (``tracegrad.numpy``,
``autograd.numpy``, torch, or NumPy itself), so every library runs the same
code; ``run.py`` times them and ``drawing.py`` draws them.

* ``chain``: a long chain of scalar operations, all overhead and no arithmetic.
* the lecture's MLP: ``tanh(x @ W + b)`` layers and a mean squared error.
* the lecture's ``tanh``, ``y = exp(-2x); (1 - y) / (1 + y)``.
"""

import numpy as np

# ---------------------------------------------------------------------------
# chain

CHAIN_STEPS = 1200
OPS_PER_STEP = 5        # sin, *, tanh, *, +
CHAIN_OPS = CHAIN_STEPS * OPS_PER_STEP   # 6,000


def chain(x, sin, tanh, steps=CHAIN_STEPS):
    for _ in range(steps):
        x = sin(x) * 0.5 + tanh(x) * 0.5
    return x


# ---------------------------------------------------------------------------
# the lecture's MLP

MLP_SMALL = dict(sizes=[8, 16, 16, 1], batch=16)
MLP_LARGE = dict(sizes=[256, 512, 512, 10], batch=256)


def make_loss_fun(jnp):
    """The lecture's MLP, written against any NumPy-like module `jnp`."""
    def predict(params, inputs):
        for W, b in params:
            outputs = jnp.dot(inputs, W) + b
            inputs = jnp.tanh(outputs)
        return outputs

    def loss_fun(params, inputs, targets):
        preds = predict(params, inputs)
        return jnp.mean((preds - targets)**2)

    return loss_fun


def mlp_problem(sizes, batch):
    """(params, inputs, targets), float64, from numpy.random.default_rng(0)."""
    rng = np.random.default_rng(0)
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        W = rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)
        b = rng.standard_normal(n_out) / np.sqrt(n_in)
        params.append((W, b))
    inputs = rng.standard_normal((batch, sizes[0]))
    targets = rng.standard_normal((batch, sizes[-1]))
    return params, inputs, targets


# ---------------------------------------------------------------------------
# the lecture's tanh

TANH_POINTS = [float(x) for x in np.linspace(-3.0, 3.0, 100)]


def make_tanh(jnp):
    """The lecture's tanh, written against any NumPy-like module `jnp`."""
    def tanh(x):
        y = jnp.exp(-2.0 * x)
        return (1.0 - y) / (1.0 + y)
    return tanh


HESSIAN_N = 32
JACOBIAN_N = 64


def hessian_problem(jnp):
    """f(x) = Σ tanh(A x) + ½ xᵀx, a point x, and the Hessian written by hand:
    H = Aᵀ diag(tanh″(A x)) A + I."""
    rng = np.random.default_rng(0)
    A = rng.standard_normal((HESSIAN_N, HESSIAN_N)) / np.sqrt(HESSIAN_N)
    x = rng.standard_normal(HESSIAN_N)

    def f(x):
        return jnp.sum(jnp.tanh(A @ x)) + 0.5 * jnp.sum(x * x)

    def hessian_numpy():
        t = np.tanh(A @ x)
        return (A.T * (-2.0 * t * (1.0 - t * t))) @ A + np.eye(HESSIAN_N)
    return f, x, hessian_numpy


def jacobian_problem(jnp):
    """f(x) = tanh(W x), a point x, and the Jacobian by hand: J = diag(1 − tanh²(W x)) W."""
    rng = np.random.default_rng(1)
    W = rng.standard_normal((JACOBIAN_N, JACOBIAN_N)) / np.sqrt(JACOBIAN_N)
    x = rng.standard_normal(JACOBIAN_N)

    def f(x):
        return jnp.tanh(W @ x)

    def jacobian_numpy():
        t = np.tanh(W @ x)
        return (1.0 - t * t)[:, None] * W
    return f, x, jacobian_numpy
