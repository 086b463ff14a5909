"""What the lectures say JAX and PyTorch do, run in JAX and PyTorch.

The one test file that imports them (the `frameworks` extra: `pip install -e '.[frameworks]'`;
`make test` installs it). Each test names the lecture and the sentence it checks and fails
when the framework does otherwise; the lecture's text is checked beside it, so that a
sentence and its test cannot drift apart. Claims about TensorFlow are not run (it is not
installed): the lectures cite its documentation beside them (tests/test_lecture_claims.py).
Without the extra, this file is skipped, saying why.
"""
import math
import re
import warnings

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.numpy as tnp
from tests.lecture_sources import LECTURES

jax = pytest.importorskip("jax", reason="the `frameworks` extra (jax, torch) is not installed")
torch = pytest.importorskip("torch", reason="the `frameworks` extra (jax, torch) is not installed")
import jax.numpy as jnp  # noqa: E402

jax.config.update("jax_enable_x64", True)


def source(name):
    return (LECTURES / "src" / f"{name}.txt").read_text(encoding="utf-8")


def branchy(sin, exp):
    """05's function with an `if` on a value, written once for every framework."""
    def f(x):
        if x > 0:
            return x * sin(x)
        return exp(x)
    return f


# -- 05: the table of how ahead-of-time graphs treat an `if` ---------------------------

def test_05_jax_jit_refuses_an_if_on_a_traced_value():
    # "jax.jit raises an error (TracerBoolConversionError) ... Attempted boolean
    # conversion of traced array"
    assert "`TracerBoolConversionError: Attempted boolean conversion of traced array`" \
        in source("05_frameworks")
    with pytest.raises(jax.errors.TracerBoolConversionError,
                       match="Attempted boolean conversion of traced array"):
        jax.jit(branchy(jnp.sin, jnp.exp))(0.5)


def test_05_jax_jit_takes_a_branch_written_with_lax_cond_or_a_static_argument():
    # "A branch on data is written there with jax.lax.cond ... or the argument is marked static"
    text = source("05_frameworks")
    assert "`jax.lax.cond`" in text and "static" in text
    def with_cond(x):
        return jax.lax.cond(x > 0, lambda x: x * jnp.sin(x), jnp.exp, x)
    jitted = jax.jit(with_cond)
    static = jax.jit(branchy(jnp.sin, jnp.exp), static_argnums=0)
    for x in (0.5, 2.0, -1.0):
        want = x * math.sin(x) if x > 0 else math.exp(x)
        assert float(jitted(x)) == pytest.approx(want, rel=1e-12)
        assert float(static(x)) == pytest.approx(want, rel=1e-12)


def test_05_torch_jit_trace_freezes_the_branch_with_a_tracer_warning():
    # "torch.jit.trace freezes the branch too, but not silently: ... a TracerWarning";
    # the table: "(-1) sin(-1) ≈ 0.84, which is wrong"
    text = source("05_frameworks")
    assert "`torch.jit.trace` | a branch frozen with a `TracerWarning`" in text
    assert "freezes a branch in the same silent way" not in text
    f = branchy(torch.sin, torch.exp)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        traced = torch.jit.trace(f, torch.tensor(0.5, dtype=torch.float64))
    assert any(issubclass(w.category, torch.jit.TracerWarning) for w in caught), \
        [str(w.message) for w in caught]
    at_minus_one = float(traced(torch.tensor(-1.0, dtype=torch.float64)))
    assert at_minus_one == pytest.approx(-1 * math.sin(-1), rel=1e-12)      # the frozen branch
    assert round(at_minus_one, 2) == 0.84
    assert at_minus_one != pytest.approx(math.exp(-1))                        # not f(-1)


def test_05_just_in_time_graphs_follow_the_new_input():
    # "just in time (PyTorch, JAX grad, TF Eager, tracegrad)": an `if` is ordinary Python
    f_jax, f_torch = branchy(jnp.sin, jnp.exp), branchy(torch.sin, torch.exp)
    for x in (0.5, -1.0):
        want = math.sin(x) + x * math.cos(x) if x > 0 else math.exp(x)
        assert float(jax.grad(f_jax)(x)) == pytest.approx(want, rel=1e-12)
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        f_torch(t).backward()
        assert float(t.grad) == pytest.approx(want, rel=1e-12)


def test_05_torch_compile_guards_its_graph_and_compiles_again():
    # "PyTorch's compiler (torch.compile) guards its graphs the same way": a new branch is
    # compiled anew, not replayed frozen
    assert "(`torch.compile`) guards its graphs the same way" in source("05_frameworks")
    torch._dynamo.reset()
    compiled = torch.compile(branchy(torch.sin, torch.exp), backend="eager", dynamic=False)
    for x in (0.5, -1.0):
        got = float(compiled(torch.tensor(x, dtype=torch.float64)))
        assert got == pytest.approx(x * math.sin(x) if x > 0 else math.exp(x), rel=1e-12)


# -- 00 and 05: the text form of a graph, after JAX's jaxpr ------------------------------

def test_00_in_a_jaxpr_the_closed_over_constants_stand_before_the_semicolon():
    # 00: "As in JAX, before `;` come the constants (the other arguments, and arrays the
    # function only reads), after it the inputs we differentiate with respect to."
    assert "As in JAX, before `;` come the constants" in source("00_start")
    c = jnp.array([1.0, 2.0])
    closed = jax.make_jaxpr(lambda x, y: x * c + y)(jnp.ones(2), jnp.ones(2))
    head = str(closed).splitlines()[0]
    before, semicolon, after = head.partition(";")
    assert semicolon and len(closed.jaxpr.constvars) == 1
    assert before.count(":") == 1 and after.count(":") == 2     # one constant; both inputs
    # tg.make_jaxpr divides the same way, with the same names and types
    c_np = np.array([1.0, 2.0])
    ours = str(tg.make_jaxpr(lambda x, y: x * c_np + y)(np.ones(2), np.ones(2))).splitlines()[0]
    assert ours.split() == head.split()
    # without a closed-over array there is nothing before the `;`
    plain = str(jax.make_jaxpr(lambda x, y: x * y)(1.0, 2.0)).splitlines()[0]
    assert re.match(r"\{ lambda ; \w+:f64\[\],? \w+:f64\[\]\. let", plain), plain


def test_00_a_graphs_listing_puts_what_is_not_differentiated_before_the_semicolon():
    # 00: the arguments not differentiated are constants of the graph, before `;`
    def f(w, b, y):
        return (w * 2.0 + b - y) ** 2
    head = str(tg.graph(f, argnums=(0, 1))(0.5, 0.1, 1.0)).splitlines()[0]
    before, semicolon, after = head.partition(";")
    assert semicolon and re.findall(r"(\w+):", before) == ["y"]
    assert re.findall(r"(\w+):", after) == ["w", "b"]


def test_05_a_jaxpr_has_lambda_let_and_in_like_tracegrads_listing():
    # 05: "`print(g)` shows the same record as a program in the style of a jaxpr"
    text = str(jax.make_jaxpr(lambda x: x * jnp.sin(x))(0.5))
    assert re.search(r"\{ lambda ; \w+:f64\[\]\. let", text)
    assert re.search(r"\w+:f64\[\] = sin \w+", text) and re.search(r"in \(\w+,\) \}", text)
    ours = str(tg.graph(lambda x: x * tnp.sin(x))(0.5))
    assert ours.startswith("{ lambda ; x:f64[]. let") and " = sin x" in ours


def test_05_jax_keeps_its_primitives_in_lax():
    # 05: "In JAX the primitives live in `jax.lax`, in tracegrad in `tg.lax`"
    for name in ("sin", "exp", "mul", "add", "tanh", "integer_pow"):
        assert callable(getattr(jax.lax, name)) and callable(getattr(tg.lax, name))
    names = {e.primitive.name for e in jax.make_jaxpr(lambda x: jnp.sin(x) * x)(0.5).eqns}
    assert names == {"sin", "mul"}


# -- 06: the lecture's own code, in JAX ---------------------------------------------------

def test_06_the_lectures_code_runs_in_jax_with_only_the_import_changed():
    # 06: "The code from the lecture, unchanged except for the import (`tracegrad.numpy`
    # instead of `jax.numpy`)"
    text = source("06_training")
    code = text.split("import tracegrad.numpy as jnp\nfrom tracegrad import grad\n", 1)[1]
    code = code.split("\n%%", 1)[0]
    rng = np.random.default_rng(0)
    params = [(rng.standard_normal((1, 4)), np.zeros(4)),
              (rng.standard_normal((4, 1)), np.zeros(1))]
    x, y = rng.standard_normal((5, 1)), rng.standard_normal((5, 1))
    results = []
    for numpy_module, grad in ((tnp, tg.grad), (jnp, jax.grad)):
        space = {"jnp": numpy_module, "grad": grad}
        exec(code, space)
        results.append(space["grad_fun"](params, x, y))
    for ours, theirs in zip(tg.tree_leaves(results[0]), jax.tree_util.tree_leaves(results[1])):
        np.testing.assert_allclose(ours, np.asarray(theirs), rtol=1e-10, atol=1e-14)


# -- 08: kinks and the unstable log(1 + eˣ) -------------------------------------------------

def test_08_relu_and_abs_at_zero_as_in_jax():
    # 08: "In tracegrad, as in JAX: relu'(0) = 0 and |x|'(0) = 1"
    assert "In tracegrad, as in JAX: $\\operatorname{relu}'(0) = 0$ and $|x|'(0) = 1$" \
        in source("08_rules")
    assert float(jax.grad(jax.nn.relu)(0.0)) == 0.0 == float(tg.grad(tg.nn.relu)(0.0))
    assert float(jax.grad(jnp.abs)(0.0)) == 1.0 == float(tg.grad(tnp.abs)(0.0))


def test_08_the_naive_log1pexp_gives_nan_in_jax_too():
    # 08, after JAX's documentation: the chain rule gives 0 · ∞ = nan at x = 1000
    def log1pexp(x):
        return jnp.log(1.0 + jnp.exp(x))
    assert math.isnan(float(jax.grad(log1pexp)(1000.0)))
    assert float(jax.grad(log1pexp)(3.0)) == pytest.approx(1 / (1 + math.exp(-3.0)), rel=1e-12)


# -- 05: tg.make_jaxpr beside jax.make_jaxpr ------------------------------------------------------

def equations(text):
    """The equations of a jaxpr's text, one per item, in JAX's one-line or long layout."""
    body = text.split("let", 1)[1].rsplit(" in ", 1)[0]
    return [" ".join(e.split()) for e in re.split(r";|\n", body) if e.strip()]


def test_05_make_jaxpr_prints_jaxs_lines_and_jax_refuses_the_branch():
    """05: for `x * sin(x)` jax.make_jaxpr prints the lines tg.make_jaxpr prints; on
    05's `f` (an `if` on the value) it raises TracerBoolConversionError."""
    assert "jax.make_jaxpr` друкує ті самі рядки" in source("05_frameworks")
    assert "`jax.make_jaxpr` prints the same lines" in source("05_frameworks")
    theirs = str(jax.make_jaxpr(lambda x: x * jnp.sin(x))(0.5))
    ours = str(tg.make_jaxpr(lambda x: x * tnp.sin(x))(0.5))
    assert equations(theirs) == equations(ours) == ["b:f64[] = sin a", "c:f64[] = mul a b"]
    assert theirs.split("let")[0].split() == ours.split("let")[0].split()   # { lambda ; a:f64[].
    with pytest.raises(jax.errors.TracerBoolConversionError):
        jax.make_jaxpr(branchy(jnp.sin, jnp.exp))(0.5)
    # tracegrad records the branch that ran, as its graph does
    assert equations(str(tg.make_jaxpr(branchy(tnp.sin, tnp.exp))(0.5))) == equations(ours)
