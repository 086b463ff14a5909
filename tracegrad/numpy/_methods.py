"""The old name of ``dispatch.py``, for ``jit.py`` until it imports ``dispatch``."""
from .dispatch import UFUNCS as _UFUNCS  # noqa: F401
from .dispatch import array_function as _array_function  # noqa: F401
from .dispatch import array_ufunc as _array_ufunc  # noqa: F401
