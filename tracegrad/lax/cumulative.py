"""Running sums: ``cumsum``.

``out[k] = x[0] + x[1] + … + x[k]``, so ``x[i]`` reaches every ``out[k]`` with
``k ≥ i``. Its cotangent collects theirs:

    x̄[i] = Σ_{k ≥ i} ḡ[k]

which is a running sum taken from the other end: the VJP of ``cumsum`` is a
``cumsum`` in reverse. The JVP is a ``cumsum`` of the tangent (it is linear).
Running products are composed from multiplications in ``tnp.cumprod``, so
that zeros need no special care.
"""
import numpy as np

from ..core import Primitive


def _cumsum(x, axis, reverse):
    if reverse:
        return np.flip(np.cumsum(np.flip(x, axis), axis), axis)
    return np.cumsum(x, axis)


cumsum = Primitive(
    "cumsum", _cumsum,
    jvp=lambda ts, out, x, axis, reverse: cumsum(ts[0], axis=axis, reverse=reverse),
    vjp=(lambda g, out, x, axis, reverse: cumsum(g, axis=axis, reverse=not reverse),),
    formulas=("1 for every later position",),
    doc="running sum along ``axis`` (from the end if ``reverse``)", saves=(),
    domain=((-3, 3),), convention="linear: an empty axis gives an empty result",
    examples=[(((2, 3),), dict(axis=1, reverse=False)), (((2, 3),), dict(axis=0, reverse=True)),
              (((3,),), dict(axis=0, reverse=True)), (((2, 1, 3),), dict(axis=2, reverse=False))])

cumsum.source = lambda args, params, lit, values: (    # how tg.jit writes it
    f"np.flip(np.cumsum(np.flip({args[0]}, {params['axis']}), {params['axis']}), "
    f"{params['axis']})" if params["reverse"] else f"np.cumsum({args[0]}, {params['axis']})")
