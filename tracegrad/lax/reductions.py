"""Reductions other than the sum (which lives with broadcasting in shape.py).

``reduce_max`` passes the cotangent to the element(s) that won; a tie splits
it evenly, the same convention as JAX. ``argmax`` and ``argmin`` return
integer positions: there is nothing to differentiate, so they are marked
not differentiable and always run on plain values. ``norm2``, the Euclidean
norm over ``axes``, takes 0 for its derivative at 0.
"""
import numpy as np

from ..core import Primitive, concrete, shape_of
from .elementwise import select
from .shape import (
    REDUCTIONS_TRIED,
    broadcast_to,
    kept_shape,
    reduce_sum,
    reduction_batch,
    reduction_source,
    reshape,
)


def _winners(out, x, axes):
    """Where x equals the extreme, as weights that sum to 1 along ``axes``."""
    x = concrete(x)
    extreme = np.reshape(concrete(out), kept_shape(shape_of(x), axes))
    dtype = np.result_type(x)                     # the masks in the input's own dtype
    mask = (x == extreme).astype(dtype if dtype.kind == "f" else np.float64)
    return mask / np.sum(mask, axis=axes, keepdims=True)


def _extreme(name, np_fun, **facts):
    def vjp(g, out, x, axes, keepdims):
        shape = shape_of(x)
        g = broadcast_to(reshape(g, shape=kept_shape(shape, axes)), shape=shape)
        return g * _winners(out, x, axes)

    def jvp(ts, out, x, axes, keepdims):
        return reduce_sum(ts[0] * _winners(out, x, axes), axes=axes, keepdims=keepdims)

    prim = Primitive(name, lambda x, axes, keepdims: np_fun(x, axis=axes, keepdims=keepdims),
                     jvp=jvp, vjp=(vjp,), formulas=("1 at the winner",),
                     doc=f"{name} over ``axes``; ties share the cotangent evenly",
                     domain=("distinct",), examples=REDUCTIONS_TRIED, **facts)
    prim.batch = reduction_batch(prim)
    return prim


inf, nan = float("inf"), float("nan")
ARGS_TRIED = [(((2, 3),), dict(axis=axis, keepdims=keep)) for axis in (None, 0, -1)
              for keep in (False, True)] + [(((3,),), dict(axis=0, keepdims=False))]

reduce_max = _extreme("reduce_max", np.max,
                      special_points=([1.0, 1.0, 0.0], [2.0, 2.0, 2.0], [nan, 1.0]),
                      convention="ties share the cotangent evenly, as JAX; with a nan, nan "
                                 "everywhere; no maximum of an empty array (error, as NumPy)")
reduce_max.source = reduction_source("max", "axes")          # how tg.jit writes it
reduce_min = _extreme("reduce_min", np.min,
                      special_points=([0.0, 0.0, 1.0], [2.0, 2.0, 2.0], [nan, 1.0]),
                      convention="ties share the cotangent evenly, as JAX; with a nan, nan "
                                 "everywhere; no minimum of an empty array (error, as NumPy)")
reduce_min.source = reduction_source("min", "axes")

argmax = Primitive("argmax", lambda x, axis, keepdims: np.argmax(x, axis=axis, keepdims=keepdims),
                   differentiable=False, doc="index of the maximum (an integer: no derivative)",
                   source=reduction_source("argmax", "axis"),
                   domain=((-3, 3),), examples=ARGS_TRIED,
                   special_points=([1.0, 1.0, 0.0], [nan, 1.0]),
                   convention="a tie gives the first index, a nan wins (NumPy); no derivative")
argmin = Primitive("argmin", lambda x, axis, keepdims: np.argmin(x, axis=axis, keepdims=keepdims),
                   differentiable=False, doc="index of the minimum (an integer: no derivative)",
                   source=reduction_source("argmin", "axis"),
                   domain=((-3, 3),), examples=ARGS_TRIED,
                   special_points=([0.0, 0.0, 1.0], [nan, 1.0]),
                   convention="a tie gives the first index, a nan wins (NumPy); no derivative")


# ---- the Euclidean norm -------------------------------------------------------------
# ‖x‖ = √(Σ x²) over ``axes``, as one primitive so that its convention at 0 is
# one rule, with no Python branch on the values (vmap and jit see the same
# program for every example). Its derivative x/‖x‖ is 0/0 at x = 0; tracegrad
# takes 0 there (a subgradient, which gradient descent can use), where JAX's
# composition √(Σ x²) gives nan.

def _norm2_direction(out, x, axes, keepdims):
    """x/‖x‖, and 0 where ‖x‖ = 0 (x is 0 there)."""
    n = out if keepdims else reshape(out, shape=kept_shape(shape_of(x), axes))
    zero = concrete(n) == 0
    return select(zero, 0.0, x / select(zero, 1.0, n))


def _norm2_vjp(g, out, x, axes, keepdims):
    if not keepdims:
        g = reshape(g, shape=kept_shape(shape_of(x), axes))
    return g * _norm2_direction(out, x, axes, keepdims)


norm2 = Primitive(
    "norm2", lambda x, axes, keepdims: np.sqrt(np.sum(np.square(x), axis=axes,
                                                      keepdims=keepdims)),
    jvp=lambda ts, out, x, axes, keepdims: reduce_sum(
        ts[0] * _norm2_direction(out, x, axes, keepdims), axes=axes, keepdims=keepdims),
    vjp=(_norm2_vjp,), formulas=("x/‖x‖ (0 at x = 0)",),
    doc="the Euclidean norm √(Σ x²) over ``axes`` (a tuple, or None for all)",
    source="np.sqrt(np.sum(np.square({0}), axis={axes}, keepdims={keepdims}))",
    domain=((-3, 3, [0.0], 0.1),),           # away from x = 0, where ‖x‖ has a kink
    examples=[(((2, 3),), dict(axes=(1,), keepdims=False)), (((2, 3),), dict(axes=None,
              keepdims=True)), (((2, 1, 3),), dict(axes=(0, 2), keepdims=False)),
              (((3,),), dict(axes=(0,), keepdims=False))],
    convention="norm′(0) = 0; differs from JAX (nan there, from √′(0)·0) because 0 is a "
               "subgradient: a descent through a norm that reaches 0 keeps going instead of "
               "turning every value into nan")
norm2.batch = reduction_batch(norm2)
