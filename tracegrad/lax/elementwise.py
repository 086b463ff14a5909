"""Elementwise primitives: ``out[i] = f(x[i], y[i])``.

Their Jacobian is diagonal, so one *local derivative* per argument says it
all: ``∂out/∂x`` as an array of the output's shape. Both modes come from it:

    forward (JVP):  ȯut = Σ_k ∂out/∂x_k · ẋ_k
    reverse (VJP):  x̄_k = unbroadcast(ḡ · ∂out/∂x_k)

So each primitive below is one line of table: its name, its NumPy function,
and its local derivatives written with tracegrad operations (``out`` is the
result, handy when ``tanh' = 1 − tanh²``), plus the same formula as text for
graphs. Linear ones (add, subtract, negate) get exact rules that skip the
multiplication by one.
"""
import operator

import numpy as np

from ..advice import CustomRuleError
from ..core import Primitive, Tracer, add_any, concrete, shape_of
from ..words import message
from .shape import broadcast_to, elementwise_args, unbroadcast


def elementwise(name, impl, derivatives, formulas, doc="", argnames=("x", "y"),
                saves=("args", "out"), source=None, **facts):
    """A primitive from its NumPy function and its local derivatives.

    ``derivatives[k](out, *args, **params)`` is ∂out/∂args[k], elementwise
    (``None``: the derivative is zero). ``source`` is how ``tg.jit`` writes
    it, when ``impl`` is not a NumPy ufunc; ``facts`` are the rest of
    ``Primitive``'s keywords (special points, test domain).
    """
    def said_none(k):
        # a rule that returns None (a forgotten `return`, an exercise's blank) is
        # named here, rather than failing later at g * None
        return _returned_none(name, derivatives[k],
                              argnames[k] if k < len(argnames) else f"argument {k + 1}")

    def jvp(tangents, out, *args, **params):
        # ȯut = Σ_k ∂out/∂x_k · ẋ_k over the arguments that have a tangent
        total = None
        for k, (d, t) in enumerate(zip(derivatives, tangents)):
            if t is None or d is None:
                continue
            dk = d(out, *args, **params)
            if dk is None:
                raise said_none(k)
            total = t * dk if total is None else total + t * dk
        if total is not None and shape_of(total) != shape_of(out):
            total = broadcast_to(total, shape=shape_of(out))
        return total

    def vjp_rule(d, k):
        if d is None:
            return None

        def rule(g, out, *args, **params):          # x̄_k = ḡ · ∂out/∂x_k, unbroadcast
            dk = d(out, *args, **params)
            if dk is None:
                raise said_none(k)
            return unbroadcast(g * dk, args[k])
        return rule

    prim = Primitive(name, impl, jvp=jvp,
                     vjp=tuple(vjp_rule(d, k) for k, d in enumerate(derivatives)),
                     formulas=formulas, doc=doc, argnames=argnames, saves=saves,
                     source=source, **facts)
    prim.batch = elementwise_batch(prim)
    return prim


def _returned_none(name, d, argname):
    return CustomRuleError(message("err.derivative-none", name=name, argname=argname,
                                   rule=getattr(d, "__name__", d)))


def elementwise_batch(primitive):
    """The batching rule of an elementwise primitive: line the examples up, apply once."""
    def batch(dims, *args, **params):
        args, out_dim = elementwise_args(args, dims)
        return primitive.bind(*args, **params), out_dim
    return batch


# ---- linear: exact rules ---------------------------------------------------

inf, nan = float("inf"), float("nan")

# Each row also says where the primitive is smooth (``domain``, for the tests: the open
# set, shrunk by a margin), its special points and what it does there (``convention``:
# values are NumPy's, derivatives follow JAX; tg.primitives() shows it).
SMOOTH = (0.0, inf, -inf, nan)
_SMOOTH = "nan in, nan out (value and derivatives); at ±inf the formula's IEEE value"


def _sum_tangents(ts, out, signs):
    total = add_any(t if t is None or s > 0 else neg(t) for t, s in zip(ts, signs))
    if total is not None and shape_of(total) != shape_of(out):
        total = broadcast_to(total, shape=shape_of(out))
    return total


add = Primitive(
    "add", operator.add,
    jvp=lambda ts, out, x, y: _sum_tangents(ts, out, (1, 1)),
    vjp=(lambda g, out, x, y: unbroadcast(g, x),
         lambda g, out, x, y: unbroadcast(g, y)),
    formulas=("1", "1"), doc="x + y", saves=(), source="{0} + {1}",
    domain=((-3, 3), (-3, 3)), special_points=((inf, -inf), (nan, 1.0)),
    convention="derivatives 1 everywhere, at nan too")

sub = Primitive(
    "sub", operator.sub,
    jvp=lambda ts, out, x, y: _sum_tangents(ts, out, (1, -1)),
    vjp=(lambda g, out, x, y: unbroadcast(g, x),
         lambda g, out, x, y: unbroadcast(neg(g), y)),
    formulas=("1", "−1"), doc="x − y", saves=(), source="{0} - {1}",
    domain=((-3, 3), (-3, 3)), special_points=((inf, inf), (nan, 1.0)),
    convention="derivatives 1 and −1 everywhere, at nan too")

neg = Primitive(
    "neg", operator.neg,
    jvp=lambda ts, out, x: neg(ts[0]),
    vjp=(lambda g, out, x: neg(g),),
    formulas=("−1",), doc="−x", saves=(), source="-{0}",
    domain=((-3, 3),), special_points=(inf, nan), convention="derivative −1 everywhere, at nan too")


# ---- the table -------------------------------------------------------------------
# One row per primitive: name, NumPy function, local derivative(s) ∂out/∂arg; then,
# on the continuation line, the formula(s) shown on graphs, the doc, and what its VJP
# reads from the forward pass (``saves``: the record keeps only that; see reverse.py).
# Rows whose function is not a NumPy ufunc also say how ``tg.jit`` writes them
# (``source``); ``logistic({0})`` calls the row's own function, written out by jit.

def _float_dtype(*xs):
    """The dtype of masks and constants in a rule: the inputs' float type."""
    dtype = np.result_type(*xs)
    return dtype if dtype.kind == "f" else np.dtype(np.float64)


def _pow_dx(out, x, y):
    # y·x^(y−1); at x = 0 and y = 0 that is 0·inf, but x^0 = 1 is flat: 0, as JAX.
    # (The formula is evaluated at a safe x there, or its own derivative is nan.)
    both_zero = (concrete(x) == 0) & (concrete(y) == 0)
    if not isinstance(both_zero, Tracer) and not np.any(both_zero):   # (a batch: always safe)
        return y * x ** (y - 1)
    return select(both_zero, 0.0, y * select(both_zero, 1.0, x) ** (y - 1))


def _pow_dy(out, x, y):
    # ∂(x^y)/∂y = log(x)·x^y. At x = 0, as JAX: log(x) is read as log(1) = 0, so
    # the derivative is 0·0 = 0 for y > 0, 0·1 = 0 for y = 0, and 0·inf = nan for
    # y < 0, where 0^y = inf is no value to differentiate.
    return log(select(concrete(x) == 0, 1.0, x)) * out


def _integer_pow_dx(out, x, n):
    if n in (0, 1):                      # constant or identity: no power left to take
        return np.full(shape_of(x), n, dtype=_float_dtype(concrete(x)))[()]
    return n * integer_pow(x, n=n - 1)


def _abs_dx(out, x):
    # sign(x), but 1 at 0 (JAX's convention): then d²/dx² |x|² = 2 at 0, as it must.
    x = concrete(x)
    return np.where(x >= 0, 1, -1).astype(_float_dtype(x))[()]


def _max_dx(out, x, y):    # 1 where x wins, ½ on a tie (as JAX), 0 where y wins
    x, y = concrete(x), concrete(y)
    return ((x > y) + 0.5 * (x == y)).astype(_float_dtype(x, y))[()]


def _min_dx(out, x, y):
    return _max_dx(out, y, x)


def _logistic(x):
    # σ(x) = 1/(1+e^(−x)), computed without overflow for large |x|.
    e = np.exp(-np.abs(x))
    return np.where(np.asarray(x) >= 0, 1.0 / (1.0 + e), e / (1.0 + e))[()]


def _softplus(x):
    # log(1 + eˣ) = max(x, 0) + log(1 + e^(−|x|)): no overflow for large |x|.
    return (np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x))))[()]


ARGS, OUT, BOTH = ("args",), ("out",), ("args", "out")


# How tg.jit writes x / y and x²: with operators, as a student would, unless the
# operands are Python numbers, whose operators differ from NumPy's (1.0 / 0.0
# raises where np.true_divide gives inf; 3.0 * 3.0 is a float, np.square(3.0) an
# np.float64). x * x is np.square(x), exactly, and much quicker on a NumPy scalar.
def _python_numbers(values):
    return all(type(v) in (int, float, bool) for v in values)


def _div_source(args, params, lit, values):
    return (f"np.true_divide({args[0]}, {args[1]})" if _python_numbers(values)
            else f"{args[0]} / {args[1]}")


def _pow_source(args, params, lit, values):
    # Python's ** on two floats gives a complex number for (−8.0) ** (1/3) and raises
    # ZeroDivisionError for 0.0 ** −0.5; np.power gives nan and inf, as the primitive.
    return (f"np.power({args[0]}, {args[1]})" if _python_numbers(values)
            else f"{args[0]} ** {args[1]}")


def _square_source(args, params, lit, values):
    return f"np.square({args[0]})" if _python_numbers(values) else f"{args[0]} * {args[0]}"

mul      = elementwise("mul",      operator.mul,   (lambda out, x, y: y, lambda out, x, y: x),
                       ("y", "x"), "x · y", saves=ARGS, source="{0} * {1}",
                       domain=((-3, 3), (-3, 3)), special_points=((inf, 0.0), (nan, 1.0),
                                                                  (0.0, 0.0)),
                       convention="∂/∂x = y and ∂/∂y = x, even where x·y is nan")
div      = elementwise("div",      np.true_divide, (lambda out, x, y: div(1.0, y),
                                                    lambda out, x, y: div(neg(out), y)),
                       ("1/y", "−x/y²"), "x / y", saves=BOTH, source=_div_source,
                       domain=((-3, 3), (-3, 3, [0.0], 0.3)),
                       special_points=((1.0, 0.0), (0.0, 0.0), (inf, inf), (nan, 1.0)),
                       convention="x/0 = ±inf with ∂/∂x = inf; 0/0 = nan; "
                                  "never ZeroDivisionError")
pow      = elementwise("pow",      np.power,       (_pow_dx, _pow_dy),
                       ("y·x^(y−1)", "log(x)·x^y"), "x ** y", saves=BOTH, source=_pow_source,
                       domain=((0.3, 2.5), (-2, 2.5)),
                       special_points=((0.0, 2.0), (0.0, 0.5), (0.0, 0.0), (0.0, -1.0),
                                       (-1.0, 0.5), (nan, 2.0)),
                       convention="at x = 0, as JAX: ∂/∂y is 0 for y ≥ 0, nan for y < 0; "
                                  "∂/∂x = 0 at (0, 0)")
integer_pow = elementwise("integer_pow", lambda x, n: np.power(x, n), (_integer_pow_dx,),
                       ("n·x^(n−1)",), "xⁿ for a whole number n", saves=ARGS,
                       source=lambda args, params, lit, values:    # x¹ is x itself
                       args[0] if params["n"] == 1 else f"np.power({args[0]}, {params['n']})",
                       domain=((-2, 2, [0.0], 0.2),),
                       examples=[(None, dict(n=n)) for n in (-2, -1, 0, 1, 2, 3)],
                       special_points=((0.0, 0), (0.0, 1), (0.0, 2), (0.0, 3), (0.0, -1),
                                       (inf, 2), (nan, 2)),
                       convention="exact at 0 to every order (x⁰ = 1, x¹ = x are flat and "
                                  "linear); 0⁻¹ = inf")
square   = elementwise("square",   np.square,      (lambda out, x: 2.0 * x,),
                       ("2x",), "x²", saves=ARGS, source=_square_source,
                       domain=((-3, 3),), special_points=SMOOTH,
                       convention="square″ = 2 everywhere, at nan too")
sqrt     = elementwise("sqrt",     np.sqrt,        (lambda out, x: 0.5 / out,),
                       ("1/(2√x)",), "√x", saves=OUT,
                       domain=((0.2, 4),), special_points=(0.0, 1.0, inf, -1.0, nan),
                       convention="√0 = 0 with √′(0) = inf; nan for x < 0")
exp      = elementwise("exp",      np.exp,         (lambda out, x: out,),
                       ("exp(x)",), "eˣ", saves=OUT,
                       domain=((-2, 2),), special_points=SMOOTH, convention=_SMOOTH)
log      = elementwise("log",      np.log,         (lambda out, x: 1.0 / x,),
                       ("1/x",), "natural logarithm", saves=ARGS,
                       domain=((0.2, 4),), special_points=(0.0, -1.0, inf, nan),
                       convention="log 0 = −inf with log′(0) = inf; nan for x < 0")
log1p    = elementwise("log1p",    np.log1p,       (lambda out, x: 1.0 / (1.0 + x),),
                       ("1/(1+x)",), "log(1 + x), exact for small x", saves=ARGS,
                       domain=((-0.7, 3),), special_points=(0.0, -1.0, -2.0, inf, nan),
                       convention="log1p(−1) = −inf with derivative inf")
expm1    = elementwise("expm1",    np.expm1,       (lambda out, x: out + 1.0,),
                       ("exp(x)",), "eˣ − 1, exact for small x", saves=OUT,
                       domain=((-2, 2),), special_points=SMOOTH, convention=_SMOOTH)
sin      = elementwise("sin",      np.sin,         (lambda out, x: cos(x),),
                       ("cos(x)",), "sine", saves=ARGS,
                       domain=((-3, 3),), special_points=SMOOTH, convention=_SMOOTH)
cos      = elementwise("cos",      np.cos,         (lambda out, x: neg(sin(x)),),
                       ("−sin(x)",), "cosine", saves=ARGS,
                       domain=((-3, 3),), special_points=SMOOTH, convention=_SMOOTH)
tan      = elementwise("tan",      np.tan,         (lambda out, x: 1.0 + square(out),),
                       ("1 + tan(x)²",), "tangent", saves=OUT,
                       domain=((-1.2, 1.2),), special_points=(0.0, inf, nan), convention=_SMOOTH)
asin     = elementwise("asin",     np.arcsin,      (lambda out, x: 1.0 / sqrt(1.0 - square(x)),),
                       ("1/√(1−x²)",), "arc sine", saves=ARGS,
                       domain=((-0.9, 0.9),), special_points=(1.0, -1.0, 0.0, 2.0, nan),
                       convention="asin′(±1) = inf; nan outside [−1, 1]")
acos     = elementwise("acos",     np.arccos,      (lambda out, x: -1.0 / sqrt(1.0 - square(x)),),
                       ("−1/√(1−x²)",), "arc cosine", saves=ARGS,
                       domain=((-0.9, 0.9),), special_points=(1.0, -1.0, 0.0, 2.0, nan),
                       convention="acos′(±1) = −inf; nan outside [−1, 1]")
atan     = elementwise("atan",     np.arctan,      (lambda out, x: 1.0 / (1.0 + square(x)),),
                       ("1/(1+x²)",), "arc tangent", saves=ARGS,
                       domain=((-3, 3),), special_points=SMOOTH, convention=_SMOOTH)
hypot    = elementwise("hypot",    np.hypot,       (lambda out, x, y: x / out,
                                                    lambda out, x, y: y / out),
                       ("x/hypot(x,y)", "y/hypot(x,y)"), "√(x² + y²), without overflow",
                       saves=BOTH, domain=((0.3, 3), (-3, 3)),           # away from (0, 0)
                       special_points=((3e200, 4e200), (3e-200, 4e-200), (0.0, 0.0), (inf, nan),
                                       (nan, 1.0)),
                       convention="NumPy's value, without overflow or underflow; hypot(±inf, "
                                  "nan) = inf; at (0, 0) the derivatives x/hypot, y/hypot are "
                                  "0/0 = nan (JAX: ½; the direction decides, there is no limit)")
atan2    = elementwise("atan2",    np.arctan2,     (lambda out, y, x: x / (square(x) + square(y)),
                                                    lambda out, y, x: -y / (square(x) + square(y))),
                       ("x/(x²+y²)", "−y/(x²+y²)"), "atan(y/x), in the right quadrant",
                       argnames=("y", "x"), saves=ARGS,
                       domain=((-2, 2), (0.3, 2)),         # x > 0: away from the branch cut
                       special_points=((0.0, 0.0), (1.0, 0.0), (0.0, -1.0), (nan, 1.0)),
                       convention="at (0, 0) the value is 0 and both derivatives nan (0/0)")
sinh     = elementwise("sinh",     np.sinh,        (lambda out, x: cosh(x),),
                       ("cosh(x)",), "hyperbolic sine", saves=ARGS,
                       domain=((-2, 2),), special_points=SMOOTH, convention=_SMOOTH)
cosh     = elementwise("cosh",     np.cosh,        (lambda out, x: sinh(x),),
                       ("sinh(x)",), "hyperbolic cosine", saves=ARGS,
                       domain=((-2, 2),), special_points=SMOOTH, convention=_SMOOTH)
tanh     = elementwise("tanh",     np.tanh,        (lambda out, x: 1.0 - square(out),),
                       ("1 − tanh(x)²",), "hyperbolic tangent", saves=OUT,
                       domain=((-2, 2),), special_points=SMOOTH,
                       convention="tanh(±inf) = ±1 with derivative 0")
abs      = elementwise("abs",      np.abs,         (_abs_dx,),
                       ("sign(x), 1 at 0",), "|x|", saves=ARGS,
                       domain=((-3, 3, [0.0], 0.1),), special_points=(0.0, -0.0, inf, -inf, nan),
                       convention="abs′(0) = 1, as in JAX, so (|x|²)″ = 2 at 0; abs′ = −1 at "
                                  "nan, abs″ = 0")
sign     = elementwise("sign",     np.sign,        (None,),
                       ("0",), "−1, 0 or 1", saves=(),
                       domain=((-3, 3, [0.0], 0.1),), special_points=(0.0, -0.0, inf, nan),
                       convention="sign(0) = 0; derivative 0 everywhere, at 0 too")
# max and min are not smooth where x = y: "distinct" draws the two arguments together,
# every value at least a gap from every other
max      = elementwise("max",      np.maximum,     (_max_dx, lambda out, x, y: _max_dx(out, y, x)),
                       ("1 if x > y", "1 if y > x"), "elementwise maximum", saves=ARGS,
                       domain=("distinct", "distinct"),
                       special_points=((1.0, 1.0), (0.0, 0.0), (inf, inf), (nan, 1.0),
                                       (1.0, nan)),
                       convention="a tie shares the derivative: ½ each, as JAX; with a nan, "
                                  "both 0. tnp.fmax (built on max) shares a tie too: differs "
                                  "from JAX, whose fmax gives it all to x2, because a tie has "
                                  "no preferred side and ½ each is what maximum gives")
min      = elementwise("min",      np.minimum,     (_min_dx, lambda out, x, y: _min_dx(out, y, x)),
                       ("1 if x < y", "1 if y < x"), "elementwise minimum", saves=ARGS,
                       domain=("distinct", "distinct"),
                       special_points=((1.0, 1.0), (0.0, 0.0), (-inf, -inf), (nan, 1.0),
                                       (1.0, nan)),
                       convention="a tie shares the derivative: ½ each, as JAX; with a nan, "
                                  "both 0. tnp.fmin (built on min) shares a tie too: differs "
                                  "from JAX, whose fmin gives it all to x2, because a tie has "
                                  "no preferred side and ½ each is what minimum gives")
logistic = elementwise("logistic", _logistic,      (lambda out, x: out * (1.0 - out),),
                       ("σ(x)(1−σ(x))",), "σ(x), the sigmoid", saves=OUT,
                       source="logistic({0})", domain=((-3, 3),), special_points=SMOOTH,
                       convention="σ(0) = ½, σ′(0) = ¼; σ(±inf) = 1, 0, with σ′ = 0")
softplus = elementwise("softplus", _softplus,      (lambda out, x: logistic(x),),
                       ("σ(x)",), "log(1 + eˣ), a smooth relu", saves=ARGS,
                       source="softplus({0})", domain=((-3, 3),), special_points=SMOOTH,
                       convention="softplus′ = σ: ½ at 0, softplus″(0) = ¼")


# ---- select: where(cond, x, y) --------------------------------------------

def _select(cond, x, y):
    return np.where(cond, x, y)[()]


def _select_jvp(ts, out, cond, x, y):
    _, tx, ty = ts
    if tx is None and ty is None:
        return None
    zero = np.zeros(shape_of(out))
    return select(cond, zero if tx is None else tx, zero if ty is None else ty)


select = Primitive(
    "select", _select, jvp=_select_jvp,
    vjp=(None,
         lambda g, out, c, x, y: unbroadcast(select(c, g, 0.0), x),
         lambda g, out, c, x, y: unbroadcast(select(c, 0.0, g), y)),
    formulas=("", "1 where cond", "1 where not cond"),
    doc="where(cond, x, y); cond is a plain boolean array", argnames=("cond", "x", "y"),
    saves=("args",), source="np.where({0}, {1}, {2})[()]",
    domain=("bool", (-3, 3), (-3, 3)),
    convention="the derivative flows to the chosen branch only; cond has none")


# ---- batching (vmap): the linear ones and select are elementwise too ----------------

for _p in (add, sub, neg, select):
    _p.batch = elementwise_batch(_p)


# ---- inverse hyperbolic functions, logaddexp, hypot, mod and rounding ----------------
# Rounding functions are flat between their jumps: their derivative is 0 wherever
# it exists, and JAX defines it as 0 everywhere.

_FLAT = "derivative 0 everywhere, at the jumps too (as JAX); nan in, nan out"
ROUNDING = (0.5, -0.5, 1.0, inf, nan)
BETWEEN_JUMPS = (-3, 3, range(-3, 4), 0.05)         # flat between the whole numbers


def _posinf_as_zero(v):
    return select(np.isposinf(concrete(v)), 0.0, v)


def _logaddexp_d(out, x, y):
    # ∂/∂x log(eˣ + eʸ) = e^(x − out). As JAX, +inf is read as 0 on both sides, so
    # that (inf, inf) gives 1 rather than e^(inf − inf) = nan.
    return exp(_posinf_as_zero(x) - _posinf_as_zero(out))


def _logaddexp2_d(out, x, y):
    # ∂/∂x log₂(2ˣ + 2ʸ) = 2^(x − out) = e^((x − out)·ln 2); +inf as in logaddexp.
    return exp((_posinf_as_zero(x) - _posinf_as_zero(out)) * _LN2)


def _mod_dy(out, x, y):
    # x mod y = x − y·⌊x/y⌋, and ⌊x/y⌋ is flat: ∂/∂y = −⌊x/y⌋, a constant.
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.floor(concrete(x) / concrete(y))


asinh    = elementwise("asinh",    np.arcsinh,     (lambda out, x: 1.0 / sqrt(square(x) + 1.0),),
                       ("1/√(x²+1)",), "inverse hyperbolic sine", saves=ARGS,
                       domain=((-3, 3),), special_points=SMOOTH, convention=_SMOOTH)
acosh    = elementwise("acosh",    np.arccosh,     (lambda out, x: 1 / sqrt(square(x) - 1.0),),
                       ("1/√(x²−1)",), "inverse hyperbolic cosine", saves=ARGS,
                       domain=((1.2, 4),), special_points=(1.0, 2.0, 0.0, inf, nan),
                       convention="acosh′(1) = inf; nan for x < 1")
atanh    = elementwise("atanh",    np.arctanh,     (lambda out, x: 1.0 / (1.0 - square(x)),),
                       ("1/(1−x²)",), "inverse hyperbolic tangent", saves=ARGS,
                       domain=((-0.8, 0.8),), special_points=(0.0, 1.0, -1.0, 2.0, nan),
                       convention="atanh(±1) = ±inf with derivative inf; nan outside [−1, 1]")
logaddexp = elementwise("logaddexp", np.logaddexp, (_logaddexp_d,
                                                    lambda out, x, y: _logaddexp_d(out, y, x)),
                       ("e^(x−out)", "e^(y−out)"), "log(eˣ + eʸ), without overflow", saves=BOTH,
                       domain=((-3, 3), (-3, 3)),
                       special_points=((0.0, 0.0), (-inf, 0.0), (inf, inf), (nan, 1.0)),
                       convention="a tie shares ½ each; +inf is read as 0 in e^(x−out), as "
                                  "JAX, so (inf, inf) gives 1 each")
mod      = elementwise("mod",      np.remainder,   (lambda out, x, y: 1.0, _mod_dy),
                       ("1", "−⌊x/y⌋"), "x mod y, with the sign of y (Python's %)", saves=ARGS,
                       # x/y stays in ±[1.2, 1.875]: never a whole number, where mod jumps
                       domain=(((1.2, 1.5), (-1.5, -1.2)), (0.8, 1.0)),
                       special_points=((5.0, 3.0), (-1.0, 3.0), (3.0, 3.0), (nan, 1.0)),
                       convention="derivatives 1 and −⌊x/y⌋, as JAX; at a jump (x/y whole) "
                                  "the right-hand value")
floor    = elementwise("floor",    np.floor,       (None,), ("0",), "⌊x⌋, rounded down", saves=(),
                       domain=(BETWEEN_JUMPS,), special_points=ROUNDING, convention=_FLAT)
ceil     = elementwise("ceil",     np.ceil,        (None,), ("0",), "⌈x⌉, rounded up", saves=(),
                       domain=(BETWEEN_JUMPS,), special_points=ROUNDING, convention=_FLAT)
rint     = elementwise("rint",     np.rint,        (None,), ("0",),
                       "nearest whole number (ties to even)", saves=(),
                       domain=((-3, 3, [k + 0.5 for k in range(-4, 4)], 0.05),),
                       special_points=(0.5, 1.5, -0.5, inf, nan), convention=_FLAT)
trunc    = elementwise("trunc",    np.trunc,       (None,), ("0",), "rounded towards 0", saves=(),
                       domain=(BETWEEN_JUMPS,), special_points=ROUNDING, convention=_FLAT)

# ---- logaddexp2: NumPy's own (log₂ through ln loses digits for tiny results) --------------

_LN2 = float(np.log(2.0))

logaddexp2 = elementwise("logaddexp2", np.logaddexp2, (_logaddexp2_d,
                                                      lambda out, x, y: _logaddexp2_d(out, y, x)),
                         ("2^(x−out)", "2^(y−out)"), "log₂(2ˣ + 2ʸ), without overflow",
                         saves=BOTH, domain=((-3, 3), (-3, 3)),
                         special_points=((0.0, 0.0), (-inf, 0.0), (inf, inf), (0.0, -780.0),
                                         (nan, 1.0)),
                         convention="NumPy's value, to the last digit for tiny results; a tie "
                                    "shares ½ each; +inf is read as 0 in 2^(x−out), as JAX, so "
                                    "(inf, inf) gives 1 each")
