"""Writing a lecture: the template, the README's table, and the build's refusal of a
broken run (lectures/build.py: a warning on stderr, nan or inf in an output, unless
the source marks the cell ``%% code expect=...``)."""
import re

import nbformat
import pytest

from tests.lecture_sources import LECTURES, SOURCES, build


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_readme_has_the_lectures_row_and_links(source):
    readme = (LECTURES / "README.md").read_text(encoding="utf-8")
    number, stem = source.stem[:2], source.stem
    row = re.search(rf"^\| {number} \| \[[^]]+\]\(uk/{stem}\.ipynb\) \| "
                    rf"\[[^]]+\]\(en/{stem}\.ipynb\) \|.*$", readme, re.M)
    assert row, (f"lectures/README.md has no table row for {stem}: add "
                 f"'| {number} | [title](uk/{stem}.ipynb) | [title](en/{stem}.ipynb) | ... |'")
    for link in (f"b{number}u", f"b{number}e", f"c{number}u", f"c{number}e"):
        assert f"[{link}]" in row[0], f"the row of {stem} lacks the link [{link}]"
        assert re.search(rf"^\[{link}\]: \S+/{'uk' if link[-1] == 'u' else 'en'}/{stem}\.ipynb$",
                         readme, re.M), f"lectures/README.md defines no [{link}] for {stem}"


def test_the_template_builds_in_both_languages():
    template = LECTURES / "src" / "_template.txt"
    cells = build.parse(template, with_options=True)
    kinds = [c[0] for c in cells]
    assert "exercise" in kinds and kinds.count("uk") == kinds.count("en")
    for language in build.LANGUAGES:
        nb = build.notebook(cells, language, template)
        assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert template not in SOURCES, "the template must not be built as a lecture"


def with_outputs(source, language):
    """The notebook as the build makes it (tags from the source), with the stored outputs."""
    nb = build.notebook(build.parse(source, with_options=True), language, source)
    stored = nbformat.read(LECTURES / language / f"{source.stem}.ipynb", as_version=4)
    for cell, old in zip(nb.cells, stored.cells):
        if cell.cell_type == "code":
            cell.outputs = old.outputs
    return nb


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_stored_lectures_pass_the_builds_checks(source):
    for language in build.LANGUAGES:
        found = build.problems(with_outputs(source, language))
        assert not found, f"{language}/{source.stem}: {found}"


def cell_with(output, tags=()):
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [output]
    if tags:
        cell.metadata["tags"] = list(tags)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# t"), cell]
    return nb


@pytest.mark.parametrize("text, kind", [("loss = nan\n", "nan"), ("[ 1. -inf]\n", "inf"),
                                        ("NaN", "nan")])
def test_nan_or_inf_in_an_output_is_refused_unless_expected(text, kind):
    out = nbformat.v4.new_output("stream", name="stdout", text=text)
    assert [(i, k) for i, k, _ in build.problems(cell_with(out))] == [(1, kind)]
    assert build.problems(cell_with(out, [f"expect-{kind}"])) == []
    html = nbformat.v4.new_output("execute_result", data={"text/plain": text})
    assert build.problems(cell_with(html))[0][1] == kind


@pytest.mark.parametrize("text", ["information", "infinity is not reached", "nano", "inf.py",
                                  "a finance", "banana"])
def test_words_that_contain_nan_or_inf_are_not_refused(text):
    out = nbformat.v4.new_output("stream", name="stdout", text=text)
    assert build.problems(cell_with(out)) == []


def test_a_warning_is_refused_unless_expected():
    err = nbformat.v4.new_output("stream", name="stderr", text="RuntimeWarning: overflow in exp")
    assert build.problems(cell_with(err))[0][1] == "warning"
    assert build.problems(cell_with(err, ["expect-warning"])) == []


def test_refuse_names_the_source_line(tmp_path):
    source = LECTURES / "src" / "_template.txt"
    cells = build.parse(source, with_options=True)
    nb = build.notebook(cells, "en", source)
    code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells[code].outputs = [nbformat.v4.new_output("stream", name="stdout", text="nan")]
    line = [c[2]["line"] for c in cells if c[0] in ("code", "exercise", "en")][code]
    with pytest.raises(SystemExit, match=rf"_template.txt:{line}: the cell printed nan"):
        build.refuse(nb, cells, source, "en")


def test_unknown_options_are_refused(tmp_path):
    bad = tmp_path / "99_bad.txt"
    bad.write_text("%% code expect=nothing\nx = 1\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="99_bad.txt:1: unknown option 'expect=nothing'"):
        build.parse(bad)
