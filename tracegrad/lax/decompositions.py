"""Decompositions: Cholesky, eigh, eig, SVD and QR, with NumPy's values.

Each takes its values from np.linalg (LAPACK), so it is as accurate as NumPy on
ill-conditioned and rank-deficient matrices. Its rules are the published ones,
cited at each. A decomposition has several outputs and a primitive one, so each
output is a primitive of its own (``svd_u``, ``svd_values``, ``svd_vt``), and a
rule reads the other outputs through their primitives: so it is traced, and
higher derivatives come out of it. np.linalg works on stacks of matrices, so a
batch of examples is one more leading axis: one call for the whole batch.
"""
import numpy as np

from ..core import Primitive, TracegradError, add_any, shape_of
from ..words import message
from .elementwise import select
from .linalg import WIDE_TALL_SQUARE, diagonal, mT, stacked_batch
from .matrix import inv, solve
from .shape import concatenate, reduce_sum

__all__ = ["cholesky", "eigvalsh", "eigh_vectors", "eig_values", "eig_vectors", "svd_values",
           "svd_u", "svd_vt", "qr_q", "qr_r"]


def _rows(v):                  # v as a row per matrix (scales columns): v[..., None, :]
    return v[..., None, :]


def _cols(v):                  # v as a column per matrix (scales rows): v[..., :, None]
    return v[..., :, None]


# ---- cholesky ------------------------------------------------------------------------
# Cholesky: A = L Lᵀ with L lower triangular. Differentiating, Ȧ = L̇ Lᵀ + L L̇ᵀ,
# so L⁻¹ Ȧ L⁻ᵀ = L⁻¹L̇ + (L⁻¹L̇)ᵀ, a lower triangular matrix plus its transpose:
# L̇ = L Φ(L⁻¹ Ȧ L⁻ᵀ), where Φ keeps the strict lower part and half the diagonal.

def _phi(x):
    n = shape_of(x)[-1]
    return x * (np.tril(np.ones((n, n)), -1) + 0.5 * np.eye(n))


def _cholesky_jvp(ts, out, a):
    li = inv(out)
    return out @ _phi(li @ ts[0] @ mT(li))


def _cholesky_vjp(g, out, a):
    # The transpose of the JVP above (with Ȧ symmetric): Ā = ½ L⁻ᵀ Φ(Lᵀ Ḡ) L⁻¹, symmetrized.
    li = inv(out)
    inner = _phi(mT(out) @ g)
    s = mT(li) @ inner @ li
    return 0.5 * (s + mT(s))


cholesky = Primitive(
    "cholesky", np.linalg.cholesky, jvp=_cholesky_jvp, vjp=(_cholesky_vjp,),
    formulas=("L⁻ᵀ Φ(Lᵀ L̄) L⁻¹, symmetrized",), doc="L with A = L Lᵀ (A symmetric)",
    argnames=("A",), saves=("out",), source="np.linalg.cholesky({0})",
    domain=("spd",), examples=[(((2, 2),), {}), (((3, 3),), {})],
    convention="A must be symmetric positive definite (else LinAlgError, as NumPy); differs from "
               "JAX: tnp.linalg.cholesky's gradient lands on the lower triangle only (JAX splits "
               "it over both), because NumPy reads only that triangle, so the upper one does not "
               "change the result")


# ---- eigvalsh, eigh_vectors ----------------------------------------------------------
# Symmetric eigendecomposition A = V diag(w) Vᵀ. With Ȧ symmetric and
# F_ij = 1/(w_j − w_i) off the diagonal (0 on it):
#     ẇ = diag(Vᵀ Ȧ V),        V̇ = V (F ∘ (Vᵀ Ȧ V))
# Two primitives, one per output, as every primitive has one output.

def _eigh_f(w):
    n = shape_of(w)[-1]
    off = 1.0 - np.eye(n)
    diff = w[..., None, :] - w[..., :, None]                  # w_j − w_i
    safe = select(off.astype(bool), diff, 1.0)
    return off / safe


def _eigh_jvp_w(ts, out, a):
    v = eigh_vectors(a)
    return diagonal(mT(v) @ ts[0] @ v)


def _eigh_vjp_w(g, out, a):
    v = eigh_vectors(a)
    return (v * g[..., None, :]) @ mT(v)                       # V diag(ḡ) Vᵀ


def _eigh_jvp_v(ts, out, a):
    w = eigvalsh(a)
    return out @ (_eigh_f(w) * (mT(out) @ ts[0] @ out))


def _eigh_vjp_v(g, out, a):
    w = eigvalsh(a)
    s = out @ (_eigh_f(w) * (mT(out) @ g)) @ mT(out)
    return 0.5 * (s + mT(s))


eigvalsh = Primitive(
    "eigvalsh", lambda a: np.linalg.eigvalsh(a), jvp=_eigh_jvp_w, vjp=(_eigh_vjp_w,),
    formulas=("V diag(w̄) Vᵀ",), doc="eigenvalues of a symmetric A, ascending",
    argnames=("A",), saves=("args",), source="np.linalg.eigvalsh({0})",
    domain=("spd",), examples=[(((2, 2),), {}), (((3, 3),), {})],
    convention="a repeated eigenvalue: the derivative is the average over its eigenvectors' "
               "choice by LAPACK (not unique); differs from JAX: the gradient of "
               "tnp.linalg.eigh/eigvalsh lands on the triangle UPLO names (JAX symmetrizes), "
               "because NumPy reads only that triangle")

eigh_vectors = Primitive(
    "eigh_vectors", lambda a: np.linalg.eigh(a)[1], jvp=_eigh_jvp_v, vjp=(_eigh_vjp_v,),
    formulas=("V (F ∘ Vᵀ V̄) Vᵀ, F_ij = 1/(w_j − w_i)",),
    doc="eigenvectors of a symmetric A (columns, as np.linalg.eigh)", argnames=("A",),
    saves=("args", "out"), source="np.linalg.eigh({0})[1]",
    domain=("spd",), examples=[(((2, 2),), {}), (((3, 3),), {})],
    convention="defined up to sign; a repeated eigenvalue makes the derivative inf or nan (it "
               "divides by w_j − w_i); differs from JAX: tnp.linalg.eigh's gradient lands on the "
               "triangle UPLO names (JAX symmetrizes), because NumPy reads only that triangle")


# ---- eig_values, eig_vectors ---------------------------------------------------------
# Eigendecomposition of a general (non-symmetric) A = V diag(w) V⁻¹, for real
# eigenvalues only: tracegrad is real-valued, so a matrix with complex eigenvalues
# is refused. For distinct eigenvalues (nondegenerate perturbation theory; M. Giles,
# "An extended collection of matrix derivative results", 2008, §3.1, as JAX's
# eig_jvp_rule), with P = V⁻¹ Ȧ V and F_ij = 1/(w_j − w_i) (0 on the diagonal):
#     ẇ = diag(P),     V̇ = U + V diag(c),  U = V (F ∘ P),  c_j = −v_jᵀ u_j,
# the last term keeping each column of unit length, as NumPy (LAPACK) normalizes it.

def _eig_w(a):
    w = np.linalg.eig(a)[0]
    if np.iscomplexobj(w):
        raise TracegradError(message("err.eig-complex"))
    return w


def _eig_v(a):
    w, v = np.linalg.eig(a)
    if np.iscomplexobj(w):
        raise TracegradError(message("err.eig-complex"))
    return v


def _eig_f(w):
    n = shape_of(w)[-1]
    eye = np.eye(n)
    return 1.0 / (eye + _rows(w) - _cols(w)) - eye


def _eig_vectors_jvp(ts, v, a):
    w = eig_values(a)
    u = v @ (_eig_f(w) * solve(v, ts[0] @ v))
    c = -reduce_sum(v * u, axes=(len(shape_of(v)) - 2,), keepdims=True)
    return u + v * c


def _eig_vectors_vjp(g, v, a):
    w = eig_values(a)
    d = reduce_sum(v * g, axes=(len(shape_of(v)) - 2,), keepdims=True)   # diag(Vᵀ V̄)
    inner = _eig_f(w) * (mT(v) @ (g - v * d))
    return solve(mT(v), inner @ mT(v))                                 # V⁻ᵀ (…) Vᵀ


eig_values = Primitive(
    "eig_values", _eig_w,
    jvp=lambda ts, out, a: diagonal(solve(eig_vectors(a), ts[0] @ eig_vectors(a))),
    vjp=(lambda g, out, a: solve(mT(eig_vectors(a)), _cols(g) * mT(eig_vectors(a))),),
    formulas=("V⁻ᵀ diag(w̄) Vᵀ",), doc="eigenvalues of A, all real (np.linalg.eig)",
    argnames=("A",), saves=("args",), source="eig_values({0})",     # its impl, with the refusal
    domain=("real eigenvalues",), examples=[(((2, 2),), {}), (((3, 3),), {})],
    convention="complex eigenvalues are refused (TracegradError: tracegrad is real-only); a "
               "repeated eigenvalue makes the eigenvectors' derivative inf or nan, as JAX")

eig_vectors = Primitive(
    "eig_vectors", _eig_v, jvp=_eig_vectors_jvp, vjp=(_eig_vectors_vjp,),
    formulas=("V⁻ᵀ (F ∘ Vᵀ(V̄ − V diag(VᵀV̄))) Vᵀ, F_ij = 1/(w_j − w_i)",),
    doc="eigenvectors of A, unit columns (np.linalg.eig, real eigenvalues)",
    argnames=("A",), saves=("args", "out"), source="eig_vectors({0})",
    domain=("real eigenvalues",), examples=[(((2, 2),), {}), (((3, 3),), {})],
    convention="unit columns, as NumPy; derivative for distinct real eigenvalues (it divides by "
               "w_j − w_i: inf or nan at a repeated one, as JAX)")


# ---- svd_values, svd_u, svd_vt -------------------------------------------------------
# SVD, A = U diag(s) Vᵀ (reduced: k = min(m, n) columns in U and V). The rules are
# JAX's svd_jvp_rule (jax/_src/lax/linalg.py), from J. Townsend, "Differentiating
# the singular value decomposition" (2016), and Seeger et al., "Auto-differentiating
# linear algebra" (2017). With dS = Uᵀ Ȧ V and F_ij = 1/(s_j² − s_i²) (0 on the
# diagonal):
#     ṡ = diag(dS)
#     U̇ = U (F ∘ (dS S + S dSᵀ)) + (I − U Uᵀ) Ȧ V S⁻¹        (the last term if m > n)
#     V̇ = V (F ∘ (S dS + dSᵀ S)) + (I − V Vᵀ) Ȧᵀ U S⁻¹       (the last term if n > m)
# As in JAX, a repeated singular value makes F, so U̇ and V̇, inf or nan (the
# singular vectors of a repeated value are not unique), and so does a zero singular
# value of a non-square A. ṡ is always finite. The VJPs are the transposes.

def _svd_parts(a):
    """U, s, V (reduced), each through its primitive so the rules are traced."""
    return svd_u(a, full=False), svd_values(a), mT(svd_vt(a, full=False))


def _svd_f(s):
    n = shape_of(s)[-1]
    eye = np.eye(n)
    return 1.0 / ((_rows(s) + _cols(s)) * (_rows(s) - _cols(s)) + eye) - eye


def _svd_full_check(a, full):
    m, n = shape_of(a)[-2:]
    if full and m != n:
        raise TracegradError(message("err.svd-full", m=m, n=n))


def _svd_u_jvp(ts, out, a, full):
    _svd_full_check(a, full)
    u, s, v = _svd_parts(a)
    ds = mT(u) @ ts[0] @ v                                         # dS = Uᵀ Ȧ V
    du = u @ (_svd_f(s) * (ds * _rows(s) + _cols(s) * mT(ds)))
    if shape_of(a)[-2] > shape_of(a)[-1]:
        dav = ts[0] @ v
        du = du + (dav - u @ (mT(u) @ dav)) / _rows(s)
    return du


def _svd_u_vjp(g, out, a, full):
    _svd_full_check(a, full)
    u, s, v = _svd_parts(a)
    y = _svd_f(s) * (mT(u) @ g)
    ga = u @ ((y + mT(y)) * _rows(s)) @ mT(v)
    if shape_of(a)[-2] > shape_of(a)[-1]:
        ga = ga + ((g - u @ (mT(u) @ g)) / _rows(s)) @ mT(v)
    return ga


def _svd_vt_jvp(ts, out, a, full):
    _svd_full_check(a, full)
    u, s, v = _svd_parts(a)
    ds = mT(u) @ ts[0] @ v
    dv = v @ (_svd_f(s) * (_cols(s) * ds + mT(ds) * _rows(s)))
    if shape_of(a)[-1] > shape_of(a)[-2]:
        dau = mT(ts[0]) @ u
        dv = dv + (dau - v @ (mT(v) @ dau)) / _rows(s)
    return mT(dv)


def _svd_vt_vjp(g, out, a, full):
    _svd_full_check(a, full)
    u, s, v = _svd_parts(a)                                        # g is Vᵀ's cotangent
    z = _svd_f(s) * (mT(v) @ mT(g))
    ga = u @ (_cols(s) * (z + mT(z))) @ mT(v)
    if shape_of(a)[-1] > shape_of(a)[-2]:
        ga = ga + u @ ((g - (g @ v) @ mT(v)) / _cols(s))
    return ga


svd_values = Primitive(
    "svd_values", lambda a: np.linalg.svd(a, compute_uv=False),
    jvp=lambda ts, out, a: diagonal(mT(svd_u(a, full=False)) @ ts[0]
                                     @ mT(svd_vt(a, full=False))),           # ṡ = diag(Uᵀ Ȧ V)
    vjp=(lambda g, out, a: (svd_u(a, full=False) * _rows(g)) @ svd_vt(a, full=False),),
    formulas=("U diag(s̄) Vᵀ",), doc="singular values of A, descending (np.linalg.svd)",
    argnames=("A",), saves=("args",), source="np.linalg.svd({0}, compute_uv=False)",
    domain=("spread",), examples=[((s,), {}) for s in WIDE_TALL_SQUARE],
    convention="the first derivative is finite everywhere, repeated and zero singular values "
               "included; the second goes through U̇ and V̇, so at a repeated value it is nan, as "
               "JAX")

svd_u = Primitive(
    "svd_u", lambda a, full: np.linalg.svd(a, full_matrices=full)[0],
    jvp=_svd_u_jvp, vjp=(_svd_u_vjp,),
    formulas=("U ((Y + Yᵀ) S) Vᵀ + (I − UUᵀ) Ū S⁻¹ Vᵀ, Y = F ∘ UᵀŪ, F_ij = 1/(s_j² − s_i²)",),
    doc="left singular vectors U of A (columns, np.linalg.svd)", argnames=("A",),
    saves=("args",), source="np.linalg.svd({0}, full_matrices={full})[0]",
    domain=("spread",), examples=[((s,), dict(full=False)) for s in WIDE_TALL_SQUARE],
    convention="a repeated or (non-square A) zero singular value makes the derivative inf or "
               "nan, as JAX; full_matrices=True of a non-square A has no derivative "
               "(TracegradError, as JAX)")

svd_vt = Primitive(
    "svd_vt", lambda a, full: np.linalg.svd(a, full_matrices=full)[2],
    jvp=_svd_vt_jvp, vjp=(_svd_vt_vjp,),
    formulas=("U (S (Z + Zᵀ)) Vᵀ + U S⁻¹ V̄ᵀ (I − VVᵀ), Z = F ∘ VᵀV̄, F_ij = 1/(s_j² − s_i²)",),
    doc="right singular vectors Vᵀ of A (rows, np.linalg.svd)", argnames=("A",),
    saves=("args",), source="np.linalg.svd({0}, full_matrices={full})[2]",
    domain=("spread",), examples=[((s,), dict(full=False)) for s in WIDE_TALL_SQUARE],
    convention="a repeated or (non-square A) zero singular value makes the derivative inf or "
               "nan, as JAX; full_matrices=True of a non-square A has no derivative "
               "(TracegradError, as JAX)")


# ---- qr_q, qr_r ----------------------------------------------------------------------
# QR, A = Q R. For m ≥ n (thin: Q m×n, R n×n upper triangular), JAX's qr_jvp_rule
# (jax/_src/lax/linalg.py; J. Townsend, "Differentiating the QR decomposition",
# 2018): with C = Qᵀ Ȧ R⁻¹ and Ω = tril(C, −1) − tril(C, −1)ᵀ (antisymmetric),
#     Q̇ = Q (Ω − C) + Ȧ R⁻¹,     Ṙ = (C − Ω) R.
# Its transpose (Walter & Lehmann 2018; Liao et al. 2019), with M = R R̄ᵀ − Q̄ᵀ Q
# and copyltu(M) the symmetric matrix with M's lower triangle:
#     Ā = (Q̄ + Q copyltu(M)) R⁻ᵀ.
# A wide A = [X₁ X₂] (m < n, JAX too): X₁ = Q R₁ is a square QR, and R₂ = Qᵀ X₂.
# R singular (rank-deficient A) makes R⁻¹, so the derivative, inf or nan, as in JAX.
# NumPy's signs jump where a column has only zeros below the diagonal (LAPACK
# skips that reflection); there the derivative is that of the side NumPy took.

def _right_solve(x, r):
    """x R⁻¹, as solve(Rᵀ, xᵀ)ᵀ."""
    return mT(solve(mT(r), mT(x)))


def _qr_thin_jvp(q, r, dx):
    n = shape_of(r)[-1]
    dx_rinv = _right_solve(dx, r)
    c = mT(q) @ dx_rinv
    low = c * np.tril(np.ones((n, n)), -1)
    omega = low - mT(low)
    return q @ (omega - c) + dx_rinv, (c - omega) @ r


def _qr_thin_vjp(q, r, gq, gr):
    n = shape_of(r)[-1]
    M = 0.0
    if gr is not None:
        M = r @ mT(gr)
    if gq is not None:
        M = M - mT(gq) @ q
    low = np.tril(np.ones((n, n)), -1)
    sym = M * (low + np.eye(n)) + mT(M * low)                        # copyltu(M)
    front = q @ sym if gq is None else gq + q @ sym
    return mT(solve(r, mT(front)))                                   # (…) R⁻ᵀ


def _qr_complete_check(a, mode):
    m, n = shape_of(a)[-2:]
    if mode == "complete" and m > n:
        raise TracegradError(message("err.qr-complete", m=m, n=n, extra=m - n))


def _qr_parts(a):
    return qr_q(a, mode="reduced"), qr_r(a, mode="reduced")


def _split(x, k):
    return x[..., :, :k], x[..., :, k:]


def _glue(x1, x2):
    return concatenate(x1, x2, axis=len(shape_of(x1)) - 1)


def _qr_jvp(ts, a, mode):
    """(Q̇, Ṙ) of the reduced QR; Ṙ padded with zero rows for a tall 'complete' R."""
    q, r = _qr_parts(a)
    m, n = shape_of(a)[-2:]
    if m >= n:
        dq, dr = _qr_thin_jvp(q, r, ts[0])
        if mode == "complete" and m > n:
            dr = concatenate(dr, np.zeros(shape_of(dr)[:-2] + (m - n, n)),
                             axis=len(shape_of(dr)) - 2)
        return dq, dr
    x2, (dx1, dx2) = _split(a, m)[1], _split(ts[0], m)              # wide: A = [X₁ X₂]
    dq, dr1 = _qr_thin_jvp(q, _split(r, m)[0], dx1)
    return dq, _glue(dr1, mT(dq) @ x2 + mT(q) @ dx2)                # Ṙ₂ = Q̇ᵀX₂ + QᵀẊ₂


def _qr_vjp(a, mode, gq, gr):
    q, r = _qr_parts(a)
    m, n = shape_of(a)[-2:]
    if m >= n:
        if gr is not None and mode == "complete":
            gr = gr[..., :n, :]
        return _qr_thin_vjp(q, r, gq, gr)
    x2 = _split(a, m)[1]
    r1 = _split(r, m)[0]
    if gr is None:
        ga1 = _qr_thin_vjp(q, r1, gq, None)
        return _glue(ga1, np.zeros(shape_of(x2)))
    gr1, gr2 = _split(gr, m)
    gq = add_any((gq, x2 @ mT(gr2)))                                 # R₂ = Qᵀ X₂
    return _glue(_qr_thin_vjp(q, r1, gq, gr1), q @ gr2)


def _qr_q_jvp(ts, out, a, mode):
    _qr_complete_check(a, mode)
    return _qr_jvp(ts, a, mode)[0]


def _qr_q_vjp(g, out, a, mode):
    _qr_complete_check(a, mode)
    return _qr_vjp(a, mode, g, None)


qr_q = Primitive(
    "qr_q", lambda a, mode: np.linalg.qr(a, mode=mode)[0],
    jvp=_qr_q_jvp, vjp=(_qr_q_vjp,),
    formulas=("(Q̄ − Q copyltu(Q̄ᵀQ)) R⁻ᵀ",), doc="Q of A = Q R (np.linalg.qr)",
    argnames=("A",), saves=("args",), source="np.linalg.qr({0}, mode={mode})[0]",
    domain=("spread",), examples=[((s,), dict(mode="reduced")) for s in WIDE_TALL_SQUARE],
    convention="a rank-deficient A makes the derivative inf or nan (R⁻¹), as JAX; "
               "mode='complete' of a tall A has no derivative (TracegradError)")

qr_r = Primitive(
    "qr_r", lambda a, mode: np.linalg.qr(a, mode=mode)[1],
    jvp=lambda ts, out, a, mode: _qr_jvp(ts, a, mode)[1],
    vjp=(lambda g, out, a, mode: _qr_vjp(a, mode, None, g),),
    formulas=("Q copyltu(R R̄ᵀ) R⁻ᵀ",), doc="R of A = Q R, upper triangular (np.linalg.qr)",
    argnames=("A",), saves=("args",), source="np.linalg.qr({0}, mode={mode})[1]",
    domain=("spread",), examples=[((s,), dict(mode="reduced")) for s in WIDE_TALL_SQUARE],
    convention="a rank-deficient A makes the derivative inf or nan (R⁻¹), as JAX")


# vmap: one np.linalg call for the whole stack of examples
for _p in (cholesky, eigvalsh, eigh_vectors, eig_values, eig_vectors, svd_values, svd_u, svd_vt,
           qr_q, qr_r):
    _p.batch = stacked_batch(_p)
