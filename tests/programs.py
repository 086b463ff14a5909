"""The programs the tests run, each written once, with their references.

* The lecture's one neuron, ``z = w·a_prev + b``, ``a = tanh(z)``,
  ``C = (a − y)²``, and its derivatives by the chain rule on paper.
* The lecture's network (an MLP of tanh layers, mean squared error), its loss
  and its backpropagation written by hand in plain NumPy.
* Small programs that several graph tests draw.

``tests/test_lecture_examples.py`` keeps its own copy of the lecture's code on
purpose: it checks that the lecture runs verbatim, with only the import changed.
"""

from __future__ import annotations

import numpy as np

import tracegrad as tg
import tracegrad.numpy as tnp

# ---------------------------------------------------------------------------
# one neuron

W, A_PREV, B, Y = 0.7, -0.3, 0.25, 0.9


def neuron(w, a_prev, b, y):
    """The lecture's one-neuron chain."""
    z = w * a_prev + b
    a = tnp.tanh(z)
    C = (a - y) ** 2
    return C


def neuron_of_w_b(w, b, a_prev=A_PREV, y=Y):
    """The same neuron as a function of its parameters only, the rest given by
    defaults: the form the explorer widget takes (one slider per parameter)."""
    z = w * a_prev + b
    a = tnp.tanh(z)
    C = (a - y) ** 2            # named, so the graph calls the output C
    return C


def neuron_by_hand(w=W, a_prev=A_PREV, b=B, y=Y):
    """Values and derivatives of the neuron, by the chain rule on paper."""
    z = w * a_prev + b
    a = np.tanh(z)
    C = (a - y) ** 2
    dC_da = 2 * (a - y)
    dC_dz = dC_da * (1 - a ** 2)
    return dict(z=z, a=a, C=C, dC_da=dC_da, dC_dz=dC_dz,
                dC_dw=dC_dz * a_prev, dC_da_prev=dC_dz * w, dC_db=dC_dz, dC_dy=-dC_da)


def neuron_graph(**options):
    """``tg.graph`` of the neuron with respect to all four inputs."""
    return tg.graph(neuron, argnums=(0, 1, 2, 3), **options)(W, A_PREV, B, Y)


# ---------------------------------------------------------------------------
# the lecture's network


def predict(params, inputs):
    for W_, b_ in params:
        outputs = tnp.dot(inputs, W_) + b_
        inputs = tnp.tanh(outputs)
    return outputs


def loss_fun(params, inputs, targets):
    preds = predict(params, inputs)
    return tnp.mean((preds - targets) ** 2)


def mlp_problem(seed=0, sizes=(3, 5, 4, 2), n=6):
    """(params, inputs, targets): ``n`` examples through layers of ``sizes``."""
    rng = np.random.default_rng(seed)
    params = [(rng.normal(scale=0.7, size=(m, k)), rng.normal(scale=0.3, size=(k,)))
              for m, k in zip(sizes[:-1], sizes[1:], strict=True)]
    inputs = rng.normal(size=(n, sizes[0]))
    targets = rng.normal(size=(n, sizes[-1]))
    return params, inputs, targets


def mlp_loss_numpy(params, inputs, targets):
    """``loss_fun`` in plain NumPy."""
    for W_, b_ in params:
        outputs = inputs @ W_ + b_
        inputs = np.tanh(outputs)
    return np.mean((outputs - targets) ** 2)


def mlp_backprop_numpy(params, inputs, targets):
    """Textbook backpropagation for the network, in plain NumPy: the gradient
    of ``loss_fun`` as ``[(dW, db), ...]``, one pair per layer."""
    activations = [inputs]  # a_0 = inputs, a_l = tanh(z_l)
    zs = []
    a = inputs
    for W_, b_ in params:
        z = a @ W_ + b_
        zs.append(z)
        a = np.tanh(z)
        activations.append(a)
    preds = zs[-1]  # the last layer's pre-activation is the prediction
    delta = 2.0 * (preds - targets) / preds.size  # dL/dz_L
    grads = [None] * len(params)
    for layer_ in reversed(range(len(params))):
        W_, _ = params[layer_]
        a_prev = activations[layer_]
        grads[layer_] = (a_prev.T @ delta, delta.sum(axis=0))
        if layer_ > 0:
            delta = (delta @ W_.T) * (1.0 - a_prev**2)  # a_prev = tanh(z_{layer-1})
    return grads


# ---------------------------------------------------------------------------
# small programs the graph tests draw


def layer(x, w):
    h = tnp.tanh(x * w)
    return h


def two_layers(x, w1, w2):
    """Two calls of ``layer``: two clusters in the graph."""
    h1 = layer(x, w1)
    h2 = layer(h1, w2)
    return h2 * h2


def escaping_program(x):
    """User text that must be escaped: a label with markup, a ``<lambda>`` cluster."""
    y = tg.label(x * 2.0, "<script>&")
    sq = lambda t: t * t  # noqa: E731  (a <lambda> cluster)
    return sq(y) + sq(x)
