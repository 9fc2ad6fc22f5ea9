"""Every workload on every backend against numpy."""
import itertools

import numpy as np
import pytest

import tandem
from conftest import assert_close, random_array

SIZES = [0, 1, 7, 1000, 100_003]


def numpy_map(x, op, params):
    d = x.dtype
    p = [np.array(v, dtype=d) for v in params]
    with np.errstate(over="ignore"):
        if op == "scale":
            return (p[0] * x).astype(d)
        if op == "affine":
            return (p[0] * x + p[1]).astype(d)
        if op == "square":
            return (x * x).astype(d)
        if op == "abs":
            return np.abs(x).astype(d)
        if op == "polynomial":
            y = np.full_like(x, p[0])
            for c in p[1:]:
                y = (y * x + c).astype(d)
            return y
    raise AssertionError(op)


OPS = [("scale", (3,)), ("affine", (-2, 5)), ("square", ()), ("abs", ()),
       ("polynomial", (2, -1, 0, 3))]


@pytest.mark.parametrize("op,params", OPS, ids=[o for o, _ in OPS])
@pytest.mark.parametrize("n", SIZES)
def test_map_matches_numpy(backend, dtype, rng, op, params, n):
    x = random_array(rng, dtype, n)
    y = tandem.map(x, op, *params, backend=backend)
    assert y.dtype == dtype and y.shape == x.shape
    assert_close(y, numpy_map(x, op, params), dtype)


def test_map_into_out_and_in_place(backend, dtype, rng):
    x = random_array(rng, dtype, 1001)
    out = np.empty_like(x)
    assert tandem.map(x, "affine", 2, 1, out=out, backend=backend) is out
    assert_close(out, numpy_map(x, "affine", (2, 1)), dtype)
    expected = numpy_map(x, "square", ())
    assert tandem.map(x, "square", out=x, backend=backend) is x  # in place
    assert_close(x, expected, dtype)


def test_map_keeps_shape_of_contiguous_arrays(backend, rng):
    x = random_array(rng, np.float64, (3, 4, 5))
    y = tandem.map(x, "scale", 0.5, backend=backend)
    assert y.shape == (3, 4, 5)
    np.testing.assert_array_equal(y, 0.5 * x)
    out = np.empty(60)  # out of another shape but the same size is fine
    tandem.map(x, "scale", 0.5, out=out, backend=backend)
    np.testing.assert_array_equal(out, (0.5 * x).ravel())


def test_map_polynomial_from_a_sequence_and_numpy_scalars(backend):
    x = np.linspace(-2, 2, 9)
    for coefficients in ([1, 0, -2], (1, 0, -2), np.array([1.0, 0.0, -2.0])):
        np.testing.assert_array_equal(
            tandem.map(x, "polynomial", coefficients, backend=backend), np.polyval([1, 0, -2], x))
    np.testing.assert_array_equal(tandem.map(x, "scale", np.float64(2.5), backend=backend), 2.5 * x)
    i = np.arange(5, dtype=np.int32)
    np.testing.assert_array_equal(tandem.map(i, "scale", np.int64(3), backend=backend), 3 * i)


def test_integer_map_wraps_like_numpy(backend):
    for d in (np.int32, np.int64):
        info = np.iinfo(d)
        x = np.array([info.max, info.min, info.min + 1, -1, 0], dtype=d)
        with np.errstate(over="ignore"):
            np.testing.assert_array_equal(tandem.map(x, "scale", 2, backend=backend), x * d(2))
            np.testing.assert_array_equal(tandem.map(x, "abs", backend=backend), np.abs(x))
            np.testing.assert_array_equal(tandem.map(x, "square", backend=backend), x * x)


def test_map_read_only_input():
    x = np.arange(10.0)
    x.flags.writeable = False
    np.testing.assert_array_equal(tandem.map(x, "square"), x * x)


# ----------------------------------------------------------------------------------- matmul
@pytest.mark.parametrize("m,k,n", [(0, 3, 4), (3, 0, 4), (1, 1, 1), (17, 33, 9), (64, 64, 64),
                                   (130, 70, 90)])
def test_matmul_matches_numpy(backend, dtype, rng, m, k, n):
    A = random_array(rng, dtype, (m, k), -10, 10)
    B = random_array(rng, dtype, (k, n), -10, 10)
    C = tandem.matmul(A, B, backend=backend)
    assert C.dtype == dtype and C.shape == (m, n)
    assert_close(C, A @ B, dtype)


def test_matmul_int32_wraps_exactly_like_numpy(backend, rng):
    A = rng.integers(-2**31, 2**31, size=(40, 50), dtype=np.int32)
    B = rng.integers(-2**31, 2**31, size=(50, 30), dtype=np.int32)
    np.testing.assert_array_equal(tandem.matmul(A, B, backend=backend), A @ B)
    A64 = rng.integers(-2**62, 2**62, size=(20, 10), dtype=np.int64)
    B64 = rng.integers(-2**62, 2**62, size=(10, 20), dtype=np.int64)
    np.testing.assert_array_equal(tandem.matmul(A64, B64, backend=backend), A64 @ B64)


def test_matmul_on_slices_of_bigger_arrays_in_place(backend, dtype, rng):
    big = random_array(rng, dtype, (50, 60), -10, 10)
    A = big[3:23, 5:35]      # 20 x 30, row stride 60
    B = big[10:40, 40:52]    # 30 x 12, row stride 60
    buf = np.full((40, 40), 7, dtype=dtype)
    out = buf[5:25, 10:22]   # 20 x 12 block, row stride 40
    before = buf.copy()
    assert tandem.matmul(A, B, out, backend=backend) is out
    assert_close(out, A @ B, dtype)
    mask = np.ones_like(buf, dtype=bool)
    mask[5:25, 10:22] = False
    np.testing.assert_array_equal(buf[mask], before[mask])  # nothing outside the block written


def test_matmul_copies_inputs_of_other_layouts(backend, rng):
    A = rng.standard_normal((30, 20))
    B = rng.standard_normal((30, 25))
    assert_close(tandem.matmul(A.T, B, backend=backend), A.T @ B, np.float64)   # transposed
    F = np.asfortranarray(B)
    assert_close(tandem.matmul(A.T, F, backend=backend), A.T @ B, np.float64)
    Bn = B[::-1, ::-1][:20]  # negative strides
    assert_close(tandem.matmul(A[::2], Bn, backend=backend), A[::2] @ Bn, np.float64)


# ----------------------------------------------------------------------------------- grid
def test_polynomial_grid_table_matches_numpy(backend, dtype, rng):
    params = random_array(rng, dtype, (57, 4), -3, 4)
    x = random_array(rng, dtype, 23, -3, 4)
    P = tandem.polynomial_grid(params, x, backend=backend)
    assert P.shape == (57, 23) and P.dtype == dtype
    with np.errstate(over="ignore"):
        expected = np.stack([np.polyval(row, x).astype(dtype) for row in params])
    assert_close(P, expected, dtype)


def test_polynomial_grid_cartesian_in_product_order(backend, dtype):
    if np.dtype(dtype).kind == "f":
        axes = [np.linspace(0, 1, 10).astype(dtype)] * 4
        x = np.linspace(-2, 2, 50).astype(dtype)
    else:
        axes = [np.arange(-2, 3, dtype=dtype), np.arange(0, 4, dtype=dtype), [1, -1], [5]]
        x = np.arange(-4, 5, dtype=dtype)
    P = tandem.polynomial_grid(x, axes=axes, backend=backend)
    table = np.array(list(itertools.product(*axes)), dtype=dtype)
    assert P.shape == (len(table), x.size)
    expected = np.stack([np.polyval(row, x).astype(dtype) for row in table])
    assert_close(P, expected, dtype)
    # the same with the table, into a slice of a bigger output
    buf = np.zeros((len(table) + 2, x.size + 3), dtype=dtype)
    out = buf[1:-1, 2:-1]
    assert tandem.polynomial_grid(table, x, out, backend=backend) is out
    assert_close(out, expected, dtype)
    assert not buf[0].any() and not buf[-1].any() and not buf[:, :2].any()


def test_polynomial_grid_notebook_exercise():
    a = np.linspace(0, 1, 10)
    x = np.linspace(-2, 2, 50)
    P = tandem.polynomial_grid(x, axes=[a, a, a, a])
    table = np.array(list(itertools.product(a, a, a, a)))
    expected = (table[:, :1] * x**3 + table[:, 1:2] * x**2 + table[:, 2:3] * x + table[:, 3:])
    np.testing.assert_allclose(P, expected, rtol=1e-13, atol=1e-13)


# ----------------------------------------------------------------------------------- mse
@pytest.mark.parametrize("n", [1, 2, 16, 1001, 1_000_003])
def test_mse_matches_numpy(backend, float_dtype, rng, n):
    a = rng.standard_normal(n).astype(float_dtype)
    b = rng.standard_normal(n).astype(float_dtype)
    exact = np.mean(np.square(a.astype(np.longdouble)))
    assert tandem.mse(a, backend=backend) == pytest.approx(float(exact), rel=1e-14)
    exact2 = np.mean(np.square(a.astype(np.longdouble) - b.astype(np.longdouble)))
    assert tandem.mse(a, b, backend=backend) == pytest.approx(float(exact2), rel=1e-14)
    assert isinstance(tandem.mse(a, backend=backend), float)


def test_mse_of_2d_contiguous_array():
    e = np.arange(12.0).reshape(3, 4)
    assert tandem.mse(e) == pytest.approx(np.mean(e * e), rel=1e-15)


# ----------------------------------------------------------------------------------- stats
def test_stats_true_returns_result_and_stats(backend):
    x = np.arange(1000.0)
    m, s = tandem.mse(x, backend=backend, stats=True)
    assert m == pytest.approx(np.mean(x * x))
    assert isinstance(s, tandem.Stats)
    assert s.backend in tandem.available_backends()
    if backend != "automatic":
        assert s.backend == backend
    assert s.requested == backend
    assert s.seconds > 0 and s.compute_seconds >= 0 and s.reason
    y, s2 = tandem.map(x, "square", backend=backend, stats=True)
    np.testing.assert_array_equal(y, x * x)
    assert s2.threads >= 1


def test_stats_object_is_filled(backend):
    s = tandem.Stats()
    assert s.seconds == 0
    r = tandem.matmul(np.eye(3), np.eye(3), backend=backend, stats=s, threads=1)
    np.testing.assert_array_equal(r, np.eye(3))
    assert s.seconds > 0 and s.threads == 1 and "tandem.Stats(" in repr(s)


def test_verify(backend):
    x = np.arange(100.0)
    _, s = tandem.map(x, "square", backend=backend, verify=True, stats=True)
    assert s.verified == (s.backend != "serial")


def test_threads_option():
    x = np.arange(100_000.0)
    _, s = tandem.mse(x, backend="serial", threads=3, stats=True)
    assert s.threads == 1
    if "openmp" in tandem.available_backends():
        _, s = tandem.mse(x, backend="openmp", threads=3, stats=True)
        assert s.threads == 3
