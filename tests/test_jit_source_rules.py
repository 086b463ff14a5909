"""Each primitive says how tg.jit writes it (Primitive.source), beside its other rules;
the generated code stands on its own: NumPy is all it needs."""
import numpy as np

import tracegrad as tg
import tracegrad.numpy as tnp
from tracegrad.jit import source_template


def test_templates_come_from_the_primitives_themselves():
    assert source_template(tg.lax.mul) is tg.lax.mul.source
    assert tg.lax.tanh.source is None                       # a ufunc: derived
    assert source_template(tg.lax.tanh) == "np.tanh({0})"


def test_a_helper_is_the_primitives_own_impl_written_out():
    def loss(x):
        return tnp.sum(tg.nn.sigmoid(x) * tg.nn.softplus(x)) + tnp.sum(x[np.array([0, 0])] ** 2)

    x = np.array([-30.0, 0.5, 40.0])
    jf = tg.jit(tg.grad(loss))
    text = jf.source(x)
    assert "def logistic(x):" in text and "def softplus(x):" in text
    assert "def index_add(" in text and "def _is_basic(" in text
    # Run the shown text with only NumPy and the constants: its helpers are all written out.
    compiled = next(iter(jf._cache.values())).versions[0].fn
    namespace = {k: v for k, v in compiled.__globals__.items()
                 if k not in ("logistic", "softplus", "index_add", "_is_basic", "loss")}
    exec(compile(text, "<shown>", "exec"), namespace)
    got = namespace["loss"](x)
    np.testing.assert_allclose(got, tg.grad(loss)(x), rtol=1e-12, atol=1e-12)
