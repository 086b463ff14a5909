"""Habits a student brings from PyTorch and plain Python (issue 16 items 3, 5, 7, 10, 13).

Each error test checks the message's key part and that the next, corrected
call works.
"""

from __future__ import annotations

import math
import re
import sys
import warnings

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.numpy as tnp
from tracegrad.words import in_english


def squares(x):
    return tnp.sum(x ** 2)


def _works_again():
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(tg.grad(squares)(x), 2 * x)


# ---- item 3: PyTorch habits ---------------------------------------------------------

@pytest.mark.parametrize("habit, instead", [
    (lambda x: x.backward(), r"tg\.grad\(loss_fn\)\(params\)"),
    (lambda x: x.grad, r"tg\.grad\(loss_fn\)\(params\)"),
    (lambda x: x.requires_grad_(), r"argnums=\(0, 1\)"),
    (lambda x: x.requires_grad, r"argnums=\(0, 1\)"),
    (lambda x: x.detach(), r"tg\.stop_gradient\(x\)"),
])
def test_pytorch_habits_explain_the_functional_style_in_two_lines(habit, instead):
    with pytest.raises(AttributeError, match=r"PyTorch's style; tracegrad, like JAX, is "
                                             r"functional") as info:
        tg.grad(lambda x: habit(x) * x)(1.0)
    lines = str(info.value).split("\n")
    assert len(lines) == 2 and re.search(instead, lines[1])
    _works_again()


def test_hasattr_grad_stays_false_as_for_an_ndarray():
    seen = []
    tg.grad(lambda x: seen.append((hasattr(x, "grad"), getattr(x, "detach", None))) or x)(1.)
    assert seen == [(hasattr(np.ones(1), "grad"), None)]


@pytest.mark.parametrize("call, error, key", [
    (lambda x: x.numpy(), AttributeError, r"x\.numpy\(\) of a traced value .* drop its gradient"),
    (lambda x: x.item(), TypeError, r"x\.item\(\) of a traced value .* drop its gradient"),
])
def test_numpy_and_item_inside_a_transformation_say_what_to_do(call, error, key):
    with pytest.raises(error, match=key) as info:
        tg.grad(lambda x: call(x) * x)(np.array(2.0))
    assert "tg.value_and_grad(f)" in str(info.value).split("\n")[1]
    value, g = tg.value_and_grad(lambda x: x * x)(np.array(2.0))
    assert (float(value), float(g)) == (4.0, 4.0)


# ---- item 5 (second half): math.exp(x) and float(x) -----------------------------------

def test_math_exp_names_the_tnp_function():
    def f(x):
        return math.exp(x) * 2.0

    with pytest.raises(TypeError, match=r"^math\.exp\(\) takes plain Python numbers, so it "
                                        r"called float\(\) on a value traced by grad\(f\)"
                                        r"(.|\n)*Use tnp\.exp\(x\) for math\.exp"):
        tg.grad(f)(1.0)
    assert float(tg.grad(lambda x: tnp.exp(x) * 2.0)(1.0)) == pytest.approx(2 * math.e)


def test_several_math_calls_on_a_line_are_all_named():
    with pytest.raises(TypeError, match=r"tnp\.sqrt\(x\) for math\.sqrt, "
                                        r"tnp\.arctan\(x\) for math\.atan"):
        tg.grad(lambda x: math.sqrt(x) + math.atan(x))(1.0)


def test_float_of_a_traced_value_says_where_it_came_from_and_what_to_do():
    def loss(x):
        print(f"{float(x):.3f}")
        return x * x

    with pytest.raises(TypeError) as info:
        tg.grad(loss)(3.0)
    first, todo, math_line = in_english(str(info.value)).split("\n")
    assert first.startswith("float() of a value traced by grad(loss) would drop its gradient")
    assert "print(x)" in todo and "has_aux=True" in todo
    assert "tnp.exp" in math_line and "math.exp" in math_line

    def loss(x):
        return x * x, x       # the value itself, returned next to the loss

    g, value = tg.grad(loss, has_aux=True)(3.0)
    assert (float(g), f"{float(value):.3f}") == (6.0, "3.000")


def test_int_of_a_traced_value_does_not_talk_about_math():
    with pytest.raises(TypeError, match=r"^int\(\) of a value traced by grad") as info:
        tg.grad(lambda x: int(x) * x)(3.0)
    assert "math" not in str(info.value)
    _works_again()


def test_numpy_functions_without_a_tnp_equivalent_give_advice_that_works():
    def f(x):
        return np.spacing(x) * x            # a ufunc with no tnp equivalent

    with pytest.raises(TypeError, match=r"np\.spacing cannot be traced.*compute it outside the "
                                        r"function you differentiate and pass the result in"):
        tg.grad(f)(1.5)
    assert float(tg.grad(lambda x, k: k * x)(1.5, np.spacing(1.5))) == np.spacing(1.5)


# ---- item 7: a list where an array was meant ------------------------------------------

LIST_HINT = (r"an input is a Python list of 3 numbers, and a list is a pytree of scalars"
             r"(.|\n)*If you meant an array, pass np\.array\(\[1\.0, 2\.0, 3\.0\]\)")


@pytest.mark.parametrize("body", [
    lambda x: x ** 2,                     # Python's operand error
    lambda x: tnp.sum(x ** 2),
    lambda x: x.sum(),                    # an AttributeError
    lambda x: tnp.sum(tnp.exp(x)),        # tnp meets a list of tracers
])
def test_a_list_of_numbers_is_named_as_a_pytree_of_scalars(body):
    with pytest.raises((TypeError, AttributeError), match=LIST_HINT):
        tg.grad(lambda x: tnp.sum(body(x)))([1., 2., 3.])
    x = np.array([1., 2., 3.])
    np.testing.assert_allclose(tg.grad(lambda x: tnp.sum(x ** 2))(x), 2 * x)


def test_the_original_error_is_kept_and_the_hint_added_once():
    with pytest.raises(TypeError) as info:
        tg.grad(tg.grad(lambda x: x ** 2))([1., 2., 3.])
    first, *rest = str(info.value).split("\n")
    assert first == "unsupported operand type(s) for ** or pow(): 'list' and 'int'"
    assert len(rest) == 1 and "np.array([1.0, 2.0, 3.0])" in rest[0]


@pytest.mark.parametrize("transform", [
    lambda f, x: tg.jacrev(f)(x),
    lambda f, x: tg.jacfwd(f)(x),
    lambda f, x: tg.jvp(f, (x,), ([1., 1., 1.],)),
    lambda f, x: tg.vjp(f, x),
])
def test_every_transformation_names_a_list_input(transform):
    with pytest.raises(TypeError, match=LIST_HINT):
        transform(lambda x: x ** 2, [1., 2., 3.])
    x = np.array([1., 2., 3.])
    np.testing.assert_allclose(tg.jacrev(lambda x: x ** 2)(x), np.diag(2 * x))


def test_a_list_used_as_a_list_still_works_and_other_errors_get_no_hint():
    assert tg.grad(lambda x: x[0] * x[1])([2., 3.]) == [3., 2.]
    with pytest.raises(TypeError) as info:
        tg.grad(lambda x: x ** 2)((np.ones(2), np.ones(2)))     # arrays: a real pytree
    assert "pytree of scalars" not in str(info.value)


# ---- item 13: print of a traced value -----------------------------------------------

def test_print_shows_the_value_first_and_the_kind_briefly(capsys):
    x = np.array([1.0, 2.0, 3.0])

    def loss(x):
        print(x)
        print(x[0], f"{x[1]:.2f}")
        return tnp.sum(x ** 2)

    tg.grad(loss)(x)
    tg.jvp(lambda v: print(v) or v, (np.eye(2, dtype=np.float32),),
           (np.eye(2, dtype=np.float32),))
    shown = capsys.readouterr().out
    assert shown == (f"{x} (traced: f64[3], grad(loss))\n"
                     f"{x[0]} (traced: f64[], grad(loss)) {x[1]:.2f}\n"
                     f"{np.eye(2, dtype=np.float32)} (traced: f32[2,2], jvp)\n")


# ---- item 10: NumPy's warnings at the user's line --------------------------------------

def _here():
    """The caller's line number."""
    return sys._getframe(1).f_lineno


def _numpy_says(f):
    """NumPy's own warning text for f(), computed by NumPy itself."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        f()
    return str(seen[0].message)


def _caught(f):
    """The warnings f() gives, each message put back in English (for --tg-language=uk)."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        f()
    return [(in_english(str(w.message)), w.category, w.filename, w.lineno) for w in seen]


def test_a_warning_in_a_primitive_is_reported_at_the_users_line_with_its_name():
    def loss(x):
        line.append(_here() + 1)
        y = tnp.log(x)
        return tnp.sum(tnp.where(x > 0, y, 0.0))

    line = []
    seen = _caught(lambda: tg.grad(loss)(np.array([0.0, 1.0])))
    log_message = _numpy_says(lambda: np.log(np.zeros(1)))     # NumPy: "... in log"
    assert (log_message, RuntimeWarning, __file__, line[0]) in seen
    assert all(filename == __file__ for _, _, filename, _ in seen)


def test_a_warning_in_the_backward_pass_names_the_derivative():
    x = np.array([0.0, 4.0])
    call = _here() + 1
    seen = _caught(lambda: tg.grad(lambda x: tnp.sum(tnp.sqrt(x)))(x))
    assert seen == [("divide by zero encountered computing the derivative of sqrt "
                     "(backward pass)", RuntimeWarning, __file__, call)]
    call = _here() + 1
    seen = _caught(lambda: tg.jvp(tnp.sqrt, (x,), (np.ones(2),)))
    assert seen == [("divide by zero encountered computing the derivative of sqrt "
                     "(forward mode)", RuntimeWarning, __file__, call)]


def test_a_plain_call_outside_transformations_warns_at_the_users_line_too():
    call = _here() + 1
    seen = _caught(lambda: tnp.log(np.zeros(2)))
    assert seen == [(_numpy_says(lambda: np.log(np.zeros(2))), RuntimeWarning, __file__, call)]


def test_the_users_numpy_settings_and_filters_still_hold():
    before = np.geterr()
    x = np.array([0.0, 1.0])
    with np.errstate(divide="ignore"):                 # ignored, while "invalid" still warns
        assert _caught(lambda: tg.grad(lambda x: tnp.sum(tnp.log(x)))(x)) == []
        call = _here() + 1
        seen = _caught(lambda: tnp.log(-x))
        assert seen == [(_numpy_says(lambda: np.log(-np.ones(1))), RuntimeWarning, __file__,
                         call)]
    with np.errstate(divide="raise"), pytest.raises(FloatingPointError):
        tg.grad(lambda x: tnp.sum(tnp.log(x)))(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeWarning, match="divide by zero encountered in log"):
            tg.grad(lambda x: tnp.sum(tnp.log(x)))(x)
    assert np.geterr() == before                     # nothing left behind
    assert _caught(lambda: tg.grad(lambda x: tnp.sum(tnp.log(x)))(x + 1.0)) == []
