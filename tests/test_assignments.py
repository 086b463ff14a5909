"""The nbgrader assignments (tools/build_assignments.py, `make assignments`).

In-process, for every lecture with exercises: the assignment's code runs cell by
cell; at each exercise the test cell runs on the placeholder, the wrong answer and
the reference solution from lectures/solutions/. A student sees only ✓, or ✗ and
one of the fixed hints of tracegrad.checks (never a number the check computed), and the hidden tests
score the placeholder 0, the wrong answer less than full, the solution full. Every exercise
has hidden tests (``# %% test N``), and its wrong answer fails at least one of them on its
own, so the grade does not rest on the visible check alone.

End to end, with nbgrader itself (generate_assignment, autograde, generate_feedback)
on lecture 02 and two fake submissions. nbgrader lives in its own virtual
environment (`make assignments` makes it, build/instructor-venv); without it the
test is skipped, saying so. Set NBGRADER_PYTHON to use another Python.
"""
import contextlib
import csv
import importlib.util
import io
import os
import pathlib
import shutil
import subprocess

import pytest

from tracegrad.checks import is_verdict

ROOT = pathlib.Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / "build" / "instructor-venv" / "bin" / "python"
NBGRADER_PYTHON = pathlib.Path(os.environ.get("NBGRADER_PYTHON", VENV_PYTHON)).absolute()


def load_tool():
    spec = importlib.util.spec_from_file_location("build_assignments",
                                                  ROOT / "tools" / "build_assignments.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = load_tool()


def run(code, namespace):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(tool.without_magics(code), "<assignment cell>", "exec"), namespace)
    return out.getvalue()


def placeholder(cell_source):
    return cell_source.split("### BEGIN SOLUTION")[0]


@pytest.mark.parametrize("source", tool.with_exercises(), ids=lambda p: p.stem)
def test_checks_show_only_a_verdict_and_hidden_tests_grade(source, monkeypatch):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    monkeypatch.setenv("TRACEGRAD_LANG", "en")
    monkeypatch.chdir(ROOT / "lectures" / "en")
    nb = tool.assignment(source, "en")
    answers = tool.build.solutions(ROOT / "lectures" / "solutions" / f"{source.stem}.py")
    namespace = {"__name__": "__assignment__"}
    number = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata["nbgrader"]
        if meta["solution"]:
            number += 1
            exercise = cell.source
            continue
        if not meta["grade"]:
            run(cell.source, namespace)
            plt.close("all")
            continue
        assert ("test", number) in answers, \
            f"lectures/solutions/{source.stem}.py needs hidden tests: '# %% test {number}'"
        visible, hidden = cell.source.split("### BEGIN HIDDEN TESTS")
        hidden = hidden.split("### END HIDDEN TESTS")[0].strip()
        for label, attempt in [("placeholder", placeholder(exercise)),
                               ("wrong answer", answers["wrong", number]),
                               ("solution", answers["exercise", number])]:
            run(attempt, namespace)
            printed = run(visible, namespace).strip()
            score = eval(hidden, namespace)
            where = f"{source.stem}, exercise {number}, the {label}"
            if label == "wrong answer":
                # the hidden tests alone (as if the check had passed) must catch it too
                alone = namespace["student_check"]()
                alone.passed = True
                assert alone.grade(tool.POINTS, namespace, answers["test", number]) < tool.POINTS, \
                    f"{where} passes every hidden test of '# %% test {number}'"
            if label == "solution":
                assert printed == "✓", f"{where}: the check printed {printed!r}"
                assert score == tool.POINTS, f"{where} scored {score}"
            else:
                assert printed.startswith("✗") and is_verdict(printed), \
                    f"{where}: the check printed {printed!r}, not ✗ and one of the hints"
                assert score < tool.POINTS, f"{where} scored full marks"
                if label == "placeholder":
                    assert score == 0, f"{where} scored {score}"
    assert number == sum(1 for k in answers if k[0] == "exercise")


def test_the_exercises_section_is_whole_and_the_setup_is_a_slice():
    source = next(s for s in tool.with_exercises() if s.stem.startswith("02"))
    nb = tool.assignment(source, "uk")
    text = "\n".join(c.source for c in nb.cells)
    assert "## Вправи" in text and "Exercises" not in text
    grade_ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if c.cell_type == "code"]
    assert len(set(grade_ids)) == len(grade_ids), "nbgrader needs unique grade ids"
    assert [g for g in grade_ids if g.startswith(("exercise", "check"))] == \
        ["exercise-1", "check-1", "exercise-2", "check-2", "exercise-3", "check-3"]
    lecture = tool.build.notebook(tool.build.parse(source), "uk", source)
    lecture_code = [c for c in lecture.cells if c.cell_type == "code"]
    setup = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id", "")
             .startswith("setup")]
    assert 0 < len(setup) < len(lecture_code) / 2, "the setup should be a small slice"
    assert not any("google.colab" in c.source for c in setup), "the install cell is not needed"


def test_names_follow_python_scopes():
    bound, touched, used = tool.names(
        "def g(f, x):\n    y = f(x)\n    return y + z\n"
        "ys = [q * w for q in range(3)]\nrng.normal()\nparams[0] = 1\n%matplotlib inline")
    assert bound == {"g", "ys"}
    assert touched == {"rng", "params"}
    assert used == {"z", "w", "range", "rng", "params"}


# ---- nbgrader end to end -------------------------------------------------------------

def nbgrader(course, *args):
    env = dict(os.environ, PATH=f"{NBGRADER_PYTHON.parent}{os.pathsep}{os.environ['PATH']}")
    run = subprocess.run([str(NBGRADER_PYTHON), "-m", "nbgrader", *args], cwd=course, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"nbgrader {args[0]} failed:\n{run.stdout}\n{run.stderr}"
    return run.stdout + run.stderr


def submit(course, student, stem, answer_for):
    """A student's notebook: the released one with each exercise cell's text replaced
    by ``answer_for(number, placeholder)``."""
    import nbformat
    nb = nbformat.read(course / "release" / stem / f"{stem}.ipynb", as_version=4)
    number = 0
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            number += 1
            cell.source = answer_for(number, cell.source)
    folder = course / "submitted" / student / stem
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{stem}.ipynb")


@pytest.mark.skipif(not NBGRADER_PYTHON.exists(),
                    reason=f"nbgrader's Python {NBGRADER_PYTHON} is missing: `make grading`")
def test_nbgrader_grades_two_submissions(tmp_path):
    source = next(s for s in tool.with_exercises() if s.stem.startswith("02"))
    stem = source.stem
    course, _ = tool.write_course(tmp_path, "en", [source])
    nbgrader(course, "generate_assignment", stem, "--force")
    released = (course / "release" / stem / f"{stem}.ipynb").read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in released and "HIDDEN TESTS" not in released
    assert "np.dot(tg.grad(f)(x), u)" not in released.split("Hint")[-1], "a solution leaked"
    answers = tool.build.solutions(ROOT / "lectures" / "solutions" / f"{stem}.py")
    submit(course, "reference", stem, lambda n, _: answers["exercise", n])
    # exercise 1: a wrong answer right only along the diagonal; 2: untouched; 3: wrong
    submit(course, "wrong", stem,
           lambda n, cell: cell if n == 2 else answers["wrong", n])
    nbgrader(course, "autograde", stem)
    nbgrader(course, "generate_feedback", stem)
    nbgrader(course, "export", "--to", str(tmp_path / "grades.csv"))
    with open(tmp_path / "grades.csv", encoding="utf-8") as f:
        scores = {row["student_id"]: (float(row["score"]), float(row["max_score"]))
                  for row in csv.DictReader(f)}
    assert scores["reference"] == (3.0, 3.0)
    # the wrong answer of exercise 1 swaps u's components: it passes one test of three
    # (the diagonal u = (1, 1)/√2, where swapping changes nothing), so 1/3 of its point
    assert scores["wrong"][0] == pytest.approx(1 / 3, abs=1e-3)
    for student in scores:
        feedback = course / "feedback" / student / stem / f"{stem}.html"
        assert feedback.exists(), f"no feedback for {student}"
        text = feedback.read_text(encoding="utf-8")
        assert "verdict.grade" not in text and "0.672" not in text, "feedback shows hidden tests"
        assert "student_check" in text, "feedback lacks the notebook"
    shutil.rmtree(course / "autograded")
