"""tg.jit: compiled code gives eager's numbers, re-checks its branches,
caches by signature, and reads as plain NumPy."""
import ast
import warnings

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.numpy as tnp
from tracegrad.jit import JitWarning, source_template
from tracegrad.words import words

from .numeric import num_grad
from .programs import loss_fun


def close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


# ---- every primitive has its NumPy source ------------------------------------

def test_every_lax_primitive_has_a_source_template():
    missing = [p.name for p in tg.primitives() if source_template(p) is None]
    assert missing == []


def test_a_derived_template_is_the_numpy_call():
    assert source_template(tg.lax.tanh) == "np.tanh({0})"


# ---- equivalence on programs that exercise many primitives -------------------------

def kitchen_sink(x, y):
    """Uses most primitives: elementwise, reductions, shape, indexing, linalg."""
    a = tnp.sin(x) * tnp.exp(-x) + tnp.log1p(tnp.abs(y[:3])) / (1.0 + x ** 2)
    b = tnp.maximum(a, 0.1) - tnp.minimum(a, -0.1) + tnp.arctan2(a, 2.0)
    m = tnp.outer(b, b)
    c = tnp.einsum("ij,j->i", m, tnp.tanh(b)) + (m @ b)
    d = tnp.concatenate([c, tnp.sqrt(tnp.square(c) + 1.0)])
    e = tnp.tanh(tnp.reshape(d, (2, 3)).T.sum(axis=1) + tnp.max(d) + tnp.mean(tnp.expm1(d * 0.1)))
    f = tg.nn.sigmoid(e) + tg.nn.relu(e - 1.0) + tg.nn.softplus(e) + tg.nn.logsumexp(e)
    g = tnp.where(e > 1.0, e, 0.0) + tnp.cosh(e * 0.1) - tnp.sinh(e * 0.1)
    h = tg.lax.index_set(f, g[1], index=(0,)) + y[[0, 0, 2]] * tnp.prod(x)
    return tnp.sum(tnp.tanh(h * 0.1) ** 3) + tnp.var(tnp.tanh(e)) + tg.stop_gradient(e).sum()


@pytest.mark.parametrize("transform", [
    lambda f: f, tg.grad, lambda f: tg.grad(f, argnums=(0, 1)), tg.hessian, tg.jacfwd,
    lambda f: tg.grad(lambda x, y: tg.grad(f)(x, y).sum()),
], ids=["plain", "grad", "grad_both", "hessian", "jacfwd", "grad_grad"])
def test_jit_matches_eager_on_many_primitives_first_and_later_calls(transform, rng):
    fun = transform(kitchen_sink)
    jf = tg.jit(fun)
    for _ in range(3):                         # first call, then compiled calls
        x, y = rng.normal(size=3), rng.normal(size=4)
        want = fun(x, y)
        for got, ref in zip(tg.tree_leaves(jf(x, y)), tg.tree_leaves(want)):
            close(got, ref)
    info = jf.cache_info()
    assert info.hits >= 1 and info.eager_calls == 0


def test_jit_of_grad_agrees_with_finite_differences(rng):
    def f(x):
        return tnp.sum(tnp.tanh(x) * tnp.sin(x) + tg.nn.relu(x) ** 2 + tnp.max(x) * x)

    jf = tg.jit(tg.grad(f))
    jf(rng.normal(size=5))
    x2 = rng.normal(size=5)
    np.testing.assert_allclose(jf(x2), num_grad(f, x2), rtol=1e-6, atol=1e-7)


def test_pytrees_in_and_out(rng):
    def loss(params, x):
        h = tnp.tanh(x @ params["w"] + params["b"])
        return {"loss": tnp.mean(h ** 2), "h": h}, [params["b"] * 2.0]

    jf = tg.jit(loss)
    for _ in range(2):
        params = {"w": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}
        x = rng.normal(size=(4, 3))
        got, want = jf(params, x), loss(params, x)
        assert tg.tree_flatten(got)[1] == tg.tree_flatten(want)[1]
        for g, w in zip(tg.tree_leaves(got), tg.tree_leaves(want)):
            close(g, w)


def test_grad_of_jit_goes_through_bind(rng):
    jf = tg.jit(lambda x: tnp.sum(tnp.sin(x) * x))
    x = rng.normal(size=5)
    jf(x)                                      # compiled once, on plain values
    close(tg.grad(jf)(x), np.cos(x) * x + np.sin(x))
    close(tg.grad(tg.grad(lambda t: jf(t * np.ones(2))))(0.3),
          tg.grad(tg.grad(lambda t: tnp.sum(tnp.sin(t * np.ones(2)) * t)))(0.3))


def test_custom_rules_are_staged(rng):
    @tg.custom_vjp
    def clip_grad(x):
        return tnp.sin(x)

    def fwd(x):
        return tnp.sin(x), tnp.cos(x)

    def bwd(c, g):
        return (tnp.clip(g * c, -0.1, 0.1),)
    clip_grad.defvjp(fwd, bwd)

    f = tg.grad(lambda x: tnp.sum(clip_grad(x) * 3.0))
    jf = tg.jit(f)
    for _ in range(2):
        x = rng.normal(size=4)
        close(jf(x), f(x))


# ---- guards ----------------------------------------------------------------------

def branchy(x):
    if x > 0:
        return tnp.sin(x)
    return tnp.cos(x) * 2.0


def test_a_branch_on_a_value_is_rechecked_and_both_sides_are_right():
    jf = tg.jit(branchy)
    for x in [0.5, -0.5, 1.5, -1.5, 0.25]:
        close(jf(x), branchy(x))
    info = jf.cache_info()
    assert (info.traces, info.versions, info.guard_failures) == (2, 2, 1)
    assert info.hits == 3


def test_a_branch_inside_grad_is_guarded_too():
    jf = tg.jit(tg.grad(branchy))
    for x in [0.5, -0.5, 1.5, -1.5]:
        close(jf(x), tg.grad(branchy)(x))


def test_a_loop_whose_trip_count_depends_on_a_value():
    def halve_until_small(x):
        while x > 1.0:
            x = x / 2.0
        return x * 3.0

    jf = tg.jit(halve_until_small)
    for x in [5.0, 7.0, 3.0, 100.0, 6.0, 0.5]:
        close(jf(x), halve_until_small(x))
    # 5 and 7 take 3 halvings, 3 takes 2, 6 takes 3: a version is reused.
    assert jf.cache_info().hits >= 2


def test_masks_from_comparisons_are_recomputed(rng):
    def f(x):
        return tnp.sum(tnp.where(x > 0.0, x, -x) + tg.nn.relu(x) + tnp.maximum(x, 0.2))

    for fun in (f, tg.grad(f)):
        jf = tg.jit(fun)
        for _ in range(4):
            x = rng.normal(size=6)
            close(jf(x), fun(x))


def test_reaching_the_retrace_limit_warns_once_and_runs_eagerly():
    def steps(x):
        n = 0.0
        while x > 1.0:
            x = x - 1.0
            n = n + 1.0
        return n

    jf = tg.jit(steps, retrace_limit=3)
    for x in [1.5, 2.5, 3.5]:
        assert jf(x) == steps(x)
    with pytest.warns(JitWarning, match=r"runs eagerly.*test_jit\.py:\d+"):
        assert jf(4.5) == steps(4.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no second warning
        assert jf(5.5) == steps(5.5)
        assert jf(1.2) == steps(1.2)
    info = jf.cache_info()
    assert info.eager_calls == 3 and info.traces == 3


def test_reading_a_number_is_guarded_by_its_value():
    def f(x, k):
        return x * float(k)                    # allowed eagerly: no derivative here

    jf = tg.jit(f)
    close(jf(2.0, 3.0), 6.0)
    close(jf(2.0, 3.0), 6.0)
    close(jf(2.0, 4.0), 8.0)                   # a new k: the guard sends it to a new trace
    assert jf.cache_info().traces == 2


def test_printing_a_traced_value_runs_eagerly(capsys):
    def f(x):
        print("x is", x)
        return x * 2.0

    jf = tg.jit(f)
    with pytest.warns(JitWarning, match="shows a traced value"):
        close(jf(1.0), 2.0)
    close(jf(3.0), 6.0)
    assert capsys.readouterr().out.count("x is") == 2


# ---- the cache ---------------------------------------------------------------------

def test_a_shape_change_means_a_new_trace(rng):
    jf = tg.jit(lambda x: tnp.sum(tnp.tanh(x)))
    jf(rng.normal(size=3))
    jf(rng.normal(size=3))
    assert jf.cache_info().traces == 1
    close(jf(np.arange(4.0)), np.sum(np.tanh(np.arange(4.0))))
    jf(np.arange(4.0, dtype=np.float32))
    info = jf.cache_info()
    assert (info.traces, info.signatures, info.hits) == (3, 3, 1)


def test_static_argnums_are_part_of_the_key(rng):
    def power_sum(x, n, how):
        return tnp.sum(x ** n) if how == "sum" else tnp.max(x ** n)

    jf = tg.jit(power_sum, static_argnums=(1, 2))
    x = rng.normal(size=4)
    close(jf(x, 2, "sum"), np.sum(x ** 2))
    close(jf(x, 3, "sum"), np.sum(x ** 3))
    close(jf(x, 3, "max"), np.max(x ** 3))
    close(jf(x * 2, 3, "max"), np.max((x * 2) ** 3))
    assert jf.cache_info().traces == 3


def test_unhashable_static_argument_is_a_clear_error(rng):
    jf = tg.jit(lambda x, n: x * len(n), static_argnums=1)
    with pytest.raises(TypeError, match="static argument 1 must be hashable"):
        jf(1.0, [1, 2])
    close(jf(1.0, (1, 2)), 2.0)


def test_a_string_argument_must_be_static():
    jf = tg.jit(lambda x, how: x * 2.0)
    with pytest.raises(TypeError, match="mark it static"):
        jf(1.0, "double")
    close(tg.jit(lambda x, how: x * 2.0, static_argnums=1)(1.0, "double"), 2.0)


# ---- errors are eager's errors --------------------------------------------------------

def test_bad_input_gives_the_eager_error_and_the_next_call_works(rng):
    jf = tg.jit(tg.grad(lambda x: tnp.sum(x @ np.ones((3, 2)))))
    with pytest.raises(ValueError, match=r"matmul: shapes \(4,\) and \(3, 2\) do not align"):
        jf(rng.normal(size=4))
    close(jf(np.ones(3)), np.full(3, 2.0))
    jg = tg.jit(tg.grad(lambda x: x * 2.0))
    with pytest.raises(TypeError, match="must return a scalar"):
        tg.jit(tg.grad(lambda x: x * 2.0))(np.ones(2))
    with pytest.raises(TypeError, match="only defined for floating-point"):
        jg(np.arange(3))
    close(jg(1.5), 2.0)
    assert tg.core.active_traces() == ()


# ---- the generated code ---------------------------------------------------------------

def loss(w, b, x, y):
    z = w * x + b
    a = tnp.tanh(z)
    return (a - y) ** 2


def test_source_compiles_uses_the_users_names_and_plain_numpy():
    jf = tg.jit(tg.grad(loss, argnums=(0, 1)))
    text = jf.source(0.5, 0.1, 1.5, 0.3)
    ast.parse(text)
    for needed in ["def loss(w, b, x, y):", "z = w * x + b" if False else "z = ", "a = np.tanh(z)",
                   "# " + words()["jit.backward pass"], "dw", "db", "return (dw, db)"]:
        assert needed in text, needed
    assert "tracegrad" not in text and "import" not in text
    # Running the source on its own, with only NumPy, gives the gradient.
    namespace = {"np": np}
    exec(text, namespace)
    close(namespace["loss"](0.7, 0.1, 1.5, 0.3), tg.grad(loss, argnums=(0, 1))(0.7, 0.1, 1.5, 0.3))


def test_labels_name_values_in_the_source():
    def f(x):
        return tg.label(tnp.sin(x) * 2.0, "twice_sine") + 1.0

    assert "twice_sine = " in tg.jit(f).source(0.3)


def test_guard_in_source_and_escaped_html():
    text = tg.jit(branchy).source(-1.0)
    assert "if x > 0:" in text and "return RETRACE" in text
    html = text._repr_html_()
    assert "&gt;" in html and "<span" in html
    assert text._repr_markdown_().startswith("```python\n")


def test_the_mlp_source_is_the_backprop_a_student_writes(rng):
    params = [(rng.normal(size=(3, 4)), rng.normal(size=4)), (rng.normal(size=(4, 1)),
                                                               rng.normal(size=1))]
    text = tg.jit(tg.grad(loss_fun)).source(params, rng.normal(size=(5, 3)),
                                            rng.normal(size=(5, 1)))
    forward = text.split("# " + words()["jit.backward pass"])[0]
    assert "np.tanh(outputs)" in text and ".T" not in forward
    assert "dparams_0_0" in text and "np.dot(inputs.T, doutputs)" in text


def test_a_backward_pass_starts_without_multiplying_by_one():
    def f(x):
        return tnp.tanh(tnp.sin(x) * x)

    jf = tg.jit(tg.grad(f))
    text = jf.source(0.5)
    assert "1.0 *" not in text and "* 1.0" not in text and "np.float64(1.0)" not in text
    x = 0.7
    want = (1 - np.tanh(x * np.sin(x)) ** 2) * (np.sin(x) + x * np.cos(x))   # by hand
    close(jf(x), want)


def test_times_one_is_kept_where_it_changes_the_dtype_or_shape():
    x = np.ones(3, np.float32)
    jf = tg.jit(lambda x: x * np.float64(1.0))
    assert jf(x).dtype == (x * np.float64(1.0)).dtype       # NumPy's promotion, not x's
    jg = tg.jit(lambda x: x * np.ones((2, 1)))
    assert jg(x).shape == (2, 3)


def test_a_local_named_like_the_function_leaves_the_function_its_name():
    def g(x):
        g = tnp.sin(x)
        return g * 2

    text = tg.jit(g).source(0.5)
    assert "def g(x):" in text
    namespace = {"np": np}
    exec(text, namespace)
    close(namespace["g"](0.3), 2 * np.sin(0.3))


def test_jit_of_a_wrapped_primitive_keeps_its_own_methods():
    # grad(tnp.tanh) carries the Primitive's attributes (functools.wraps copies them,
    # `source` among them); jit's own .source and .cache_info must not be hidden.
    jf = tg.jit(tg.grad(tnp.tanh))
    text = jf.source(0.3)
    assert "np.tanh(" in text
    close(jf(0.3), 1 - np.tanh(0.3) ** 2)
    assert jf.cache_info().traces == 1


def test_python_numbers_keep_numpys_rules_in_compiled_code():
    # 1.0 / 0.0 raises in Python; tnp.divide (np.true_divide) gives inf, and so must jit.
    with np.errstate(divide="ignore", invalid="ignore"):
        for f in [lambda x: tnp.divide(1.0, x), lambda x: tnp.divide(x, x * 2.0),
                  lambda x: tnp.square(x)]:
            jf = tg.jit(f)
            for x in (2.0, 0.0):
                want, got = f(x), jf(x)
                assert type(got) is type(want) or np.result_type(got) == np.result_type(want)
                np.testing.assert_equal(got, want)


def test_the_users_names_arrive_when_the_source_is_read():
    def loss(w, b, x, y):
        z = w * x + b
        a = tnp.tanh(z)
        return (a - y) ** 2

    jf = tg.jit(tg.grad(loss, argnums=(0, 1)))
    args = (0.5, 0.1, 1.5, 0.3)
    before = jf(*args)                                    # compiled with plain names
    (version,) = next(iter(jf._cache.values())).versions
    assert "def loss(arg0, arg1, arg2, arg3):" in version.source
    text = jf.source(*args)                               # traced again, with names
    assert "def loss(w, b, x, y):" in text and "a = np.tanh(z)" in text and "dw = " in text
    assert version.source is text and "dw" in version.fn.__code__.co_varnames
    close(jf(*args), before)
    close(jf(*args), tg.grad(loss, argnums=(0, 1))(*args))
    assert jf.cache_info().traces == 1


def test_randomness_inside_keeps_the_compiled_program_and_says_why():
    rng = np.random.default_rng(0)

    def noisy(x):
        return x * rng.normal()

    jn = tg.jit(noisy)
    first = jn(1.0)
    with pytest.warns(JitWarning, match="different program"):
        text = jn.source(1.0)
    assert "arg0" in text and str(float(first)) in text
    assert jn(1.0) == first                               # the code that ran, still
    state = rng.bit_generator.state
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert jn.source(1.0) == text                     # tried once: no new draw
    assert rng.bit_generator.state == state
