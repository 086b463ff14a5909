"""Your own derivative rules: ``custom_jvp`` and ``custom_vjp`` (JAX's API).

Sometimes the derivative that the chain rule builds from a function's steps
is not the one you want: it may be numerically unstable (``log(1 + eˣ)``
overflows for large x although its derivative, σ(x), is harmless), or the
function may call code tracegrad cannot see. Then you give the rule yourself.

``custom_jvp``: a forward rule ``(primals, tangents) -> (out, tangent_out)``.
It turns the function into a new primitive. Reverse mode needs no second
rule: the tangent output is *linear* in the tangents, and the VJP of a linear
map is its transpose, which tracegrad's own reverse mode computes by tracing
the rule itself (see ``_transpose_jvp``).

``custom_vjp``: a forward function ``fwd(*args) -> (out, residuals)`` and a
backward one ``bwd(residuals, g) -> (cotangent for each arg)``. ``fwd`` runs
once, during the forward pass; its residuals are kept on the recorded node
for ``bwd``. Forward mode cannot use a backward rule, so under ``jvp`` the
original function is differentiated instead (JAX raises an error there).
"""
import functools

import numpy as np

from .arguments import zeros_like
from .core import Primitive, TracegradError, top_trace
from .reverse import ReverseTrace, vjp

__all__ = ["custom_jvp", "custom_vjp"]


def _split(args, nondiff_argnums):
    """The arguments that are differentiated, and the others (``nondiff_argnums``)."""
    static = tuple(args[i] for i in nondiff_argnums)
    dynamic = tuple(a for i, a in enumerate(args) if i not in nondiff_argnums)
    return dynamic, static


def _merge(dynamic, static, nondiff_argnums):
    """Put the two groups back into the original order of the arguments."""
    dynamic, static, args = list(dynamic), list(static), []
    for i in range(len(dynamic) + len(static)):
        args.append(static.pop(0) if i in nondiff_argnums else dynamic.pop(0))
    return args


class custom_jvp:
    """Decorator: ``@custom_jvp def f(x): ...`` then ``@f.defjvp def rule(primals, tangents)``.

    As in JAX, ``f.defjvps(rule_x, rule_y)`` gives one rule per argument instead,
    ``rule_x(ẋ, out, x, y)`` returning that argument's share of the output tangent
    (None: the argument has none). ``nondiff_argnums`` names arguments that are
    not differentiated (a function, a flag): the rule receives them first,
    ``rule(*nondiff, primals, tangents)``, and primals and tangents leave them out.
    """

    def __init__(self, fun, nondiff_argnums=()):
        # Name and docstring from fun, not its attributes: they could hide our methods.
        functools.update_wrapper(self, fun, updated=())
        self.fun = fun
        self.rule = None
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.primitive = Primitive(f"custom_jvp[{fun.__name__}]", self._impl, jvp=self._jvp,
                                   vjp=self._transpose_jvp, formulas=("custom rule",),
                                   doc=f"{fun.__name__} with a custom JVP rule")

    def defjvp(self, rule):
        self.rule = rule
        return rule

    def defjvps(self, *rules):
        """One rule per (differentiated) argument: ``rule(tangent, out, *primals)``."""
        def rule(*nondiff_primals_tangents):
            *static, primals, tangents = nondiff_primals_tangents
            out = self.fun(*_merge(primals, static, self.nondiff_argnums))
            total = None
            for r, t in zip(rules, tangents):
                if r is None:
                    continue
                term = r(t, out, *primals)
                total = term if total is None else total + term
            return out, zeros_like(out) if total is None else total
        self.rule = rule

    def __call__(self, *args):
        if self.rule is None:
            raise TracegradError(f"custom_jvp function {self.fun.__name__} has no rule yet: "
                                 f"define one with @{self.fun.__name__}.defjvp.")
        if not self.nondiff_argnums:
            return self.primitive.bind(*args)
        dynamic, static = _split(args, self.nondiff_argnums)
        return self.primitive.bind(*dynamic, static=static)

    def _impl(self, *args, static=()):
        return self.fun(*_merge(args, static, self.nondiff_argnums)) if static else self.fun(*args)

    def _jvp(self, tangents, out, *primals, static=()):
        tangents = tuple(zeros_like(p) if t is None else t for t, p in zip(tangents, primals))
        _, tangent_out = self.rule(*static, primals, tangents)
        return tangent_out

    def _transpose_jvp(self, g, out, *primals, static=()):
        # tangent_out = J · tangents is linear: pull g back through it.
        def linear(*tangents):
            return self.rule(*static, primals, tangents)[1]
        _, pullback = vjp(linear, *[zeros_like(p) for p in primals])
        return pullback(g)


class custom_vjp:
    """Decorator: ``@custom_vjp def f(x): ...`` then ``f.defvjp(fwd, bwd)``.

    With ``nondiff_argnums``, as in JAX: ``fwd`` takes all the arguments, and
    ``bwd(*nondiff, residuals, g)`` returns cotangents for the others only.
    """

    def __init__(self, fun, nondiff_argnums=()):
        # Name and docstring from fun, not its attributes: they could hide our methods.
        functools.update_wrapper(self, fun, updated=())
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.fwd = self.bwd = None
        self.primitive = Primitive(f"custom_vjp[{fun.__name__}]", fun, vjp=self._bwd,
                                   formulas=("custom rule",),
                                   doc=f"{fun.__name__} with a custom VJP rule")

    def defvjp(self, fwd, bwd):
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args):
        if self.fwd is None:
            raise TracegradError(f"custom_vjp function {self.fun.__name__} has no rule yet: "
                                 f"call {self.fun.__name__}.defvjp(fwd, bwd) first.")
        dynamic, static = _split(args, self.nondiff_argnums)
        trace = top_trace(dynamic)
        if not isinstance(trace, ReverseTrace):   # no tracing, or forward mode
            return self.fun(*args)
        if trace.finished:                           # a tracer kept after its trace ended
            raise trace.escaped()
        values, parents = trace.unbox(dynamic)
        out, residuals = self.fwd(*_merge(values, static, self.nondiff_argnums))  # level below
        params = {"residuals": residuals}
        if static:
            params["static"] = static
        return trace.record(self.primitive, parents, values, params, out)

    def _bwd(self, g, out, *args, residuals, static=()):
        cotangents = self.bwd(*static, residuals, g)
        name = self.fun.__name__
        if not isinstance(cotangents, (tuple, list)) or len(cotangents) != len(args):
            raise TracegradError(f"custom_vjp {name}: bwd must return a tuple with one "
                                 f"cotangent per argument ({len(args)}), e.g. (g * y,), "
                                 f"but it returned {cotangents!r:.80}.")
        for k, (c, a) in enumerate(zip(cotangents, args)):
            if c is not None and np.shape(c) != np.shape(a):
                raise TracegradError(f"custom_vjp {name}: bwd returned a cotangent of shape "
                                     f"{np.shape(c)} for argument {k}, whose shape is "
                                     f"{np.shape(a)}; they must match.")
        return cotangents
