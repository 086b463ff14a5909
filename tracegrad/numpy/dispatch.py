"""Operators and methods of traced arrays, so they read like ``ndarray``.

``x * y`` on a tracer calls ``tnp.multiply(x, y)``, ``x[0]`` calls
``lax.getitem``, ``x.sum()`` calls ``tnp.sum``: every path leads to a
primitive's ``bind``. NumPy's own functions are redirected too, through
NumPy's dispatch protocols (``__array_ufunc__``, ``__array_function__``), so
``np.sin(x)`` on a tracer is traced rather than silently losing the gradient;
what tracegrad cannot trace raises an error naming the alternative.
"""
import dis
import sys

import numpy as np

import tracegrad.numpy as tnp

from .. import lax
from ..core import TracegradError, Tracer
from ..lax.indexing import normalize_index, take_rows, traced_rows
from ..words import message, said, words


def _swap(f):
    return lambda self, other: f(other, self)


def _binary(f):
    return lambda self, other: f(self, other)


def _method(f):
    # Primitives are objects, not functions, so Python would not pass `self`
    # to them as a method: wrap each in a function.
    return lambda self, *args, **kwargs: f(self, *args, **kwargs)


def _getitem(self, index):
    rows = traced_rows(index)                # x[i] with i computed per example (vmap)
    if rows is not None:
        return take_rows(self, rows)
    return lax.getitem(self, index=normalize_index(index))


def _setitem(self, index, value):
    raise TypeError(message("err.inplace"))


def _iter(self):
    for i in range(len(self)):
        yield self[i]


def _reshape(self, *shape):
    return tnp.reshape(self, shape[0] if len(shape) == 1 else shape)


def _transpose(self, *axes):
    return tnp.transpose(self, None if not axes else (axes[0] if len(axes) == 1 else axes))


def _item(self, *args):
    raise TypeError(message("err.item"))


def _copy(self):
    return self          # traced values are never changed in place: a copy is the value


def _astype(self, dtype):
    dtype = np.dtype(dtype)
    return self if dtype == self.dtype else lax.astype(self, dtype=dtype)


_OPERATORS = {
    "__add__": _binary(tnp.add), "__radd__": _swap(tnp.add),
    "__sub__": _binary(tnp.subtract), "__rsub__": _swap(tnp.subtract),
    "__mul__": _binary(tnp.multiply), "__rmul__": _swap(tnp.multiply),
    "__truediv__": _binary(tnp.divide), "__rtruediv__": _swap(tnp.divide),
    "__pow__": _binary(tnp.power), "__rpow__": _swap(tnp.power),
    "__matmul__": _binary(tnp.matmul), "__rmatmul__": _swap(tnp.matmul),
    "__neg__": _method(tnp.negative), "__pos__": lambda self: self,
    "__abs__": _method(tnp.abs),
    "__lt__": tnp.less, "__le__": tnp.less_equal, "__gt__": tnp.greater,
    "__ge__": tnp.greater_equal, "__eq__": tnp.equal, "__ne__": tnp.not_equal,
    "__getitem__": _getitem, "__setitem__": _setitem, "__iter__": _iter,
    "__round__": lambda self, ndigits=None: tnp.round(self, ndigits or 0),
}

_METHODS = {
    "sum": tnp.sum, "mean": tnp.mean, "prod": tnp.prod, "max": tnp.max, "min": tnp.min,
    "var": tnp.var, "std": tnp.std, "argmax": tnp.argmax, "argmin": tnp.argmin,
    "dot": tnp.dot, "ravel": tnp.ravel, "flatten": tnp.ravel, "squeeze": tnp.squeeze,
    "swapaxes": tnp.swapaxes, "clip": tnp.clip, "reshape": _reshape,
    "transpose": _transpose, "astype": _astype, "any": tnp.any, "all": tnp.all,
    "round": tnp.round, "item": _item, "copy": _copy,
}

for _name, _f in _OPERATORS.items():                 # all plain functions of self
    setattr(Tracer, _name, _f)
for _name, _f in _METHODS.items():
    setattr(Tracer, _name, _method(_f))
Tracer.T = property(lambda self: tnp.transpose(self))
Tracer.__hash__ = lambda self: id(self)      # __eq__ is elementwise, as in NumPy


# ---- PyTorch habits: what to write instead --------------------------------------
# A student who knows PyTorch reaches for loss.backward() and x.grad. Traced
# values have neither: tracegrad, like JAX, returns gradients from tg.grad.
# Each habit gets two lines, what is different and what to write; as
# AttributeErrors, so that hasattr(x, "grad") stays False, as for an ndarray.

# The habit, and the words key of what to write instead (tracegrad/words/).
_PYTORCH_HABITS = {
    "backward": ("loss.backward()", "part.pytorch backward"),
    "grad": ("x.grad", "part.pytorch grad"),
    "requires_grad_": ("x.requires_grad_()", "part.pytorch requires_grad"),
    "requires_grad": ("x.requires_grad", "part.pytorch requires_grad"),
    "detach": ("x.detach()", "part.pytorch detach"),
}


def _habit(what, instead):
    def refuse(self):
        raise AttributeError(message("err.pytorch", what=what, instead=said(instead)))
    return property(refuse)


def _numpy(self):
    raise AttributeError(message("err.numpy-method"))


for _name, (_what, _instead) in _PYTORCH_HABITS.items():
    setattr(Tracer, _name, _habit(_what, _instead))
Tracer.numpy = property(_numpy)


# ---- x.at[i].set(v): functional updates (tnp.at(x) works on plain arrays too) -----

Tracer.at = property(tnp._At)


# ---- NumPy's dispatch protocols -----------------------------------------------

_UFUNCS = {
    "add": tnp.add, "subtract": tnp.subtract, "multiply": tnp.multiply,
    "divide": tnp.divide, "true_divide": tnp.divide, "negative": tnp.negative,
    "power": tnp.power, "square": tnp.square, "sqrt": tnp.sqrt, "exp": tnp.exp,
    "log": tnp.log, "log1p": tnp.log1p, "expm1": tnp.expm1, "sin": tnp.sin,
    "cos": tnp.cos, "tan": tnp.tan, "arcsin": tnp.arcsin, "arccos": tnp.arccos,
    "arctan": tnp.arctan, "arctan2": tnp.arctan2, "sinh": tnp.sinh, "cosh": tnp.cosh,
    "tanh": tnp.tanh, "absolute": tnp.abs, "sign": tnp.sign, "maximum": tnp.maximum,
    "minimum": tnp.minimum, "matmul": tnp.matmul, "equal": tnp.equal,
    "not_equal": tnp.not_equal, "less": tnp.less, "less_equal": tnp.less_equal,
    "greater": tnp.greater, "greater_equal": tnp.greater_equal, "isnan": tnp.isnan,
    "isfinite": tnp.isfinite, "isinf": tnp.isinf, "positive": lambda x: x,
}


# SciPy's functions that tracegrad has under another name. scipy.special's are NumPy
# ufuncs (expit, logit) or functions that call np.asarray (softmax): both reach a tracer.
_SCIPY_SPECIAL = {
    "expit": "tg.nn.sigmoid(x)", "log_expit": "-tg.nn.softplus(-x)",
    "logit": "tnp.log(x) - tnp.log1p(-x)", "softplus": "tg.nn.softplus(x)",
    "softmax": "tg.nn.softmax(x, axis)", "log_softmax": "tg.nn.log_softmax(x, axis)",
    "logsumexp": "tg.nn.logsumexp(x, axis)",
}


def _scipy_error(name):
    return TypeError(message("err.scipy", name=name, instead=_SCIPY_SPECIAL[name]))


def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    f = _UFUNCS.get(ufunc.__name__)
    if method == "__call__" and f is not None and not kwargs:
        return f(*inputs)
    if ufunc.__name__ in _SCIPY_SPECIAL:
        raise _scipy_error(ufunc.__name__)
    call = (ufunc.__name__ + ("" if method == "__call__" else "." + method)
            + ("(..., " + ", ".join(kwargs) + "=...)" if kwargs else ""))
    fix = said("part.ufunc without" if f is not None else "part.ufunc none")
    raise TypeError(message("err.ufunc", call=call, fix=fix.format(name=ufunc.__name__)))


def _array_function(self, func, types, args, kwargs):
    f = getattr(tnp, func.__name__, None) if func.__name__ in tnp.__all__ else None
    if f is not None:
        return f(*args, **kwargs)
    module = (getattr(func, "__module__", None) or "numpy").replace("numpy", "np", 1)
    name = f"{module}.{func.__name__}"
    example = said("part.norm example") if func.__name__ == "norm" else ""
    raise TypeError(message("err.numpy-function", name=name, short=func.__name__,
                            example=example))


Tracer.__array_ufunc__ = _array_ufunc
Tracer.__array_function__ = _array_function


# ---- issue 13: more operators, methods and NumPy functions ----------------------------

Tracer.__mod__ = _binary(tnp.mod)
Tracer.__rmod__ = _swap(tnp.mod)
for _name in ("cumsum", "cumprod", "sort", "argsort", "repeat", "take", "trace", "diagonal"):
    setattr(Tracer, _name, _method(getattr(tnp, _name)))
_UFUNCS.update({name: getattr(tnp, name) for name in (
    "arcsinh", "arccosh", "arctanh", "log2", "log10", "exp2", "logaddexp", "logaddexp2",
    "hypot", "reciprocal", "fabs", "deg2rad", "rad2deg", "degrees", "radians", "remainder",
    "mod", "floor", "ceil", "rint", "trunc", "fmax", "fmin")})


def _array_function_linalg(self, func, types, args, kwargs):
    # np.linalg.norm(x) on a traced x: tnp.linalg.norm, when there is one.
    if (getattr(func, "__module__", "") or "").startswith("numpy.linalg") \
            and func.__name__ in tnp.linalg.__all__:
        return getattr(tnp.linalg, func.__name__)(*args, **kwargs)
    return _array_function(self, func, types, args, kwargs)


Tracer.__array_function__ = _array_function_linalg


# ---- Methods a traced value refuses (ndarray's tolist) or lacks (PyTorch's x.exp()) ----

def _no_tolist(self):
    raise AttributeError(message("err.tolist", who=self._trace.who))


def _function_not_method(name, instead):
    # instead: code to write, or a words key ("part.*") when it has words in it
    def refuse(self):
        raise AttributeError(message("err.not-a-method", name=name,
                                     instead=said(instead) if instead in words() else instead))
    return property(refuse)


Tracer.tolist = property(_no_tolist)
for _name in ("exp", "log", "log1p", "expm1", "sqrt", "square", "sin", "cos", "tan",
              "sinh", "cosh", "tanh", "abs", "sign", "floor", "ceil"):
    setattr(Tracer, _name, _function_not_method(_name, f"tnp.{_name}(x)"))
for _name in ("sigmoid", "relu", "softplus", "softmax", "log_softmax", "logsumexp"):
    setattr(Tracer, _name, _function_not_method(_name, f"tg.nn.{_name}(x)"))
Tracer.pow = _function_not_method("pow", "part.pow instead")
Tracer.norm = _function_not_method("norm", "tnp.linalg.norm(x)")


# ---- v stored into a plain NumPy array: preds[i] = v --------------------------------
# NumPy's own __setitem__ cannot be intercepted, but to store a traced v it asks v for
# a number (float(v), one element) or an array (np.asarray(v), a row), and turns the
# TypeError that core.py's refusals raise into "setting an array element with a
# sequence". So both look at the instruction that called them: a store into a subscript
# gets its own error, a TracegradError. NumPy passes it on for a row; for one element it
# still raises its ValueError, but with ours as the cause, printed above it.
# SciPy's functions reach np.asarray(v) too (scipy.special.softmax): name tracegrad's.

_STORE_SUBSCR = dis.opmap["STORE_SUBSCR"]
_BINARY_SUBSCR = dis.opmap.get("BINARY_SUBSCR")     # Python 3.14 reads a[k] as a BINARY_OP


def _instruction(frame):
    """The opcode the frame is running: what it asked of the value in hand."""
    return frame.f_code.co_code[frame.f_lasti]


def _storing(frame):
    return _instruction(frame) == _STORE_SUBSCR


def _subscript_error(index):
    # a[k] on a plain array a, k integers computed per example: NumPy tries
    # operator.index(k), then np.asarray(k); neither can stand for every example.
    return TracegradError(message("err.subscript", who=index._trace.who))


def _store_error(value):
    return TracegradError(message("err.store", who=value._trace.who))


def _scipy_caller(frame):
    """The outermost SciPy function among the callers, if it is one tracegrad has."""
    name = None
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith("scipy."):
            name = frame.f_code.co_name
        elif not module.startswith("numpy") and name is not None:
            break
        frame = frame.f_back
    return name if name in _SCIPY_SPECIAL else None


_refuse_array = Tracer.__array__                 # core.py's refusals, which these extend


def _array(self, dtype=None, copy=None):
    frame = sys._getframe(1)
    if _storing(frame):
        raise _store_error(self)
    if _instruction(frame) == _BINARY_SUBSCR and self.dtype.kind in "iu":
        raise _subscript_error(self)
    name = _scipy_caller(frame)
    if name is not None:
        raise _scipy_error(name)
    return _refuse_array(self, dtype, copy)


def _float(self):
    frame = sys._getframe(1)                     # the user's line (see Tracer.__float__)
    if _storing(frame):
        raise _store_error(self)
    self._no_scalar("float", frame)


Tracer.__array__ = _array
Tracer.__float__ = _float
