"""Numerical references for the test suite: finite differences of plain NumPy.

The one finite-difference code is the library's own, ``tracegrad.checks``
(``numerical_grad``, ``numerical_jvp``: central differences with one step of
Richardson extrapolation, error O(h^4)), which students use too. It only
evaluates the function it is given at nearby points, so called here on a plain
NumPy function it never runs the engine the tests check. This module gives
it the names and shapes the tests use:

* ``num_jacobian`` / ``num_grad`` / ``num_grad_arg`` / ``num_jvp``;
* ``num_hessian``: the four-point mixed central-difference stencil, also
  Richardson-extrapolated, for second-order checks (the library has no Hessian
  by differences: this is the one second-order stencil);
* ``num_jacobian_of``: finite differences of *any* gradient function, used to
  check second derivatives by differencing tracegrad's own first derivative;
* ``assert_close``: ``assert_allclose`` that also insists on the exact shape.
"""

from __future__ import annotations

import numpy as np

from tracegrad.checks import numerical_grad, numerical_jvp

# Relative step sizes.  With Richardson extrapolation the truncation error of
# the first-order formula is ~h^4 and the round-off error ~eps/h, so h=1e-3
# gives ~1e-12 + 1e-13 on well-scaled functions.
FIRST_ORDER_STEP = 1e-3
SECOND_ORDER_STEP = 1e-3


def as_f64(x):
    """A float64 *copy* of ``x`` (so perturbing it never touches the caller)."""
    return np.array(x, dtype=np.float64)


def _out(f, x):
    return np.asarray(f(x), dtype=np.float64)


def _richardson(d_h, d_h2):
    """Combine estimates with step h and h/2 of an O(h^2) formula."""
    return (4.0 * d_h2 - d_h) / 3.0


def num_jacobian(f, x, eps=FIRST_ORDER_STEP):
    """Jacobian of ``f`` at ``x`` by central differences (tracegrad.checks).

    Shape is ``f(x).shape + x.shape`` (the JAX convention).
    """
    return np.asarray(numerical_grad(lambda z: _out(f, z), as_f64(x), eps=eps),
                      dtype=np.float64)


def num_grad(f, x, eps=FIRST_ORDER_STEP):
    """Gradient of a scalar-valued ``f`` at ``x`` (same shape as ``x``)."""
    x = as_f64(x)
    y0 = _out(f, x)
    assert y0.shape == (), f"num_grad needs a scalar output, got shape {y0.shape}"
    return num_jacobian(f, x, eps)


def num_grad_arg(f, args, argnum, eps=FIRST_ORDER_STEP):
    """Gradient of scalar ``f(*args)`` with respect to ``args[argnum]``."""
    args = [as_f64(a) for a in args]

    def partial(xi):
        a = list(args)
        a[argnum] = xi
        return f(*a)

    return num_grad(partial, args[argnum], eps)


def num_jvp(f, x, v, eps=FIRST_ORDER_STEP):
    """Directional derivative J(x) @ v by central differences along ``v``."""
    return np.asarray(numerical_jvp(lambda z: _out(f, z), (as_f64(x),), (as_f64(v),), eps),
                      dtype=np.float64)


def num_hessian(f, x, eps=SECOND_ORDER_STEP):
    """Hessian of scalar ``f`` at ``x`` by the 4-point mixed stencil.

    H[i, j] ~ (f(x+hi+hj) - f(x+hi-hj) - f(x-hi+hj) + f(x-hi-hj)) / (4 hi hj),
    Richardson-extrapolated.  Shape ``x.shape + x.shape``.
    """
    x = as_f64(x)
    n = x.size
    flat = x.reshape(-1)
    steps = np.array([eps * max(1.0, abs(float(v))) for v in flat])

    def fval(z):
        return float(_out(f, z.reshape(x.shape)))

    def stencil(scale):
        H = np.zeros((n, n))
        for i in range(n):
            for j in range(i, n):
                hi = steps[i] * scale
                hj = steps[j] * scale
                z = flat.copy()
                vals = []
                for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                    z[:] = flat
                    z[i] += si * hi
                    z[j] += sj * hj
                    vals.append(fval(z))
                H[i, j] = H[j, i] = (vals[0] - vals[1] - vals[2] + vals[3]) / (4 * hi * hj)
        return H

    H = _richardson(stencil(1.0), stencil(0.5))
    return H.reshape(x.shape + x.shape)


def num_jacobian_of(gradient_fun, x, eps=FIRST_ORDER_STEP):
    """Finite differences of a (possibly tracegrad-computed) gradient function.

    ``gradient_fun(x)`` must return an array; the result has shape
    ``gradient_fun(x).shape + x.shape``.  Used for second-order checks of the
    form "the library's Hessian equals the numerical derivative of the
    library's gradient" (the gradient itself being checked separately).
    """
    return num_jacobian(lambda z: np.asarray(gradient_fun(z), dtype=np.float64), x, eps)


# ---------------------------------------------------------------------------
# several arguments at once: concatenate everything into one flat vector


def pack(args):
    """Flatten a list of arrays into one float64 vector (+ the shapes)."""
    args = [as_f64(a) for a in args]
    shapes = [a.shape for a in args]
    flat = np.concatenate([a.reshape(-1) for a in args]) if args else np.zeros(0)
    return flat, shapes


def unpack(flat, shapes):
    out, k = [], 0
    for s in shapes:
        size = int(np.prod(s, dtype=int))
        out.append(flat[k:k + size].reshape(s))
        k += size
    return out


def num_hessian_args(f, args, eps=SECOND_ORDER_STEP):
    """Full Hessian of scalar ``f(*args)`` over all arguments.

    Returns a function ``block(i, j)`` giving d^2 f / d args[i] d args[j] with
    shape ``args[i].shape + args[j].shape``.
    """
    flat, shapes = pack(args)
    H = num_hessian(lambda z: f(*unpack(z, shapes)), flat, eps)
    sizes = [int(np.prod(s, dtype=int)) for s in shapes]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)

    def block(i, j):
        b = H[offsets[i]:offsets[i + 1], offsets[j]:offsets[j + 1]]
        return b.reshape(shapes[i] + shapes[j])

    return block


# ---------------------------------------------------------------------------
# comparisons


def assert_close(actual, expected, rtol=1e-6, atol=1e-8, scale_atol=True, err_msg=""):
    """assert_allclose that also checks the shape exactly.

    With ``scale_atol`` the absolute tolerance is multiplied by the largest
    magnitude in ``expected`` (at least 1), so that finite-difference round-off
    on large values does not cause spurious failures.
    """
    actual_arr = np.asarray(actual, dtype=np.float64)
    expected_arr = np.asarray(expected, dtype=np.float64)
    assert actual_arr.shape == expected_arr.shape, (
        f"shape mismatch: got {actual_arr.shape}, expected {expected_arr.shape}. {err_msg}"
    )
    if scale_atol:
        atol = atol * max(1.0, float(np.max(np.abs(expected_arr), initial=0.0)))
    np.testing.assert_allclose(actual_arr, expected_arr, rtol=rtol, atol=atol, err_msg=err_msg)


# tolerances used across the suite
GRAD_TOL = dict(rtol=1e-6, atol=1e-7)  # analytic/AD vs Richardson first differences
HESS_TOL = dict(rtol=1e-5, atol=1e-6)  # AD vs Richardson second differences
EXACT_TOL = dict(rtol=1e-12, atol=1e-13)  # AD vs closed-form analytic expressions
