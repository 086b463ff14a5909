"""The suite's own references checked first: ``tests/numeric.py`` on functions
whose derivatives are known in closed form.

Every gradient test trusts these helpers, so a helper that drifted (a wrong
step, a sign, a transposed block) would make the whole suite agree with it.
"""

import numpy as np
import pytest

from tracegrad.checks import numerical_jvp

from .numeric import (
    assert_close,
    num_grad,
    num_grad_arg,
    num_hessian,
    num_hessian_args,
    num_jacobian,
    num_jacobian_of,
    num_jvp,
    pack,
    unpack,
)

X = np.array([0.3, -1.1, 2.0])
TIGHT = dict(rtol=1e-9, atol=1e-11)        # first differences, Richardson-extrapolated
SECOND = dict(rtol=1e-6, atol=1e-7)        # second differences


def test_num_grad_of_a_sum_of_sines_is_the_cosine():
    assert_close(num_grad(lambda a: np.sum(np.sin(a)), X), np.cos(X), **TIGHT)


def test_num_grad_refuses_a_vector_output():
    with pytest.raises(AssertionError, match=r"scalar output, got shape \(3,\)"):
        num_grad(np.sin, X)


def test_num_grad_arg_differentiates_only_the_chosen_argument():
    def f(a, b):
        return np.sum(a * b**2)

    assert_close(num_grad_arg(f, [X, X + 1], 0), (X + 1) ** 2, **TIGHT)
    assert_close(num_grad_arg(f, [X, X + 1], 1), 2 * X * (X + 1), **TIGHT)


def test_num_jacobian_has_output_axes_first():
    A = np.arange(6.0).reshape(2, 3)
    J = num_jacobian(lambda x: A @ x, X)           # linear: the Jacobian is A
    assert_close(J, A, **TIGHT)
    assert num_jacobian(lambda x: np.outer(x, x), X).shape == (3, 3, 3)


def test_num_jvp_is_the_directional_derivative():
    v = np.array([1.0, -2.0, 0.5])
    assert_close(num_jvp(np.exp, X, np.ones(3)), np.exp(X), **TIGHT)
    assert_close(num_jvp(np.sin, X, v), np.cos(X) * v, **TIGHT)


def test_num_hessian_of_a_cubic_and_a_mixed_term():
    assert_close(num_hessian(lambda a: np.sum(a**3), X), np.diag(6 * X), **SECOND)
    # f = x0 x1 x2: the Hessian's off-diagonal (i, j) is the third coordinate
    H = num_hessian(lambda a: a[0] * a[1] * a[2], X)
    expected = np.array([[0, X[2], X[1]], [X[2], 0, X[0]], [X[1], X[0], 0]])
    assert_close(H, expected, **SECOND)


def test_num_jacobian_of_a_gradient_is_the_hessian():
    assert_close(num_jacobian_of(lambda a: 3 * a**2, X), np.diag(6 * X), **TIGHT)


def test_num_hessian_args_blocks_have_each_arguments_shape():
    a, b = np.array([0.5, -1.0]), np.array(2.0)
    block = num_hessian_args(lambda a, b: np.sum(a**2) * b, [a, b])   # f = |a|^2 b
    assert_close(block(0, 0), 2 * b * np.eye(2), **SECOND)
    assert_close(block(0, 1), 2 * a, **SECOND)
    assert_close(block(1, 0), 2 * a, **SECOND)
    assert_close(block(1, 1), 0.0, **SECOND)


def test_pack_and_unpack_are_inverse():
    args = [np.arange(6.0).reshape(2, 3), np.array(7.0), np.array([1.0, 2.0])]
    flat, shapes = pack(args)
    assert flat.shape == (9,) and shapes == [(2, 3), (), (2,)]
    for got, want in zip(unpack(flat, shapes), args, strict=True):
        np.testing.assert_array_equal(got, want)


def test_the_step_is_relative_to_the_numbers():
    """log at 1e8: a step of 1e-3 would be lost in round-off (|log x| ε / h ≈ 4e-12,
    against a slope of 1e-8); a step of 1e-3·|x| is not."""
    x = np.array([1e8, 2.0])
    assert_close(num_grad(lambda a: np.sum(np.log(a)), x), 1 / x, rtol=1e-9, atol=0)


def test_the_differences_are_extrapolated():
    """With a coarse step the plain central difference is off by h²/6 · |f‴| ≈ 1e-5;
    Richardson's combination of h and h/2 is not."""
    assert_close(num_jvp(np.sin, X, np.ones(3), eps=1e-2), np.cos(X), rtol=1e-8, atol=1e-9)


def test_numerical_jvp_takes_pytrees():
    """tracegrad.checks.numerical_jvp, on a tuple of a vector and a dict."""
    def f(a, params):
        return {"u": np.sin(a) * params["s"], "v": np.sum(a**2)}

    a, s = X, 1.5
    out = numerical_jvp(f, (a, {"s": s}), (np.ones(3), {"s": 2.0}))
    assert_close(out["u"], np.cos(a) * s + np.sin(a) * 2.0, **TIGHT)
    assert_close(out["v"], np.sum(2 * a), **TIGHT)


def test_assert_close_insists_on_the_shape():
    with pytest.raises(AssertionError, match="shape mismatch"):
        assert_close(np.zeros(3), np.zeros((3, 1)))
    with pytest.raises(AssertionError):
        assert_close(np.ones(3), np.ones(3) * 1.001)
