"""Every program of three existing test files, run again with each
transformation checked against its jitted self.

``tests/test_lecture_examples.py``, ``tests/test_transforms.py`` and
``tests/test_nesting.py`` are loaded a second time, here, while ``tg.grad``,
``tg.jacfwd``, ... are replaced by checked versions: each call of a
transformed function at the top level (no trace running) also runs
``tg.jit`` of it twice, the first call (trace and compile) and a later one
(the compiled code), and both must give the eager numbers to 1e-12, with the
same structure and dtypes. When eager mode raises, jit must raise the same
error. The original tests then check the eager numbers as they always do.
"""
import functools
import importlib.util
import pathlib
import sys

import numpy as np
import pytest

import tracegrad as tg
from tracegrad.core import Tracer, active_traces

HERE = pathlib.Path(__file__).parent
TRANSFORMS = ["grad", "value_and_grad", "jacfwd", "jacrev", "jacobian", "hessian"]
ORIGINAL = {name: getattr(tg, name) for name in TRANSFORMS + ["jvp"]}
checked_calls = []


def _leaves_traceable(args, kwargs):
    leaves = tg.tree_leaves((args, kwargs))
    return all(isinstance(x, (np.ndarray, np.generic, float, int, bool)) and
               not isinstance(x, Tracer) for x in leaves)


def assert_same(jitted, eager):
    j_leaves, j_tree = tg.tree_flatten(jitted)
    e_leaves, e_tree = tg.tree_flatten(eager)
    assert j_tree == e_tree
    for j, e in zip(j_leaves, e_leaves):
        if not isinstance(e, (np.ndarray, np.generic, float, int, complex)):
            assert j == e                        # e.g. a string in an aux output
            continue
        assert np.shape(j) == np.shape(e)
        assert np.result_type(j) == np.result_type(e)
        np.testing.assert_allclose(j, e, rtol=1e-12, atol=1e-12, equal_nan=True)


def check_against_jit(fun, args, kwargs):
    """Eager result of fun(*args); jit(fun) must agree at its first and second call."""
    if active_traces() or not _leaves_traceable(args, kwargs):
        return fun(*args, **kwargs)
    jitted = tg.jit(fun)
    try:
        eager = fun(*args, **kwargs)
    except Exception as error:
        with pytest.raises(type(error)) as caught:
            jitted(*args, **kwargs)
        assert str(caught.value) == str(error)
        raise
    assert_same(jitted(*args, **kwargs), eager)      # traced and compiled
    assert_same(jitted(*args, **kwargs), eager)      # the compiled code
    assert jitted.cache_info().hits >= 1
    checked_calls.append(getattr(fun, "__name__", "?"))
    return eager


def checked(transform):
    @functools.wraps(transform)
    def make(fun, *t_args, **t_kwargs):
        transformed = transform(fun, *t_args, **t_kwargs)

        @functools.wraps(transformed)
        def call(*args, **kwargs):
            return check_against_jit(transformed, args, kwargs)
        return call
    return make


def checked_jvp(fun, primals, tangents):
    if active_traces() or not _leaves_traceable(primals, tangents):
        return ORIGINAL["jvp"](fun, primals, tangents)

    def jvp_of(p, t):
        return ORIGINAL["jvp"](fun, p, t)
    jvp_of.__name__ = f"jvp_{getattr(fun, '__name__', 'f')}"
    return check_against_jit(jvp_of, (primals, tangents), {})


PATCHED = {name: checked(ORIGINAL[name]) for name in TRANSFORMS}
PATCHED["jvp"] = checked_jvp


def _patch():
    for name, f in PATCHED.items():
        setattr(tg, name, f)


def _restore():
    for name, f in ORIGINAL.items():
        setattr(tg, name, f)


def _load_again(module_name):
    """The test module, imported anew while the transformations are checked ones."""
    spec = importlib.util.spec_from_file_location(f"tests.jit_copy_of_{module_name}",
                                                  HERE / f"{module_name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    _patch()
    try:
        spec.loader.exec_module(module)
    finally:
        _restore()
    return module


for _module_name in ["test_lecture_examples", "test_transforms", "test_nesting"]:
    _module = _load_again(_module_name)
    for _name, _test in vars(_module).items():
        if _name.startswith("test_") and callable(_test):
            globals()[f"test_jit_{_module_name[5:]}__{_name[5:]}"] = _test


@pytest.fixture(autouse=True)
def checked_transformations():
    """Programs that call tg.grad(...) at run time get the checked versions too."""
    _patch()
    try:
        yield
    finally:
        _restore()


def test_the_copies_really_check_something():
    """Guard against a silent no-op: the lecture's gradient goes through the check."""
    checked_calls.clear()
    module = sys.modules["tests.jit_copy_of_test_lecture_examples"]
    params, inputs, targets = module.mlp_problem()
    module.grad_fun(params, inputs, targets)
    assert checked_calls
