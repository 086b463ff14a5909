"""Reductions other than the sum (which lives with broadcasting in shape.py).

``reduce_max`` passes the cotangent to the element(s) that won; a tie splits
it evenly, the same convention as JAX. ``argmax`` and ``argmin`` return
integer positions: there is nothing to differentiate, so they are marked
not differentiable and always run on plain values.
"""
import numpy as np

from ..core import Primitive, concrete, shape_of
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
