"""tests/test_transforms.py again, with the Jacobians' loop over basis vectors.

``jacfwd``, ``jacrev`` and ``hessian`` batch their passes with ``vmap`` by
default; ``vectorize=False`` keeps the loop (one pass per column or row).
Both must give the same results, so every test of test_transforms.py runs
here a second time with ``tg.jacfwd``, ``tg.jacrev``, ``tg.jacobian`` and
``tg.hessian`` switched to the loop.
"""

import functools

import pytest

import tracegrad as tg
from tracegrad import transforms

from .test_transforms import *  # noqa: F401,F403  (collected again, with the loop)


@pytest.fixture(autouse=True)
def jacobians_by_loop(monkeypatch):
    for name in ("jacfwd", "jacrev", "hessian"):
        monkeypatch.setattr(tg, name, functools.partial(getattr(transforms, name),
                                                         vectorize=False))
    monkeypatch.setattr(tg, "jacobian", tg.jacrev)


def test_the_loop_is_what_runs():
    assert tg.jacrev.keywords == {"vectorize": False}
