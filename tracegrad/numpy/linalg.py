"""``tnp.linalg``: NumPy's ``np.linalg``, differentiable.

The matrix functions with rules of their own (``inv``, ``solve``, ``det``,
``slogdet``'s log-determinant, ``cholesky``, ``eigh``) are primitives in
``tracegrad.lax.linalg``, where each rule is derived in a comment. ``norm``
and ``pinv`` are compositions.
"""
import numpy as _np

from .. import lax
from .. import numpy as tnp
from ..core import concrete, shape_of

__all__ = ["norm", "inv", "solve", "det", "slogdet", "eigh", "eigvalsh", "cholesky", "pinv",
           "matrix_power", "svd", "qr", "LinAlgError"]

LinAlgError = _np.linalg.LinAlgError


def _square(a, who):
    s = shape_of(a)
    if len(s) < 2 or s[-1] != s[-2]:
        raise _np.linalg.LinAlgError(f"{who}: the last two axes must form a square matrix, "
                                     f"but the shape is {s}.")


def inv(a):
    """A⁻¹. Its derivative: d(A⁻¹) = −A⁻¹ dA A⁻¹."""
    _square(a, "inv")
    return lax.inv(a)


def solve(a, b):
    """x with A x = b (b a vector, or a matrix of right-hand sides)."""
    _square(a, "solve")
    return lax.solve(a, b)


def det(a):
    """det A. Its gradient is det(A)·A⁻ᵀ (so it needs A invertible)."""
    _square(a, "det")
    return lax.det(a)


def slogdet(a):
    """(sign, log|det A|). The sign is piecewise constant: it has no derivative."""
    _square(a, "slogdet")
    sign = _np.linalg.slogdet(concrete(a))[0]
    return sign, lax.logabsdet(a)


def _symmetric_from(a, UPLO):
    """The symmetric matrix NumPy's eigh reads: one triangle of a, mirrored."""
    n = shape_of(a)[-1]
    low = _np.tril(_np.ones((n, n)), -1)
    part = a * (low + _np.eye(n)) if UPLO == "L" else a * (low.T + _np.eye(n))
    strict = a * (low if UPLO == "L" else low.T)
    return part + tnp.swapaxes(strict, -1, -2)


def eigh(a, UPLO="L"):
    """Eigenvalues (ascending) and eigenvectors of a symmetric matrix.

    As NumPy, only one triangle of ``a`` is read (the lower, by default), so
    the gradient lands on that triangle. Eigenvectors are defined only up to
    sign, and their derivative needs distinct eigenvalues (it divides by
    w_j − w_i).
    """
    _square(a, "eigh")
    s = _symmetric_from(a, UPLO)
    return lax.eigvalsh(s), lax.eigh_vectors(s)


def eigvalsh(a, UPLO="L"):
    _square(a, "eigvalsh")
    return lax.eigvalsh(_symmetric_from(a, UPLO))


def cholesky(a, upper=False):
    """L with A = L Lᵀ; NumPy reads the lower triangle of ``a``."""
    _square(a, "cholesky")
    L = lax.cholesky(_symmetric_from(a, "L"))
    return tnp.swapaxes(L, -1, -2) if upper else L


def pinv(a):
    """The pseudo-inverse of a matrix of full rank: (AᵀA)⁻¹Aᵀ for a tall one,
    Aᵀ(AAᵀ)⁻¹ for a wide one. (At a rank drop the pseudo-inverse jumps, and has
    no derivative; tracegrad does not handle rank-deficient matrices here.)"""
    m, n = shape_of(a)[-2:]
    at = tnp.swapaxes(a, -1, -2)
    if m >= n:
        return lax.solve(at @ a, at)
    return tnp.swapaxes(lax.solve(a @ at, a), -1, -2)


def matrix_power(a, n):
    """Aⁿ by repeated squaring (A⁻¹ first for negative n)."""
    _square(a, "matrix_power")
    if n < 0:
        a, n = inv(a), -n
    result = None
    while n:
        if n & 1:
            result = a if result is None else result @ a
        n >>= 1
        if n:
            a = a @ a
    return _np.broadcast_to(_np.eye(shape_of(a)[-1]), shape_of(a)).copy() if result is None \
        else result


def _signs_like(mine, theirs):
    """±1 per column, so that ``mine · signs`` points the way NumPy's own result does.

    Singular vectors and the columns of Q are defined up to sign; matching
    NumPy's choice makes the values equal to ``np.linalg``'s, and the signs,
    constants, do not change the derivative.
    """
    s = _np.sign(_np.sum(concrete(mine) * theirs, axis=-2, keepdims=True))
    return _np.where(s == 0, 1.0, s)


def svd(a, full_matrices=True, compute_uv=True):
    """U, S, Vᵀ with A = U diag(S) Vᵀ, singular values descending.

    Composed from ``eigh`` of the Gram matrix AᵀA = V diag(S²) Vᵀ, then
    U = A V / S: precise for well-conditioned matrices (the Gram matrix squares
    the condition number), differentiable where the singular values are
    distinct and nonzero. ``full_matrices=True`` needs a square matrix (the
    extra columns of a full U are not unique, so they have no derivative).
    """
    m, n = shape_of(a)[-2:]
    if m < n:                                     # a wide matrix: the SVD of Aᵀ, swapped
        out = svd(tnp.swapaxes(a, -1, -2), full_matrices, compute_uv)
        if not compute_uv:
            return out
        u, s, vt = out
        return tnp.swapaxes(vt, -1, -2), s, tnp.swapaxes(u, -1, -2)
    if compute_uv and full_matrices and m != n:
        raise ValueError("svd: full_matrices=True of a non-square matrix is not supported "
                         "(its extra columns are not unique); pass full_matrices=False.")
    at = tnp.swapaxes(a, -1, -2)
    w = tnp.flip(lax.eigvalsh(at @ a), -1)                         # descending
    s = lax.sqrt(lax.max(w, 0.0))
    if not compute_uv:
        return s
    v = tnp.flip(lax.eigh_vectors(at @ a), -1)
    u_np, _, vt_np = _np.linalg.svd(concrete(a), full_matrices=False)
    v = v * _signs_like(v, _np.swapaxes(vt_np, -1, -2))
    u = (a @ v) / s[..., None, :]
    return u, s, tnp.swapaxes(v, -1, -2)


def qr(a, mode="reduced"):
    """Q, R with A = Q R (A with at least as many rows as columns, of full rank).

    Composed from the Cholesky factor of the Gram matrix: AᵀA = RᵀR, Q = A R⁻¹,
    with the signs of NumPy's result (precise for well-conditioned matrices).
    NumPy's own signs jump where a column has only zeros below the diagonal
    (LAPACK then skips a reflection); there the derivative is that of the
    side NumPy picked.
    """
    m, n = shape_of(a)[-2:]
    if mode not in ("reduced", "r") or m < n:
        raise ValueError("qr: tracegrad supports mode='reduced' or 'r', for a matrix with at "
                         "least as many rows as columns.")
    at = tnp.swapaxes(a, -1, -2)
    r = tnp.swapaxes(lax.cholesky(at @ a), -1, -2)
    _, r_np = _np.linalg.qr(concrete(a))
    signs = _np.sign(_np.diagonal(r_np, axis1=-2, axis2=-1))[..., :, None]
    r = r * _np.where(signs == 0, 1.0, signs)
    if mode == "r":
        return r
    q = tnp.swapaxes(lax.solve(tnp.swapaxes(r, -1, -2), at), -1, -2)      # Q = A R⁻¹
    return q, r


# ---- norms -----------------------------------------------------------------------------

def _safe_sqrt(s):
    """√s with derivative 0 at s = 0 instead of ∞·0 = nan: JAX's "double where" trick.

    At s = 0 the square root is taken of a harmless 1 (so no inf appears even
    in the branch that is thrown away), and the result there is the constant 0.
    """
    zero = _np.equal(concrete(s), 0)
    if not _np.any(zero):
        return lax.sqrt(s)
    return lax.select(zero, 0.0, lax.sqrt(lax.select(zero, 1.0, s)))


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector and matrix norms, as ``np.linalg.norm``.

    Vectors: ``ord`` None or 2 (Euclidean), 1, inf, −inf, 0 (count of nonzeros),
    or any p. Matrices (``axis`` a pair, or a 2-D ``x`` with axis None):
    ``'fro'``, 1, −1, inf, −inf, 2, −2, ``'nuc'``.

    At x = 0 the Euclidean norm is not differentiable; its gradient there is
    0 (a subgradient), where the plain formula x/‖x‖ would give 0/0 = nan.
    """
    x = tnp.asarray(x)
    nd = tnp.ndim(x)
    if axis is None:
        if ord is None:                           # the 2-norm of everything, flattened
            out = _safe_sqrt(tnp.sum(lax.square(x)))
            return tnp.reshape(out, (1,) * nd) if keepdims else out
        axis = tuple(range(nd))
    axes = axis if isinstance(axis, tuple) else (axis,)
    axes = tuple(a % nd for a in axes)
    if len(axes) == 1:
        return _vector_norm(x, ord, axes[0], keepdims)
    if len(axes) == 2:
        return _matrix_norm(x, ord, axes, keepdims)
    raise ValueError(f"norm: axis must be an int or a pair of ints, not {axis!r}.")


def _vector_norm(x, ord, axis, keepdims):
    a = lax.abs(x)
    if ord is None or ord == 2:
        return _safe_sqrt(tnp.sum(lax.square(x), axis=axis, keepdims=keepdims))
    if ord == _np.inf:
        return tnp.max(a, axis=axis, keepdims=keepdims)
    if ord == -_np.inf:
        return tnp.min(a, axis=axis, keepdims=keepdims)
    if ord == 0:
        return tnp.sum(_np.not_equal(concrete(x), 0).astype(float), axis=axis,
                       keepdims=keepdims)
    if ord == 1:
        return tnp.sum(a, axis=axis, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"norm: ord {ord!r} is for matrices; give a pair of axes.")
    return tnp.sum(a ** ord, axis=axis, keepdims=keepdims) ** (1.0 / ord)


def _matrix_norm(x, ord, axes, keepdims):
    r, c = axes
    if ord is None or ord == "fro":
        out = _safe_sqrt(tnp.sum(lax.square(x), axis=axes))
    elif ord in (1, -1):
        col = tnp.sum(lax.abs(x), axis=r, keepdims=True)
        out = (tnp.max if ord == 1 else tnp.min)(col, axis=axes)
    elif ord in (_np.inf, -_np.inf):
        row = tnp.sum(lax.abs(x), axis=c, keepdims=True)
        out = (tnp.max if ord == _np.inf else tnp.min)(row, axis=axes)
    elif ord in (2, -2, "nuc"):
        sv = svd(tnp.moveaxis(x, (r, c), (-2, -1)), compute_uv=False)
        out = (tnp.max(sv, axis=-1) if ord == 2 else tnp.min(sv, axis=-1) if ord == -2
               else tnp.sum(sv, axis=-1))
    else:
        raise ValueError(f"norm: invalid ord {ord!r} for a matrix norm.")
    if keepdims:
        shape = tuple(1 if i in axes else n for i, n in enumerate(shape_of(x)))
        out = tnp.reshape(out, shape)
    return out



