"""Every exercise's check accepts its reference solution and rejects wrong answers.

An exercise in a lecture source is a ``%% exercise`` cell (the placeholder a
student fills in) followed by a code cell, its check, which prints ✓ or ✗.
``lectures/solutions/NN_name.py`` holds, for exercise N, a block
``# %% exercise N`` (a reference solution) and a block ``# %% wrong N`` (a
plausible wrong answer). The lecture's code runs here in-process, in English,
cell by cell; at each exercise the check runs three times: on the placeholder
and on the wrong answer (both must print ✗ and one of the hints of
tracegrad.checks, never a value the check computed), then on the solution (it
must print ✓), which the rest of the lecture then keeps. So a check that is
wrong, too strict or too lenient, or that gives the answer away, fails here,
not in a classroom.
"""
import contextlib
import io
import os
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings

from tests.lecture_sources import LECTURES, SOURCES, build
from tracegrad.checks import is_verdict
from tracegrad.words import words


def solutions(stem):
    """{("exercise" | "wrong" | "test", N): code} from lectures/solutions/<stem>.py."""
    return build.solutions(LECTURES / "solutions" / f"{stem}.py")


def without_magics(code):
    """IPython's %magic lines become `pass`: here the code runs as plain Python."""
    return "\n".join(line[:len(line) - len(line.lstrip())] + "pass" if line.lstrip().startswith("%")
                     else line for line in code.splitlines())


def run(code, namespace):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(without_magics(code), "<lecture cell>", "exec"), namespace)
    return out.getvalue()


def lectures_with_exercises():
    return [s for s in SOURCES if any(k == "exercise" for k, _ in build.parse(s))]


@pytest.mark.parametrize("source", lectures_with_exercises(), ids=lambda p: p.stem)
def test_every_check_accepts_its_solution_and_rejects_wrong_answers(source, monkeypatch):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    monkeypatch.setenv("TRACEGRAD_LANG", "en")
    monkeypatch.chdir(LECTURES / "en")
    cells = [(kind, build.code_for(text, "en")) for kind, text in build.parse(source)
             if kind in ("code", "exercise")]
    answers = solutions(source.stem)
    namespace = {"__name__": "__lecture__"}
    number, i = 0, 0
    while i < len(cells):
        kind, code = cells[i]
        if kind == "code":
            run(code, namespace)
            plt.close("all")
            i += 1
            continue
        number += 1
        assert i + 1 < len(cells) and cells[i + 1][0] == "code", \
            f"exercise {number} of {source.stem} has no check cell after it"
        check = cells[i + 1][1]
        assert ("exercise", number) in answers and ("wrong", number) in answers, \
            (f"lectures/solutions/{source.stem}.py needs '# %% exercise {number}' and "
             f"'# %% wrong {number}'")
        for label, attempt in [("placeholder", code), ("wrong answer", answers["wrong", number])]:
            run(attempt, namespace)
            printed = run(check, namespace).strip()
            assert printed.startswith("✗"), \
                f"{source.stem}, exercise {number}: the check accepted the {label}: {printed!r}"
            assert is_verdict(printed), \
                (f"{source.stem}, exercise {number}: on the {label} the check printed "
                 f"{printed!r}, not ✗ and one of the hints (tracegrad.checks.check_answer)")
        run(answers["exercise", number], namespace)
        printed = run(check, namespace).strip()
        assert printed == "✓", \
            (f"{source.stem}, exercise {number}: the check rejected the reference solution: "
             f"{printed!r}")
        i += 2
    assert number > 0
    assert not [k for k in answers if k[1] > number], \
        f"lectures/solutions/{source.stem}.py has solutions for exercises the lecture does not have"


def test_solutions_belong_to_lectures():
    stems = {s.stem for s in SOURCES}
    for path in (LECTURES / "solutions").glob("*.py"):
        assert path.stem in stems, f"{path.name} matches no lecture in lectures/src/"


# ---- the verdict a check prints: ✓, or ✗ and a hint, never the expected value ---------

WANT = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]])


@pytest.mark.parametrize("answer, want, key, fields", [
    (None, WANT, "none", {}),
    ([1.0, None], [1.0, 2.0], "none", {}),
    ("1.5", 1.5, "not a number", {"type": "str"}),
    ([[1.0, 2.0], [3.0]], [[1.0, 2.0], [3.0, 4.0]], "ragged", {}),
    (WANT[0], WANT, "shape", {"shape": (3,), "want": (2, 3)}),
    (WANT.T, WANT, "transposed", {"shape": (3, 2), "want": (2, 3)}),
    (np.where(WANT > 0, np.inf, WANT), WANT, "not finite", {}),
    (-WANT, WANT, "sign", {}),
    (2 * WANT, WANT, "factor", {}),
    (np.array([0.5]), np.array([1.0]), "factor", {}),       # 06's forgotten 2
    (WANT + 1e-4 * np.arange(6).reshape(2, 3), WANT, "close", {}),
    (np.array([1.0, 5.0, 3.0]), np.array([1.0, 2.0, 3.0]), "some right", {"right": 2, "total": 3}),
    (np.array([13.0]), np.array([16.0]), "wrong", {}),       # 13/16 is no slip of a factor
    (["rev", "rev"], ["fwd", "rev"], "some right", {"right": 1, "total": 2}),
])
def test_a_wrong_answer_gets_the_hint_of_its_kind(answer, want, key, fields, monkeypatch):
    monkeypatch.setenv("TRACEGRAD_LANG", "en")
    from tracegrad.checks import verdict
    with np.errstate(divide="ignore", invalid="ignore"):
        said = verdict(answer, want)
    assert said == "✗ " + words()[f"check.{key}"].format(**fields)   # the run's language


def test_the_right_answer_and_strings_get_a_tick(capsys):
    from tracegrad.checks import check_answer
    check_answer(WANT + 1e-12, WANT)
    check_answer(lambda: ["fwd", "rev"], ["fwd", "rev"])
    check_answer(16, 16, rtol=0, atol=0)
    assert capsys.readouterr().out == "✓\n✓\n✓\n"


def test_an_error_in_the_students_code_is_named_not_raised(monkeypatch):
    monkeypatch.setenv("TRACEGRAD_LANG", "uk")
    from tracegrad.checks import verdict
    said = verdict(lambda: np.ones(2) @ np.ones(3), 1.0)
    assert said.startswith("✗ ваш код зупинився з помилкою ValueError: ") and is_verdict(said)


def test_a_rule_still_returning_none_is_no_answer_yet(monkeypatch):
    """tracegrad's own message suggests a fix (tnp.cosh for sinh), which is the answer of
    lecture 08's exercise 1: the check says only that there is no answer yet."""
    monkeypatch.setenv("TRACEGRAD_LANG", "en")
    import tracegrad as tg
    from tracegrad import lax
    from tracegrad.checks import verdict
    my_sinh = lax.elementwise("my_sinh", np.sinh, (lambda out, x: None,), ("?",))
    said = verdict(lambda: tg.grad(my_sinh)(1.5), np.cosh(1.5))
    assert said == "✗ " + words()["check.none"]
    assert "cosh" not in said


def test_check_grads_names_the_derivative_that_failed(monkeypatch):
    """The first derivative is wrong: check_grads(order=2) says order 1 (it said 2)."""
    monkeypatch.setenv("TRACEGRAD_LANG", "en")
    import tracegrad as tg
    from tracegrad import lax
    from tracegrad.checks import GradientCheckError, verdict
    wrong_cube = lax.elementwise("wrong_cube", lambda x: x ** 3, (lambda out, x: 3.0 * x,),
                                 ("3x",))
    args = (np.array([-1.2, 0.3, 2.0]),)
    with pytest.raises(GradientCheckError, match=r"forward mode \(jvp\), order 1 disagrees"):
        tg.check_grads(wrong_cube, args, order=2)
    with pytest.raises(AssertionError, match=r"reverse mode \(vjp\), order 1"):
        tg.check_grads(wrong_cube, args, order=2, modes=("rev",))
    assert verdict(lambda: tg.check_grads(wrong_cube, args), 0) == \
        "✗ " + words()["check.grads"].format(mode="jvp", order=1)
    # a right first derivative written with np (not traced): its own derivative is lost
    untraced = tg.custom_jvp(lambda x: tg.numpy.sin(x))
    untraced.defjvp(lambda primals, tangents: (untraced(primals[0]), tg.stop_gradient(
        tg.numpy.cos(primals[0])) * tangents[0]))
    with pytest.raises(GradientCheckError, match=r"order 2") as caught:
        tg.check_grads(untraced, (np.array([0.3, 1.1]),), order=2)
    assert caught.value.order == 2


def test_is_verdict_refuses_a_value():
    assert is_verdict("✓") and is_verdict("✗ 2 of 5 values are right")
    for line in ["✗ 0.0 ≠ 0.01195", "✗ None", "✓ 0.4323", "✗ [0.1 0.2]",
                 "✗ off by a constant factor: a factor missing, or one too many? 2.0"]:
        assert not is_verdict(line), line


def _mistakes():
    from hypothesis import strategies as st

    from .strategies import arrays, floats, shapes
    wants = shapes(max_dims=2).flatmap(lambda s: arrays(s, floats(-50, 50)))
    kinds = st.sampled_from(["same", "negated", "scaled", "shifted", "noisy", "transposed",
                             "none", "raised"])
    return st.tuples(wants, kinds, floats(-3, 3), st.integers(0, 2 ** 32 - 1))


@settings(max_examples=200, deadline=None)
@given(case=_mistakes())
def test_no_verdict_holds_a_number_the_check_computed(case):
    """Whatever the answer, the line is ✓ exactly when the shapes agree and np.allclose
    holds, else a hint from the fixed list (is_verdict) with no number in it but shapes
    and counts."""
    import re

    from tracegrad.checks import verdict
    want, kind, c, seed = case
    noise = np.random.default_rng(seed).standard_normal(want.shape)
    answer = {"same": want, "negated": -want, "scaled": c * want, "shifted": want + c,
              "noisy": want + noise, "transposed": want.T, "none": None,
              "raised": lambda: 1 / 0}[kind]
    for language in ("en", "uk"):
        with mock.patch.dict(os.environ, {"TRACEGRAD_LANG": language}):
            said = verdict(answer, want)
        right = (kind not in ("none", "raised") and np.shape(answer) == np.shape(want)
                 and np.allclose(answer, want))   # a transposed row is wrong, not broadcast
        assert (said == "✓") == right, (said, answer, want)
        assert is_verdict(said), said
        assert not re.search(r"\d\.\d|\de[-+]?\d", said), said
