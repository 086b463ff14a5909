"""Derivatives keep their primal's dtype (issue 15 item 10), as in JAX.

A float32 input gets a float32 gradient, JVP and Hessian-vector product,
whatever the primitive's rule mixes in (a float64 mask, a float64 constant):
the engine casts every tangent and cotangent to its primal's dtype. Checked
for every differentiable primitive of ``tg.lax`` (its first example call, values
drawn in its domain: both from its row), first and second order, in float32 and
float16; at ties, where the rules build masks; and for the tnp compositions the
issue names.
"""

from __future__ import annotations

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.numpy as tnp
from tracegrad import lax

from . import strategies as S

PRIMITIVES = {p.name: p for p in tg.primitives() if p.differentiable}


def primitive_case(p, dtype):
    """The primitive's first example call (any shapes: (2, 3) and (3,)), with values drawn
    in its domain, as a function of its float arguments (masks and positions fixed)."""
    shapes, params = S.fixed_calls(p)[0]
    f, xs = S.of_floats(p, S.sample_args(p, shapes, np.random.default_rng(7), params), params)
    return f, tuple(np.asarray(x).astype(dtype) for x in xs)


def in_linalg(p):
    """NumPy's np.linalg has no float16: primitives of matrices run in float32 only."""
    return isinstance(p.domain[0], str) and p.domain[0] in S.MATRICES


# Ties (max and min share them ½ each, reduce_max splits them): masks in the rules,
# whose dtype is the point here. "ties" share values between the two inputs and within rows.
X23, TIES23 = "x23", "ties23"
TIES = {
    "max at ties": (lambda x, y: lax.max(x, y), [X23, TIES23]),
    "min at ties": (lambda x, y: lax.min(x, y), [X23, TIES23]),
    "reduce_max at ties": (lambda x: lax.reduce_max(x, axes=(1,), keepdims=False), [TIES23]),
    "reduce_min at ties": (lambda x: lax.reduce_min(x, axes=(0, 1), keepdims=True), [TIES23]),
}
# The compositions named in the issue, through tracegrad.numpy.
COMPOSITIONS = {
    "tnp.max": (lambda x: tnp.max(x), [TIES23]),
    "tnp.minimum": (lambda x, y: tnp.minimum(x, y), [X23, TIES23]),
    "tnp.clip": (lambda x: tnp.clip(x, 0.3, 0.6), [X23]),
    "x * float64 constant": (lambda x: x * np.float64(2.0), [X23]),
    "tnp.prod over an empty axis": (lambda x: tnp.prod(tnp.reshape(x, (6, 1))[:, :0], axis=1),
                                    [X23]),
}
OTHERS = TIES | COMPOSITIONS


def make_inputs(kinds, dtype):
    """Values in (0.2, 0.8); ties within rows of TIES23, and between the inputs."""
    rng = np.random.default_rng(7)
    values = [rng.uniform(0.2, 0.8, (2, 3)) for k in kinds]
    if TIES23 in kinds:
        t = kinds.index(TIES23)
        ties = np.array([[0.5, 0.7, 0.7], [0.4, 0.4, 0.3]])     # ties within rows
        if len(kinds) > 1:
            ties[0, 0] = values[1 - t][0, 0]                    # and between the inputs
        values[t] = ties
    return tuple(v.astype(dtype) for v in values)


def dtype_of(x):
    return np.result_type(x)


def leaves(tree):
    return tg.tree_leaves(tree)


def ones_like(tree):
    return tg.tree_map(lambda a: np.ones(np.shape(a), dtype_of(a))[()], tree)


def assert_dtypes(what, got, want):
    got_dtypes = [dtype_of(g) for g in leaves(got)]
    want_dtypes = [dtype_of(w) for w in leaves(want)]
    assert got_dtypes == want_dtypes, f"{what}: dtypes {got_dtypes}, want {want_dtypes}"


def check(f, xs):
    """Every output, tangent and cotangent, first and second order, has its primal's dtype."""
    ts = ones_like(xs)
    # first order
    out_j, tangent = tg.jvp(f, xs, ts)
    out_v, pullback = tg.vjp(f, *xs)
    out = f(*xs)
    assert_dtypes("output under jvp", out_j, out)
    assert_dtypes("output under vjp", out_v, out)
    assert_dtypes("jvp tangent", tangent, out)
    cts = pullback(ones_like(out))
    assert_dtypes("vjp cotangents", cts, xs)

    # second order: the four ways to nest the two modes
    def vjp_fun(*a):
        return tg.vjp(f, *a)[1](ones_like(out))

    def jvp_fun(*a):
        return tg.jvp(f, a, ts)[1]

    _, fwd_over_rev = tg.jvp(vjp_fun, xs, ts)                  # Hessian-vector products
    assert_dtypes("jvp of vjp", fwd_over_rev, xs)
    _, pullback2 = tg.vjp(vjp_fun, *xs)
    assert_dtypes("vjp of vjp", pullback2(ones_like(xs)), xs)
    _, pullback3 = tg.vjp(jvp_fun, *xs)
    assert_dtypes("vjp of jvp", pullback3(ones_like(out)), xs)
    _, fwd_over_fwd = tg.jvp(jvp_fun, xs, ts)
    assert_dtypes("jvp of jvp", fwd_over_fwd, out)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_derivatives_of_every_primitive_keep_the_dtype_of_their_primal(name, dtype):
    p = PRIMITIVES[name]
    if dtype == np.float16 and in_linalg(p):
        pytest.skip("NumPy's np.linalg has no float16")
    f, xs = primitive_case(p, dtype)
    if name != "astype":                                        # (astype changes it)
        assert dtype_of(f(*xs)) == dtype                        # the value itself, too
    check(f, xs)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("name", sorted(OTHERS))
def test_derivatives_at_ties_and_of_compositions_keep_the_dtype(name, dtype):
    f, kinds = OTHERS[name]
    xs = make_inputs(kinds, dtype)
    if name in TIES:
        assert dtype_of(f(*xs)) == dtype
    check(f, xs)


def test_traced_prod_over_an_empty_axis_keeps_float32():
    f, kinds = COMPOSITIONS["tnp.prod over an empty axis"]
    check(f, make_inputs(kinds, np.float32))


def test_grad_and_hessian_of_float32_are_float32():
    x = np.array([0.5, 0.5, 0.2], dtype=np.float32)             # a tie for max
    loss = lambda x: tnp.max(x) * np.float64(3.0) + tnp.sum(tnp.maximum(x, 0.3) ** 2)  # noqa: E731
    assert tg.grad(loss)(x).dtype == np.float32
    assert tg.hessian(loss)(x).dtype == np.float32
    # and the numbers are those of float64, rounded
    want = tg.grad(loss)(x.astype(np.float64))
    np.testing.assert_allclose(tg.grad(loss)(x), want, rtol=1e-6)
