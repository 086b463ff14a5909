"""Build nbgrader assignments from the lectures' exercises, in Ukrainian and English.

    python tools/build_assignments.py --out build/assignments        # `make assignments`
    python tools/build_assignments.py --out DIR --only 02 --language en --no-release

Each language is one nbgrader course folder, ``DIR/uk`` and ``DIR/en``, with its
``nbgrader_config.py``; each lecture that has exercises is one assignment,
``source/NN_name/NN_name.ipynb``, and ``nbgrader generate_assignment`` then writes
the student's version into ``release/``. From there an instructor uses nbgrader's own
workflow: ``nbgrader collect``/``autograde``/``generate_feedback`` (see lectures/README.md).

An assignment notebook holds, in order:

- the lecture's title, and a note on how the assignment is graded;
- the helper ``student_check`` (read-only), which runs a check with its printing
  captured and shows only ✓, or ✗ with a hint of what is wrong (tracegrad.checks,
  the lecture's own checks' words): never the expected value; its cell also pins the
  language of the words tracegrad prints ($TRACEGRAD_LANG);
- the lecture's code that the exercises need, read-only: only the cells that
  define a name the exercises (or those cells) use, so it runs in seconds;
- the lecture's "Exercises" section: its text and hints, and for exercise N a
  solution cell (the lecture's placeholder, then the reference solution from
  lectures/solutions/ between ``### BEGIN SOLUTION`` / ``### END SOLUTION``, which
  generate_assignment removes) and an autograder test cell worth one point: the
  lecture's check inside ``student_check``, then hidden tests (``### BEGIN HIDDEN
  TESTS``): the check must pass, and so must each ``assert`` of the block
  ``# %% test N`` in the solutions file, if it has one. The exercise scores the
  share of those that pass (nbgrader's partial credit: the cell's last value).
"""
from __future__ import annotations

import argparse
import ast
import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
LECTURES = ROOT / "lectures"
sys.path.insert(0, str(LECTURES))
import build  # noqa: E402  (lectures/build.py: the lecture format)

sys.path.pop(0)

DEBUG = os.environ.get('KIT_DEBUG')
POINTS = 1          # per exercise
SCHEMA = 3          # nbgrader's cell metadata schema

WORDS = {
    "uk": {
        "title": "Завдання до лекції",
        "about": ("Заповніть клітинки з позначкою `← ваш код` і запускайте перевірку під кожною: "
                  "вона друкує **✓** або **✗** з підказкою, що не так. Під час оцінювання "
                  "nbgrader запускає ще й приховані тести; кожна вправа коштує {points} бал."),
        "setup": "Код лекції, потрібний для вправ (лише для читання): запустіть його спершу.",
    },
    "en": {
        "title": "Assignment for lecture",
        "about": ("Fill in the cells marked `← your code` and run the check below each: it prints "
                  "**✓**, or **✗** with a hint of what is wrong. When grading, nbgrader also runs "
                  "hidden tests; each exercise is worth {points} point."),
        "setup": "The lecture's code that the exercises use (read-only): run it first.",
    },
}

# The helper every check runs in. Its verdicts and hints are tracegrad.checks' (the
# same as the lecture's), in the language that the first line pins for the kernel.
STUDENT_CHECK = '''\
import ast, contextlib, io, os, warnings
os.environ["TRACEGRAD_LANG"] = {language!r}     # the words tracegrad prints
from tracegrad.checks import error_verdict, is_verdict
from tracegrad.words import words

class student_check:
    """Runs the check inside `with`, keeps what it prints, and shows only ✓, or ✗ and
    a hint (tracegrad.checks): never the expected value, which is the answer."""

    def __enter__(self):
        self.passed, self._out = False, io.StringIO()
        self._redirect = contextlib.redirect_stdout(self._out)
        self._warnings = warnings.catch_warnings(record=True)
        self._caught = self._warnings.__enter__()
        warnings.simplefilter("always")
        self._redirect.__enter__()
        return self

    def __exit__(self, kind, error, traceback):
        self._redirect.__exit__(None, None, None)
        self._warnings.__exit__(None, None, None)
        said = (self._out.getvalue().strip().splitlines() or [""])[-1]
        self.passed = error is None and said == "✓"
        print(self._verdict(said, error))
        return True                       # the student's error is reported, not raised

    def _verdict(self, said, error):
        if error is not None:
            return error_verdict(error)
        if is_verdict(said):              # ✓, or ✗ and a hint: nothing of the answer
            return said
        if self._caught:
            return "✗ " + words()["check.warning"].format(
                message=str(self._caught[0].message)[:200])
        return "✗ " + words()["check.wrong"]

    def grade(self, points, namespace, tests):
        """The score: `points` times the share of passing tests, where the tests are
        this check and each top-level `assert` in `tests` (other statements set up)."""
        results = [self.passed]
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            for statement in ast.parse(tests).body:
                code = compile(ast.Module([statement], []), "<hidden test>", "exec")
                try:
                    exec(code, namespace)
                    ok = True
                except Exception:
                    ok = False
                if isinstance(statement, ast.Assert):
                    results.append(ok)
        return round(points * sum(results) / len(results), 4)
'''

MODULES = {"np", "tnp", "tg", "plt", "math", "sys", "os", "itertools", "functools", "ipywidgets"}


def without_magics(code):
    """%magic and !shell lines become `pass`, so the cell parses as Python."""
    return "\n".join(line[:len(line) - len(line.lstrip())] + "pass"
                     if line.lstrip().startswith(("%", "!")) else line for line in code.splitlines())


def names(code):
    """(bound, touched, used): the global names a cell binds, those it may change in
    place (x[0] = ..., x.attr = ..., x.method(...)), and those it reads."""
    tree = ast.parse(without_magics(code))
    bound, touched, used = set(), set(), set()
    for node in tree.body:
        for inner in walk_scope(node):
            if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
                bound.add(inner.id)
            elif isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bound.add(inner.name)
            elif isinstance(inner, (ast.Import, ast.ImportFrom)):
                bound.update((a.asname or a.name).split(".")[0] for a in inner.names)
            elif isinstance(inner, (ast.Subscript, ast.Attribute)) and isinstance(inner.ctx, ast.Store):
                touched.add(base_name(inner))
            elif (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute)
                  and base_name(inner.func) not in MODULES):
                touched.add(base_name(inner.func))      # rng.normal(...) moves rng on
    reads(tree, set(), used)
    touched.discard(None)
    return bound, touched, used


def walk_scope(node):
    """ast.walk, but not into function bodies, lambdas or comprehensions (their own scopes)."""
    yield node
    if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        return
    for child in ast.iter_child_nodes(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and child in node.body:
            continue
        yield from walk_scope(child)


def base_name(node):
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def reads(node, local, used):
    """Add to ``used`` the names read in ``node`` that are not local to a function,
    lambda or comprehension around them."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = child.args
            for outside in args.defaults + [d for d in args.kw_defaults if d] + \
                    getattr(child, "decorator_list", []):
                reads(outside, local, used)
            body = child.body if isinstance(child.body, list) else [child.body]
            inner = {a.arg for a in ast.walk(args) if isinstance(a, ast.arg)}
            inner |= {n.id for b in body for n in ast.walk(b)
                      if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
            for b in body:
                reads(b, local | inner, used)
        elif isinstance(child, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            inner = {n.id for g in child.generators for n in ast.walk(g.target)
                     if isinstance(n, ast.Name)}
            reads(child, local | inner, used)
        elif isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load):
            if child.id not in local:
                used.add(child.id)
        else:
            reads(child, local, used)


def needed_cells(codes, wanted):
    """Indices of the cells in ``codes`` that the names in ``wanted`` depend on: walk
    back, keep a cell that binds or changes a wanted name, then want what it reads."""
    keep, wanted = [], set(wanted)
    for i in range(len(codes) - 1, -1, -1):
        bound, touched, used = names(codes[i])
        if (bound | touched) & wanted:
            if DEBUG:
                print(i, (bound | touched) & wanted, file=sys.stderr)
            keep.append(i)
            wanted = (wanted - bound) | used | (touched & wanted)
    return sorted(keep)


def exercises_section(cells):
    """(start, end): the cells of the lecture's Exercises section: from the heading
    before the first exercise up to the next ## heading after the last one."""
    kinds = [c.metadata.get("tags", []) for c in cells]
    first = next(i for i, tags in enumerate(kinds) if "exercise" in tags)
    last = max(i for i, tags in enumerate(kinds) if "exercise" in tags) + 1   # its check
    start = max(i for i in range(first) if cells[i].cell_type == "markdown"
                and cells[i].source.lstrip().startswith("## "))
    end = next((i for i in range(last + 1, len(cells)) if cells[i].cell_type == "markdown"
                and cells[i].source.lstrip().startswith("## ")), len(cells))
    return start, end


def nbgrader_meta(grade_id, *, solution=False, grade=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked,
            "schema_version": SCHEMA, "solution": solution}
    if points is not None:
        meta["points"] = points
    return meta


def assignment(source, language):
    """The nbgrader source notebook of one lecture in one language."""
    lecture = build.notebook(build.parse(source), language, source)
    answers = build.solutions(LECTURES / "solutions" / f"{source.stem}.py")
    words = WORDS[language]
    start, end = exercises_section(lecture.cells)
    section = lecture.cells[start:end]
    before = [c for c in lecture.cells[:start] if c.cell_type == "code"]
    used = set()                       # what the section and the solutions read
    for code in [c.source for c in section if c.cell_type == "code"] + list(answers.values()):
        used |= names(code)[2]
    codes = [c.source for c in before]
    setup = [before[i] for i in needed_cells(codes, used)]

    nb = nbformat.v4.new_notebook(metadata=lecture.metadata)
    title = lecture.cells[0].source.splitlines()[0].lstrip("# ").strip()
    nb.cells.append(nbformat.v4.new_markdown_cell(
        f"# {words['title']} {title}\n\n" + words["about"].format(points=POINTS)))
    nb.cells.append(nbformat.v4.new_markdown_cell(words["setup"]))
    # first: it pins the language of the words that tracegrad and the lecture's code print
    nb.cells.append(locked_code(STUDENT_CHECK.format(language=language), "student-check"))
    for k, cell in enumerate(setup):
        nb.cells.append(locked_code(cell.source, f"setup-{k:02d}"))
    number, i = 0, 0
    while i < len(section):
        cell = section[i]
        if "exercise" not in cell.metadata.get("tags", []):
            nb.cells.append(cell if cell.cell_type == "markdown"
                            else locked_code(cell.source, f"section-{i:02d}"))
            i += 1
            continue
        number += 1
        solution = answers[("exercise", number)].strip("\n")
        code = nbformat.v4.new_code_cell(
            f"{cell.source}\n### BEGIN SOLUTION\n{solution}\n### END SOLUTION")
        code.metadata["nbgrader"] = nbgrader_meta(f"exercise-{number}", solution=True)
        nb.cells.append(code)
        nb.cells.append(test_cell(section[i + 1].source, answers.get(("test", number), ""),
                                  number))
        i += 2
    for k, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{k:02d}"
    return nb


def locked_code(source, grade_id):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = nbgrader_meta(grade_id, locked=True)
    cell.metadata["editable"] = False
    cell.metadata["deletable"] = False
    return cell


def test_cell(check, tests, number):
    """The check, quiet, then the hidden tests that grade it."""
    source = (f"with student_check() as verdict:\n{textwrap.indent(check, '    ')}\n"
              "### BEGIN HIDDEN TESTS\n"
              f"verdict.grade({POINTS}, globals(), {tests.strip()!r})\n"
              "### END HIDDEN TESTS")
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = nbgrader_meta(f"check-{number}", grade=True, locked=True,
                                              points=POINTS)
    cell.metadata["editable"] = False
    cell.metadata["deletable"] = False
    return cell


CONFIG = """\
# nbgrader's settings for this course (written by tools/build_assignments.py).
c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
# A solution region is removed, not replaced: the lecture's own placeholder
# (`return None  # ← your code`) stays above it for the student to fill in.
c.ClearSolutions.code_stub = {{"python": ""}}
c.ExecutePreprocessor.timeout = 300
# Feedback shows the student's graded notebook without the hidden tests' code
# (their results, the scores, stay), so a returned feedback does not publish them.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
"""


def write_course(out, language, sources):
    course = out / language
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(
        CONFIG.format(root=str(course.resolve())), encoding="utf-8")
    names_ = []
    for source in sources:
        folder = course / "source" / source.stem
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        nbformat.write(assignment(source, language), folder / f"{source.stem}.ipynb")
        names_.append(source.stem)
    return course, names_


def nbgrader(course, *args):
    """Run an nbgrader command in a course folder (nbgrader reads its config there)."""
    env = dict(os.environ)       # nbgrader runs `alembic` (installed beside it) by name
    env["PATH"] = os.pathsep.join([str(pathlib.Path(sys.executable).parent), env.get("PATH", "")])
    run = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"nbgrader {' '.join(args)} failed in {course}:\n{run.stdout}{run.stderr}")
    return run


def with_exercises():
    return [s for s in sorted((LECTURES / "src").glob("[0-9]*.txt"))
            if any(kind == "exercise" for kind, _ in build.parse(s))]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "build" / "assignments")
    parser.add_argument("--only", nargs="*", default=[], help="lectures whose names start so")
    parser.add_argument("--language", choices=build.LANGUAGES, action="append")
    parser.add_argument("--no-release", action="store_true",
                        help="write the source notebooks only (no nbgrader needed)")
    args = parser.parse_args(argv)
    sources = [s for s in with_exercises()
               if not args.only or any(s.stem.startswith(o) for o in args.only)]
    for language in args.language or build.LANGUAGES:
        course, stems = write_course(args.out, language, sources)
        if not args.no_release:          # one nbgrader run for all: it starts slowly
            for name in stems if args.only else ["*"]:
                nbgrader(course, "generate_assignment", name, "--force")
        print(f"assignments: {len(stems)} in {course}", file=sys.stderr)


if __name__ == "__main__":
    main()
