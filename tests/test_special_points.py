"""Values and derivatives at special points: issue 15, items 5, 6, 7, 9 and "Also".

Each repro from the issue, against the true value (an analytic formula) or
JAX's stated result, plus ``tg.check_grads`` at order 2 in both modes for
every primitive whose rule changed.
"""

import warnings

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.lax as lax
import tracegrad.nn as nn
import tracegrad.numpy as tnp
from tracegrad.words import primitive_words, words

from .numeric import EXACT_TOL, assert_close


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


# ---- item 5: softplus″(0) = σ′(0) = ¼ ---------------------------------------------


def test_softplus_second_derivative_at_zero_is_a_quarter():
    assert float(tg.grad(tg.grad(nn.softplus))(0.0)) == 0.25
    h = tg.hessian(lambda x: tnp.sum(nn.softplus(x)))(np.zeros(3))
    assert_close(h, 0.25 * np.eye(3), **EXACT_TOL)


def test_softplus_derivatives_are_the_logistic_function_and_its_derivative():
    x = np.array([-30.0, -2.0, -0.0, 0.0, 0.5, 3.0, 40.0])
    s = _logistic(x)
    assert_close(tg.vjp(nn.softplus, x)[1](np.ones_like(x))[0], s, **EXACT_TOL)
    assert_close(tg.jvp(tg.grad(lambda x: tnp.sum(nn.softplus(x))), (x,), (np.ones_like(x),))[1],
                 s * (1 - s), **EXACT_TOL)
    tg.check_grads(nn.softplus, (np.array([-1.5, 0.0, 0.7]),), order=2, modes=("fwd", "rev"))


# ---- item 6: abs′(0) = 1 -----------------------------------------------------------


def test_abs_derivative_at_zero_is_one_as_in_jax():
    assert float(tg.grad(tnp.abs)(0.0)) == 1.0
    assert float(tg.jvp(tnp.abs, (0.0,), (1.0,))[1]) == 1.0
    assert_close(tg.grad(lambda x: tnp.sum(tnp.abs(x)))(np.array([-2.0, 0.0, 3.0])),
                 [-1.0, 1.0, 1.0], **EXACT_TOL)


def test_second_derivative_of_abs_squared_at_zero_is_two():
    # |x|² = x², so its second derivative is 2 everywhere, 0 included.
    for f in (lambda x: tnp.abs(x) ** 2, lambda x: tnp.abs(x) * tnp.abs(x)):
        assert float(tg.grad(tg.grad(f))(0.0)) == 2.0
        assert float(tg.jacfwd(tg.jacrev(f))(0.0)) == 2.0


def test_abs_still_passes_check_grads_away_from_zero():
    tg.check_grads(tnp.abs, (np.array([-1.5, 0.4, 2.0]),), order=2, modes=("fwd", "rev"))


# ---- item 7: relu(nan) = nan ---------------------------------------------------------


def test_relu_of_nan_is_nan_traced_or_not():
    x = np.array([np.nan, -1.0, 0.0, 2.0])
    assert np.isnan(nn.relu(np.nan))
    out = nn.relu(x)
    assert np.isnan(out[0]) and list(out[1:]) == [0.0, 0.0, 2.0]
    traced, _ = tg.vjp(nn.relu, x)
    assert np.isnan(traced[0]) and list(traced[1:]) == [0.0, 0.0, 2.0]
    assert np.isnan(tg.jvp(nn.relu, (np.nan,), (1.0,))[0])
    # relu'(0) = 0 is unchanged
    assert_close(tg.grad(lambda x: tnp.sum(nn.relu(x)))(x[1:]), [0.0, 0.0, 1.0], **EXACT_TOL)


# ---- item 9: d/dx 0.0 ** x -----------------------------------------------------------


def test_derivative_of_zero_to_the_x_follows_jax():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)    # 0 ** −1 divides by zero
        assert np.isnan(tg.grad(lambda x: 0.0 ** x)(-1.0))          # the value is inf
        assert np.isnan(tg.jvp(lambda x: 0.0 ** x, (-2.0,), (1.0,))[1])
    # Elsewhere the limit log(x)·x^y → 0 holds: 0^y is flat in y for y ≥ 0.
    assert float(tg.grad(lambda x: 0.0 ** x)(2.0)) == 0.0
    assert float(tg.grad(lambda x: 0.0 ** x)(0.0)) == 0.0


def test_pow_still_passes_check_grads():
    x, y = np.array([0.5, 1.5, 2.0]), np.array([-1.0, 0.5, 2.5])
    tg.check_grads(lax.pow, (x, y), order=2, modes=("fwd", "rev"))
    tg.check_grads(lax.div, (x, y), order=2, modes=("fwd", "rev"))


# ---- "Also": empty arrays ---------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", ["mean", "var", "std"])
def test_mean_and_var_of_an_empty_array_are_nan_inside_grad_too(name):
    e = np.zeros(0)
    want = getattr(np, name)(e)                      # NumPy: nan
    assert np.isnan(want) and np.isnan(getattr(tnp, name)(e))
    value, g = tg.value_and_grad(getattr(tnp, name))(e)
    assert np.isnan(value) and g.shape == (0,)
    _, t = tg.jvp(getattr(tnp, name), (e,), (e,))
    assert np.isnan(t)                               # 0 / 0, as the value


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_logsumexp_of_an_empty_array_is_minus_infinity():
    e = np.zeros(0)
    assert nn.logsumexp(e) == -np.inf                # log Σ over nothing = log 0
    value, g = tg.value_and_grad(nn.logsumexp)(e)
    assert value == -np.inf and g.shape == (0,)
    # Over an empty axis: one −inf per remaining position, as NumPy's log(sum(exp)).
    x = np.zeros((0, 3))
    assert_close(nn.logsumexp(x, axis=0), np.log(np.sum(np.exp(x), axis=0)), **EXACT_TOL)
    out, pull = tg.vjp(lambda x: nn.logsumexp(x, axis=0), x)
    assert np.all(out == -np.inf) and pull(np.ones(3))[0].shape == (0, 3)
    # an empty array whose reduced axis is not empty: an empty result
    assert nn.logsumexp(np.zeros((2, 0)), axis=0).shape == (0,)


# ---- property: every primitive at the special points its row lists ---------------------
#
# A primitive's row (``special_points=``) gives only the points to visit. What is
# expected there comes from here: NumPy for values, analytic derivatives
# evaluated by NumPy in IEEE arithmetic, and JAX's documented conventions at
# kinks and ties (abs′(0) = 1, ties split evenly, relu-style 0 at nan for max).
# A row that lists points needs a reference here: the test below says which.

PRIMITIVES = tg.primitives()


def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def _const(c):
    return lambda *a: c


def _share(x, y):                   # ∂max(x, y)/∂x: 1 if x wins, ½ on a tie, else 0 (JAX)
    return 1.0 if x > y else 0.5 if x == y else 0.0


UNARY = {   # name: (value, first derivative, second derivative)
    "neg": (np.negative, _const(-1.0), _const(0.0)),
    "square": (np.square, lambda x: 2 * x, _const(2.0)),
    "sqrt": (np.sqrt, lambda x: 0.5 / np.sqrt(x), lambda x: -0.25 / (x * np.sqrt(x))),
    "exp": (np.exp, np.exp, np.exp),
    "log": (np.log, lambda x: 1 / x, lambda x: -1 / x**2),
    "log1p": (np.log1p, lambda x: 1 / (1 + x), lambda x: -1 / (1 + x) ** 2),
    "expm1": (np.expm1, np.exp, np.exp),
    "sin": (np.sin, np.cos, lambda x: -np.sin(x)),
    "cos": (np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x)),
    "tan": (np.tan, lambda x: 1 / np.cos(x) ** 2, lambda x: 2 * np.sin(x) / np.cos(x) ** 3),
    "asin": (np.arcsin, lambda x: 1 / np.sqrt(1 - x * x), lambda x: x * (1 - x * x) ** -1.5),
    "acos": (np.arccos, lambda x: -1 / np.sqrt(1 - x * x), lambda x: -x * (1 - x * x) ** -1.5),
    "atan": (np.arctan, lambda x: 1 / (1 + x * x), lambda x: -2 * x / (1 + x * x) ** 2),
    "sinh": (np.sinh, np.cosh, np.sinh),
    "cosh": (np.cosh, np.sinh, np.cosh),
    "tanh": (np.tanh, lambda x: 1 / np.cosh(x) ** 2, lambda x: -2 * np.tanh(x) / np.cosh(x) ** 2),
    "logistic": (_sig, lambda x: _sig(x) * _sig(-x),
                 lambda x: _sig(x) * _sig(-x) * (1 - 2 * _sig(x))),
    "softplus": (lambda x: np.logaddexp(0.0, x), _sig, lambda x: _sig(x) * _sig(-x)),
    "abs": (np.abs, lambda x: 1.0 if x >= 0 else -1.0, _const(0.0)),      # JAX: 1 at 0
    "sign": (np.sign, _const(0.0), _const(0.0)),
    # issue 13
    "asinh": (np.arcsinh, lambda x: 1 / np.sqrt(x * x + 1), lambda x: -x / (x * x + 1) ** 1.5),
    "acosh": (np.arccosh, lambda x: 1 / np.sqrt(x * x - 1), lambda x: -x / (x * x - 1) ** 1.5),
    "atanh": (np.arctanh, lambda x: 1 / (1 - x * x), lambda x: 2 * x / (1 - x * x) ** 2),
    "floor": (np.floor, _const(0.0), _const(0.0)),          # flat, as JAX defines it
    "ceil": (np.ceil, _const(0.0), _const(0.0)),
    "rint": (np.rint, _const(0.0), _const(0.0)),
    "trunc": (np.trunc, _const(0.0), _const(0.0)),
}


def _lae_share(x, y):
    """∂logaddexp/∂x = e^(x − out), with +inf read as 0 on both sides (JAX)."""
    out = np.logaddexp(x, y)
    return np.exp((0.0 if x == np.inf else x) - (0.0 if out == np.inf else out))

def _lae2_share(x, y):
    """∂logaddexp2/∂x = 2^(x − out), with +inf read as 0 on both sides (as logaddexp)."""
    out = np.logaddexp2(x, y)
    return 2.0 ** ((0.0 if x == np.inf else x) - (0.0 if out == np.inf else out))


BINARY = {  # name: (value, (∂/∂x, ∂/∂y), (∂²/∂x², ∂²/∂y²))
    "add": (np.add, (_const(1.0), _const(1.0)), (_const(0.0), _const(0.0))),
    "sub": (np.subtract, (_const(1.0), _const(-1.0)), (_const(0.0), _const(0.0))),
    "mul": (np.multiply, (lambda x, y: y, lambda x, y: x), (_const(0.0), _const(0.0))),
    "div": (np.divide, (lambda x, y: 1 / y, lambda x, y: -x / y**2),
            (_const(0.0), lambda x, y: 2 * x / y**3)),
    # at x = 0, JAX reads log(0) as log(1) in ∂/∂y, and x⁰ = 1 as flat in x
    "pow": (np.power, (lambda x, y: 0.0 if x == 0 == y else y * x ** (y - 1),
                       lambda x, y: np.log(x if x != 0 else 1.0) * x**y),
            (lambda x, y: 0.0 if y in (0, 1) else y * (y - 1) * x ** (y - 2),
             lambda x, y: np.log(x if x != 0 else 1.0) ** 2 * x**y)),
    "atan2": (np.arctan2, (lambda y, x: x / (x * x + y * y), lambda y, x: -y / (x * x + y * y)),
              (lambda y, x: -2 * x * y / (x * x + y * y) ** 2,
               lambda y, x: 2 * x * y / (x * x + y * y) ** 2)),
    "max": (np.maximum, (_share, lambda x, y: _share(y, x)), (_const(0.0), _const(0.0))),
    "min": (np.minimum, (lambda x, y: _share(-x, -y), lambda x, y: _share(-y, -x)),
            (_const(0.0), _const(0.0))),
    # issue 13
    "logaddexp": (np.logaddexp, (_lae_share, lambda x, y: _lae_share(y, x)),
                  (lambda x, y: _lae_share(x, y) * (1 - _lae_share(x, y)),
                   lambda x, y: _lae_share(y, x) * (1 - _lae_share(y, x)))),
    "mod": (np.remainder, (_const(1.0), lambda x, y: -np.floor(x / y)),
            (_const(0.0), _const(0.0))),
    # issue 20: ∂/∂x = 2^(x − out) = s, ∂²/∂x² = ln 2 · s(1 − s)
    "logaddexp2": (np.logaddexp2, (_lae2_share, lambda x, y: _lae2_share(y, x)),
                   (lambda x, y: np.log(2) * _lae2_share(x, y) * (1 - _lae2_share(x, y)),
                    lambda x, y: np.log(2) * _lae2_share(y, x) * (1 - _lae2_share(y, x)))),
    # issue 20: ∂²/∂x² = y²/h³ written as (y/h)²/h, which neither overflows nor underflows
    "hypot": (np.hypot, (lambda x, y: x / np.hypot(x, y), lambda x, y: y / np.hypot(x, y)),
              (lambda x, y: (y / np.hypot(x, y)) ** 2 / np.hypot(x, y),
               lambda x, y: (x / np.hypot(x, y)) ** 2 / np.hypot(x, y))),
}


def _winner_weights(x, pick):
    """JAX's convention for max/min: ties share evenly; a nan makes every share nan."""
    if np.isnan(x).any():
        return np.full(x.shape, np.nan)
    best = pick(x)
    wins = [1.0 if v == best else 0.0 for v in x]
    return np.array(wins) / sum(wins)


REDUCTIONS = {  # name: (value, gradient)
    "reduce_sum": (np.sum, lambda x: np.ones_like(x)),
    "reduce_max": (np.max, lambda x: _winner_weights(x, max)),
    "reduce_min": (np.min, lambda x: _winner_weights(x, min)),
}


def _same(got, want, what):
    with np.errstate(all="ignore"):
        np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want, dtype=float),
                                   rtol=1e-12, atol=1e-300, equal_nan=True, err_msg=what)


def _cases(kind):
    return [(p.name, point) for p in PRIMITIVES if p.name in kind for point in p.special_points]


def test_every_primitive_states_its_conventions_in_the_table():
    text = repr(PRIMITIVES)
    assert words()["table.special"] in text.splitlines()[0]    # in the run's language
    for p in PRIMITIVES:
        assert p.convention and primitive_words(p.name, (), "", p.convention)[2] in text, p.name
    assert "abs′(0) = 1" in PRIMITIVES._repr_html_()


def test_every_listed_point_has_an_independent_reference():
    known = set(UNARY) | set(BINARY) | set(REDUCTIONS) | {"integer_pow", "argmax", "argmin"}
    missing = sorted(p.name for p in PRIMITIVES if p.special_points and p.name not in known)
    assert not missing, (f"{missing} list special points: write what is expected there "
                         f"(NumPy, or the derivative by hand) in UNARY, BINARY or REDUCTIONS "
                         f"of {__name__}")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name,x", _cases(UNARY))
def test_unary_primitive_at_special_point(name, x):
    p, (value, d1, d2) = getattr(lax, name), UNARY[name]
    x = np.float64(x)
    with np.errstate(all="ignore"):
        want = (value(x), d1(x), d2(x))
    _same(p(x), want[0], f"{name}({x})")
    _same(tg.grad(p)(x), want[1], f"{name}′({x}), reverse")
    _same(tg.jvp(p, (x,), (1.0,))[1], want[1], f"{name}′({x}), forward")
    _same(tg.grad(tg.grad(p))(x), want[2], f"{name}″({x}), reverse over reverse")
    _same(tg.jvp(tg.grad(p), (x,), (1.0,))[1], want[2], f"{name}″({x}), forward over reverse")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name,xy", _cases(BINARY))
def test_binary_primitive_at_special_point(name, xy):
    p, (value, (dx, dy), (dxx, dyy)) = getattr(lax, name), BINARY[name]
    x, y = map(np.float64, xy)
    with np.errstate(all="ignore"):
        want = (value(x, y), dx(x, y), dy(x, y), dxx(x, y), dyy(x, y))
    _same(p(x, y), want[0], f"{name}{xy}")
    gx, gy = tg.grad(p, argnums=(0, 1))(x, y)
    _same(gx, want[1], f"∂{name}/∂x at {xy}, reverse")
    _same(gy, want[2], f"∂{name}/∂y at {xy}, reverse")
    # (one argument at a time: a zero tangent times an infinite partial is nan)
    _same(tg.jvp(lambda x: p(x, y), (x,), (1.0,))[1], want[1], f"∂{name}/∂x at {xy}, forward")
    _same(tg.jvp(lambda y: p(x, y), (y,), (1.0,))[1], want[2], f"∂{name}/∂y at {xy}, forward")
    _same(tg.grad(tg.grad(p, 0), 0)(x, y), want[3], f"∂²{name}/∂x² at {xy}")
    _same(tg.grad(tg.grad(p, 1), 1)(x, y), want[4], f"∂²{name}/∂y² at {xy}")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("x,n", lax.integer_pow.special_points)
def test_integer_pow_at_special_point(x, n):
    x = np.float64(x)
    with np.errstate(all="ignore"):
        d1 = float(n) if n in (0, 1) else n * x ** (n - 1)
        d2 = float(n * (n - 1)) if n in (0, 1, 2) else n * (n - 1) * x ** (n - 2)
        want = (x**n, d1, d2)
    p = lambda x: lax.integer_pow(x, n=n)  # noqa: E731
    _same(p(x), want[0], f"{x}**{n}")
    _same(tg.grad(p)(x), want[1], f"d/dx x**{n} at {x}")
    _same(tg.jvp(p, (x,), (1.0,))[1], want[1], f"d/dx x**{n} at {x}, forward")
    _same(tg.grad(tg.grad(p))(x), want[2], f"d²/dx² x**{n} at {x}")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name,x", _cases(REDUCTIONS))
def test_reduction_at_special_point(name, x):
    x = np.array(x, dtype=float)
    value, grad = REDUCTIONS[name]

    def p(x):
        return getattr(lax, name)(x, axes=None, keepdims=False)

    _same(p(x), value(x), f"{name}({x})")
    _same(tg.grad(p)(x), grad(x), f"∇{name}({x})")
    _same(tg.jvp(p, (x,), (np.ones_like(x),))[1], np.sum(grad(x)), f"{name} forward at {x}")
    # max, min and sum are piecewise linear: their Hessian is 0 (JAX's too)
    _same(tg.hessian(p)(x), np.zeros((x.size, x.size)), f"Hessian of {name} at {x}")


@pytest.mark.parametrize("name,x", _cases({"argmax", "argmin"}))
def test_argmax_argmin_at_special_point(name, x):
    got = getattr(lax, name)(np.array(x), axis=None, keepdims=False)
    assert got == getattr(np, name)(np.array(x))
    # inside grad it runs on the values: an integer, no derivative
    assert tg.grad(lambda x: x[getattr(lax, name)(x, axis=None, keepdims=False)])(
        np.array(x, dtype=float)).sum() == 1.0


@pytest.mark.parametrize("name", ["max", "min"])
def test_reduce_max_of_an_empty_array_is_an_error_as_in_numpy(name):
    with pytest.raises(ValueError, match="zero-size array"):
        getattr(np, name)(np.zeros(0))
    with pytest.raises(ValueError, match="zero-size array"):
        getattr(tnp, name)(np.zeros(0))
    assert getattr(tnp, name)(np.ones(2)) == 1.0       # the next call works


# ---- issue 13: tnp.linspace with a traced endpoint --------------------------------------


def test_linspace_with_a_traced_endpoint_is_differentiable():
    f = lambda b: tnp.sum(tnp.linspace(0.0, b, 5) ** 2)       # noqa: E731
    assert_close(f(2.0), np.sum(np.linspace(0.0, 2.0, 5) ** 2), **EXACT_TOL)
    # Σ (b·i/4)² = b² Σ (i/4)², so the derivative is 2b Σ (i/4)²
    assert_close(tg.grad(f)(2.0), 2 * 2.0 * np.sum(np.linspace(0.0, 1.0, 5) ** 2), **EXACT_TOL)
    tg.check_grads(lambda a, b: tnp.linspace(a, b, 4), (0.5, 2.0), order=2, modes=("fwd", "rev"))


def test_linspace_traced_matches_numpy_in_every_form():
    forms = [((1.0, 3.0, 4), {"endpoint": False}), ((1.0, 3.0, 1), {}), ((1.0, 3.0, 0), {}),
             ((np.array([1.0, 0.0]), np.array([3.0, 5.0]), 3), {})]
    for args, kwargs in forms:
        out, _ = tg.vjp(lambda a, args=args, kwargs=kwargs: np.linspace(a, *args[1:], **kwargs),
                        args[0])                              # via NumPy too
        assert_close(out, np.linspace(*args, **kwargs), **EXACT_TOL)
    # Σ_i (a + i (3 − a)/4) over i < 4 = 4a + 1.5 (3 − a): the derivative is 2.5
    assert float(tg.grad(lambda a: tnp.sum(tnp.linspace(a, 3.0, 4, endpoint=False)))(1.0)) == 2.5


def test_moveaxis_last_is_private():
    from tracegrad.numpy import _reductions  # prod's helper lives there
    assert "moveaxis_last" not in dir(tnp) and callable(_reductions._moveaxis_last)
