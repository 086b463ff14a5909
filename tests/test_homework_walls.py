"""Issue 22, part A: the walls a student met doing homework after the lectures.

Each test starts from what the student wrote. Where that cannot work, the
error must name the problem and the fix, and the fixed call must then give
the right answer, checked against NumPy or a closed form written here.
"""
import contextlib
import io
import re
import types

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.numpy as tnp
from tests.numeric import assert_close
from tests.strategies import arrays, examples, floats
from tracegrad import lax, lectures
from tracegrad.core import TracegradError
from tracegrad.custom import CustomRuleError
from tracegrad.tree import tree_flatten, tree_map, tree_unflatten

TOL = dict(rtol=1e-10, atol=1e-12)


def softmax_rows(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def cross_entropy_loop(Z, labels):
    """-log softmax(z)[k] for each example, one at a time, in NumPy."""
    return np.array([-np.log(softmax_rows(z)[k]) for z, k in zip(Z, labels, strict=True)])


# --- 1. vmap over integer labels ------------------------------------------------------

Z = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [0.0, 0.0, 0.0], [-2.0, 1.0, 0.5]])
LABELS = np.array([2, 0, 1, 1])


def test_vmap_gathers_each_example_at_its_own_label():
    loss = tg.vmap(lambda z, k: -tg.nn.log_softmax(z)[k])
    assert_close(loss(Z, LABELS), cross_entropy_loop(Z, LABELS), **TOL)
    # under grad: ∂/∂Z of Σ −log softmax(z)[k] = softmax(Z) − onehot(k)
    grads = tg.grad(lambda Z: tnp.sum(loss(Z, LABELS)))(Z)
    assert_close(grads, softmax_rows(Z) - np.eye(3)[LABELS], **TOL)


def test_a_plain_array_indexed_by_labels_inside_vmap_names_take_and_one_hot():
    with pytest.raises(TracegradError, match=r"cannot pick a different element for each "
                       r"example.*tnp\.take\(a, k, axis=0\).*tg\.nn\.one_hot\(k, n\)"):
        tg.vmap(lambda k: tnp.eye(3)[k])(LABELS)
    # the two fixes the message names work
    assert_close(tg.vmap(lambda k: tnp.take(tnp.eye(3), k, axis=0))(LABELS), np.eye(3)[LABELS])
    assert_close(tg.vmap(lambda k: tg.nn.one_hot(k, 3))(LABELS), np.eye(3)[LABELS])


def test_one_hot_cross_entropy_has_the_closed_form_gradient():
    def loss(Z):
        per_example = tg.vmap(lambda z, k: -tnp.sum(tg.nn.one_hot(k, 3) * tg.nn.log_softmax(z)))
        return tnp.sum(per_example(Z, LABELS))
    assert_close(tg.nn.one_hot(LABELS, 3), np.eye(3)[LABELS])
    assert_close(loss(Z), cross_entropy_loop(Z, LABELS).sum(), **TOL)
    assert_close(tg.grad(loss)(Z), softmax_rows(Z) - np.eye(3)[LABELS], **TOL)


@examples(25)
@given(st.integers(1, 5).flatmap(lambda n: st.tuples(
    arrays((n, 4), floats(-5, 5)), st.lists(st.integers(0, 3), min_size=n, max_size=n))))
def test_per_example_cross_entropy_by_label_property(case):
    Zs, labels = case
    labels = np.array(labels)
    loss = tg.vmap(lambda z, k: -tg.nn.log_softmax(z)[k])
    assert_close(loss(Zs, labels), cross_entropy_loop(Zs, labels), rtol=1e-9, atol=1e-9)
    grads = tg.grad(lambda Z: tnp.sum(loss(Z, labels)))(Zs)
    assert_close(grads, softmax_rows(Zs) - np.eye(4)[labels], rtol=1e-9, atol=1e-9)


# --- 2. print and f-strings inside vmap ---------------------------------------------------

def printed(fun, *args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        tg.vmap(fun)(*args)
    return out.getvalue()


def test_print_inside_vmap_shows_every_example_and_says_it_is_a_batch():
    text = printed(lambda x: print(x) or x, np.array([0.5, 1.0, 2.0]))
    assert text.startswith("[0.5 1.  2. ]"), text
    assert re.search(r"batched: f64\[\] per example, 3 examples", text), text


def test_a_format_spec_applies_to_each_example():
    text = printed(lambda s: print(f"loss {s:.3f}") or s, np.array([0.5, 1.0, 2.0]))
    assert text.startswith("loss [0.500 1.000 2.000] (batched"), text
    rows = printed(lambda x: print(f"{x:.1f}") or x, np.arange(4.0).reshape(2, 2))
    assert rows.startswith("[[0.0 1.0]\n [2.0 3.0]] (batched: f64[2] per example, 2"), rows
    # the next vmap works as before
    assert_close(tg.vmap(tnp.sum)(np.arange(4.0).reshape(2, 2)), [1.0, 5.0])


def test_a_format_spec_inside_per_example_gradients():
    def loss(z, k):
        value = -tg.nn.log_softmax(z)[k]
        print(f"loss {value:.4f}")
        return value
    text = printed(tg.grad(loss), Z, LABELS)
    expected = " ".join(format(v, ".4f") for v in cross_entropy_loop(Z, LABELS))
    assert text.startswith(f"loss [{expected}] (batched: f64[] per example, 4 examples, "
                           f"vmap(loss))"), text


@examples(30)
@given(st.integers(1, 6).flatmap(lambda n: arrays((n,), floats(-100, 100))))
def test_formatted_batch_holds_each_examples_value_property(xs):
    text = printed(lambda s: print(f"{s:.3f}") or s, xs)
    numbers = re.findall(r"-?\d+\.\d{3}", text.split("(batched")[0])
    assert numbers == [format(v, ".3f") for v in xs]


# --- 5. python -m tracegrad.lectures DIR in a wheel and in a clone -------------------------

def _notebooks(folder):
    for language in lectures.LANGUAGES:
        (folder / language).mkdir(parents=True)
        (folder / language / "01_x.ipynb").write_text("{}")


def test_lectures_are_found_in_a_wheel(tmp_path, monkeypatch):
    package = tmp_path / "site-packages" / "tracegrad"
    _notebooks(package / "_lectures")
    monkeypatch.setattr(lectures, "HERE", package)
    assert lectures.source() == package / "_lectures"


def test_lectures_are_copied_from_a_clone(tmp_path, monkeypatch, capsys):
    clone = tmp_path / "clone"
    (clone / "tracegrad").mkdir(parents=True)          # no _lectures in a clone
    _notebooks(clone / "lectures")
    monkeypatch.setattr(lectures, "HERE", clone / "tracegrad")
    assert lectures.source() == clone / "lectures"
    assert lectures.main([str(tmp_path / "mine")]) == 0
    assert sorted(p.relative_to(tmp_path / "mine").as_posix()
                  for p in (tmp_path / "mine").rglob("*.ipynb")) == ["en/01_x.ipynb",
                                                                    "uk/01_x.ipynb"]


def test_no_lectures_anywhere_is_said(tmp_path, monkeypatch, capsys):
    (tmp_path / "tracegrad" / "_lectures" / "uk").mkdir(parents=True)    # empty folders
    monkeypatch.setattr(lectures, "HERE", tmp_path / "tracegrad")
    assert lectures.source() is None
    assert lectures.main([str(tmp_path / "mine")]) == 1
    assert "carries no lecture notebooks" in capsys.readouterr().err


# --- 6. preds[i] = v into a plain array -----------------------------------------------------

X = np.array([[0.5, -1.0], [1.0, 2.0], [-0.5, 0.25], [2.0, 0.0]])
W = np.array([0.3, -0.7])


def _raised(call):
    """The error a student sees explained: NumPy raises its own ValueError for a
    single element, with tracegrad's error as its cause (shown above it)."""
    with pytest.raises((TracegradError, ValueError)) as info:
        call()
    error = info.value
    return error if isinstance(error, TracegradError) else error.__cause__


STORE = (r"stores a value traced by grad\(loss\) into a plain NumPy array.*tnp\.stack"
         r".*\.at\[i\]\.set")


def test_storing_a_traced_element_into_a_plain_array_names_stack_and_at_set():
    def loss(w):
        preds = tnp.zeros(4)
        for i in range(4):
            preds[i] = tnp.tanh(X[i] @ w)
        return tnp.sum(preds)
    error = _raised(lambda: tg.grad(loss)(W))
    assert isinstance(error, TracegradError) and re.search(STORE, str(error)), error

    def loss_fixed(w):
        return tnp.sum(tnp.stack([tnp.tanh(X[i] @ w) for i in range(4)]))
    # d/dw Σ tanh(X w) = Xᵀ (1 − tanh²(X w))
    assert_close(tg.grad(loss_fixed)(W), X.T @ (1 - np.tanh(X @ W) ** 2), **TOL)


def test_storing_a_traced_row_into_a_plain_array_names_stack_and_at_set():
    def loss(w):
        preds = tnp.zeros((4, 2))
        for i in range(4):
            preds[i] = tnp.tanh(X[i] * w)
        return tnp.sum(preds)
    with pytest.raises(TracegradError, match=STORE):
        tg.grad(loss)(W)

    def loss_fixed(w):
        preds = tnp.zeros((4, 2))
        for i in range(4):
            preds = tnp.at(preds)[i].set(tnp.tanh(X[i] * w))
        return tnp.sum(preds)
    assert_close(tg.grad(loss_fixed)(W), (X * (1 - np.tanh(X * W) ** 2)).sum(0), **TOL)


@examples(20)
@given(st.tuples(st.integers(1, 3), st.sampled_from([(), (2,), (2, 3)]), st.booleans()))
def test_storing_traced_values_into_plain_arrays_property(case):
    n, shape, batched = case
    x = np.linspace(-1.0, 1.0, int(np.prod(shape, dtype=int))).reshape(shape)

    def loss(w):
        preds = tnp.zeros((n,) + shape)
        for i in range(n):
            preds[i] = tnp.tanh(w * x)
        return tnp.sum(preds)
    transform = tg.vmap(tg.grad(loss)) if batched else tg.grad(loss)
    error = _raised(lambda: transform(np.array([0.5, 2.0]) if batched else 0.5))
    assert isinstance(error, TracegradError), error
    assert re.search(r"into a plain NumPy array.*tnp\.stack.*\.at\[i\]\.set", str(error))
    # d/dw n Σ tanh(w x) = n Σ x (1 − tanh²(w x))
    fixed = tg.grad(lambda w: tnp.sum(tnp.stack([tnp.tanh(w * x) for _ in range(n)])))
    assert_close(fixed(0.5), n * np.sum(x * (1 - np.tanh(0.5 * x) ** 2)), **TOL)


def test_float_of_a_traced_value_keeps_its_own_message():
    with pytest.raises(TypeError, match=r"float\(\) of a value traced by"):
        tg.grad(lambda x: float(x))(1.0)


# --- 8. scipy.special on a traced value -------------------------------------------------

class FakeUfunc:
    """Stands in for scipy.special's ufuncs (scipy is not a dependency): like any
    ufunc, it hands a traced argument to the tracer's __array_ufunc__."""

    def __init__(self, name):
        self.__name__ = name

    def __call__(self, x):
        return x.__array_ufunc__(self, "__call__", x)


def _scipy_function(name):
    """A function defined in a module named like scipy's, which calls np.asarray
    first, as scipy.special.softmax does."""
    module = {"__name__": "scipy.special._logsumexp", "np": np}
    exec(f"def {name}(x, axis=None):\n    x = np.asarray(x)\n    return x\n", module)
    return module[name]


@pytest.mark.parametrize("name, instead", [("expit", r"tg\.nn\.sigmoid\(x\)"),
                                           ("logit", r"tnp\.log\(x\) - tnp\.log1p\(-x\)")])
def test_scipy_ufuncs_name_the_tracegrad_function(name, instead):
    with pytest.raises(TypeError, match=rf"scipy\.special\.{name} .*Use {instead}"):
        tg.grad(FakeUfunc(name))(0.5)
    # what it names works: σ'(x) = σ(x)(1 − σ(x)); logit'(x) = 1 / (x(1 − x))
    s = 1 / (1 + np.exp(-0.5))
    assert_close(tg.grad(tg.nn.sigmoid)(0.5), s * (1 - s), **TOL)
    assert_close(tg.grad(lambda x: tnp.log(x) - tnp.log1p(-x))(0.25), 1 / (0.25 * 0.75), **TOL)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp"])
def test_scipy_functions_that_call_asarray_name_the_tracegrad_function(name):
    fake = _scipy_function(name)
    with pytest.raises(TypeError, match=rf"scipy\.special\.{name} .*Use tg\.nn\.{name}\(x"):
        tg.grad(lambda x: tnp.sum(fake(x) * np.arange(3.0)))(np.zeros(3))
    x = np.array([0.5, -1.0, 2.0])
    p = softmax_rows(x)
    # ∂/∂x Σ_i c_i softmax(x)_i = p ⊙ (c − p·c)
    c = np.arange(3.0)
    assert_close(tg.grad(lambda x: tnp.sum(tg.nn.softmax(x) * c))(x), p * (c - p @ c), **TOL)


def test_real_scipy_expit_names_sigmoid():
    special = pytest.importorskip("scipy.special")
    with pytest.raises(TypeError, match=r"scipy\.special\.expit .*tg\.nn\.sigmoid"):
        tg.grad(special.expit)(0.5)
    with pytest.raises(TypeError, match=r"scipy\.special\.softmax .*tg\.nn\.softmax"):
        tg.grad(lambda x: special.softmax(x)[0])(np.zeros(3))


# --- 9. lecture 08's exercises in their starting state ----------------------------------

def test_a_derivative_returning_none_names_itself_and_what_it_must_return():
    def d_my_sinh(out, x):
        return None                          # the exercise's placeholder
    my_sinh = lax.elementwise("my_sinh", np.sinh, (d_my_sinh,), ("?",))
    for call in (lambda: tg.grad(my_sinh)(1.5), lambda: tg.jvp(my_sinh, (1.5,), (1.0,))):
        with pytest.raises(CustomRuleError, match=r"my_sinh: its derivative with respect to x "
                           r"\(d_my_sinh\) returned None, but it must return ∂my_sinh/∂x"):
            call()
    fixed = lax.elementwise("my_sinh", np.sinh, (lambda out, x: tnp.cosh(x),), ("cosh x",))
    assert_close(tg.grad(fixed)(1.5), np.cosh(1.5), **TOL)
    assert_close(tg.grad(tg.grad(fixed))(1.5), np.sinh(1.5), **TOL)


def test_a_defjvps_rule_returning_none_is_not_a_zero_tangent():
    f = tg.custom_jvp(lambda x: tnp.sin(x))

    def rule(x_dot, ans, x):
        pass                                 # `return` forgotten
    f.defjvps(rule)
    with pytest.raises(CustomRuleError, match=r"the defjvps rule rule returned None, but it "
                       r"must return the output's tangent"):
        tg.grad(f)(1.0)
    f.defjvps(lambda x_dot, ans, x: tnp.cos(x) * x_dot)
    assert_close(tg.grad(f)(1.0), np.cos(1.0), **TOL)


def _log_sigmoid():
    @tg.custom_jvp
    def log_sigmoid(x):
        return -tnp.log(1.0 + tnp.exp(-x))
    return log_sigmoid


def test_custom_jvp_rules_in_their_starting_state_say_what_to_return():
    log_sigmoid = _log_sigmoid()

    @log_sigmoid.defjvp
    def starting(primals, tangents):
        x, = primals
        return log_sigmoid(x), None
    with pytest.raises(CustomRuleError, match=r"custom_jvp log_sigmoid: its rule starting "
                       r"returned None as the tangent output. Return the tangent itself"):
        tg.grad(log_sigmoid)(0.5)

    @log_sigmoid.defjvp
    def tangent_only(primals, tangents):
        return tg.nn.sigmoid(-primals[0]) * tangents[0]
    with pytest.raises(CustomRuleError, match=r"its rule tangent_only must return a pair "
                       r"\(primal_out, tangent_out\)"
                       r".*but it returned an array of shape \(\)"):
        tg.grad(log_sigmoid)(0.5)

    @log_sigmoid.defjvp
    def solved(primals, tangents):
        x, = primals
        return log_sigmoid(x), tg.nn.sigmoid(-x) * tangents[0]
    with np.errstate(over="ignore"):        # the primal's own e^1000, as in the lecture
        got = tg.grad(lambda p: tnp.sum(log_sigmoid(p)))(np.array([-1000.0, 0.0, 1000.0]))
    assert_close(got, [1.0, 0.5, 0.0], **TOL)


def test_custom_vjp_fwd_returning_only_the_output_says_what_to_return():
    @tg.custom_vjp
    def f(x):
        return tnp.sin(x)
    def f_fwd(x):
        return tnp.sin(x)                    # the residuals forgotten
    f.defvjp(f_fwd, lambda res, g: (g * tnp.cos(res),))
    with pytest.raises(CustomRuleError, match=r"custom_vjp f: fwd f_fwd must return a pair "
                       r"\(output, residuals\).*but it returned an array of shape \(\)"):
        tg.grad(f)(1.0)
    f.defvjp(lambda x: (tnp.sin(x), x), lambda res, g: (g * tnp.cos(res),))
    assert_close(tg.grad(f)(1.0), np.cos(1.0), **TOL)


# --- 12. x.tolist() and x.exp() on a traced value ---------------------------------------

@pytest.mark.parametrize("method, hint", [
    ("tolist", r"(?s)x\.tolist\(\) of a traced value would turn it into Python numbers"
               r".*return them"),
    ("exp", r"x\.exp\(\) is not a method of traced values.*Write tnp\.exp\(x\)"),
    ("sigmoid", r"Write tg\.nn\.sigmoid\(x\)"),
])
def test_missing_methods_say_what_to_write(method, hint):
    with pytest.raises(AttributeError, match=hint):
        tg.grad(lambda x: getattr(x, method)())(1.0)
    seen = []
    tg.grad(lambda x: seen.append((hasattr(x, "exp"), hasattr(x, "tolist"))) or x)(1.0)
    assert seen == [(False, False)]          # as for an ndarray
    assert_close(tg.grad(lambda x: tnp.exp(x))(1.0), np.exp(1.0), **TOL)


# --- 14. vmap over a Python list of numbers ---------------------------------------------

def test_vmap_over_a_list_of_numbers_says_to_pass_an_array():
    f = tg.vmap(lambda x: x ** 2)
    with pytest.raises(ValueError, match=r"argument 0 is a list or tuple, which vmap reads as a "
                       r"pytree.*pass an array: np\.array\(\[\.\.\.\]\)"):
        f([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"argument 0\['a'\], of shape \(\); a scalar has no axis"):
        f({"a": 1.0})                        # a dict's number is not called a list
    assert_close(f(np.array([1.0, 2.0, 3.0])), [1.0, 4.0, 9.0])


@examples(20)
@given(st.lists(floats(-5, 5), min_size=1, max_size=5), st.booleans())
def test_vmap_over_any_list_or_tuple_of_numbers_property(values, as_tuple):
    f = tg.vmap(lambda x: x ** 2)
    given_values = tuple(values) if as_tuple else values
    with pytest.raises(ValueError, match=r"is a list or tuple.*pass an array"):
        f(given_values)
    assert_close(f(np.array(values)), np.array(values) ** 2)


# --- 19. a gradient's dict keeps the caller's key order ---------------------------------

def test_gradient_of_a_dict_keeps_the_callers_key_order():
    params = {"W1": np.array([[0.5, -1.0]]), "b1": np.array([0.25, 0.5]), "W2": np.array([2.0])}

    def loss(p):
        return tnp.sum(p["W1"] ** 2) + 3.0 * tnp.sum(p["b1"]) + tnp.sum(p["W2"] ** 3)
    grads = tg.grad(loss)(params)
    assert list(grads) == ["W1", "b1", "W2"]
    expected = {"W1": 2 * params["W1"], "b1": 3.0 * np.ones(2), "W2": 3 * params["W2"] ** 2}
    for (name, _), (grad_name, g) in zip(params.items(), grads.items(), strict=True):
        assert name == grad_name
        assert_close(g, expected[name], **TOL)


def test_dicts_with_keys_in_other_orders_have_one_structure():
    leaves_ab, tree_ab = tree_flatten({"a": 1.0, "b": 2.0})
    leaves_ba, tree_ba = tree_flatten({"b": 2.0, "a": 1.0})
    assert leaves_ab == leaves_ba == [1.0, 2.0]          # leaves in sorted key order
    assert tree_ab == tree_ba and hash(tree_ab) == hash(tree_ba)
    assert list(tree_unflatten(tree_ba, leaves_ba)) == ["b", "a"]
    jitted = tg.jit(tg.grad(lambda p: p["a"] * p["b"] ** 2))
    for params in ({"b": 2.0, "a": 3.0}, {"a": 3.0, "b": 2.0}):
        grads = jitted(params)
        assert list(grads) == list(params)
        assert_close(np.array([grads["a"], grads["b"]]), [4.0, 12.0], **TOL)


@examples(50)
@given(st.permutations(["w", "b", "a", "z", "m"]).flatmap(lambda keys: st.tuples(
    st.just(keys), st.lists(floats(-5, 5), min_size=5, max_size=5))))
def test_dicts_come_back_in_their_own_order_property(case):
    keys, values = case
    d = dict(zip(keys, values, strict=True))
    nested = types.SimpleNamespace(tree={"outer": d, "list": [d]})
    leaves, treedef = tree_flatten(nested.tree)
    assert leaves[:5] == [d[k] for k in sorted(d)]        # sorted, whatever the order
    rebuilt = tree_unflatten(treedef, leaves)
    assert list(rebuilt["outer"]) == keys and list(rebuilt["list"][0]) == keys
    assert rebuilt == nested.tree
    doubled = tree_map(lambda v: 2 * v, d)
    assert list(doubled) == keys and all(doubled[k] == 2 * d[k] for k in keys)
    grads = tg.grad(lambda p: sum(p[k] ** 2 for k in keys))(d)
    assert list(grads) == keys
    assert_close(np.array([grads[k] for k in keys]), 2 * np.array(values), **TOL)
