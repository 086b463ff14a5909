"""``argnums`` that names an argument twice is refused, as in JAX (issue 15 item 8)."""

from __future__ import annotations

import numpy as np
import pytest

import tracegrad as tg


def mul(x, y):
    return x * y


@pytest.mark.parametrize("transform", [tg.grad, tg.value_and_grad, tg.jacfwd, tg.jacrev,
                                       tg.hessian])
@pytest.mark.parametrize("argnums", [(0, 0), (1, 0, 1), (0, -2)])
def test_repeated_argnums_are_refused_and_the_next_call_works(transform, argnums):
    with pytest.raises(ValueError, match=r"names argument \d more than once.*"
                                         r"list each position once, e.g. argnums=\("):
        transform(mul, argnums=argnums)(2.0, 3.0)
    # d(xy)/dx = y and d(xy)/dy = x: the next call, done right, works
    assert tg.grad(mul, argnums=(0, 1))(2.0, 3.0) == (3.0, 2.0)
    np.testing.assert_allclose(tg.jacrev(mul, argnums=(1, 0))(2.0, 3.0), (2.0, 3.0))
