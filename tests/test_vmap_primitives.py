"""Every primitive under ``vmap``, against an explicit Python loop over the examples.

The cases are generated from the primitives' rows: each row's ``examples`` (or, for an
elementwise primitive, any shapes that broadcast) and its ``domain`` give the calls
and the values (``S.calls``). Hypothesis draws the call, the batch size and, for every
argument, whether it is batched and along which axis; the vmapped result must equal
``np.stack([fun(example) for ...])``. Differentiable primitives are also checked
nested: ``vmap(grad(sum ∘ fun))`` (with respect to every float argument) against a
loop of gradients, and ``vmap`` of a ``jvp`` against a loop of JVPs, so the derivative
rules run on batched values too (their masks included). A new primitive is tested here
the moment its row exists (tests/test_domains.py fails if the row lacks its facts).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.numpy as tnp

from . import strategies as S
from .numeric import assert_close

VMAP_TOL = dict(rtol=1e-12, atol=1e-12)
PRIMITIVES = {p.name: p for p in tg.primitives()}


def _draw_batch(data, specs):
    """Per argument: the batch axis (None: shared) and the examples; at least one batched."""
    size = data.draw(st.integers(1, 3), label="batch size")
    axes = [data.draw(st.one_of(st.none(), st.integers(-len(s) - 1, len(s))), label="axis")
            for s, _, _ in specs]
    if all(a is None for a in axes):
        axes[0] = 0
    examples = []
    for (_, _, argument), ax in zip(specs, axes, strict=True):
        n = 1 if ax is None else size
        examples.append([data.draw(argument) for _ in range(n)])
    stacked = [ex[0] if ax is None else np.stack(ex, axis=ax)
               for ex, ax in zip(examples, axes, strict=True)]
    return size, axes, examples, stacked


def _example(examples, axes, b):
    return [ex[0] if ax is None else ex[b] for ex, ax in zip(examples, axes, strict=True)]


def _stack(results):
    """A loop's results, each a tuple, stacked entry by entry."""
    return tuple(np.stack(entry) for entry in zip(*results, strict=True))


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
@S.examples(12)
@given(data=st.data())
def test_primitive_under_vmap_matches_a_loop(name, data):
    p = PRIMITIVES[name]
    specs, params = data.draw(S.calls(p), label="call")

    def fun(*args):
        return p(*args, **params)

    size, axes, examples, stacked = _draw_batch(data, specs)
    got = tg.vmap(fun, in_axes=tuple(axes))(*stacked)
    want = np.stack([fun(*_example(examples, axes, b)) for b in range(size)])
    assert np.shape(got) == np.shape(want)
    assert_close(got, want, **VMAP_TOL)
    if not p.differentiable:
        return

    wrt = tuple(k for k, (_, d, _) in enumerate(specs) if S.differentiable_argument(d))

    def total(*args):
        return tnp.sum(fun(*args))
    got = tg.vmap(tg.grad(total, argnums=wrt), in_axes=tuple(axes))(*stacked)
    want = _stack([tg.grad(total, argnums=wrt)(*_example(examples, axes, b))
                   for b in range(size)])
    for k, g, w in zip(wrt, got, want, strict=True):
        assert_close(g, w, **VMAP_TOL, err_msg=f"vmap(grad) w.r.t. argument {k}")

    rng = np.random.default_rng(len(specs))
    tangents = [rng.normal(size=np.shape(stacked[k])) for k in wrt]
    n = len(specs)

    def directional(*args_and_tangents):
        args = list(args_and_tangents[:n])

        def of_floats(*xs):                      # the other arguments (masks, positions) fixed
            for k, x in zip(wrt, xs, strict=True):
                args[k] = x
            return fun(*args)
        return tg.jvp(of_floats, tuple(args[k] for k in wrt), args_and_tangents[n:])[1]
    tangent_axes = tuple(axes[k] for k in wrt)
    got = tg.vmap(directional, in_axes=tuple(axes) + tangent_axes)(*stacked, *tangents)
    split = [[t] if ax is None else list(np.moveaxis(t, ax, 0))
             for t, ax in zip(tangents, tangent_axes, strict=True)]
    want = np.stack([directional(*_example(examples, axes, b),
                                 *_example(split, tangent_axes, b)) for b in range(size)])
    assert_close(got, want, **VMAP_TOL, err_msg="vmap(jvp)")
