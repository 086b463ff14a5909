"""The Ukrainian notebooks show a student no English: every word tracegrad can
print comes from tracegrad/words.py, whose two tables have the same keys, and
no English caption of that table appears in a uk notebook's stored outputs
(printed text, HTML, and the text of SVG graphs)."""
import html
import json
import pathlib
import re

import pytest

from tracegrad.words import EN, UK

LECTURES = pathlib.Path(__file__).resolve().parent.parent / "lectures"
UK_NOTEBOOKS = sorted((LECTURES / "uk").glob("*.ipynb"))


def test_both_tables_have_the_same_keys_and_no_empty_words():
    assert set(EN) == set(UK), f"keys in one table only: {sorted(set(EN) ^ set(UK))}"
    assert all(isinstance(v, str) and v.strip() for v in list(EN.values()) + list(UK.values()))


def test_every_word_a_lecture_looks_up_exists():
    used = set()
    for source in (LECTURES / "src").glob("*.txt"):
        used |= set(re.findall(r"""T\[["']([^"']+)["']\]""", source.read_text(encoding="utf-8")))
    assert used, "no lecture looks up a word: the pattern above is out of date"
    missing = sorted(used - set(EN))
    assert not missing, f"lectures use words missing from tracegrad/words.py: {missing}"


def code_names():
    """Every name in the lectures' code (functions, variables, attributes): a
    graph or a listing shows these as they are, in both languages."""
    names = set()
    for source in (LECTURES / "src").glob("*.txt"):
        names |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", source.read_text(encoding="utf-8")))
    return names


def english_phrases():
    """The English words of the table that a uk notebook must never show: each
    value (its literal parts around {placeholders}) that differs from the
    Ukrainian one. Symbols and API names are the same in both tables and so
    are left out; so are single words shorter than five letters ("of", "step")
    and names the lectures' code uses (a function called `layer` is drawn as
    `layer` in both languages)."""
    names = code_names()
    phrases = set()
    for key, english in EN.items():
        if english == UK[key]:
            continue
        for part in re.split(r"\{[^}]*\}", english):
            part = part.strip(" :;,.()▶◀")
            if not re.search(r"[A-Za-z]{2,}", part) or part in UK.values():
                continue
            if " " not in part and (len(part) < 5 or part in names):
                continue
            if re.fullmatch(r"[\w.]*[_.=][\w.=]*", part):    # an API name: in_axes, rtol=
                continue
            phrases.add(part)
    return sorted(phrases)


def found_in(text):
    """The phrases shown in text, as words (not inside a name such as `numerical_grad`)."""
    return [p for p in english_phrases() if re.search(rf"(?<![\w.]){re.escape(p)}(?![\w(])", text)]


def shown_text(nb):
    """Everything a student reads in a notebook's outputs, as plain text."""
    texts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                texts.append("".join(out["text"]))
            data = out.get("data", {})
            for mime in ("text/plain", "text/html", "text/markdown"):
                if mime in data:
                    text = "".join(data[mime])
                    if mime == "text/html":      # a widget's script and style are not shown
                        text = re.sub(r"<(script|style)\b.*?</\1>", "", text, flags=re.S)
                    text = html.unescape(text)
                    # matplotlib's own repr of a figure, shown above the picture
                    texts.append(re.sub(r"<Figure size [^>]*>", "", text))
            if "image/svg+xml" in data:
                svg = "".join(data["image/svg+xml"])
                labels = re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)
                texts += [html.unescape(t) for t in labels]
    return "\n".join(texts)


def test_a_widgets_script_is_not_shown_text_but_its_html_is():
    phrase = english_phrases()[0]
    fake = {"cells": [{"outputs": [{"output_type": "display_data", "data": {"text/html": [
        f"<div>x</div><script>const a = '{phrase}';</script><p>{phrase}</p>"]}}]}]}
    assert found_in(shown_text(fake)) == [phrase]


def test_the_english_phrases_are_found_where_they_are_shown():
    # The check below can fail: an English caption in an output is found.
    svg = f"<svg><text x='1'>{english_phrases()[0]}</text></svg>"
    fake = {"cells": [{"outputs": [{"output_type": "stream", "text": ["x = 1\n"]},
                                   {"output_type": "display_data",
                                    "data": {"image/svg+xml": [svg]}}]}]}
    assert found_in(shown_text(fake))


@pytest.mark.parametrize("path", UK_NOTEBOOKS, ids=lambda p: p.stem)
def test_uk_notebooks_show_no_english_caption(path):
    found = found_in(shown_text(json.loads(path.read_text(encoding="utf-8"))))
    assert not found, f"uk/{path.name} shows English: {found}"
