"""``tg.vmap``: in_axes and out_axes, nesting with every transformation, errors, jit.

Every result is checked against an explicit Python loop over the examples
(or a closed form); the primitives one by one are in test_vmap_primitives.py.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.numpy as tnp
from tracegrad import TracegradError, nn

from . import strategies as S
from .numeric import EXACT_TOL, GRAD_TOL, assert_close, num_grad
from .programs import loss_fun as mlp_loss
from .programs import mlp_problem

TOL = dict(rtol=1e-12, atol=1e-12)


def loop(fun, *args, axes=None):
    """``np.stack([fun(example) ...])``: the meaning of ``vmap(fun)``, written out."""
    axes = axes or (0,) * len(args)
    size = next(np.shape(a)[ax] for a, ax in zip(args, axes, strict=True) if ax is not None)
    return np.stack([fun(*[a if ax is None else np.take(a, b, axis=ax)
                           for a, ax in zip(args, axes, strict=True)]) for b in range(size)])


def f(x, y):
    return tnp.sum(tnp.tanh(x) * y) + tnp.sum(x ** 2)


# --- in_axes and out_axes ------------------------------------------------------------


@pytest.mark.parametrize("in_axes", [0, 1, -1, (0, None), (None, 1), (1, 0), [0, -1]])
def test_in_axes_ints_and_none(in_axes, rng):
    spec = in_axes if isinstance(in_axes, (tuple, list)) else (in_axes, in_axes)
    x = rng.normal(size=(4, 4)) if spec[0] is not None else rng.normal(size=4)
    y = rng.normal(size=(4, 4)) if spec[1] is not None else rng.normal(size=4)
    assert_close(tg.vmap(f, in_axes=in_axes)(x, y), loop(f, x, y, axes=spec), **TOL)


def test_in_axes_pytree_prefixes(rng):
    params = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=(5, 2))}   # b per example
    xs = rng.normal(size=(5, 3))

    def layer(p, x):
        return tnp.tanh(x @ p["W"] + p["b"])
    got = tg.vmap(layer, in_axes=({"W": None, "b": 0}, 0))(params, xs)
    want = np.stack([np.tanh(xs[i] @ params["W"] + params["b"][i]) for i in range(5)])
    assert_close(got, want, **TOL)
    pair = (rng.normal(size=(5, 3)), rng.normal(size=(5, 3)))   # one int for a whole tuple
    got = tg.vmap(lambda ab, c: ab[0] * ab[1] + c, in_axes=(0, None))(pair, 1.0)
    assert_close(got, pair[0] * pair[1] + 1.0, **TOL)


def test_keyword_arguments_are_mapped_over_axis_0(rng):
    x, y = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    assert_close(tg.vmap(f)(x, y=y), loop(f, x, y), **TOL)


@pytest.mark.parametrize("out_axes", [0, 1, -1])
def test_out_axes_int(out_axes, rng):
    x = rng.normal(size=(5, 3, 2))
    got = tg.vmap(lambda a: tnp.sin(a) * 2.0, out_axes=out_axes)(x)
    assert_close(got, np.moveaxis(np.sin(x) * 2.0, 0, out_axes), **TOL)


def test_out_axes_pytree_and_none_for_shared_outputs(rng):
    x, W = rng.normal(size=(5, 3)), rng.normal(size=(3, 2))

    def fun(a):
        return {"h": a @ W, "hT": tnp.outer(a, a), "W": W * 2.0}
    out = tg.vmap(fun, out_axes={"h": 1, "hT": 0, "W": None})(x)
    assert_close(out["h"], (x @ W).T, **TOL)
    assert_close(out["hT"], np.einsum("bi,bj->bij", x, x), **TOL)
    assert_close(out["W"], W * 2.0, **TOL)                  # returned once, not per example


def test_an_output_shared_by_all_examples_is_copied_as_jax_does(rng):
    x = rng.normal(size=(4, 3))
    ones, same = tg.vmap(lambda a: (np.ones(2), 7.0))(x)
    assert_close(ones, np.ones((4, 2)), **TOL)
    assert_close(same, np.full(4, 7.0), **TOL)
    assert_close(tg.vmap(lambda a: np.ones(2), out_axes=1)(x), np.ones((2, 4)), **TOL)


def test_python_branch_on_a_value_all_examples_agree_on(rng):
    x = np.abs(rng.normal(size=(4, 3))) + 0.1

    def fun(a):
        if tnp.all(a > 0):                   # true for every example: fine
            return tnp.log(a)
        return a
    assert_close(tg.vmap(fun)(x), np.log(x), **TOL)


def test_masks_and_where_choose_per_example(rng):
    x = rng.normal(size=(6, 4))
    got = tg.vmap(lambda a: tnp.where((a > 0) & (a < 1), a, -a) + nn.relu(a))(x)
    assert_close(got, np.where((x > 0) & (x < 1), x, -x) + np.maximum(x, 0), **TOL)


# --- nesting --------------------------------------------------------------------------


def mlp(rng):
    """The lecture's network (sizes 3, 5, 4, 2), its parameters only."""
    return mlp_problem(seed=int(rng.integers(1000)))[0]


def test_per_example_gradients_of_the_lecture_mlp_match_a_loop_of_grads(rng):
    params, xs, ys = mlp(rng), rng.normal(size=(7, 3)), rng.normal(size=(7, 2))
    got = tg.vmap(tg.grad(mlp_loss), in_axes=(None, 0, 0))(params, xs, ys)
    for b in range(7):
        want = tg.grad(mlp_loss)(params, xs[b], ys[b])
        for (gW, gb), (wW, wb) in zip(got, want, strict=True):
            assert_close(gW[b], wW, **TOL)
            assert_close(gb[b], wb, **TOL)


def test_grad_of_a_function_that_uses_vmap(rng):
    params, xs, ys = mlp(rng), rng.normal(size=(7, 3)), rng.normal(size=(7, 2))

    def batch_loss(p):
        return tnp.mean(tg.vmap(mlp_loss, in_axes=(None, 0, 0))(p, xs, ys))
    got = tg.grad(batch_loss)(params)
    grads = [tg.grad(mlp_loss)(params, xs[b], ys[b]) for b in range(7)]
    for k, (gW, gb) in enumerate(got):
        assert_close(gW, np.mean([g[k][0] for g in grads], axis=0), **TOL)
        assert_close(gb, np.mean([g[k][1] for g in grads], axis=0), **TOL)


def test_vmap_closes_over_the_tracer_of_an_outer_grad(rng):
    xs, w = rng.normal(size=(5, 3)), rng.normal(size=3)

    def outer(w):
        return tnp.sum(tg.vmap(lambda x: tnp.sin(w * x) * tnp.where(x > 0, w, 1.0))(xs))
    want = np.sum(np.cos(w * xs) * xs * np.where(xs > 0, w, 1.0)
                  + np.sin(w * xs) * (xs > 0), axis=0)
    assert_close(tg.grad(outer)(w), want, **TOL)


def test_jvp_and_vjp_of_vmap_and_vmap_of_them(rng):
    x, v = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))

    def g(a):
        return tnp.tanh(a) * tnp.sum(a ** 2)
    out, tangent = tg.jvp(tg.vmap(g), (x,), (v,))
    assert_close(tangent, loop(lambda a, t: tg.jvp(g, (a,), (t,))[1], x, v), **TOL)
    got = tg.vmap(lambda a, t: tg.jvp(g, (a,), (t,))[1])(x, v)
    assert_close(got, tangent, **TOL)
    _, pullback = tg.vjp(tg.vmap(g), x)
    assert_close(pullback(v)[0], loop(lambda a, c: tg.vjp(g, a)[1](c)[0], x, v), **TOL)
    got = tg.vmap(lambda a, c: tg.vjp(g, a)[1](c)[0])(x, v)
    assert_close(got, pullback(v)[0], **TOL)


@pytest.mark.parametrize("jac", [tg.jacfwd, tg.jacrev, tg.hessian])
def test_jacobians_of_vmap_and_vmap_of_jacobians(jac, rng):
    x = rng.normal(size=(3, 2))

    def g(a):
        return tnp.sum(tnp.sin(a) * a[::-1])
    per_example = tg.vmap(jac(g))(x)
    assert_close(per_example, loop(jac(g), x), **TOL)
    if jac is not tg.hessian:                # the Jacobian of the whole batch: block diagonal
        J = jac(tg.vmap(g))(x)
        assert_close(J, np.einsum("bi,bc->bci", per_example, np.eye(3)), **TOL)


def test_vmap_of_vmap_with_different_axes(rng):
    A, B = rng.normal(size=(2, 3, 4)), rng.normal(size=(4, 5))

    def row_times(a, b):                     # one row a (4,), one column b (4,)
        return tnp.sum(nn.relu(a) * b)
    inner = tg.vmap(row_times, in_axes=(None, 1))          # over B's columns
    got = tg.vmap(tg.vmap(inner, in_axes=(0, None)), in_axes=(0, None))(A, B)
    assert_close(got, np.maximum(A, 0) @ B, **TOL)
    got = tg.vmap(tg.vmap(tnp.max, in_axes=1), in_axes=2)(A)   # max over axis 0, per (j, k)
    assert_close(got, np.max(A, axis=0).T, **TOL)


def test_per_example_hessians_match_the_closed_form(rng):
    A = rng.normal(size=(3, 3))
    xs = rng.normal(size=(4, 3))

    def g(x):                                # H = Aᵀ diag(tanh″(Ax)) A + 2I
        return tnp.sum(tnp.tanh(A @ x)) + tnp.sum(x ** 2)
    H = tg.vmap(tg.hessian(g))(xs)
    for b in range(4):
        t = np.tanh(A @ xs[b])
        assert_close(H[b], (A.T * (-2 * t * (1 - t * t))) @ A + 2 * np.eye(3), **EXACT_TOL)


@pytest.mark.parametrize("vectorize", [True, False])
def test_jacobians_by_both_methods_agree_on_pytrees(vectorize, rng):
    x = {"a": rng.normal(size=(2,)), "b": rng.normal(size=(2, 2))}

    def g(p):
        return (tnp.sin(p["a"]) @ p["b"], tnp.sum(p["b"] ** 2))
    for jac in (tg.jacfwd, tg.jacrev):
        got = jac(g, vectorize=vectorize)(x)
        want = tg.jacrev(g, vectorize=not vectorize)(x)
        for gl, wl in zip(tg.tree_leaves(got), tg.tree_leaves(want), strict=True):
            assert_close(gl, wl, **TOL)


# --- errors: they name the problem and the fix, and the next call works -----------------


def _works_after(error, match, call):
    with pytest.raises(error, match=match):
        call()
    x = np.arange(6.0).reshape(3, 2)
    assert_close(tg.vmap(tnp.sum)(x), x.sum(1), **TOL)


def test_mismatched_batch_sizes():
    v = tg.vmap(lambda a, b: a + b)
    _works_after(ValueError, r"different numbers of examples: argument 0 has 3 .*"
                 r"argument 1 has 4 .*use None in in_axes",
                 lambda: v(np.ones((3, 2)), np.ones((4, 2))))


def test_in_axes_out_of_range():
    _works_after(ValueError, r"in_axes 2 is out of range for argument 0, of shape \(3, 2\); "
                 r"use an axis from -2 to 1", lambda: tg.vmap(tnp.sum, in_axes=2)(np.ones((3, 2))))
    _works_after(ValueError, r"a scalar has no axis to map over",
                 lambda: tg.vmap(tnp.sin)(1.0))


def test_in_axes_of_the_wrong_structure():
    _works_after(ValueError, r"in_axes has 1 entries but the function was called with 2 "
                 r"positional argument\(s\); give one entry per argument",
                 lambda: tg.vmap(lambda a, b: a * b, in_axes=(0,))(np.ones(3), np.ones(3)))
    _works_after(ValueError, r"in_axes\[0\] is \{'a': 0\}, which does not match the structure "
                 r"of argument 0", lambda: tg.vmap(lambda p: p["a"] + p["b"], in_axes=(
                     {"a": 0},))({"a": np.ones(3), "b": np.ones(3)}))
    _works_after(TypeError, r"an axis must be an int or None",
                 lambda: tg.vmap(tnp.sin, in_axes="0"))
    _works_after(ValueError, r"no input is mapped",
                 lambda: tg.vmap(tnp.sin, in_axes=None)(np.ones(3)))


def test_out_axes_none_for_a_batched_output():
    _works_after(ValueError, r"out_axes is None for the output, but it differs from example "
                 r"to example.*int out_axes", lambda: tg.vmap(tnp.sin, out_axes=None)(np.ones(3)))
    _works_after(ValueError, r"out_axes 3 is out of range",
                 lambda: tg.vmap(tnp.sin, out_axes=3)(np.ones((3, 2))))


def test_a_python_branch_the_examples_disagree_on():
    def fun(a):
        return a if a > 0 else -a
    _works_after(TracegradError, r"bool\(\) of a batched value at test_vmap.py:\d+.*examples "
                 r"disagree: it is .* for example 0 and .* for example 1.*tnp\.where",
                 lambda: tg.vmap(fun)(np.array([1.0, -1.0])))
    assert_close(tg.vmap(lambda a: tnp.where(a > 0, a, -a))(np.array([1.0, -1.0])),
                 [1.0, 1.0], **TOL)


def test_a_branch_in_library_code_is_not_blamed_on_the_user():
    # tracegrad's own functions never branch on a batched value (test_vmap_everything.py
    # runs them all); if one did, the error must say so rather than point at a user's `if`.
    library = {"__name__": "tracegrad.numpy.somewhere"}
    exec("def absolute(a):\n    return a if a > 0 else -a\n", library)
    _works_after(TracegradError, r"tracegrad's own code \(tracegrad\.numpy\.somewhere, "
                 r".*This is a bug in tracegrad, not in your code",
                 lambda: tg.vmap(library["absolute"])(np.array([1.0, -1.0])))


def test_tracers_say_they_are_batches():
    seen = []
    tg.vmap(lambda a: seen.append(repr(a)) or a)(np.ones((4, 2)))
    assert re.search(r"\(batched: f64\[2\] per example, 4 examples, vmap", seen[0]), seen[0]


# --- jit -------------------------------------------------------------------------------


def test_jit_of_vmap_compiles_to_plain_numpy(rng):
    xs, W = rng.normal(size=(5, 3)), rng.normal(size=(3, 2))
    per_example = tg.vmap(tg.grad(lambda w, x: tnp.sum(nn.relu(x @ w) ** 2)), in_axes=(None, 0))
    jf = tg.jit(per_example)
    want = per_example(W, xs)
    assert_close(jf(W, xs), want, **TOL)
    assert_close(jf(W, xs + 1.0), per_example(W, xs + 1.0), **TOL)   # the compiled version
    assert jf.cache_info().hits >= 1
    source = jf.source(W, xs)
    assert "np." in source and "Batch" not in source and "tracegrad" not in source, source


def test_vmap_inside_jitted_code(rng):
    xs = rng.normal(size=(4, 3))

    @tg.jit
    def hessians(xs):
        return tg.vmap(tg.hessian(lambda x: tnp.sum(tnp.sin(x) * x[0])))(xs)
    want = loop(tg.hessian(lambda x: tnp.sum(tnp.sin(x) * x[0])), xs)
    assert_close(hessians(xs), want, **TOL)
    assert_close(hessians(xs * 2.0),
                 loop(tg.hessian(lambda x: tnp.sum(tnp.sin(x) * x[0])), xs * 2.0), **TOL)


def test_rules_with_masks_where_the_examples_differ():
    # pow's rule takes a shortcut when no x = y = 0; here only some examples have one.
    x, y = np.array([0.0, 1.5, 0.0]), np.array([0.0, 2.0, 1.0])
    d = tg.grad(lambda a, b: a ** b, argnums=(0, 1))
    got = tg.vmap(d)(x, y)
    for k in range(2):
        assert_close(got[k], [d(a, b)[k] for a, b in zip(x, y, strict=True)], **TOL)


@pytest.mark.parametrize("fun", [nn.softmax, nn.log_softmax, nn.logsumexp, nn.relu,
                                 nn.sigmoid, nn.softplus])
def test_the_nn_functions_and_their_jacobians_per_example(fun, rng):
    xs = rng.normal(size=(4, 3))
    assert_close(tg.vmap(fun)(xs), loop(fun, xs), **TOL)
    assert_close(tg.vmap(tg.jacrev(fun))(xs), loop(tg.jacrev(fun, vectorize=False), xs), **TOL)


# --- sorting and order statistics (issue 20) ---------------------------------------------
# Each per example picks its own order: argsort's positions differ from example to example.

ORDER_FUNS = {
    "sort": lambda a: tnp.sort(a),
    "sort-axis0": lambda a: tnp.sort(a, axis=0),
    "sort-flat": lambda a: tnp.sort(a, axis=None),
    "argsort+take_along_axis": lambda a: tnp.take_along_axis(a, tnp.argsort(a, axis=0), 0),
    "partition": lambda a: tnp.partition(a, 1),
    "median": lambda a: tnp.median(a),
    "median-axis": lambda a: tnp.median(a, axis=-1),
    "quantile": lambda a: tnp.quantile(a, [0.1, 0.75], axis=0),
    "percentile": lambda a: tnp.percentile(a, 40.0, keepdims=True),
}
NP_ORDER_FUNS = {
    "sort": np.sort, "sort-axis0": lambda a: np.sort(a, axis=0),
    "sort-flat": lambda a: np.sort(a, axis=None),
    "argsort+take_along_axis": lambda a: np.take_along_axis(a, np.argsort(a, axis=0), 0),
    "partition": lambda a: np.partition(a, 1), "median": np.median,
    "median-axis": lambda a: np.median(a, axis=-1),
    "quantile": lambda a: np.quantile(a, [0.1, 0.75], axis=0),
    "percentile": lambda a: np.percentile(a, 40.0, keepdims=True),
}


@pytest.mark.parametrize("name", sorted(ORDER_FUNS))
@pytest.mark.parametrize("axis", [0, 1])
def test_sorting_and_order_statistics_per_example(name, axis, rng):
    xs = rng.permutation(48).reshape(4, 3, 4) / 10.0   # 0.1 apart: no ties within a step
    fun, np_fun = ORDER_FUNS[name], NP_ORDER_FUNS[name]
    assert_close(tg.vmap(fun, in_axes=axis)(xs), loop(np_fun, xs, axes=(axis,)), **TOL)
    weights = rng.normal(size=np.shape(np_fun(np.take(xs, 0, axis=axis))))

    def total(a):                                    # every output element counts
        return tnp.sum(fun(a) * weights)

    def np_total(a):
        return np.sum(np_fun(a) * weights)
    want = loop(lambda a: num_grad(np_total, a), xs, axes=(axis,))
    assert_close(tg.vmap(tg.grad(total), in_axes=axis)(xs), want, **GRAD_TOL)
    got = tg.grad(lambda x: tnp.sum(tg.vmap(total, in_axes=axis)(x)))(xs)
    assert_close(np.moveaxis(got, axis, 0), want, **GRAD_TOL)


PICKS = {   # positions computed per example, used to pick: x[i], x[i, ...], tnp.take
    "x[argmax]": (lambda a: a[tnp.argmax(a[:, 0])], lambda a: a[np.argmax(a[:, 0])]),
    "x[argsort, :]": (lambda a: a[tnp.argsort(a[:, 1]), :], lambda a: a[np.argsort(a[:, 1]), :]),
    "x[argmin, ...]": (lambda a: a[tnp.argmin(a[:, 0]), ...], lambda a: a[np.argmin(a[:, 0])]),
    "take axis 1": (lambda a: tnp.take(a, tnp.argsort(a[0]), axis=1),
                    lambda a: np.take(a, np.argsort(a[0]), axis=1)),
    "take a scalar": (lambda a: tnp.take(a, tnp.argmax(a[:, 1]), axis=0),
                      lambda a: np.take(a, np.argmax(a[:, 1]), axis=0)),
}


@pytest.mark.parametrize("name", sorted(PICKS))
def test_picking_at_positions_computed_per_example(name, rng):
    fun, np_fun = PICKS[name]
    xs = rng.permutation(24).reshape(3, 4, 2) / 10.0
    assert_close(tg.vmap(fun)(xs), loop(np_fun, xs), **TOL)
    w = rng.normal(size=np.shape(np_fun(xs[0])))
    want = loop(lambda a: num_grad(lambda b: np.sum(np_fun(b) * w), a), xs)
    assert_close(tg.vmap(tg.grad(lambda a: tnp.sum(fun(a) * w)))(xs), want, **GRAD_TOL)
    assert_close(tg.grad(lambda a: tnp.sum(tg.vmap(fun)(a) * w))(xs), want, **GRAD_TOL)
    jf = tg.jit(tg.vmap(fun))
    for x in (xs, -xs):                              # the second call: other positions
        assert_close(jf(x), loop(np_fun, x), **TOL)


def test_positions_per_example_elsewhere_in_an_index_say_what_works():
    _works_after(TracegradError, r"integers computed per example .* x\[i\] or x\[i, :\].*"
                 r"tnp\.take\(x, i, axis\)",
                 lambda: tg.vmap(lambda a: a[:, tnp.argmax(a[0])])(np.ones((3, 2, 2))))


def test_sorting_per_example_under_jit_on_later_calls(rng):
    f = tg.jit(tg.vmap(lambda a: tnp.median(a) + tnp.sort(a)[0]))
    for _ in range(3):                               # the first call traces, later ones reuse
        xs = rng.normal(size=(5, 4))
        assert_close(f(xs), np.median(xs, axis=1) + np.sort(xs, axis=1)[:, 0], **TOL)


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_order_statistics_per_example_with_ties_and_nan(data):
    shape = data.draw(S.shapes(min_dims=1, max_dims=2), label="shape")
    size = data.draw(st.integers(1, 3), label="batch")
    values = st.sampled_from([0.0, 1.0, -2.0, 0.5, np.nan])   # ties and nan
    xs = np.stack([data.draw(S.arrays(shape, values)) for _ in range(size)])
    name = data.draw(st.sampled_from(sorted(ORDER_FUNS)), label="function")
    assume(name not in ("partition",) or shape[-1] >= 2)
    want = loop(NP_ORDER_FUNS[name], xs)
    got = tg.vmap(ORDER_FUNS[name])(xs)
    assert np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)   # nan where NumPy's is nan


# --- lax control flow with a predicate per example (issue 20) --------------------------


def _np_loop(x):
    """The reference for ``_while``: a plain Python loop on one example."""
    i, v = x, x
    while i < 3.0:
        i, v = i + 1.0, v * 1.5 + np.sin(i)
    return v


def _while(x):
    return tg.lax.while_loop(lambda iv: iv[0] < 3.0,
                             lambda iv: (iv[0] + 1.0, iv[1] * 1.5 + tnp.sin(iv[0])), (x, x))[1]


BRANCHES = [tnp.sin, lambda a: a ** 3, lambda a: 2.0 - a]
NP_BRANCHES = [np.sin, lambda a: a ** 3, lambda a: 2.0 - a]
CONTROL = {
    "cond": (lambda x: tg.lax.cond(x > 0.5, tnp.sin, lambda a: a ** 3, x),
             lambda x: np.sin(x) if x > 0.5 else x ** 3),
    "switch": (lambda x: tg.lax.switch(tnp.floor(x).astype(int), BRANCHES, x),
               lambda x: NP_BRANCHES[int(np.clip(np.floor(x), 0, 2))](x)),
    "while_loop": (_while, _np_loop),
    "fori_loop": (lambda x: tg.lax.fori_loop(0, tnp.floor(x).astype(int) + 2,
                                             lambda i, v: v * tnp.cos(v) + i, x),
                  lambda x: functools.reduce(lambda v, i: v * np.cos(v) + i,
                                             range(int(np.floor(x)) + 2), x)),
}
POINTS = np.array([-1.3, 0.2, 0.7, 1.6, 2.4, 3.5])     # every branch, 0 to 4 turns of the loop


@pytest.mark.parametrize("name", sorted(CONTROL))
def test_control_flow_where_the_examples_disagree(name):
    fun, np_fun = CONTROL[name]
    assert_close(tg.vmap(fun)(POINTS), [np_fun(x) for x in POINTS], **TOL)
    want = [num_grad(np_fun, x) for x in POINTS]
    assert_close(tg.vmap(tg.grad(fun))(POINTS), want, **GRAD_TOL)
    assert_close(tg.grad(lambda x: tnp.sum(tg.vmap(fun)(x)))(POINTS), want, **GRAD_TOL)
    jf = tg.jit(tg.vmap(fun))
    for xs in (POINTS, POINTS[::-1] + 0.25, np.full(6, 0.6)):     # first and later calls
        assert_close(jf(xs), [np_fun(x) for x in xs], **TOL)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")      # the branches not taken warn
def test_a_branch_not_taken_does_not_bring_its_nan_into_the_gradient():
    # sqrt′(−1) and log′ of a negative number are nan; no example here takes them.
    f = lambda x: tg.lax.cond(x > 0, tnp.sqrt, lambda a: -3.0 * a, x)  # noqa: E731
    xs = np.array([-1.0, 4.0])
    want = [-3.0, 0.25]                                     # d/dx of −3x and of √x at 4
    assert_close(tg.vmap(tg.grad(f))(xs), want, **TOL)
    assert_close(tg.grad(lambda x: tnp.sum(tg.vmap(f)(x)))(xs), want, **TOL)
    assert_close(tg.vmap(lambda x: tg.jvp(f, (x,), (1.0,))[1])(xs), want, **TOL)
    assert_close(tg.vmap(tg.grad(tg.grad(f)))(xs), [0.0, -0.25 / 8.0], **TOL)   # √x″ = −¼x^−³ᐟ²
    s = lambda x: tg.lax.switch((x > 0).astype(int) + (x > 3).astype(int),  # noqa: E731
                                [lambda a: a ** 2, tnp.log, tnp.sqrt], x)
    assert_close(tg.vmap(tg.grad(s))(np.array([-2.0, 2.0, 4.0])), [-4.0, 0.5, 0.25], **TOL)
    # a finished example would step into log of a negative number: it is frozen, unharmed
    g = lambda x: tg.lax.while_loop(lambda v: v > 1.0,  # noqa: E731
                                    lambda v: tnp.log(v - 1.5) + 1.0, x)
    got = tg.vmap(tg.grad(g))(np.array([0.5, 5.0]))
    assert_close(got, [1.0, 1.0 / 3.5 / (np.log(3.5) - 0.5)], **TOL)


def test_cond_with_pytree_operands_and_an_unbatched_operand(rng):
    xs, w = rng.normal(size=(5, 3)), rng.normal(size=3)

    def f(x):
        return tg.lax.cond(tnp.sum(x) > 0, lambda a, b: {"s": a * b, "t": tnp.sum(a)},
                           lambda a, b: {"s": a - b, "t": tnp.max(a)}, x, w)
    got = tg.vmap(f)(xs)
    for k, x in enumerate(xs):
        want = {"s": x * w, "t": x.sum()} if x.sum() > 0 else {"s": x - w, "t": x.max()}
        assert_close(got["s"][k], want["s"], **TOL)
        assert_close(got["t"][k], want["t"], **TOL)


def test_cond_branches_of_different_shapes_under_vmap():
    def f(x):
        return tg.lax.cond(x > 0, lambda a: a, lambda a: tnp.stack([a, a]), x)
    _works_after(TypeError, r"cond: the branches .* return shapes \(\) and \(2,\)",
                 lambda: tg.vmap(f)(np.array([1.0, -1.0])))


@settings(max_examples=40, deadline=None)
@given(xs=S.arrays((4,), S.floats(-2, 4)), name=st.sampled_from(sorted(CONTROL)))
def test_control_flow_per_example_matches_a_loop(xs, name):
    fun, np_fun = CONTROL[name]
    assert_close(tg.vmap(fun)(xs), [np_fun(x) for x in xs], **TOL)
    assert_close(tg.vmap(tg.grad(fun))(xs), [tg.grad(fun)(x) for x in xs], **TOL)
