"""``tg.random``: JAX's random numbers, from keys instead of a hidden state.

    import tracegrad.random as random      # JAX code: from jax import random

    key = random.PRNGKey(0)
    k1, k2 = random.split(key)
    W = random.normal(k1, (3, 2))           # the same numbers every time for k1
    b = random.uniform(k2, (3,), minval=-1.0, maxval=1.0)

Why keys?
---------
``np.random.rand()`` reads and advances a state hidden inside NumPy. That is
a poor fit for transformations. Under ``tg.jit`` the function runs once to be
traced, so the numbers drawn then are frozen into the compiled code. Under
``tg.vmap`` every example would get the same numbers, or whatever order the
batching happened to use. And a program that draws in a different order
(one more layer, one more thread) changes every number after that point.

JAX makes randomness a plain value instead: a **key**, here two ``uint32``
words (an array of shape ``(2,)``, like JAX's ``PRNGKey``). A sampling function
is a pure function of its key: ``normal(key, (3,))`` gives the same three
numbers every time, in any order, in any thread. To get new numbers you make
new keys. ``split(key, n)`` gives ``n`` keys, and ``fold_in(key, i)`` gives one
key for a number ``i`` (a step, an example, a layer). Because keys are small
arrays, they pass through ``vmap`` and ``jit`` like any other input:
``vmap(lambda k: random.normal(k, (3,)))(random.split(key, 4))`` draws four
independent rows. The rule is the one JAX teaches: use each key once, and
split it for more.

Counter-based generators
------------------------
How can a key give numbers without any state? With a *counter-based*
generator. The numbers are ``cipher(key, 0), cipher(key, 1), ...``: a keyed
scrambling function applied to a counter. The n-th number needs no earlier
number, and two keys give unrelated streams. JAX uses the Threefry cipher.
tracegrad uses NumPy's ``np.random.Philox``, a counter-based generator of the
same family (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
2011), rather than a cipher of its own. Its key is 128 bits. The first 64
are our key's two words. The other 64 say what the numbers are for, so that
no two uses share a stream:

    domain 0   samples drawn from this key (normal, uniform, ...)
    domain 1   the keys made by split(key, n)
    domain 2   fold_in(key, i): the key for i; i sits in the low 32 bits

``split`` and ``fold_in`` take their new keys from the cipher's raw output,
64 bits each, cut into two words. NumPy's ``Generator`` then turns Philox's
bits into normal, uniform and other numbers (its ziggurat and its
permutations). tracegrad's numbers are reproducible, but they are not
JAX's numbers.

All of this is one primitive, :data:`philox`. Its arguments are a key and a
number ``i`` (for ``fold_in``); its parameters say what to draw. Under
``vmap`` it runs once per example's key (it has no batching rule, so vmap
loops). Under ``jit`` it is one line of the compiled code, so a new key gives
new numbers without tracing again.

Derivatives
-----------
A draw is a constant: no derivative flows into a key. Parameters do carry
derivatives where the math allows. ``uniform`` is ``minval + (maxval −
minval)·u``, written with tracegrad's operations, so ∂/∂minval = 1 − u.
``scale * normal(key, shape)`` differentiates in ``scale`` as usual.
``categorical``, ``bernoulli``, ``randint``, ``choice`` and ``permutation``
return integers or booleans, which have no derivative. The values they pick
from an array (``choice(key, a)``, ``permutation(key, x)``) do.
"""
from __future__ import annotations

import math
import operator

import numpy as np

from . import lax
from . import numpy as tnp
from .core import Primitive, TracegradError, Tracer, concrete, dtype_of, shape_of
from .typing import Array, DTypeLike, Key, Shape
from .vmap import Batched
from .words import message, said

__all__ = ["PRNGKey", "key", "key_data", "split", "fold_in", "normal", "uniform", "bernoulli",
           "categorical", "permutation", "choice", "randint", "truncated_normal", "gumbel",
           "philox"]


# ---------------------------------------------------------------------------
# The primitive: every random number comes from here
# ---------------------------------------------------------------------------

def _philox(key, i, shape, kind, dtype, bounds=None):
    """Draw ``kind`` of ``shape`` from one key, two uint32 words (see the module's docstring).

    ``kind`` is "split" or "fold_in" (new keys, shape + (2,) words), or a
    distribution: "uniform" in [0, 1), "normal", "gumbel", "truncated_normal"
    between ``bounds``, or "permutation" (of range(shape[0])).
    """
    dtype = np.dtype(dtype)                      # compiled code passes np.float64, a type
    domain = {"split": 1, "fold_in": 2}.get(kind, 0)
    k0, k1 = int(key[0]), int(key[1])
    bits = np.random.Philox(key=np.array([k0 << 32 | k1, domain << 32 | int(i) % 2**32],
                                         dtype=np.uint64))
    if kind in ("split", "fold_in"):             # 64 raw bits per new key, cut into two words
        raw = bits.random_raw(math.prod(shape))
        words = np.stack([raw >> np.uint64(32), raw & np.uint64(0xFFFFFFFF)], axis=-1)
        return words.astype(np.uint32).reshape(shape + (2,))
    rng = np.random.Generator(bits)
    if kind == "permutation":
        return rng.permuted(np.arange(shape[0]))
    native = dtype if dtype in (np.float32, np.float64) else np.float64   # NumPy draws these
    if kind == "normal":
        return rng.standard_normal(shape, dtype=native).astype(dtype)
    if kind == "truncated_normal":               # keep the normal draws that fall inside
        lower, upper = bounds
        n, kept, count = math.prod(shape), [], 0
        while count < n:
            z = rng.standard_normal(max(n, 16))
            kept.append(z[(z > lower) & (z < upper)])
            count += len(kept[-1])
        return np.concatenate(kept + [np.zeros(0)])[:n].reshape(shape).astype(dtype)
    u = rng.random(shape, dtype=native).astype(dtype)
    u = np.minimum(u, np.nextafter(dtype.type(1), dtype.type(0)))     # float16 rounds up to 1
    if kind == "uniform":
        return u
    if kind == "gumbel":                         # −log(−log u), u > 0 so that it stays finite
        return -np.log(-np.log(np.maximum(u, np.finfo(dtype).tiny)))
    raise ValueError(message("err.philox-kind", kind=repr(kind)))


philox = Primitive(
    "philox", _philox,
    jvp=lambda tangents, out, key, i, **params: None,      # a draw is a constant
    vjp=(None, None), formulas=("none: a draw is a constant", "none"),
    argnames=("key", "i"), saves=(),
    source="philox({0}, {1}, shape={shape}, kind={kind}, dtype={dtype}, bounds={bounds})",
    doc="random numbers (or new keys) drawn from a key with NumPy's Philox generator")


def _draw(key, shape, kind, dtype, who, bounds=None):
    return philox.bind(_checked_key(key, who), 0, shape=shape, kind=kind,
                       dtype=np.dtype(dtype), bounds=bounds)


# ---------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------

def PRNGKey(seed: int) -> Key:
    """A key made from an integer seed: ``[seed >> 32, seed & 0xFFFFFFFF]`` as uint32,
    as in JAX (a negative seed is taken modulo 2⁶⁴)."""
    if isinstance(seed, Tracer):
        raise TracegradError(message("err.seed-traced"))
    if np.ndim(seed) == 0 and isinstance(seed, np.ndarray) and seed.dtype.kind in "iub":
        seed = seed.item()
    if not isinstance(seed, (int, np.integer)):
        raise TypeError(message("err.seed-type", seed=repr(seed), type=type(seed).__name__))
    seed = int(seed)
    if not -2**63 <= seed < 2**64:
        raise ValueError(message("err.seed-range", seed=seed))
    seed %= 2**64
    return np.array([seed >> 32, seed & 0xFFFFFFFF], dtype=np.uint32)


def key(seed: int) -> Key:
    """The same as :func:`PRNGKey`. (JAX's ``key`` returns a typed key of shape ();
    here every key is the plain pair of words.)"""
    return PRNGKey(seed)


def key_data(keys: Key) -> Key:
    """The words of ``keys``: here the keys themselves (JAX unwraps typed keys)."""
    return keys


def split(key: Key, num: int = 2) -> Key:
    """``num`` new keys, shape ``(num, 2)``: ``k1, k2 = split(key)``."""
    if isinstance(num, Tracer) or not isinstance(num, (int, np.integer)) or num < 0:
        raise TypeError(message("err.split-num", num=repr(num)))
    return philox.bind(_checked_key(key, "split"), 0, shape=(int(num),), kind="split",
                       dtype=np.dtype(np.uint32), bounds=None)


def fold_in(key: Key, data: int | Array) -> Key:
    """The key for the integer ``data`` (a step, an example's index): a new key,
    the same one every time for the same ``key`` and ``data``."""
    if shape_of(data) != () or dtype_of(data).kind not in "iub":
        raise TypeError(message("err.fold-in-type", got=_describe(data)))
    if not isinstance(data, Tracer) and not 0 <= int(data) < 2**32:
        raise ValueError(message("err.fold-in-range", data=int(data)))
    return philox.bind(_checked_key(key, "fold_in"), data, shape=(), kind="fold_in",
                       dtype=np.dtype(np.uint32), bounds=None)


def _checked_key(key, who):
    shape, dtype = shape_of(key), dtype_of(key)
    if shape == (2,) and dtype == np.uint32:
        return key
    if dtype == np.uint32 and len(shape) > 1 and shape[-1] == 2:
        raise ValueError(message("err.keys", who=who, shape=shape))
    if isinstance(key, (int, np.integer)):
        raise TypeError(message("err.key-int", who=who, key=key))
    raise TypeError(message("err.key", who=who, got=_describe(key)))


def _describe(x):
    return f"{x!r}" if isinstance(x, (int, float)) else \
        said("part.array of dtype", shape=shape_of(x), dtype=dtype_of(x))


# ---------------------------------------------------------------------------
# Checks of the other arguments
# ---------------------------------------------------------------------------

def _shape(shape, who):
    """``shape`` as a tuple of ints (an int n is (n,), as in JAX)."""
    dims = shape if isinstance(shape, (tuple, list)) else (shape,)
    out = []
    for d in dims:
        if isinstance(d, Tracer) or isinstance(d, bool) or not isinstance(d, (int, np.integer)):
            raise TypeError(message("err.shape-type", who=who, shape=repr(shape)))
        if d < 0:
            raise ValueError(message("err.shape-negative", who=who, shape=repr(shape)))
        out.append(operator.index(d))
    return tuple(out)


def _float_dtype(dtype, who):
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(message("err.float-dtype", who=who, dtype=dtype))
    return dtype


def _fits(shape, who, **arrays):
    """Every array in ``arrays`` must broadcast to ``shape``, the shape of the result."""
    for name, a in arrays.items():
        s = shape_of(a)
        try:
            fits = np.broadcast_shapes(shape, s) == shape
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(message("err.fits", who=who, name=name, s=s, shape=shape))


def _all(mask):
    """Is ``mask`` true everywhere, in every example under vmap?

    A check of the arguments, not a branch of the user's: under vmap it looks
    at all the examples at once (``Batched.data``), so that a bad example is
    reported as bad input, not as examples that disagree.
    """
    value = concrete(np.all(mask))
    while isinstance(value, Batched):
        value = concrete(np.all(value.data))
    return bool(value)


def _shown(value):
    """The value for an error message (under vmap or jit there is not one value)."""
    if isinstance(value, (np.ndarray, np.generic, int, float)):
        return str(value)
    return said("part.traced outside")


# ---------------------------------------------------------------------------
# Distributions
# ---------------------------------------------------------------------------

def normal(key: Key, shape: Shape = (), dtype: DTypeLike = np.float64) -> Array:
    """Standard normal numbers (mean 0, variance 1). For N(μ, σ²): ``mu + sigma * normal(...)``."""
    shape, dtype = _shape(shape, "normal"), _float_dtype(dtype, "normal")
    return _draw(key, shape, "normal", dtype, "normal")


def uniform(key: Key, shape: Shape = (), dtype: DTypeLike = np.float64,
            minval: Array = 0.0, maxval: Array = 1.0) -> Array:
    """Uniform numbers in [minval, maxval): ``minval + (maxval − minval)·u``, u in [0, 1).

    ``minval`` and ``maxval`` may be traced: their derivatives are 1 − u and u.
    """
    shape, dtype = _shape(shape, "uniform"), _float_dtype(dtype, "uniform")
    _fits(shape, "uniform", minval=minval, maxval=maxval)
    u = _draw(key, shape, "uniform", dtype, "uniform")
    if _is_number(minval, 0) and _is_number(maxval, 1):
        return u
    out = tnp.add(minval, tnp.multiply(tnp.subtract(maxval, minval), u))
    return out if dtype_of(out) == dtype else lax.astype(out, dtype=dtype)


def _is_number(x, value):
    return type(x) in (int, float) and x == value


def gumbel(key: Key, shape: Shape = (), dtype: DTypeLike = np.float64) -> Array:
    """Standard Gumbel numbers, −log(−log u): the noise of the Gumbel-max trick."""
    shape, dtype = _shape(shape, "gumbel"), _float_dtype(dtype, "gumbel")
    return _draw(key, shape, "gumbel", dtype, "gumbel")


def truncated_normal(key: Key, lower: Array, upper: Array, shape: Shape | None = None,
                     dtype: DTypeLike = np.float64) -> Array:
    """Standard normal numbers conditioned to lie in (lower, upper).

    Drawn by rejection: normal numbers are drawn and those inside are kept, so
    ``lower`` and ``upper`` are plain numbers (no derivative), and the interval
    must hold at least 1e-4 of the normal's probability.
    """
    if isinstance(lower, Tracer) or isinstance(upper, Tracer) \
            or np.ndim(lower) or np.ndim(upper):
        raise TypeError(message("err.truncated-bounds"))
    lower, upper = float(lower), float(upper)
    shape = () if shape is None else _shape(shape, "truncated_normal")
    dtype = _float_dtype(dtype, "truncated_normal")
    if not lower < upper:
        raise ValueError(message("err.truncated-order", lower=lower, upper=upper))
    mass = (math.erf(upper / math.sqrt(2)) - math.erf(lower / math.sqrt(2))) / 2
    if mass < 1e-4:
        raise ValueError(message("err.truncated-mass", lower=lower, upper=upper,
                                 mass=f"{mass:.2g}"))
    return _draw(key, shape, "truncated_normal", dtype, "truncated_normal", (lower, upper))


def bernoulli(key: Key, p: Array = 0.5, shape: Shape | None = None) -> Array:
    """Booleans that are True with probability ``p`` (``u < p``); shape defaults to p's."""
    shape = shape_of(p) if shape is None else _shape(shape, "bernoulli")
    _fits(shape, "bernoulli", p=p)
    pv = concrete(p)
    if not _all((pv >= 0) & (pv <= 1)):
        raise ValueError(message("err.bernoulli", p=_shown(pv)))
    return tnp.less(uniform(key, shape), p)


def categorical(key: Key, logits: Array, axis: int = -1, shape: Shape | None = None
                ) -> Array:
    """Category indices drawn with probabilities softmax(logits) along ``axis``.

    The Gumbel-max trick: argmax(logits + Gumbel noise) is such a draw.
    ``shape`` defaults to logits' shape without ``axis``; a longer shape must
    end with that one, and draws that many times.
    """
    lshape = shape_of(logits)
    if not lshape:
        raise ValueError(message("err.categorical-axis"))
    if not -len(lshape) <= axis < len(lshape):
        raise ValueError(message("err.categorical-range", axis=axis, shape=lshape))
    axis %= len(lshape)
    batch = lshape[:axis] + lshape[axis + 1:]
    shape = batch if shape is None else _shape(shape, "categorical")
    if len(shape) < len(batch) or shape[len(shape) - len(batch):] != batch:
        raise ValueError(message("err.categorical-shape", shape=shape, batch=batch,
                                 lshape=lshape, axis=axis))
    prefix = shape[:len(shape) - len(batch)]
    dtype = dtype_of(logits) if dtype_of(logits).kind == "f" else np.dtype(np.float64)
    noise = gumbel(key, prefix + lshape, dtype)
    return tnp.argmax(tnp.add(noise, logits), axis=len(prefix) + axis)


def randint(key: Key, shape: Shape, minval: Array, maxval: Array,
            dtype: DTypeLike = np.int64) -> Array:
    """Integers from ``minval`` up to, not including, ``maxval``: floor(minval + (maxval −
    minval)·u) with u uniform in [0, 1) (53 random bits: exact enough for spans below 2⁴⁰)."""
    shape = _shape(shape, "randint")
    dtype = np.dtype(dtype)
    if dtype.kind not in "iu":
        raise TypeError(message("err.randint-dtype", dtype=dtype))
    _fits(shape, "randint", minval=minval, maxval=maxval)
    if not _all(concrete(minval) < concrete(maxval)):
        raise ValueError(message("err.randint-range", minval=_shown(concrete(minval)),
                                 maxval=_shown(concrete(maxval))))
    u = uniform(key, shape)
    span = tnp.subtract(maxval, minval)
    out = tnp.minimum(tnp.add(minval, tnp.floor(tnp.multiply(span, u))), maxval - 1)
    return lax.astype(out, dtype=dtype)


def permutation(key: Key, x: int | Array, axis: int = 0) -> Array:
    """A random order: of ``range(x)`` for an int ``x``, else of ``x``'s entries along ``axis``."""
    if _is_int(x):
        n = int(x)
        if n < 0:
            raise ValueError(message("err.permutation-n", n=n))
        return _draw(key, (n,), "permutation", np.int64, "permutation")
    if not shape_of(x):
        raise ValueError(message("err.permutation-0d"))
    axis = _axis(axis, shape_of(x), "permutation")
    order = _draw(key, (shape_of(x)[axis],), "permutation", np.int64, "permutation")
    return tnp.take(x, order, axis=axis)


def choice(key: Key, a: int | Array, shape: Shape = (), replace: bool = True,
           p: Array | None = None, axis: int = 0) -> Array:
    """Entries of ``a`` (or of ``range(a)`` for an int) drawn at random.

    ``replace=False`` draws without repeats; ``p`` gives each entry's
    probability (the Gumbel-max trick: with replacement a categorical draw,
    without it the ``k`` largest of log p + Gumbel noise).
    """
    shape = _shape(shape, "choice")
    if _is_int(a):
        n = int(a)
    elif shape_of(a):
        axis = _axis(axis, shape_of(a), "choice")
        n = shape_of(a)[axis]
    else:
        raise ValueError(message("err.choice-0d"))
    k = math.prod(shape)
    if not replace and k > n:
        raise ValueError(message("err.choice-many", k=k, n=n))
    if n == 0 and k > 0:
        raise ValueError(message("err.choice-empty"))
    if p is not None:
        if shape_of(p) != (n,):
            raise ValueError(message("err.choice-p-shape", shape=shape_of(p), n=n))
        pv = concrete(p)
        if not _all(pv >= 0) or not _all(np.sum(pv) > 0):
            raise ValueError(message("err.choice-p", p=_shown(pv)))
        with np.errstate(divide="ignore"):       # p = 0: log p = −inf, never chosen
            log_p = np.log(pv)
    if replace:
        index = (randint(key, shape, 0, n) if p is None else
                 categorical(key, log_p, shape=shape))
    elif p is None:
        index = tnp.reshape(permutation(key, n)[:k], shape)
    else:
        top = tnp.argsort(tnp.negative(tnp.add(gumbel(key, (n,)), log_p)))
        index = tnp.reshape(top[:k], shape)
    return index if _is_int(a) else tnp.take(a, index, axis=axis)


def _is_int(x):
    return not isinstance(x, Tracer) and np.ndim(x) == 0 and \
        np.asarray(x).dtype.kind in "iu"


def _axis(axis, shape, who):
    if not -len(shape) <= axis < len(shape):
        raise ValueError(message("err.random-axis", who=who, axis=axis, shape=shape))
    return axis % len(shape)
