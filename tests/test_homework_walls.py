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
from tracegrad.words import in_english, words

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
    assert "carries no lecture notebooks" in in_english(capsys.readouterr().err)


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
    assert isinstance(error, TracegradError) and re.search(STORE, in_english(str(error))), error

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
    assert re.search(r"into a plain NumPy array.*tnp\.stack.*\.at\[i\]\.set",
                     in_english(str(error)))
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


# =========================================================================================
# Issue 22, part B: the engine's walls (jit, messages, silent zeros)
# =========================================================================================

import inspect  # noqa: E402
import warnings  # noqa: E402

from tracegrad.core import UnexpectedTracerError  # noqa: E402
from tracegrad.jit import JitWarning  # noqa: E402


def _line_of(fun, text):
    """The line number, in this file, of the line of ``fun`` that contains ``text``."""
    lines, first = inspect.getsourcelines(fun)
    return first + next(k for k, line in enumerate(lines) if text in line)


def _quietly(call):
    """Run ``call``, print and JitWarnings captured: (result, printed text, warnings)."""
    out = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out):
        warnings.simplefilter("always")
        result = call()
    return result, out.getvalue(), caught


# --- 2. print and f-strings inside jit, and inside vmap(grad) ----------------------------

def test_print_inside_jit_shows_the_value_and_the_trace():
    def f(x, v):
        print(x)
        print(f"x = {x:.3f}; v = {v:.2f}")
        return x * v
    v = np.array([0.5, -1.25])
    out, text, _ = _quietly(lambda: tg.jit(f)(2.0, v))
    assert "JitTracer" not in text, text
    assert text.splitlines()[0] == "2.0 (traced: f64[], jit(f))", text
    assert text.splitlines()[1].startswith("x = 2.000; v = [0.50 -1.25]"), text
    assert_close(out, 2.0 * v)
    # the next call: the function runs eagerly (print is a side effect), and prints again
    out, text, _ = _quietly(lambda: tg.jit(f)(3.0, v))
    assert text.startswith("3.0 (traced"), text
    assert_close(out, 3.0 * v)


def test_print_inside_vmap_of_grad_shows_every_example():
    def f(x):
        print(x)
        return tnp.sin(x)
    xs = np.array([0.5, 1.0, 2.0])
    grads, text, _ = _quietly(lambda: tg.vmap(tg.grad(f))(xs))
    assert text.startswith("[0.5 1.  2. ] (batched: f64[] per example, 3 examples"), text
    assert "grad(f)" in text, text
    assert_close(grads, np.cos(xs), **TOL)


def test_print_inside_jit_of_vmap_shows_the_numbers_on_every_call():
    def f(x):
        print(f"{x:.2f}")
        return x * 2.0
    jf = tg.jit(tg.vmap(f))
    for xs in (np.array([1.0, 2.0]), np.array([3.0, -0.5])):
        out, text, caught = _quietly(lambda xs=xs: jf(xs))
        expected = " ".join(format(v, ".2f") for v in xs)
        assert text.startswith(f"[{expected}] (batched: f64[] per example, 2 examples"), text
        assert_close(out, 2.0 * xs)
    assert jf.cache_info().eager_calls == 1    # the second call ran eagerly: print is a side effect


@examples(20)
@given(st.integers(1, 4).flatmap(lambda n: arrays((n,), floats(-100, 100))))
def test_formatted_values_inside_jit_are_the_values_property(xs):
    def f(x):
        print(f"{x:.3f}")
        return x * 2.0
    out, text, _ = _quietly(lambda: tg.jit(f)(xs))
    numbers = re.findall(r"-?\d+\.\d{3}", text.split("(traced")[0])
    assert numbers == [format(v, ".3f") for v in xs]
    assert_close(out, 2.0 * xs)


# --- 3. jf.source() with no arguments ----------------------------------------------------

def test_source_with_no_arguments_shows_the_latest_version():
    jf = tg.jit(lambda a, b: a * b + 1.0)
    with pytest.raises(TracegradError, match=r"source\(\) with no arguments shows the code "
                       r"compiled last, but nothing is compiled yet.*Call the function first"):
        jf.source()
    b = np.array([1.0, 2.0, 3.0])
    assert_close(jf(2.0, b), 2.0 * b + 1.0)
    assert jf.source() == jf.source(2.0, b)
    assert "def v_lambda(a, b):" in jf.source()


def test_source_with_no_arguments_lists_several_versions():
    def g(x):
        if x[0] > 0:
            return x * 2.0
        return x - 1.0
    jg = tg.jit(g)
    jg(np.ones(2))
    jg(-np.ones(2))
    jg(np.ones(3))
    text = jg.source()
    say = words()                           # the source's comments are in the run's language

    def version(k, signature):
        return re.escape("\n#   " + say["jit.version"].format(k=k, signature=signature))
    assert re.search(re.escape(say["jit.versions"].format(name="g", count=3)) + ".*"
                     + version(1, "float64[2]") + ".*" + version(2, "float64[2]") + ".*"
                     + version(3, "float64[3]"), text), text
    assert text.endswith(jg.source(np.ones(3)))
    assert_close(jg(np.array([-1.0, 5.0])), [-2.0, 4.0])


def test_source_of_a_function_without_parameters():
    jf = tg.jit(lambda: tnp.ones(2) * 2.0)
    assert "def v_lambda():" in jf.source()
    assert_close(jf(), [2.0, 2.0])


# --- 4. the generated source is complete: exec runs it -----------------------------------

def test_the_source_runs_on_its_own():
    W = np.array([0.5, -1.0, 2.0, -0.0])

    def loss(x):
        return tnp.sum(tnp.tanh(W * x) ** 2)
    jloss = tg.jit(tg.grad(loss))
    x = np.array([1.0, 2.0, -0.5, 3.0])
    src = jloss.source(x)
    assert "W = np.array([0.5, -1.0, 2.0, -0.0], dtype=np.float64)" in src, src
    namespace = {"np": np}
    exec(src, namespace)
    # d/dx Σ tanh²(Wx) = 2 tanh(Wx) (1 − tanh²(Wx)) W
    t = np.tanh(W * x)
    assert_close(namespace["loss"](x), 2 * t * (1 - t ** 2) * W, **TOL)


def test_a_big_constant_is_listed_and_kept_in_the_namespace():
    B = np.linspace(-1.0, 1.0, 300)

    def f(x):
        return tnp.sum(B * x)
    src = tg.jit(f).source(np.ones(300))
    constants = words()["jit.constants"].format(shown="B float64[300] (source.namespace)")
    assert "# " + constants in src, src
    namespace = {"np": np, **src.namespace}
    exec(src, namespace)
    x = np.arange(300.0)
    assert_close(namespace["f"](x), B @ x, **TOL)


@examples(25)
@given(st.lists(st.one_of(floats(-1e6, 1e6), st.sampled_from([np.nan, np.inf, -np.inf, -0.0])),
                min_size=1, max_size=8), st.sampled_from([np.float64, np.float32]))
def test_written_constants_are_the_constants_property(values, dtype):
    C = np.array(values, dtype=dtype)

    def f(x):
        return x * C
    x = np.ones(len(values), dtype=dtype)
    src = tg.jit(f).source(x)
    namespace = {"np": np}
    with np.errstate(invalid="ignore"):
        exec(src, namespace)
        got = namespace["f"](x)
    np.testing.assert_array_equal(got, x * C)
    assert got.dtype == dtype
    assert np.array_equal(np.signbit(got), np.signbit(x * C))


# --- 7. a list of traced losses used after grad ------------------------------------------

def test_a_list_of_logged_losses_says_they_escaped_and_how_to_log():
    w0 = np.array([1.0, -2.0])
    hist = []

    def loss(w):
        value = tnp.sum(w ** 2)
        hist.append(value)
        return value
    for _ in range(3):
        tg.grad(loss)(w0)
    escaped = (r"escaped from grad\(loss\), which has already finished.*then given to "
               r"{}.*A list filled inside the function holds such traced values.*"
               r"hist\.append\(float\(loss\)\).*has_aux=True")
    with pytest.raises(UnexpectedTracerError, match=escaped.format(r"np\.array\(\)")):
        np.array(hist)
    with pytest.raises(UnexpectedTracerError, match=escaped.format(r"float\(\)")):
        float(hist[0])
    # the fix the message names: log the number after the step
    logged, w = [], w0.copy()
    for _ in range(3):
        value, g = tg.value_and_grad(lambda w: tnp.sum(w ** 2))(w)
        logged.append(float(value))
        w = w - 0.25 * g
    assert_close(np.array(logged), [5.0, 1.25, 0.3125], **TOL)       # Σw², w halves


# --- 10. an integer array inside a params dict -------------------------------------------

def test_an_integer_leaf_is_named_by_its_path():
    params = {"w": np.array([0.5, 2.0]), "n": np.array(3)}

    def loss(p):
        return tnp.sum(p["w"] ** 2) / p["n"]
    with pytest.raises(TypeError, match=r"grad\(loss\): input \['n'\] of argument 0 has dtype "
                       r"int64.*pass it as another argument, one that argnums leaves out"):
        tg.grad(loss)(params)
    with pytest.raises(TypeError, match=r"input \['n'\] of argument 1 has dtype int64"):
        tg.grad(lambda x, p: x * loss(p), argnums=(0, 1))(1.0, params)
    # the fix: the count as another argument
    g = tg.grad(lambda w, n: tnp.sum(w ** 2) / n)(params["w"], params["n"])
    assert_close(g, 2 * params["w"] / 3, **TOL)


# --- 11. argnums that is not a position, a call without arguments -------------------------

def test_argnums_by_name_and_a_call_without_positional_arguments():
    f = lambda a, b: a * b ** 2  # noqa: E731
    with pytest.raises(TypeError, match=r"argnums='b' is not a position: argnums is the "
                       r"position of the argument to differentiate \(an int, 0 for the first\)"):
        tg.grad(f, argnums="b")(1.0, 2.0)
    with pytest.raises(TypeError, match=r"called with no positional arguments, so there is "
                       r"nothing to differentiate \(argnums=\(0, 1\)\).*positionally"):
        tg.grad(f, argnums=(0, 1))()
    with pytest.raises(TypeError, match=r"called with no positional arguments"):
        tg.grad(f, argnums=1)(a=1.0, b=2.0)
    assert_close(tg.grad(f, argnums=1)(1.0, 2.0), 4.0, **TOL)      # ∂/∂b ab² = 2ab


# --- 15. the JitWarning points at the user's line ----------------------------------------

def test_the_jit_warning_for_print_is_shown_at_the_users_call():
    def f(x):
        print(x)
        return x + 1.0

    def caller():
        return tg.jit(f)(np.ones(2))          # the call the warning points at
    out, _, caught = _quietly(caller)
    jit_warnings = [w for w in caught if issubclass(w.category, JitWarning)]
    assert len(jit_warnings) == 1, [str(w.message) for w in caught]
    assert jit_warnings[0].filename == __file__
    assert jit_warnings[0].lineno == _line_of(caller, "the call the warning points")
    assert re.search(r"it shows a traced value \(print, repr or format\) at "
                     r"test_homework_walls\.py:\d+", in_english(str(jit_warnings[0].message)))
    assert_close(out, [2.0, 2.0])


# --- 16. the named source of a jitted grad through v[0] ----------------------------------

def test_the_named_source_of_a_gradient_through_an_index_is_the_same_program():
    def loss(v):
        return (v[0] - 1.0) ** 2 + tnp.tanh(v[0]) * v[1]
    dloss = tg.jit(tg.grad(loss))
    v = np.array([0.5, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")        # no "different program" JitWarning
        g = dloss(v)
        src = dloss.source(v)
    assert "def loss(v):" in src and "arg0" not in src, src
    assert re.search(r"\bdv\b", src), src
    t = np.tanh(0.5)
    assert_close(g, [2 * (0.5 - 1.0) + (1 - t ** 2) * 2.0, t], **TOL)
    assert_close(dloss(v), g, **TOL)        # the named code is the code that runs


# --- 17. np.random inside tg.jit ---------------------------------------------------------

def test_numpys_global_random_state_inside_jit_is_warned_about():
    def dropout(x):
        return x * (np.random.rand(*x.shape) > 0.5)
    x = np.ones(6)
    with pytest.warns(JitWarning, match=r"tg\.jit\(dropout\) drew numbers from NumPy's global "
                      r"random state.*every call reuses the very same ones.*tg\.random"):
        tg.jit(dropout)(x)
    # the fix it names: a key passed in, a new key for each call
    def dropout_key(x, key):
        return x * (tg.random.uniform(key, x.shape) > 0.5)
    jd = tg.jit(dropout_key)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        masks = [jd(x, k) for k in tg.random.split(tg.random.key(0), 8)]
    assert len({m.tobytes() for m in masks}) > 1          # different masks
    assert all(set(np.unique(m)) <= {0.0, 1.0} for m in masks)


def test_a_jitted_function_without_np_random_gives_no_random_warning():
    rng = np.random.default_rng(0)            # a Generator passed in by value: no warning
    noise = rng.normal(size=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_close(tg.jit(lambda x: x + noise)(np.zeros(3)), noise)


# --- 20. a loss that reads a global instead of its argument ------------------------------

W_GLOBAL = np.array([0.5, -1.0, 2.0])
X_DATA = np.array([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]])


def test_a_loss_that_reads_a_global_warns_that_the_gradient_is_zero():
    def loss(w):
        return tnp.sum((X_DATA @ W_GLOBAL) ** 2)          # W, not w
    with pytest.warns(tg.ZeroGradientWarning, match=r"grad\(loss\): the output does not "
                      r"depend on argument 0.*gradient is zero.*read a global \(W\) instead "
                      r"of its argument \(w\)"):
        g = tg.grad(loss)(W_GLOBAL)
    assert_close(g, np.zeros(3))
    assert issubclass(tg.ZeroGradientWarning, UserWarning)

    def loss_fixed(w):
        return tnp.sum((X_DATA @ w) ** 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # ∇ ‖Xw‖² = 2 Xᵀ X w
        assert_close(tg.grad(loss_fixed)(W_GLOBAL), 2 * X_DATA.T @ X_DATA @ W_GLOBAL, **TOL)


@pytest.mark.parametrize("constant", [
    lambda w: 0.0,                                      # a constant written on purpose
    lambda w: tnp.sum(tg.stop_gradient(w) ** 2),        # gradient stopped on purpose
    lambda w: tnp.sum(w * 0.0),                         # computed from w: zero, honestly
])
def test_no_zero_gradient_warning_where_it_is_meant(constant):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_close(tg.grad(constant)(W_GLOBAL), np.zeros(3))
        # a linear function's second derivative is zero, silently as well
        assert_close(tg.grad(tg.grad(lambda x: 3.0 * x))(1.5), 0.0)


def test_the_zero_gradient_warning_can_be_filtered():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", tg.ZeroGradientWarning)
        assert_close(tg.grad(lambda w: tnp.sum(W_GLOBAL))(W_GLOBAL), np.zeros(3))


@examples(20)
@given(arrays((3,), floats(-3, 3)), st.booleans())
def test_zero_gradient_warning_exactly_when_the_argument_is_unused_property(w, uses_argument):
    def loss(v):
        return tnp.sum(tnp.sin(v if uses_argument else W_GLOBAL) ** 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        g = tg.grad(loss)(w)
    warned = [c for c in caught if issubclass(c.category, tg.ZeroGradientWarning)]
    assert len(warned) == (0 if uses_argument else 1)
    # d/dv Σ sin²(v) = sin(2v)
    assert_close(g, np.sin(2 * w) if uses_argument else np.zeros(3), **TOL)
