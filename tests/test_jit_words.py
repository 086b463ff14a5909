"""The comments of tg.jit's source speak the student's language (tracegrad.words):
a Ukrainian notebook's ``jf.source(...)`` explains itself in Ukrainian."""
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.numpy as tnp
from tracegrad.words import LANGUAGES, words


def loss(w, x):
    z = tnp.tanh(w * x)
    if z > -2.0:                     # a branch on a traced value: a guard
        z = z * 2.0
    return z ** 2


def read(w, x):
    z = tnp.tanh(w * x)
    return z * float(z)              # a value read by Python: a guard that names it


def before_where(template, **fields):
    """A guard's comment up to the place in the user's code (which varies)."""
    return template.format(**fields, where="\0").split("\0")[0].rstrip(" ,")


def comments(text):
    return [line.split("#", 1)[1].strip() for line in text.splitlines() if "#" in line]


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_source_comments_come_from_the_words_table(monkeypatch, language):
    monkeypatch.setenv("TRACEGRAD_LANG", language)
    tg.set_language(None)       # the variable decides, not --tg-language (conftest restores it)
    say = words(language)
    text = tg.jit(tg.grad(loss)).source(0.5, 1.5)
    found = comments(text)
    assert found[0] == say["jit.header"].format(name="loss", signature="float, float")
    assert found[1] == say["jit.transpose"]
    assert say["jit.backward pass"] in found
    assert before_where(say["jit.guard"]) in " ".join(found)
    read_text = tg.jit(read).source(0.5, 1.5)
    reading = say["jit.reading"].format(how="float")
    assert before_where(say["jit.guard at"], what=reading) in read_text
    assert f'"""{say["jit.same"]}"""' in read_text
    other = words(next(o for o in LANGUAGES if o != language))
    for key in ("jit.backward pass", "jit.transpose", "jit.same"):
        assert other[key] not in text + read_text     # nothing left in the other language
    # The comments change nothing: the source still runs, with NumPy alone.
    namespace = {"np": np, "RETRACE": object()}
    exec(text, namespace)
    w, x = 0.5, 1.5
    assert namespace["loss"](w, x) == pytest.approx(tg.grad(loss)(w, x), rel=1e-12)
    assert tg.grad(loss)(w, x) == pytest.approx(8 * np.tanh(w * x) * (1 - np.tanh(w * x) ** 2) * x,
                                                rel=1e-12)


def test_every_jit_word_in_both_languages():
    keys = {k for k in words("en") if k.startswith("jit.")}
    assert keys and keys == {k for k in words("uk") if k.startswith("jit.")}
    fields = {language: {key: set(re.findall(r"{(\w+)}", words(language)[key])) for key in keys}
              for language in LANGUAGES}
    assert fields["en"] == fields["uk"]          # the same fields to fill in both languages


def sign_step(x):
    return x * 2.0 if x > 0 else -x          # two branches: two compiled versions


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_the_list_of_versions_speaks_the_language(language):
    # jf.source() with no arguments heads the latest version with a list of all of them
    say, other = words(language), words(next(o for o in LANGUAGES if o != language))
    tg.set_language(language)
    try:
        jf = tg.jit(sign_step)
        jf(1.0), jf(-1.0)
        text = jf.source()
    finally:
        tg.set_language(None)
    head = comments(text)
    assert head[0] == say["jit.versions"].format(name="sign_step", count=2)
    assert head[1].startswith(say["jit.version"].format(k=1, signature="float"))
    assert before_where(say["jit.version guard"]) in head[1]
    assert head[3] == say["jit.latest"].format(count=2)
    assert other["jit.versions"].split("}")[-1] not in text   # ("tg.jit(" is shared)
    assert other["jit.latest"].split("{")[0] not in text


def test_every_comment_of_a_guarded_source_changes_with_the_language():
    """No comment is left in tracegrad's English: the value guard's helper ``same``
    once kept one ("several arrays, or a shape") in a Ukrainian notebook."""
    def f(x):
        picked = np.where(x > 0)              # a shape read by Python: a value guard
        return tnp.sin(x) * len(picked[0])

    texts = {}
    for language in sorted(LANGUAGES):
        tg.set_language(language)
        texts[language] = comments(tg.jit(f).source(np.ones(3)))
    tg.set_language(None)
    english, *others = texts.values()
    for other in others:
        assert len(other) == len(english)
        same = [c for c, d in zip(english, other) if c == d and re.search(r"[A-Za-z]{3}", c)]
        assert not same, same


def test_a_guard_inside_a_library_function_names_it_in_the_students_language():
    """The guard's place names the tracegrad function that read the value:
    " (in tracegrad.numpy.allclose)", in the words of the language."""
    def f(x):
        return tnp.sin(x) * float(tnp.allclose(x, x))

    for language in sorted(LANGUAGES):
        tg.set_language(language)
        text = tg.jit(f).source(np.ones(3))
        inside = words(language)["usercode.inside"].format(where="\0", name="\1")
        _, between, after = re.split("\0|\1", inside)
        assert f"{between}tracegrad.numpy.allclose{after}" in text, text
    tg.set_language(None)


_GUARDED = {
    "branch": lambda x: tnp.sin(x) * 2.0 if tnp.sum(x) > -1e9 else x,
    "float": lambda x: tnp.tanh(x) * float(tnp.sum(x) > -1e9),
    "shape": lambda x: tnp.cos(x) * len(np.where(x > -1e9)[0]),
    "numpy call": lambda x: tnp.exp(x) * float(np.allclose(x, x)),
}


@settings(max_examples=12, deadline=None)
@given(kinds=st.lists(st.sampled_from(sorted(_GUARDED)), min_size=1, max_size=3, unique=True),
       grad=st.booleans())
def test_no_comment_of_any_guarded_source_stays_in_english(kinds, grad):
    def f(x):
        return sum(tnp.sum(_GUARDED[k](x)) for k in kinds)

    fun = tg.grad(f) if grad and "shape" not in kinds and "numpy call" not in kinds else f
    texts = []
    for language in sorted(LANGUAGES):
        tg.set_language(language)
        texts.append(comments(tg.jit(fun).source(np.full(3, 0.5))))
    tg.set_language(None)
    english, *others = texts
    for other in others:
        assert len(other) == len(english)
        assert not [c for c, d in zip(english, other) if c == d and re.search("[A-Za-z]{3}", c)]
