"""tracegrad.numpy: NumPy's names, built from tracegrad's primitives.

``import tracegrad.numpy as jnp`` (or ``tnp``) and write NumPy code; inside
``grad`` and friends every call is traced. Outside any transformation the
functions simply run NumPy on plain arrays.

Each function here is a thin composition of ``tracegrad.lax`` primitives:
``mean`` is a sum and a division, ``var`` is a mean of squares, ``dot`` is a
``matmul`` or an ``einsum``. Only primitives have derivative rules; these
compositions are differentiated by the chain rule, for free.
"""
import builtins
import math

import numpy as _np

# Plain NumPy names that need no tracing (dtypes and constants).
from numpy import e, inf, nan, ndarray, newaxis, pi  # noqa: F401

from .. import lax
from ..core import Tracer, concrete, shape_of
from ..lax.indexing import normalize_index
from ..words import message as _message
from ..words import said as _said

__all__ = [
    # creation
    "array", "asarray", "zeros", "ones", "zeros_like", "ones_like", "full", "arange",
    "linspace", "eye",
    # elementwise
    "add", "subtract", "multiply", "divide", "true_divide", "negative", "power", "square",
    "sqrt", "exp", "log", "log1p", "expm1", "sin", "cos", "tan", "arcsin", "arccos",
    "arctan", "arctan2", "sinh", "cosh", "tanh", "abs", "absolute", "sign", "maximum",
    "minimum", "clip", "where",
    # reductions
    "sum", "mean", "prod", "max", "min", "amax", "amin", "var", "std", "argmax", "argmin",
    # linear algebra
    "dot", "matmul", "einsum", "outer",
    # shape
    "shape", "ndim", "size", "reshape", "ravel", "transpose", "swapaxes", "expand_dims",
    "squeeze", "broadcast_to", "concatenate", "stack",
    # comparisons and tests (plain booleans: not differentiable)
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "isnan",
    "isfinite", "isinf", "allclose", "result_type", "any", "all", "round", "around",
    # functional updates that run on plain and traced arrays alike
    "at",
    # dtypes and constants
    "float16", "float32", "float64", "int32", "int64", "bool_", "pi", "e", "inf", "nan",
    "newaxis", "ndarray",
]


def _dtype(x):
    return _np.result_type(concrete(x))


def _traced(*xs):
    return builtins.any(isinstance(x, Tracer) for x in xs)


class _ScalarType:
    """``tnp.float32`` and friends: NumPy's scalar types, usable on traced values too.

    As a dtype (``dtype=tnp.float32``, ``x.astype(tnp.float32)``) it is NumPy's
    (NumPy reads its ``dtype``). Called on a traced value, a float type casts
    it differentiably, like ``x.astype``; an integer or boolean type would
    drop the gradient, so it says what to do instead.
    """

    def __init__(self, np_type):
        self.type, self.dtype, self.__name__ = np_type, _np.dtype(np_type), np_type.__name__

    def __call__(self, x=0):
        if not _has_tracer(x):
            return self.type(x)
        if self.dtype.kind == "f":
            return asarray(x, dtype=self.dtype)
        raise TypeError(_message("err.int-cast", name=self.__name__))

    def __repr__(self):
        return f"tnp.{self.__name__}"

    def __getattr__(self, name):                 # e.g. tnp.float32.__doc__, finfo-style use
        return getattr(self.type, name)


float16, float32, float64, int32, int64, bool_ = (
    _ScalarType(t) for t in (_np.float16, _np.float32, _np.float64, _np.int32, _np.int64,
                             _np.bool_))


# ---- creation -----------------------------------------------------------------

def _has_tracer(obj):
    if isinstance(obj, Tracer):
        return True
    if isinstance(obj, (list, tuple)):
        return builtins.any(_has_tracer(o) for o in obj)
    return False


def array(obj, dtype=None):
    """Like ``np.array``; a (nested) list holding traced values is stacked."""
    if _has_tracer(obj):
        if isinstance(obj, (list, tuple)):
            out = stack([array(o) for o in obj])
        else:
            out = obj
        return out if dtype is None else lax.astype(out, dtype=_np.dtype(dtype))
    return _np.array(obj, dtype=dtype)


def asarray(obj, dtype=None):
    if isinstance(obj, Tracer) and (dtype is None or _np.dtype(dtype) == obj.dtype):
        return obj
    return array(obj, dtype) if _has_tracer(obj) else _np.asarray(obj, dtype=dtype)


def zeros_like(x, dtype=None):
    return _np.zeros(shape_of(x), dtype=dtype or _dtype(x))


def ones_like(x, dtype=None):
    return _np.ones(shape_of(x), dtype=dtype or _dtype(x))


zeros, ones, arange, eye = _np.zeros, _np.ones, _np.arange, _np.eye


def full(shape, fill_value, dtype=None):
    """An array of ``shape`` filled with ``fill_value``, which may be traced (as ``np.full``)."""
    if isinstance(fill_value, Tracer):
        value = fill_value if dtype is None else asarray(fill_value, dtype)
        return broadcast_to(value, (shape,) if _np.ndim(shape) == 0 else tuple(shape))
    return _np.full(shape, fill_value, dtype=dtype)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced numbers from ``start`` to ``stop``, as ``np.linspace``.

    With a traced ``start`` or ``stop`` it is built from tnp operations,
    ``start + i · (stop − start) / (num − 1)``, so it is differentiable in both
    (plain NumPy would see a tracer it cannot read).
    """
    if not _traced(start, stop):
        return _np.linspace(start, stop, num, endpoint=endpoint, retstep=retstep,
                            dtype=dtype, axis=axis)
    if retstep or axis != 0:
        raise TypeError(_message("err.linspace-args"))
    if num < 0:
        raise ValueError(_message("err.linspace-num", num=num))
    # NumPy's dtype: float32 ends give float32 points (a float64 arange would not)
    kind = _np.result_type(concrete(start), concrete(stop), float(num))
    start, stop = asarray(start, dtype=kind), asarray(stop, dtype=kind)
    div = num - 1 if endpoint else num
    steps = _np.arange(num, dtype=kind).reshape((num,) + (1,) * ndim(stop - start))
    out = start + steps * ((stop - start) / div) if div > 0 else start + steps * (stop - start)
    if endpoint and num > 1:                     # the last point is stop exactly, as NumPy
        out = concatenate([out[:-1], expand_dims(broadcast_to(stop, shape(out)[1:]), 0)])
    return out if dtype is None else out.astype(dtype)


# ---- elementwise --------------------------------------------------------------

add, subtract, multiply = lax.add, lax.sub, lax.mul
divide = true_divide = lax.div
negative, square, sqrt = lax.neg, lax.square, lax.sqrt


def power(x, y):
    """x ** y. A whole-number constant exponent uses ``integer_pow``, whose
    derivative n·xⁿ⁻¹ stays exact at x = 0 to every order (the general rule
    y·x^(y−1) would meet 0 · 0⁻¹ = nan in the third derivative of x²)."""
    if isinstance(y, (int, _np.integer)) and not isinstance(y, bool):
        return lax.integer_pow(x, n=int(y))
    if isinstance(y, (float, _np.floating)) and float(y).is_integer() and abs(y) < 2**31:
        return lax.integer_pow(x, n=int(y))
    return lax.pow(x, y)
exp, log, log1p, expm1 = lax.exp, lax.log, lax.log1p, lax.expm1
sin, cos, tan = lax.sin, lax.cos, lax.tan
arcsin, arccos, arctan, arctan2 = lax.asin, lax.acos, lax.atan, lax.atan2
sinh, cosh, tanh = lax.sinh, lax.cosh, lax.tanh
abs = absolute = lax.abs
sign, maximum, minimum = lax.sign, lax.max, lax.min


def clip(a, a_min=None, a_max=None):
    """``minimum(maximum(a, a_min), a_max)``; either bound may be None."""
    if a_min is None and a_max is None:
        raise ValueError(_message("err.clip"))
    if a_min is not None:
        a = maximum(a, a_min)
    if a_max is not None:
        a = minimum(a, a_max)
    return a


def where(condition, x=None, y=None):
    """``where(cond, x, y)``: x where cond holds, else y. cond is not differentiated."""
    if x is None and y is None:                      # where(cond): positions, no derivative
        return _np.nonzero(concrete(condition))
    if x is None or y is None:
        raise TypeError(_message("err.where"))
    cond = _np.not_equal(concrete(condition), 0)     # a ufunc: tg.jit can stage it
    return lax.select(cond, x, y)


# ---- comparisons: plain booleans, computed on the values ---------------------------

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


def allclose(a, b, rtol=1e-05, atol=1e-08):
    return _np.allclose(concrete(a), concrete(b), rtol=rtol, atol=atol)


def result_type(*xs):
    return _np.result_type(*[concrete(x) for x in xs])


# ---- reductions -----------------------------------------------------------------

def _axes(axis, ndim, who):
    """None, or a sorted tuple of non-negative axes; a clear error when out of range."""
    if axis is None:
        return None
    axes = axis if isinstance(axis, tuple) else (axis,)
    out = []
    for a in axes:
        if not -ndim <= a < builtins.max(ndim, 1) or (ndim == 0 and a not in (0, -1)):
            raise ValueError(_message("err.axis", who=who, axis=a, ndim=ndim, low=-ndim,
                                     high=ndim - 1))
        out.append(a % ndim if ndim else 0)
    return tuple(sorted(out)) if ndim else None


def sum(a, axis=None, dtype=None, keepdims=False):
    """np.sum; with ``dtype`` the elements are cast first (differentiably, for floats)."""
    if dtype is not None:
        a = asarray(a, dtype=dtype)
    return lax.reduce_sum(a, axes=_axes(axis, ndim(a), "sum"), keepdims=keepdims)


def _count(a, axes):
    s = shape_of(a)
    return math.prod(s) if axes is None else math.prod(s[i] for i in axes)


def mean(a, axis=None, keepdims=False):
    a = asarray(a)                               # a Python list of traced scalars too
    axes = _axes(axis, ndim(a), "mean")
    return lax.reduce_sum(a, axes=axes, keepdims=keepdims) / _count(a, axes)


def var(a, axis=None, ddof=0, keepdims=False):
    a = asarray(a)
    axes = _axes(axis, ndim(a), "var")
    centered = a - mean(a, axis=axes, keepdims=True)
    return lax.reduce_sum(square(centered), axes=axes, keepdims=keepdims) / (_count(a, axes) - ddof)


def std(a, axis=None, ddof=0, keepdims=False):
    return sqrt(var(a, axis=axis, ddof=ddof, keepdims=keepdims))


def max(a, axis=None, keepdims=False):
    return lax.reduce_max(a, axes=_axes(axis, ndim(a), "max"), keepdims=keepdims)


def min(a, axis=None, keepdims=False):
    return lax.reduce_min(a, axes=_axes(axis, ndim(a), "min"), keepdims=keepdims)


amax, amin = max, min


def prod(a, axis=None, keepdims=False):
    """Product by pairwise multiplication: exact derivatives even with zeros.

    (The shortcut ∂/∂x_i = prod/x_i divides by zero when some x_i = 0, so
    the product is built from ``mul`` and differentiated like any program.)
    """
    if not _traced(a):
        return _np.prod(a, axis=axis, keepdims=keepdims)
    original = shape_of(a)
    axes = _axes(axis, len(original), "prod")
    if axes is None:
        axes = tuple(range(len(original)))
    for ax in reversed(axes):                 # one axis at a time, from the last
        a = _prod_axis(a, ax)
    if keepdims:
        a = reshape(a, tuple(1 if i in axes else n for i, n in enumerate(original)))
    return a


def _prod_axis(a, axis):
    a = _moveaxis_last(a, axis)
    n = shape_of(a)[-1]
    if n == 0:                                # the empty product: ones, in a's own dtype
        return _np.ones(shape_of(a)[:-1], dtype=a.dtype)
    while n > 1:                              # halve the length: log₂(n) multiplications
        half = n // 2
        paired = a[..., :half] * a[..., half:2 * half]
        a = concatenate([paired, a[..., 2 * half:]], axis=-1) if n % 2 else paired
        n = half + n % 2
    return reshape(a, shape_of(a)[:-1])


def _moveaxis_last(a, axis):
    order = [i for i in range(ndim(a)) if i != axis] + [axis]
    return a if order == list(range(ndim(a))) else transpose(a, order)


def argmax(a, axis=None, keepdims=False):
    return lax.argmax(a, axis=axis, keepdims=keepdims)


def argmin(a, axis=None, keepdims=False):
    return lax.argmin(a, axis=axis, keepdims=keepdims)


# ---- linear algebra -----------------------------------------------------------

def matmul(a, b):
    if ndim(a) == 0 or ndim(b) == 0:
        raise ValueError(_message("err.matmul-scalar", a=shape_of(a), b=shape_of(b)))
    sa, sb = shape_of(a), shape_of(b)
    k_a = sa[-1]
    k_b = sb[0] if len(sb) == 1 else sb[-2]
    if k_a != k_b:
        raise ValueError(_not_aligned("matmul", sa, sb, k_a, k_b))
    return lax.matmul(a, b)


def _not_aligned(who, sa, sb, k_a, k_b):
    which = _said("part.only axis" if len(sb) == 1 else "part.second-to-last axis")
    return _message("err.align", who=who, a=sa, b=sb, k_a=k_a, k_b=k_b, which=which)


def dot(a, b):
    """NumPy's ``dot``: a product for scalars, ``matmul`` up to 2-D ``b``."""
    sa, sb = shape_of(a), shape_of(b)
    if not sa or not sb:
        return multiply(a, b)
    if len(sb) <= 2:
        k_b = sb[0] if len(sb) == 1 else sb[-2]
        if sa[-1] != k_b:
            raise ValueError(_not_aligned("dot", sa, sb, sa[-1], k_b))
        return lax.matmul(a, b)
    letters = "abcdefghijklmnopqrstuvwxyz"
    na, nb = len(sa), len(sb)
    sa = letters[:na - 1] + "z"
    sb = letters[na - 1:na + nb - 3] + "z" + letters[na + nb - 3]
    return einsum(f"{sa},{sb}->{sa[:-1]}{sb[:-2]}{sb[-1]}", a, b)


def outer(a, b):
    return multiply(reshape(a, (-1, 1)), reshape(b, (1, -1)))


# ---- shape ------------------------------------------------------------------------

def shape(a):
    return shape_of(a)


def ndim(a):
    return len(shape_of(a))


def size(a):
    return math.prod(shape_of(a))


def _resolveshape_of(old, new, who="reshape"):
    new = (new,) if isinstance(new, int) else tuple(new)
    total = math.prod(old)
    if new.count(-1) > 1:
        raise ValueError(_message("err.reshape-two", who=who, new=new))
    if -1 in new:
        known = math.prod(n for n in new if n != -1)
        if known == 0 or total % known:
            raise ValueError(_message("err.reshape-infer", who=who, old=old, total=total,
                                     new=new))
        new = tuple(total // known if n == -1 else n for n in new)
    if math.prod(new) != total:
        raise ValueError(_message("err.reshape", who=who, old=old, total=total, new=new,
                                 count=math.prod(new)))
    return new


def reshape(a, newshape):
    new = _resolveshape_of(shape_of(a), newshape)
    return a if new == shape_of(a) else lax.reshape(a, shape=new)


def ravel(a):
    return reshape(a, (-1,))


def transpose(a, axes=None):
    n = ndim(a)
    axes = tuple(reversed(range(n))) if axes is None else tuple(i % n for i in axes)
    if sorted(axes) != list(range(n)):
        raise ValueError(_message("err.transpose", axes=axes, n=n, shape=shape_of(a)))
    return lax.transpose(a, axes=axes)


def swapaxes(a, axis1, axis2):
    order = list(range(ndim(a)))
    order[axis1], order[axis2] = order[axis2], order[axis1]
    return transpose(a, order)


def expand_dims(a, axis):
    axes = axis if isinstance(axis, tuple) else (axis,)
    n = ndim(a) + len(axes)
    axes = sorted(ax % n for ax in axes)
    new = list(shape_of(a))
    for ax in axes:
        new.insert(ax, 1)
    return reshape(a, tuple(new))


def squeeze(a, axis=None):
    s = shape_of(a)
    if axis is None:
        axes = [i for i, n in enumerate(s) if n == 1]
    else:
        axes = [ax % len(s) for ax in (axis if isinstance(axis, tuple) else (axis,))]
        for ax in axes:
            if s[ax] != 1:
                raise ValueError(_message("err.squeeze", axis=ax, shape=s, length=s[ax]))
    return reshape(a, tuple(n for i, n in enumerate(s) if i not in axes))


def broadcast_to(a, shape):
    shape = tuple(shape) if not isinstance(shape, int) else (shape,)
    try:
        _np.broadcast_shapes(shape_of(a), shape)
    except ValueError:
        raise ValueError(_message("err.broadcast", shape=shape_of(a), want=shape)) from None
    return a if shape_of(a) == shape else lax.broadcast_to(a, shape=shape)


def concatenate(arrays, axis=0):
    arrays = list(arrays)
    if not _traced(*arrays):
        return _np.concatenate(arrays, axis=axis)
    if axis is None:
        arrays, axis = [ravel(x) for x in arrays], 0
    n = ndim(arrays[0])
    for x in arrays[1:]:
        sx, s0 = shape_of(x), shape_of(arrays[0])
        if len(sx) != n or builtins.any(p != q for i, (p, q) in enumerate(zip(sx, s0))
                                        if i != axis % n):
            raise ValueError(_message("err.concatenate", a=s0, b=sx, axis=axis))
    return lax.concatenate(*arrays, axis=axis % n)


def stack(arrays, axis=0):
    arrays = list(arrays)
    if not _traced(*arrays):
        return _np.stack(arrays, axis=axis)
    shapes = {shape_of(x) for x in arrays}
    if len(shapes) > 1:
        raise ValueError(_message("err.stack", shapes=sorted(shapes)))
    return concatenate([expand_dims(x, axis) for x in arrays], axis=axis)


# ---- functional updates: tnp.at(x)[i].set(v) -----------------------------------------

def at(x):
    """``tnp.at(x)[i].set(v)``: a new array with ``x[i] = v``; also ``.add(v)``, ``.get()``.

    The same as ``x.at[i].set(v)`` on a traced value, but it runs on plain
    NumPy arrays too, so one function works inside and outside ``grad`` (and
    under ``numerical_grad``). With a repeated index the last write wins.
    """
    return _At(x if isinstance(x, Tracer) else _np.asarray(x))


class _At:
    __slots__ = ("x",)

    def __init__(self, x):
        self.x = x

    def __getitem__(self, index):
        return _AtIndex(self.x, normalize_index(index))


class _AtIndex:
    """``x.at[i]``: ``.set(v)``, ``.add(v)``, ``.get()`` return new arrays."""

    __slots__ = ("x", "index")

    def __init__(self, x, index):
        self.x, self.index = x, index

    def get(self):
        return lax.getitem(self.x, index=self.index)

    def set(self, value):
        return lax.index_set(self.x, value, index=self.index)

    def add(self, value):
        picked_shape = _np.broadcast_to(_np.empty((), bool), shape_of(self.x))[self.index].shape
        value = broadcast_to(value, picked_shape)
        return self.x + lax.index_add(value, index=self.index, shape=shape_of(self.x))


def __getattr__(name):
    raise AttributeError(_message("err.no-function", name=name))


# More of NumPy, by family, in their own modules (they use the functions above).
from . import _elementwise, _order, _products, _shape, linalg  # noqa: E402
from ._elementwise import *  # noqa: E402,F401,F403
from ._order import *  # noqa: E402,F401,F403
from ._products import *  # noqa: E402,F401,F403
from ._products import einsum  # noqa: E402  (named: dot above calls it)
from ._shape import *  # noqa: E402,F401,F403

__all__ += (_elementwise.__all__ + _order.__all__ + _products.__all__ + _shape.__all__
            + ["linalg"])



def getitem(x, index):
    """``x[index]`` (a tracer's ``__getitem__``)."""
    from ..lax.indexing import take_rows, traced_rows
    rows = traced_rows(index)                # x[i] with i computed per example (vmap)
    if rows is not None:
        return take_rows(x, rows)
    return lax.getitem(x, index=normalize_index(index))
