"""Bad input gives an exception that names the problem and the fix, and the
*next* call works normally (no tracing state is left behind).

Each test names the exact exception type, and matches the key part of the
message (the problem, the shapes involved, the fix), not its whole wording.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.numpy as tnp

from .numeric import EXACT_TOL, assert_close


def assert_next_call_works():
    """A fresh, nested differentiation after the error gives the right answers."""
    assert_close(tg.grad(tnp.sin)(0.3), math.cos(0.3), **EXACT_TOL)
    assert_close(tg.grad(tg.grad(lambda x: x**3))(2.0), 12.0, **EXACT_TOL)
    assert tg.grad(lambda x: x * tg.grad(lambda y: x * y)(2.0))(1.0) == pytest.approx(2.0)
    _, t = tg.jvp(tnp.exp, (0.0,), (1.0,))
    assert_close(t, 1.0, **EXACT_TOL)


# --- grad of a non-scalar output ---------------------------------------------


def test_grad_of_vector_output_names_shape_and_alternatives():
    with pytest.raises(TypeError, match=r"must return a scalar.*shape \(3,\)") as excinfo:
        tg.grad(lambda x: x * 2.0)(np.ones(3))
    assert re.search(r"jacrev|jacobian|vjp", str(excinfo.value)), excinfo.value
    assert_next_call_works()


def test_grad_of_matrix_output_names_shape():
    with pytest.raises(TypeError, match=r"must return a scalar.*shape \(2, 2\)"):
        tg.grad(lambda x: tnp.outer(x, x))(np.ones(2))
    assert_next_call_works()


def test_value_and_grad_of_vector_output_is_rejected_too():
    with pytest.raises(TypeError, match=r"must return a scalar.*shape \(4,\)"):
        tg.value_and_grad(lambda x: tnp.sin(x))(np.ones(4))
    assert_next_call_works()


def test_grad_of_size_one_array_output_is_not_a_scalar():
    """A shape-(1,) output is not a scalar: JAX refuses it, and so do we."""
    with pytest.raises(TypeError, match=r"must return a scalar.*shape \(1,\)"):
        tg.grad(lambda x: tnp.sin(x))(np.array([0.5]))
    assert_next_call_works()


# --- integer / boolean inputs ------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(np.array([1, 2, 3]), id="int64-array"),
        pytest.param(np.array([1, 2], dtype=np.int32), id="int32-array"),
        pytest.param(np.array([True, False]), id="bool-array"),
        pytest.param(np.array(4), id="int-0d-array"),
    ],
)
def test_grad_wrt_integer_or_boolean_array_asks_for_floats(bad):
    with pytest.raises(TypeError, match=rf"input 0 has dtype {bad.dtype}.*floating-point"):
        tg.grad(lambda x: tnp.sum(x * 2.0))(bad)
    assert_next_call_works()


def test_integer_array_in_a_non_differentiated_argument_is_fine():
    idx = np.array([2, 0])
    g = tg.grad(lambda x, i: tnp.sum(x[i] ** 2))(np.array([1.0, 2.0, 3.0]), idx)
    assert_close(g, [2.0, 0.0, 6.0], **EXACT_TOL)


@pytest.mark.parametrize("x,expected", [(3, 6.0), (-2, -4.0), (0, 0.0)])
def test_python_ints_are_promoted_to_floats(x, expected):
    g = tg.grad(lambda t: t * t)(x)
    assert float(g) == expected


def test_jacobian_wrt_integer_array_asks_for_floats():
    for transform in (tg.jacrev, tg.jacfwd):
        with pytest.raises(TypeError, match=rf"{transform.__name__}.*floating-point"):
            transform(lambda x: x * 2.0)(np.array([1, 2]))
    assert_next_call_works()


# --- argnums -------------------------------------------------------------------


@pytest.mark.parametrize("argnums", [2, 5, (0, 2), -3])
def test_argnums_out_of_range(argnums):
    # names the offending argnums and the range that would be right
    with pytest.raises(ValueError, match=re.escape(f"argnums={argnums} is out of range")
                       + r".*between 0 and 1"):
        tg.grad(lambda x, y: x * y, argnums=argnums)(1.0, 2.0)
    assert_next_call_works()


# --- in-place assignment -------------------------------------------------------


def test_inplace_item_assignment_on_traced_array_suggests_at_or_where():
    def f(x):
        x[0] = 1.0
        return tnp.sum(x)

    with pytest.raises(TypeError, match=r"cannot be changed in place") as excinfo:
        tg.grad(f)(np.array([3.0, 4.0]))
    assert re.search(r"\.at\[|where", str(excinfo.value)), excinfo.value
    assert_next_call_works()


# --- leaving the traced world through NumPy ------------------------------------


def test_np_asarray_of_traced_value_raises_instead_of_dropping_gradient():
    def f(x):
        return tnp.sum(np.asarray(x) * 2.0)

    with pytest.raises(TypeError, match=r"np\.asarray\(\)/np\.array\(\) was called on a traced"
                       r".*import tracegrad\.numpy as tnp"):
        tg.grad(f)(np.array([1.0, 2.0]))
    assert_next_call_works()


def test_np_array_of_traced_value_raises():
    with pytest.raises(TypeError, match=r"would silently drop its gradient"):
        tg.grad(lambda x: tnp.sum(np.array(x)))(np.array([1.0, 2.0]))
    assert_next_call_works()


@pytest.mark.parametrize(
    "np_fn,tnp_name,derivative",
    [
        (np.sin, "sin", np.cos),
        (np.exp, "exp", np.exp),
        (np.tanh, "tanh", lambda x: 1 - np.tanh(x) ** 2),
    ],
)
def test_numpy_ufunc_on_traced_value_dispatches_to_tnp(np_fn, tnp_name, derivative):
    """``np.sin(traced)`` reaches ``Tracer.__array_ufunc__``, which calls
    ``tnp.sin``: the gradient is exact, nothing is raised."""
    x = np.array([0.2, -1.0, 0.7])
    g = tg.grad(lambda a: tnp.sum(np_fn(a)))(x)
    assert_close(g, derivative(x), **EXACT_TOL)
    assert_next_call_works()


def test_numpy_array_on_left_of_operator_dispatches():
    """``np_array * traced`` goes through NumPy's ufunc machinery first, which
    hands it to the tracer: the gradient is the constant, and nothing is raised."""
    c = np.array([1.0, 2.0, 3.0])
    x = np.array([0.5, -0.5, 2.0])
    g = tg.grad(lambda a: tnp.sum(c * a))(x)
    assert_close(g, c, **EXACT_TOL)
    assert_next_call_works()


# --- shape mismatches ------------------------------------------------------------


def test_add_shape_mismatch_names_operation_and_shapes():
    with pytest.raises(ValueError, match=r"add: cannot apply to .*shapes \(3,\) and \(4,\)"):
        tg.grad(lambda a, b: tnp.sum(tnp.add(a, b)))(np.ones(3), np.ones(4))
    assert_next_call_works()


def test_operator_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"mul: .*shapes \(2, 3\) and \(4,\)"):
        tg.grad(lambda a, b: tnp.sum(a * b))(np.ones((2, 3)), np.ones((4,)))
    assert_next_call_works()


MATMUL_MISMATCH = r"matmul: shapes \(2, 3\) and \(4, 5\) do not align"


def test_matmul_shape_mismatch_names_operation_and_shapes():
    with pytest.raises(ValueError, match=MATMUL_MISMATCH):
        tg.grad(lambda a, b: tnp.sum(tnp.matmul(a, b)))(np.ones((2, 3)), np.ones((4, 5)))
    assert_next_call_works()


def test_matmul_operator_shape_mismatch_names_shapes():
    with pytest.raises(ValueError, match=MATMUL_MISMATCH):
        tg.grad(lambda a, b: tnp.sum(a @ b))(np.ones((2, 3)), np.ones((4, 5)))
    assert_next_call_works()


def test_shape_mismatch_in_forward_mode_names_shapes():
    with pytest.raises(ValueError, match=r"add: .*shapes \(3,\) and \(4,\)"):
        tg.jvp(lambda a, b: tnp.add(a, b), (np.ones(3), np.ones(4)), (np.ones(3), np.ones(4)))
    assert_next_call_works()


def test_tangent_shape_must_match_primal_shape():
    with pytest.raises(ValueError, match=r"tangent 0 has shape \(4,\) but its primal has .*\(3,\)"):
        tg.jvp(tnp.sin, (np.ones(3),), (np.ones(4),))
    assert_next_call_works()


def test_error_deep_inside_nested_grad_leaves_no_state():
    def inner(y):
        return tnp.add(y, np.ones(5))  # (3,) + (5,): shape error

    with pytest.raises(ValueError, match=r"shapes \(3,\) and \(5,\)"):
        tg.grad(lambda x: tnp.sum(tg.grad(lambda y: tnp.sum(inner(y) * x))(np.ones(3))))(np.ones(3))
    assert_next_call_works()
