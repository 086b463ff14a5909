"""Habits a student brings from PyTorch and plain Python (issue 16 items 3, 5, 7, 10, 13).

Each error test checks the message's key part and that the next, corrected
call works.
"""

from __future__ import annotations

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
    assert "tg.stop_gradient(x)" in str(info.value).split("\n")[1]
    assert float(tg.grad(lambda x: tg.stop_gradient(x) * x)(np.array(2.0))) == 2.0
