"""Jacobians and Hessians, built from vjp and jvp: no new machinery.

For f : ℝⁿ → ℝᵐ the Jacobian J is m × n. There are two ways to fill it:

* ``jacfwd``: column by column, one JVP per input direction e_j: n passes.
* ``jacrev``: row by row, one VJP per output direction e_i: m passes (and
  only one forward pass, whose record every VJP reuses).

Which is cheaper depends on n and m: reverse mode wins when there are more
inputs than outputs, the lecture's summary, and the reason a scalar loss
(m = 1) is always differentiated in reverse mode.

The Hessian is the Jacobian of the gradient: ``jacfwd(jacrev(f))``.

The passes need not run one after another: they differ only in the unit
vector e_j, so ``vmap`` runs them all at once, as one pass on the stack of
all the e_j (the identity matrix), as JAX does. That is the default. With
``vectorize=False`` the passes run in a Python loop, one per column or row:
slower, but each pass is a separate run you can count and draw (lecture 03).

Inputs and outputs may be pytrees (a dict of weights, say): the Jacobian then
has one block ``out_leaf.shape + in_leaf.shape`` per pair of leaves, arranged
as in JAX (the output's structure outside, the input's inside).
"""
import functools

import numpy as np

from . import numpy as tnp
from .arguments import argnums_tuple, check_float, check_function, explain_list_inputs, with_args
from .core import concrete
from .forward import jvp
from .reverse import vjp
from .tree import tree_flatten, tree_map, tree_unflatten
from .typing import ArgNums, Fun
from .vmap import vmap

__all__ = ["jacfwd", "jacrev", "jacobian", "hessian"]


def _eye(shape, dtype):
    """All the unit arrays e_0, e_1, ... of ``shape``, stacked: one per row."""
    n = int(np.prod(shape))
    return np.eye(n, dtype=dtype).reshape((n,) + tuple(shape))


def _passes(g, basis, out_axes, vectorize):
    """``g(e)`` for each unit array ``e`` in ``basis``, the results stacked along
    ``out_axes`` (one per result of ``g``; ``None``: the same for every ``e``, kept once).

    ``vmap`` runs all the passes as one batched pass; ``vectorize=False`` runs
    them one by one in a Python loop, so that each is a separate run that can
    be counted and drawn (lecture 03). Both give the same arrays.
    """
    if vectorize:
        return vmap(g, out_axes=out_axes)(basis)
    results = [g(e) for e in basis]
    return tuple(results[0][k] if axis is None else
                 tree_map(lambda *rows, axis=axis: tnp.stack(rows, axis=axis),
                          *[r[k] for r in results])
                 for k, axis in enumerate(out_axes))


def _jac(fun, argnums, one_leaf_jacobian, who):
    @functools.wraps(fun)
    def jac_fun(*args, **kwargs):
        single, nums = argnums_tuple(argnums, len(args), who)
        try:
            jacs = tuple(_jacobian_tree(with_args(fun, args, (i,), kwargs), args[i],
                                        one_leaf_jacobian, who, i) for i in nums)
        except (TypeError, AttributeError) as err:      # [1., 2.] is not an array
            explain_list_inputs(err, [args[i] for i in nums], who)
            raise
        return jacs[0] if single else jacs
    return jac_fun


def _jacobian_tree(f, x, one_leaf_jacobian, who, position):
    """The Jacobian of ``f`` at ``x``, where input and output may be pytrees.

    One block ``out_leaf.shape + in_leaf.shape`` per pair of leaves, arranged
    like JAX: the output's structure outside, the input's inside (for plain
    arrays, simply one array). Each input leaf is handled on its own.
    """
    in_leaves, in_tree = tree_flatten(x)
    blocks, out_tree = [], None                   # blocks[k][j]: input leaf k, output leaf j
    for k, leaf in enumerate(in_leaves):
        def f_of_leaf(v, k=k):
            return f(tree_unflatten(in_tree, in_leaves[:k] + [v] + in_leaves[k + 1:]))
        where = position if in_tree.kind == "leaf" else f"{position}, leaf {k}"
        column, out_tree = one_leaf_jacobian(f_of_leaf, check_float(leaf, who, where))
        blocks.append(column)
    if out_tree is None:                          # an argument with no leaves
        return tree_unflatten(in_tree, [])
    return tree_unflatten(out_tree, [tree_unflatten(in_tree, [blocks[k][j] for k in
                                                              range(len(in_leaves))])
                                     for j in range(out_tree.num_leaves)])


def _jacfwd_leaf(f, x, vectorize):
    x_shape = np.shape(concrete(x))
    if not int(np.prod(x_shape)):                 # x has no elements: no columns
        out_leaves, out_tree = tree_flatten(f(x))
        return [np.zeros(np.shape(concrete(o)) + x_shape) for o in out_leaves], out_tree
    # The JVPs J · e_j, one per input element; the columns' axis goes last.
    out, columns = _passes(lambda e: jvp(f, (x,), (e,)), _eye(x_shape, np.result_type(
        concrete(x))), (None, -1), vectorize)
    out_leaves, out_tree = tree_flatten(out)
    blocks = [tnp.reshape(c, np.shape(concrete(o)) + x_shape)
              for o, c in zip(out_leaves, tree_flatten(columns)[0], strict=True)]
    return blocks, out_tree


def _jacrev_leaf(f, x, vectorize):
    out, pullback = vjp(f, x)                     # one forward pass, whose record every VJP reads
    out_leaves, out_tree = tree_flatten(out)
    zeros = [np.zeros(np.shape(concrete(o)), np.result_type(concrete(o))) for o in out_leaves]
    x_shape = np.shape(concrete(x))
    blocks = []
    for j, o in enumerate(out_leaves):
        o_shape = np.shape(concrete(o))
        if not int(np.prod(o_shape)) or not int(np.prod(x_shape)):
            blocks.append(np.zeros(o_shape + x_shape))
            continue

        def row(e, j=j):                          # (eᵢᵀ J,): the cotangent e on output leaf j
            return pullback(tree_unflatten(out_tree, zeros[:j] + [e] + zeros[j + 1:]))
        rows, = _passes(row, _eye(o_shape, np.result_type(concrete(o))), (0,), vectorize)
        blocks.append(tnp.reshape(rows, o_shape + x_shape))
    return blocks, out_tree


def jacfwd(fun: Fun, argnums: ArgNums = 0, vectorize: bool = True) -> Fun:
    """The Jacobian by forward mode: one JVP per input element. Shape out + in.

    The JVPs run together, batched by ``vmap``; ``vectorize=False`` runs them
    one by one in a loop (n separate passes, as lecture 03 counts them).
    """
    check_function(fun, "jacfwd", "tg.jacfwd(f)(x)")
    leaf = functools.partial(_jacfwd_leaf, vectorize=vectorize)
    return _jac(fun, argnums, leaf, f"jacfwd({getattr(fun, '__name__', 'fun')})")


def jacrev(fun: Fun, argnums: ArgNums = 0, vectorize: bool = True) -> Fun:
    """The Jacobian by reverse mode: one VJP per output element. Shape out + in.

    One forward pass; the VJPs run together, batched by ``vmap``;
    ``vectorize=False`` runs them one by one in a loop (m backward passes).
    """
    check_function(fun, "jacrev", "tg.jacrev(f)(x)")
    leaf = functools.partial(_jacrev_leaf, vectorize=vectorize)
    return _jac(fun, argnums, leaf, f"jacrev({getattr(fun, '__name__', 'fun')})")


jacobian = jacrev


def hessian(fun: Fun, argnums: ArgNums = 0, vectorize: bool = True) -> Fun:
    """The matrix of second derivatives: forward over reverse (``vectorize`` as for jacfwd)."""
    check_function(fun, "hessian", "tg.hessian(f)(x)")
    return jacfwd(jacrev(fun, argnums, vectorize), argnums, vectorize)
