"""Neural-network functions, composed from tracegrad.numpy.

Each is written to be numerically stable, and each stability trick is one
line you can read:

* ``sigmoid``: the primitive ``logistic``, evaluated without overflowing exp.
* ``relu``: ``where(x > 0, x, 0)``, so relu'(0) = 0, as in JAX and PyTorch;
  a nan passes through (relu(nan) = nan), so it is not hidden.
* ``softplus``: the primitive of that name, ``max(x, 0) + log1p(e^(−|x|))``:
  no overflow, and its derivative is σ(x) exactly, at 0 too.
* ``logsumexp`` subtracts the maximum first; the maximum is a constant
  (``stop_gradient``) because the result does not depend on it. Over no
  elements at all it is log 0 = −inf, as in NumPy and JAX.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import lax
from . import numpy as tnp
from .core import concrete
from .typing import Array, DTypeLike

__all__ = ["sigmoid", "relu", "softplus", "logsumexp", "softmax", "log_softmax", "one_hot"]


def sigmoid(x: Array) -> Array:
    """σ(x) = 1 / (1 + e^(−x)); σ'(x) = σ(x)(1 − σ(x))."""
    return lax.logistic(x)


def relu(x: Array) -> Array:
    """max(x, 0); the derivative at 0 is taken to be 0. relu(nan) = nan."""
    value = concrete(x)           # ufuncs only: tg.jit can stage the mask
    return lax.select(np.logical_or(np.greater(value, 0), np.isnan(value)), x, 0.0)


def softplus(x: Array) -> Array:
    """log(1 + eˣ), a smooth relu; its derivative is σ(x)."""
    return lax.softplus(x)


def logsumexp(x: Array, axis: int | Sequence[int] | None = None,
              keepdims: bool = False) -> Array:
    """log Σ eˣ, computed as m + log Σ e^(x − m) with m = max x."""
    if tnp.size(x) == 0:                 # no maximum to subtract: m = 0, the sum is 0
        m = np.zeros_like(np.sum(concrete(x), axis=axis, keepdims=True))
    else:
        m = lax.stop_gradient(tnp.max(x, axis=axis, keepdims=True))
    m = tnp.where(tnp.isfinite(m), m, 0.0)          # all −inf: leave them alone
    out = tnp.log(tnp.sum(tnp.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else tnp.squeeze(out, axis=axis)


def log_softmax(x: Array, axis: int = -1) -> Array:
    """x − logsumexp(x): log-probabilities, stable for large |x|."""
    return x - logsumexp(x, axis=axis, keepdims=True)


def softmax(x: Array, axis: int = -1) -> Array:
    """eˣ / Σ eˣ along ``axis``."""
    return tnp.exp(log_softmax(x, axis=axis))


def one_hot(labels: Array, num_classes: int, dtype: DTypeLike = np.float64) -> Array:
    """Row ``k`` of the identity for each label ``k``: ``tnp.eye(num_classes)[labels]``.

    Written as a comparison, so it works on labels that differ per example
    under ``vmap`` too, where a NumPy array cannot be indexed by them.
    """
    labels = tnp.asarray(labels)
    return tnp.asarray(tnp.equal(labels[..., None], np.arange(num_classes)), dtype=dtype)
