"""Shared pytest configuration.

Hypothesis runs derandomized (the same examples on every run, so CI is
reproducible) with no deadline: the first call of a tracing autodiff is
legitimately slower than later ones.  ``HYPOTHESIS_PROFILE=thorough`` runs
many more, random examples when hunting for bugs locally.

``pytest --tg-language=uk`` (or ``$TRACEGRAD_TEST_LANG=uk``) runs the tests with
tracegrad speaking Ukrainian: ``pytest.raises(..., match=English)`` then checks
the exception's type and matches the English regex against the message put back
in English (tracegrad.words.in_english), so every error test also checks that
the Ukrainian error is the translation of the message the test expects.
"""

import contextlib
import os
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import tracegrad
import tracegrad.reverse
from tracegrad.words import in_english

_common = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
    print_blob=True,
)
settings.register_profile("default", max_examples=25, derandomize=True, database=None, **_common)
settings.register_profile("thorough", max_examples=300, **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def rng():
    """A seeded generator, fresh for each test."""
    return np.random.default_rng(20240601)


@pytest.fixture(autouse=True, scope="session")
def every_unsaved_value_is_a_placeholder():
    """The record replaces values the backward pass does not read
    (``Primitive.saves``) by shape-only placeholders, but only for arrays of
    ``reverse.SMALL`` (1,024) elements or more. The tests use small arrays, so
    they lower that size to 0: every value a rule does not declare is then a
    placeholder of zeros, and a rule that reads a value it did not declare
    computes a wrong gradient, which the tests catch."""
    saved = tracegrad.reverse.SMALL
    tracegrad.reverse.SMALL = 0
    yield
    tracegrad.reverse.SMALL = saved


def pytest_addoption(parser):
    parser.addoption("--tg-language", choices=("en", "uk"),
                     default=os.environ.get("TRACEGRAD_TEST_LANG", "en"),
                     help="the language tracegrad speaks in the tests (default en)")


_raises = pytest.raises


def _raises_in_english(expected, *args, match=None, **kwargs):
    """pytest.raises for a run in another language: the English ``match`` is tried on
    the message put back in English."""
    if match is None or args:
        return _raises(expected, *args, match=match, **kwargs)

    @contextlib.contextmanager
    def checked():
        with _raises(expected, **kwargs) as info:
            yield info
        english = in_english(str(info.value))
        assert re.search(match, english), (f"Regex {match!r} not found in the English "
                                           f"{english!r}, shown as {str(info.value)!r}")
    return checked()


_warns = pytest.warns


def _warns_in_english(expected=Warning, *args, match=None, **kwargs):
    """pytest.warns for a run in another language, as _raises_in_english."""
    if match is None or args:
        return _warns(expected, *args, match=match, **kwargs)

    @contextlib.contextmanager
    def checked():
        with _warns(expected, **kwargs) as record:
            yield record
        shown = [str(w.message) for w in record if isinstance(w.message, expected)]
        assert any(re.search(match, in_english(text)) for text in shown), (
            f"Regex {match!r} not found in the English of {shown!r}")
    return checked()


@pytest.fixture(autouse=True)
def language_of_the_run(request, monkeypatch):
    """Each test in ``--tg-language``; with a language other than English,
    pytest.raises and pytest.warns (match=...) match the English text of the message
    shown."""
    language = request.config.getoption("--tg-language")
    if language == "en":
        yield
        tracegrad.set_language(None)     # a lecture cell a test ran may have chosen one
        return
    before = tracegrad.set_language(language)
    monkeypatch.setattr(pytest, "raises", _raises_in_english)
    monkeypatch.setattr(pytest, "warns", _warns_in_english)
    yield
    tracegrad.set_language(before)
