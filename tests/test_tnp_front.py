"""tnp on plain and traced values alike: issue 16, items 1, 4 and 5 (first half)."""

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.numpy as tnp

from .numeric import EXACT_TOL, assert_close, num_grad

# ---- item 1: tnp.at(x)[i].set(v) runs both ways ----------------------------------


def _update(x):
    y = tnp.at(x)[np.array([0, 0])].set(x[1] * 3.0)      # the last write wins
    return tnp.sum(tnp.at(y)[2].add(x[0]) ** 2)


def _update_numpy(x):
    y = x.copy()
    y[[0, 0]] = x[1] * 3.0
    y[2] += x[0]
    return np.sum(y ** 2)


def test_at_runs_on_plain_arrays_inside_grad_and_numerically():
    x = np.array([1.0, 2.0, 3.0])
    assert_close(_update(x), _update_numpy(x), **EXACT_TOL)
    assert_close(tg.grad(_update)(x), num_grad(_update_numpy, x), rtol=1e-7, atol=1e-8)
    assert_close(tg.numerical_grad(_update, x), num_grad(_update_numpy, x), rtol=1e-5)
    tg.check_grads(_update, (x,), order=2, modes=("fwd", "rev"))
    assert_close(tnp.at(x)[1:].get(), x[1:], **EXACT_TOL)
    assert list(x) == [1.0, 2.0, 3.0]                         # never in place


def test_in_place_error_recommends_the_form_that_runs_both_ways():
    def f(x):
        x[0] = 1.0
        return x

    with pytest.raises(TypeError, match=r"tnp\.at\(x\)\[i\]\.set\(v\)"):
        tg.grad(f)(np.ones(2))
    assert float(tg.grad(lambda x: tnp.sum(tnp.at(x)[0].set(1.0)))(np.ones(2))[1]) == 1.0


# ---- item 4: methods and builtins ----------------------------------------------------


def test_round_any_all_copy_on_traced_values():
    x = np.array([0.4, 1.6, -2.5])
    seen = {}

    def f(x):
        seen.update(round=round(x[1]), rnd=x.round(), any=x.any(), all=(x > 0).all(),
                    copy=x.copy())
        return tnp.sum(x.copy() * tnp.round(x))     # round is a constant: no gradient

    g = tg.grad(f)(x)
    assert float(seen["round"]) == round(1.6) and list(seen["rnd"]) == list(np.round(x))
    assert bool(seen["any"]) is True and bool(seen["all"]) is False
    assert_close(g, np.round(x), **EXACT_TOL)         # d/dx Σ x·round(x) = round(x), as JAX
    assert bool(tnp.any(x > 1)) and not tnp.all(x > 1)  # plain arrays too


def test_item_on_a_traced_value_explains_and_the_next_call_works():
    with pytest.raises(TypeError, match=r"x\.item\(\) of a traced value .* drop its gradient"):
        tg.grad(lambda x: x.item())(1.0)
    assert float(tg.grad(lambda x: x * x)(3.0)) == 6.0
    assert np.array([2.5]).item() == 2.5


def test_sum_with_dtype_casts_then_sums():
    x = np.array([1.0, 2.0, 3.0])
    assert tnp.sum(x, dtype=np.float32).dtype == np.sum(x, dtype=np.float32).dtype
    out, pull = tg.vjp(lambda x: tnp.sum(x, dtype=tnp.float32), x)
    assert np.result_type(out) == np.float32 and float(out) == 6.0
    assert_close(pull(np.float32(1.0))[0], np.ones(3), **EXACT_TOL)


# ---- item 5: tnp.float32(x) on a traced value --------------------------------------


def test_float_scalar_types_cast_traced_values_and_name_the_real_cause_otherwise():
    assert float(tg.grad(lambda x: tnp.float32(x) * 2.0)(1.5)) == 2.0
    assert np.dtype(tnp.float32) == np.float32 and np.zeros(1, tnp.float32).dtype == np.float32
    assert tnp.float64(2) == 2.0
    with pytest.raises(TypeError, match=r"tnp\.int32\(x\) of a traced value.*x\.astype"):
        tg.grad(lambda x: tnp.int32(x))(1.0)
    assert float(tg.grad(lambda x: x.astype(tnp.float32) * 3.0)(1.0)) == 3.0
