"""Issue 20: every tracegrad.numpy function under ``vmap`` and ``jit(vmap)``, against a loop.

``vmap(f)(xs)`` means ``stack([f(x) for x in xs])``: so every public function
of ``tnp`` and ``tnp.linalg`` (one row of ``TABLE`` each, some with a second
row for an ``axis`` or a mode; the guard at the end fails when a function has
no row and is not in ``SKIP``) runs batched with ``in_axes`` 0, 1 and ``None``
mixed, and must equal the same function run on one example at a time. The
examples disagree on purpose: one is all zeros (where ``sinc``, ``norm``,
``sign`` and ``abs`` branch), one mixes signs, one is positive, so any Python
``if`` in library code that looks at the values is found (vmap then raises,
which fails the test). The rows with float results are differentiated too:
``vmap(grad(Σf))`` and ``grad(Σ vmap(f))`` against a loop of ``grad``. Under
``tg.jit(tg.vmap(f))`` the first and the second call get different data (the
all-zero example moves), so the second call runs the compiled code on examples
that disagree differently.

Expected failures caused by code outside vmap (linalg, sinc, jit) are marked
``xfail(strict=True)`` with the cause: remove the mark when the cause is fixed.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.numpy as tnp
from tracegrad.tree import tree_flatten

from . import strategies as S

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

B = 3                      # examples in a batch


def _examples(shape, seed, zero_at):
    """B examples of ``shape``: one all zeros, one of mixed signs (a tie included), one
    positive; ``zero_at`` says which is the zero one."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    mixed = np.round(rng.uniform(-2, 2, n), 2)
    mixed[-1] = mixed[0]                                        # a tie
    positive = np.round(rng.uniform(0.2, 2, n), 2)
    order = [mixed, positive]
    out = [order.pop(0) if k != zero_at else np.zeros(n) for k in range(B)]
    return np.stack([o.reshape(shape) for o in out])


M = (2, 3)                 # the shape of one example, most rows
SQ = (3, 3)                # square matrices
V3 = (3,)


def spd(a):
    """A symmetric positive definite matrix from any square ``a`` (the zero one gives I)."""
    return a @ tnp.swapaxes(a, -1, -2) + np.eye(a.shape[-1])


# name -> (function of the examples' arrays, the shape of each argument per example)
TABLE = {}


def rows(shapes, **funs):
    for name, fun in funs.items():
        TABLE[name.replace("__", "-")] = (fun, shapes)


# ---- one array ---------------------------------------------------------------------------
UNARY = """array asarray zeros_like ones_like negative square sqrt exp log log1p expm1 sin cos tan
arcsin arccos arctan sinh cosh tanh abs absolute sign isnan isfinite isinf round around arcsinh
arccosh arctanh log2 log10 exp2 reciprocal fabs sinc deg2rad rad2deg degrees radians floor ceil
rint trunc fix nan_to_num copy sum mean prod max min amax amin var std argmax argmin any all
median ravel transpose squeeze atleast_1d atleast_2d atleast_3d flip fliplr flipud rot90 diag
diagonal trace tril triu cumsum cumprod diff sort argsort real imag conj conjugate angle
real_if_close gradient""".split()
rows((M,), **{name: (lambda f: lambda x: f(x))(getattr(tnp, name)) for name in UNARY})
rows((M,),
     empty_like=lambda x: tnp.zeros_like(tnp.empty_like(x)),
     sum__axis=lambda x: tnp.sum(x, axis=1), max__axis=lambda x: tnp.max(x, axis=0),
     argmax__axis=lambda x: tnp.argmax(x, axis=1), std__axis=lambda x: tnp.std(x, axis=0),
     median__axis=lambda x: tnp.median(x, axis=1, keepdims=True),
     quantile=lambda x: tnp.quantile(x, [0.3, 0.9], axis=1),
     percentile=lambda x: tnp.percentile(x, 30.0, method="nearest"),
     partition=lambda x: tnp.partition(x, 1, axis=1),
     argpartition=lambda x: tnp.argpartition(x, 1, axis=1),
     sort__flat=lambda x: tnp.sort(x, axis=None),
     take_along_axis=lambda x: tnp.take_along_axis(x, tnp.argsort(x, axis=0), 0),
     take=lambda x: tnp.take(x, [2, 0, 2], axis=1),
     clip=lambda x: tnp.clip(x, -0.5, 0.75),
     reshape=lambda x: tnp.reshape(x, (3, 2)), expand_dims=lambda x: tnp.expand_dims(x, 1),
     swapaxes=lambda x: tnp.swapaxes(x, 0, 1), moveaxis=lambda x: tnp.moveaxis(x, 0, -1),
     rollaxis=lambda x: tnp.rollaxis(x, 1), broadcast_to=lambda x: tnp.broadcast_to(x, (2,) + M),
     roll=lambda x: tnp.roll(x, 1, axis=1), tile=lambda x: tnp.tile(x, (2, 1)),
     repeat=lambda x: tnp.repeat(x, 2, axis=0), pad=lambda x: tnp.pad(x, 1),
     pad__edge=lambda x: tnp.pad(x, (1, 2), mode="edge"),
     diag__1d=lambda x: tnp.diag(x[0], k=1), tril__1d=lambda x: tnp.tril(x[0]),
     split=lambda x: tnp.split(x, 2, axis=0), array_split=lambda x: tnp.array_split(x, 2, 1),
     hsplit=lambda x: tnp.hsplit(x, 3), vsplit=lambda x: tnp.vsplit(x, 2),
     dsplit=lambda x: tnp.dsplit(tnp.atleast_3d(x), 1),
     power__scalar=lambda x: tnp.power(x, 1 / 3), power__int=lambda x: x ** 3,
     cumsum__axis=lambda x: tnp.cumsum(x, axis=0), diff__n=lambda x: tnp.diff(x, n=2),
     full_like=lambda x: tnp.full_like(x, 2.5),
     where__positions=lambda x: tnp.where(x[0] >= -10.0)[0],      # the same length for all
     linspace=lambda x: tnp.linspace(x[0, 0], x[0, 1], 4),
     full=lambda x: tnp.full((2,), x[0, 0]),
     at=lambda x: tnp.at(x)[0, 1].set(x[1, 2] * 2.0),
     at__add=lambda x: tnp.at(x)[:, [0, 0]].add(x[:, 1:]),
     r_=lambda x: tnp.r_[x[0], x[1], 0.5], c_=lambda x: tnp.c_[x[0], x[1]])
rows((V3,), norm__vector=lambda v: tnp.linalg.norm(v), sinc__vector=tnp.sinc,
     norm__ord1=lambda v: tnp.linalg.norm(v, 1), norm__inf=lambda v: tnp.linalg.norm(v, np.inf),
     norm__ord0=lambda v: tnp.linalg.norm(v, 0))
rows((M,), norm=lambda x: tnp.linalg.norm(x), norm__axis=lambda x: tnp.linalg.norm(x, axis=1),
     norm__fro=lambda x: tnp.linalg.norm(x, "fro"), norm__2=lambda x: tnp.linalg.norm(x, 2),
     norm__nuc=lambda x: tnp.linalg.norm(x, "nuc"))
rows((SQ,),
     inv=lambda a: tnp.linalg.inv(spd(a)), det=lambda a: tnp.linalg.det(spd(a)),
     slogdet=lambda a: tnp.linalg.slogdet(spd(a)), cholesky=lambda a: tnp.linalg.cholesky(spd(a)),
     eigh=lambda a: tnp.linalg.eigh(spd(a))[0], eigvalsh=lambda a: tnp.linalg.eigvalsh(spd(a)),
     svd=lambda a: tnp.linalg.svd(spd(a), compute_uv=False),
     svd__uv=lambda a: tnp.linalg.svd(a + 3 * np.eye(3))[1],
     qr=lambda a: tnp.linalg.qr(a + 3 * np.eye(3))[1] ** 2,
     eig=lambda a: tnp.sort(tnp.linalg.eig(spd(a))[0]),
     eigvals=lambda a: tnp.sort(tnp.linalg.eigvals(spd(a))),
     pinv=lambda a: tnp.linalg.pinv(a), matrix_power=lambda a: tnp.linalg.matrix_power(a, 3),
     matrix_power__0=lambda a: tnp.linalg.matrix_power(a, 0))

# ---- two arrays ----------------------------------------------------------------------------
BINARY = """add subtract multiply divide true_divide power arctan2 maximum minimum equal not_equal
less less_equal greater greater_equal logaddexp logaddexp2 hypot mod remainder fmax fmin isclose
allclose append""".split()
rows((M, M), **{name: (lambda f: lambda x, y: f(x, y))(getattr(tnp, name)) for name in BINARY})
rows((M, M),
     where=lambda x, y: tnp.where(x > y, x, y),
     select=lambda x, y: tnp.select([x > 0.5, y < 0], [x * y, y], 0.25),
     concatenate=lambda x, y: tnp.concatenate([x, y], axis=1),
     stack=lambda x, y: tnp.stack([x, y], axis=-1),
     vstack=lambda x, y: tnp.vstack([x, y]), hstack=lambda x, y: tnp.hstack((x, y)),
     dstack=lambda x, y: tnp.dstack([x, y]), column_stack=lambda x, y: tnp.column_stack([x, y]),
     row_stack=lambda x, y: tnp.row_stack([x, y]),
     dot=lambda x, y: tnp.dot(x, y.T), matmul=lambda x, y: tnp.matmul(x.T, y),
     inner=lambda x, y: tnp.inner(x, y), outer=lambda x, y: tnp.outer(x, y),
     vdot=lambda x, y: tnp.vdot(x, y), kron=lambda x, y: tnp.kron(x, y),
     cross=lambda x, y: tnp.cross(x, y), tensordot=lambda x, y: tnp.tensordot(x, y, 2),
     einsum=lambda x, y: tnp.einsum("ij,kj->ik", x, y),
     full_like__traced=lambda x, y: tnp.full_like(x, y[0, 0]),
     pad__traced=lambda x, y: tnp.pad(x, 1, constant_values=y[0, 0]))
rows((SQ, V3), solve=lambda a, b: tnp.linalg.solve(spd(a), b))

# Not in the table: they take no arrays, return no array, or are not functions.
SKIP = {
    "zeros": "takes no arrays", "ones": "takes no arrays", "arange": "takes no arrays",
    "eye": "takes no arrays", "shape": "returns a tuple, not an array",
    "ndim": "returns an int", "size": "returns an int", "result_type": "returns a dtype",
    "LinAlgError": "an exception class",
    **{t: "a scalar type" for t in ("float16", "float32", "float64", "int32", "int64", "bool_")},
}

# Expected failures whose cause is outside vmap.py, _order.py, lax/control.py and
# lax/indexing.py: the mark says which file; remove it when that is fixed.
XFAIL = {
}
JIT_XFAIL = dict(XFAIL)


def _call_loop(fun, stacked, axes):
    """The meaning of vmap, written out: the function on one example at a time, stacked."""
    outs = []
    for b in range(B):
        args = [a if ax is None else np.take(a, b, axis=ax) for a, ax in zip(stacked, axes)]
        outs.append(tree_flatten(fun(*args))[0])
    return [np.stack([np.asarray(o[k]) for o in outs]) for k in range(len(outs[0]))]


def _same(got, want, what):
    got = tree_flatten(got)[0]
    assert len(got) == len(want), what
    for g, w in zip(got, want):
        g = np.asarray(g)
        assert g.shape == w.shape, f"{what}: shape {g.shape}, the loop's {w.shape}"
        if w.dtype.kind in "fc":
            np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12, err_msg=what)
        else:
            np.testing.assert_array_equal(g, w, err_msg=what)


AXES = {1: [(0,), (1,)], 2: [(0, 0), (1, None), (None, 0), (0, 1)]}


def _stacked(shapes, axes, seed, zero_at):
    """Each argument's examples stacked along its axis (the shared one: example 1's)."""
    out = []
    for k, (shape, ax) in enumerate(zip(shapes, axes)):
        ex = _examples(shape, seed + k, zero_at)
        out.append(ex[1] if ax is None else np.moveaxis(ex, 0, ax))
    return out


def _marked(table):
    return [pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=table[name]))
            if name in table else name for name in sorted(TABLE)]


@pytest.mark.parametrize("name", _marked(XFAIL))
def test_every_function_under_vmap_matches_a_loop(name):
    fun, shapes = TABLE[name]
    for axes in AXES[len(shapes)]:
        stacked = _stacked(shapes, axes, seed=len(name), zero_at=0)
        _same(tg.vmap(fun, in_axes=axes)(*stacked), _call_loop(fun, stacked, axes),
              f"{name}, in_axes={axes}")


@pytest.mark.parametrize("name", _marked(JIT_XFAIL))
def test_every_function_under_jit_of_vmap_first_and_second_call(name):
    fun, shapes = TABLE[name]
    axes = AXES[len(shapes)][0]
    jf = tg.jit(tg.vmap(fun, in_axes=axes))
    for call, zero_at in enumerate((0, 2)):          # the zero example moves: new branches
        stacked = _stacked(shapes, axes, seed=len(name) + call, zero_at=zero_at)
        _same(jf(*stacked), _call_loop(fun, stacked, axes), f"{name}, call {call + 1}")


def _differentiable(name):
    """Rows whose results are floats (on the example of mixed signs): they get a gradient."""
    fun, shapes = TABLE[name]
    try:
        with np.errstate(all="ignore"):
            out = fun(*[_examples(s, 0, zero_at=0)[1] for s in shapes])
    except (ValueError, TypeError):           # a row marked xfail: keep it, marked
        return name in XFAIL
    return all(np.result_type(leaf).kind == "f" for leaf in tree_flatten(out)[0])


@pytest.mark.parametrize("name", [n for n in _marked(XFAIL)
                                  if _differentiable(getattr(n, "values", [n])[0])])
def test_every_function_per_example_gradients_match_a_loop(name):
    fun, shapes = TABLE[name]
    axes, argnums = AXES[len(shapes)][0], tuple(range(len(shapes)))

    def total(*args):
        return sum(tnp.sum(leaf) for leaf in tree_flatten(fun(*args))[0])
    stacked = _stacked(shapes, axes, seed=len(name), zero_at=1)
    want = _call_loop(tg.grad(total, argnums=argnums), stacked, axes)
    _same(tg.vmap(tg.grad(total, argnums=argnums), in_axes=axes)(*stacked), want,
          f"vmap(grad({name}))")
    batch_total = tg.grad(lambda *a: tnp.sum(tg.vmap(total, in_axes=axes)(*a)), argnums=argnums)
    _same(batch_total(*stacked), want, f"grad(vmap({name}))")


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_function_on_drawn_examples_under_vmap_matches_a_loop(data):
    name = data.draw(st.sampled_from(sorted(set(TABLE) - set(XFAIL))), label="function")
    fun, shapes = TABLE[name]
    axes = data.draw(st.sampled_from(AXES[len(shapes)]), label="in_axes")
    values = st.sampled_from([0.0, -0.0, 1.0, -2.0, 0.5, 1.5])      # zeros, ties, signs
    stacked = []
    for shape, ax in zip(shapes, axes):
        if ax is None:
            stacked.append(data.draw(S.arrays(shape, values)))
        else:
            examples = [data.draw(S.arrays(shape, values)) for _ in range(B)]
            stacked.append(np.stack(examples, axis=ax))
    try:
        with np.errstate(all="ignore"):
            want = _call_loop(fun, stacked, axes)
    except (ValueError, np.linalg.LinAlgError):       # no answer for these examples (singular)
        return
    _same(tg.vmap(fun, in_axes=axes)(*stacked), want, f"{name}, in_axes={axes}")


def test_every_public_function_has_a_row():
    public = [n for n in tnp.__all__ if callable(getattr(tnp, n)) and not isinstance(
        getattr(tnp, n), type)] + [n for n in tnp.linalg.__all__]
    covered = {name.split("-")[0] for name in TABLE} | set(SKIP)
    missing = sorted(set(public) - covered)
    assert not missing, f"add a row to TABLE (or SKIP, with the reason) for {missing}"


def test_a_result_whose_shape_differs_per_example_is_refused_clearly():
    xs = _examples(M, 0, zero_at=0)
    with pytest.raises(ValueError, match=r"nonzero gives results of different shapes for "
                                         r"different examples.*tnp.where\(cond, x, 0\)"):
        tg.vmap(lambda x: tnp.where(x > 0)[1])(xs)
    _same(tg.vmap(tnp.sin)(xs), [np.sin(xs)], "the next call")
