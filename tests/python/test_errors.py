"""Errors: typed, with the C++ message, and nothing written to the outputs."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import tandem


def test_hierarchy():
    assert issubclass(tandem.InvalidArgument, tandem.Error)
    assert issubclass(tandem.InvalidArgument, ValueError)
    assert issubclass(tandem.BackendUnavailable, tandem.Error)
    assert issubclass(tandem.BackendUnavailable, RuntimeError)
    assert issubclass(tandem.DeviceError, RuntimeError)
    assert issubclass(tandem.OutOfMemory, MemoryError)
    assert issubclass(tandem.VerificationError, tandem.Error)
    assert not issubclass(tandem.Error, ValueError)


@pytest.mark.parametrize("dtype", ["int16", "uint32", "uint64", "int8", "bool", "float16",
                                   "complex64", "complex128", "object", "datetime64[s]", "U3"])
def test_unsupported_dtypes_are_named_never_cast(dtype):
    x = np.zeros(4, dtype=dtype)
    for call in (lambda: tandem.map(x, "square"), lambda: tandem.mse(x),
                 lambda: tandem.matmul(x.reshape(2, 2), x.reshape(2, 2)),
                 lambda: tandem.polynomial_grid(x.reshape(2, 2), x)):
        with pytest.raises(tandem.InvalidArgument, match="dtype " + re.escape(str(np.dtype(dtype)))):
            call()


def test_out_of_another_dtype_is_refused_and_untouched():
    x = np.arange(5.0)
    out = np.full(5, 7, dtype=np.float32)
    with pytest.raises(tandem.InvalidArgument, match="out has dtype float32 but x has dtype float64"):
        tandem.map(x, "square", out=out)
    np.testing.assert_array_equal(out, 7)


def test_mse_of_integers_is_refused():
    with pytest.raises(tandem.InvalidArgument, match="int32; mse computes in float32 or float64"):
        tandem.mse(np.arange(4, dtype=np.int32))


def test_non_arrays():
    with pytest.raises(tandem.InvalidArgument, match="must be an array.*not list"):
        tandem.map([1.0, 2.0], "square")
    with pytest.raises(tandem.InvalidArgument, match="not str"):
        tandem.mse("abc")


def test_non_contiguous_1d_is_a_clear_error_not_a_copy():
    x = np.arange(10.0)
    with pytest.raises(tandem.InvalidArgument, match=r"x is not contiguous.*strides \(2\)"):
        tandem.map(x[::2], "square")
    with pytest.raises(tandem.InvalidArgument, match="not contiguous"):
        tandem.mse(x[::-1])
    out = np.zeros(10)
    with pytest.raises(tandem.InvalidArgument, match="out is not contiguous"):
        tandem.map(x[:5], "square", out=out[::2])
    assert not out.any()


def test_shape_errors_leave_out_untouched():
    x = np.arange(6.0)
    out = np.full(5, -1.0)
    with pytest.raises(tandem.InvalidArgument, match="out has 5 elements"):
        tandem.map(x, "square", out=out)
    np.testing.assert_array_equal(out, -1)
    C = np.full((3, 3), -1.0)
    with pytest.raises(tandem.InvalidArgument, match="A is 3x2 but B is 3x3"):
        tandem.matmul(np.ones((3, 2)), np.ones((3, 3)), C)
    with pytest.raises(tandem.InvalidArgument):
        tandem.matmul(np.ones((3, 3)), np.ones((3, 2)), C)  # C has the wrong shape
    np.testing.assert_array_equal(C, -1)
    with pytest.raises(tandem.InvalidArgument, match="must be 2-D"):
        tandem.matmul(np.ones(3), np.ones((3, 3)))
    with pytest.raises(tandem.InvalidArgument, match="must be row-major"):
        tandem.matmul(np.ones((3, 3)), np.ones((3, 3)), C.T)
    np.testing.assert_array_equal(C, -1)


def test_overlap_is_refused():
    buf = np.arange(10.0)
    before = buf.copy()
    with pytest.raises(tandem.InvalidArgument):
        tandem.map(buf[:8], "square", out=buf[2:])
    np.testing.assert_array_equal(buf, before)
    M = np.ones((4, 4))
    with pytest.raises(tandem.InvalidArgument):
        tandem.matmul(M, M, M)


def test_read_only_out():
    out = np.zeros(3)
    out.flags.writeable = False
    with pytest.raises(tandem.InvalidArgument, match="out is read-only"):
        tandem.map(np.ones(3), "square", out=out)


def test_bad_ops_and_parameters():
    x = np.arange(3, dtype=np.int32)
    with pytest.raises(tandem.InvalidArgument, match="unknown op 'cube'"):
        tandem.map(x, "cube")
    with pytest.raises(tandem.InvalidArgument, match="takes 2 parameters"):
        tandem.map(x, "affine", 1)
    with pytest.raises(tandem.InvalidArgument, match="2.5"):
        tandem.map(x, "scale", 2.5)
    with pytest.raises(tandem.InvalidArgument, match="does not fit in 64 bits"):
        tandem.map(x, "scale", 2**70)
    with pytest.raises(tandem.InvalidArgument, match="at least one coefficient"):
        tandem.map(x, "polynomial")
    with pytest.raises(tandem.InvalidArgument, match="real numbers"):
        tandem.map(x, "scale", "2")
    with pytest.raises(tandem.InvalidArgument):
        tandem.map(np.ones(3, np.float32), "scale", 1e300)


def test_empty_inputs():
    with pytest.raises(tandem.InvalidArgument, match="empty|nothing|0 "):
        tandem.mse(np.zeros(0))
    with pytest.raises(tandem.InvalidArgument):
        tandem.polynomial_grid(np.zeros(3), axes=[])
    with pytest.raises(tandem.InvalidArgument, match="2.5"):
        tandem.polynomial_grid(np.arange(3), axes=[[1, 2.5]])
    with pytest.raises(tandem.InvalidArgument, match="with axes= the first argument is x"):
        tandem.polynomial_grid(np.zeros(3), np.zeros((2, 3)), axes=[[1.0]])
    with pytest.raises(tandem.InvalidArgument, match="axis has dtype float32 but x has float64"):
        tandem.polynomial_grid(np.zeros(3), axes=[np.zeros(2, np.float32)])


def test_results_too_large_for_memory_then_the_next_call_works():
    x = np.linspace(-1, 1, 50)
    with pytest.raises(tandem.OutOfMemory, match="cannot allocate"):
        tandem.polynomial_grid(x, axes=[np.zeros(10**6)] * 3)      # 10^18 x 50 values
    with pytest.raises(MemoryError):
        tandem.polynomial_grid(x, axes=[np.zeros(10**4)] * 3)      # 10^12 x 50: 400 TB
    assert tandem.mse(x) == pytest.approx(np.mean(x * x))


def test_backends():
    names = tandem.available_backends()
    assert names[0] == "serial" and "automatic" not in names
    info = tandem.backend_info("serial")
    assert info == {"name": "serial", "available": True, "reason": "", "threads": 1,
                    "device": info["device"]}
    cuda = tandem.backend_info("CUDA")
    assert cuda["name"] == "cuda"
    if not cuda["available"]:
        assert cuda["reason"]
        with pytest.raises(tandem.BackendUnavailable, match=cuda["reason"]):
            tandem.mse(np.ones(3), backend="cuda")
        with pytest.raises(tandem.BackendUnavailable):
            tandem.set_default_backend("cuda")
    with pytest.raises(tandem.InvalidArgument, match="serial"):
        tandem.backend_info("gpu")
    with pytest.raises(tandem.InvalidArgument):
        tandem.mse(np.ones(3), backend="fast")
    with pytest.raises(tandem.InvalidArgument, match="backend must be a name"):
        tandem.mse(np.ones(3), backend=1)
    with pytest.raises(tandem.InvalidArgument):
        tandem.mse(np.ones(3), threads=-1)
    with pytest.raises(tandem.InvalidArgument, match="stats must be"):
        tandem.mse(np.ones(3), stats="yes")


def test_set_default_backend():
    tandem.set_default_backend("serial")
    assert tandem.default_backend() == "serial"
    _, s = tandem.mse(np.ones(100_000), stats=True)
    assert s.backend == "serial"
    tandem.reset_default_backend()
    assert tandem.default_backend() in ("automatic", os.environ.get("TANDEM_BACKEND", "").lower())


def _run(code, **env):
    full = dict(os.environ, **env)
    return subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True,
                          timeout=60)


def test_tandem_backend_environment_variable():
    code = ("import numpy as np, tandem; _, s = tandem.mse(np.ones(10**6), stats=True); "
            "print(tandem.default_backend(), s.backend)")
    r = _run(code, TANDEM_BACKEND="Serial")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["serial", "serial"]
    r = _run(code, TANDEM_BACKEND="bogus")
    assert r.returncode != 0 and "tandem.InvalidArgument" in r.stderr and "bogus" in r.stderr
    if not tandem.backend_info("cuda")["available"]:
        r = _run(code, TANDEM_BACKEND="cuda")
        assert "tandem.BackendUnavailable" in r.stderr


def test_cupy_device_arrays_are_explained():
    cupy = pytest.importorskip("cupy", reason="CuPy is not installed")
    try:
        x = cupy.arange(4, dtype=cupy.float64)
    except Exception as e:  # no GPU
        pytest.skip(f"CuPy cannot allocate: {e}")
    with pytest.raises(tandem.InvalidArgument, match="device memory"):
        tandem.mse(x)
