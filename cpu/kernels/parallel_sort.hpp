#pragma once
// The openmp backend's sort of n values of T: NaNs moved to the end (only when there are any),
// then the rest by std::sort when small, else by the parallel LSD radix sort (radix_sort.hpp)
// with scratch memory from tandem::allocator (std::bad_alloc when there is none).
//
// Measured (bench/results, tandem_bench sort): the radix sort beats std::sort from about 4096
// values on every dtype, and beats the parallel merge sort (merge_sort.hpp) at every size and
// thread count: merge_sort stays as the notebook's algorithm and the benchmark's reference.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "radix_sort.hpp"
#include "sort_keys.hpp"
#include "tandem/allocator.hpp"

namespace tandem::detail {

/// Below this many values std::sort (the radix sort's per-pass counting does not pay off).
inline constexpr std::int64_t kRadixSortMin = 4096;
/// Values per thread below which another thread does not pay for its share of the passes.
inline constexpr std::int64_t kRadixSortPerThread = std::int64_t{1} << 16;

/// How many values of x[0, n) are NaN (0 for integers), on up to `threads` threads.
template <class T>
std::int64_t count_nans(const T* x, std::int64_t n, int threads) noexcept {
  if constexpr (std::is_floating_point_v<T>) {
    std::int64_t nans = 0;
#pragma omp parallel for schedule(static) reduction(+ : nans) num_threads(threads) if (threads > 1)
    for (std::int64_t i = 0; i < n; ++i) nans += x[i] != x[i] ? 1 : 0;
    return nans;
  } else {
    (void)x;
    (void)n;
    (void)threads;
    return 0;
  }
}

/// Sorts x[0, n) ascending, NaNs last, on up to `threads` threads.
template <class T>
void parallel_sort(T* x, std::int64_t n, int threads) {
  if (n < 2) return;
  std::int64_t m = n;
  if (count_nans(x, n, threads) > 0) m = partition_nans(x, n);
  if (m < kRadixSortMin) {
    std::sort(x, x + m);
    return;
  }
  const std::int64_t most = std::max<std::int64_t>(1, m / kRadixSortPerThread);
  const int team = static_cast<int>(std::min<std::int64_t>(threads, most));
  tandem::allocator<T> alloc;
  const auto free = [&alloc, m](T* p) { alloc.deallocate(p, static_cast<std::size_t>(m)); };
  const std::unique_ptr<T, decltype(free)> scratch(alloc.allocate(static_cast<std::size_t>(m)),
                                                   free);
  radix_sort(x, scratch.get(), m, team);
}

}  // namespace tandem::detail
