"""``tnp.linalg``: NumPy's ``np.linalg``, differentiable.

The matrix functions with rules of their own are primitives: ``inv``, ``solve``,
``det``, ``slogdet``'s log-determinant and ``pinv`` in ``tracegrad.lax.matrix``;
``cholesky``, ``eigh``, ``eig``, ``svd`` and ``qr`` in ``tracegrad.lax.decompositions``;
the Euclidean ``norm`` in ``tracegrad.lax.reductions``. Each rule is derived or cited
in a comment there. Their values are NumPy's own.
The other norms and ``matrix_power`` are compositions.
"""
import numpy as _np

from .. import lax
from ..core import concrete, dtype_of, shape_of
from ..words import message as _message
from ._creation import asarray
from ._elementwise import where
from ._reductions import max, min, sum
from ._shape import moveaxis, ndim, reshape, swapaxes

__all__ = ["norm", "inv", "solve", "det", "slogdet", "eigh", "eigvalsh", "cholesky", "pinv",
           "matrix_power", "svd", "qr", "eig", "eigvals", "LinAlgError"]

LinAlgError = _np.linalg.LinAlgError


def _square(a, who):
    s = shape_of(a)
    if len(s) < 2 or s[-1] != s[-2]:
        raise _np.linalg.LinAlgError(_message("err.square", who=who, shape=s))


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
    return part + swapaxes(strict, -1, -2)


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
    return swapaxes(L, -1, -2) if upper else L


def pinv(a, rcond=None, hermitian=False):
    """The Moore–Penrose pseudo-inverse A⁺, NumPy's value (from the SVD, with singular
    values ≤ ``rcond``·s_max counted as 0; ``rcond`` None is NumPy's default 1e-15).

    Its derivative is Golub and Pereyra's (1973), as in JAX. A⁺ jumps where the rank
    of A changes; there the derivative is the one along matrices of the same rank.
    ``hermitian`` is accepted for NumPy's signature and changes nothing in the value.
    """
    if len(shape_of(a)) < 2:
        raise _np.linalg.LinAlgError(_message("err.matrix", who="pinv", shape=shape_of(a)))
    return lax.pinv(a, rcond=1e-15 if rcond is None else rcond)


def matrix_power(a, n):
    """Aⁿ by repeated squaring (A⁻¹ first for negative n); A⁰ = I in A's dtype."""
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
    if result is None:
        return _np.broadcast_to(_np.eye(shape_of(a)[-1], dtype=dtype_of(a)), shape_of(a)).copy()
    return result


def _matrix(a, who):
    if len(shape_of(a)) < 2:
        raise _np.linalg.LinAlgError(_message("err.matrix", who=who, shape=shape_of(a)))


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """U, S, Vᵀ with A = U diag(S) Vᵀ, singular values descending: NumPy's values.

    The derivatives are JAX's (Townsend 2016; Seeger et al. 2017; see
    ``tracegrad.lax.decompositions``). The singular values (``compute_uv=False``)
    have a finite derivative everywhere, repeated values included. U and V are unique
    only up to sign, and only for distinct nonzero singular values: as in JAX,
    their derivative is inf or nan at a repeated singular value (and at a zero
    one of a non-square A). With ``full_matrices=True`` (NumPy's default) the
    extra columns of a non-square A's U or V are any orthonormal completion,
    so, as in JAX, they have no derivative: differentiating them raises a
    TracegradError that says to pass ``full_matrices=False``.
    """
    _matrix(a, "svd")
    s = lax.svd_values(a)
    if not compute_uv:
        return s
    full = bool(full_matrices)
    return lax.svd_u(a, full=full), s, lax.svd_vt(a, full=full)


def qr(a, mode="reduced"):
    """Q, R with A = Q R, NumPy's values and signs, for tall, square and wide A.

    ``mode``: ``'reduced'`` (Q m×k, R k×n, k = min(m, n)), ``'complete'`` (Q m×m,
    R m×n) or ``'r'`` (R only), as NumPy. The derivative is JAX's qr_jvp_rule
    (Townsend 2018), with a wide A = [X₁ X₂] split as JAX does. It needs A of
    full rank (R⁻¹ appears). Q of mode ``'complete'`` of a tall A has no
    derivative (its extra columns are not unique): that raises a TracegradError.
    NumPy's signs jump where a column has only zeros below the diagonal (LAPACK
    skips that reflection); there the derivative is that of the side NumPy took.
    """
    _matrix(a, "qr")
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(_message("err.qr-mode", mode=repr(mode)))
    if mode == "r":
        return lax.qr_r(a, mode="reduced")
    return lax.qr_q(a, mode=mode), lax.qr_r(a, mode=mode)


def eig(a):
    """Eigenvalues w and unit eigenvectors V (columns) of a square A, NumPy's values,
    for a matrix whose eigenvalues are all real.

    tracegrad is real-valued: a matrix with complex eigenvalues is refused with a
    TracegradError (use ``eigh`` for a symmetric one). The derivative is the
    standard one for distinct eigenvalues (Giles 2008, §3.1, as JAX's eig rule);
    at a repeated eigenvalue the eigenvectors' derivative is inf or nan. The order
    of the eigenvalues and the sign of each vector are LAPACK's, which can jump
    between nearby matrices: a function meant to be smooth should not depend on
    them (sort the eigenvalues, or read each vector times its first entry).
    """
    _square(a, "eig")
    return lax.eig_values(a), lax.eig_vectors(a)


def eigvals(a):
    """The eigenvalues of ``eig`` (all real, else a TracegradError)."""
    _square(a, "eigvals")
    return lax.eig_values(a)


# ---- norms -----------------------------------------------------------------------------

def norm(x, ord=None, axis=None, keepdims=False):
    """Vector and matrix norms, as ``np.linalg.norm``.

    Vectors: ``ord`` None or 2 (Euclidean), 1, inf, −inf, 0 (count of nonzeros),
    or any p. Matrices (``axis`` a pair, or a 2-D ``x`` with axis None):
    ``'fro'``, 1, −1, inf, −inf, 2, −2, ``'nuc'``.

    At x = 0 the Euclidean norm is not differentiable; its gradient there is
    0 (a subgradient), where the plain formula x/‖x‖ would give 0/0 = nan.
    """
    x = asarray(x)
    nd = ndim(x)
    if axis is None:
        if ord is None:                           # the 2-norm of everything, flattened
            return lax.norm2(x, axes=None, keepdims=keepdims)
        axis = tuple(range(nd))
    axes = axis if isinstance(axis, tuple) else (axis,)
    axes = tuple(a % nd for a in axes)
    if len(axes) == 1:
        return _vector_norm(x, ord, axes[0], keepdims)
    if len(axes) == 2:
        return _matrix_norm(x, ord, axes, keepdims)
    raise ValueError(_message("err.norm-axis", axis=repr(axis)))


def _vector_norm(x, ord, axis, keepdims):
    a = lax.abs(x)
    if ord is None or ord == 2:
        return lax.norm2(x, axes=(axis,), keepdims=keepdims)
    if ord == _np.inf:
        return max(a, axis=axis, keepdims=keepdims)
    if ord == -_np.inf:
        return min(a, axis=axis, keepdims=keepdims)
    if ord == 0:
        dtype = dtype_of(x) if dtype_of(x).kind == "f" else _np.dtype(float)   # as NumPy
        return sum(where(x != 0, _np.ones((), dtype), _np.zeros((), dtype)),
                       axis=axis, keepdims=keepdims)
    if ord == 1:
        return sum(a, axis=axis, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(_message("err.norm-ord-matrix", ord=repr(ord)))
    return sum(a ** ord, axis=axis, keepdims=keepdims) ** (1.0 / ord)


def _matrix_norm(x, ord, axes, keepdims):
    r, c = axes
    if ord is None or ord == "fro":
        out = lax.norm2(x, axes=axes, keepdims=False)
    elif ord in (1, -1):
        col = sum(lax.abs(x), axis=r, keepdims=True)
        out = (max if ord == 1 else min)(col, axis=axes)
    elif ord in (_np.inf, -_np.inf):
        row = sum(lax.abs(x), axis=c, keepdims=True)
        out = (max if ord == _np.inf else min)(row, axis=axes)
    elif ord in (2, -2, "nuc"):
        sv = svd(moveaxis(x, (r, c), (-2, -1)), compute_uv=False)
        out = (max(sv, axis=-1) if ord == 2 else min(sv, axis=-1) if ord == -2
               else sum(sv, axis=-1))
    else:
        raise ValueError(_message("err.norm-ord", ord=repr(ord)))
    if keepdims:
        shape = tuple(1 if i in axes else n for i, n in enumerate(shape_of(x)))
        out = reshape(out, shape)
    return out



