"""Linear algebra: matmul (and batch_matmul) and einsum.

For ``C = A @ B`` the chain rule gives the two matrix products every
backpropagation derivation ends with:

    Ā = C̄ @ Bᵀ        B̄ = Aᵀ @ C̄

A 1-D operand is treated as a row (left) or a column (right) matrix, as
NumPy does, and batch axes that broadcast are summed back by ``unbroadcast``.
"""
import numpy as np

from ..core import Primitive, TracegradError, add_any, concrete, shape_of
from ..words import message
from .shape import (
    concatenate,
    kept_shape,
    moveaxis,
    reduce_sum,
    reduction_batch,
    reshape,
    sum_to_shape,
    transpose,
)

__all__ = ["matmul", "batch_matmul", "einsum"]


def _promoted(a, b):
    """Shapes of a, b and the output with 1-D operands made 2-D."""
    sa, sb = shape_of(a), shape_of(b)
    pa = (1,) + sa if len(sa) == 1 else sa
    pb = sb + (1,) if len(sb) == 1 else sb
    batch = np.broadcast_shapes(pa[:-2], pb[:-2]) if len(pa) > 2 or len(pb) > 2 else ()
    return pa, pb, batch + (pa[-2], pb[-1])


def _mT(x):
    """Swap the last two axes (the matrix transpose, batched)."""
    n = len(shape_of(x))
    if n == 2:
        return x.T                               # a tracer's .T is traced too
    axes = tuple(range(n))
    return transpose(x, axes=axes[:-2] + (axes[-1], axes[-2]))


def _as(x, shape):
    return x if shape_of(x) == shape else reshape(x, shape=shape)


def _matmul_vjp_a(g, out, a, b):
    if len(shape_of(a)) == 2 and len(shape_of(b)) == 2:
        return g @ _mT(b)                        # Ā = C̄ Bᵀ, the common case
    pa, pb, po = _promoted(a, b)
    ga = _as(g, po) @ _mT(_as(b, pb))          # Ā = C̄ Bᵀ
    return _as(sum_to_shape(ga, pa), shape_of(a))


def _matmul_vjp_b(g, out, a, b):
    if len(shape_of(a)) == 2 and len(shape_of(b)) == 2:
        return _mT(a) @ g                        # B̄ = Aᵀ C̄, the common case
    pa, pb, po = _promoted(a, b)
    gb = _mT(_as(a, pa)) @ _as(g, po)          # B̄ = Aᵀ C̄
    return _as(sum_to_shape(gb, pb), shape_of(b))


def _matmul_jvp(ts, out, a, b):
    ta, tb = ts                                  # Ċ = Ȧ B + A Ḃ
    return add_any((None if ta is None else matmul(ta, b),
                    None if tb is None else matmul(a, tb)))


def _matmul_source(args, params, lit, values):
    # np.dot is matmul for vectors and matrices, and quicker to call than @.
    if all(isinstance(v, np.ndarray) and v.ndim in (1, 2) for v in values):
        return f"np.dot({args[0]}, {args[1]})"
    return f"{args[0]} @ {args[1]}"


matmul = Primitive("matmul", np.matmul, jvp=_matmul_jvp,
                   vjp=(_matmul_vjp_a, _matmul_vjp_b),
                   formulas=("C̄ Bᵀ", "Aᵀ C̄"), doc="A @ B with NumPy's rules",
                   saves=("args",), source=_matmul_source,
                   domain=((-3, 3), (-3, 3)),
                   convention="an empty inner axis gives zeros (NumPy); derivatives are empty",
                   examples=[(shapes, {}) for shapes in (
                       ((2, 3), (3, 2)), ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)),
                       ((2, 3), (3, 4)), ((2, 2, 3), (3, 2)), ((3,), (2, 3, 2)),
                       ((2, 1, 3), (2, 3, 2)))])


def batch_matmul(lhs, rhs):
    """``lhs @ rhs`` over a leading batch axis, as ``jax.lax.batch_matmul``."""
    sl, sr = shape_of(lhs), shape_of(rhs)
    if len(sl) < 3 or sl[:-2] != sr[:-2]:
        raise ValueError(message("err.batch-matmul", a=sl, b=sr))
    return matmul(lhs, rhs)


# ---- einsum -----------------------------------------------------------------

def _einsum_vjp(g, out, *operands, spec):
    ins, result = spec.split("->")
    ins = ins.split(",")
    cotangents = []
    for k, sub in enumerate(ins):
        others = [(s, op) for j, (s, op) in enumerate(zip(ins, operands)) if j != k]
        subs = [result] + [s for s, _ in others]
        ops = [g] + [op for _, op in others]
        if set(sub) - set("".join(subs)):       # an index summed away by this operand alone
            subs.append(sub)
            ops.append(np.ones(shape_of(operands[k])))
        cotangents.append(einsum(*ops, spec=",".join(subs) + "->" + sub))
    return cotangents


def _einsum_jvp(ts, out, *operands, spec):
    # linear in each operand: one term per tangent, the tangent in its operand's place
    return add_any(None if t is None else einsum(*operands[:k], t, *operands[k + 1:], spec=spec)
                   for k, t in enumerate(ts))


def _einsum_impl(*operands, spec):
    return np.einsum(spec, *operands)


einsum = Primitive("einsum", _einsum_impl, jvp=_einsum_jvp, vjp=_einsum_vjp,
                   formulas=("the other operands",),
                   doc="Einstein summation with explicit output, e.g. 'ij,jk->ik'",
                   saves=("args",), source=lambda args, params, lit, values:
                   f"np.einsum({params['spec']!r}, {', '.join(args)})",
                   domain=((-3, 3),), convention="an empty summed axis gives zeros (NumPy)",
                   examples=[(shapes, dict(spec=spec)) for spec, shapes in (
                       ("ij,jk->ik", ((2, 3), (3, 2))), ("i,i->", ((3,), (3,))),
                       ("ij->j", ((2, 3),)), ("bij,bjk->bik", ((2, 2, 3), (2, 3, 2))),
                       ("i,j->ij", ((2,), (3,))))])


def normalize_spec(spec, n_operands):
    """'ij,jk' → 'ij,jk->ik' (NumPy's implicit output), checked for what we support."""
    spec = spec.replace(" ", "")
    if "." in spec:
        raise TracegradError(message("err.einsum-ellipsis"))
    ins = spec.split("->")[0].split(",")
    if len(ins) != n_operands:
        raise ValueError(message("err.einsum-count", spec=repr(spec), want=len(ins),
                                 got=n_operands))
    if "->" not in spec:
        letters = "".join(ins)
        spec += "->" + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    for sub in ins:
        if len(set(sub)) != len(sub):
            raise TracegradError(message("err.einsum-repeat", sub=repr(sub)))
    return spec


# ---- batching rules (vmap, see tracegrad/vmap.py) ------------------------------------

def _matmul_batch(dims, a, b):
    """A batch of products is one product with one more batch axis in front.

    matmul already broadcasts its leading (batch) axes, so each operand gets
    the examples' axis first and length-1 axes up to the other's rank; a 1-D
    operand is made a row (a) or a column (b) first, and that axis removed after.
    """
    (da, db), sa, sb = dims, shape_of(a), shape_of(b)
    if da == 0 and db is None and len(sb) == 2 and len(sa) == 2:
        return matmul(a, b), da                  # a batch of vectors times one matrix
    ea, eb = (sa[:da] + sa[da + 1:] if da is not None else sa,
              sb[:db] + sb[db + 1:] if db is not None else sb)
    pa, pb = ((1,) + ea if len(ea) == 1 else ea), (eb + (1,) if len(eb) == 1 else eb)
    rank = max(len(pa), len(pb))

    def lift(x, d, p):
        if d is None:
            return _as(x, p)
        x = moveaxis(x, d, 0)
        return _as(x, shape_of(x)[:1] + (1,) * (rank - len(p)) + p)

    out = matmul(lift(a, da, pa), lift(b, db, pb))
    s = shape_of(out)
    keep = s[:-2] + ((s[-2],) if len(ea) > 1 else ()) + ((s[-1],) if len(eb) > 1 else ())
    return _as(out, keep), 0


def _einsum_batch(dims, *operands, spec):
    """One more index for the examples, on every batched operand and on the output."""
    ins, result = spec.split("->")
    letter = next(c for c in "zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLKJIHGFEDCBA"
                  if c not in spec)
    subs = [s if d is None else letter + s for s, d in zip(ins.split(","), dims, strict=True)]
    ops = [op if d is None else moveaxis(op, d, 0) for op, d in zip(operands, dims, strict=True)]
    return einsum(*ops, spec=",".join(subs) + "->" + letter + result), 0


matmul.batch = _matmul_batch
einsum.batch = _einsum_batch
# ---- matrix functions: inverse, solve, determinants, factorizations ------------------
# Every rule below comes from differentiating a defining identity. For the
# inverse, A·A⁻¹ = I gives dA·A⁻¹ + A·d(A⁻¹) = 0, so d(A⁻¹) = −A⁻¹·dA·A⁻¹.
# The rules call these same primitives (inv, solve, ...) on traced values, so
# second derivatives come out of them like any other. All work on stacks of
# matrices (batch axes first), as NumPy's np.linalg does.

def _tr(x):
    """The trace of each matrix in a stack: Σᵢ xᵢᵢ."""
    d = _diagonal(x)
    return reduce_sum(d, axes=(len(shape_of(d)) - 1,), keepdims=False)


def _eye_like(x):
    return np.eye(shape_of(x)[-1])



inv = Primitive(
    "inv", np.linalg.inv,
    jvp=lambda ts, out, a: -(out @ ts[0] @ out),                      # −A⁻¹ Ȧ A⁻¹
    vjp=(lambda g, out, a: -(_mT(out) @ g @ _mT(out)),),              # −A⁻ᵀ Ḡ A⁻ᵀ
    formulas=("−A⁻ᵀ Ḡ A⁻ᵀ",), doc="the matrix inverse A⁻¹", argnames=("A",), saves=("out",),
    domain=("spd",), examples=[(((2, 2),), {}), (((3, 3),), {})],
    convention="a singular A raises LinAlgError, as NumPy")


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
    gb = solve(_mT(a), _column(g, b))                          # b̄ = A⁻ᵀ x̄
    return sum_to_shape(_uncolumn(gb, b), shape_of(b))


def _solve_vjp_a(g, out, a, b):
    gb = solve(_mT(a), _column(g, b))
    return sum_to_shape(-(gb @ _mT(_column(out, b))), shape_of(a))    # Ā = −b̄ xᵀ


solve = Primitive(
    "solve", np.linalg.solve, jvp=_solve_jvp, vjp=(_solve_vjp_a, _solve_vjp_b),
    formulas=("−b̄ xᵀ", "A⁻ᵀ x̄"), doc="x with A x = b", argnames=("A", "b"),
    domain=("spd", (-3, 3)), examples=[(((2, 2), (2,)), {}), (((3, 3), (3,)), {})],
    convention="a singular A raises LinAlgError, as NumPy")


def _det_jvp(ts, out, a):
    return out * _tr(solve(a, ts[0]))                          # d det = det · tr(A⁻¹ Ȧ)


det = Primitive(
    "det", np.linalg.det, jvp=_det_jvp,
    vjp=(lambda g, out, a: (g * out)[..., None, None] * _mT(inv(a)),),   # Ā = ḡ det A⁻ᵀ
    formulas=("det(A) A⁻ᵀ",), doc="the determinant det A", argnames=("A",),
    domain=("spd",), examples=[(((2, 2),), {}), (((3, 3),), {})],
    convention="the gradient det(A)·A⁻ᵀ needs A⁻¹: at a singular A it raises (the value is "
               "NumPy's)")

logabsdet = Primitive(
    "logabsdet", lambda a: np.linalg.slogdet(a)[1],
    jvp=lambda ts, out, a: _tr(solve(a, ts[0])),               # d log|det| = tr(A⁻¹ Ȧ)
    vjp=(lambda g, out, a: g[..., None, None] * _mT(inv(a)),),
    formulas=("A⁻ᵀ",), doc="log |det A|, the second output of slogdet", argnames=("A",),
    saves=("args",),
    domain=("spd",), examples=[(((2, 2),), {}), (((3, 3),), {})],
    convention="at a singular A the value is −inf; the gradient A⁻ᵀ raises")


# Cholesky: A = L Lᵀ with L lower triangular. Differentiating, Ȧ = L̇ Lᵀ + L L̇ᵀ,
# so L⁻¹ Ȧ L⁻ᵀ = L⁻¹L̇ + (L⁻¹L̇)ᵀ, a lower triangular matrix plus its transpose:
# L̇ = L Φ(L⁻¹ Ȧ L⁻ᵀ), where Φ keeps the strict lower part and half the diagonal.

def _phi(x):
    n = shape_of(x)[-1]
    return x * (np.tril(np.ones((n, n)), -1) + 0.5 * np.eye(n))


def _cholesky_jvp(ts, out, a):
    li = inv(out)
    return out @ _phi(li @ ts[0] @ _mT(li))


def _cholesky_vjp(g, out, a):
    # The transpose of the JVP above (with Ȧ symmetric): Ā = ½ L⁻ᵀ Φ(Lᵀ Ḡ) L⁻¹, symmetrized.
    li = inv(out)
    inner = _phi(_mT(out) @ g)
    s = _mT(li) @ inner @ li
    return 0.5 * (s + _mT(s))


cholesky = Primitive(
    "cholesky", np.linalg.cholesky, jvp=_cholesky_jvp, vjp=(_cholesky_vjp,),
    formulas=("L⁻ᵀ Φ(Lᵀ L̄) L⁻¹, symmetrized",), doc="L with A = L Lᵀ (A symmetric)",
    argnames=("A",), saves=("out",),
    domain=("spd",), examples=[(((2, 2),), {}), (((3, 3),), {})],
    convention="A must be symmetric positive definite (else LinAlgError, as NumPy); differs from "
               "JAX: tnp.linalg.cholesky's gradient lands on the lower triangle only (JAX splits "
               "it over both), because NumPy reads only that triangle, so the upper one does not "
               "change the result")


# Symmetric eigendecomposition A = V diag(w) Vᵀ. With Ȧ symmetric and
# F_ij = 1/(w_j − w_i) off the diagonal (0 on it):
#     ẇ = diag(Vᵀ Ȧ V),        V̇ = V (F ∘ (Vᵀ Ȧ V))
# Two primitives, one per output, as every primitive has one output.

def _eigh_f(w):
    n = shape_of(w)[-1]
    off = 1.0 - np.eye(n)
    diff = w[..., None, :] - w[..., :, None]                  # w_j − w_i
    from .elementwise import select
    safe = select(off.astype(bool), diff, 1.0)
    return off / safe


def _eigh_jvp_w(ts, out, a):
    v = eigh_vectors(a)
    return _diagonal(_mT(v) @ ts[0] @ v)


def _eigh_vjp_w(g, out, a):
    v = eigh_vectors(a)
    return (v * g[..., None, :]) @ _mT(v)                      # V diag(ḡ) Vᵀ


def _eigh_jvp_v(ts, out, a):
    w = eigvalsh(a)
    return out @ (_eigh_f(w) * (_mT(out) @ ts[0] @ out))


def _eigh_vjp_v(g, out, a):
    w = eigvalsh(a)
    s = out @ (_eigh_f(w) * (_mT(out) @ g)) @ _mT(out)
    return 0.5 * (s + _mT(s))


def _diagonal(x):
    n = shape_of(x)[-1]
    from .indexing import getitem
    return getitem(x, (Ellipsis, np.arange(n), np.arange(n)))


eigvalsh = Primitive(
    "eigvalsh", lambda a: np.linalg.eigvalsh(a), jvp=_eigh_jvp_w, vjp=(_eigh_vjp_w,),
    formulas=("V diag(w̄) Vᵀ",), doc="eigenvalues of a symmetric A, ascending",
    argnames=("A",), saves=("args",),
    domain=("spd",), examples=[(((2, 2),), {}), (((3, 3),), {})],
    convention="a repeated eigenvalue: the derivative is the average over its eigenvectors' "
               "choice by LAPACK (not unique); differs from JAX: the gradient of "
               "tnp.linalg.eigh/eigvalsh lands on the triangle UPLO names (JAX symmetrizes), "
               "because NumPy reads only that triangle")

eigh_vectors = Primitive(
    "eigh_vectors", lambda a: np.linalg.eigh(a)[1], jvp=_eigh_jvp_v, vjp=(_eigh_vjp_v,),
    formulas=("V (F ∘ Vᵀ V̄) Vᵀ, F_ij = 1/(w_j − w_i)",),
    doc="eigenvectors of a symmetric A (columns, as np.linalg.eigh)", argnames=("A",),
    saves=("args", "out"),
    domain=("spd",), examples=[(((2, 2),), {}), (((3, 3),), {})],
    convention="defined up to sign; a repeated eigenvalue makes the derivative inf or nan (it "
               "divides by w_j − w_i); differs from JAX: tnp.linalg.eigh's gradient lands on the "
               "triangle UPLO names (JAX symmetrizes), because NumPy reads only that triangle")

__all__ += ["inv", "solve", "det", "logabsdet", "cholesky", "eigvalsh", "eigh_vectors"]


# How tg.jit writes the matrix functions: NumPy's own np.linalg.
inv.source = "np.linalg.inv({0})"
solve.source = "np.linalg.solve({0}, {1})"
det.source = "np.linalg.det({0})"
logabsdet.source = "np.linalg.slogdet({0})[1]"
cholesky.source = "np.linalg.cholesky({0})"
eigvalsh.source = "np.linalg.eigvalsh({0})"
eigh_vectors.source = "np.linalg.eigh({0})[1]"


# ---- issue 20: decompositions whose values are NumPy's own ----------------------------
# svd, qr, pinv and eig take their values from np.linalg (LAPACK), so they are as
# accurate as NumPy on ill-conditioned and rank-deficient matrices. Their rules
# are the published ones, cited at each; like eigh above, one primitive per output,
# each rule reading the other outputs through the primitives (so it is traced, and
# higher derivatives come out of it). np.linalg works on stacks of matrices, so a
# batch of examples is one more leading axis: one call for the whole batch.

def _stacked_batch(primitive):
    """vmap: the examples' axis first; np.linalg treats leading axes as a stack."""
    return lambda dims, a, **params: (primitive.bind(moveaxis(a, dims[0], 0), **params), 0)


def _rows(v):                  # v as a row per matrix (scales columns): v[..., None, :]
    return v[..., None, :]


def _cols(v):                  # v as a column per matrix (scales rows): v[..., :, None]
    return v[..., :, None]


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
    return svd_u(a, full=False), svd_values(a), _mT(svd_vt(a, full=False))


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
    ds = _mT(u) @ ts[0] @ v                                        # dS = Uᵀ Ȧ V
    du = u @ (_svd_f(s) * (ds * _rows(s) + _cols(s) * _mT(ds)))
    if shape_of(a)[-2] > shape_of(a)[-1]:
        dav = ts[0] @ v
        du = du + (dav - u @ (_mT(u) @ dav)) / _rows(s)
    return du


def _svd_u_vjp(g, out, a, full):
    _svd_full_check(a, full)
    u, s, v = _svd_parts(a)
    y = _svd_f(s) * (_mT(u) @ g)
    ga = u @ ((y + _mT(y)) * _rows(s)) @ _mT(v)
    if shape_of(a)[-2] > shape_of(a)[-1]:
        ga = ga + ((g - u @ (_mT(u) @ g)) / _rows(s)) @ _mT(v)
    return ga


def _svd_vt_jvp(ts, out, a, full):
    _svd_full_check(a, full)
    u, s, v = _svd_parts(a)
    ds = _mT(u) @ ts[0] @ v
    dv = v @ (_svd_f(s) * (_cols(s) * ds + _mT(ds) * _rows(s)))
    if shape_of(a)[-1] > shape_of(a)[-2]:
        dau = _mT(ts[0]) @ u
        dv = dv + (dau - v @ (_mT(v) @ dau)) / _rows(s)
    return _mT(dv)


def _svd_vt_vjp(g, out, a, full):
    _svd_full_check(a, full)
    u, s, v = _svd_parts(a)                                        # g is Vᵀ's cotangent
    z = _svd_f(s) * (_mT(v) @ _mT(g))
    ga = u @ (_cols(s) * (z + _mT(z))) @ _mT(v)
    if shape_of(a)[-1] > shape_of(a)[-2]:
        ga = ga + u @ ((g - (g @ v) @ _mT(v)) / _cols(s))
    return ga


# well conditioned (the tests add 3, 5, 7… to the diagonal: distinct singular values)
WIDE_TALL_SQUARE = ((2, 3), (3, 2), (2, 2))

svd_values = Primitive(
    "svd_values", lambda a: np.linalg.svd(a, compute_uv=False),
    jvp=lambda ts, out, a: _diagonal(_mT(svd_u(a, full=False)) @ ts[0]
                                     @ _mT(svd_vt(a, full=False))),          # ṡ = diag(Uᵀ Ȧ V)
    vjp=(lambda g, out, a: (svd_u(a, full=False) * _rows(g)) @ svd_vt(a, full=False),),
    formulas=("U diag(s̄) Vᵀ",), doc="singular values of A, descending (np.linalg.svd)",
    argnames=("A",), saves=("args",),
    domain=("spread",), examples=[((s,), {}) for s in WIDE_TALL_SQUARE],
    convention="the first derivative is finite everywhere, repeated and zero singular values "
               "included; the second goes through U̇ and V̇, so at a repeated value it is nan, as "
               "JAX")

svd_u = Primitive(
    "svd_u", lambda a, full: np.linalg.svd(a, full_matrices=full)[0],
    jvp=_svd_u_jvp, vjp=(_svd_u_vjp,),
    formulas=("U ((Y + Yᵀ) S) Vᵀ + (I − UUᵀ) Ū S⁻¹ Vᵀ, Y = F ∘ UᵀŪ, F_ij = 1/(s_j² − s_i²)",),
    doc="left singular vectors U of A (columns, np.linalg.svd)", argnames=("A",),
    saves=("args",),
    domain=("spread",), examples=[((s,), dict(full=False)) for s in WIDE_TALL_SQUARE],
    convention="a repeated or (non-square A) zero singular value makes the derivative inf or "
               "nan, as JAX; full_matrices=True of a non-square A has no derivative "
               "(TracegradError, as JAX)")

svd_vt = Primitive(
    "svd_vt", lambda a, full: np.linalg.svd(a, full_matrices=full)[2],
    jvp=_svd_vt_jvp, vjp=(_svd_vt_vjp,),
    formulas=("U (S (Z + Zᵀ)) Vᵀ + U S⁻¹ V̄ᵀ (I − VVᵀ), Z = F ∘ VᵀV̄, F_ij = 1/(s_j² − s_i²)",),
    doc="right singular vectors Vᵀ of A (rows, np.linalg.svd)", argnames=("A",),
    saves=("args",),
    domain=("spread",), examples=[((s,), dict(full=False)) for s in WIDE_TALL_SQUARE],
    convention="a repeated or (non-square A) zero singular value makes the derivative inf or "
               "nan, as JAX; full_matrices=True of a non-square A has no derivative "
               "(TracegradError, as JAX)")


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
    return _mT(solve(_mT(r), _mT(x)))


def _qr_thin_jvp(q, r, dx):
    n = shape_of(r)[-1]
    dx_rinv = _right_solve(dx, r)
    c = _mT(q) @ dx_rinv
    low = c * np.tril(np.ones((n, n)), -1)
    omega = low - _mT(low)
    return q @ (omega - c) + dx_rinv, (c - omega) @ r


def _qr_thin_vjp(q, r, gq, gr):
    n = shape_of(r)[-1]
    M = 0.0
    if gr is not None:
        M = r @ _mT(gr)
    if gq is not None:
        M = M - _mT(gq) @ q
    low = np.tril(np.ones((n, n)), -1)
    sym = M * (low + np.eye(n)) + _mT(M * low)                       # copyltu(M)
    front = q @ sym if gq is None else gq + q @ sym
    return _mT(solve(r, _mT(front)))                                 # (…) R⁻ᵀ


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
    return dq, _glue(dr1, _mT(dq) @ x2 + _mT(q) @ dx2)              # Ṙ₂ = Q̇ᵀX₂ + QᵀẊ₂


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
    gq = add_any((gq, x2 @ _mT(gr2)))                                # R₂ = Qᵀ X₂
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
    argnames=("A",), saves=("args",),
    domain=("spread",), examples=[((s,), dict(mode="reduced")) for s in WIDE_TALL_SQUARE],
    convention="a rank-deficient A makes the derivative inf or nan (R⁻¹), as JAX; "
               "mode='complete' of a tall A has no derivative (TracegradError)")

qr_r = Primitive(
    "qr_r", lambda a, mode: np.linalg.qr(a, mode=mode)[1],
    jvp=lambda ts, out, a, mode: _qr_jvp(ts, a, mode)[1],
    vjp=(lambda g, out, a, mode: _qr_vjp(a, mode, None, g),),
    formulas=("Q copyltu(R R̄ᵀ) R⁻ᵀ",), doc="R of A = Q R, upper triangular (np.linalg.qr)",
    argnames=("A",), saves=("args",),
    domain=("spread",), examples=[((s,), dict(mode="reduced")) for s in WIDE_TALL_SQUARE],
    convention="a rank-deficient A makes the derivative inf or nan (R⁻¹), as JAX")


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
    s = p @ (_mT(p) @ _mT(da))
    t = _mT(da) @ (_mT(p) @ p)
    return -(p @ (da @ p)) + s - s @ (a @ p) + t - p @ (a @ t)


def _pinv_vjp(g, p, a, rcond):
    h = _mT(g) @ (p @ _mT(p))
    k = (_mT(p) @ p) @ _mT(g)
    return -(_mT(p) @ g @ _mT(p)) + h - a @ (p @ h) + k - (k @ p) @ a


pinv = Primitive(
    "pinv", lambda a, rcond: np.linalg.pinv(a, rcond=rcond), jvp=_pinv_jvp, vjp=(_pinv_vjp,),
    formulas=("−Pᵀ P̄ Pᵀ + (I − AP) P̄ᵀ PPᵀ + PᵀP P̄ᵀ (I − PA)",),
    doc="the Moore–Penrose pseudo-inverse A⁺ (np.linalg.pinv)", argnames=("A",),
    domain=("spread",), examples=[((s,), dict(rcond=1e-15)) for s in WIDE_TALL_SQUARE],
    convention="small singular values (≤ rcond·s_max) count as 0, as NumPy; at a rank drop "
               "A⁺ jumps: the derivative (Golub–Pereyra, as JAX) is along matrices of the same "
               "rank")


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
    inner = _eig_f(w) * (_mT(v) @ (g - v * d))
    return solve(_mT(v), inner @ _mT(v))                               # V⁻ᵀ (…) Vᵀ


eig_values = Primitive(
    "eig_values", _eig_w,
    jvp=lambda ts, out, a: _diagonal(solve(eig_vectors(a), ts[0] @ eig_vectors(a))),
    vjp=(lambda g, out, a: solve(_mT(eig_vectors(a)), _cols(g) * _mT(eig_vectors(a))),),
    formulas=("V⁻ᵀ diag(w̄) Vᵀ",), doc="eigenvalues of A, all real (np.linalg.eig)",
    argnames=("A",), saves=("args",),
    domain=("real eigenvalues",), examples=[(((2, 2),), {}), (((3, 3),), {})],
    convention="complex eigenvalues are refused (TracegradError: tracegrad is real-only); a "
               "repeated eigenvalue makes the eigenvectors' derivative inf or nan, as JAX")

eig_vectors = Primitive(
    "eig_vectors", _eig_v, jvp=_eig_vectors_jvp, vjp=(_eig_vectors_vjp,),
    formulas=("V⁻ᵀ (F ∘ Vᵀ(V̄ − V diag(VᵀV̄))) Vᵀ, F_ij = 1/(w_j − w_i)",),
    doc="eigenvectors of A, unit columns (np.linalg.eig, real eigenvalues)",
    argnames=("A",), saves=("args", "out"),
    domain=("real eigenvalues",), examples=[(((2, 2),), {}), (((3, 3),), {})],
    convention="unit columns, as NumPy; derivative for distinct real eigenvalues (it divides by "
               "w_j − w_i: inf or nan at a repeated one, as JAX)")


# The Euclidean norm ‖x‖ = √(Σ x²) over ``axes``, as one primitive so that its
# convention at 0 is one rule, with no Python branch on the values (vmap and jit
# see the same program for every example). Its derivative x/‖x‖ is 0/0 at x = 0;
# tracegrad takes 0 there (a subgradient, which gradient descent can use), where
# JAX's composition √(Σ x²) gives nan.

def _norm2_direction(out, x, axes, keepdims):
    """x/‖x‖, and 0 where ‖x‖ = 0 (x is 0 there)."""
    n = out if keepdims else reshape(out, shape=kept_shape(shape_of(x), axes))
    zero = concrete(n) == 0
    from .elementwise import select
    return select(zero, 0.0, x / select(zero, 1.0, n))


def _norm2_vjp(g, out, x, axes, keepdims):
    if not keepdims:
        g = reshape(g, shape=kept_shape(shape_of(x), axes))
    return g * _norm2_direction(out, x, axes, keepdims)


norm2 = Primitive(
    "norm2", lambda x, axes, keepdims: np.sqrt(np.sum(np.square(x), axis=axes,
                                                      keepdims=keepdims)),
    jvp=lambda ts, out, x, axes, keepdims: reduce_sum(
        ts[0] * _norm2_direction(out, x, axes, keepdims), axes=axes, keepdims=keepdims),
    vjp=(_norm2_vjp,), formulas=("x/‖x‖ (0 at x = 0)",),
    doc="the Euclidean norm √(Σ x²) over ``axes`` (a tuple, or None for all)",
    source="np.sqrt(np.sum(np.square({0}), axis={axes}, keepdims={keepdims}))",
    domain=((-3, 3, [0.0], 0.1),),           # away from x = 0, where ‖x‖ has a kink
    examples=[(((2, 3),), dict(axes=(1,), keepdims=False)), (((2, 3),), dict(axes=None,
              keepdims=True)), (((2, 1, 3),), dict(axes=(0, 2), keepdims=False)),
              (((3,),), dict(axes=(0,), keepdims=False))],
    convention="norm′(0) = 0; differs from JAX (nan there, from √′(0)·0) because 0 is a "
               "subgradient: a descent through a norm that reaches 0 keeps going instead of "
               "turning every value into nan")
norm2.batch = reduction_batch(norm2)

__all__ += ["svd_values", "svd_u", "svd_vt", "qr_q", "qr_r", "pinv", "eig_values",
            "eig_vectors", "norm2"]

for _p in (inv, det, logabsdet, cholesky, eigvalsh, eigh_vectors, svd_values, svd_u, svd_vt,
           qr_q, qr_r, pinv, eig_values, eig_vectors):
    _p.batch = _stacked_batch(_p)

svd_values.source = "np.linalg.svd({0}, compute_uv=False)"
svd_u.source = "np.linalg.svd({0}, full_matrices={full})[0]"
svd_vt.source = "np.linalg.svd({0}, full_matrices={full})[2]"
qr_q.source = "np.linalg.qr({0}, mode={mode})[0]"
qr_r.source = "np.linalg.qr({0}, mode={mode})[1]"
pinv.source = "np.linalg.pinv({0}, rcond={rcond})"
eig_values.source = "eig_values({0})"        # its impl, with the refusal
eig_vectors.source = "eig_vectors({0})"
