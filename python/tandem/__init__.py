"""tandem: the same compute workloads on CPU cores or GPUs, with the backend chosen at run time.

Arrays (numpy, or anything with the buffer protocol or ``__dlpack__`` in host memory) are used in
place, never copied or converted: float32, float64, int32 and int64 as in C++; any other dtype is
:class:`InvalidArgument`. Every call releases the GIL while it runs.

Each workload takes ``backend=`` (a name: 'serial', 'openmp', 'cuda', 'automatic'), ``threads=``
(OpenMP threads of the call, 0 = default), ``verify=`` (also run on serial and compare) and
``stats=``: ``stats=True`` returns ``(result, Stats)``; ``stats=s`` with a :class:`Stats` ``s``
fills ``s`` and returns the result alone.

    >>> import numpy as np, tandem
    >>> x = np.linspace(-2, 2, 5)
    >>> tandem.map(x, "polynomial", 1, 0, -2)          # x**2 - 2, a new array
    array([ 2., -1., -2., -1.,  2.])
    >>> tandem.mse(x, backend="serial")
    2.0
"""
from . import _tandem
from ._tandem import (  # noqa: F401
    BackendUnavailable,
    DeviceError,
    Error,
    InvalidArgument,
    OutOfMemory,
    Stats,
    VerificationError,
    __version__,
    available_backends,
    backend_info,
    default_backend,
    map,
    matmul,
    mse,
    polynomial_grid,
    reset_default_backend,
    set_default_backend,
)

# Workloads the C++ library gained later: present when the extension was built against them.
_OPTIONAL = ("sum", "mean", "min", "max", "map_reduce", "sort", "word_count")
for _name in _OPTIONAL:
    if hasattr(_tandem, _name):
        globals()[_name] = getattr(_tandem, _name)
del _name


def has(name: str) -> bool:
    """Whether this build of tandem has the function `name` (e.g. 'sort', 'word_count')."""
    return hasattr(_tandem, name)


# `from tandem import *` must not shadow the builtins map, sum, min and max.
__all__ = [
    "BackendUnavailable", "DeviceError", "Error", "InvalidArgument", "OutOfMemory", "Stats",
    "VerificationError", "available_backends", "backend_info", "default_backend", "has",
    "matmul", "mse", "polynomial_grid", "reset_default_backend", "set_default_backend",
] + [n for n in ("mean", "map_reduce", "sort", "word_count") if hasattr(_tandem, n)]
