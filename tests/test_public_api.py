"""What ``tg.`` serves is what ``tg.__all__`` lists, and what ``dir(tg)`` shows.

A student finds the API by tab completion (``dir``) and by ``from tracegrad
import *``; the drawing and the widgets are served only when first asked for,
so they are in neither unless ``__all__`` lists them.
"""
import inspect
import subprocess
import sys
from pathlib import Path

import tracegrad as tg


def test_every_name_in_all_exists():
    missing = [name for name in tg.__all__ if not hasattr(tg, name)]
    assert not missing, f"tg.__all__ lists names tg does not serve: {missing}"


def test_all_has_no_name_twice():
    assert len(set(tg.__all__)) == len(tg.__all__)


def test_dir_shows_what_all_lists():
    public = {name for name in dir(tg) if not name.startswith("_")}
    assert public == set(tg.__all__)


def test_every_public_function_and_class_is_listed():
    """A function or class defined in (or imported into) tracegrad/__init__.py
    that ``__all__`` forgets is found here."""
    served = {name for name, value in vars(tg).items()
              if not name.startswith("_") and not inspect.ismodule(value)}
    assert not served - set(tg.__all__)


def test_the_graphs_and_widgets_are_served_and_listed():
    """The names served on first use (issue 21's list)."""
    for name in ("graph", "Graph", "GraphvizNotFound", "set_renderer", "widgets"):
        assert name in tg.__all__ and name in dir(tg)
        assert getattr(tg, name) is not None
    assert callable(tg.graph) and inspect.isclass(tg.Graph) and inspect.ismodule(tg.widgets)


def test_star_import_gives_the_listed_names_in_a_fresh_interpreter():
    code = ("from tracegrad import *\n"
            "import tracegrad\n"
            "names = {n for n in dir() if not n.startswith('_')} - {'tracegrad'}\n"
            "print(sorted(names) == sorted(tracegrad.__all__))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(tg.__file__).parent.parent, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def _public_functions():
    """(where, function) of each function of the public API that carries type hints."""
    modules = {name: sys.modules[f"tracegrad.{name}"] for name in
               ("reverse", "forward", "vmap", "custom", "checks", "nn", "random")}
    chosen = {"reverse": ["grad", "value_and_grad", "vjp", "label"], "forward": ["jvp"],
              "vmap": ["vmap"]}
    # the transformations, jit, the program and the graph, served by tg. itself
    for name in ("jacfwd", "jacrev", "hessian", "jit", "make_jaxpr", "graph", "set_renderer",
                 "stop_gradient"):
        yield f"tg.{name}", getattr(tg, name)
    for name, module in modules.items():
        for attr in chosen.get(name, module.__all__):
            value = getattr(module, attr)
            if inspect.isfunction(value):
                yield f"{name}.{attr}", value
            elif inspect.isclass(value) and attr.startswith("custom_"):
                for method in ("__init__", "defjvp", "defjvps", "defvjp"):
                    if method in vars(value):
                        yield f"{name}.{attr}.{method}", vars(value)[method]


def test_the_public_api_has_type_hints_that_resolve():
    """Every parameter and the result are annotated, and the names in the hints
    exist (typing.get_type_hints evaluates them)."""
    import typing

    found = list(_public_functions())
    assert len(found) > 30
    for where, fun in found:
        hints = typing.get_type_hints(fun)
        params = [p for p in inspect.signature(fun).parameters.values() if p.name != "self"]
        missing = [p.name for p in params if p.name not in hints]
        assert not missing and "return" in hints, (where, missing)


def test_py_typed_ships_in_the_package():
    """The marker is in the package and in pyproject's package-data, so the wheel has
    it (tests/browser/test_wheel.py checks the installed wheel)."""
    root = Path(tg.__file__).parent
    assert (root / "py.typed").is_file()
    pyproject = (root.parent / "pyproject.toml").read_text(encoding="utf-8")
    section = pyproject.split("[tool.setuptools.package-data]")[1].split("\n[")[0]
    assert '"py.typed"' in section                    # (tomllib needs Python 3.11)
