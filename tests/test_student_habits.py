"""Habits a student brings from PyTorch and plain Python (issue 16 items 3, 5, 7, 10, 13).

Each error test checks the message's key part and that the next, corrected
call works.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.numpy as tnp


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
    first, todo, math_line = str(info.value).split("\n")
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
        return np.floor(x) * x

    with pytest.raises(TypeError, match=r"np\.floor cannot be traced.*compute it outside the "
                                        r"function you differentiate and pass the result in"):
        tg.grad(f)(1.5)
    assert float(tg.grad(lambda x, k: k * x)(1.5, np.floor(1.5))) == 1.0
