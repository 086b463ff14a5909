"""Indexing with repeated elements: issue 15, items 3 and 4.

``x[[0, 0]]`` reads ``x[0]`` twice, so its cotangents add; ``x.at[[0, 0]].set(v)``
writes twice, and only the last write survives, so only it gets a cotangent.
A tuple inside an index (``x[(0, 0),]``) is an integer array, as in NumPy.

The references are independent of tracegrad: JAX's stated results from the
issue, plain NumPy (``np.add.at``, a Python loop over the writes), and
finite differences through ``tg.check_grads``.
"""

import numpy as np

import tracegrad as tg
import tracegrad.lax as lax
import tracegrad.numpy as tnp

from .numeric import EXACT_TOL, assert_close

# ---- item 3: x.at[idx].set(v) with a repeated index ------------------------------


def test_set_with_repeated_index_gives_the_cotangent_to_the_last_write_only():
    f = lambda v: (0 * v[0] + tnp.zeros(3)).at[np.array([0, 0])].set(v).sum()  # noqa: E731
    assert_close(tg.grad(f)(np.array([5.0, 7.0])), [0.0, 1.0], **EXACT_TOL)   # JAX: [0, 1]
    _, tangent = tg.jvp(f, (np.array([5.0, 7.0]),), (np.array([1.0, 10.0]),))
    assert float(tangent) == 10.0                  # only v[1] reaches the output


def _set_repeats(v):
    # out = [v1³, 0, v2³] weighted by [1, 2, 3]: v0 is overwritten by v1.
    written = lax.index_set(np.zeros(3), v ** 3, index=(np.array([0, 0, 2]),))
    return tnp.sum(written * np.array([1.0, 2.0, 3.0]))


def test_set_with_repeated_index_hessian_vector_products():
    v = np.array([5.0, 7.0, 2.0])
    # The analytic Hessian of v1³ + 3 v2³ is diag(0, 6 v1, 18 v2).
    want = np.diag([0.0, 6 * v[1], 18 * v[2]])
    assert_close(tg.hessian(_set_repeats)(v), want, **EXACT_TOL)
    u = np.array([1.0, -2.0, 0.5])
    hvp = tg.jvp(tg.grad(_set_repeats), (v,), (u,))[1]
    assert_close(hvp, want @ u, **EXACT_TOL)
    tg.check_grads(_set_repeats, (v,), order=2, modes=("fwd", "rev"))


def test_set_with_repeated_index_broadcast_value_and_x_cotangent():
    x = np.array([1.0, 2.0, 3.0, 4.0])

    def f(x, s):      # s is written to x[1] twice (it survives once), x[1] is lost
        return tnp.sum(lax.index_set(x, s, index=(np.array([1, 3, 1]),)) * np.arange(1.0, 5.0))

    gx, gs = tg.grad(f, argnums=(0, 1))(x, 2.5)
    assert_close(gx, [1.0, 0.0, 3.0, 0.0], **EXACT_TOL)
    assert float(gs) == 2.0 + 4.0                  # x[1] and x[3] hold s once each
    tg.check_grads(f, (x, 2.5), order=2, modes=("fwd", "rev"))
