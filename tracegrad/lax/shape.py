"""Shape primitives: reshape, transpose, broadcast_to, reduce_sum, concatenate, ...

They move numbers around without changing them, so their derivative rules
move cotangents back the same way: the VJP of ``reshape`` reshapes back, the
VJP of ``transpose`` transposes back. Two pairs deserve a look:

* ``broadcast_to`` copies a value along new axes; in reverse the copies'
  cotangents are *summed* (fan-out again). So the VJP of ``broadcast_to`` is
  ``reduce_sum``, and the VJP of ``reduce_sum`` is ``broadcast_to``: each is
  the transpose of the other.
* :func:`unbroadcast` is that sum, used by every elementwise rule: ``x + b``
  with ``b`` of shape ``(3,)`` and ``x`` of shape ``(2, 3)`` uses each ``b[j]``
  twice, so ``∂C/∂b`` is the sum of ``∂C/∂out`` over the broadcast axis.
"""
import numpy as np

from ..advice import COMPLEX_TANGENT, complex_error
from ..core import Primitive, concrete, dtype_of, shape_of

__all__ = ["reshape", "transpose", "broadcast_to", "reduce_sum", "unbroadcast",
           "sum_to_shape", "concatenate", "astype", "like_primal", "stop_gradient",
           "kept_shape"]


def kept_shape(shape, axes):
    """The shape of a reduction over ``axes`` with keepdims=True."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _inverse(axes):
    return tuple(np.argsort(axes))


def reduction_source(np_name, axis_param):
    """How ``tg.jit`` writes a reduction: ``x.sum(axis=0)``, defaults left out.

    An array's own method (``x.sum``) is quicker than ``np.sum(x)``; a Python
    number has none, so it gets ``np.sum``.
    """
    def source(args, params, lit, values):
        axis, keepdims = params[axis_param], params["keepdims"]
        if isinstance(axis, tuple) and len(axis) == 1:
            axis = axis[0]
        options = ("" if axis is None else f"axis={lit(axis)}") + \
            (", keepdims=True" if keepdims else "")
        if isinstance(values[0], (np.ndarray, np.generic)):
            return f"{args[0]}.{np_name}({options.lstrip(', ')})"
        return f"np.{np_name}({args[0]}{', ' if options else ''}{options.lstrip(', ')})"
    return source


def _transpose_source(args, params, lit, values):
    """``x.T`` when all axes are reversed (a matrix transpose), else ``np.transpose``."""
    axes = params["axes"]
    if isinstance(values[0], np.ndarray) and tuple(axes) == tuple(range(len(axes)))[::-1]:
        return f"{args[0]}.T"
    return f"np.transpose({args[0]}, {lit(axes)})"


reshape = Primitive(
    "reshape", lambda x, shape: np.reshape(x, shape),
    jvp=lambda ts, out, x, shape: reshape(ts[0], shape=shape),
    vjp=(lambda g, out, x, shape: reshape(g, shape=shape_of(x)),),
    formulas=("1 (moved)",),
    doc="Same numbers, new shape.", saves=(), source="np.reshape({0}, {shape})",
    domain=((-3, 3),), convention="linear: no special points",
    examples=[(((2, 3),), dict(shape=(6,))), (((2, 3),), dict(shape=(1, 2, 3, 1))),
              (((),), dict(shape=(1, 1))), (((3, 2),), dict(shape=(2, 3)))])

transpose = Primitive(
    "transpose", lambda x, axes: np.transpose(x, axes),
    jvp=lambda ts, out, x, axes: transpose(ts[0], axes=axes),
    vjp=(lambda g, out, x, axes: transpose(g, axes=_inverse(axes)),),
    formulas=("1 (moved)",),
    doc="Permute the axes.", saves=(), source=_transpose_source,
    domain=((-3, 3),), convention="linear: no special points",
    examples=[(((2, 3),), dict(axes=(1, 0))), (((2, 1, 3),), dict(axes=(2, 0, 1))),
              (((2, 3, 2),), dict(axes=(0, 2, 1))), (((3,),), dict(axes=(0,))),
              (((),), dict(axes=()))])

broadcast_to = Primitive(
    "broadcast_to", lambda x, shape: np.broadcast_to(x, shape),
    jvp=lambda ts, out, x, shape: broadcast_to(ts[0], shape=shape),
    vjp=(lambda g, out, x, shape: unbroadcast(g, x),),
    formulas=("1 (copied)",),
    doc="Copy along new or length-1 axes; its VJP sums the copies back.", saves=(),
    source="np.broadcast_to({0}, {shape})",
    domain=((-3, 3),), convention="linear: no special points",
    examples=[(((2, 3),), dict(shape=(4, 2, 3))), (((),), dict(shape=(2,))),
              (((3, 1),), dict(shape=(2, 3, 2)))])

def _reduce_sum_vjp(g, out, x, axes, keepdims):
    shape = shape_of(x)
    if shape_of(g):                              # put the summed axes back, as length 1
        g = reshape(g, shape=kept_shape(shape, axes))
    return broadcast_to(g, shape=shape)          # every summand gets the cotangent


inf, nan = float("inf"), float("nan")

# The reductions' calls to try in the tests (shapes, params): every kind of ``axes``.
REDUCTIONS_TRIED = [(((2, 3),), dict(axes=axes, keepdims=keep))
                    for axes in ((1,), (0,), (0, 1), None) for keep in (False, True)] + [
                    (((2, 1, 3),), dict(axes=(0, 2), keepdims=False)),
                    (((3,),), dict(axes=(0,), keepdims=True)),
                    (((),), dict(axes=None, keepdims=False))]

reduce_sum = Primitive(
    "reduce_sum", lambda x, axes, keepdims: np.sum(x, axis=axes, keepdims=keepdims),
    jvp=lambda ts, out, x, axes, keepdims: reduce_sum(ts[0], axes=axes, keepdims=keepdims),
    vjp=(_reduce_sum_vjp,),
    formulas=("1",),
    doc="Sum over ``axes`` (a tuple, or None for all).", saves=(),
    source=reduction_source("sum", "axes"),
    domain=((-3, 3),), examples=REDUCTIONS_TRIED,
    special_points=([], [inf, 1.0], [nan, 1.0]),
    convention="the sum of nothing is 0; derivatives 1")


def unbroadcast(g, like):
    """Sum ``g`` over the axes that broadcasting added to ``like``.

    The single place where broadcasting is undone: every elementwise VJP
    calls it, so no rule has to think about shapes.
    """
    shape = shape_of(like)
    return g if shape_of(g) == shape else sum_to_shape(g, shape)


def sum_to_shape(g, shape):
    """Sum ``g`` down to ``shape`` (the shape it was broadcast from)."""
    g_shape = shape_of(g)
    if g_shape == shape:
        return g
    extra = len(g_shape) - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and g_shape[extra + i] != 1)
    if axes:
        g = reduce_sum(g, axes=axes, keepdims=False)
    return reshape(g, shape=shape) if shape_of(g) != shape else g


def _concatenate_vjp(g, out, *xs, axis):
    cuts = np.cumsum([shape_of(x)[axis] for x in xs])[:-1]
    pieces, start = [], 0
    for stop in list(cuts) + [None]:
        index = [slice(None)] * np.ndim(out)
        index[axis] = slice(start, stop)
        pieces.append(g[tuple(index)])               # getitem, for a tracer
        start = stop
    return pieces


def _concatenate_jvp(ts, out, *xs, axis):
    if all(t is None for t in ts):
        return None
    return concatenate(*[np.zeros(shape_of(x)) if t is None else t
                         for t, x in zip(ts, xs)], axis=axis)


concatenate = Primitive(
    "concatenate", lambda *xs, axis: np.concatenate(xs, axis=axis),
    jvp=_concatenate_jvp, vjp=_concatenate_vjp,
    formulas=("1 (placed)",),
    doc="Join arrays along an existing axis; its VJP cuts the cotangent apart.", saves=(),
    source=lambda args, params, lit, values:
    f"np.concatenate(({', '.join(args)},), axis={params['axis']})",
    domain=((-3, 3),), convention="linear: empty pieces are allowed",
    examples=[(((2, 3), (2, 3)), dict(axis=0)), (((2, 3), (2, 2)), dict(axis=1)),
              (((3,), (2,)), dict(axis=0)), (((1, 2), (2, 2), (3, 2)), dict(axis=0))])

astype = Primitive(
    "astype", lambda x, dtype: np.asarray(x).astype(dtype)[()],
    jvp=lambda ts, out, x, dtype: astype(ts[0], dtype=dtype),
    vjp=(lambda g, out, x, dtype: astype(g, dtype=np.result_type(concrete(x))),),
    formulas=("1",),
    doc="Change the dtype (between floating types).", saves=(),
    source="np.asarray({0}).astype({dtype})[()]",
    domain=((-3, 3),), convention="derivative 1; the cotangent returns in x's dtype",
    examples=[(None, dict(dtype=np.float64)), (None, dict(dtype=np.float32))])

def like_primal(x, primal):
    """The tangent or cotangent ``x`` in the dtype of its floating ``primal``.

    A derivative has its primal's dtype, as in JAX: a float32 input gets a
    float32 gradient. Rules mix in float64 constants and masks, so without
    this cast a float32 program would drift to float64 derivatives.
    """
    want = dtype_of(primal)
    have = dtype_of(x)
    if have.kind == "c":                         # a complex tangent would lose its imaginary part
        raise complex_error(COMPLEX_TANGENT, dtype=have, real=want)
    if have is want or want.kind != "f" or have == want:
        return x
    return astype(x, dtype=want)


stop_gradient = Primitive(
    "stop_gradient", lambda x: x,
    jvp=lambda ts, out, x: None,
    vjp=(None,),
    formulas=("0",),
    doc="The identity, but treated as a constant: its derivative is zero.", saves=(),
    source="{0}",
    domain=((-3, 3),), convention="derivative 0 everywhere")


# ---- batching rules (vmap, see tracegrad/vmap.py) ------------------------------------
# Each rule gets the arguments with ``dims[k]``, the axis of ``args[k]`` that runs over
# the examples (None: the same for every example), and returns (out, out_dim): the
# whole batch in one call of the ordinary primitive, its parameters shifted by one axis.

def moveaxis(x, source, destination):
    """``np.moveaxis`` for one axis, as a ``transpose`` (nothing when it stays put)."""
    n = len(shape_of(x))
    source, destination = source % n, destination % n
    if source == destination:
        return x
    order = [i for i in range(n) if i != source]
    order.insert(destination, source)
    return transpose(x, axes=tuple(order))


def batch_size(args, dims):
    return next(shape_of(a)[d] for a, d in zip(args, dims, strict=True) if d is not None)


def to_front(x, d, size):
    """The batch axis first; an unbatched ``x`` is copied for every example."""
    if d is None:
        return broadcast_to(x, shape=(size,) + shape_of(x))
    return moveaxis(x, d, 0)


def elementwise_args(args, dims):
    """Line up the arguments of an elementwise operation under vmap.

    Broadcasting aligns axes from the right, so a batched argument gets its
    batch axis first and, after it, length-1 axes up to the widest example:
    then ``x + b`` adds each example's ``b`` to that example's ``x``.
    Returns the arguments and the output's batch axis.
    """
    ranks = [len(shape_of(a)) - (d is not None) for a, d in zip(args, dims, strict=True)]
    rank = max(ranks)
    batched = {(d, len(shape_of(a))) for a, d in zip(args, dims, strict=True) if d is not None}
    if len(batched) == 1:            # all batched alike, the rest broadcasts behind: as is
        d, n = batched.pop()
        if all(r <= n - 1 - d for r, dd in zip(ranks, dims, strict=True) if dd is None):
            return list(args), d
    out = []
    for a, d, r in zip(args, dims, ranks, strict=True):
        if d is not None:
            a = moveaxis(a, d, 0)
            if r < rank:
                s = shape_of(a)
                a = reshape(a, shape=s[:1] + (1,) * (rank - r) + s[1:])
        out.append(a)
    return out, 0


def _per_example_axes(axes, d, n):
    """Axes of one example (None: all n of them) as axes of the batch, batch axis at d."""
    axes = tuple(range(n)) if axes is None else axes
    return tuple(a + (a >= d) for a in axes)


def reduction_batch(primitive, axes="axes"):
    """The batching rule of a reduction over ``axes``: reduce the same axes of each example."""
    def batch(dims, x, keepdims, **params):
        d, n = dims[0], len(shape_of(x)) - 1
        full = _per_example_axes(params[axes], d, n)
        out_dim = d if keepdims else d - sum(a < d for a in full)
        return primitive.bind(x, keepdims=keepdims, **{axes: full}), out_dim
    return batch


def _reshape_batch(dims, x, shape):
    x = moveaxis(x, dims[0], 0)
    return reshape(x, shape=shape_of(x)[:1] + tuple(shape)), 0


def _transpose_batch(dims, x, axes):
    d = dims[0]
    return transpose(x, axes=(d,) + _per_example_axes(axes, d, len(axes))), 0


def _broadcast_to_batch(dims, x, shape):
    x = moveaxis(x, dims[0], 0)
    s = shape_of(x)
    x = reshape(x, shape=s[:1] + (1,) * (len(shape) - len(s) + 1) + s[1:])
    return broadcast_to(x, shape=s[:1] + tuple(shape)), 0


def _concatenate_batch(dims, *xs, axis):
    size = batch_size(xs, dims)
    xs = [to_front(x, d, size) for x, d in zip(xs, dims, strict=True)]
    return concatenate(*xs, axis=axis + 1), 0


def _unary_batch(primitive):
    """Elementwise with one argument: the batch axis stays where it is."""
    return lambda dims, x, **params: (primitive.bind(x, **params), dims[0])


reshape.batch = _reshape_batch
transpose.batch = _transpose_batch
broadcast_to.batch = _broadcast_to_batch
reduce_sum.batch = reduction_batch(reduce_sum)
concatenate.batch = _concatenate_batch
astype.batch = _unary_batch(astype)
stop_gradient.batch = _unary_batch(stop_gradient)
