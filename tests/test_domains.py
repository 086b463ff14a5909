"""Guards: every primitive declares what the tests need, and every differentiable
elementwise function of ``tracegrad.numpy`` has a domain to be tested in.

Every primitive is differentiated here, in both modes, at each call its row lists
and in its domain, against finite differences of its NumPy function. The other tests
of primitives (``test_vmap_primitives.py``, ``test_dtypes.py``,
``test_special_points.py``, and ``test_primitives_grad.py`` through tnp) are
generated from each primitive's row: its ``domain`` (where it is smooth), its
``examples`` (calls to try), its ``special_points`` and ``convention``. A row
without them would go untested: these tests fail first, naming what is missing.
"""

import importlib

import numpy as np
import pytest

import tracegrad as tg
import tracegrad.numpy as tnp
from tracegrad.core import Primitive

from . import strategies as S
from .numeric import GRAD_TOL, assert_close, num_grad_arg, num_jvp, pack, unpack

# the module (``tracegrad.lax.elementwise`` as an attribute is its helper function)
lax_elementwise = importlib.import_module("tracegrad.lax.elementwise")
LAX_ELEMENTWISE = {p for p in vars(lax_elementwise).values() if isinstance(p, Primitive)}
WORDS = set(S.MATRICES) | {"distinct", "bool", "positions"}


def _is_interval(d):
    if isinstance(d, tuple) and d and isinstance(d[0], tuple):        # a union
        return all(_is_interval(part) for part in d)
    return (isinstance(d, tuple) and len(d) in (2, 4) and d[0] < d[1]
            and (len(d) == 2 or d[3] > 0))


@pytest.mark.parametrize("p", tg.primitives(), ids=lambda p: p.name)
def test_every_primitive_declares_its_facts(p):
    where = f"the row of lax.{p.name} in tracegrad/lax/"
    assert p.convention, f"{where} needs convention=: what it does at its special points"
    assert isinstance(p.domain, tuple) and p.domain, (
        f"{where} needs domain=: for each argument the open set where it is smooth, "
        f"e.g. ((0.2, 4),) for sqrt (see Primitive's docstring)")
    for d in p.domain:
        known = (isinstance(d, str) and d in WORDS) or _is_interval(d)
        assert known, f"{where}: {d!r} is no domain"
    for shapes, params in p.examples:
        assert shapes is None or isinstance(shapes, tuple), f"{where}: examples: (shapes, params)"
        assert isinstance(params, dict), f"{where}: examples: (shapes, params)"


@pytest.mark.parametrize("p", tg.primitives(), ids=lambda p: p.name)
def test_every_primitive_is_smooth_in_its_domain_at_every_example_call(p):
    # Smooth: the value is finite there, and the derivative, in both modes, is that of
    # the row's NumPy function by finite differences (tests/numeric.py).
    rng = np.random.default_rng(0)
    for shapes, params in S.fixed_calls(p):
        _check_smooth(p, shapes, params, rng)


# stop_gradient's derivative is 0 by definition, not its NumPy function's (the identity)
NOT_ITS_FUNCTIONS_DERIVATIVE = {"stop_gradient"}


def _along_symmetric(g):
    """What a gradient says along symmetric directions, the only ones a function of a
    symmetric matrix has (NumPy's cholesky and eigh read one triangle; tracegrad's
    gradient is symmetric): g + gᵀ − diag(g), the same for both."""
    return g + np.swapaxes(g, -1, -2) - np.eye(np.shape(g)[-1]) * g


def _check_smooth(p, shapes, params, rng):
    args = S.sample_args(p, shapes, rng, params)
    where = f"lax.{p.name} on {shapes} with {params}"
    with np.errstate(all="raise"):                  # no nan, no inf, no overflow
        out = p(*args, **params)
    assert np.all(np.isfinite(out)), f"{where}: not finite in its domain"
    if (not p.differentiable or p.name in NOT_ITS_FUNCTIONS_DERIVATIVE
            or np.result_type(out) != np.float64):                     # (astype to float32)
        return
    f, xs = S.of_floats(p, args, params)
    f_np, _ = S.of_floats(p, args, params, call=p.impl)
    symmetric = [d == "spd" for d in S.domains(p, len(args)) if S.differentiable_argument(d)]
    w = rng.uniform(0.5, 2.0, np.shape(out))
    for i, ct in enumerate(tg.vjp(f, *xs)[1](w)):
        want = num_grad_arg(lambda *a: np.sum(f_np(*a) * w), xs, i)
        if symmetric[i]:
            ct, want = _along_symmetric(ct), _along_symmetric(want)
        assert_close(ct, want, **GRAD_TOL, err_msg=f"{where}: vjp, argument {i}")
    tangents = [rng.normal(size=np.shape(x)) for x in xs]
    tangents = [t + np.swapaxes(t, -1, -2) if sym else t for t, sym in zip(tangents, symmetric)]
    flat_x, in_shapes = pack(xs)
    want = num_jvp(lambda z: f_np(*unpack(z, in_shapes)), flat_x, pack(tangents)[0])
    assert_close(tg.jvp(f, tuple(xs), tuple(tangents))[1], want, **GRAD_TOL,
                 err_msg=f"{where}: jvp")


def test_the_facts_guard_fails_on_a_row_without_them():
    bare = Primitive("bare", np.sin, jvp=lambda ts, out, x: None, vjp=(None,))
    with pytest.raises(AssertionError, match="needs convention="):
        test_every_primitive_declares_its_facts(bare)
    bare.convention = "none"
    with pytest.raises(AssertionError, match="needs domain="):
        test_every_primitive_declares_its_facts(bare)
    bare.domain = ((2, 1),)
    with pytest.raises(AssertionError, match="is no domain"):
        test_every_primitive_declares_its_facts(bare)


# ---- tnp: every differentiable elementwise function has a domain ----------------------
#
# test_primitives_grad.py differentiates exactly the functions of the tables in
# tests/strategies.py: those served by a primitive take its domain, those tnp composes
# have a row there. The functions are found here without reading the tables: a name is
# elementwise and differentiable if NumPy's function of that name is a ufunc with a
# floating-point result, or if tnp binds it to a differentiable elementwise primitive.


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
        f"tnp.{', tnp.'.join(missing)} can be differentiated but has no domain: give its "
        f"primitive's row a domain=, or (a composition) add a row to the domain tables of "
        f"tests/strategies.py, with the open set where it is smooth")
    assert not tested - set(found), f"rows for functions tnp does not have: {tested - set(found)}"


def test_a_primitive_served_by_tnp_takes_its_domain_from_its_row():
    assert S.UNARY_DOMAINS["arcsin"] is not None and "arcsin" in S.UNARY_DOMAINS
    assert tnp.arcsin is tg.lax.asin
    # the strategy is built from the row: (-0.9, 0.9)
    assert repr(S.UNARY_DOMAINS["arcsin"]) == repr(S.elements(tg.lax.asin.domain[0]))
