"""A guard: every differentiable elementwise function of ``tracegrad.numpy``
has a row in the domain tables of ``tests/strategies.py``.

``test_primitives_grad.py`` differentiates exactly the functions listed
there, so a function added to tnp without a row would go untested. The
functions are found here without reading the tables: a name is elementwise
and differentiable if NumPy's function of that name is a ufunc with a
floating-point result, or if tnp binds it to a differentiable elementwise
primitive of ``tracegrad.lax``.
"""

import importlib

import numpy as np

import tracegrad.numpy as tnp
from tracegrad.core import Primitive

from . import strategies as S

# the module (``tracegrad.lax.elementwise`` as an attribute is its helper function)
lax_elementwise = importlib.import_module("tracegrad.lax.elementwise")
LAX_ELEMENTWISE = {getattr(lax_elementwise, n) for n in lax_elementwise.__all__}


def _float_ufunc(name):
    f = getattr(np, name, None)
    if not isinstance(f, np.ufunc) or f.signature is not None:    # not matmul's gufunc
        return False
    with np.errstate(all="ignore"):
        return np.asarray(f(*[np.float64(0.5)] * f.nin)).dtype.kind == "f"


def differentiable_elementwise():
    found = {}
    for name in tnp.__all__:
        obj = getattr(tnp, name)
        if _float_ufunc(name) or (isinstance(obj, Primitive) and obj in LAX_ELEMENTWISE
                                  and obj.differentiable):
            found[name] = obj
    return found


def test_the_guard_finds_the_elementwise_functions():
    found = differentiable_elementwise()
    assert {"sin", "tanh", "add", "power", "maximum", "arctan2"} <= set(found)
    assert not {"sum", "dot", "reshape", "less", "isnan", "where"} & set(found)


def test_every_differentiable_elementwise_function_has_a_domain():
    tested = set(S.UNARY_DOMAINS) | set(S.BINARY_DOMAINS) | set(S.TIE_FREE_PAIRS)
    found = differentiable_elementwise()
    tested_objects = [found[n] for n in tested if n in found]
    # an alias (absolute = abs, true_divide = divide) is the same function
    missing = sorted(n for n, obj in found.items()
                     if n not in tested and not any(obj is t for t in tested_objects))
    assert not missing, (
        f"tnp.{', tnp.'.join(missing)} can be differentiated but has no row in the domain "
        f"tables of tests/strategies.py (UNARY_DOMAINS or BINARY_DOMAINS): add one, with "
        f"the open set where it is smooth, and test_primitives_grad.py will test it")
    assert not tested - set(found), f"rows for functions tnp does not have: {tested - set(found)}"
