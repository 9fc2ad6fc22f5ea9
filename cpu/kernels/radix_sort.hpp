#pragma once
// Parallel LSD radix sort of values without NaN (f32 f64 i32 i64): keys are the order-preserving
// unsigned images of the values (sort_keys.hpp), sorted Bits bits per pass, least significant
// digit first. Each pass: every thread counts the digits of its contiguous part, the counts give
// every (digit, thread) pair its place, every thread scatters its part (stable). A pass whose
// digit is the same for every value is skipped. The first pass reads the values and the last
// one writes them back, so the keys never need a pass of their own.
#include <cstdint>
#include <vector>

#include "partition.hpp"
#include "sort_keys.hpp"

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace tandem::detail {

/// Sorts x[0, n) ascending (no NaN in it) with `scratch` (n values) on up to `threads` threads.
template <class T, int Bits = 8>
void radix_sort(T* x, T* scratch, std::int64_t n, int threads) {
  using U = radix_key_t<T>;
  constexpr int kBuckets = 1 << Bits;
  constexpr U kMask = static_cast<U>(kBuckets - 1);
  constexpr int kPasses = (8 * static_cast<int>(sizeof(U)) + Bits - 1) / Bits;
  if (n < 2) return;
  if (threads < 1) threads = 1;
  // Per thread: its digit counts, then its next place per digit (taken here: nothing inside the
  // parallel region allocates).
  std::vector<std::int64_t> counts(static_cast<std::size_t>(threads) * kBuckets);
  std::vector<std::int64_t> places(static_cast<std::size_t>(threads) * kBuckets);
  unsigned char* buffers[2] = {reinterpret_cast<unsigned char*>(x),
                               reinterpret_cast<unsigned char*>(scratch)};

  const auto body = [&](int t, int nt) {
    const auto [lo, hi] = static_range(n, nt, t, 64);
    std::int64_t* mine = counts.data() + static_cast<std::size_t>(t) * kBuckets;
    std::int64_t* next = places.data() + static_cast<std::size_t>(t) * kBuckets;
    int src = 0;
    bool keyed = false;  // buffers[src] holds keys (else values)
    for (int pass = 0; pass < kPasses; ++pass) {
      const int shift = pass * Bits;
      const bool last = pass == kPasses - 1;
      const unsigned char* in = buffers[src];
      std::fill(mine, mine + kBuckets, std::int64_t{0});
      if (keyed) {
        for (std::int64_t i = lo; i < hi; ++i) ++mine[(load_at<U>(in, i) >> shift) & kMask];
      } else {
        for (std::int64_t i = lo; i < hi; ++i) {
          ++mine[(to_radix_key(load_at<T>(in, i)) >> shift) & kMask];
        }
      }
#pragma omp barrier
      bool skip = false;
      std::int64_t base = 0;
      for (int d = 0; d < kBuckets; ++d) {
        std::int64_t total = 0;
        std::int64_t before = 0;
        for (int u = 0; u < nt; ++u) {
          const std::int64_t c = counts[static_cast<std::size_t>(u) * kBuckets + d];
          if (u < t) before += c;
          total += c;
        }
        skip |= total == n;
        next[d] = base + before;
        base += total;
      }
      if (!skip) {
        unsigned char* out = buffers[1 - src];
        std::int64_t* at = next;
        for (std::int64_t i = lo; i < hi; ++i) {
          const U k = keyed ? load_at<U>(in, i) : to_radix_key(load_at<T>(in, i));
          const std::int64_t p = at[(k >> shift) & kMask]++;
          if (last) {
            store_at<T>(out, p, from_radix_key<T>(k));
          } else {
            store_at<U>(out, p, k);
          }
        }
        src = 1 - src;
        keyed = !last;
      }
#pragma omp barrier
    }
    // Values back into x: from the scratch buffer, and/or from keys (a skipped last pass).
    if (src != 0 || keyed) {
      const unsigned char* in = buffers[src];
      for (std::int64_t i = lo; i < hi; ++i) {
        const T v = keyed ? from_radix_key<T>(load_at<U>(in, i)) : load_at<T>(in, i);
        store_at<T>(buffers[0], i, v);
      }
    }
  };
  if (threads == 1) {
    body(0, 1);
    return;
  }
#if defined(_OPENMP)
#pragma omp parallel num_threads(threads)
  body(omp_get_thread_num(), omp_get_num_threads());
#else
  body(0, 1);
#endif
}

}  // namespace tandem::detail
