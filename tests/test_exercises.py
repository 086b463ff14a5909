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
import pathlib
import sys

import pytest

from tracegrad.checks import is_verdict

LECTURES = pathlib.Path(__file__).resolve().parent.parent / "lectures"
SOURCES = sorted((LECTURES / "src").glob("[0-9]*.txt"))


def load_build():
    sys.path.insert(0, str(LECTURES))
    try:
        import build
    finally:
        sys.path.pop(0)
    return build


def solutions(stem):
    """{("exercise" | "wrong" | "test", N): code} from lectures/solutions/<stem>.py."""
    return load_build().solutions(LECTURES / "solutions" / f"{stem}.py")


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
    build = load_build()
    return [s for s in SOURCES if any(k == "exercise" for k, _ in build.parse(s))]


@pytest.mark.parametrize("source", lectures_with_exercises(), ids=lambda p: p.stem)
def test_every_check_accepts_its_solution_and_rejects_wrong_answers(source, monkeypatch):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    build = load_build()
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
