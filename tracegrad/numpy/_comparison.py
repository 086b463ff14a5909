"""Comparisons and tests: plain booleans, computed on the values.

``x > 0`` or ``tnp.isnan(x)`` reads the values under the tracers and answers
with NumPy: a boolean has no derivative, as in JAX. So does ``round``, a step
function whose derivative is zero wherever it exists.
"""
import numpy as _np

from ..core import concrete

__all__ = ["equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "isnan",
           "isfinite", "isinf", "isclose", "allclose", "any", "all", "round", "around",
           "result_type"]


def _compare(np_fun):
    def compare(x, y):
        return np_fun(concrete(x), concrete(y))
    compare.__name__ = np_fun.__name__
    compare.__doc__ = f"np.{np_fun.__name__} on the values (a boolean: not differentiable)"
    return compare


equal, not_equal = _compare(_np.equal), _compare(_np.not_equal)


less, less_equal = _compare(_np.less), _compare(_np.less_equal)


greater, greater_equal = _compare(_np.greater), _compare(_np.greater_equal)


def isnan(x):
    return _np.isnan(concrete(x))


def isfinite(x):
    return _np.isfinite(concrete(x))


def isinf(x):
    return _np.isinf(concrete(x))


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """np.isclose on the values: booleans, not differentiable."""
    return _np.isclose(concrete(a), concrete(b), rtol=rtol, atol=atol, equal_nan=equal_nan)


def allclose(a, b, rtol=1e-05, atol=1e-08):
    return _np.allclose(concrete(a), concrete(b), rtol=rtol, atol=atol)


def any(a, axis=None, keepdims=False):
    """np.any on the values: a boolean, not differentiable (as in JAX)."""
    return _np.any(concrete(a), axis=axis, keepdims=keepdims)


def all(a, axis=None, keepdims=False):
    """np.all on the values: a boolean, not differentiable (as in JAX)."""
    return _np.all(concrete(a), axis=axis, keepdims=keepdims)


def round(a, decimals=0):
    """np.round on the values. A step function: its derivative is zero wherever it
    exists, so, as JAX does, the result is a constant with no gradient."""
    return _np.round(concrete(a), decimals=decimals)


around = round


def result_type(*xs):
    return _np.result_type(*[concrete(x) for x in xs])
