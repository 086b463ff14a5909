"""Derivatives keep their primal's dtype (issue 15 item 10), as in JAX.

A float32 input gets a float32 gradient, JVP and Hessian-vector product,
whatever the primitive's rule mixes in (a float64 mask, a float64 constant):
the engine casts every tangent and cotangent to its primal's dtype. Checked
for every differentiable primitive of ``tg.lax``, first and second order,
in float32 and float16, plus the tnp compositions the issue names.
"""

from __future__ import annotations

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.numpy as tnp
from tracegrad import lax

# The inputs: values in (0.2, 0.8), inside every primitive's domain.
# "ties" share values between the two inputs and within rows (max, min).
X23, Y23, Y3, X32, X2, TIES23 = "x23", "y23", "y3", "x32", "x2", "ties23"
SHAPES = {X23: (2, 3), Y23: (2, 3), Y3: (3,), X32: (3, 2), X2: (2,), TIES23: (2, 3)}
COND = np.array([[True, False, True], [False, True, True]])
REPEATS = (np.array([0, 0, 1]),)


def _unary(name):
    return (lambda x: getattr(lax, name)(x)), [X23]


# primitive name -> (function of the inputs, input kinds)
CASES = {name: _unary(name) for name in (
    "abs", "acos", "asin", "atan", "cos", "cosh", "exp", "expm1", "log", "log1p",
    "logistic", "neg", "sign", "sin", "sinh", "softplus", "sqrt", "square", "tan", "tanh",
    "stop_gradient", "asinh", "atanh", "floor", "ceil", "rint", "trunc")}
CASES.update({name: ((lambda x, y, name=name: getattr(lax, name)(x, y)), [X23, Y3])
              for name in ("add", "sub", "mul", "div", "pow", "atan2", "logaddexp", "mod")})


def _spd(x):
    """A symmetric positive definite 2×2 matrix from the first two columns of x."""
    m = x[:, :2]
    return m @ m.T + tnp.eye(2, dtype=x.dtype)


def _real_eigenvalues(x):
    """Not symmetric, with positive entries, so b·c > 0: two real eigenvalues."""
    return _spd(x) * np.array([[1.0, 0.5], [1.0, 1.0]], x.dtype)


# NumPy's np.linalg has no float16: these run in float32 only.
LINALG = {
    "inv": (lambda x: lax.inv(_spd(x)), [X23]),
    "solve": (lambda x, y: lax.solve(_spd(x), y[:2]), [X23, Y3]),
    "det": (lambda x: lax.det(_spd(x)), [X23]),
    "logabsdet": (lambda x: lax.logabsdet(_spd(x)), [X23]),
    "cholesky": (lambda x: lax.cholesky(_spd(x)), [X23]),
    "eigvalsh": (lambda x: lax.eigvalsh(_spd(x)), [X23]),
    "eigh_vectors": (lambda x: lax.eigh_vectors(_spd(x)), [X23]),
    # issue 20: a wide X23 (and its transpose, tall) for the SVD, QR and pseudo-inverse
    "svd_values": (lambda x: lax.svd_values(x), [X23]),
    "svd_u": (lambda x: lax.svd_u(x.T, full=False), [X23]),
    "svd_vt": (lambda x: lax.svd_vt(x, full=False), [X23]),
    "qr_q": (lambda x: lax.qr_q(x.T, mode="reduced"), [X23]),
    "qr_r": (lambda x: lax.qr_r(x, mode="reduced"), [X23]),
    "pinv": (lambda x: lax.pinv(x, rcond=1e-15), [X23]),
    "eig_values": (lambda x: lax.eig_values(_real_eigenvalues(x)), [X23]),
    "eig_vectors": (lambda x: lax.eig_vectors(_real_eigenvalues(x)), [X23]),
}
CASES.update(LINALG)
CASES.update({
    "max": (lambda x, y: lax.max(x, y), [X23, TIES23]),
    "min": (lambda x, y: lax.min(x, y), [X23, TIES23]),
    "integer_pow": (lambda x: lax.integer_pow(x, n=3), [X23]),
    "select": (lambda x, y: lax.select(COND, x, y), [X23, Y23]),
    "reduce_sum": (lambda x: lax.reduce_sum(x, axes=(1,), keepdims=False), [X23]),
    "reduce_max": (lambda x: lax.reduce_max(x, axes=(1,), keepdims=False), [TIES23]),
    "reduce_min": (lambda x: lax.reduce_min(x, axes=(0, 1), keepdims=True), [TIES23]),
    "reshape": (lambda x: lax.reshape(x, shape=(6,)), [X23]),
    "transpose": (lambda x: lax.transpose(x, axes=(1, 0)), [X23]),
    "broadcast_to": (lambda x: lax.broadcast_to(x, shape=(4, 2, 3)), [X23]),
    "concatenate": (lambda x, y: lax.concatenate(x, y, axis=0), [X23, Y23]),
    "astype": (lambda x: lax.astype(x, dtype=np.float64), [X23]),
    "getitem": (lambda x: lax.getitem(x, index=(REPEATS[0], slice(None))), [X23]),
    "index_add": (lambda g: lax.index_add(g, index=REPEATS, shape=(3,)), [Y3]),
    "index_set": (lambda x, v: lax.index_set(x, v, index=(np.array([0, 2]),)), [Y3, X2]),
    "matmul": (lambda a, b: lax.matmul(a, b), [X23, X32]),
    "einsum": (lambda a, b: lax.einsum(a, b, spec="ij,jk->ik"), [X23, X32]),
    "acosh": (lambda x: lax.acosh(x + 1.0), [X23]),
    "cumsum": (lambda x: lax.cumsum(x, axis=1, reverse=False), [X23]),
    "norm2": (lambda x: lax.norm2(x, axes=(1,), keepdims=False), [X23]),
    "take_along": (lambda x: lax.take_along(x, np.array([[2, 0, 0], [1, 1, 2]]), axis=1),
                   [X23]),
    "add_along": (lambda g: lax.add_along(g, np.array([[2, 0, 0], [1, 1, 2]]), axis=1,
                                          shape=(2, 3)), [X23]),
})
CASES["hypot"] = ((lambda x, y: lax.hypot(x, y)), [X23, Y3])        # issue 20
CASES["logaddexp2"] = ((lambda x, y: lax.logaddexp2(x, y)), [X23, Y3])
# The compositions named in the issue, through tracegrad.numpy.
COMPOSITIONS = {
    "tnp.max": (lambda x: tnp.max(x), [TIES23]),
    "tnp.minimum": (lambda x, y: tnp.minimum(x, y), [X23, TIES23]),
    "tnp.clip": (lambda x: tnp.clip(x, 0.3, 0.6), [X23]),
    "x * float64 constant": (lambda x: x * np.float64(2.0), [X23]),
    "tnp.prod over an empty axis": (lambda x: tnp.prod(tnp.reshape(x, (6, 1))[:, :0], axis=1),
                                    [X23]),
}


def test_every_differentiable_primitive_has_a_case():
    names = {p.name for p in tg.primitives() if p.differentiable}
    assert names == set(CASES), "add the new primitive to CASES in tests/test_dtypes.py"


def make_inputs(kinds, dtype):
    rng = np.random.default_rng(7)
    values = [rng.uniform(0.2, 0.8, SHAPES[k]) for k in kinds]
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
@pytest.mark.parametrize("name", sorted(CASES) + sorted(COMPOSITIONS))
def test_derivatives_keep_the_dtype_of_their_primal(name, dtype):
    if dtype == np.float16 and name in LINALG:
        pytest.skip("NumPy's np.linalg has no float16")
    f, kinds = CASES.get(name) or COMPOSITIONS[name]
    xs = make_inputs(kinds, dtype)
    if name != "astype" and name in CASES:
        assert dtype_of(f(*xs)) == dtype                        # the value itself, too
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
