"""No leak over 10^5 calls: Python allocations (tracemalloc), the inputs' reference counts, and
the process's resident memory (which sees the C++ side and the results' buffers too)."""
import gc
import sys
import tracemalloc

import numpy as np
import pytest

import tandem

CALLS = 100_000


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def one_round(x, b, A, out, stats):
    tandem.mse(x)
    tandem.mse(x, b, stats=True)
    tandem.map(x, "polynomial", 1, 2, 3)  # a new 2 KiB array every call
    tandem.map(x, "scale", 2, out=out, stats=stats)
    tandem.matmul(A, A)
    try:
        tandem.map(x, "scale", 1, out=A)  # an error every call
    except tandem.InvalidArgument:
        pass
    try:
        tandem.mse(x, backend="nonsense")
    except tandem.InvalidArgument:
        pass


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_no_leak_over_many_calls():
    x = np.random.default_rng(1).standard_normal(256)
    b = x[::-1].copy()
    A = np.ones((4, 4), dtype=np.int32)
    out = np.empty_like(x)
    stats = tandem.Stats()
    for _ in range(2000):  # warm up: caches, interned strings, allocator pools
        one_round(x, b, A, out, stats)
    gc.collect()
    refs = [sys.getrefcount(o) for o in (x, b, A, out, stats)]
    rss0 = rss_bytes()
    tracemalloc.start()
    snap0 = tracemalloc.take_snapshot()
    for _ in range(CALLS // 7):
        one_round(x, b, A, out, stats)
    gc.collect()
    snap1 = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in snap1.compare_to(snap0, "filename"))
    rss1 = rss_bytes()
    assert [sys.getrefcount(o) for o in (x, b, A, out, stats)] == refs
    # 10^5 calls: a leak of even one small object per call would be megabytes.
    assert grown < 256 * 1024, grown
    assert rss1 - rss0 < 8 * 1024 * 1024, rss1 - rss0
