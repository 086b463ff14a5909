"""Unclear inputs get a message that names the mistake (issue 16 items 2, 6, 14, 15).

Each test checks the message and that the next, corrected call works.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict, defaultdict

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.numpy as tnp


def squares(x):
    return tnp.sum(x ** 2)


# --- item 2: a forgotten return ------------------------------------------------------

def test_a_forgotten_return_is_named():
    def f(x):
        loss = tnp.sum(x ** 2)  # noqa: F841  (the student forgot `return loss`)

    x = np.array([1.0, 2.0])
    with pytest.raises(TypeError, match=r"^grad\(f\): f returned None; did you forget "
                                        r"`return`\? \[TG-returned-none\]$"):
        tg.grad(f)(x)
    with pytest.raises(TypeError, match=r"^vjp: f returned None; did you forget `return`\? "
                                        r"\[TG-returned-none\]$"):
        tg.vjp(f, x)
    with pytest.raises(TypeError, match=r"^jvp: f returned None; did you forget `return`\? "
                                        r"\[TG-returned-none\]$"):
        tg.jvp(f, (x,), (x,))
    np.testing.assert_allclose(tg.grad(squares)(x), 2 * x)


# --- item 6: grad of a value -----------------------------------------------------------

def test_grad_of_a_value_is_refused_at_once():
    x = np.array([1.0, 2.0])
    with pytest.raises(TypeError, match=r"^grad takes the function, not its value: "
                                        r"tg.grad\(loss\)\(p, x, y\)\. It was given a "
                                        r"float64, which is not callable\. \[TG-not-callable\]$"):
        tg.grad(squares(x))
    for transform, name in [(tg.value_and_grad, "value_and_grad"), (tg.jacfwd, "jacfwd"),
                            (tg.jacrev, "jacrev"), (tg.hessian, "hessian")]:
        with pytest.raises(TypeError, match=f"^{name} takes the function, not its value"):
            transform(squares(x))
    with pytest.raises(TypeError, match=r"^vjp takes the function, not its value: "
                                        r"tg.vjp\(f, x\)"):
        tg.vjp(squares(x), x)
    with pytest.raises(TypeError, match=r"^jvp takes the function, not its value: "
                                        r"tg.jvp\(f, \(x,\), \(v,\)\)"):
        tg.jvp(squares(x), (x,), (x,))
    np.testing.assert_allclose(tg.grad(squares)(x), 2 * x)


# --- item 14: containers ---------------------------------------------------------------

def loss_of_dict(p):
    return tnp.sum(p["w"] * p["b"])


@pytest.mark.parametrize("params", [
    OrderedDict([("w", np.array([1.0, 2.0])), ("b", 3.0)]),
    defaultdict(list, {"w": np.array([1.0, 2.0]), "b": 3.0}),
], ids=["OrderedDict", "defaultdict"])
def test_dict_subclasses_are_pytrees_and_come_back_as_themselves(params):
    g = tg.grad(loss_of_dict)(params)
    assert type(g) is type(params)
    if isinstance(params, OrderedDict):
        assert list(g) == ["w", "b"]                    # an OrderedDict keeps its order
    # ∂/∂w Σ w·b = b, ∂/∂b = Σ w
    np.testing.assert_allclose(g["w"], [3.0, 3.0])
    np.testing.assert_allclose(g["b"], 3.0)
    if isinstance(params, defaultdict):
        assert g.default_factory is list


def test_own_dict_subclass_is_a_pytree():
    class Params(dict):
        pass

    g = tg.grad(loss_of_dict)(Params(w=np.array([1.0, 2.0]), b=3.0))
    assert type(g) is Params
    np.testing.assert_allclose(g["b"], 3.0)
    leaves, tree = tg.tree_flatten(Params(w=1.0, b=2.0))
    assert leaves == [2.0, 1.0] and tg.tree_unflatten(tree, leaves) == {"w": 1.0, "b": 2.0}


@dataclasses.dataclass
class Layer:
    w: np.ndarray
    b: float


class Model:
    def __init__(self):
        self.w = np.ones(2)


@pytest.mark.parametrize("value,kind,hint", [
    (Layer(np.ones(2), 1.0), "Layer", r"dataclasses.asdict\(obj\)"),
    (Model(), "Model", r"\{'w': obj.w, 'b': obj.b\}"),
    ({1.0, 2.0}, "set", "a set has no order, so pass a list or a tuple"),
])
def test_objects_that_are_not_pytrees_say_so(value, kind, hint):
    with pytest.raises(TypeError, match=rf"^grad\(<lambda>\): input 0 is a {kind}, which is "
                                        rf"not a pytree: tracegrad looks for arrays inside "
                                        rf"tuples, lists, dicts and namedtuples only\. .*{hint}"):
        tg.grad(lambda m: 1.0)(value)
    assert tg.grad(lambda p: tnp.sum(p["w"]) * p["b"])({"w": np.ones(2), "b": 2.0})["b"] == 2.0


def test_mixed_dict_keys_get_a_clear_error():
    with pytest.raises(TypeError, match=r"^pytree: a dict's keys must be sortable, so of one "
                                        r"type, but these mix int and str: \[1, 'a'\]\. Use "
                                        r"keys of one type, e.g. all str\. \[TG-tree-keys\]$"):
        tg.grad(lambda p: p[1] * p["a"])({1: 2.0, "a": 3.0})
    assert tg.grad(lambda p: p["1"] * p["a"])({"1": 2.0, "a": 3.0}) == {"1": 3.0, "a": 2.0}


# --- item 15: generator functions, integer tangents ---------------------------------

def test_a_generator_function_says_so():
    def losses(x):
        yield tnp.sum(x ** 2)

    with pytest.raises(TypeError, match=r"^grad: losses is a generator function \(it contains "
                                        r"`yield`\), so calling it gives a generator, not a "
                                        r"value\. Return the value instead of yielding it\. "
                                        r"\[TG-generator\]$"):
        tg.grad(losses)
    np.testing.assert_allclose(tg.grad(squares)(np.ones(2)), [2.0, 2.0])


def test_an_integer_tangent_is_refused_and_a_python_int_converted():
    x = np.array([1.0, 2.0])
    with pytest.raises(TypeError, match=r"^jvp: tangent 0 has dtype int64, but its primal is "
                                        r"floating-point \(float64\), and a tangent has its "
                                        r"primal's dtype\. Pass floats"):
        tg.jvp(squares, (x,), (np.array([1, 0]),))
    with pytest.raises(TypeError, match="tangent 0 has dtype bool"):
        tg.jvp(tnp.sin, (1.0,), (True,))
    # a Python int is a number, like a Python int primal: converted (d sin = cos)
    _, t = tg.jvp(tnp.sin, (np.float32(0.5),), (1,))
    assert t.dtype == np.float32 and t == np.cos(np.float32(0.5))
    _, t = tg.jvp(squares, (x,), (np.array([1.0, 0.0]),))
    assert t == 2.0
