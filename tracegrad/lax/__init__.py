"""tracegrad.lax: the primitives, like ``jax.lax``.

Every differentiable operation in tracegrad is one of these. Each is a
:class:`tracegrad.core.Primitive` holding its NumPy implementation, its JVP
rule, its VJP rule and its local derivative as text. ``tracegrad.numpy``
builds NumPy's functions out of them; :func:`primitives` lists them.

Files, one per family: ``elementwise.py``, ``shape.py`` (with the sum, the
transpose of broadcasting), ``reductions.py``, ``linalg.py``, ``indexing.py``.
"""
import builtins

from ..core import Primitive
from .elementwise import (
    abs,
    acos,
    add,
    asin,
    atan,
    atan2,
    cos,
    cosh,
    div,
    elementwise,
    exp,
    expm1,
    integer_pow,
    log,
    log1p,
    logistic,
    max,
    min,
    mul,
    neg,
    pow,
    select,
    sign,
    sin,
    sinh,
    softplus,
    sqrt,
    square,
    sub,
    tan,
    tanh,
)
from .indexing import getitem, index_add, index_set
from .linalg import batch_matmul, einsum, matmul
from .reductions import argmax, argmin, reduce_max, reduce_min
from .shape import astype, broadcast_to, concatenate, reduce_sum, reshape, stop_gradient, transpose

__all__ = ["Primitive", "elementwise", "primitives", "SPECIAL_POINTS",
           "abs", "acos", "add", "asin", "atan", "atan2", "cos", "cosh", "div", "exp", "expm1",
           "integer_pow", "log", "log1p", "logistic", "max", "min", "mul", "neg", "pow",
           "select", "sign", "sin", "sinh", "softplus", "sqrt", "square", "sub", "tan", "tanh",
           "getitem", "index_add", "index_set", "batch_matmul", "einsum", "matmul",
           "argmax", "argmin", "reduce_max", "reduce_min", "astype", "broadcast_to",
           "concatenate", "reduce_sum", "reshape", "stop_gradient", "transpose"]


inf, nan = float("inf"), float("nan")

# What each primitive does at its special points: zero, ±inf, nan, ties and
# empty arrays. Values there are NumPy's; derivatives follow JAX. The points
# are listed so that a test can visit every one (tests/test_special_points.py):
# numbers for one argument, pairs for two, lists (arrays) for reductions.
_SMOOTH = "nan in, nan out (value and derivatives); at ±inf the formula's IEEE value"
SPECIAL_POINTS = {
    # name          points                          convention
    "abs":          ((0.0, -0.0, inf, -inf, nan),
                     "abs′(0) = 1, as in JAX, so (|x|²)″ = 2 at 0; abs′ = −1 at nan, abs″ = 0"),
    "acos":         ((1.0, -1.0, 0.0, 2.0, nan), "acos′(±1) = −inf; nan outside [−1, 1]"),
    "add":          (((inf, -inf), (nan, 1.0)), "derivatives 1 everywhere, at nan too"),
    "argmax":       (([1.0, 1.0, 0.0], [nan, 1.0]),
                     "a tie gives the first index, a nan wins (NumPy); no derivative"),
    "argmin":       (([0.0, 0.0, 1.0], [nan, 1.0]),
                     "a tie gives the first index, a nan wins (NumPy); no derivative"),
    "asin":         ((1.0, -1.0, 0.0, 2.0, nan), "asin′(±1) = inf; nan outside [−1, 1]"),
    "astype":       ((), "derivative 1; the cotangent returns in x's dtype"),
    "atan":         ((0.0, inf, -inf, nan), _SMOOTH),
    "atan2":        (((0.0, 0.0), (1.0, 0.0), (0.0, -1.0), (nan, 1.0)),
                     "at (0, 0) the value is 0 and both derivatives nan (0/0)"),
    "broadcast_to": ((), "linear: no special points"),
    "concatenate":  ((), "linear: empty pieces are allowed"),
    "cos":          ((0.0, inf, -inf, nan), _SMOOTH),
    "cosh":         ((0.0, inf, -inf, nan), _SMOOTH),
    "div":          (((1.0, 0.0), (0.0, 0.0), (inf, inf), (nan, 1.0)),
                     "x/0 = ±inf with ∂/∂x = inf; 0/0 = nan; never ZeroDivisionError"),
    "einsum":       ((), "an empty summed axis gives zeros (NumPy)"),
    "exp":          ((0.0, inf, -inf, nan), _SMOOTH),
    "expm1":        ((0.0, inf, -inf, nan), _SMOOTH),
    "getitem":      ((), "a repeated index picks twice: the cotangents add"),
    "index_add":    ((), "repeated indices add up (scatter-add)"),
    "index_set":    ((), "with a repeated index the last write wins; only it gets the cotangent"),
    "integer_pow":  (((0.0, 0), (0.0, 1), (0.0, 2), (0.0, 3), (0.0, -1), (inf, 2), (nan, 2)),
                     "exact at 0 to every order (x⁰ = 1, x¹ = x are flat and linear); 0⁻¹ = inf"),
    "log":          ((0.0, -1.0, inf, nan), "log 0 = −inf with log′(0) = inf; nan for x < 0"),
    "log1p":        ((0.0, -1.0, -2.0, inf, nan), "log1p(−1) = −inf with derivative inf"),
    "logistic":     ((0.0, inf, -inf, nan), "σ(0) = ½, σ′(0) = ¼; σ(±inf) = 1, 0, with σ′ = 0"),
    "matmul":       ((), "an empty inner axis gives zeros (NumPy); derivatives are empty"),
    "max":          (((1.0, 1.0), (0.0, 0.0), (inf, inf), (nan, 1.0), (1.0, nan)),
                     "a tie shares the derivative: ½ each, as JAX; with a nan, both 0. "
                     "tnp.fmax (built on max) shares a tie too: differs from JAX, whose "
                     "fmax gives it all to x2, because a tie has no preferred side and ½ "
                     "each is what maximum gives"),
    "min":          (((1.0, 1.0), (0.0, 0.0), (-inf, -inf), (nan, 1.0), (1.0, nan)),
                     "a tie shares the derivative: ½ each, as JAX; with a nan, both 0. "
                     "tnp.fmin (built on min) shares a tie too: differs from JAX, whose "
                     "fmin gives it all to x2, because a tie has no preferred side and ½ "
                     "each is what minimum gives"),
    "mul":          (((inf, 0.0), (nan, 1.0), (0.0, 0.0)),
                     "∂/∂x = y and ∂/∂y = x, even where x·y is nan"),
    "neg":          ((inf, nan), "derivative −1 everywhere, at nan too"),
    "pow":          (((0.0, 2.0), (0.0, 0.5), (0.0, 0.0), (0.0, -1.0), (-1.0, 0.5), (nan, 2.0)),
                     "at x = 0, as JAX: ∂/∂y is 0 for y ≥ 0, nan for y < 0; ∂/∂x = 0 at (0, 0)"),
    "reduce_max":   (([1.0, 1.0, 0.0], [2.0, 2.0, 2.0], [nan, 1.0]),
                     "ties share the cotangent evenly, as JAX; with a nan, nan everywhere; "
                     "no maximum of an empty array (error, as NumPy)"),
    "reduce_min":   (([0.0, 0.0, 1.0], [2.0, 2.0, 2.0], [nan, 1.0]),
                     "ties share the cotangent evenly, as JAX; with a nan, nan everywhere; "
                     "no minimum of an empty array (error, as NumPy)"),
    "reduce_sum":   (([], [inf, 1.0], [nan, 1.0]), "the sum of nothing is 0; derivatives 1"),
    "reshape":      ((), "linear: no special points"),
    "select":       ((), "the derivative flows to the chosen branch only; cond has none"),
    "sign":         ((0.0, -0.0, inf, nan), "sign(0) = 0; derivative 0 everywhere, at 0 too"),
    "sin":          ((0.0, inf, -inf, nan), _SMOOTH),
    "sinh":         ((0.0, inf, -inf, nan), _SMOOTH),
    "softplus":     ((0.0, inf, -inf, nan), "softplus′ = σ: ½ at 0, softplus″(0) = ¼"),
    "sqrt":         ((0.0, 1.0, inf, -1.0, nan), "√0 = 0 with √′(0) = inf; nan for x < 0"),
    "square":       ((0.0, inf, -inf, nan), "square″ = 2 everywhere, at nan too"),
    "stop_gradient": ((), "derivative 0 everywhere"),
    "sub":          (((inf, inf), (nan, 1.0)), "derivatives 1 and −1 everywhere, at nan too"),
    "tan":          ((0.0, inf, nan), _SMOOTH),
    "tanh":         ((0.0, inf, -inf, nan), "tanh(±inf) = ±1 with derivative 0"),
    "transpose":    ((), "linear: no special points"),
}


# ---- control flow, running sums, rounding and matrix functions ----------------------
from .control import cond, fori_loop, full_like, scan, switch, while_loop  # noqa: E402
from .cumulative import cumsum  # noqa: E402
from .elementwise import acosh, asinh, atanh, ceil, floor, logaddexp, mod, rint, trunc  # noqa: E402
from .linalg import cholesky, det, eigh_vectors, eigvalsh, inv, logabsdet, solve  # noqa: E402

__all__ += ["cond", "fori_loop", "full_like", "scan", "switch", "while_loop",
            "cumsum", "acosh", "asinh", "atanh", "ceil", "floor", "logaddexp", "mod", "rint",
            "trunc", "cholesky", "det", "eigh_vectors", "eigvalsh", "inv", "logabsdet", "solve"]

_FLAT = "derivative 0 everywhere, at the jumps too (as JAX); nan in, nan out"
SPECIAL_POINTS.update({
    "acosh":        ((1.0, 2.0, 0.0, inf, nan), "acosh′(1) = inf; nan for x < 1"),
    "asinh":        ((0.0, inf, -inf, nan), _SMOOTH),
    "atanh":        ((0.0, 1.0, -1.0, 2.0, nan), "atanh(±1) = ±inf with derivative inf; "
                                                  "nan outside [−1, 1]"),
    "ceil":         ((0.5, -0.5, 1.0, inf, nan), _FLAT),
    "cholesky":     ((), "A must be symmetric positive definite (else LinAlgError, as NumPy); "
                         "differs from JAX: tnp.linalg.cholesky's gradient lands on the lower "
                         "triangle only (JAX splits it over both), because NumPy reads only "
                         "that triangle, so the upper one does not change the result"),
    "cumsum":       ((), "linear: an empty axis gives an empty result"),
    "det":          ((), "the gradient det(A)·A⁻ᵀ needs A⁻¹: at a singular A it raises "
                         "(the value is NumPy's)"),
    "eigh_vectors": ((), "defined up to sign; a repeated eigenvalue makes the derivative "
                         "inf or nan (it divides by w_j − w_i); differs from JAX: "
                         "tnp.linalg.eigh's gradient lands on the triangle UPLO names (JAX "
                         "symmetrizes), because NumPy reads only that triangle"),
    "eigvalsh":     ((), "a repeated eigenvalue: the derivative is the average over its "
                         "eigenvectors' choice by LAPACK (not unique); differs from JAX: the "
                         "gradient of tnp.linalg.eigh/eigvalsh lands on the triangle UPLO "
                         "names (JAX symmetrizes), because NumPy reads only that triangle"),
    "floor":        ((0.5, -0.5, 1.0, inf, nan), _FLAT),
    "inv":          ((), "a singular A raises LinAlgError, as NumPy"),
    "logabsdet":    ((), "at a singular A the value is −inf; the gradient A⁻ᵀ raises"),
    "logaddexp":    (((0.0, 0.0), (-inf, 0.0), (inf, inf), (nan, 1.0)),
                     "a tie shares ½ each; +inf is read as 0 in e^(x−out), as JAX, so "
                     "(inf, inf) gives 1 each"),
    "mod":          (((5.0, 3.0), (-1.0, 3.0), (3.0, 3.0), (nan, 1.0)),
                     "derivatives 1 and −⌊x/y⌋, as JAX; at a jump (x/y whole) the right-hand "
                     "value"),
    "rint":         ((0.5, 1.5, -0.5, inf, nan), _FLAT),
    "solve":        ((), "a singular A raises LinAlgError, as NumPy"),
    "trunc":        ((0.5, -0.5, 1.0, inf, nan), _FLAT),
})


# ---- issue 20: decompositions with NumPy's values and the published rules ----------
from .linalg import (  # noqa: E402
    eig_values,
    eig_vectors,
    norm2,
    pinv,
    qr_q,
    qr_r,
    svd_u,
    svd_values,
    svd_vt,
)

__all__ += ["eig_values", "eig_vectors", "norm2", "pinv", "qr_q", "qr_r", "svd_u",
            "svd_values", "svd_vt"]

SPECIAL_POINTS.update({
    "eig_values":   ((), "complex eigenvalues are refused (TracegradError: tracegrad is "
                         "real-only); a repeated eigenvalue makes the eigenvectors' "
                         "derivative inf or nan, as JAX"),
    "eig_vectors":  ((), "unit columns, as NumPy; derivative for distinct real eigenvalues "
                         "(it divides by w_j − w_i: inf or nan at a repeated one, as JAX)"),
    "norm2":        ((), "norm′(0) = 0; differs from JAX (nan there, from √′(0)·0) because "
                         "0 is a subgradient: a descent through a norm that reaches "
                         "0 keeps going instead of turning every value into nan"),
    "pinv":         ((), "small singular values (≤ rcond·s_max) count as 0, as NumPy; at a "
                         "rank drop A⁺ jumps: the derivative (Golub–Pereyra, as JAX) is "
                         "along matrices of the same rank"),
    "qr_q":         ((), "a rank-deficient A makes the derivative inf or nan (R⁻¹), as JAX; "
                         "mode='complete' of a tall A has no derivative (TracegradError)"),
    "qr_r":         ((), "a rank-deficient A makes the derivative inf or nan (R⁻¹), as JAX"),
    "svd_u":        ((), "a repeated or (non-square A) zero singular value makes the "
                         "derivative inf or nan, as JAX; full_matrices=True of a "
                         "non-square A has no derivative (TracegradError, as JAX)"),
    "svd_values":   ((), "the first derivative is finite everywhere, repeated and zero "
                         "singular values included; the second goes through U̇ and V̇, so at "
                         "a repeated value it is nan, as JAX"),
    "svd_vt":       ((), "a repeated or (non-square A) zero singular value makes the "
                         "derivative inf or nan, as JAX; full_matrices=True of a "
                         "non-square A has no derivative (TracegradError, as JAX)"),
})


# ---- issue 20: picking along an axis at positions that may differ per example (vmap) --
from .indexing import add_along, take_along  # noqa: E402

__all__ += ["add_along", "take_along"]
SPECIAL_POINTS.update({
    "add_along":    ((), "a position picked twice adds up (scatter-add)"),
    "take_along":   ((), "a position picked twice: the cotangents add; positions have no "
                         "derivative"),
})


# ---- issue 20: hypot by NumPy (no overflow), and what power does at its edges ------------
from .elementwise import hypot, logaddexp2  # noqa: E402

__all__ += ["hypot", "logaddexp2"]
SPECIAL_POINTS.update({
    "hypot":        (((3e200, 4e200), (3e-200, 4e-200), (0.0, 0.0), (inf, nan), (nan, 1.0)),
                     "NumPy's value, without overflow or underflow; hypot(±inf, nan) = inf; "
                     "at (0, 0) the derivatives x/hypot, y/hypot are 0/0 = nan (JAX: ½; "
                     "the direction decides, there is no limit)"),
    "logaddexp2":   (((0.0, 0.0), (-inf, 0.0), (inf, inf), (0.0, -780.0), (nan, 1.0)),
                     "NumPy's value, to the last digit for tiny results; a tie shares ½ each; "
                     "+inf is read as 0 in 2^(x−out), as JAX, so (inf, inf) gives 1 each"),
})


class PrimitiveTable(list):
    """The list of primitives; shows as a table in Jupyter and in print()."""

    # the column headers: keys of tracegrad/words/, shown in the notebook's language
    HEADER = ("table.primitive", "table.derivative", "table.meaning", "table.vmap",
              "table.special")

    def _header(self):
        from ..words import words
        w = words()
        return tuple(w[key] for key in self.HEADER)

    def _rows(self):
        from ..words import primitive_words, words
        w = words()
        for p in self:
            formulas, doc, special = primitive_words(
                p.name, p.formulas or (), (p.__doc__ or "").split("\n")[0],
                SPECIAL_POINTS.get(p.name, ((), ""))[1])
            yield (p.name,
                   "; ".join(formulas) if p.differentiable else w["table.not differentiable"],
                   doc,
                   w["table.rule"] if p.batch is not None else w["table.loop"],  # see vmap.py
                   special)

    def __repr__(self):
        rows = [self._header()] + list(self._rows())
        widths = [builtins.max(len(r[k]) for r in rows) for k in range(4)]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[4]
                         for r in rows)

    def _repr_html_(self):
        from html import escape
        head = "".join(f"<th>{escape(h)}</th>" for h in self._header())
        body = "".join("<tr><td><code>" + escape(r[0]) + "</code></td>"
                       + "".join(f"<td>{escape(c)}</td>" for c in r[1:]) + "</tr>"
                       for r in self._rows())
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def primitives():
    """All primitives, sorted by name: derivative formulas and special-point conventions."""
    found = {p.name: p for p in globals().values() if isinstance(p, Primitive)}
    return PrimitiveTable(found[name] for name in sorted(found))
