#pragma once
// Parallel merge sort (the multiprocessing notebook's mergesort exercise, on threads): every
// thread sorts a contiguous run with std::sort, then runs are merged pairwise, level by level,
// each level by every thread: the output is cut into equal parts and each part's sources are
// found by a binary search on the merge path (co-rank), so no level waits on one thread.
#include <algorithm>
#include <cstdint>
#include <utility>

#include "partition.hpp"

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace tandem::detail {

/// How many of the first k outputs of a stable merge of a[0, m) and b[0, l) come from a
/// (ties: a first).
template <class T, class Less>
std::int64_t merge_co_rank(std::int64_t k, const T* a, std::int64_t m, const T* b, std::int64_t l,
                           Less less) {
  std::int64_t lo = k > l ? k - l : 0;
  std::int64_t hi = k < m ? k : m;
  while (lo < hi) {
    const std::int64_t i = lo + (hi - lo) / 2;
    if (!less(b[k - i - 1], a[i])) {
      lo = i + 1;
    } else {
      hi = i;
    }
  }
  return lo;
}

/// Sorts x[0, n) by `less` (a strict weak order) with `scratch` (n values) on up to `threads`
/// threads (runs: one per thread).
template <class T, class Less>
void merge_sort(T* x, T* scratch, std::int64_t n, int threads, Less less) {
  if (n < 2) return;
  if (threads < 1) threads = 1;
  if (threads == 1) {
    std::sort(x, x + n, less);
    return;
  }
  const auto body = [&](int t, int nt) {
    // Runs of about n / nt values.
    const auto run_bounds = [&](int r) { return static_range(n, nt, r, 8); };
    {
      const auto [lo, hi] = run_bounds(t);
      std::sort(x + lo, x + hi, less);
    }
    T* const buffers[2] = {x, scratch};
    int cur = 0;  // buffers[cur] holds the runs of this level
    for (int width = 1; width < nt; width *= 2) {
#pragma omp barrier
      const T* src = buffers[cur];
      T* dst = buffers[1 - cur];
      const auto [o0, o1] = static_range(n, nt, t, 8);  // this thread's part of the output
      for (int r = 0; r < nt; r += 2 * width) {
        const std::int64_t a0 = run_bounds(r).first;
        const std::int64_t a1 = r + width < nt ? run_bounds(r + width).first : n;
        const std::int64_t b1 = r + 2 * width < nt ? run_bounds(r + 2 * width).first : n;
        const std::int64_t s = std::max(o0, a0);
        const std::int64_t e = std::min(o1, b1);
        if (s >= e) continue;
        const T* a = src + a0;
        const T* b = src + a1;
        const std::int64_t m = a1 - a0;
        const std::int64_t l = b1 - a1;
        const std::int64_t is = merge_co_rank(s - a0, a, m, b, l, less);
        const std::int64_t ie = merge_co_rank(e - a0, a, m, b, l, less);
        std::merge(a + is, a + ie, b + (s - a0 - is), b + (e - a0 - ie), dst + s, less);
      }
      cur = 1 - cur;
    }
    if (cur != 0) {
#pragma omp barrier
      const auto [lo, hi] = static_range(n, nt, t, 8);
      std::copy(scratch + lo, scratch + hi, x + lo);
    }
  };
#if defined(_OPENMP)
#pragma omp parallel num_threads(threads)
  body(omp_get_thread_num(), omp_get_num_threads());
#else
  body(0, 1);
#endif
}

}  // namespace tandem::detail
