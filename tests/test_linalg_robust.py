"""Linear algebra done right (issue 20, item 9 and its linear-algebra neighbours).

``svd``, ``qr``, ``pinv`` and ``eig`` take their values from ``np.linalg`` and
their derivatives from the published rules. Checked here on the matrices that
broke the old compositions (rank-deficient, ill-conditioned with condition
numbers 1e6 to 1e12, zero, identity, repeated singular values): values against
NumPy and the defining identities (U S Vᵀ = A, QᵀQ = I, the Moore–Penrose
conditions), derivatives against finite differences of NumPy's own functions
to second order where they exist, clear errors where they do not, float32 kept,
and ``vmap`` against a Python loop. ``norm`` has no Python branch on values:
``vmap`` and ``jit(vmap)`` over examples of which only some are zero work.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.numpy as tnp
from tracegrad import lax
from tracegrad.core import TracegradError
from tracegrad.words import primitive_words

from . import strategies as S
from .numeric import GRAD_TOL, HESS_TOL, assert_close, num_grad, num_hessian, num_jacobian

CONDITIONS = [1e6, 1e9, 1e12]
EPS = np.finfo(float).eps


def _orthogonal(n, rng):
    return np.linalg.qr(rng.normal(size=(n, n)))[0]


def _with_singular_values(s, m, n, rng):
    """An m×n matrix with the singular values s (len min(m, n)), random singular vectors."""
    k = min(m, n)
    return _orthogonal(m, rng)[:, :k] @ np.diag(s) @ _orthogonal(n, rng)[:, :k].T


def _rank_deficient(m, n, rank, rng):
    return rng.normal(size=(m, rank)) @ rng.normal(size=(rank, n))


def _orthonormal_columns(q, tol):
    k = q.shape[-1]
    assert np.all(np.isfinite(q))
    assert np.max(np.abs(np.swapaxes(q, -1, -2) @ q - np.eye(k))) < tol


def _svd_identities(a, tol=1e-12):
    u, s, vt = tnp.linalg.svd(a, full_matrices=False)
    scale = max(1.0, np.max(np.abs(a)))
    _orthonormal_columns(u, tol * 10)
    _orthonormal_columns(np.swapaxes(vt, -1, -2), tol * 10)
    assert np.max(np.abs((u * s[..., None, :]) @ vt - a)) < tol * 10 * scale
    want = np.linalg.svd(a, compute_uv=False)
    np.testing.assert_allclose(s, want, rtol=0, atol=1e-13 * scale)


def _penrose(a, p, tol):
    """The four Moore–Penrose conditions that define A⁺ uniquely."""
    scale = max(1.0, np.max(np.abs(a))) * max(1.0, np.max(np.abs(p)))
    assert np.max(np.abs(a @ p @ a - a)) <= tol * scale
    assert np.max(np.abs(p @ a @ p - p)) <= tol * scale * np.max(np.abs(p))
    assert np.max(np.abs((a @ p) - (a @ p).T)) <= tol * scale
    assert np.max(np.abs((p @ a) - (p @ a).T)) <= tol * scale


# ---- values: rank-deficient, zero, ill-conditioned --------------------------------------


@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 4)])
def test_svd_of_a_zero_matrix_has_finite_orthonormal_vectors(shape):
    # issue 20 item 9: U came out inf or nan (A V / S with S = 0)
    a = np.zeros(shape)
    _svd_identities(a)
    u, s, vt = tnp.linalg.svd(a)
    assert u.shape == (shape[0],) * 2 and vt.shape == (shape[1],) * 2    # full, as NumPy
    assert np.all(s == 0)


@pytest.mark.parametrize("m,n,rank", [(4, 3, 1), (3, 5, 2), (4, 4, 2)])
def test_svd_of_a_rank_deficient_matrix_reconstructs_it(m, n, rank):
    a = _rank_deficient(m, n, rank, np.random.default_rng(m * n + rank))
    _svd_identities(a)
    s = tnp.linalg.svd(a, compute_uv=False)
    assert np.all(s[rank:] < 1e-13 * s[0])


@pytest.mark.parametrize("cond", CONDITIONS)
def test_svd_of_an_ill_conditioned_matrix_keeps_the_smallest_singular_value(cond):
    # The old Gram-matrix route squared the condition number: at 1e9 the smallest
    # singular value came out 0 instead of 1e-9, and ‖UᵀU − I‖ was 0.95.
    rng = np.random.default_rng(int(np.log10(cond)))
    s = np.array([1.0, 1.0 / np.sqrt(cond), 1.0 / cond])
    for m, n in [(3, 3), (5, 3), (3, 4)]:
        a = _with_singular_values(s, m, n, rng)
        _svd_identities(a)
        got = tnp.linalg.svd(a, compute_uv=False)
        # LAPACK's backward error is ~eps·s_max, so that is the accuracy to ask for
        np.testing.assert_allclose(got, s, rtol=0, atol=100 * EPS)
        assert got[-1] > 0.5 / cond


@pytest.mark.parametrize("cond", CONDITIONS)
@pytest.mark.parametrize("shape", [(3, 3), (5, 3), (3, 5)])
def test_qr_of_an_ill_conditioned_matrix_is_orthogonal(cond, shape):
    # issue 20 item 9: at condition number 1e9, ‖QᵀQ − I‖ was 0.95
    rng = np.random.default_rng(int(np.log10(cond)) + shape[0])
    k = min(shape)
    a = _with_singular_values(np.logspace(0, -np.log10(cond), k), *shape, rng)
    q, r = tnp.linalg.qr(a)
    _orthonormal_columns(q, 1e-13)
    assert np.max(np.abs(q @ r - a)) < 1e-14
    assert np.allclose(np.tril(r, -1), 0.0)
    q_np, r_np = np.linalg.qr(a)
    np.testing.assert_allclose(q, q_np, rtol=0, atol=1e-15)          # NumPy's own, signs too
    np.testing.assert_allclose(r, r_np, rtol=0, atol=1e-15)


@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (2, 4)])
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
def test_qr_modes_and_shapes_are_numpys(shape, mode):
    a = np.random.default_rng(3).normal(size=shape)
    got, want = tnp.linalg.qr(a, mode=mode), np.linalg.qr(a, mode=mode)
    got, want = (got, want) if mode != "r" else ((got,), (want,))
    for g, w in zip(got, want, strict=True):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=0, atol=1e-15)


def test_qr_refuses_a_mode_it_does_not_have():
    with pytest.raises(ValueError, match="mode must be 'reduced', 'complete' or 'r'"):
        tnp.linalg.qr(np.eye(2), mode="raw")
    assert tnp.linalg.qr(np.eye(2), mode="r").shape == (2, 2)            # the next call works


def test_pinv_of_a_rank_deficient_matrix_is_numpys():
    # issue 20 item 9: (AᵀA)⁻¹Aᵀ of a rank-1 matrix gave 6.73 where the answer is 0.84
    a = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])
    p = tnp.linalg.pinv(a)
    np.testing.assert_allclose(p, np.linalg.pinv(a), rtol=1e-14, atol=1e-15)
    # closed form for a rank-1 A = x yᵀ: A⁺ = y xᵀ / (‖x‖² ‖y‖²)
    x, y = np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0])
    np.testing.assert_allclose(p, np.outer(y, x) / (x @ x * (y @ y)), rtol=1e-13)
    _penrose(a, p, 1e-13)


@pytest.mark.parametrize("m,n,rank", [(4, 3, 2), (3, 5, 1), (3, 3, 0), (4, 4, 4)])
def test_pinv_meets_the_moore_penrose_conditions(m, n, rank):
    a = _rank_deficient(m, n, rank, np.random.default_rng(rank)) if rank else np.zeros((m, n))
    p = tnp.linalg.pinv(a)
    _penrose(a, p, 1e-12)
    np.testing.assert_allclose(p, np.linalg.pinv(a), rtol=1e-13, atol=1e-14)


def test_pinv_rcond_is_numpys():
    a = np.diag([1.0, 1e-8])
    assert tnp.linalg.pinv(a, rcond=1e-6)[1, 1] == 0.0
    np.testing.assert_allclose(tnp.linalg.pinv(a), np.linalg.pinv(a), rtol=1e-14)


# ---- derivatives against finite differences of NumPy (first and second order) -----------
# U and V are unique up to the sign of each column: f reads U ∘ U[0] (each column times
# its first entry), which does not depend on that sign.

W = np.random.default_rng(11)


def _well_conditioned(m, n, seed=0):
    rng = np.random.default_rng(seed)
    return _with_singular_values(np.linspace(3.0, 1.0, min(m, n)), m, n, rng) \
        + 0.1 * rng.normal(size=(m, n))


def _svd_functions(m, n):
    k = min(m, n)
    wu, ws, wv = W.normal(size=(m, k)), W.normal(size=k), W.normal(size=(k, n))

    def f(mod):
        def fun(a):
            u, s, vt = mod.linalg.svd(a, full_matrices=False)
            return (mod.sum(wu * u * u[:1, :]) + mod.sum(ws * s ** 2)
                    + mod.sum(wv * vt * vt[:, :1]))
        return fun
    return f(tnp), f(np)


@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (2, 4)])
def test_svd_gradient_and_hessian_match_finite_differences(shape):
    a = _well_conditioned(*shape)
    f_tg, f_np = _svd_functions(*shape)
    assert_close(tg.grad(f_tg)(a), num_grad(f_np, a), **GRAD_TOL)
    assert_close(tg.hessian(f_tg)(a), num_hessian(f_np, a), **HESS_TOL)
    assert_close(tg.jacfwd(tg.grad(f_tg))(a), num_hessian(f_np, a), **HESS_TOL)


def test_svd_jacobians_match_finite_differences_in_both_modes():
    a = _well_conditioned(3, 2, seed=1)
    for part in (0, 2):
        def f_np(a, part=part):
            x = np.linalg.svd(a, full_matrices=False)[part]
            return x * (x[:1, :] if part == 0 else x[:, :1])

        def f_tg(a, part=part):
            x = tnp.linalg.svd(a, full_matrices=False)[part]
            return x * (x[:1, :] if part == 0 else x[:, :1])
        want = num_jacobian(f_np, a)
        assert_close(tg.jacrev(f_tg)(a), want, **GRAD_TOL)
        assert_close(tg.jacfwd(f_tg)(a), want, **GRAD_TOL)


def test_singular_value_gradient_is_u_v_transposed():
    # closed form: ∂s_i/∂A = u_i v_iᵀ
    a = _well_conditioned(4, 3, seed=2)
    u, _, vt = np.linalg.svd(a, full_matrices=False)
    for i in range(3):
        g = tg.grad(lambda a, i=i: tnp.linalg.svd(a, compute_uv=False)[i])(a)
        assert_close(g, np.outer(u[:, i], vt[i]), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("a", [np.eye(3), 2.0 * np.eye(3), np.diag([2.0, 2.0, 1.0])],
                         ids=["identity", "2I", "repeated"])
def test_singular_values_are_differentiable_at_repeated_values(a):
    # The nuclear norm Σ s_i has gradient U Vᵀ for A of full rank, whatever U and V LAPACK
    # picks for a repeated value: here the polar factor of a positive diagonal A, I.
    g = tg.grad(lambda a: tnp.sum(tnp.linalg.svd(a, compute_uv=False)))(a)
    assert_close(g, np.eye(3), rtol=1e-12, atol=1e-13)
    # and Σ s_i² = ‖A‖²_F has gradient 2A
    f = lambda a: tnp.sum(tnp.linalg.svd(a, compute_uv=False) ** 2)  # noqa: E731
    assert_close(tg.grad(f)(a), 2 * a, rtol=1e-12, atol=1e-13)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_second_derivative_of_singular_values_at_a_repeated_value_is_nan_as_in_jax():
    # The second derivative goes through U̇ and V̇ (JAX 0.10: hessian of Σ s² at I is nan)
    f = lambda a: tnp.sum(tnp.linalg.svd(a, compute_uv=False) ** 2)  # noqa: E731
    assert np.all(np.isnan(tg.hessian(f)(np.eye(2))))
    a = _well_conditioned(3, 3)                                    # distinct: the true 2 I
    assert_close(tg.hessian(f)(a), 2 * np.eye(9).reshape(3, 3, 3, 3), rtol=1e-10, atol=1e-10)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_singular_vectors_at_a_repeated_value_are_not_finite_as_in_jax():
    # JAX 0.10: jacfwd(lambda a: svd(a)[0])(eye(2)) is nan; U is not unique there
    j = tg.jacfwd(lambda a: tnp.linalg.svd(a, full_matrices=False)[0])(np.eye(2))
    assert not np.all(np.isfinite(j))


def test_svd_full_matrices_of_a_non_square_matrix_refuses_its_derivative():
    a = _well_conditioned(3, 2)
    u, s, vt = tnp.linalg.svd(a)                                  # the value: NumPy's
    for got, want in zip((u, s, vt), np.linalg.svd(a), strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-14)
    with pytest.raises(TracegradError, match="full_matrices=False"):
        tg.grad(lambda a: tnp.sum(tnp.linalg.svd(a)[0]))(a)
    with pytest.raises(TracegradError, match="full_matrices=True of a 3×2 matrix"):
        tg.jvp(lambda a: tnp.linalg.svd(a)[2], (a,), (a,))
    # a square matrix: full = reduced, differentiable; the next call works
    sq = _well_conditioned(2, 2)
    f_tg, f_np = _svd_functions(2, 2)
    assert_close(tg.grad(lambda a: f_tg(a) + tnp.sum(tnp.linalg.svd(a)[0]))(sq),
                 num_grad(lambda a: f_np(a) + np.sum(np.linalg.svd(a)[0]), sq), **GRAD_TOL)


@pytest.mark.parametrize("shape,mode", [((4, 3), "reduced"), ((3, 3), "reduced"),
                                        ((2, 4), "reduced"), ((3, 3), "complete"),
                                        ((2, 3), "complete")])
def test_qr_gradient_and_hessian_match_finite_differences(shape, mode):
    a = _well_conditioned(*shape, seed=4)
    wq, wr = W.normal(size=np.linalg.qr(a, mode=mode)[0].shape), W.normal(size=(min(shape),
                                                                             shape[1]))

    def f(mod):
        def fun(a):
            q, r = mod.linalg.qr(a, mode=mode)
            return mod.sum(wq * q ** 3) + mod.sum(wr * mod.sin(r))
        return fun
    assert_close(tg.grad(f(tnp))(a), num_grad(f(np), a), **GRAD_TOL)
    assert_close(tg.hessian(f(tnp))(a), num_hessian(f(np), a), **HESS_TOL)
    tg.check_grads(f(tnp), (a,), order=2, modes=("fwd", "rev"))


def test_qr_r_of_complete_mode_of_a_tall_matrix_has_a_gradient_q_does_not():
    a = _well_conditioned(4, 2, seed=5)
    w = W.normal(size=(4, 2))
    f = lambda mod: lambda a: mod.sum(w * mod.linalg.qr(a, mode="complete")[1] ** 2)  # noqa
    assert_close(tg.grad(f(tnp))(a), num_grad(f(np), a), **GRAD_TOL)
    with pytest.raises(TracegradError, match="mode='complete' of a 4×2 matrix"):
        tg.grad(lambda a: tnp.sum(tnp.linalg.qr(a, mode="complete")[0]))(a)
    g = tg.grad(lambda a: tnp.sum(tnp.linalg.qr(a, mode="r") ** 2))(a)     # mode 'r' works
    assert_close(g, num_grad(lambda a: np.sum(np.linalg.qr(a, mode="r") ** 2), a), **GRAD_TOL)


@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (2, 4)])
def test_pinv_gradient_and_hessian_match_finite_differences(shape):
    a = _well_conditioned(*shape, seed=6)
    w = W.normal(size=shape[::-1])
    f = lambda mod: lambda a: mod.sum(w * mod.linalg.pinv(a) ** 2)  # noqa: E731
    assert_close(tg.grad(f(tnp))(a), num_grad(f(np), a), **GRAD_TOL)
    assert_close(tg.hessian(f(tnp))(a), num_hessian(f(np), a), **HESS_TOL)
    assert_close(tg.jacfwd(tnp.linalg.pinv)(a), num_jacobian(np.linalg.pinv, a), **GRAD_TOL)


def test_pinv_derivative_of_a_rank_deficient_matrix_along_its_rank():
    # A(t) = (x + t·dx)(y + t·dy)ᵀ stays of rank 1: there A⁺ is smooth, and the
    # Golub–Pereyra derivative is the derivative along it.
    x, y, dx, dy = np.array([1.0, 2.0, 3.0]), np.array([1.0, -1.0]), np.array(
        [0.3, -0.2, 0.1]), np.array([0.5, 0.4])
    path = lambda t: np.outer(x + t * dx, y + t * dy)  # noqa: E731
    want = num_jacobian(lambda t: np.linalg.pinv(path(t)), np.float64(0.0))
    _, got = tg.jvp(tnp.linalg.pinv, (path(0.0),), (np.outer(dx, y) + np.outer(x, dy),))
    assert_close(got, want, **GRAD_TOL)


# ---- eig: real eigenvalues, or a clear refusal -----------------------------------------


def _real_eigen_matrix(seed=0):
    rng = np.random.default_rng(seed)
    v = np.eye(3) + 0.3 * rng.normal(size=(3, 3))
    return v @ np.diag([1.0, 2.5, 4.0]) @ np.linalg.inv(v)


def test_eig_values_and_vectors_are_numpys_and_satisfy_a_v_equals_v_w():
    a = _real_eigen_matrix()
    w, v = tnp.linalg.eig(a)
    w_np, v_np = np.linalg.eig(a)
    np.testing.assert_allclose(w, w_np, rtol=1e-14)
    np.testing.assert_allclose(v, v_np, rtol=1e-14)
    np.testing.assert_allclose(a @ v, v * w, atol=1e-12)
    np.testing.assert_allclose(np.sort(w), [1.0, 2.5, 4.0], rtol=1e-12)
    np.testing.assert_allclose(np.sort(tnp.linalg.eigvals(a)), [1.0, 2.5, 4.0], rtol=1e-12)


def test_eig_derivatives_match_finite_differences():
    a = _real_eigen_matrix(1)
    wv = W.normal(size=3)

    def f(mod):    # order- and sign-free: sorted values, columns times their first entry
        def fun(a):
            w, v = mod.linalg.eig(a)
            return mod.sum(wv * mod.sort(w)) + mod.sum(mod.sin(w) * mod.sum(v * v[:1, :], 0))
        return fun
    assert_close(tg.grad(f(tnp))(a), num_grad(f(np), a), **GRAD_TOL)
    assert_close(tg.hessian(f(tnp))(a), num_hessian(f(np), a), **HESS_TOL)
    # closed form: ∂w_i/∂A = (left eigenvector)(right eigenvector)ᵀ / (left · right)
    w, v = np.linalg.eig(a)
    left = np.linalg.inv(v).T
    for i in range(3):
        g = tg.grad(lambda a, i=i: tnp.linalg.eig(a)[0][i])(a)
        assert_close(g, np.outer(left[:, i], v[:, i]), rtol=1e-10, atol=1e-12)


def test_eig_of_a_matrix_with_complex_eigenvalues_is_refused():
    rotation = np.array([[0.0, -1.0], [1.0, 0.0]])
    with pytest.raises(TracegradError, match="complex eigenvalues.*real numbers only"):
        tnp.linalg.eig(rotation)
    with pytest.raises(TracegradError, match="use linalg.eigh"):
        tg.grad(lambda a: tnp.sum(tnp.linalg.eigvals(a)))(rotation)
    assert tnp.linalg.eigvals(np.diag([1.0, 2.0])).tolist() == [1.0, 2.0]   # next call works


# ---- vmap against a Python loop, and jit's later calls -----------------------------------


def _loop(f, xs):
    return np.stack([f(x) for x in xs])


@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (2, 4)])
def test_svd_qr_pinv_under_vmap_match_a_loop(shape):
    xs = np.stack([_well_conditioned(*shape, seed=k) for k in range(3)])
    xs[1] = 0.0                                                   # one degenerate example
    for f in (lambda a: tnp.linalg.svd(a, full_matrices=False)[0],
              lambda a: tnp.linalg.svd(a)[2],
              lambda a: tnp.linalg.svd(a, compute_uv=False),
              lambda a: tnp.linalg.qr(a)[0], lambda a: tnp.linalg.qr(a, mode="r"),
              lambda a: tnp.linalg.qr(a, mode="complete")[0], tnp.linalg.pinv):
        assert_close(tg.vmap(f)(xs), _loop(f, xs), rtol=1e-14, atol=1e-15)
        assert_close(tg.vmap(f, in_axes=2, out_axes=0)(np.moveaxis(xs, 0, 2)), _loop(f, xs),
                     rtol=1e-14, atol=1e-15)
    xs[1] = _well_conditioned(*shape, seed=9)
    f_tg, _ = _svd_functions(*shape)
    for f in (f_tg, lambda a: tnp.sum(tnp.linalg.qr(a)[1] ** 2),
              lambda a: tnp.sum(tnp.linalg.pinv(a) ** 2)):
        assert_close(tg.vmap(tg.grad(f))(xs), _loop(tg.grad(f), xs), rtol=1e-12, atol=1e-13)


def test_eig_under_vmap_matches_a_loop():
    xs = np.stack([_real_eigen_matrix(k) for k in range(3)])
    for f in (lambda a: tnp.linalg.eig(a)[1], tg.grad(lambda a: tnp.sum(tnp.linalg.eigvals(a)
                                                                            ** 2))):
        assert_close(tg.vmap(f)(xs), _loop(f, xs), rtol=1e-12, atol=1e-13)


def test_decompositions_under_jit_agree_with_eager_on_every_call():
    # issue 20: svd and qr failed inside jit's value check on the second call
    f = lambda a: (tnp.linalg.svd(a, full_matrices=False)[0], tnp.linalg.qr(a)[1],  # noqa
                   tnp.linalg.pinv(a), tnp.linalg.svd(a, compute_uv=False))
    jf, jg = tg.jit(f), tg.jit(tg.vmap(tg.grad(lambda a: tnp.sum(f(a)[0] ** 3))))
    g = tg.vmap(tg.grad(lambda a: tnp.sum(f(a)[0] ** 3)))
    for seed in range(3):
        a = _well_conditioned(4, 3, seed=seed)
        for got, want in zip(jf(a), f(a), strict=True):
            assert_close(got, want, rtol=1e-14, atol=1e-15)
        xs = np.stack([a, 2 * a])
        assert_close(jg(xs), g(xs), rtol=1e-13, atol=1e-14)


# ---- norm: no Python branch, norm′(0) = 0 ------------------------------------------------


def test_norm_under_vmap_with_only_some_zero_examples():
    # issue 20: this blamed a user `if` the user never wrote
    xs = np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 0.0]])
    assert_close(tg.vmap(tnp.linalg.norm)(xs), [0.0, 5.0, 0.0], rtol=1e-15, atol=0)
    want = np.array([[0.0, 0.0], [0.6, 0.8], [0.0, 0.0]])          # x/‖x‖, 0 at 0
    assert_close(tg.vmap(tg.grad(tnp.linalg.norm))(xs), want, rtol=1e-15, atol=0)
    m = np.stack([np.zeros((2, 2)), np.eye(2)])
    assert_close(tg.vmap(tg.grad(lambda a: tnp.linalg.norm(a, "fro")))(m),
                 [np.zeros((2, 2)), np.eye(2) / np.sqrt(2)], rtol=1e-15, atol=0)


def test_jit_of_vmap_of_norm_works_on_later_calls():
    # issue 20: the second call failed with "truth value of an empty array is ambiguous"
    jf = tg.jit(tg.vmap(tg.grad(lambda x: tnp.linalg.norm(x, axis=-1))))
    for xs in (np.array([[0.0, 0.0], [3.0, 4.0]]), np.array([[1.0, 0.0], [0.0, 0.0]]),
               np.array([[0.0, 2.0], [1.0, 1.0]]), np.zeros((2, 2))):
        norms = np.linalg.norm(xs, axis=-1, keepdims=True)
        want = np.divide(xs, norms, out=np.zeros_like(xs), where=norms > 0)
        assert_close(jf(xs), want, rtol=1e-15, atol=0)


def test_norm_derivatives_at_zero_and_elsewhere():
    assert np.all(tg.grad(tnp.linalg.norm)(np.zeros(3)) == 0.0)
    assert np.all(tg.hessian(tnp.linalg.norm)(np.zeros(3)) == 0.0)
    x = np.array([1.0, -2.0, 2.0])
    f = lambda x: np.linalg.norm(x)  # noqa: E731
    assert_close(tg.grad(tnp.linalg.norm)(x), x / 3.0, rtol=1e-15, atol=0)
    assert_close(tg.hessian(tnp.linalg.norm)(x), num_hessian(f, x), **HESS_TOL)
    assert_close(tg.hessian(tnp.linalg.norm)(x), (np.eye(3) - np.outer(x, x) / 9) / 3,
                 rtol=1e-14, atol=1e-15)


def test_float32_stays_float32():
    # issue 20 item 12: norm(ord=0) and matrix_power(a, 0) came back float64
    x = np.array([[1.0, 0.0], [2.0, 3.0]], np.float32)
    assert tnp.linalg.norm(x[0], 0).dtype == np.float32
    assert tnp.linalg.norm(x[0], 0) == np.linalg.norm(x[0], 0) == 1.0
    assert tnp.linalg.matrix_power(x, 0).dtype == np.float32
    assert tnp.linalg.norm(np.array([1, 0, 2]), 0).dtype == np.float64      # ints, as NumPy
    a = _well_conditioned(3, 2).astype(np.float32)
    for f in (lambda a: tnp.linalg.svd(a, full_matrices=False)[0], lambda a: tnp.linalg.qr(a)[1],
              tnp.linalg.pinv, lambda a: tnp.linalg.svd(a, compute_uv=False),
              lambda a: tnp.linalg.norm(a, axis=0), lambda a: tnp.linalg.norm(a, 0, axis=0)):
        assert f(a).dtype == np.float32
        assert tg.grad(lambda a, f=f: tnp.sum(f(a) ** 2))(a).dtype == np.float32
    e = _real_eigen_matrix().astype(np.float32)
    assert tnp.linalg.eig(e)[1].dtype == np.float32
    assert tg.grad(lambda a: tnp.sum(tnp.linalg.eig(a)[0] ** 2))(e).dtype == np.float32


# ---- the conventions that differ from JAX are in tg.primitives() -------------------------


@pytest.mark.parametrize("name,words", [("cholesky", "lower triangle"),
                                        ("eigh_vectors", "triangle UPLO names"),
                                        ("eigvalsh", "triangle UPLO names"),
                                        ("norm2", "norm′(0) = 0"),
                                        ("max", "tnp.fmax"), ("min", "tnp.fmin")])
def test_conventions_that_differ_from_jax_say_so_with_the_reason(name, words):
    row = getattr(lax, name).convention
    assert "differs from JAX" in row and words in row and "because" in row
    (), _, shown = primitive_words(name, (), "", row)       # the row in the run's language
    assert shown in repr(tg.primitives())


def test_cholesky_and_eigh_gradients_land_on_the_lower_triangle():
    # NumPy reads only the lower triangle; the upper one is not an input at all
    a = np.array([[4.0, 1.0], [1.0, 3.0]])
    f_ch = lambda mod: lambda a: mod.linalg.cholesky(a)[1, 0]  # noqa: E731
    f_eh = lambda mod: lambda a: mod.linalg.eigh(a)[0][1]  # noqa: E731
    for f in (f_ch, f_eh):
        g = tg.grad(f(tnp))(a)
        assert g[0, 1] == 0.0
        assert_close(g, num_grad(f(np), a), **GRAD_TOL)


# ---- properties ----------------------------------------------------------------------------

SHAPES = st.sampled_from([(1, 1), (2, 2), (3, 3), (4, 2), (2, 4), (5, 3), (3, 5), (2, 3, 3)])


@st.composite
def hard_matrices(draw):
    """Matrices of a drawn shape and rank, condition number up to 1e12, or exact zeros,
    identities and repeated singular values."""
    shape = draw(SHAPES)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    m, n = shape[-2:]
    k = min(m, n)
    kind = draw(st.sampled_from(["conditioned", "rank", "zero", "identity", "repeated"]))
    if kind == "zero":
        return np.zeros(shape)
    if kind == "identity":
        return np.broadcast_to(np.eye(m, n), shape).copy()
    if kind == "repeated":
        s = np.full(k, draw(st.sampled_from([1e-6, 1.0, 1e3])))
    elif kind == "rank":
        rank = draw(st.integers(0, k))
        s = np.concatenate([np.ones(rank), np.zeros(k - rank)])
    else:
        s = np.logspace(0, -draw(st.integers(0, 12)), k)
    batch = shape[:-2]
    return np.stack([_with_singular_values(s, m, n, rng) for _ in range(int(np.prod(batch)))]
                    ).reshape(shape)


@settings(max_examples=60, deadline=None)
@given(a=hard_matrices())
def test_property_decompositions_are_accurate_on_hard_matrices(a):
    scale = max(1.0, np.max(np.abs(a)))
    u, s, vt = tnp.linalg.svd(a, full_matrices=False)
    np.testing.assert_array_equal(s, np.linalg.svd(a, compute_uv=False))
    _orthonormal_columns(u, 1e-12)
    _orthonormal_columns(np.swapaxes(vt, -1, -2), 1e-12)
    assert np.max(np.abs((u * s[..., None, :]) @ vt - a)) <= 1e-12 * scale
    q, r = tnp.linalg.qr(a)
    _orthonormal_columns(q, 1e-12)
    assert np.max(np.abs(q @ r - a)) <= 1e-12 * scale
    p = tnp.linalg.pinv(a)
    np.testing.assert_array_equal(p, np.linalg.pinv(a))
    for k in np.ndindex(a.shape[:-2]):
        _penrose(a[k], p[k], 1e-9)
    # under vmap, the same numbers as one matrix at a time
    if a.ndim == 3:
        assert_close(tg.vmap(lambda x: tnp.linalg.svd(x, full_matrices=False)[0])(a), u,
                     rtol=1e-14, atol=1e-15)
        assert_close(tg.vmap(lambda x: tnp.linalg.qr(x)[0])(a), q, rtol=1e-14, atol=1e-15)


@settings(max_examples=60, deadline=None)
@given(a=hard_matrices())
def test_property_singular_values_have_a_finite_gradient_everywhere(a):
    # Σ s_i² = ‖A‖²_F: gradient 2A exactly, repeated and zero singular values included
    g = tg.grad(lambda a: tnp.sum(tnp.linalg.svd(a, compute_uv=False) ** 2))(a)
    scale = max(1.0, np.max(np.abs(a)))
    assert np.max(np.abs(g - 2 * a)) < 1e-10 * scale


@settings(max_examples=30, deadline=None)
@given(shape=st.sampled_from([(3, 2), (2, 2), (2, 3), (3, 3)]),
       x=S.arrays((3, 3), S.floats(-1, 1)), w=S.arrays((3, 3), S.floats(-1, 1)))
def test_property_derivatives_match_finite_differences_where_defined(shape, x, w):
    # well conditioned, distinct singular values: S._spread adds diag(3, 5, 7)
    a = S._spread(x[:shape[0], :shape[1]])
    wu, wv = w[:shape[0], :min(shape)], w[:min(shape), :shape[1]]

    def f(mod):
        # free of the signs LAPACK picks: each singular vector times its first entry, each
        # column of Q (row of R) times R's diagonal entry (NumPy's QR signs jump where a
        # column is all 0 below the diagonal, as _spread(0) is)
        def fun(a):
            u, s, vt = mod.linalg.svd(a, full_matrices=False)
            q, r = mod.linalg.qr(a)
            d = mod.diagonal(r)
            return (mod.sum(wu * u * u[:1]) + mod.sum(s ** 3) + mod.sum(wv * vt * vt[:, :1])
                    + mod.sum(wu * (q * d) ** 3) + mod.sum(wv * r * d[:, None])
                    + mod.sum(mod.linalg.pinv(a) ** 2))
        return fun
    assert_close(tg.grad(f(tnp))(a), num_grad(f(np), a), **GRAD_TOL)
    assert_close(tg.hessian(f(tnp))(a), num_hessian(f(np), a), **HESS_TOL)


@settings(max_examples=40, deadline=None)
@given(xs=S.arrays((3, 2), S.floats(-3, 3)), zero=st.lists(st.booleans(), min_size=3,
                                                              max_size=3))
def test_property_norm_under_vmap_and_jit_matches_a_loop(xs, zero):
    xs = np.where(np.array(zero)[:, None], 0.0, xs)
    f = tg.grad(lambda x: tnp.linalg.norm(x) + tnp.linalg.norm(x, 2) ** 2)
    want = _loop(f, xs)
    assert_close(tg.vmap(f)(xs), want, rtol=1e-14, atol=1e-15)
    jf = tg.jit(tg.vmap(f))
    assert_close(jf(xs), want, rtol=1e-14, atol=1e-15)
    assert_close(jf(xs[::-1].copy()), want[::-1], rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("f", [tnp.fmax, tnp.fmin])
def test_fmax_and_fmin_share_a_tie_as_their_row_says(f):
    # the one-sided derivatives at a tie are (1, 0) and (0, 1): the row promises their mean
    assert tg.grad(f, argnums=(0, 1))(1.0, 1.0) == (0.5, 0.5)
