"""Functions of a matrix: the inverse, solve, the determinant, the pseudo-inverse.

Every rule below comes from differentiating a defining identity. For the
inverse, A·A⁻¹ = I gives dA·A⁻¹ + A·d(A⁻¹) = 0, so d(A⁻¹) = −A⁻¹·dA·A⁻¹.
The rules call these same primitives (inv, solve, ...) on traced values, so
second derivatives come out of them like any other. All work on stacks of
matrices (batch axes first), as NumPy's np.linalg does, and ``tg.jit`` writes
each as NumPy's own np.linalg call.
"""
import numpy as np

from ..core import Primitive, add_any, shape_of
from .linalg import WIDE_TALL_SQUARE, diagonal, mT, stacked_batch
from .shape import reduce_sum, sum_to_shape

__all__ = ["inv", "solve", "det", "logabsdet", "pinv"]


inv = Primitive(
    "inv", np.linalg.inv,
    jvp=lambda ts, out, a: -(out @ ts[0] @ out),                      # −A⁻¹ Ȧ A⁻¹
    vjp=(lambda g, out, a: -(mT(out) @ g @ mT(out)),),                # −A⁻ᵀ Ḡ A⁻ᵀ
    formulas=("−A⁻ᵀ Ḡ A⁻ᵀ",), doc="the matrix inverse A⁻¹", argnames=("A",), saves=("out",),
    source="np.linalg.inv({0})",
    domain=("spd",), examples=[(((2, 2),), {}), (((3, 3),), {})],
    convention="a singular A raises LinAlgError, as NumPy")


# ---- solve ---------------------------------------------------------------------------

def _column(v, b):
    """NumPy's solve reads a 1-D b as one vector: then work with it as a column."""
    return v[..., None] if len(shape_of(b)) == 1 else v


def _uncolumn(v, b):
    return v[..., 0] if len(shape_of(b)) == 1 else v


def _solve_jvp(ts, out, a, b):
    # A x = b  ⇒  A ẋ = ḃ − Ȧ x
    ta, tb = ts
    rhs = None if ta is None else -(ta @ _column(out, b))
    if tb is not None:
        rhs = add_any((rhs, _column(tb, b)))
    return _uncolumn(solve(a, rhs), b)


def _solve_vjp_b(g, out, a, b):
    gb = solve(mT(a), _column(g, b))                           # b̄ = A⁻ᵀ x̄
    return sum_to_shape(_uncolumn(gb, b), shape_of(b))


def _solve_vjp_a(g, out, a, b):
    gb = solve(mT(a), _column(g, b))
    return sum_to_shape(-(gb @ mT(_column(out, b))), shape_of(a))     # Ā = −b̄ xᵀ


solve = Primitive(
    "solve", np.linalg.solve, jvp=_solve_jvp, vjp=(_solve_vjp_a, _solve_vjp_b),
    formulas=("−b̄ xᵀ", "A⁻ᵀ x̄"), doc="x with A x = b", argnames=("A", "b"),
    source="np.linalg.solve({0}, {1})",
    domain=("spd", (-3, 3)), examples=[(((2, 2), (2,)), {}), (((3, 3), (3,)), {})],
    convention="a singular A raises LinAlgError, as NumPy")


# ---- det, logabsdet ------------------------------------------------------------------

def _tr(x):
    """The trace of each matrix in a stack: Σᵢ xᵢᵢ."""
    d = diagonal(x)
    return reduce_sum(d, axes=(len(shape_of(d)) - 1,), keepdims=False)


def _det_jvp(ts, out, a):
    return out * _tr(solve(a, ts[0]))                          # d det = det · tr(A⁻¹ Ȧ)


det = Primitive(
    "det", np.linalg.det, jvp=_det_jvp,
    vjp=(lambda g, out, a: (g * out)[..., None, None] * mT(inv(a)),),    # Ā = ḡ det A⁻ᵀ
    formulas=("det(A) A⁻ᵀ",), doc="the determinant det A", argnames=("A",),
    source="np.linalg.det({0})",
    domain=("spd",), examples=[(((2, 2),), {}), (((3, 3),), {})],
    convention="the gradient det(A)·A⁻ᵀ needs A⁻¹: at a singular A it raises (the value is "
               "NumPy's)")

logabsdet = Primitive(
    "logabsdet", lambda a: np.linalg.slogdet(a)[1],
    jvp=lambda ts, out, a: _tr(solve(a, ts[0])),               # d log|det| = tr(A⁻¹ Ȧ)
    vjp=(lambda g, out, a: g[..., None, None] * mT(inv(a)),),
    formulas=("A⁻ᵀ",), doc="log |det A|, the second output of slogdet", argnames=("A",),
    saves=("args",), source="np.linalg.slogdet({0})[1]",
    domain=("spd",), examples=[(((2, 2),), {}), (((3, 3),), {})],
    convention="at a singular A the value is −inf; the gradient A⁻ᵀ raises")


# ---- pinv ----------------------------------------------------------------------------
# The pseudo-inverse P = A⁺. Its derivative where the rank of A does not change:
# G. H. Golub and V. Pereyra, "The differentiation of pseudo-inverses and nonlinear
# least squares problems whose variables separate", SIAM J. Numer. Anal. 10 (1973),
# the formula JAX's pinv uses (a custom_jvp, jax/_src/numpy/linalg.py):
#     Ṗ = −P Ȧ P + P Pᵀ Ȧᵀ (I − A P) + (I − P A) Ȧᵀ Pᵀ P
# and its transpose
#     Ā = −Pᵀ P̄ Pᵀ + (I − A P) P̄ᵀ P Pᵀ + Pᵀ P P̄ᵀ (I − P A).
# Where the rank drops the pseudo-inverse jumps: no derivative there (this formula
# then gives the derivative along matrices of the same rank).

def _pinv_jvp(ts, p, a, rcond):
    da = ts[0]
    s = p @ (mT(p) @ mT(da))
    t = mT(da) @ (mT(p) @ p)
    return -(p @ (da @ p)) + s - s @ (a @ p) + t - p @ (a @ t)


def _pinv_vjp(g, p, a, rcond):
    h = mT(g) @ (p @ mT(p))
    k = (mT(p) @ p) @ mT(g)
    return -(mT(p) @ g @ mT(p)) + h - a @ (p @ h) + k - (k @ p) @ a


pinv = Primitive(
    "pinv", lambda a, rcond: np.linalg.pinv(a, rcond=rcond), jvp=_pinv_jvp, vjp=(_pinv_vjp,),
    formulas=("−Pᵀ P̄ Pᵀ + (I − AP) P̄ᵀ PPᵀ + PᵀP P̄ᵀ (I − PA)",),
    doc="the Moore–Penrose pseudo-inverse A⁺ (np.linalg.pinv)", argnames=("A",),
    source="np.linalg.pinv({0}, rcond={rcond})",
    domain=("spread",), examples=[((s,), dict(rcond=1e-15)) for s in WIDE_TALL_SQUARE],
    convention="small singular values (≤ rcond·s_max) count as 0, as NumPy; at a rank drop "
               "A⁺ jumps: the derivative (Golub–Pereyra, as JAX) is along matrices of the same "
               "rank")


# vmap: one np.linalg call for the whole stack of examples (solve, with two operands, has
# no rule: vmap loops over its examples)
for _p in (inv, det, logabsdet, pinv):
    _p.batch = stacked_batch(_p)
