"""The program object and ``tg.make_jaxpr``: the record of one traced call, printed as JAX
prints a jaxpr, and run again on new values.

The expected texts are JAX's own: ``jax.make_jaxpr`` of the same functions (JAX 0.10.2,
``JAX_ENABLE_X64=1``), copied by hand from its output (the tests do not import JAX).
Where tracegrad records the program differently (documented in ``program.py``: NumPy
broadcasting where JAX writes ``broadcast_in_dim``; no weak-type conversions; parameters
JAX has and tracegrad does not, such as ``preferred_element_type``), the comparison is
equation by equation after removing exactly those differences from JAX's text.
"""
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.numpy as tnp
from tests.programs import A_PREV, B, W, Y, neuron, neuron_by_hand

# ---------------------------------------------------------------------------
# JAX's texts, verbatim


JAX_NEURON = """\
{ lambda ; a:f64[] b:f64[] c:f64[] d:f64[]. let
    e:f64[] = mul a b
    f:f64[] = add e c
    g:f64[] = tanh f
    h:f64[] = sub g d
    i:f64[] = integer_pow[y=2] h
  in (i,) }"""

JAX_TANH = """\
{ lambda ; a:f64[]. let
    b:f64[] = mul -2.0:f64[] a
    c:f64[] = exp b
    d:f64[] = sub 1.0:f64[] c
    e:f64[] = add 1.0:f64[] c
    f:f64[] = div d e
  in (f,) }"""

JAX_ELEMENTWISE = """\
{ lambda ; a:f64[3]. let
    b:f64[3] = logistic a
    c:f64[3] = max a 0.0:f64[]
    d:f64[3] = add b c
    e:f64[3] = integer_pow[y=3] a
    f:f64[3] = add d e
    g:f64[3] = sqrt a
    h:f64[3] = add f g
    i:f64[3] = log a
    j:f64[3] = add h i
    k:f64[3] = div 1.0:f64[] a
    l:f64[3] = add j k
  in (l,) }"""

# loss_fun of the lecture, two layers, params [(3×5, 5), (5×2, 2)], inputs 6×3, targets 6×2
JAX_MLP = """\
{ lambda ; a:f64[3,5] b:f64[5] c:f64[5,2] d:f64[2] e:f64[6,3] f:f64[6,2]. let
    g:f64[6,5] = dot_general[
      dimension_numbers=(([1], [0]), ([], []))
      preferred_element_type=float64
    ] e a
    h:f64[1,5] = broadcast_in_dim[broadcast_dimensions=(1,)] b
    i:f64[6,5] = add g h
    j:f64[6,5] = tanh i
    k:f64[6,2] = dot_general[
      dimension_numbers=(([1], [0]), ([], []))
      preferred_element_type=float64
    ] j c
    l:f64[1,2] = broadcast_in_dim[broadcast_dimensions=(1,)] d
    m:f64[6,2] = add k l
    _:f64[6,2] = tanh m
    n:f64[6,2] = sub m f
    o:f64[6,2] = integer_pow[y=2] n
    p:f64[] = reduce_sum[axes=(0, 1) out_sharding=None] o
    q:f64[] = div p 12.0:f64[]
  in (q,) }"""

# lambda a, b: jnp.sum(a * b * c), c = np.array([1., 2., 3.]) closed over
JAX_CLOSED_OVER = """\
{ lambda a:f64[3]; b:f64[] c:f64[3]. let
    d:f64[] = convert_element_type[new_dtype=float64 weak_type=False] b
    e:f64[3] = mul d c
    f:f64[3] = mul e a
    g:f64[] = reduce_sum[axes=(0,) out_sharding=None] f
  in (g,) }"""

# lambda x: (x.T @ x).sum(axis=0) + jnp.reshape(x, (3, 2)).sum() + jnp.exp(x).mean()
JAX_SHAPES = """\
{ lambda ; a:f64[2,3]. let
    b:f64[3,2] = transpose[permutation=(1, 0)] a
    c:f64[3,3] = dot_general[
      dimension_numbers=(([1], [0]), ([], []))
      preferred_element_type=float64
    ] b a
    d:f64[3] = reduce_sum[axes=(0,) out_sharding=None] c
    e:f64[3,2] = reshape[dimensions=None new_sizes=(3, 2) sharding=None] a
    f:f64[] = reduce_sum[axes=(0, 1) out_sharding=None] e
    g:f64[3] = add d f
    h:f64[2,3] = exp a
    i:f64[] = reduce_sum[axes=(0, 1) out_sharding=None] h
    j:f64[] = div i 6.0:f64[]
    k:f64[3] = add g j
  in (k,) }"""

# ---------------------------------------------------------------------------
# An independent reader of jaxpr text, to compare equation by equation

# Parameters JAX has and tracegrad does not (sharding, accumulation dtype), or that
# only say "the default" (reshape's dimensions=None).
_JAX_ONLY = {"preferred_element_type", "out_sharding", "sharding", "dimensions"}


def equations(text):
    """(constvars, invars, [(out type, primitive, params, args)], outs) of a jaxpr's
    text, with every variable renamed to its equation's position (so two programs
    compare by their dataflow, not by their letters). JAX's ``broadcast_in_dim`` and
    ``convert_element_type`` to the same dtype are removed: their argument takes
    their place (tracegrad broadcasts as NumPy does, and has no weak types)."""
    text = re.sub(r"\[\n\s+(.*?)\n\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]",
                  text, flags=re.S)
    head, body = text.split(". let\n")
    consts, ins = head.removeprefix("{ lambda").split(";")
    name = {}
    for k, var in enumerate(consts.split() + ins.split()):
        name[var.split(":")[0]] = f"in{k}"
    eqs = []
    lines = body.splitlines()
    for line in lines[:-1]:
        lhs, rhs = line.strip().split(" = ", 1)
        var, out_type = lhs.split(":", 1)
        m = re.fullmatch(r"(\w+)(\[(.*)\])?((?: \S+)*)", rhs)
        prim, params, args = m.group(1), m.group(3) or "", m.group(4).split()
        params = dict(re.findall(r"(\w+)=(\(.*?\)\)|\(.*?\)|\S+)", params))
        params = {k: v for k, v in params.items() if k not in _JAX_ONLY}
        args = [name.get(a, a) for a in args]
        if prim == "broadcast_in_dim" or (prim == "convert_element_type"
                                          and params.get("weak_type") == "False"):
            name[var] = args[0]
            continue
        name[var] = f"eq{len(eqs)}"
        eqs.append((out_type, prim, params, tuple(args)))
    outs = re.fullmatch(r"\s*in \((.*)\) }", lines[-1]).group(1)
    return (len(consts.split()), len(ins.split()), eqs,
            [name.get(o.strip(), o.strip()) for o in outs.split(",") if o.strip()])


def assert_same_program(ours, jax_text):
    mine, theirs = equations(str(ours)), equations(jax_text)
    assert mine[:2] == theirs[:2], (str(ours), jax_text)
    assert len(mine[2]) == len(theirs[2]), (str(ours), jax_text)
    for a, b in zip(mine[2], theirs[2], strict=True):
        assert a == b, (a, b, str(ours))
    assert mine[3] == theirs[3]


# ---------------------------------------------------------------------------
# make_jaxpr matches JAX


def test_neuron_prints_as_jax_prints_it():
    assert str(tg.make_jaxpr(neuron)(W, A_PREV, B, Y)) == JAX_NEURON


def test_lecture_tanh_prints_as_jax_prints_it():
    def tanh(x):                                   # the lecture's tanh
        y = tnp.exp(-2.0 * x)
        return (1.0 - y) / (1.0 + y)
    assert str(tg.make_jaxpr(tanh)(1.0)) == JAX_TANH


def test_elementwise_primitives_have_jaxs_names():
    def f(x):
        return tg.nn.sigmoid(x) + tnp.maximum(x, 0.) + x ** 3 + tnp.sqrt(x) + tnp.log(x) + 1 / x
    assert str(tg.make_jaxpr(f)(np.ones(3))) == JAX_ELEMENTWISE


def test_lecture_mlp_has_jaxs_equations():
    from tests.programs import loss_fun
    rng = np.random.default_rng(0)
    params = [(rng.normal(size=(3, 5)), rng.normal(size=(5,))),
              (rng.normal(size=(5, 2)), rng.normal(size=(2,)))]
    program = tg.make_jaxpr(loss_fun)(params, rng.normal(size=(6, 3)), rng.normal(size=(6, 2)))
    assert_same_program(program, JAX_MLP)
    assert "_:f64[6,2] = tanh" in str(program)       # the last layer's unused tanh, as in JAX


def test_a_closed_over_array_is_a_constvar_before_the_semicolon():
    c = np.array([1.0, 2.0, 3.0])
    program = tg.make_jaxpr(lambda a, b: tnp.sum(a * b * c))(1.0, np.ones(3))
    assert str(program).startswith("{ lambda a:f64[3]; b:f64[] c:f64[3]. let")
    assert_same_program(program, JAX_CLOSED_OVER)
    c[:] = 0.0                          # the program keeps the value it read, as JAX does
    np.testing.assert_array_equal(program.constvars[0], [1.0, 2.0, 3.0])
    np.testing.assert_allclose(program.evaluate(2.0, np.ones(3)), 12.0, rtol=1e-12)


def test_transpose_matmul_reshape_and_reductions_have_jaxs_equations():
    def f(x):
        return (x.T @ x).sum(axis=0) + tnp.reshape(x, (3, 2)).sum() + tnp.exp(x).mean()
    assert_same_program(tg.make_jaxpr(f)(np.ones((2, 3))), JAX_SHAPES)


def test_variables_are_lettered_as_jax_letters_them():
    def chain(x):                                  # 30 equations: past z, JAX goes on ba, bb
        for _ in range(30):
            x = tnp.sin(x)
        return x
    lines = str(tg.make_jaxpr(chain)(0.5)).splitlines()
    assert lines[1].strip() == "b:f64[] = sin a"
    assert lines[25].strip() == "z:f64[] = sin y"
    assert lines[26].strip() == "ba:f64[] = sin z"
    assert lines[-1] == "  in (be,) }"


def test_an_output_no_equation_computed_is_a_literal():
    program = tg.make_jaxpr(lambda x: (x * 2.0, 3.0))(1.0)
    assert str(program).endswith("  in (b, 3.0:f64[]) }")


# ---------------------------------------------------------------------------
# values and gradients


def test_text_shows_values_and_gradients_of_the_neuron():
    r = neuron_by_hand()
    text = tg.make_jaxpr(neuron)(W, A_PREV, B, Y).text(values=True, grads=True)
    lines = {line.split(":")[0].strip(): line for line in text.splitlines()[1:-5]}
    for var, value, grad in [("f", r["z"], r["dC_dz"]), ("g", r["a"], r["dC_da"]),
                             ("i", r["C"], 1.0)]:
        note = lines[var].split("#", 1)[1]
        assert f"{value:.4g}" in note.split(), lines[var]
        assert f"∂i/∂{var} = {grad:.4g}" in note, lines[var]
    assert f"# a = {W:.4g}   ∂i/∂a = {r['dC_dw']:.4g}" in text


# ---------------------------------------------------------------------------
# evaluate: the record, run again


def test_evaluate_runs_the_mlp_record_on_new_parameters():
    from tests.programs import loss_fun, mlp_loss_numpy, mlp_problem
    params, inputs, targets = mlp_problem(seed=0)
    program = tg.make_jaxpr(loss_fun)(params, inputs, targets)
    new_params, new_inputs, new_targets = mlp_problem(seed=1)
    want = mlp_loss_numpy(new_params, new_inputs, new_targets)
    np.testing.assert_allclose(program.evaluate(new_params, new_inputs, new_targets), want,
                               rtol=1e-12)


def test_evaluate_keeps_the_branch_taken_when_recorded():
    def branchy(x):
        if x > 0:
            return tnp.sin(x) * x
        return tnp.exp(x)
    program = tg.make_jaxpr(branchy)(0.7)
    np.testing.assert_allclose(program.evaluate(-0.3), np.sin(-0.3) * -0.3, rtol=1e-12)


def test_evaluate_can_be_differentiated():
    program = tg.make_jaxpr(lambda x: tnp.tanh(x) * x)(0.4)
    x = 1.3
    want = (1 - np.tanh(x) ** 2) * x + np.tanh(x)
    np.testing.assert_allclose(tg.grad(program.evaluate)(x), want, rtol=1e-12)


def test_evaluate_refuses_arguments_of_another_structure_and_works_after():
    program = tg.make_jaxpr(lambda p: p[0] * p[1])((1.0, 2.0))
    with pytest.raises(TypeError, match="recorded with"):
        program.evaluate(1.0, 2.0)
    assert program.evaluate((3.0, 4.0)) == 12.0


def test_grad_of_a_function_is_one_program_forward_and_backward():
    def f(x):
        return tnp.sin(x) * x
    program = tg.make_jaxpr(tg.grad(f))(0.5)
    names = [line.split(" = ")[1].split()[0] for line in str(program).splitlines()[1:-1]]
    assert names[:2] == ["sin", "mul"] and "cos" in names         # the forward pass, then its VJP
    x = 1.1
    np.testing.assert_allclose(program.evaluate(x), np.cos(x) * x + np.sin(x), rtol=1e-12)


def test_the_graph_draws_and_lists_the_same_program():
    g = tg.graph(neuron, argnums=(0, 1, 2, 3))(W, A_PREV, B, Y)
    assert [e.primitive.name for e in g.program.equations] == \
        ["mul", "add", "tanh", "sub", "integer_pow"]
    listing = g.listing()
    assert listing.startswith("{ lambda ; w:f64[] a_prev:f64[] b:f64[] y:f64[]. let")
    assert "z:f64[]  = add v1 b" in listing and listing.splitlines()[6] == "  in (C,) }"


_UNARY = [(tnp.sin, np.sin), (tnp.tanh, np.tanh), (tnp.exp, np.exp), (tnp.cos, np.cos),
          (lambda x: x * x, lambda x: x * x), (lambda x: 0.5 * x + 1.0, lambda x: 0.5 * x + 1.0)]


@settings(max_examples=30, deadline=None)
@given(ops=st.lists(st.sampled_from(range(len(_UNARY))), min_size=1, max_size=8),
       x=st.floats(-1.5, 1.5), new=st.floats(-1.5, 1.5))
def test_any_recorded_chain_evaluates_as_numpy_does(ops, x, new):
    def f(v):
        for k in ops:
            v = _UNARY[k][0](v)
        return v
    program = tg.make_jaxpr(f)(x)
    want = new
    for k in ops:
        want = _UNARY[k][1](want)
    np.testing.assert_allclose(program.evaluate(new), want, rtol=1e-12, atol=1e-300)
    assert len(str(program).splitlines()) == len(program.equations) + 2


def test_make_jaxpr_of_a_non_function_says_so():
    with pytest.raises(TypeError, match="make_jaxpr"):
        tg.make_jaxpr(3.0)
