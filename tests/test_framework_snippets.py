"""The framework code that lecture 05 shows but does not run (section 7: the same
gradient in JAX, PyTorch and TensorFlow) runs here, and gives tracegrad's numbers.

The notebooks cannot import the frameworks (the lab installs none), so the lecture
shows their code as Markdown. The snippets below are that code, word for word: a test
compares them with the lecture's blocks in both languages (comments aside, which are
translated). JAX and the CPU build of PyTorch come with the ``frameworks`` extra
(``pip install -e '.[frameworks]'``); without them these tests are skipped, saying so.
TensorFlow is not installed anywhere: the lecture cites its documentation instead.
"""
import contextlib
import io
import re

import numpy as np
import pytest

import tracegrad as tg
from tests.lecture_sources import LECTURES, build
from tests.test_lectures import code_without_comments

SOURCE = LECTURES / "src" / "05_frameworks.txt"
NO_TORCH = "PyTorch is not installed: pip install -e '.[frameworks]'"
NO_JAX = "JAX is not installed: pip install -e '.[frameworks]'"

JAX_SNIPPET = '''\
import jax

# float64, as in NumPy and tracegrad
jax.config.update("jax_enable_x64", True)

def C0(w1, b1, w2, b2, w3, b3, x, y):
    a1 = jax.nn.sigmoid(w1 * x + b1)
    a2 = jax.nn.sigmoid(w2 * a1 + b2)
    a3 = jax.nn.sigmoid(w3 * a2 + b3)
    return (a3 - y) ** 2

args = (0.5, 0.1, -0.3, 0.2, 0.8, -0.1, 1.0, 0.0)
grads = jax.grad(C0, argnums=(0, 1, 2, 3, 4, 5))(*args)
print([round(float(g), 6) for g in grads])
'''

TORCH_SNIPPET = '''\
import torch

def C0(w1, b1, w2, b2, w3, b3, x, y):
    a1 = torch.sigmoid(w1 * x + b1)
    a2 = torch.sigmoid(w2 * a1 + b2)
    a3 = torch.sigmoid(w3 * a2 + b3)
    return (a3 - y) ** 2

# the parameters are tensors that record operations
params = [torch.tensor(v, dtype=torch.float64, requires_grad=True)
          for v in (0.5, 0.1, -0.3, 0.2, 0.8, -0.1)]
optimizer = torch.optim.SGD(params, lr=0.1)

# .grad accumulates (+=): clear it before every backward pass
optimizer.zero_grad()
# the forward pass records the graph
loss = C0(*params, 1.0, 0.0)
# the backward pass fills p.grad of every parameter
loss.backward()
grads = [p.grad.item() for p in params]
print([round(g, 6) for g in grads])
# a gradient-descent step: p -= lr * p.grad
optimizer.step()
'''

POINT = (0.5, 0.1, -0.3, 0.2, 0.8, -0.1)        # w1, b1, w2, b2, w3, b3; then x = 1, y = 0


def lecture_blocks(language):
    """The ```python blocks of the lecture's Markdown in ``language``, by first import."""
    blocks = {}
    for kind, text in build.parse(SOURCE):
        if kind == language:
            for block in re.findall(r"```python\n(.*?)```", text, re.S):
                first = re.search(r"^import (\w+)", block, re.M)
                if first:
                    blocks[first[1]] = block
    return blocks


def tracegrad_grads():
    def C0(w1, b1, w2, b2, w3, b3, x, y):
        a1 = tg.nn.sigmoid(w1 * x + b1)
        a2 = tg.nn.sigmoid(w2 * a1 + b2)
        a3 = tg.nn.sigmoid(w3 * a2 + b3)
        return (a3 - y) ** 2
    return np.array(tg.grad(C0, argnums=(0, 1, 2, 3, 4, 5))(*POINT, 1.0, 0.0))


def numpy_grads():
    """Independent of every framework: central differences of a plain NumPy C₀."""
    def cost(*p):
        a = 1.0
        for w, b in zip(p[0::2], p[1::2]):
            a = 1 / (1 + np.exp(-(w * a + b)))
        return (a - 0.0) ** 2
    return np.array([tg.numerical_grad(cost, *POINT, argnums=k) for k in range(6)])


def run(snippet):
    namespace, out = {"__name__": "__snippet__"}, io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(snippet, "<lecture 05 snippet>", "exec"), namespace)
    return namespace, out.getvalue()


@pytest.mark.parametrize("language", ["uk", "en"])
@pytest.mark.parametrize("name, snippet", [("jax", JAX_SNIPPET), ("torch", TORCH_SNIPPET)])
def test_the_snippets_are_the_lectures_code(language, name, snippet):
    blocks = lecture_blocks(language)
    assert name in blocks, f"lecture 05 ({language}) shows no ```python block importing {name}"
    assert code_without_comments(blocks[name]) == code_without_comments(snippet), \
        f"the {name} code of lecture 05 ({language}) differs from the snippet tested here"


def test_the_lecture_shows_tensorflow_with_its_documentation():
    for language in ("uk", "en"):
        assert "tensorflow" in lecture_blocks(language)
    text = SOURCE.read_text(encoding="utf-8")
    assert "https://www.tensorflow.org/guide/autodiff" in text
    assert "https://www.tensorflow.org/api_docs/python/tf/GradientTape" in text


def test_tracegrad_agrees_with_central_differences():
    assert np.allclose(tracegrad_grads(), numpy_grads(), rtol=1e-6, atol=1e-9)


def test_pytorch_gives_tracegrads_gradient():
    pytest.importorskip("torch", reason=NO_TORCH)
    namespace, printed = run(TORCH_SNIPPET)
    want = tracegrad_grads()
    assert np.allclose(namespace["grads"], want, rtol=1e-12, atol=1e-15)
    assert printed.strip() == str([round(float(g), 6) for g in want])
    # optimizer.step() took the step p -= lr · p.grad
    stepped = [p.item() for p in namespace["params"]]
    assert np.allclose(stepped, np.array(POINT) - 0.1 * want, rtol=1e-12)


def test_pytorch_adds_gradients_until_zero_grad():
    """The lecture's claim: loss.backward() adds into .grad, and zero_grad() clears it."""
    pytest.importorskip("torch", reason=NO_TORCH)
    namespace, _ = run(TORCH_SNIPPET.replace("optimizer.step()\n", ""))
    C0, params, optimizer = namespace["C0"], namespace["params"], namespace["optimizer"]
    once = np.array([p.grad.item() for p in params])
    C0(*params, 1.0, 0.0).backward()
    assert np.allclose([p.grad.item() for p in params], 2 * once, rtol=1e-12)
    optimizer.zero_grad()
    C0(*params, 1.0, 0.0).backward()
    assert np.allclose([p.grad.item() for p in params], once, rtol=1e-12)


def test_jax_gives_tracegrads_gradient():
    jax = pytest.importorskip("jax", reason=NO_JAX)
    namespace, printed = run(JAX_SNIPPET)
    want = tracegrad_grads()
    assert jax.config.read("jax_enable_x64")
    assert np.allclose(np.array(namespace["grads"]), want, rtol=1e-12, atol=1e-15)
    assert printed.strip() == str([round(float(g), 6) for g in want])


# ---- lecture 06, section 9 (common mistakes): what it says of JAX and PyTorch -----------

def test_pytorch_computes_in_float32_by_default():
    torch = pytest.importorskip("torch", reason=NO_TORCH)
    assert torch.get_default_dtype() == torch.float32
    assert torch.tensor(1.0).dtype == torch.float32


def test_jax_computes_in_float32_by_default():
    """In a fresh process: the snippet test above switches float64 on for this one."""
    import os
    import subprocess
    import sys
    pytest.importorskip("jax", reason=NO_JAX)
    env = {k: v for k, v in os.environ.items() if k != "JAX_ENABLE_X64"}
    code = "import jax.numpy as jnp; print(jnp.array(1.0).dtype)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=120)
    assert out.stdout.strip() == "float32", out.stderr


@pytest.mark.parametrize("use_numpy", [lambda v: np.tanh(v), lambda v: np.asarray(v)],
                         ids=["np.tanh", "np.asarray"])
def test_jax_refuses_any_numpy_function_of_a_traced_value(use_numpy):
    pytest.importorskip("jax", reason=NO_JAX)
    import jax
    with pytest.raises(jax.errors.TracerArrayConversionError):
        jax.grad(lambda w: use_numpy(w * 2.0))(1.0)


def test_tracegrad_passes_np_tanh_on_but_refuses_np_asarray():
    """The same sentence of lecture 06 about tracegrad, with the numbers by hand."""
    assert np.isclose(tg.grad(lambda w: np.tanh(w * 2.0))(0.5), 2 * (1 - np.tanh(1.0) ** 2))
    with pytest.raises(TypeError, match=r"np\.asarray\(\)/np\.array\(\)|TG-asarray"):
        tg.grad(lambda w: np.asarray(w * 2.0))(0.5)
