"""Shared fixtures of the Python tests: the backends to run on, dtypes, a seeded generator."""
import os

import numpy as np
import pytest

import tandem

DTYPES = [np.float32, np.float64, np.int32, np.int64]
FLOAT_DTYPES = [np.float32, np.float64]


def backends():
    """Every backend that can run here, and automatic."""
    return tandem.available_backends() + ["automatic"]


@pytest.fixture(params=backends())
def backend(request):
    return request.param


@pytest.fixture(params=DTYPES, ids=lambda d: np.dtype(d).name)
def dtype(request):
    return np.dtype(request.param)


@pytest.fixture(params=FLOAT_DTYPES, ids=lambda d: np.dtype(d).name)
def float_dtype(request):
    return np.dtype(request.param)


@pytest.fixture
def rng():
    seed = int(os.environ.get("TANDEM_TEST_SEED", "12345"))
    return np.random.default_rng(seed)


@pytest.fixture(autouse=True)
def _reset_default_backend():
    yield
    tandem.reset_default_backend()


def random_array(rng, dtype, shape, low=-100, high=100):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return rng.uniform(low, high, size=shape).astype(dtype)
    return rng.integers(low, high, size=shape, dtype=dtype)


def assert_close(actual, expected, dtype):
    """Exact for integers; a few ulps of the result's magnitude for floats (different
    summation orders, BLAS)."""
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        np.testing.assert_array_equal(actual, expected)
    else:
        eps = np.finfo(dtype).eps
        scale = max(1.0, float(np.max(np.abs(expected))) if np.size(expected) else 1.0)
        np.testing.assert_allclose(actual, expected, rtol=64 * eps, atol=64 * eps * scale)
