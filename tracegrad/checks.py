"""Checking derivatives against numerical differentiation.

The one gradient checker of tracegrad: the tests, the notebooks and your own
exercises use it.

``numerical_jvp`` is the one finite difference here: a central difference
along a direction v,

    D(h) = (f(x + h·v) − f(x − h·v)) / 2h = J·v + c·h² + O(h⁴),

taken twice, with steps h and h/2, and combined so that the h² terms cancel
(Richardson extrapolation): (4·D(h/2) − D(h)) / 3 = J·v + O(h⁴). Round-off adds
O(ε/h) (ε ≈ 1e-16), so h = 1e-3 (times |x| when |x| > 1) leaves about 12 correct
digits. That is plenty to catch a wrong rule, but it is not exact: automatic
differentiation is. ``numerical_grad`` takes it along each coordinate e_j.
tracegrad's own test suite checks its derivatives against these differences of
plain NumPy functions (tests/numeric.py), so the differences never run the
engine they check.

``check_grads`` checks both modes without forming any Jacobian:

* forward: ``jvp(f, x, v)`` must match the difference quotient along v;
* reverse: for a random cotangent u, ``⟨u, J v⟩ = ⟨uᵀJ, v⟩``: the VJP paired
  with v must equal u paired with the numerical JVP;

and for ``order=2`` it checks the derivative functions themselves the same
way (the JVP of the JVP, the VJP of the VJP), and so on.

``check_answer`` is an exercise's check in a notebook: it prints ✓, or ✗ and a
hint of what is wrong, and never the value it compares with (the answer).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from .core import concrete
from .forward import jvp
from .reverse import vjp
from .tree import tree_flatten, tree_unflatten
from .typing import Fun, PyTree
from .words import LANGUAGES, message, said, words

__all__ = ["numerical_grad", "numerical_jvp", "check_grads", "check_answer", "verdict",
           "error_verdict", "is_verdict", "GradientCheckError", "node_verdicts",
           "check_node_grads"]

_EPS = 1e-3                      # the relative step h (see the module's docstring)


def _leaves_float(tree):
    leaves, treedef = tree_flatten(tree)
    return [np.asarray(concrete(x), dtype=float) for x in leaves], treedef


def _numerical_jvp(fun, args, tangents, eps):
    """J·v by central differences, Richardson-extrapolated; the output's leaves and
    structure. The step is ``eps`` times the largest |x_j| moved (at least 1), over
    the largest |v_j|: relative to the numbers, so that 1e6 + h differs from 1e6."""
    xs, treedef = _leaves_float(args)
    vs, _ = _leaves_float(tangents)
    moved = [np.abs(x[v != 0]) for x, v in zip(xs, vs)]
    scale = max([1.0] + [float(np.max(m, initial=0.0)) for m in moved])
    size = max([0.0] + [float(np.max(np.abs(v), initial=0.0)) for v in vs]) or 1.0
    h = eps * scale / size

    def central(step):
        plus = fun(*tree_unflatten(treedef, [x + step * v for x, v in zip(xs, vs)]))
        minus = fun(*tree_unflatten(treedef, [x - step * v for x, v in zip(xs, vs)]))
        p, out_def = _leaves_float(plus)
        return [(a - b) / (2 * step) for a, b in zip(p, _leaves_float(minus)[0])], out_def

    (d_h, out_def), (d_half, _) = central(h), central(h / 2)
    return [(4 * b - a) / 3 for a, b in zip(d_h, d_half)], out_def


def numerical_jvp(fun: Fun, args: Sequence[PyTree], tangents: Sequence[PyTree],
                  eps: float = _EPS) -> PyTree:
    """The derivative of ``fun`` at ``args`` along ``tangents``, J·v, by central
    differences (``args`` a tuple; ``tangents`` shaped like it): like
    ``jvp(fun, args, tangents)[1]``, computed without differentiating."""
    leaves, out_def = _numerical_jvp(fun, tuple(args), tuple(tangents), eps)
    return tree_unflatten(out_def, [x if x.shape else x[()] for x in leaves])


def numerical_grad(fun: Fun, *args: PyTree, argnums: int = 0, eps: float = _EPS) -> PyTree:
    """Central differences: the gradient (or Jacobian) of ``fun`` w.r.t. one argument.

    The result has shape ``out.shape + x.shape``: for a scalar ``fun`` that is
    the gradient, shaped like ``x``. ``x`` may be a pytree; then the result is
    a pytree of the same structure.
    """
    x_leaves, x_def = _leaves_float(args[argnums])

    def f_of_x(*leaves):
        full = list(args)
        full[argnums] = tree_unflatten(x_def, leaves)
        return np.asarray(concrete(fun(*full)), dtype=float)

    out_shape = np.shape(f_of_x(*x_leaves))
    grads = []
    for k, x in enumerate(x_leaves):
        g = np.empty(out_shape + x.shape)
        for j in np.ndindex(x.shape):
            direction = [np.zeros_like(leaf) for leaf in x_leaves]
            direction[k][j] = 1.0
            column, _ = _numerical_jvp(f_of_x, x_leaves, direction, eps)
            g[(Ellipsis,) + j] = column[0]
        grads.append(g if g.shape else g[()])
    return tree_unflatten(x_def, grads)


def _random_like(tree, rng):
    leaves, treedef = _leaves_float(tree)
    return tree_unflatten(treedef, [rng.standard_normal(x.shape) if x.shape
                                    else rng.standard_normal() for x in leaves])


def _inner(a, b):
    return sum(float(np.sum(x * y)) for x, y in zip(_leaves_float(a)[0], _leaves_float(b)[0]))


class GradientCheckError(AssertionError):
    """``check_grads`` failed: ``mode`` ("fwd" or "rev") disagrees at ``order``."""

    def __init__(self, message, mode, order):
        super().__init__(message)
        self.mode, self.order = mode, order


def _assert_close(mode, order, got, want, rtol, atol):
    what = said(f"part.check {mode}", order=order)
    got_leaves = [np.asarray(x) for x in got]
    for g, w in zip(got_leaves, want):
        if g.shape != w.shape or not np.allclose(g, w, rtol=rtol, atol=atol):
            err = (np.max(np.abs(g - w)) if g.shape == w.shape
                   else said("part.shape mismatch"))
            raise GradientCheckError(message(
                "err.check-grads", what=what, err=err, rtol=rtol, atol=atol,
                got=np.array2string(g, precision=8, threshold=8),
                want=np.array2string(w, precision=8, threshold=8)), mode, order)


def check_grads(fun: Fun, args: Sequence[PyTree], order: int = 2,
                modes: Sequence[str] = ("fwd", "rev"), eps: float = _EPS, rtol: float = 1e-5,
                atol: float = 1e-6, seed: int = 0) -> None:
    """Raise AssertionError unless ``fun``'s derivatives match central differences.

    ``args`` is a tuple of arguments. ``order`` is how many derivatives deep
    to check; ``modes`` picks forward ("fwd"), reverse ("rev") or both. The error
    (a GradientCheckError) names the mode and the derivative's order that failed.
    """
    for mode in modes:
        if mode not in ("fwd", "rev"):
            raise ValueError(message("err.check-mode", mode=repr(mode)))
    _check_grads(fun, tuple(args), order, modes, eps, rtol, atol, seed, depth=1)


def _check_grads(fun, args, order, modes, eps, rtol, atol, seed, depth):
    """check_grads from the ``depth``-th derivative on, ``order`` more deep."""
    if order < 1:
        return
    rng = np.random.default_rng(seed)
    tangents = _random_like(args, rng)
    numeric, _ = _numerical_jvp(fun, args, tangents, eps)
    if "fwd" in modes:
        _, tangent_out = jvp(fun, args, tangents)
        _assert_close("fwd", depth, _leaves_float(tangent_out)[0], numeric, rtol, atol)
        _check_grads(lambda *a: jvp(fun, a, tangents)[1], args, order - 1, modes,
                     eps, rtol, atol, seed + 1, depth + 1)
    if "rev" in modes:
        out, pullback = vjp(fun, *args)
        cotangent = _random_like(out, rng)
        pulled = pullback(cotangent)
        want = sum(float(np.sum(u * n)) for u, n in zip(_leaves_float(cotangent)[0], numeric))
        _assert_close("rev", depth, [_inner(pulled, tangents)], [np.asarray(want)], rtol, atol)
        _check_grads(lambda *a: vjp(fun, *a)[1](cotangent), args, order - 1, modes,
                     eps, rtol, atol, seed + 2, depth + 1)


# -- exercises: a verdict that never gives the answer away ------------------------------
#
# A notebook's exercise check compares the student's answer with one computed here
# (often by tg.grad), so printing that value on failure would print the answer.
# ``check_answer`` prints ✓, or ✗ and a hint of *what kind* of wrong it is: no answer
# yet, a wrong shape, transposed, the sign, a constant factor, close but not enough,
# some entries right, or the error the student's code raised. The lecture notebooks
# and the nbgrader assignments (tools/build_assignments.py) both print these lines.

# What a hint's {field} may hold; everything else in a hint is fixed text (is_verdict).
_FIELDS = {"shape": r"\([\d, ]*\)", "want": r"\([\d, ]*\)", "right": r"\d+",
           "total": r"\d+", "type": r"[\w.]+", "error": r"[\w.]+", "message": r".*",
           "mode": r"[jv]vp", "order": r"\d+"}
HINTS = ("none", "not a number", "ragged", "shape", "transposed", "not finite", "sign",
         "factor", "close", "some right", "wrong", "error", "grads", "warning")


def _hint(key, **fields):
    return "✗ " + words()[f"check.{key}"].format(**fields)


def _has_none(answer):
    if answer is None:
        return True
    return isinstance(answer, (list, tuple)) and any(_has_none(a) for a in answer)


def _simple_factor(r):
    """Is r (or 1/r) a small whole number: the factor of a typical slip (a 2 forgotten)?"""
    return any(np.isclose(v, round(v), rtol=1e-9) and 2 <= round(v) <= 10
               for v in (abs(r), 1 / abs(r)))


def error_verdict(error: BaseException) -> str:
    """The line for an answer whose code raised ``error``: its type and first line."""
    if isinstance(error, GradientCheckError):      # which mode: tg.jvp or tg.vjp
        return _hint("grads", mode={"fwd": "jvp", "rev": "vjp"}[error.mode], order=error.order)
    message = (str(error).splitlines() or [""])[0][:200]
    # by the message's code, which is the same in every language (arguments.py's own
    # "returned None" is not in the tables yet)
    if "returned None" in message or any(f"[TG-{code}]" in str(error)
                                         for code in ("jvp-none", "derivative-none")):
        # a rule still holding its placeholder (tracegrad's own message suggests a fix,
        # which in an exercise may be the answer itself)
        return _hint("none")
    return _hint("error", error=type(error).__name__, message=message)


def verdict(answer: Any, want: Any, *, rtol: float = 1e-5, atol: float = 1e-8) -> str:
    """``"✓"`` if ``answer`` matches ``want`` (as ``np.allclose(answer, want, rtol, atol)``,
    or equality for strings), else ``"✗ "`` and a hint of what is wrong; never ``want``.

    ``answer`` may be a function of no arguments that computes it: an error it raises
    becomes the hint (the error's type and the first line of its message).
    """
    if callable(answer):
        try:
            answer = answer()
        except Exception as error:           # the student's code, reported, not raised
            return error_verdict(error)
    if _has_none(answer):
        return _hint("none")
    if isinstance(answer, str) and not isinstance(want, str):   # "1.5" is no number
        return _hint("not a number", type="str")
    want = np.asarray(want)
    if want.dtype.kind not in "biuf":        # words ("fwd", "rev"): compared as they are
        got = np.asarray(answer, dtype=object)
        if got.shape != want.shape:
            return _hint("shape", shape=got.shape, want=want.shape)
        same = got == want
        if same.all():
            return "✓"
        return _some_right(same)
    try:
        got = np.asarray(answer, dtype=float)
    except ValueError as error:
        if "inhomogeneous" in str(error) or "sequence" in str(error):
            return _hint("ragged")
        return _hint("not a number", type=type(answer).__name__)
    except TypeError:
        return _hint("not a number", type=type(answer).__name__)
    want = want.astype(float)
    if got.shape != want.shape:
        if got.ndim == 2 and got.shape == want.shape[::-1]:
            return _hint("transposed", shape=got.shape, want=want.shape)
        return _hint("shape", shape=got.shape, want=want.shape)
    if not np.all(np.isfinite(got)):
        return _hint("not finite")
    if np.allclose(got, want, rtol=rtol, atol=atol):
        return "✓"
    if np.any(np.abs(want) > atol) and np.allclose(-got, want, rtol=rtol, atol=atol):
        return _hint("sign")
    nonzero = np.abs(want) > atol
    if nonzero.any() and np.allclose(got[~nonzero], 0, atol=atol):
        ratio = got[nonzero] / want[nonzero]
        r = ratio.flat[0]
        if (abs(r) > 1e-12 and abs(r - 1) > 1e-2 and np.allclose(ratio, r, rtol=1e-6)
                and (ratio.size > 1 or _simple_factor(r))):
            return _hint("factor")
    error = float(np.max(np.abs(got - want)))
    if error <= 1e-2 * float(np.max(np.abs(want))) + 10 * atol:
        return _hint("close")
    return _some_right(np.isclose(got, want, rtol=rtol, atol=atol))


def _some_right(right):
    right = np.asarray(right, dtype=bool)
    if right.size > 1 and 0 < right.sum() < right.size:
        return _hint("some right", right=int(right.sum()), total=right.size)
    return _hint("wrong")


def check_answer(answer: Any, want: Any, *, rtol: float = 1e-5, atol: float = 1e-8) -> None:
    """Print ✓ if ``answer`` matches ``want``, else ✗ and a hint of what is wrong,
    never ``want`` itself (see :func:`verdict`): an exercise's check cell."""
    print(verdict(answer, want, rtol=rtol, atol=atol))


# -- by hand before automation: a gradient for each node of a graph ---------------------
#
# The student fills in a dict {node name: ∂C/∂node}, worked out by hand; the check
# compares each entry with the backward pass that ``tg.graph`` recorded and prints one
# line per node, ✓ or ✗ with the hint of ``verdict`` (never the node's gradient).

_NODE_LINE = re.compile(r"(✓) ∂[^\s/]+/∂\S+|(✗) ∂[^\s/]+/∂\S+?: (.*)", re.S)


def node_verdicts(answers: Any, graph: Any, *, rtol: float = 1e-5, atol: float = 1e-8) -> str:
    """``"✓"`` if every ``answers[name]`` matches ``graph.grad(name)``, else ✗ and how many
    are right, then one line per node: ``✓ ∂C/∂name`` or ``✗ ∂C/∂name: hint``.
    ``answers`` may be a function of no arguments that returns the dict (an error it
    raises becomes the hint)."""
    if callable(answers):
        try:
            answers = answers()
        except Exception as error:           # the student's code, reported, not raised
            return error_verdict(error)
    if not isinstance(answers, dict):
        return _hint("none") if answers is None else \
            _hint("not a number", type=type(answers).__name__)
    lines = []
    for name, answer in answers.items():
        try:
            want = graph.grad(name)
        except KeyError as error:            # a name the graph does not have
            return error_verdict(error)
        said_here = verdict(answer, 0.0 if want is None else want, rtol=rtol, atol=atol)
        label = f"∂{graph.output_name}/∂{name}"
        lines.append(f"✓ {label}" if said_here == "✓" else f"✗ {label}: {said_here[2:]}")
    right = [line.startswith("✓") for line in lines]
    if all(right):
        return "✓"
    first = _hint("none") if all(a is None for a in answers.values()) else _some_right(right)
    return "\n".join([first] + lines)


def check_node_grads(answers: Any, graph: Any, *, rtol: float = 1e-5,
                     atol: float = 1e-8) -> None:
    """Print ✓, or a line per node (✓, or ✗ and a hint) for a dict of node gradients
    worked out by hand (see :func:`node_verdicts`): an exercise's check cell."""
    print(node_verdicts(answers, graph, rtol=rtol, atol=atol))


def is_verdict(line: str) -> bool:
    """Is ``line`` one that a check may show a student: ✓, or ✗ and one of the hints
    with only its fields filled in (shapes, counts, an error's name and message), or
    lines of :func:`node_verdicts`, one per node, each ✓ or ✗ and a hint?"""
    if line == "✓":
        return True
    first, *rest = line.split("\n")
    nodes = [_NODE_LINE.fullmatch(part) for part in rest]
    if rest and all(nodes):
        return is_verdict(first) and all(m[1] or is_verdict("✗ " + m[3]) for m in nodes)
    for table in LANGUAGES.values():
        for key in HINTS:
            pattern = re.escape(table[f"check.{key}"])
            for name, field in _FIELDS.items():
                pattern = pattern.replace(re.escape("{" + name + "}"), field)
            if re.fullmatch("✗ " + pattern, line, re.S):
                return True
    return False
