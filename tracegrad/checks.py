"""Checking derivatives against numerical differentiation.

The one gradient checker of tracegrad: the tests, the notebooks and your own
exercises use it.

``numerical_grad`` uses central differences,

    ∂f/∂x_j ≈ (f(x + h e_j) − f(x − h e_j)) / 2h,

whose error is O(h²) from truncation plus O(ε/h) from round-off (ε ≈ 1e-16);
h ≈ ε^(1/3) balances the two, leaving about 10 correct digits. That is
plenty to catch a wrong rule, but it is not exact: automatic differentiation
is.

``check_grads`` checks both modes without forming any Jacobian:

* forward: ``jvp(f, x, v)`` must match the difference quotient along v;
* reverse: for a random cotangent u, ``⟨u, J v⟩ = ⟨uᵀJ, v⟩``: the VJP paired
  with v must equal u paired with the numerical JVP;

and for ``order=2`` it checks the derivative functions themselves the same
way (the JVP of the JVP, the VJP of the VJP), and so on.
"""
import numpy as np

from .core import concrete
from .forward import jvp
from .reverse import vjp
from .tree import tree_flatten, tree_unflatten

__all__ = ["numerical_grad", "check_grads"]

_EPS = 1e-5


def _leaves_float(tree):
    leaves, treedef = tree_flatten(tree)
    return [np.asarray(concrete(x), dtype=float) for x in leaves], treedef


def _numerical_jvp(fun, args, tangents, eps):
    """(f(x + h·v) − f(x − h·v)) / 2h, for pytrees of arguments and outputs."""
    xs, treedef = _leaves_float(args)
    vs, _ = _leaves_float(tangents)
    plus = fun(*tree_unflatten(treedef, [x + eps * v for x, v in zip(xs, vs)]))
    minus = fun(*tree_unflatten(treedef, [x - eps * v for x, v in zip(xs, vs)]))
    p, out_def = _leaves_float(plus)
    m, _ = _leaves_float(minus)
    return [(a - b) / (2 * eps) for a, b in zip(p, m)], out_def


def numerical_grad(fun, *args, argnums=0, eps=_EPS):
    """Central differences: the gradient (or Jacobian) of ``fun`` w.r.t. one argument.

    The result has shape ``out.shape + x.shape``: for a scalar ``fun`` that is
    the gradient, shaped like ``x``. ``x`` may be a pytree; then the result is
    a pytree of the same structure.
    """
    x_leaves, x_def = _leaves_float(args[argnums])

    def f_of_x(*leaves):
        full = list(args)
        full[argnums] = tree_unflatten(x_def, leaves)
        return np.asarray(concrete(fun(*full)), dtype=float)

    out_shape = np.shape(f_of_x(*x_leaves))
    grads = []
    for k, x in enumerate(x_leaves):
        g = np.empty(out_shape + x.shape)
        for j in np.ndindex(x.shape):
            direction = [np.zeros_like(leaf) for leaf in x_leaves]
            direction[k][j] = 1.0
            column, _ = _numerical_jvp(f_of_x, x_leaves, direction, eps)
            g[(Ellipsis,) + j] = column[0]
        grads.append(g if g.shape else g[()])
    return tree_unflatten(x_def, grads)


def _random_like(tree, rng):
    leaves, treedef = _leaves_float(tree)
    return tree_unflatten(treedef, [rng.standard_normal(x.shape) if x.shape
                                    else rng.standard_normal() for x in leaves])


def _inner(a, b):
    return sum(float(np.sum(x * y)) for x, y in zip(_leaves_float(a)[0], _leaves_float(b)[0]))


def _assert_close(what, got, want, rtol, atol):
    got_leaves = [np.asarray(x) for x in got]
    for g, w in zip(got_leaves, want):
        if g.shape != w.shape or not np.allclose(g, w, rtol=rtol, atol=atol):
            err = np.max(np.abs(g - w)) if g.shape == w.shape else "shape mismatch"
            raise AssertionError(
                f"check_grads: {what} disagrees with numerical differentiation.\n"
                f"  automatic: {np.array2string(g, precision=8, threshold=8)}\n"
                f"  numerical: {np.array2string(w, precision=8, threshold=8)}\n"
                f"  max |difference| = {err} (rtol={rtol}, atol={atol})")


def check_grads(fun, args, order=2, modes=("fwd", "rev"), eps=_EPS, rtol=1e-5,
                atol=1e-6, seed=0):
    """Raise AssertionError unless ``fun``'s derivatives match central differences.

    ``args`` is a tuple of arguments. ``order`` is how many derivatives deep
    to check; ``modes`` picks forward ("fwd"), reverse ("rev") or both.
    """
    args = tuple(args)
    rng = np.random.default_rng(seed)
    for mode in modes:
        if mode not in ("fwd", "rev"):
            raise ValueError(f"check_grads: unknown mode {mode!r}; use 'fwd' and/or 'rev'.")
    if order < 1:
        return
    tangents = _random_like(args, rng)
    numeric, _ = _numerical_jvp(fun, args, tangents, eps)
    if "fwd" in modes:
        _, tangent_out = jvp(fun, args, tangents)
        _assert_close(f"forward mode (jvp), order {order}", _leaves_float(tangent_out)[0],
                      numeric, rtol, atol)
        check_grads(lambda *a: jvp(fun, a, tangents)[1], args, order - 1, modes,
                    eps, rtol, atol, seed + 1)
    if "rev" in modes:
        out, pullback = vjp(fun, *args)
        cotangent = _random_like(out, rng)
        pulled = pullback(cotangent)
        want = sum(float(np.sum(u * n)) for u, n in zip(_leaves_float(cotangent)[0], numeric))
        _assert_close(f"reverse mode (vjp), order {order}", [_inner(pulled, tangents)],
                      [np.asarray(want)], rtol, atol)
        check_grads(lambda *a: vjp(fun, *a)[1](cotangent), args, order - 1, modes,
                    eps, rtol, atol, seed + 2)
