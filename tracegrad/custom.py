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


class custom_jvp:
    """Decorator: ``@custom_jvp def f(x): ...`` then ``@f.defjvp def rule(primals, tangents)``."""

    def __init__(self, fun):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.rule = None
        self.primitive = Primitive(f"custom_jvp[{fun.__name__}]", fun, jvp=self._jvp,
                                   vjp=self._transpose_jvp, formulas=("custom rule",),
                                   doc=f"{fun.__name__} with a custom JVP rule")

    def defjvp(self, rule):
        self.rule = rule
        return rule

    def __call__(self, *args):
        if self.rule is None:
            raise TracegradError(f"custom_jvp function {self.fun.__name__} has no rule yet: "
                                 f"define one with @{self.fun.__name__}.defjvp.")
        return self.primitive.bind(*args)

    def _jvp(self, tangents, out, *primals):
        tangents = tuple(zeros_like(p) if t is None else t for t, p in zip(tangents, primals))
        _, tangent_out = self.rule(primals, tangents)
        return tangent_out

    def _transpose_jvp(self, g, out, *primals):
        # tangent_out = J · tangents is linear: pull g back through it.
        def linear(*tangents):
            return self.rule(primals, tangents)[1]
        _, pullback = vjp(linear, *[zeros_like(p) for p in primals])
        return pullback(g)


class custom_vjp:
    """Decorator: ``@custom_vjp def f(x): ...`` then ``f.defvjp(fwd, bwd)``."""

    def __init__(self, fun):
        functools.update_wrapper(self, fun)
        self.fun = fun
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
        trace = top_trace(args)
        if not isinstance(trace, ReverseTrace):   # no tracing, or forward mode
            return self.fun(*args)
        if trace.finished:                           # a tracer kept after its trace ended
            raise trace.escaped()
        values, parents = trace.unbox(args)
        out, residuals = self.fwd(*values)           # runs on the level below
        return trace.record(self.primitive, parents, values, {"residuals": residuals}, out)

    def _bwd(self, g, out, *args, residuals):
        cotangents = self.bwd(residuals, g)
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
