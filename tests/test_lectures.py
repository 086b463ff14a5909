"""The lecture notebooks: both languages run the same code, and the stored
notebooks are clean (built from their sources, outputs stored, nothing
machine-specific in them). That they *run* and match their stored outputs is
checked by nbval (make test runs it over lectures/)."""
import io
import json
import re
import tokenize

import pytest

from tests.lecture_sources import LECTURES, SOURCES, build


def code_without_comments(source):
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    kept = [(t.type, t.string) for t in tokens
            if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE,
                              tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)]
    return kept


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb):
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_both_languages_exist_and_share_their_code(source):
    uk = load(LECTURES / "uk" / f"{source.stem}.ipynb")
    en = load(LECTURES / "en" / f"{source.stem}.ipynb")
    uk_code, en_code = code_cells(uk), code_cells(en)
    assert len(uk_code) == len(en_code), "the two notebooks have different numbers of code cells"
    # the one difference allowed: the first code cell sets its notebook's language
    for code, language in ((uk_code, "uk"), (en_code, "en")):
        assert code[0].endswith(f'\ntg.set_language("{language}")'), \
            f"{language}: the first code cell does not end with tg.set_language"
        code[0] = code[0].replace(f'tg.set_language("{language}")', "tg.set_language(LANGUAGE)")
    for i, (a, b) in enumerate(zip(uk_code, en_code, strict=True)):
        assert code_without_comments(a) == code_without_comments(b), \
            f"code cell {i} differs between uk and en (beyond comments)"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_the_built_notebooks_set_their_own_language_and_differ_only_there(source):
    # the parity check above must allow exactly this difference, and no other
    cells = build.parse(source)
    books = {lang: code_cells(build.notebook(cells, lang, source)) for lang in build.LANGUAGES}
    assert books["uk"][0].endswith('\nimport tracegrad as tg\ntg.set_language("uk")')
    assert books["en"][0].endswith('\nimport tracegrad as tg\ntg.set_language("en")')
    assert sum("set_language" in c for c in books["uk"]) == 1
    differ = [i for i, (a, b) in enumerate(zip(books["uk"], books["en"], strict=True))
              if code_without_comments(a) != code_without_comments(b)]
    assert differ == [0]
    assert code_without_comments(books["uk"][0].replace('"uk"', '"en"')) == \
        code_without_comments(books["en"][0])


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_notebooks_were_built_from_their_source(source):
    cells = build.parse(source)
    for language in build.LANGUAGES:
        expected = build.notebook(cells, language, source)
        stored = load(LECTURES / language / f"{source.stem}.ipynb")
        # prose values ({{name}}) are filled in from the run; the cell keeps them
        values = [c.get("metadata", {}).get("values", {}) for c in stored["cells"]]
        values += [{}] * (len(expected.cells) - len(values))
        want = [(c["cell_type"],
                 build.PLACEHOLDER.sub(lambda m, v=v: v.get(m[1], m[0]), c["source"]))
                for c, v in zip(expected.cells, values)]
        got = [(c["cell_type"], "".join(c["source"])) for c in stored["cells"]]
        assert got == want, (f"{language}/{source.stem}.ipynb is out of date with "
                             f"src/{source.name}: run python lectures/build.py {source.stem[:2]}")


@pytest.mark.parametrize("path", sorted(LECTURES.glob("*/*.ipynb")),
                         ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_stored_outputs_are_clean(path):
    nb = load(path)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert any(c["outputs"] for c in code), "the notebook was stored without outputs"
    assert all(c["execution_count"] is not None for c in code if c["source"]), \
        "some code cells were not executed"
    text = json.dumps([c["outputs"] for c in code])
    assert not re.search(r"\bat 0x[0-9a-f]{6,}", text), "an output shows a memory address"
    assert "/work/" not in text and "/home/" not in text and "/tmp/" not in text, \
        "an output shows an absolute path"
    assert not any(o.get("output_type") == "error" for c in code for o in c["outputs"]), \
        "a cell stored an error"
