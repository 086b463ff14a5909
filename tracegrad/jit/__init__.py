"""``tg.jit``: stage a function once, lower the program to plain NumPy source, reuse it.

Read this after ``core.py``, ``reverse.py`` and ``program.py``. Eager
tracegrad runs the user's Python every time, and every primitive pays for
``bind`` and the traces on its way down. ``jit`` pays that once, in the
three steps of Autodidax's jit chapter, one file each:

1. **Stage** (``staging.py``, with the values the function sees in
   ``staged.py``). The first call runs ``fun`` on the actual values under a
   :class:`JitTrace`, a recording trace started *before* any other, so it
   sits at the lowest level. Whatever ``fun`` does (``grad``, ``jvp``,
   ``hessian``, any nesting) ends up, primitive by primitive, in this one
   record: ``jit(grad(f))`` records the forward *and* the backward pass, as
   one straight-line program.
2. **Lower** (``lowering.py``, with each primitive's NumPy text in
   ``templates.py`` and constants written out by ``literals.py``). The
   staged :class:`~tracegrad.program.Program` becomes NumPy source, one line
   per equation the outputs and the guards need.
   Python compiles that source into an ordinary function. ``jf.source(x)``
   shows it (``showing.py``), named after the user's variables
   (``z = t4 + b``, ``dw``): finding those names means looking at the
   user's frame on every line, so a call compiles with plain names
   (``t5 = t4 + arg1``) and ``source`` stages once more, with names, and
   uses that code if it is the very same program.
3. **Reuse** (``cache.py``, keyed by ``keys.py``). Later calls with
   arguments of the same shapes, dtypes and structure (and equal
   ``static_argnums``) run the compiled function: plain NumPy, no tracers,
   no ``bind``.

Never wrong: guards
-------------------
A recording is only valid for inputs on which the Python code would do the
same thing. Under ``jit``, ``concrete(x)`` (the value that comparisons,
``if`` and masks read) is a :class:`Staged` value: it behaves like the array
but records what is computed from it. So ``if x > 0:`` records the
comparison and the branch taken, and the compiled code re-checks that
condition on the new values before it uses the branch (``return RETRACE``
when it fails). Then ``fun`` is traced again and both versions are kept, up
to :data:`RETRACE_LIMIT`; after that the function runs eagerly, with one
warning that names the line of the branch. A value read in a way that
cannot be staged (``float(x)``, ``np.asarray(x)``) is guarded the strictest
way: the compiled version is used only when that value is exactly the same.
Printing a traced value is a side effect compiled code would not repeat, so
such a function runs eagerly.

The shape of most values follows from the shapes of the arguments, which
are part of the cache key. Where it depends on the values (``np.nonzero``,
a boolean mask), reading it (``len``, ``.shape``) is guarded too. Integer
and boolean arguments are never differentiated: the function sees them as
staged NumPy values, so ``x[i]`` indexes with each call's ``i``, as in JAX.

Constants: arrays are values, read when used
--------------------------------------------
A NumPy array that is not an argument (closed over, a global, a buffer
the function writes into between operations) is read by value, at the
moment an operation reads it (``JitTrace.constants`` copies it): the
compiled code holds that value as a constant, as ``jax.jit`` does. So a
buffer used twice with different contents is two constants, and an array
changed *after* compiling is not seen: the compiled code keeps the value,
and the branches, of the trace. Pass an array that changes between calls
(weights updated in place) as an argument. The other way, guarding each
closed-over array by value, would compare every such array on every call.

Results are the caller's: each call returns arrays of its own, never an
argument, a constant or an earlier result (``x * 1.0`` compiles to ``x``,
so it is copied on the way out), and editing one changes nothing else.

Randomness drawn inside ``fun`` and changes ``fun`` makes to the outside
world are done while tracing, as in ``jax.jit``: once per trace, and once
more if ``jf.source`` traces again for the names (it then keeps the code
that ran, see ``Jitted._add_names``). The numbers drawn become constants,
the same on every call: a draw from NumPy's global generator
(``np.random.rand``) is noticed and warned about, naming ``tg.random``.

The source ``jf.source(x)`` shows is complete: its constants are written
out (``exec(source, {"np": np})`` defines the function), except those too
big to read, which ``source.namespace`` holds.
"""
from ..program import replay
from .cache import RETRACE_LIMIT, CacheInfo, Jitted, JitWarning, jit
from .staged import JitTracer, Staged
from .staging import JitTrace
from .templates import source_template

__all__ = ["jit", "replay", "Jitted", "JitTrace", "JitTracer", "Staged", "source_template",
           "RETRACE_LIMIT", "JitWarning", "CacheInfo"]
