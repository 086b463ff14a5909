"""Issue 13: every tnp function of the function table, against NumPy itself.

One shared spec per function: each row of ``tests/strategies.py``'s
``FUNCTION_TABLE`` is called on ``tnp`` and on ``np``, on arguments drawn by
hypothesis across shapes, and checked the way ``test_primitives_grad.py``
checks the primitives: NumPy's value; ``grad``, ``vjp`` and ``jvp`` against
finite differences of the NumPy function; the Hessian and mixed second
derivatives; and ``tg.check_grads`` to order 2 in both modes. A guard fails
when a tnp function has no row anywhere.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import tracegrad.numpy as tnp

from . import strategies as S
from .test_primitives_grad import check_first_order, check_second_order, check_with_check_grads

ROWS = {row.name: row for row in S.FUNCTION_TABLE}


def _functions(row):
    return row.call(tnp), row.np_call or row.call(np)


def _inputs(row, data):
    shapes = data.draw(row.shapes, label="shapes")
    if row.elements is S.DISTINCT:
        sizes = [int(np.prod(s, dtype=int)) for s in shapes]
        values = data.draw(S.distinct_arrays((sum(sizes),)), label="values")
        cuts = np.cumsum(sizes)[:-1]
        return [v.reshape(s) for v, s in zip(np.split(values, cuts), shapes)]
    return [data.draw(S.arrays(s, row.elements), label=f"arg{i}") for i, s in enumerate(shapes)]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", sorted(ROWS))
@S.examples(6)
@given(data=st.data())
def test_first_derivatives_match_numpy_and_finite_differences(name, data):
    fn_tg, fn_np = _functions(ROWS[name])
    check_first_order(fn_tg, fn_np, _inputs(ROWS[name], data), data)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", sorted(ROWS))
@S.examples(2)
@given(data=st.data())
def test_second_derivatives_and_check_grads(name, data):
    fn_tg, fn_np = _functions(ROWS[name])
    args = _inputs(ROWS[name], data)
    assume(sum(np.size(a) for a in args) <= 12)
    # through a sine, so that the second derivatives of linear functions are not all 0
    sin_tg = lambda *a: tnp.sin(fn_tg(*a))  # noqa: E731
    sin_np = lambda *a: np.sin(fn_np(*a))  # noqa: E731
    check_second_order(sin_tg, sin_np, args, data)
    check_with_check_grads(sin_tg, args, data)


# ---- the guard: no tnp function without a row -------------------------------------------

# Tested by name in test_primitives_grad.py (reductions, products, shapes, where, clip).
TESTED_ELSEWHERE = {"sum", "mean", "prod", "max", "min", "amax", "amin", "var", "std", "dot",
                    "matmul", "einsum", "outer", "reshape", "transpose", "swapaxes",
                    "expand_dims", "squeeze", "broadcast_to", "where", "clip", "array",
                    "asarray", "linspace", "at", "power", "around", "remainder", "radians",
                    "degrees", "fabs", "absolute", "true_divide"}
# Values without a derivative: integers, booleans, shapes, creation from plain numbers,
# dtypes and constants.
NOT_DIFFERENTIABLE = {"zeros", "ones", "zeros_like", "ones_like", "full", "arange", "eye",
                      "empty_like", "equal", "not_equal", "less", "less_equal", "greater",
                      "greater_equal", "isnan", "isfinite", "isinf", "isclose", "allclose",
                      "result_type", "any", "all", "argmax", "argmin", "argsort",
                      "argpartition", "shape", "ndim", "size", "float16", "float32", "float64",
                      "int32", "int64", "bool_", "pi", "e", "inf", "nan", "newaxis", "ndarray",
                      "linalg", "sign"}


def _covered():
    rows = {name.split("-")[0] for name in ROWS} | {"einsum"}
    tables = set(S.UNARY_DOMAINS) | set(S.BINARY_DOMAINS) | set(S.TIE_FREE_PAIRS)
    return rows | tables | TESTED_ELSEWHERE | NOT_DIFFERENTIABLE


def test_every_tnp_function_has_a_row():
    missing = sorted(set(tnp.__all__) - _covered())
    assert not missing, (f"tnp.{', tnp.'.join(missing)} has no row in tests/strategies.py "
                         f"(FUNCTION_TABLE or the domain tables): add one")


def test_every_tnp_linalg_function_has_a_row():
    missing = sorted(set(tnp.linalg.__all__) - {"LinAlgError"}
                     - {name.split("-")[0] for name in ROWS})
    assert not missing, f"tnp.linalg.{', '.join(missing)} has no row in FUNCTION_TABLE"


def test_the_guard_sees_a_missing_row(monkeypatch):
    monkeypatch.setattr(tnp, "__all__", tnp.__all__ + ["made_up"])
    with pytest.raises(AssertionError, match="made_up"):
        test_every_tnp_function_has_a_row()
