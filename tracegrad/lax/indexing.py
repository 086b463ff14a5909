"""Indexing: reading parts of an array, and functional updates.

``getitem`` reads ``x[index]``. Its VJP must put the cotangent back where the
elements came from, and *add* where an index repeats (``x[[0, 0]]`` uses
``x[0]`` twice): that is ``index_add``, the scatter-add. The two are each
other's transposes, so their rules call each other.

Traced arrays cannot be assigned in place (``x[0] = 1``): the old value may
already be recorded and needed by the backward pass. ``x.at[i].set(v)`` makes
a new array instead (``index_set``).
"""
import numpy as np

from ..core import Primitive, TracegradError, Tracer, concrete, shape_of
from ..words import message
from .elementwise import select
from .shape import batch_size, moveaxis, reshape, to_front, transpose, unbroadcast

__all__ = ["getitem", "index_add", "index_set", "normalize_index"]


def normalize_index(index):
    """The index as NumPy reads it: a tuple whose sequences are integer or boolean arrays.

    Inside an index, a list or a tuple is an array (``x[(0, 0),]`` is
    ``x[np.array([0, 0])]``): advanced indexing, where an element may be
    picked twice. Making that explicit here is what lets the derivative rules
    tell the two kinds apart (see ``_is_basic``). Traced indices are refused.
    """
    if not isinstance(index, tuple):
        index = (index,)
    out = []
    for i in index:
        if _holds_tracer(i):
            if np.dtype(_dtype_of(i)).kind in "iub":
                raise TracegradError(message("err.index-per-example"))
            raise TracegradError(message("err.index-traced"))
        if isinstance(i, (list, tuple)):
            i = np.asarray(i)
            if i.size == 0 and i.dtype.kind == "f":   # x[[]]: NumPy reads [] as no integers
                i = i.astype(np.intp)
        out.append(i)
    return tuple(out)


def _dtype_of(i):
    """The dtype of an index entry that holds a tracer (a list of them: the first's)."""
    while isinstance(i, (list, tuple)):
        i = next(j for j in i if _holds_tracer(j))
    return i.dtype


def _holds_tracer(i):
    if isinstance(i, (list, tuple)):
        return any(_holds_tracer(j) for j in i)
    return isinstance(i, Tracer)


def _is_basic(index):
    """No integer or boolean arrays: then no element can be picked twice."""
    return not any(isinstance(i, np.ndarray) for i in index)


def _index_add_impl(g, index, shape):
    out = np.zeros(shape, dtype=np.result_type(g))
    if _is_basic(index):
        out[index] = g                   # basic indexing never repeats an element
    else:
        np.add.at(out, index, g)         # repeated indices add up
    return out


def _index_set_impl(x, v, index):
    out = np.array(x, copy=True)
    out[index] = v
    return out


def _survivors(index, shape):
    """Which writes of ``x[index] = v`` survive, as a boolean array of the picked shape.

    With a repeated index (``x[[0, 0]] = v``) the later write overwrites the
    earlier one, so only the survivor's value reaches the output, and only it
    gets a cotangent. NumPy itself decides who wins: number the writes, let
    NumPy write the numbers, and read back which number each element kept.
    """
    picked = np.empty(shape)[index].shape
    order = np.arange(int(np.prod(picked)), dtype=np.intp).reshape(picked)
    kept = np.full(shape, -1, dtype=np.intp)
    kept[index] = order
    return kept[index] == order


def _index_set_dv(g, out, x, v, index):
    picked = getitem(g, index)
    if not _is_basic(index):              # only an integer array can repeat an element
        survived = _survivors(index, shape_of(x))
        if not survived.all():
            picked = select(survived, picked, np.zeros((), np.result_type(concrete(g))))
    return unbroadcast(picked, v)


def _index_source(args, params, lit, values=None):
    """How ``tg.jit`` writes ``x[index]``: slices as ``a:b``, the rest as constants."""
    def one(i):
        if isinstance(i, slice):
            text = ":".join("" if v is None else lit(v) for v in (i.start, i.stop, i.step))
            return text[:-1] if text.endswith(":") and i.step is None else text
        return "..." if i is Ellipsis else lit(i)
    if "index" not in params:                       # the index given positionally
        return f"{args[0]}[{args[1]}]"
    index = params["index"]
    return f"{args[0]}[{', '.join(one(i) for i in index) if index else '()'}]"


# The tests' indices (per-example shape, index): basic, integer arrays side by side or
# split by a slice (then NumPy puts their axes first), boolean masks, None and Ellipsis.
INDICES_TRIED = [
    ((3, 2), (np.array([0, 2, 0]),)),
    ((3,), (1,)),
    ((3,), (slice(0, 2),)),
    ((3, 2), (Ellipsis, 1)),
    ((3, 2), (None, slice(None), 0)),
    ((2, 3), (np.array([[True, False, True], [False, True, True]]),)),
    ((2, 3, 2), (np.array([0, 1, 1]), slice(None), np.array([1, 0, 1]))),
    ((2, 3, 2), (1, slice(None), np.array([1, 0]))),
    ((2, 3, 2), (slice(None), np.array([2, 2]), np.array([0, 1]))),
]


def _picked(shape, index):
    return np.empty(shape)[index].shape


getitem = Primitive(
    "getitem", lambda x, index: x[index],
    jvp=lambda ts, out, x, index: getitem(ts[0], index),
    vjp=(lambda g, out, x, index: index_add(g, index=index, shape=shape_of(x)),),
    formulas=("1 at the picked elements",), doc="x[index]", saves=(), source=_index_source,
    domain=((-3, 3),), examples=[((s,), dict(index=i)) for s, i in INDICES_TRIED],
    convention="a repeated index picks twice: the cotangents add")

index_add = Primitive(
    "index_add", _index_add_impl,
    jvp=lambda ts, out, g, index, shape: index_add(ts[0], index=index, shape=shape),
    vjp=(lambda ct, out, g, index, shape: getitem(ct, index),),
    formulas=("1",), doc="zeros(shape) with g added at index (scatter-add)", saves=(),
    source="index_add({0}, {index}, {shape})",
    domain=((-3, 3),),
    examples=[((_picked(s, i),), dict(index=i, shape=s)) for s, i in INDICES_TRIED],
    convention="repeated indices add up (scatter-add)")

index_set = Primitive(
    "index_set", _index_set_impl,
    jvp=lambda ts, out, x, v, index: index_set(
        np.zeros(shape_of(x)) if ts[0] is None else ts[0],
        0.0 if ts[1] is None else ts[1], index=index),
    vjp=(lambda g, out, x, v, index: index_set(g, 0.0, index=index),
         _index_set_dv),
    formulas=("1 except at index", "1 at index"),
    doc="a copy of x with x[index] = v (with repeated indices, the last write wins "
        "and only it receives the cotangent)", saves=(), source="index_set({0}, {1}, {index})",
    domain=((-3, 3), (-3, 3)),
    examples=[((s, v), dict(index=i)) for s, i in INDICES_TRIED for v in (_picked(s, i), ())],
    convention="with a repeated index the last write wins; only it gets the cotangent")


# ---- batching rules (vmap, see tracegrad/vmap.py) ------------------------------------
# Under vmap the index applies to each example: put the batch axis first and index
# with ``(slice(None),) + index``. NumPy keeps that leading axis first, except when
# the integer-array indices are split by a slice (``x[[0, 1], :, [2, 3]]``): then
# their axes go first, and the batch axis comes after them.

def _batch_position(index):
    """Where the batch axis lands in ``x[(slice(None),) + index]``."""
    arrays = [i for i in index if isinstance(i, np.ndarray)]
    if not arrays:
        return 0
    advanced = [k for k, i in enumerate(index)
                if isinstance(i, (np.ndarray, int, np.integer)) and not isinstance(i, bool)]
    if advanced[-1] - advanced[0] + 1 == len(advanced):       # side by side: stays first
        return 0
    shapes = [(int(np.count_nonzero(i)),) if i.dtype == bool else i.shape for i in arrays]
    return len(np.broadcast_shapes(*shapes))


def _getitem_batch(dims, x, index):
    x = moveaxis(x, dims[0], 0)
    return getitem(x, (slice(None),) + index), _batch_position(index)


def _index_add_batch(dims, g, index, shape):
    size = shape_of(g)[dims[0]]
    g = moveaxis(g, dims[0], _batch_position(index))
    return index_add(g, index=(slice(None),) + index, shape=(size,) + tuple(shape)), 0


def _index_set_batch(dims, x, v, index):
    if _batch_position(index) != 0:
        return None                         # rare: vmap loops over the examples instead
    size = batch_size((x, v), dims)
    x = to_front(x, dims[0], size)
    if dims[1] is not None:                 # each example's v, broadcast to its picked part
        v = moveaxis(v, dims[1], 0)
        picked = np.empty(shape_of(x)[1:], dtype=bool)[index].shape
        s = shape_of(v)
        v = reshape(v, shape=s[:1] + (1,) * (len(picked) - len(s) + 1) + s[1:])
    return index_set(x, v, index=(slice(None),) + index), 0


getitem.batch = _getitem_batch
index_add.batch = _index_add_batch
index_set.batch = _index_set_batch


# ---- picking along an axis with an integer array that may itself be batched ----------
# ``sort`` picks x's elements in argsort's order: ``take_along_axis(x, order, axis)``.
# Under vmap the order differs from example to example, so it cannot be a parameter
# like getitem's index: here the positions are the second *argument* (integers, with
# no derivative), and the batching rule lines up the two batch axes.

def _add_along(g, positions, axis, shape):
    # np.take_along_axis's transpose. Its full index: the positions along ``axis``, an
    # arange along every other axis (broadcast against the positions, as NumPy's is).
    n = len(shape)
    index = tuple(np.asarray(positions, dtype=np.intp) if i == axis else
                  np.arange(shape[i]).reshape((-1,) + (1,) * (n - i - 1)) for i in range(n))
    out = np.zeros(shape, dtype=np.result_type(g))
    np.add.at(out, index, g)                   # a position picked twice adds up
    return out


# (x's shape, the positions' shape), the axis
ALONG_TRIED = [(((3,), (3,)), dict(axis=0)), (((2, 3), (2, 3)), dict(axis=1)),
               (((2, 3), (2, 3)), dict(axis=0)), (((2, 3), (2, 2)), dict(axis=1))]

take_along = Primitive(
    "take_along", np.take_along_axis,
    jvp=lambda ts, out, x, positions, axis: (
        None if ts[0] is None else take_along(ts[0], positions, axis=axis)),
    vjp=(lambda g, out, x, positions, axis: add_along(g, positions, axis=axis,
                                                      shape=shape_of(x)),
         None),
    formulas=("1 at the picked elements", ""), argnames=("x", "positions"),
    doc="np.take_along_axis(x, positions, axis); positions is an integer array "
        "(no derivative), e.g. argsort's", saves=("args",),
    source="np.take_along_axis({0}, {1}, {axis})",
    domain=((-3, 3), "positions"), examples=ALONG_TRIED,
    convention="a position picked twice: the cotangents add; positions have no derivative")

add_along = Primitive(
    "add_along", _add_along,
    jvp=lambda ts, out, g, positions, axis, shape: (
        None if ts[0] is None else add_along(ts[0], positions, axis=axis, shape=shape)),
    vjp=(lambda ct, out, g, positions, axis, shape: take_along(ct, positions, axis=axis),
         None),
    formulas=("1", ""), argnames=("g", "positions"),
    doc="zeros(shape) with g added at the positions along axis (take_along's transpose)",
    saves=("args",), source="add_along({0}, {1}, {axis}, {shape})",
    domain=((-3, 3), "positions"),
    examples=[((shapes[1], shapes[1]), dict(params, shape=shapes[0])) for shapes, params in
              ALONG_TRIED],
    convention="a position picked twice adds up (scatter-add)")


def _lined_up(args, dims):
    """Both arguments with the batch axis first: length 1 where one is the same for all."""
    out = []
    for a, d in zip(args, dims, strict=True):
        if d is None:
            a = reshape(a, shape=(1,) + shape_of(a))
        else:
            a = moveaxis(a, d, 0)
        out.append(a)
    return out


def _take_along_batch(dims, x, positions, axis):
    x, positions = _lined_up((x, positions), dims)
    return take_along(x, positions, axis=axis + 1), 0


def _add_along_batch(dims, g, positions, axis, shape):
    size = batch_size((g, positions), dims)
    g = to_front(g, dims[0], size)
    positions, = _lined_up((positions,), dims[1:])
    return add_along(g, positions, axis=axis + 1, shape=(size,) + tuple(shape)), 0


take_along.batch = _take_along_batch
add_along.batch = _add_along_batch
__all__ += ["take_along", "add_along"]


def take_rows(x, positions, axis=0):
    """``np.take(x, positions, axis)`` for integer positions that are traced: computed
    per example under vmap (``x[tnp.argmax(x)]``), so that they cannot be an index."""
    shape, picked = shape_of(x), shape_of(positions)
    x = moveaxis(x, axis, 0)
    rest = shape_of(x)[1:]
    m = int(np.prod(picked, dtype=int))
    flat = reshape(positions, shape=(m,) + (1,) * len(rest))
    out = reshape(take_along(x, flat, axis=0), shape=picked + rest)
    k = len(picked)                          # picked's axes go where ``axis`` was
    order = (tuple(range(k, k + axis)) + tuple(range(k))
             + tuple(range(k + axis, k + len(shape) - 1)))
    return out if order == tuple(range(len(order))) else transpose(out, axes=order)


def traced_rows(index):
    """The positions, when ``x[index]`` picks along axis 0 with traced integers (then
    ``take_rows`` does it), else None: ``x[i]``, ``x[i, :]``, ``x[i, ...]``."""
    first, *rest = index if isinstance(index, tuple) and index else (index,)
    if not (isinstance(first, Tracer) and np.dtype(first.dtype).kind in "iu"):
        return None
    if all(r is Ellipsis or (isinstance(r, slice) and r == slice(None)) for r in rest):
        return first
    return None


__all__ += ["take_rows", "traced_rows"]
