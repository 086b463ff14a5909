"""NumPy's elementwise functions: arithmetic, powers, exponentials, trigonometry, ...

Most are primitives of ``tracegrad.lax.elementwise`` under NumPy's names
(``multiply`` is ``lax.mul``, ``arcsinh`` is ``lax.asinh``); the rest are
one-line compositions: ``log2(x)`` is ``log(x) / log(2)``, ``fmax`` is a
``maximum`` that skips nans. The parts of a
complex number (``real``, ``imag``, ``conj``, ``angle``) are here for code
written for NumPy: tracegrad works over real numbers, where they are simple.
Booleans (``isclose``) are computed on the values and have no derivative, as in
NumPy.
"""
import math

import numpy as _np

from .. import lax
from ..core import Tracer, concrete, dtype_of, shape_of
from ..words import message as _message
from ._creation import _has_tracer, asarray
from ._shape import broadcast_to

__all__ = ["add", "subtract", "multiply", "divide", "true_divide", "negative", "power", "square",
           "sqrt", "exp", "log", "log1p", "expm1", "sin", "cos", "tan", "arcsin", "arccos",
           "arctan", "arctan2", "sinh", "cosh", "tanh", "abs", "absolute", "sign", "maximum",
           "minimum", "clip", "where", "arcsinh", "arccosh", "arctanh", "log2", "log10", "exp2",
           "logaddexp", "logaddexp2", "hypot", "reciprocal", "fabs", "sinc", "deg2rad", "rad2deg",
           "degrees", "radians", "mod", "remainder", "floor", "ceil", "rint", "trunc", "fix",
           "fmax", "fmin", "nan_to_num", "select", "real", "imag", "conj", "conjugate", "angle",
           "real_if_close"]


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


arcsinh, arccosh, arctanh = lax.asinh, lax.acosh, lax.atanh


logaddexp = lax.logaddexp


mod = remainder = lax.mod


floor, ceil, rint, trunc = lax.floor, lax.ceil, lax.rint, lax.trunc


fix = trunc


fabs = lax.abs


_LN2, _LN10 = math.log(2.0), math.log(10.0)


def log2(x):
    """log₂ x = ln x / ln 2."""
    return lax.log(x) / _LN2


def log10(x):
    """log₁₀ x = ln x / ln 10."""
    return lax.log(x) / _LN10


def exp2(x):
    """2ˣ."""
    return lax.pow(2.0, x)


logaddexp2 = lax.logaddexp2


hypot = lax.hypot          # √(x² + y²) by NumPy, which neither overflows nor underflows


def reciprocal(x):
    """1/x. Of integers, NumPy's integer reciprocal (0 for |x| > 1): no derivative."""
    if _np.result_type(concrete(x)).kind in "iub":
        return _np.reciprocal(concrete(x))
    return lax.div(1.0, x)


def deg2rad(x):
    return multiply(x, _np.pi / 180.0)


def rad2deg(x):
    return multiply(x, 180.0 / _np.pi)


radians, degrees = deg2rad, rad2deg


def sinc(x):
    """sin(πx)/(πx), with sinc(0) = 1.

    Near 0 the quotient is 0/0, or nearly: its derivatives, taken by the rules,
    subtract large terms that almost cancel (sinc″(10⁻⁹) would come out 0, not
    −π²/3). So for |πx| < 0.01 the Taylor series 1 − p²/6 + p⁴/120 − p⁶/5040
    (p = πx) stands in: exact there to rounding, value and derivatives. The
    choice is made element by element with ``select``, never by a Python ``if``
    on the values, so it works on a batch in which only some examples are small.
    """
    px = multiply(x, _np.pi)
    small = _np.less(_np.abs(concrete(px)), 0.01)
    safe = lax.select(small, 1.0, px)                    # no 0/0, not even off the branch
    p2 = lax.square(px)
    series = 1.0 - p2 / 6.0 * (1.0 - p2 / 20.0 * (1.0 - p2 / 42.0))
    return lax.select(small, series, lax.sin(safe) / safe)


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


def fmax(x1, x2):
    """``maximum`` that ignores a nan: where one side is nan, the other side wins."""
    n1, n2 = _np.isnan(concrete(x1)), _np.isnan(concrete(x2))
    return lax.select(n2, x1, lax.select(n1, x2, lax.max(x1, x2)))


def fmin(x1, x2):
    """``minimum`` that ignores a nan: where one side is nan, the other side wins."""
    n1, n2 = _np.isnan(concrete(x1)), _np.isnan(concrete(x2))
    return lax.select(n2, x1, lax.select(n1, x2, lax.min(x1, x2)))


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """nan → ``nan``, ±inf → the largest finite numbers (or ``posinf``, ``neginf``).

    The replaced elements become constants (derivative 0); the others pass
    through with derivative 1, as in JAX.
    """
    v = concrete(x)
    if not isinstance(x, Tracer):
        return _np.nan_to_num(v, copy=copy, nan=nan, posinf=posinf, neginf=neginf)
    big = _np.finfo(_np.result_type(v)).max
    x = lax.select(_np.isnan(v), float(nan), x)
    x = lax.select(_np.isposinf(v), big if posinf is None else float(posinf), x)
    return lax.select(_np.isneginf(v), -big if neginf is None else float(neginf), x)


def select(condlist, choicelist, default=0):
    """The first choice whose condition holds, element by element (else ``default``)."""
    if len(condlist) != len(choicelist):
        raise ValueError(_message("err.select"))
    out = default
    for cond, choice in reversed(list(zip(condlist, choicelist))):
        out = where(cond, choice, out)                 # the first condition wins last
    shape = _np.broadcast_shapes(*[shape_of(c) for c in list(condlist) + list(choicelist)],
                                 shape_of(default))
    return broadcast_to(out, shape) if shape_of(out) != shape else out


def real(val):
    """The real part: a real array itself."""
    return asarray(val) if _has_tracer(val) else _np.real(val)


def imag(val):
    """The imaginary part: zeros of ``val``'s shape and dtype (a constant: no derivative)."""
    if _has_tracer(val):
        val = asarray(val)
        return _np.zeros(shape_of(val), dtype=dtype_of(val))[()]
    return _np.imag(val)


def conj(x):
    """The complex conjugate: a real array itself."""
    return asarray(x) if _has_tracer(x) else _np.conj(x)


conjugate = conj


def real_if_close(a, tol=100):
    """A real array as it is (NumPy drops imaginary parts that are nearly 0)."""
    return asarray(a) if _has_tracer(a) else _np.real_if_close(a, tol=tol)


def angle(z, deg=False):
    """The angle of a real number in the complex plane: 0 for x ≥ 0 and π for x < 0
    (also for −0.0), as NumPy's ``arctan2(0, x)``. Flat: derivative 0, nan at 0."""
    zero = _np.zeros((), dtype=_np.result_type(dtype_of(z), _np.float16))  # ints: float64
    out = lax.atan2(zero, z)
    return multiply(out, 180.0 / _np.pi) if deg else out
