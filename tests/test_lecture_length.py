"""No lecture runs over 45 minutes of reading, and notebook 00's map of the series states
each lecture's time as this estimate gives it.

The estimate: the English Markdown read at 150 words a minute (a careful reading of
technical text with formulas; the Ukrainian twin says the same), plus half a minute per
code cell, shown or run (reading it, running it, looking at its output), plus three
minutes per exercise. Code shown in Markdown (```python blocks) counts as code cells.
"""
import re

import pytest

from tests.lecture_sources import LECTURES, SOURCES, build

WORDS_PER_MINUTE, PER_CODE_CELL, PER_EXERCISE, LONGEST = 150, 0.5, 3, 45


def estimate(cells):
    """Minutes of reading for a lecture's cells [(kind, text)], by the rule above."""
    english = [text for kind, text in cells if kind == "en"]
    prose = [re.sub(r"```.*?```", " ", text, flags=re.S) for text in english]
    words = sum(len(re.findall(r"[^\W\d_]+", text)) for text in prose)
    shown = sum(text.count("```python") for text in english)
    code = sum(kind == "code" for kind, _ in cells) + shown
    exercises = sum(kind == "exercise" for kind, _ in cells)
    return words / WORDS_PER_MINUTE + PER_CODE_CELL * code + PER_EXERCISE * exercises


def stated_minutes(language):
    """{"04": 45, ...} from the map of the series in notebook 00 (its last column)."""
    cells = build.parse(LECTURES / "src" / "00_start.txt")
    table = next(text for kind, text in cells if kind == language and "|---|---|---|" in text)
    rows = re.finditer(r"^\| (\d\d) [^|]*\|[^|]*\| (\d+) \|$", table, re.M)
    return {m[1]: int(m[2]) for m in rows}


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_no_lecture_runs_over_45_minutes(source):
    minutes = estimate(build.parse(source))
    assert minutes <= LONGEST, (f"{source.stem} takes about {minutes:.0f} minutes to read "
                                f"(over {LONGEST}): split it, or move reference material to 09")


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_map_states_each_lectures_time_truthfully(language):
    stated = stated_minutes(language)
    assert sorted(stated) == sorted(s.stem[:2] for s in SOURCES), \
        f"notebook 00's map ({language}) lacks a row for some lecture, or has one too many"
    for source in SOURCES:
        minutes = estimate(build.parse(source))
        assert abs(stated[source.stem[:2]] - minutes) <= 5, \
            (f"notebook 00 ({language}) says {source.stem} takes {stated[source.stem[:2]]} "
             f"minutes; the estimate is {minutes:.0f}")


def test_notebook_00_states_its_own_time_as_the_map_does():
    cells = build.parse(LECTURES / "src" / "00_start.txt")
    text = "\n".join(t for k, t in cells if k in ("uk", "en"))
    own = {int(m) for m in re.findall(r"(?:Цей зошит — на|This notebook takes) (\d+)", text)}
    assert own == {stated_minutes("uk")["00"]} == {stated_minutes("en")["00"]}


def test_the_estimate_counts_words_code_and_exercises():
    prose = " ".join(["word"] * 300)
    cells = [("uk", "слово"), ("en", prose + "\n```python\nx = 1\n```"), ("code", "x"),
             ("exercise", "y = None"), ("code", "check()")]
    # 300 words at 150 a minute, three code cells (one shown), one exercise
    assert estimate(cells) == pytest.approx(2 + 1.5 + 3)
