"""Shared pytest configuration.

Hypothesis runs derandomized (the same examples on every run, so CI is
reproducible) with no deadline: the first call of a tracing autodiff is
legitimately slower than later ones.  ``HYPOTHESIS_PROFILE=thorough`` runs
many more, random examples when hunting for bugs locally.
"""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import tracegrad.reverse

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
