"""tracegrad: a just-in-time tracing autograd over NumPy, for learning and teaching.

    import tracegrad as tg
    import tracegrad.numpy as tnp

    def f(x):
        return tnp.tanh(x) ** 2

    tg.grad(f)(0.5)            # reverse mode: one backward pass
    tg.grad(tg.grad(f))(0.5)   # nested: the second derivative

Where to read next: ``core.py`` (primitives, bind, traces), ``reverse.py``
(the record and backpropagation), ``forward.py`` (dual numbers), ``vmap.py``
(batching), ``transforms.py`` (Jacobians), ``program.py`` (a trace as a program,
``make_jaxpr``), ``jit/`` (staging a program and lowering it to NumPy source),
``lax/`` (every primitive with its rules).
"""
from . import (
    lax,
    nn,
    numpy,  # noqa: F401  (tracegrad.numpy: NumPy's names, which tracers' operators call)
    random,
)
from . import typing as _typing
from .checks import check_grads, numerical_grad
from .core import TracegradError, UnexpectedTracerError
from .custom import custom_jvp, custom_vjp
from .forward import jvp
from .jit import jit
from .lax import primitives
from .program import make_jaxpr
from .reverse import ZeroGradientWarning, grad, label, value_and_grad, vjp
from .transforms import hessian, jacfwd, jacobian, jacrev
from .tree import tree_flatten, tree_leaves, tree_map, tree_unflatten
from .vmap import vmap
from .words import set_language

__version__ = "0.1.0"

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "jacfwd", "jacrev", "jacobian",
           "hessian", "vmap", "jit", "stop_gradient", "custom_jvp", "custom_vjp", "check_grads",
           "numerical_grad", "tree_map", "tree_flatten", "tree_unflatten", "tree_leaves",
           "primitives", "label", "set_language", "lax", "nn", "numpy", "random",
           "TracegradError", "UnexpectedTracerError", "ZeroGradientWarning",
           "make_jaxpr",
           # served when first used (below): drawing needs Graphviz, widgets ipywidgets
           "graph", "Graph", "GraphvizNotFound", "set_renderer", "widgets"]


def __dir__():
    # What tg. serves, the lazy names included; not the modules it is built from.
    return sorted(__all__ + ["__version__"])


def __getattr__(name):
    # Graphs and widgets are imported only when used: the engine never needs them.
    import importlib
    if name in ("graph", "Graph", "GraphvizNotFound", "set_renderer"):
        render = importlib.import_module(".drawing.render", __name__)
        if render.browser_view is None:             # the widgets draw in the browser
            render.browser_view = _browser_view
        if name == "set_renderer":
            return render.set_renderer
        return getattr(importlib.import_module(".drawing", __name__), name)
    if name == "widgets":
        return importlib.import_module(".widgets", __name__)
    from .words import message
    raise AttributeError(message("err.no-attribute", name=repr(name)))


def _browser_view(graph):
    """A graph laid out in the browser (no `dot`): the widgets' GraphView, imported
    only now (it needs ipywidgets), for the drawing, which sits below the widgets."""
    import importlib
    return importlib.import_module(".widgets.graphview", __name__)._bundle(graph)


def stop_gradient(x: _typing.Array) -> _typing.Array:
    """``x`` itself, but treated as a constant: no derivative flows through it."""
    return lax.stop_gradient(x)
