"""Custom rules under every transformation and nesting, over pytree arguments.

Each drawn program is a function F of pytree arguments (arrays, tuples and
dicts of arrays of random shapes) with a custom rule that deliberately lies:

    S(args) = Σ_i Σ sin(x_i),     F(args) = { out_j = w_j · S · ones(shape_j) }

and the rule says ∂S/∂x_i = 2 x_i (the truth is cos x_i). So the expected
results below follow from the *rule*, worked out by hand with NumPy:

    the tangent of out_j          w_j · Σ_i Σ 2 x_i ⊙ ẋ_i
    the cotangent of x_i          2 x_i · C(ḡ),   C(ḡ) = Σ_j w_j Σ ḡ_j
    ∂²L/∂x_0² for L = Σ_j Σ a_j ⊙ out_j = C(a) · S:   2 C(a) · I

and a transformation that differentiated F's own steps (cos) would fail.
Every program runs under grad, vjp, jvp, jacfwd, jacrev, hessian, grad∘grad,
vmap (random in_axes, a shared argument too), vmap∘grad, grad∘vmap,
jvp∘vmap, jit (first and later calls), jit∘grad, grad∘jit, jit∘vmap∘grad and
jit∘jvp. A custom_vjp under forward mode must raise CustomRuleError (as JAX).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.numpy as tnp

from .numeric import assert_close
from .strategies import shapes

TOL = dict(rtol=1e-10, atol=1e-11)
PROGRAMS = [0]            # how many transformed programs ran (printed with pytest -s)
BATCH = 2


class Leaf:
    """One array of the drawn structure."""

    def __init__(self, shape):
        self.shape = shape

    def __repr__(self):
        return f"Leaf{self.shape}"


# --- structures: walked by the test itself, not by tracegrad.tree ----------------------

def walk(struct, *trees):
    """(leaf, the matching value of each tree) for every leaf, in one fixed order."""
    if isinstance(struct, Leaf):
        yield (struct, *trees)
    elif isinstance(struct, tuple):
        for i, s in enumerate(struct):
            yield from walk(s, *[t[i] for t in trees])
    else:
        for k in sorted(struct):
            yield from walk(struct[k], *[t[k] for t in trees])


def build(struct, f, *trees, counter=None):
    """A tree of ``struct``'s structure with ``f(leaf, *values)`` at each leaf."""
    counter = [0] if counter is None else counter
    if isinstance(struct, Leaf):
        counter[0] += 1
        return f(struct, *trees, index=counter[0] - 1)
    if isinstance(struct, tuple):
        return tuple(build(s, f, *[t[i] for t in trees], counter=counter)
                     for i, s in enumerate(struct))
    return {k: build(struct[k], f, *[t[k] for t in trees], counter=counter)
            for k in sorted(struct)}


def assert_tree_close(struct, got, expected):
    """Same containers (tuple, dict with the same keys) and close leaves."""
    if isinstance(struct, Leaf):
        assert_close(got, expected, **TOL)
    elif isinstance(struct, tuple):
        assert isinstance(got, tuple) and len(got) == len(struct), (type(got), struct)
        for s, g, e in zip(struct, got, expected):
            assert_tree_close(s, g, e)
    else:
        assert isinstance(got, dict) and set(got) == set(struct), (got, struct)
        for k in struct:
            assert_tree_close(struct[k], got[k], expected[k])


def structures(max_leaves):
    leaf = shapes(max_dims=2).map(Leaf)
    return st.recursive(leaf, lambda children: st.one_of(
        st.dictionaries(st.sampled_from("abc"), children, min_size=1, max_size=2),
        st.lists(children, min_size=1, max_size=2).map(tuple)),
        max_leaves=max_leaves)


@st.composite
def programs(draw):
    x0 = Leaf(draw(shapes(max_dims=2)))      # the first argument is one array
    inner = structures(1)
    argument = st.one_of(st.dictionaries(st.sampled_from("abc"), inner, min_size=1, max_size=2),
                         st.tuples(inner), st.tuples(inner, inner), inner)
    args = (x0,) + tuple(draw(st.lists(argument, max_size=2)))
    out = draw(structures(3))
    n_out = sum(1 for _ in walk(out))
    weights = draw(st.lists(st.sampled_from([-1.5, 0.5, 2.0, 3.0]), min_size=n_out,
                            max_size=n_out))

    def axis(leaf, index):                   # the batch axis of each leaf (x0's is never None)
        if index > 0 and draw(st.booleans()):
            return None                      # shared by all the examples
        n = len(leaf.shape)
        return draw(st.sampled_from(range(-n - 1, n + 1)))

    in_axes = build(args, axis)
    return dict(args=args, out=out, weights=weights, in_axes=in_axes,
                seed=draw(st.integers(0, 2**16)))


# --- the custom function and what its rule says ------------------------------------------

def make(p):
    args_s, out_s, w = p["args"], p["out"], p["weights"]

    def plain(*args):
        s = sum(tnp.sum(tnp.sin(y)) for _, y in walk(args_s, args))
        return build(out_s, lambda leaf, index: w[index] * s * tnp.ones(leaf.shape))

    if p["kind"] == "custom_jvp":
        f = tg.custom_jvp(plain)

        @f.defjvp
        def rule(primals, tangents):
            ds = sum(tnp.sum(2.0 * y * t) for _, y, t in walk(args_s, primals, tangents))
            return f(*primals), build(out_s, lambda leaf, index: w[index] * ds
                                      * tnp.ones(leaf.shape))
    else:
        f = tg.custom_vjp(plain)

        def bwd(args, g):
            c = sum(w[k] * tnp.sum(gj) for k, (_, gj) in enumerate(walk(out_s, g)))
            return build(args_s, lambda leaf, y, index: 2.0 * y * c, args)

        # fwd computes the value itself: under hessian's forward mode, a call of f
        # there would be refused (as in JAX), since f has no forward rule
        f.defvjp(lambda *args: (plain(*args), args), bwd)
    return f


def values(struct, rng):
    return build(struct, lambda leaf, index: rng.normal(size=leaf.shape))


def C(p, g):
    """Σ_j w_j Σ g_j: how the rule weighs the outputs' cotangents."""
    return sum(p["weights"][k] * np.sum(gj) for k, (_, gj) in enumerate(walk(p["out"], g)))


def expected_value(p, args):
    s = sum(np.sum(np.sin(y)) for _, y in walk(p["args"], args))
    return build(p["out"], lambda leaf, index: p["weights"][index] * s * np.ones(leaf.shape))


def expected_cotangents(p, args, g):
    c = C(p, g)
    return build(p["args"], lambda leaf, y, index: 2.0 * y * c, args)


def expected_tangent(p, args, tangents):
    ds = sum(np.sum(2.0 * y * t) for _, y, t in walk(p["args"], args, tangents))
    return build(p["out"], lambda leaf, index: p["weights"][index] * ds * np.ones(leaf.shape))


def run(check):
    PROGRAMS[0] += 1
    check()


def forward_mode_refused(p, call):
    PROGRAMS[0] += 1
    with pytest.raises(tg.custom.CustomRuleError, match=r"forward mode .* reverse-mode rule"):
        call()


# --- the property --------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["custom_jvp", "custom_vjp"])
@settings(max_examples=25, deadline=None)
@given(p=programs())
def test_custom_rules_follow_the_rule_under_every_transformation(kind, p):
    p = dict(p, kind=kind)
    rng = np.random.default_rng(p["seed"])
    f = make(p)
    args_s, out_s = p["args"], p["out"]
    args = values(args_s, rng)
    a = values(out_s, rng)                                   # weights of the loss
    n = len(args)
    nums = tuple(range(n))
    is_jvp = p["kind"] == "custom_jvp"

    def loss(*xs):
        return sum(tnp.sum(aj * oj) for _, aj, oj in walk(out_s, a, f(*xs)))

    grads = lambda xs: expected_cotangents(p, xs, a)          # noqa: E731

    # value, grad, vjp
    run(lambda: assert_tree_close(out_s, f(*args), expected_value(p, args)))
    run(lambda: assert_tree_close(args_s, tg.grad(loss, argnums=nums)(*args), grads(args)))
    ct = values(out_s, rng)
    out, pullback = tg.vjp(f, *args)
    run(lambda: assert_tree_close(args_s, pullback(ct), expected_cotangents(p, args, ct)))

    # jvp and jacfwd (custom_vjp: refused), jacrev, hessian, grad∘grad
    tangents = values(args_s, rng)
    x0, rest = args[0], args[1:]
    first = lambda x: next(walk(out_s, f(x, *rest)))[1]          # noqa: E731
    s0, w0 = next(walk(out_s))[0].shape, p["weights"][0]
    jac = np.broadcast_to(w0 * 2.0 * x0, s0 + np.shape(x0))
    if is_jvp:
        run(lambda: assert_tree_close(out_s, tg.jvp(f, args, tangents)[1],
                                      expected_tangent(p, args, tangents)))
        run(lambda: assert_close(tg.jacfwd(first)(x0), jac, **TOL))
        run(lambda: assert_tree_close(out_s, tg.jit(lambda *xs: tg.jvp(f, xs, tangents)[1])(
            *args), expected_tangent(p, args, tangents)))
    else:
        forward_mode_refused(p, lambda: tg.jvp(f, args, tangents))
        forward_mode_refused(p, lambda: tg.jacfwd(first)(x0))
    run(lambda: assert_close(tg.jacrev(first)(x0), jac, **TOL))
    size0 = int(np.prod(np.shape(x0)))
    hess = 2.0 * C(p, a) * np.eye(size0).reshape(np.shape(x0) * 2)
    run(lambda: assert_close(tg.hessian(lambda x: loss(x, *rest))(x0), hess, **TOL))
    scaled = lambda s: loss(*build(args_s, lambda leaf, y, index: s * y, args))  # noqa: E731
    squares = sum(np.sum(y ** 2) for _, y in walk(args_s, args))
    run(lambda: assert_close(tg.grad(tg.grad(scaled))(0.7), 2.0 * C(p, a) * squares, **TOL))

    # vmap over the drawn in_axes: examples stacked along each leaf's own axis
    in_axes = p["in_axes"]
    examples = [values(args_s, rng) for _ in range(BATCH)]

    def stacked(trees):
        def leaf(lf, ax, *ys, index):
            return ys[0] if ax is None else np.stack(ys, axis=ax)
        return build(args_s, leaf, in_axes, *trees)

    def shared(b):                            # what example b sees: its own or the shared value
        return build(args_s, lambda lf, ax, y, z, index: y if ax is None else z,
                     in_axes, examples[0], examples[b])

    batch = stacked(examples)
    per = [shared(b) for b in range(BATCH)]

    def stack_out(struct, trees):
        return build(struct, lambda lf, *ys, index: np.stack(ys), *trees)

    run(lambda: assert_tree_close(out_s, tg.vmap(f, in_axes=in_axes)(*batch),
                                  stack_out(out_s, [expected_value(p, e) for e in per])))
    per_grads = stack_out(args_s, [grads(e) for e in per])
    run(lambda: assert_tree_close(args_s, tg.vmap(tg.grad(loss, argnums=nums),
                                                  in_axes=in_axes)(*batch), per_grads))
    total = lambda *xs: tnp.sum(tg.vmap(loss, in_axes=in_axes)(*xs))          # noqa: E731
    summed = stacked([grads(e) for e in per])
    summed = build(args_s, lambda lf, ax, g, *gs, index: g if ax is not None else
                   sum(gs), in_axes, summed, *[grads(e) for e in per])
    run(lambda: assert_tree_close(args_s, tg.grad(total, argnums=nums)(*batch), summed))
    if is_jvp:
        t_examples = [values(args_s, rng) for _ in range(BATCH)]
        t_per = [build(args_s, lambda lf, ax, y, z, index: y if ax is None else z,
                       in_axes, t_examples[0], t_examples[b]) for b in range(BATCH)]
        run(lambda: assert_tree_close(
            out_s, tg.jvp(tg.vmap(f, in_axes=in_axes), batch, stacked(t_examples))[1],
            stack_out(out_s, [expected_tangent(p, e, t) for e, t in zip(per, t_per)])))
    else:
        forward_mode_refused(p, lambda: tg.jvp(tg.vmap(f, in_axes=in_axes), batch, batch))

    # jit: first and later calls (new values), and nested with grad and vmap
    again = values(args_s, rng)
    jf, jg = tg.jit(f), tg.jit(tg.grad(loss, argnums=nums))
    for xs in (args, again):
        run(lambda xs=xs: assert_tree_close(out_s, jf(*xs), expected_value(p, xs)))
        run(lambda xs=xs: assert_tree_close(args_s, jg(*xs), grads(xs)))
    run(lambda: assert_tree_close(args_s, tg.grad(tg.jit(loss), argnums=nums)(*args),
                                  grads(args)))
    jvg = tg.jit(tg.vmap(tg.grad(loss, argnums=nums), in_axes=in_axes))
    for scale in (1.0, -0.5):
        scaled_batch = build(args_s, lambda lf, y, index, scale=scale: scale * y, batch)
        scaled_per = [build(args_s, lambda lf, y, index, scale=scale: scale * y, e) for e in per]
        run(lambda sb=scaled_batch, sp=scaled_per: assert_tree_close(
            args_s, jvg(*sb), stack_out(args_s, [grads(e) for e in sp])))


@pytest.fixture(autouse=True, scope="module")
def report_programs():
    yield
    print(f"\ntest_custom_rules_transforms: {PROGRAMS[0]} transformed programs ran")
