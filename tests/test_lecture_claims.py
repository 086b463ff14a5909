"""The lectures' claims, checked: the corrected sentence is in lectures/src (in Ukrainian and
in English) and the wrong one is gone, and where a claim is about numbers or behaviour, it
is computed here, with tracegrad against NumPy or a closed form (issue 24, "Wrong or
misleading claims to fix", items 1-11).

Then the rule that makes prose numbers true by construction (lectures/build.py,
``quoted_numbers``): a number the prose quotes is shown by an output or written in the
code, and a value the build writes in follows the code. And the Ukrainian a native reader
asked for (issue 24's list), as rules the sources must keep.
"""
import json
import math
import os
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.numpy as tnp
from tests.lecture_sources import LECTURES, SOURCES, build
from tracegrad.words import counted
from tracegrad.words.uk import UK


def cells(name, kind):
    return [text for k, text in build.parse(LECTURES / "src" / f"{name}.txt") if k == kind]


def prose(name, language):
    return "\n\n".join(cells(name, language))


def both(name):
    return prose(name, "uk"), prose(name, "en")


def code(name):
    return "\n\n".join(cells(name, "code") + cells(name, "exercise"))


def one_line(text):
    return re.sub(r"\s+", " ", text)


# -- 1, 2. 05: TensorFlow 1 raises, torch.jit.trace warns ------------------------------------

TF_DOCS = "https://www.tensorflow.org/versions/r1.15/api_docs/python/tf/Tensor#__bool__"


def test_05_tensorflow_1_raises_a_type_error_and_cites_its_documentation():
    for text in both("05_frameworks"):
        assert "| `torch.jit.trace`, TensorFlow 1, `g.evaluate` |" not in text   # the old row
        # the row of errors holds TensorFlow 1, and every paragraph or row that says what
        # TensorFlow 1 does with an `if` cites its documentation beside the sentence
        assert re.search(r"\| `jax\.jit`, TensorFlow 1 \|[^\n]*`TypeError`", text)
        for block in re.split(r"\n\s*\n|\n(?=\|)", text):
            if "TensorFlow 1" in block and "TypeError" in block:
                assert TF_DOCS in block, block[:200]


def test_05_torch_jit_trace_freezes_the_branch_with_a_warning_not_silently():
    uk, en = both("05_frameworks")
    assert "freezes a branch in the same silent way" not in en
    assert "Так само мовчки «заморожує» гілку `torch.jit.trace`" not in uk
    assert "but not silently" in en and "`TracerWarning`" in en
    assert "але не мовчки" in uk and "`TracerWarning`" in uk
    assert "| `torch.jit.trace` | a branch frozen with a `TracerWarning`" in en
    assert "| `torch.jit.trace` | заморожена гілка з попередженням `TracerWarning`" in uk


def test_05_the_frozen_branch_that_the_table_quotes():
    # the table: a frozen branch gives (−1)·sin(−1) ≈ 0.84; tg.jit and f give e⁻¹ ≈ 0.37
    def f(x):
        return x * tnp.sin(x) if x > 0 else tnp.exp(x)
    g = tg.graph(f)(0.5)
    assert round(float(g.evaluate(-1.0)), 2) == round(-math.sin(-1.0), 2) == 0.84
    assert round(float(tg.jit(f)(-1.0)), 2) == round(math.exp(-1.0), 2) == 0.37


# -- 3, 4. 06: vanishing gradients, ReLU ---------------------------------------------------------

def first_weight_gradient_by_hand(depth):
    """∂C₀/∂w⁽¹⁾ of 06's chain (all w = 1, b = 0, x = 1, y = 0), by the chain rule in NumPy."""
    a, slopes = 1.0, []
    for _ in range(depth):
        s = 1 / (1 + np.exp(-a))
        slopes.append(s * (1 - s))
        a = s
    return 2 * a * np.prod(slopes) * 1.0        # 2(a⁽ᴸ⁾ − y) · Π σ′(z⁽ˡ⁾) w⁽ˡ⁾ · x


def test_06_ten_more_layers_shrink_the_gradient_by_less_than_4_to_the_minus_10():
    uk, en = both("06_training")
    assert "a little more here" not in en and "трохи більший" not in uk
    assert "a factor of at most $4^{-10}" in en and "smaller still" in en
    assert "не більший за $4^{-10}" in uk and "ще менший" in uk

    def chain_loss(ws):
        a = 1.0
        for w in ws:
            a = tg.nn.sigmoid(w * a)
        return a ** 2
    by_tracegrad = [abs(tg.grad(chain_loss)(np.ones(L))[0]) for L in (10, 20)]
    by_hand = [first_weight_gradient_by_hand(L) for L in (10, 20)]
    np.testing.assert_allclose(by_tracegrad, by_hand, rtol=1e-12)
    factor = by_hand[1] / by_hand[0]
    assert factor < 4.0 ** -10                    # smaller, not larger, than 4⁻¹⁰
    assert 1e-7 < factor < 1e-6


def test_06_relu_has_derivative_one_only_for_positive_inputs():
    uk, en = both("06_training")
    assert "on most of their domain" not in en and "на більшій частині області" not in uk
    assert "whose derivative is $1$ for every $z > 0$ (and $0$ for $z < 0$)" in en
    assert "похідна якої дорівнює $1$ для кожного $z > 0$ (і $0$ для $z < 0$)" in uk
    z = np.array([-3.0, -0.5, 0.5, 3.0])
    slopes = tg.vmap(tg.grad(tg.nn.relu))(z)
    np.testing.assert_array_equal(slopes, (z > 0).astype(float))


# -- 5, 11. 03: the cost of a VJP; ℝ¹⁰⁰ → ℝ¹⁰⁰ is run ---------------------------------------------

def make_f(n, m):
    W = np.random.default_rng(0).standard_normal((m, n)) / np.sqrt(n)
    return lambda x: tnp.tanh(W @ x)


def ops(jac, n, m):
    x = np.random.default_rng(1).standard_normal(n)
    return tg.graph(jac(make_f(n, m), vectorize=False), argnums=None)(x).num_ops


def test_03_jacrev_runs_as_many_primitives_for_any_n_but_a_vjp_is_not_free():
    uk, en = both("03_jacobian")
    assert "two VJPs cost the same for any $n$" not in en
    assert "два VJP коштують однаково за будь-якого $n$" not in uk
    assert "each of the two VJPs costs about one evaluation of $\\mathbf{f}$, $O(mn)$" in en
    assert "Python's overhead per primitive" in en and "notebook 02" in en
    assert "кожен із двох VJP коштує приблизно як одне обчислення $\\mathbf{f}$" in uk
    assert "накладні витрати Python на кожен примітив" in uk
    # what the plot measures: the number of primitives, fixed for jacrev, one JVP per input
    # for jacfwd; the arithmetic of each VJP (a product with the m × n matrix) grows with n
    assert ops(tg.jacrev, 10, 2) == ops(tg.jacrev, 60, 2)
    per_jvp = (ops(tg.jacfwd, 60, 2) - ops(tg.jacfwd, 10, 2)) / 50
    assert per_jvp == int(per_jvp) and per_jvp >= 1


def test_03_the_square_case_the_lecture_asks_about_is_run():
    uk, en = both("03_jacobian")
    assert "\\mathbb{R}^{1000} \\to \\mathbb{R}^{1000}" not in uk + en
    loop = "for n, m in [(1000, 2), (100, 2), (2, 100), (2, 1000), (100, 100)]:"
    assert loop in code("03_jacobian")
    assert "{{ops_fwd}}" in uk and "{{ops_rev}}" in en            # the numbers come from the run
    fwd, rev = ops(tg.jacfwd, 100, 100), ops(tg.jacrev, 100, 100)
    assert 0.8 < fwd / rev < 1.25                                  # neither mode wins


# -- 6. 01 and 02: which finite difference gives how many digits --------------------------------

def best_digits(difference):
    """Correct digits of a finite difference of 01's f(x) = sin x + x²/4 at x = 1, at its best h."""
    f = lambda x: np.sin(x) + 0.25 * x * x                    # noqa: E731
    exact = np.cos(1.0) + 0.5
    hs = np.logspace(-15, 0, 301)
    error = min(abs(difference(f, 1.0, h) - exact) for h in hs)
    return int(-np.log10(error / exact))


def test_01_02_the_forward_difference_gives_about_8_digits_the_central_about_11():
    forward = best_digits(lambda f, x, h: (f(x + h) - f(x)) / h)
    central = best_digits(lambda f, x, h: (f(x + h) - f(x - h)) / (2 * h))
    assert 7 <= forward <= 9 and 10 <= central <= 12
    uk, en = both("02_gradient")
    assert "the best finite difference gives only about eight correct digits" not in en
    assert "найкраща кінцева різниця дає лише близько восьми" not in uk
    assert "the forward difference" in one_line(en) and "the central one" in one_line(en)
    assert "пряма різниця" in one_line(uk) and "центральна" in one_line(uk)
    # 01 takes both numbers from its run, in both languages
    for text in both("01_derivative"):
        assert "{{digits_forward}}" in text and "{{digits_central}}" in text
    assert "digits_forward = " in code("01_derivative")


# -- 7. 00: the `;` of a listing -------------------------------------------------------------------

def test_00_says_what_the_semicolon_of_a_listing_divides_as_a_jaxpr_does():
    """A jaxpr's ``;`` ends its constvars (JAX's documentation, checked by running JAX in
    tests/test_framework_claims.py); tracegrad's listing follows it, and 00 says so."""
    uk, en = both("00_start")
    assert "Before `;` are the inputs we differentiate with respect to" not in en
    assert "As in JAX, before `;` come the constants" in en
    assert "Як і в JAX, перед `;` стоять сталі" in uk
    listing = str(tg.graph(lambda w, b, y: (w * 2.0 + b - y) ** 2, argnums=(0, 1))(0.5, 0.1, 1.0))
    before, _, after = listing.splitlines()[0].partition(";")
    assert "y" in before and "w" in after and "b" in after and "w" not in before


# -- 8. 05: the text uses the picture's words -----------------------------------------------------

def test_05_the_text_names_the_tables_and_the_frames_words_as_they_are_shown():
    uk, en = both("05_frameworks")
    assert "«not differentiable»" not in uk and "«backward pass»" not in uk
    assert f"«{UK['table.not differentiable']}»" in uk
    assert UK["table.not differentiable"] == "недиференційовний"
    assert "«зворотний прохід»" in uk and "зворотний прохід" in UK.values()


# -- 9. 07: the home-made engine has no `sub` -----------------------------------------------------

def test_07_the_engine_records_a_minus_as_add_of_a_constant_not_sub():
    uk, en = both("07_engine")
    assert "the same operations (`mul`, `add`, `logistic`, `sub`, `integer_pow`)" not in en
    assert "ті самі операції (`mul`, `add`, `logistic`, `sub`, `integer_pow`)" not in uk
    assert "its graph has another `add` with a constant −1 where tracegrad records `sub`" in en
    space = {"math": math, "np": np}
    value_cell, c0_cell = (c for c in cells("07_engine", "code")
                           if c.startswith(("class Value", "def C0")))
    exec(build.code_for(value_cell, "en") + "\n" + build.code_for(c0_cell, "en"), space)
    seen, ops, stack = set(), [], [space["out"]]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            ops.append(node.op or ("const" if not node.name else "input"))
            stack.extend(node.parents)
    assert "sub" not in ops and ops.count("add") == 2 and "const" in ops
    theirs = str(tg.graph(lambda w, b: space["C0"](w, b, 0.8, 1.0, tg.nn.sigmoid))(0.5, 0.1))
    assert " sub " in theirs or "= sub" in theirs


# -- 10. 04: what makes backpropagation backward --------------------------------------------------

def test_04_the_order_not_the_sum_makes_backpropagation_backward():
    uk, en = both("04_backprop")
    assert "This sum is what makes backpropagation backpropagation" not in en
    assert "Саме ця сума робить зворотне поширення «зворотним поширенням»" not in uk
    assert "Forward mode sums over paths too" in en and "the **order** is" in en
    assert "Суму за шляхами обчислює й прямий режим" in uk and "**порядок**" in uk
    # forward mode sums over paths too: its JVP of 04's two-path function equals the VJP
    def two_paths(a, w0, w1):
        return tg.nn.sigmoid(w0 * a) + tg.nn.sigmoid(w1 * a)
    _, forward = tg.jvp(lambda a: two_paths(a, 0.3, -0.7), (0.5,), (1.0,))
    np.testing.assert_allclose(forward, tg.grad(two_paths)(0.5, 0.3, -0.7), rtol=1e-14)


# -- 11. the smaller ones -------------------------------------------------------------------------

def test_01_the_graphs_names_do_not_clash_with_the_sequence_l_n():
    assert "    l = x\n" not in code("01_derivative")
    uk, en = both("01_derivative")
    assert "`y` і `y_2`" in uk and "$l_2$ і $l_3$" in uk
    assert "`y` and `y_2`" in en and "$l_2$ and $l_3$" in en
    space = {"tg": tg, "tnp": tnp}
    exec(next(c for c in cells("01_derivative", "code") if c.startswith("def logistic_map")
              ).split("def l_formula")[0], space)
    listing = str(tg.graph(lambda x: space["logistic_map"](x, 3))(0.3))
    assert "y_2" in listing and not re.search(r"\bl_\d", listing)


def test_06_names_the_code_as_it_is_and_keeps_its_indices_apart():
    uk, en = both("06_training")
    assert "inputs @ W" not in uk + en
    assert "`jnp.dot(inputs, W)`" in uk and "`jnp.dot(inputs, W)`" in en
    assert "C_k" not in uk + en                         # examples are i, neurons k and j
    assert "$w_{jk}$" in uk and "$w_{kj}$" in uk and "notebook 04" in en and "$w_{kj}$" in en


# -- numbers in prose come from the code ----------------------------------------------------------

NUMBER = re.compile(r"[-−]?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def numbers_shown(nb):
    """Every number in an output of the notebook, and every number its code writes."""
    texts = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        texts.append("".join(cell["source"]))
        for out in cell.get("outputs", []):
            texts.append("".join(out.get("text", "")))
            for mime, value in out.get("data", {}).items():
                if mime.startswith("text/") or mime == "image/svg+xml":
                    texts.append("".join(value) if isinstance(value, list) else value)
    return {float(m.replace("−", "-")) for text in texts for m in NUMBER.findall(text)}


def unshown_numbers(nb):
    """The numbers the notebook's Markdown quotes that nothing in it shows, to its digits."""
    shown = numbers_shown(nb)
    missing = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        filled = " ".join(cell.get("metadata", {}).get("values", {}).values())  # the build's
        here = shown | {float(m.replace("−", "-")) for m in NUMBER.findall(filled)}
        for text, value, decimals in build.quoted_numbers("".join(cell["source"])):
            near = 0.5 * 10.0 ** -decimals + 1e-12
            if not any(abs(abs(s) - abs(value)) <= near for s in here):
                missing.append(text)
    return missing


@pytest.mark.parametrize("path", sorted(LECTURES.glob("*/*.ipynb")),
                         ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_prose_quotes_only_numbers_an_output_or_the_code_shows(path):
    missing = unshown_numbers(json.loads(path.read_text(encoding="utf-8")))
    assert not missing, (f"{path.parent.name}/{path.name} quotes {missing}, which no output "
                         "shows: write {{name}} for a value a cell computes (lectures/build.py)")


def test_the_rule_catches_a_quoted_number_no_output_shows():
    nb = {"cells": [
        {"cell_type": "code", "source": "x = 0.5\nprint(round(loss, 4))", "metadata": {},
         "outputs": [{"output_type": "stream", "name": "stdout", "text": "0.3512\n"}]},
        {"cell_type": "markdown", "metadata": {}, "source":
            "At $x = 0.5$ the loss is $C_0 \\approx 0.35$ (lecture 04, 2018, a 16 × 16 layer)."},
    ]}
    assert unshown_numbers(nb) == []                 # 0.5 is in the code, 0.35 in the output
    nb["cells"][1]["source"] += " Moved to −2 it gives $C_0 \\approx 0.91$ and 8 correct digits."
    assert unshown_numbers(nb) == ["0.91", "8"]


def test_what_counts_as_a_quoted_number():
    quoted = [t for t, _, _ in build.quoted_numbers(
        "Lecture 04 (2018): a $16 \\times 16$ layer, `lr = 0.1`, arXiv:2403.14606, "
        "[link](https://x.org/1.5). It gives 0.84, about 11 correct digits and 51 операція; "
        "{{digits}} digits and 4 операції.")]
    assert quoted == ["0.84", "11", "51", "4"]


def test_a_value_the_build_writes_in_follows_the_code(tmp_path, monkeypatch):
    # the same sentence twice, the value changed by the code between them: each sentence
    # shows the value its place in the notebook has (one kernel, run as the build runs it)
    # build.execute sets $TRACEGRAD_LANG for the kernel: put back what this run had after it
    monkeypatch.setenv("TRACEGRAD_LANG", os.environ.get("TRACEGRAD_LANG", "en"))
    sentence = "%% uk\nВідношення: {{ratio:.3f}}, ε ≈ {{np.finfo(float).eps:.1p}}.\n" \
               "%% en\nThe ratio: {{ratio:.3f}}.\n"
    source = tmp_path / "99_probe.txt"
    source.write_text("%% uk\n# 99\n%% en\n# 99\n%% code\nimport numpy as np\nratio = 1 / 3\n"
                      + sentence + "%% code\nratio = 2 / 3\n" + sentence, encoding="utf-8")
    cells_ = build.parse(source, with_options=True)
    nb = build.execute(build.notebook(cells_, "uk", source), tmp_path, 120, "uk")
    first, second = nb.cells[2], nb.cells[4]
    assert first.source == "Відношення: 0.333, ε ≈ 2.2·10⁻¹⁶."
    assert first.metadata["values"]["ratio:.3f"] == "0.333"
    assert second.source.startswith("Відношення: 0.667,")          # the prose follows the code
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "markdown", "code", "markdown"]
    assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == [1, 2]


# -- the Ukrainian a native reader asked for ------------------------------------------------------

def uk_texts():
    """Every Ukrainian text of the lectures: uk Markdown, uk comments, and the uk words table."""
    for source in SOURCES:
        for kind, text in build.parse(source):
            if kind == "uk":
                yield source.stem, text
            elif kind in ("code", "exercise"):
                yield source.stem, build.code_for(text, "uk")
    yield "tracegrad/words/uk.py", "\n".join(str(v) for v in UK.values())


@pytest.mark.parametrize("wrong, right", [
    (r"не диференційовн", "«недиференційовний», one word"),
    (r"\bпрогра(є|ють|вати)\b", "«відтворює», not «програє»"),
    (r"\bкомірк", "«клітинка», not «комірка»"),
    (r"помил\w* округл|округл\w* помил", "«похибка» for round-off, not «помилка»"),
    (r"\bкида(є|ють|ти)\b|\bкине\b", "«породжує виняток», not «кидає»"),
    (r"\bрах(ує|ують|уємо|уйте|ував|увати)\b", "«обчислює» (or «підраховує»), not «рахує»"),
])
def test_ukrainian_the_native_reader_asked_for(wrong, right):
    found = [(where, m[0]) for where, text in uk_texts() for m in re.finditer(wrong, text)]
    assert not found, f"{right}: {found[:5]}"


def test_one_term_for_the_record():
    # «запис» is what tracegrad records (its size, its operations); «трасування» is the act
    assert UK["lec.trace"] == UK["lec.trace of"] == "запис"
    as_a_record = re.compile(r"[ув] трасуванні|(розмір|весь|все) трасуванн|"
                             r"трасуванн\w* (\$|похідної|росте|має|попереднього)")
    found = [(where, m[0]) for where, text in uk_texts() for m in as_a_record.finditer(text)]
    assert not found, found


def test_every_notebook_opens_with_the_same_line():
    for source in SOURCES:
        (uk, en) = (cells(source.stem, lang)[0] for lang in ("uk", "en"))
        assert "\n**Що ви дізнаєтеся**\n" in uk, source.name
        assert "\n**What you will learn**\n" in en, source.name


@pytest.mark.parametrize("count, noun", [(1, "операція"), (4, "операції"), (11, "операцій"),
                                         (12, "операцій"), (21, "операція"), (22, "операції"),
                                         (51, "операція"), (89, "операцій"), (111, "операцій")])
def test_a_count_agrees_with_its_noun(count, noun):
    assert counted(count, "lec.operations counted", language="uk") == f"{count} {noun}"
    assert counted(count, "lec.operations counted", language="en") == \
        f"{count} operation{'' if count == 1 else 's'}"


def test_the_uk_notebooks_agree_counts_with_their_nouns():
    wrong = []
    for path in sorted((LECTURES / "uk").glob("*.ipynb")):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"(?<![\d.])(\d+) (операці[яїй])\b", text):
            if counted(int(m[1]), "lec.operations counted", language="uk") != f"{m[1]} {m[2]}":
                wrong.append((path.name, m[0]))
    assert not wrong, wrong



# -- properties of the two mechanisms: a value written into prose, a count and its noun ---------

SUPERSCRIPTS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=1e-300, max_value=1e300), st.booleans(), st.integers(0, 4))
def test_a_power_of_ten_in_prose_reads_back_as_the_value(magnitude, negative, digits):
    value = -magnitude if negative else magnitude
    prose = build.formatted(value, f".{digits}p")
    mantissa, _, power = prose.partition("·10")
    assert power and power == power.translate(str.maketrans("", "", "-0123456789"))
    read = float(mantissa) * 10.0 ** int(power.translate(SUPERSCRIPTS))
    assert read == pytest.approx(value, rel=0.51 * 10.0 ** -digits)
    tex = build.formatted(value, f".{digits}t")
    assert tex == f"{mantissa} \\cdot 10^{{{int(power.translate(SUPERSCRIPTS))}}}"


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**7))
def test_a_ukrainian_count_agrees_by_its_last_two_digits(count):
    # 1, 21, 101 → «операція»; 2–4, 22–24 → «операції»; 0, 5–20, 25–30, 111–114 → «операцій»
    last, last_two = count % 10, count % 100
    noun = ("операція" if last == 1 and last_two != 11 else
            "операції" if last in (2, 3, 4) and last_two not in (12, 13, 14) else "операцій")
    assert counted(count, "lec.operations counted", language="uk") == f"{count} {noun}"
    english = counted(count, "lec.operations counted", language="en")
    assert english == f"{count} operation" + ("" if count == 1 else "s")


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0.001, max_value=1000.0), st.integers(1, 4))
def test_a_quoted_value_is_shown_exactly_when_an_output_rounds_to_it(value, decimals):
    quoted = f"{value:.{decimals}f}"
    def notebook(printed):
        return {"cells": [
            {"cell_type": "code", "source": "print(result)", "metadata": {},
             "outputs": [{"output_type": "stream", "name": "stdout", "text": printed}]},
            {"cell_type": "markdown", "metadata": {}, "source": f"It gives $\\approx {quoted}$."}]}
    assert [t for t, _, _ in build.quoted_numbers(f"It gives $\\approx {quoted}$.")] == [quoted]
    assert unshown_numbers(notebook(f"{value:.6f}\n")) == []
    assert unshown_numbers(notebook(f"{value + 3 * 10.0 ** -decimals:.6f}\n")) == [quoted]
