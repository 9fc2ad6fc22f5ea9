#pragma once
// Reductions of mapped elements, the loops of the openmp backend: sums in double (the blocked
// pairwise tree of pairwise.hpp, the mean squared error's too, term = (double)op(x[i])), integer
// sums in wrapping uint64, and NaN-propagating min/max in T. Every loop is branch-free per element
// and runs in interleaved lanes (8 for float sums, 32 for min/max), so it vectorises without
// reassociating anything.
#include <cstdint>
#include <type_traits>

#include "map_ops.hpp"
#include "pairwise.hpp"

namespace tandem::detail {

/// The map of a plain reduction (sum, mean, min, max): the element itself.
template <class T>
struct IdentityOp {
  T operator()(T v) const noexcept { return v; }
};

/// Calls f(op) with IdentityOp<T> when `mapped` is false, else with visit_op's functor.
template <class T, class F>
decltype(auto) visit_map(bool mapped, MapKind kind, const T* p, std::int64_t np, F&& f) {
  if (!mapped) return f(IdentityOp<T>{});
  return visit_op(kind, p, np, f);
}

/// Pairwise sum (pairwise.hpp's block tree) of (double)op(x[i]) for i in [lo, hi),
/// hi - lo <= kSumBlock.
template <class T, class Op>
inline double mapped_block_sum(const T* __restrict x, std::int64_t lo, std::int64_t hi, Op op) {
  return block_sum(lo, hi, [x, op](std::int64_t i) { return static_cast<double>(op(x[i])); });
}

/// Sum of (int64)op(x[i]) for i in [lo, hi), wrapping modulo 2^64.
template <class T, class Op>
inline std::uint64_t mapped_int_sum(const T* __restrict x, std::int64_t lo, std::int64_t hi,
                                    Op op) {
  std::uint64_t s = 0;
  for (std::int64_t i = lo; i < hi; ++i) {
    s += static_cast<std::uint64_t>(static_cast<std::int64_t>(op(x[i])));
  }
  return s;
}

/// The smaller (Max: larger) of m and v; m when v is NaN.
template <bool Max, class T>
inline T better_of(T m, T v) noexcept {
  return (Max ? v > m : v < m) ? v : m;
}

/// Lanes of the min/max loops: 32 independent accumulators (four AVX-512 vectors of double)
/// break the select's dependency chain; GCC vectorises the lanes as a whole (fewer are slower).
inline constexpr int kExtremeLanes = 32;

/// min (Max: max) of op(x[i]) for i in [lo, hi), hi > lo; NaN if any mapped value is NaN.
/// The comparisons skip NaNs; NaNs are caught by a second select per lane (v != v ? v : keep),
/// so the loop stays two compares and two blends per vector, with no branch.
template <bool Max, class T, class Op>
inline T mapped_extreme(const T* __restrict x, std::int64_t lo, std::int64_t hi, Op op) {
  constexpr int L = kExtremeLanes;
  const T first = op(x[lo]);
  T acc[L];
  T nan[L];
  for (int l = 0; l < L; ++l) {
    acc[l] = first;
    nan[l] = T{0};
  }
  std::int64_t i = lo + 1;
  for (; i + L <= hi; i += L) {
    for (int l = 0; l < L; ++l) {
      const T v = op(x[i + l]);
      acc[l] = better_of<Max>(acc[l], v);
      if constexpr (std::is_floating_point_v<T>) nan[l] = v != v ? v : nan[l];  // NOLINT
    }
  }
  for (; i < hi; ++i) {
    const T v = op(x[i]);
    acc[0] = better_of<Max>(acc[0], v);
    if constexpr (std::is_floating_point_v<T>) nan[0] = v != v ? v : nan[0];  // NOLINT
  }
  T r = acc[0];
  for (int l = 1; l < L; ++l) r = better_of<Max>(r, acc[l]);
  if constexpr (std::is_floating_point_v<T>) {
    if (first != first) return first;  // NOLINT: the lanes started from a NaN
    for (int l = 0; l < L; ++l) {
      if (nan[l] != nan[l]) return nan[l];  // NOLINT
    }
  }
  return r;
}

/// Combines two partial results of mapped_extreme: NaN if either is NaN.
template <bool Max, class T>
inline T combine_extreme(T a, T b) noexcept {
  if constexpr (std::is_floating_point_v<T>) {
    if (a != a) return a;  // NOLINT
    if (b != b) return b;  // NOLINT
  }
  return better_of<Max>(a, b);
}

}  // namespace tandem::detail
