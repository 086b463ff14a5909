"""NumPy's own functions on a traced value: ``np.sin(x)`` is ``tnp.sin(x)``.

A tracer defines NumPy's dispatch protocols (``__array_ufunc__``,
``__array_function__``, see ``core.Tracer``), which hand the call here. So
``np.sin(x)`` or ``np.linalg.norm(x)`` on a tracer is traced rather than
silently losing the gradient; what tracegrad cannot trace raises an error
naming the alternative.
"""
import tracegrad.numpy as tnp

from ..advice import SCIPY_SPECIAL, scipy_error
from ..words import message, said

__all__ = ["array_ufunc", "array_function", "UFUNCS"]

# NumPy's ufuncs, by name, and tracegrad.numpy's functions that compute them
UFUNCS = {name: getattr(tnp, name) for name in (
    "add", "subtract", "multiply", "divide", "true_divide", "negative", "power", "square",
    "sqrt", "exp", "log", "log1p", "expm1", "sin", "cos", "tan", "arcsin", "arccos", "arctan",
    "arctan2", "sinh", "cosh", "tanh", "sign", "maximum", "minimum", "matmul", "equal",
    "not_equal", "less", "less_equal", "greater", "greater_equal", "isnan", "isfinite",
    "isinf", "arcsinh", "arccosh", "arctanh", "log2", "log10", "exp2", "logaddexp",
    "logaddexp2", "hypot", "reciprocal", "fabs", "deg2rad", "rad2deg", "degrees", "radians",
    "remainder", "mod", "floor", "ceil", "rint", "trunc", "fmax", "fmin")}
UFUNCS.update(absolute=tnp.abs, positive=lambda x: x)


def array_ufunc(self, ufunc, method, *inputs, **kwargs):
    f = UFUNCS.get(ufunc.__name__)
    if method == "__call__" and f is not None and not kwargs:
        return f(*inputs)
    if ufunc.__name__ in SCIPY_SPECIAL:
        raise scipy_error(ufunc.__name__)
    call = (ufunc.__name__ + ("" if method == "__call__" else "." + method)
            + ("(..., " + ", ".join(kwargs) + "=...)" if kwargs else ""))
    fix = said("part.ufunc without" if f is not None else "part.ufunc none")
    raise TypeError(message("err.ufunc", call=call, fix=fix.format(name=ufunc.__name__)))


def array_function(self, func, types, args, kwargs):
    module = getattr(func, "__module__", None) or "numpy"
    if module.startswith("numpy.linalg") and func.__name__ in tnp.linalg.__all__:
        return getattr(tnp.linalg, func.__name__)(*args, **kwargs)   # np.linalg.norm(x)
    if func.__name__ in tnp.__all__:
        return getattr(tnp, func.__name__)(*args, **kwargs)
    name = f"{module.replace('numpy', 'np', 1)}.{func.__name__}"
    example = said("part.norm example") if func.__name__ == "norm" else ""
    raise TypeError(message("err.numpy-function", name=name, short=func.__name__,
                            example=example))
