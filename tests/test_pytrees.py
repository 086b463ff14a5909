"""Pytrees: flatten / unflatten / tree_map, and gradients over pytree arguments.

The reference for structure is a small independent walker written here
(``_leaves`` / ``_same_tree``), not the library's own flattening.
"""

from __future__ import annotations

import collections

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.numpy as tnp

from . import strategies as S
from .numeric import EXACT_TOL, GRAD_TOL, assert_close, num_grad

Params = collections.namedtuple("Params", ["w", "b"])


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _leaves(tree, dict_order=sorted):
    """Independent reference walker: leaves left to right, None has no leaves.

    JAX orders dict entries by sorted key; ``dict_order=list`` gives
    insertion order instead.
    """
    if tree is None:
        return []
    if isinstance(tree, dict):
        return [leaf for k in dict_order(tree) for leaf in _leaves(tree[k], dict_order)]
    if isinstance(tree, (list, tuple)):
        return [leaf for child in tree for leaf in _leaves(child, dict_order)]
    return [tree]


def _same_leaf_list(got, expected):
    return len(got) == len(expected) and all(
        g is e or (np.shape(g) == np.shape(e) and np.array_equal(np.asarray(g), np.asarray(e)))
        for g, e in zip(got, expected, strict=True)
    )


def _same_tree(a, b, leaf_eq=None):
    """Same containers (exact types, keys, lengths) and equal leaves."""
    leaf_eq = leaf_eq or (lambda x, y: np.array_equal(np.asarray(x), np.asarray(y))
                          and np.shape(x) == np.shape(y))
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (dict, list, tuple)) or isinstance(b, (dict, list, tuple)):
        if type(a) is not type(b):
            return False
        if isinstance(a, dict):
            return set(a) == set(b) and all(_same_tree(a[k], b[k], leaf_eq) for k in a)
        return len(a) == len(b) and all(_same_tree(x, y, leaf_eq)
                                        for x, y in zip(a, b, strict=True))
    return leaf_eq(a, b)


@S.examples(50)
@given(tree=S.pytrees())
def test_flatten_unflatten_roundtrip(tree):
    leaves, treedef = tg.tree_flatten(tree)
    assert len(leaves) == len(_leaves(tree))
    rebuilt = tg.tree_unflatten(treedef, leaves)
    assert _same_tree(rebuilt, tree)


@S.examples(30)
@given(tree=S.pytrees())
def test_flatten_leaves_are_the_tree_leaves_in_order(tree):
    """Leaves come left to right; dict entries in sorted-key order (JAX)."""
    leaves, _ = tg.tree_flatten(tree)
    assert _same_leaf_list(leaves, _leaves(tree, sorted)), (leaves, _leaves(tree, sorted))


@S.examples(30)
@given(tree=S.pytrees())
def test_unflatten_with_new_leaves_agrees_with_tree_map(tree):
    leaves, treedef = tg.tree_flatten(tree)
    doubled = tg.tree_unflatten(treedef, [np.asarray(v) * 2 for v in leaves])
    assert _same_tree(doubled, tg.tree_map(lambda v: np.asarray(v) * 2, tree))
    assert _same_tree(doubled, _rebuild(tree, lambda v: np.asarray(v) * 2))


def _rebuild(tree, f):
    """Independent reference tree_map (single tree)."""
    if tree is None:
        return None
    if isinstance(tree, dict):
        return {k: _rebuild(v, f) for k, v in tree.items()}
    if _is_namedtuple(tree):
        return type(tree)(*[_rebuild(c, f) for c in tree])
    if isinstance(tree, (list, tuple)):
        return type(tree)(_rebuild(c, f) for c in tree)
    return f(tree)


def test_tree_map_pairs_dict_entries_by_key_not_insertion_order():
    t1 = {"a": 1.0, "b": 2.0, "c": 3.0}
    t2 = {"c": 300.0, "a": 100.0, "b": 200.0}
    assert tg.tree_map(lambda x, y: x + y, t1, t2) == {"a": 101.0, "b": 202.0, "c": 303.0}


def test_flatten_specific_containers():
    P = S.Point
    tree = {"b": [1.0, (2.0, None)], "a": P(x=np.ones(2), y={"z": 3})}
    leaves, treedef = tg.tree_flatten(tree)
    # dict keys in sorted order ("a" before "b"); None contributes no leaf
    assert len(leaves) == 4
    assert np.array_equal(leaves[0], np.ones(2))
    assert leaves[1:] == [3, 1.0, 2.0]
    rebuilt = tg.tree_unflatten(treedef, [10, 20, 30, 40])
    assert rebuilt == {"b": [30, (40, None)], "a": P(x=10, y={"z": 20})}
    assert type(rebuilt["a"]) is P and type(rebuilt["b"]) is list and type(rebuilt["b"][1]) is tuple


def test_none_and_empty_containers_have_no_leaves():
    for tree in (None, (), [], {}, [None, ()], {"a": None}):
        leaves, treedef = tg.tree_flatten(tree)
        assert leaves == []
        assert tg.tree_unflatten(treedef, []) == tree


@S.examples(30)
@given(tree=S.pytrees(leaves=S.floats(-5, 5)))
def test_tree_map_applies_to_every_leaf(tree):
    mapped = tg.tree_map(lambda v: 2 * v + 1, tree)
    expected_leaves = [2 * v + 1 for v in _leaves(tree)]
    assert _leaves(mapped) == expected_leaves
    assert _same_tree(mapped, _rebuild(tree, lambda v: 2 * v + 1))


def test_tree_map_with_several_trees():
    t1 = {"a": (1.0, 2.0), "b": [np.array([1.0, 2.0]), None], "c": Params(w=3.0, b=4.0)}
    t2 = {"a": (10.0, 20.0), "b": [np.array([5.0, 6.0]), None], "c": Params(w=30.0, b=40.0)}
    t3 = {"a": (0.5, 0.5), "b": [np.array([2.0, 2.0]), None], "c": Params(w=1.0, b=0.0)}
    out = tg.tree_map(lambda x, y, z: x + y * z, t1, t2, t3)
    assert type(out["c"]) is Params and out["b"][1] is None and type(out["a"]) is tuple
    assert out["a"] == (6.0, 12.0)
    np.testing.assert_array_equal(out["b"][0], [11.0, 14.0])
    assert out["c"] == Params(w=33.0, b=4.0)


def test_tree_map_of_mismatched_structures_raises():
    with pytest.raises(ValueError, match=r"different structures: \(\*, \*\) and \(\*, \*, \*\)"):
        tg.tree_map(lambda x, y: x + y, (1.0, 2.0), (1.0, 2.0, 3.0))


# --- gradients over pytrees ----------------------------------------------------


def _dict_loss(params, x):
    h = tnp.tanh(tnp.dot(x, params["W"]) + params["b"])
    return tnp.sum(h**2) * params["scale"]


def _dict_loss_np(params, x):
    h = np.tanh(x @ params["W"] + params["b"])
    return np.sum(h**2) * params["scale"]


def test_grad_over_dict_params_matches_finite_differences(rng):
    params = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2), "scale": 1.7}
    x = rng.normal(size=(4, 3))
    g = tg.grad(_dict_loss)(params, x)
    assert isinstance(g, dict) and set(g) == set(params)
    for key in params:
        def partial(v, key=key):
            p = dict(params)
            p[key] = v
            return _dict_loss_np(p, x)

        assert np.shape(g[key]) == np.shape(params[key])
        assert_close(g[key], num_grad(partial, params[key]), **GRAD_TOL, err_msg=key)


def test_grad_over_namedtuple_keeps_type(rng):
    p = Params(w=rng.normal(size=3), b=0.3)
    x = rng.normal(size=(5, 3))
    f = lambda params: tnp.sum((tnp.dot(x, params.w) + params.b) ** 2)  # noqa: E731
    g = tg.grad(f)(p)
    assert type(g) is Params
    r = x @ p.w + p.b
    assert_close(g.w, 2 * x.T @ r, **EXACT_TOL)
    assert_close(g.b, 2 * np.sum(r), **EXACT_TOL)


def test_grad_over_nested_pytree_with_none_leaf(rng):
    tree = {"layers": [(rng.normal(size=2), None), (rng.normal(size=(2, 2)), 1.5)], "extra": None}

    def f(t):
        (v, _), (M, c) = t["layers"]
        return tnp.sum(tnp.dot(M, v) * c)

    g = tg.grad(f)(tree)
    assert g["extra"] is None and g["layers"][0][1] is None
    assert type(g["layers"]) is list and type(g["layers"][0]) is tuple
    v, (M, c) = tree["layers"][0][0], tree["layers"][1]
    assert_close(g["layers"][0][0], c * M.T @ np.ones(2), **EXACT_TOL)
    assert_close(g["layers"][1][0], c * np.outer(np.ones(2), v), **EXACT_TOL)
    assert_close(g["layers"][1][1], np.sum(M @ v), **EXACT_TOL)


def test_value_and_grad_over_pytree_with_argnums_tuple(rng):
    params = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2), "scale": 0.4}
    x = rng.normal(size=(4, 3))
    value, (gp, gx) = tg.value_and_grad(_dict_loss, argnums=(0, 1))(params, x)
    assert_close(value, _dict_loss_np(params, x), **EXACT_TOL)
    assert set(gp) == set(params)
    assert_close(gx, num_grad(lambda z: _dict_loss_np(params, z), x), **GRAD_TOL)


def test_vjp_and_jvp_over_pytree_primals(rng):
    params = {"a": rng.normal(size=2), "b": 0.7}
    f = lambda p: p["a"] * p["b"]  # noqa: E731
    out, vjp_fun = tg.vjp(f, params)
    assert_close(out, params["a"] * 0.7, **EXACT_TOL)
    (ct,) = vjp_fun(np.array([1.0, 2.0]))
    assert_close(ct["a"], np.array([0.7, 1.4]), **EXACT_TOL)
    assert_close(ct["b"], params["a"][0] + 2 * params["a"][1], **EXACT_TOL)
    _, t = tg.jvp(f, (params,), ({"a": np.array([1.0, 0.0]), "b": 1.0},))
    assert_close(t, np.array([0.7, 0.0]) + params["a"], **EXACT_TOL)


@S.examples(15)
@given(tree=S.pytrees(leaves=S.small_arrays(), max_leaves=6), seed=st.integers(0, 2**32 - 1))
def test_grad_over_random_pytree_structure(tree, seed):
    """grad of sum_i c_i * sum(leaf_i^2) has the tree's structure and 2 c_i leaf_i."""
    leaves = _leaves(tree)
    assume(len(leaves) > 0)
    coeffs = [float(c) for c in np.random.default_rng(seed).uniform(0.5, 2.0, size=len(leaves))]

    def f(t):
        total = 0.0
        for c, leaf in zip(coeffs, _leaves(t), strict=True):  # our own walker, on the traced tree
            total = total + tnp.sum(leaf**2) * c
        return total

    g = tg.grad(f)(tree)
    assert _same_tree(_rebuild(g, lambda v: 0), _rebuild(tree, lambda v: 0))
    got_leaves = _leaves(g)
    assert len(got_leaves) == len(leaves)
    for got, c, leaf in zip(got_leaves, coeffs, leaves, strict=True):
        assert_close(got, 2 * c * np.asarray(leaf, dtype=float), **EXACT_TOL)
