"""sum, mean, min, max, map_reduce, sort and word_count: bound when the C++ library has them
(<tandem/reduce.hpp>, <tandem/sort.hpp>, <tandem/word_count.hpp>); skipped with the reason
otherwise."""
import collections
import re

import numpy as np
import pytest

import tandem
from conftest import random_array


def needs(name):
    return pytest.mark.skipif(not tandem.has(name),
                              reason=f"this build of tandem has no {name} (its C++ header is "
                                     "missing from the library it was built against)")


@needs("sum")
@pytest.mark.parametrize("n", [1, 7, 1000, 100_003])
def test_reductions_match_numpy(backend, dtype, rng, n):
    x = random_array(rng, dtype, n)
    if dtype.kind == "f":
        exact = float(np.sum(x.astype(np.longdouble)))
        assert tandem.sum(x, backend=backend) == pytest.approx(exact, rel=1e-12, abs=1e-9)
        assert tandem.mean(x, backend=backend) == pytest.approx(exact / n, rel=1e-12, abs=1e-9)
        assert isinstance(tandem.sum(x, backend=backend), float)
    else:
        assert tandem.sum(x, backend=backend) == int(np.sum(x, dtype=np.int64))
        assert isinstance(tandem.sum(x, backend=backend), int)
        assert tandem.mean(x, backend=backend) == pytest.approx(np.mean(x), rel=1e-12)
    assert tandem.min(x, backend=backend) == x.min()
    assert tandem.max(x, backend=backend) == x.max()


@needs("map_reduce")
def test_map_reduce(backend, float_dtype, rng):
    x = random_array(rng, float_dtype, 10_001)
    expected = float(np.sum(np.square(x.astype(np.longdouble))))
    assert tandem.map_reduce(x, "square", "sum", backend=backend) == pytest.approx(expected,
                                                                                   rel=1e-6)
    assert tandem.map_reduce(x, "abs", "max", backend=backend) == np.abs(x).max()
    assert tandem.map_reduce(x, "affine", "min", 2, 1, backend=backend) == pytest.approx(
        float((2 * x + 1).min()), rel=1e-6)
    with pytest.raises(tandem.InvalidArgument, match="unknown reduce"):
        tandem.map_reduce(x, "square", "prod")


@needs("sum")
def test_reduction_errors():
    with pytest.raises(tandem.InvalidArgument, match="dtype int16"):
        tandem.sum(np.zeros(3, np.int16))
    with pytest.raises(tandem.InvalidArgument):
        tandem.min(np.zeros(0))
    with pytest.raises(tandem.InvalidArgument, match="not contiguous"):
        tandem.sum(np.zeros(10)[::2])
    assert tandem.sum(np.zeros(0)) == 0


@needs("sort")
@pytest.mark.parametrize("n", [0, 1, 17, 100_003])
def test_sort_in_place(backend, dtype, rng, n):
    x = random_array(rng, dtype, n, -10**6, 10**6)
    expected = np.sort(x)
    assert tandem.sort(x, backend=backend) is x
    np.testing.assert_array_equal(x, expected)


@needs("sort")
def test_sort_errors():
    x = np.array([3.0, 1.0, 2.0])
    x.flags.writeable = False
    with pytest.raises(tandem.InvalidArgument, match="read-only"):
        tandem.sort(x)
    with pytest.raises(tandem.InvalidArgument, match="dtype uint8"):
        tandem.sort(np.zeros(3, np.uint8))


@needs("word_count")
def test_word_count_str_and_bytes():
    text = "the cat and the hat\nThe end, the end."
    counts = tandem.word_count(text)
    assert all(isinstance(w, str) and isinstance(c, int) for w, c in counts)
    assert sum(c for _, c in counts) >= 8
    d = dict(counts)
    assert d.get("the", 0) + d.get("The", 0) >= 4
    b = tandem.word_count(text.encode())
    assert all(isinstance(w, bytes) for w, _ in b)
    assert sorted((w.decode(), c) for w, c in b) == sorted(counts)


@needs("word_count")
def test_word_count_matches_python_on_plain_words():
    words = ["alpha", "beta", "gamma", "delta"] * 50 + ["beta"] * 7
    text = " ".join(words)
    assert dict(tandem.word_count(text)) == dict(collections.Counter(re.findall(r"\w+", text)))
    with pytest.raises(tandem.InvalidArgument, match="str or bytes"):
        tandem.word_count(123)
