"""Linear algebra: matmul (and batch_matmul) and einsum.

For ``C = A @ B`` the chain rule gives the two matrix products every
backpropagation derivation ends with:

    Ā = C̄ @ Bᵀ        B̄ = Aᵀ @ C̄

A 1-D operand is treated as a row (left) or a column (right) matrix, as
NumPy does, and batch axes that broadcast are summed back by ``unbroadcast``.
"""
import numpy as np

from ..core import Primitive, TracegradError, add_any, shape_of
from .shape import moveaxis, reduce_sum, reshape, sum_to_shape, transpose

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
                   saves=("args",), source=_matmul_source)


def batch_matmul(lhs, rhs):
    """``lhs @ rhs`` over a leading batch axis, as ``jax.lax.batch_matmul``."""
    sl, sr = shape_of(lhs), shape_of(rhs)
    if len(sl) < 3 or sl[:-2] != sr[:-2]:
        raise ValueError(f"batch_matmul: both operands need the same batch axes and two "
                         f"matrix axes, but the shapes are {sl} and {sr}.")
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
                   f"np.einsum({params['spec']!r}, {', '.join(args)})")


def normalize_spec(spec, n_operands):
    """'ij,jk' → 'ij,jk->ik' (NumPy's implicit output), checked for what we support."""
    spec = spec.replace(" ", "")
    if "." in spec:
        raise TracegradError("einsum: '...' (ellipsis) is not supported; write out the "
                             "axes with letters, e.g. 'bij,bjk->bik'.")
    ins = spec.split("->")[0].split(",")
    if len(ins) != n_operands:
        raise ValueError(f"einsum: the subscripts {spec!r} name {len(ins)} operand(s), "
                         f"but {n_operands} were given.")
    if "->" not in spec:
        letters = "".join(ins)
        spec += "->" + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    for sub in ins:
        if len(set(sub)) != len(sub):
            raise TracegradError(f"einsum: the subscript {sub!r} repeats an index (a "
                                 f"diagonal); that is not supported. Use tnp.diagonal-free "
                                 f"forms, e.g. multiply by an identity matrix.")
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
# ---- matrix functions (issue 13): inverse, solve, determinants, factorizations -------
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
    formulas=("−A⁻ᵀ Ḡ A⁻ᵀ",), doc="the matrix inverse A⁻¹", argnames=("A",), saves=("out",))


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
    formulas=("−b̄ xᵀ", "A⁻ᵀ x̄"), doc="x with A x = b", argnames=("A", "b"))


def _det_jvp(ts, out, a):
    return out * _tr(solve(a, ts[0]))                          # d det = det · tr(A⁻¹ Ȧ)


det = Primitive(
    "det", np.linalg.det, jvp=_det_jvp,
    vjp=(lambda g, out, a: (g * out)[..., None, None] * _mT(inv(a)),),   # Ā = ḡ det A⁻ᵀ
    formulas=("det(A) A⁻ᵀ",), doc="the determinant det A", argnames=("A",))

logabsdet = Primitive(
    "logabsdet", lambda a: np.linalg.slogdet(a)[1],
    jvp=lambda ts, out, a: _tr(solve(a, ts[0])),               # d log|det| = tr(A⁻¹ Ȧ)
    vjp=(lambda g, out, a: g[..., None, None] * _mT(inv(a)),),
    formulas=("A⁻ᵀ",), doc="log |det A|, the second output of slogdet", argnames=("A",),
    saves=("args",))


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
    argnames=("A",), saves=("out",))


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
    argnames=("A",), saves=("args",))

eigh_vectors = Primitive(
    "eigh_vectors", lambda a: np.linalg.eigh(a)[1], jvp=_eigh_jvp_v, vjp=(_eigh_vjp_v,),
    formulas=("V (F ∘ Vᵀ V̄) Vᵀ, F_ij = 1/(w_j − w_i)",),
    doc="eigenvectors of a symmetric A (columns, as np.linalg.eigh)", argnames=("A",),
    saves=("args", "out"))

__all__ += ["inv", "solve", "det", "logabsdet", "cholesky", "eigvalsh", "eigh_vectors"]


# How tg.jit writes the matrix functions: NumPy's own np.linalg.
inv.source = "np.linalg.inv({0})"
solve.source = "np.linalg.solve({0}, {1})"
det.source = "np.linalg.det({0})"
logabsdet.source = "np.linalg.slogdet({0})[1]"
cholesky.source = "np.linalg.cholesky({0})"
eigvalsh.source = "np.linalg.eigvalsh({0})"
eigh_vectors.source = "np.linalg.eigh({0})[1]"
