"""The GIL is released during every call: Python threads run while tandem computes, and calls
from several threads at once give the right results."""
import threading
import time

import numpy as np
import pytest

import tandem


def _long_call_seconds(target=0.6):
    """A serial int64 matmul sized to take about `target` seconds here."""
    n = 128
    while True:
        A = np.ones((n, n), dtype=np.int64)
        t = time.perf_counter()
        tandem.matmul(A, A, backend="serial")
        dt = time.perf_counter() - t
        if dt > target or n >= 1536:
            return A, dt
        n = int(n * max(1.26, min(2.0, (target / max(dt, 1e-6)) ** (1 / 3))))


def test_python_runs_while_tandem_computes():
    A, seconds = _long_call_seconds()
    started = threading.Event()

    def work():
        started.set()
        tandem.matmul(A, A, backend="serial")

    t = threading.Thread(target=work)
    t.start()
    started.wait()
    # This thread keeps running Python while the call runs; if the call held the GIL, its
    # timeline would have one gap as long as the call.
    stamps = [time.perf_counter()]
    while t.is_alive():
        stamps.append(time.perf_counter())
    t.join()
    longest_gap = max(np.diff(stamps)) if len(stamps) > 1 else 0.0
    assert len(stamps) > 100
    assert longest_gap < seconds / 2, (longest_gap, seconds)


def test_two_threads_overlap():
    """Two threads' calls run at the same time, so they end at about the same time; calls that
    held the GIL would run one after the other and end a whole call apart."""
    A, seconds = _long_call_seconds()
    ends = {}
    barrier = threading.Barrier(2)

    def work(i):
        barrier.wait()
        tandem.matmul(A, A, backend="serial")
        ends[i] = time.perf_counter()

    ts = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert abs(ends[0] - ends[1]) < 0.5 * seconds, (ends, seconds)


@pytest.mark.parametrize("backend", tandem.available_backends() + ["automatic"])
def test_concurrent_calls_are_correct(backend):
    errors = []

    def work(i):
        try:
            x = np.arange(10_000.0 + i)
            for _ in range(20):
                y = tandem.map(x, "affine", 2, i, backend=backend)
                np.testing.assert_array_equal(y, 2 * x + i)
                assert tandem.mse(x, backend=backend) == pytest.approx(np.mean(x * x), rel=1e-14)
                A = np.full((20, 30), i, dtype=np.int32)
                np.testing.assert_array_equal(tandem.matmul(A, A.T.copy(), backend=backend),
                                              A @ A.T)
        except Exception as e:  # reported in the main thread
            errors.append(e)

    ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors, errors
