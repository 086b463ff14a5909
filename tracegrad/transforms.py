"""Jacobians and Hessians, built from vjp and jvp: no new machinery.

For f : ℝⁿ → ℝᵐ the Jacobian J is m × n. There are two ways to fill it:

* ``jacfwd``: column by column, one JVP per input direction e_j: n passes.
* ``jacrev``: row by row, one VJP per output direction e_i: m passes (and
  only one forward pass, whose record every VJP reuses).

Which is cheaper depends on n and m: reverse mode wins when there are more
inputs than outputs, the lecture's summary, and the reason a scalar loss
(m = 1) is always differentiated in reverse mode.

The Hessian is the Jacobian of the gradient: ``jacfwd(jacrev(f))``.
"""
import functools

import numpy as np

from . import numpy as tnp
from .core import concrete
from .forward import jvp
from .reverse import _argnums_tuple, _check_float, vjp

__all__ = ["jacfwd", "jacrev", "jacobian", "hessian"]


def _basis(shape, dtype):
    """The unit arrays e_0, e_1, ... of the given shape."""
    n = int(np.prod(shape))
    for j in range(n):
        e = np.zeros(n, dtype=dtype)
        e[j] = 1.0
        yield e.reshape(shape)


def _with_arg(fun, args, i, kwargs):
    def f(x):
        full = list(args)
        full[i] = x
        return fun(*full, **kwargs)
    return f


def _jac(fun, argnums, one_argument_jacobian, who):
    @functools.wraps(fun)
    def jac_fun(*args, **kwargs):
        single, nums = _argnums_tuple(argnums, len(args), who)
        jacs = tuple(one_argument_jacobian(_with_arg(fun, args, i, kwargs),
                                           _check_float(args[i], who, i)) for i in nums)
        return jacs[0] if single else jacs
    return jac_fun


def _jacfwd_one(f, x):
    x_shape = np.shape(concrete(x))
    columns = []
    for e in _basis(x_shape, np.result_type(concrete(x))):
        out, column = jvp(f, (x,), (e,))          # one column: J · e_j
        columns.append(column)
    out_shape = np.shape(concrete(out)) if columns else np.shape(concrete(f(x)))
    if not columns:
        return np.zeros(out_shape + x_shape)
    return tnp.reshape(tnp.stack(columns, axis=-1), out_shape + x_shape)


def _jacrev_one(f, x):
    out, pullback = vjp(f, x)
    out_shape = np.shape(concrete(out))
    x_shape = np.shape(concrete(x))
    rows = [pullback(e)[0] for e in _basis(out_shape, np.result_type(concrete(out)))]
    if not rows:
        return np.zeros(out_shape + x_shape)
    return tnp.reshape(tnp.stack(rows, axis=0), out_shape + x_shape)   # eᵢᵀ J


def jacfwd(fun, argnums=0):
    """The Jacobian by forward mode: one JVP per input element. Shape out + in."""
    return _jac(fun, argnums, _jacfwd_one, f"jacfwd({getattr(fun, '__name__', 'fun')})")


def jacrev(fun, argnums=0):
    """The Jacobian by reverse mode: one VJP per output element. Shape out + in."""
    return _jac(fun, argnums, _jacrev_one, f"jacrev({getattr(fun, '__name__', 'fun')})")


jacobian = jacrev


def hessian(fun, argnums=0):
    """The matrix of second derivatives: forward over reverse."""
    return jacfwd(jacrev(fun, argnums), argnums)
