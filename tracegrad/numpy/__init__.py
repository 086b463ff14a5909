"""tracegrad.numpy: NumPy's names, built from tracegrad's primitives.

``import tracegrad.numpy as jnp`` (or ``tnp``) and write NumPy code; inside
``grad`` and friends every call is traced. Outside any transformation the
functions simply run NumPy on plain arrays.

Each function is a thin composition of ``tracegrad.lax`` primitives: ``mean``
is a sum and a division, ``var`` is a mean of squares, ``dot`` is a ``matmul``
or an ``einsum``. Only primitives have derivative rules; these compositions
are differentiated by the chain rule, for free.

One module per family, each built on the ones above it:

* ``_creation.py``: ``array``, ``zeros``, ``full``, ``linspace``, ``float32``, ...
* ``_comparison.py``: ``equal``, ``isnan``, ``allclose``, ... (booleans: no derivative)
* ``_shape.py``: ``reshape``, ``transpose``, ``concatenate``, ``stack``, ``split``, ``pad``, ...
* ``_indexing.py``: ``x[i]``, ``take``, ``take_along_axis``, ``x.at[i].set(v)``
* ``_elementwise.py``: ``add``, ``power``, ``exp``, ``sin``, ``where``, ``clip``, ...
* ``_reductions.py``: ``sum``, ``mean``, ``var``, ``max``, ``prod``, ...
* ``_products.py``: ``matmul``, ``dot``, ``einsum``, ``kron``, ``trace``, ``tril``, ...
* ``_order.py``: ``cumsum``, ``diff``, ``gradient``, ``sort``, ``median``, ``quantile``, ...
* ``linalg.py``: ``tnp.linalg``, NumPy's ``np.linalg``;
* ``dispatch.py``: NumPy's own functions on a traced value (``np.sin(x)``).

A traced value's operators and methods (``x * y``, ``x.sum()``) are these
functions too: see ``core.Tracer``.
"""
# Plain NumPy names that need no tracing (constants).
from numpy import e, inf, nan, ndarray, newaxis, pi  # noqa: F401

from ..words import message as _message
from . import (
    _comparison,
    _creation,
    _elementwise,
    _indexing,
    _order,
    _products,
    _reductions,
    _shape,
    linalg,
)
from ._comparison import *  # noqa: F401,F403
from ._creation import *  # noqa: F401,F403
from ._elementwise import *  # noqa: F401,F403
from ._indexing import *  # noqa: F401,F403
from ._indexing import getitem  # noqa: F401  (x[i] on a tracer: core.Tracer.__getitem__)
from ._order import *  # noqa: F401,F403
from ._products import *  # noqa: F401,F403
from ._reductions import *  # noqa: F401,F403
from ._shape import *  # noqa: F401,F403

__all__ = (_creation.__all__ + _elementwise.__all__ + _reductions.__all__ + _products.__all__
           + _shape.__all__ + _comparison.__all__ + _indexing.__all__ + _order.__all__
           + ["linalg", "pi", "e", "inf", "nan", "newaxis", "ndarray"])


def __getattr__(name):
    raise AttributeError(_message("err.no-function", name=name))
