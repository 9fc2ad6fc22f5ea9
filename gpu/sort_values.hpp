#pragma once
// The cuda backend's sort, written once against an execution policy (the module: Thrust's CUDA
// policy on the call's stream, where thrust::sort of unsigned integers with the default order
// is CUB's radix sort; the emulated module: Thrust's OpenMP system). NaNs last, as np.sort:
// the NaNs are moved to the end first (only when there are any), then the rest is sorted as
// order-preserving unsigned keys.
// No CUDA header here: the emulated module compiles it with the host compiler.
#include <thrust/count.h>
#include <thrust/partition.h>
#include <thrust/sort.h>
#include <thrust/transform.h>

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "device_ops.hpp"

namespace tandem::cuda {

template <class T>
struct IsNan {
  TANDEM_HD bool operator()(T v) const { return v != v; }
};
template <class T>
struct IsNotNan {
  TANDEM_HD bool operator()(T v) const { return v == v; }
};

/// The unsigned image of a value whose unsigned order is the value's order (no NaN): the sign
/// bit flipped for integers; for floats, negative values' bits inverted and positive values'
/// sign bit set (as cpu/kernels/sort_keys.hpp's to_radix_key). Sorting these instead of the
/// values also sidesteps Thrust 3.0's OpenMP-system sort, which orders int32 wrongly.
template <class T>
using SortKey = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;

template <class T>
struct ToSortKey {
  TANDEM_HD SortKey<T> operator()(T v) const {
    using U = SortKey<T>;
    constexpr U sign = U{1} << (8 * sizeof(U) - 1);
    U b;
    memcpy(&b, &v, sizeof(U));
    if constexpr (std::is_floating_point_v<T>) {
      return b ^ ((U{0} - (b >> (8 * sizeof(U) - 1))) | sign);
    } else {
      return b ^ sign;
    }
  }
};
template <class T>
struct FromSortKey {
  TANDEM_HD T operator()(SortKey<T> k) const {
    using U = SortKey<T>;
    constexpr U sign = U{1} << (8 * sizeof(U) - 1);
    U b = k ^ sign;
    if constexpr (std::is_floating_point_v<T>) b = k ^ (((k >> (8 * sizeof(U) - 1)) - U{1}) | sign);
    T v;
    memcpy(&v, &b, sizeof(U));
    return v;
  }
};

/// Sorts x[0, n) (memory the policy's system reads) ascending, NaNs last: the NaNs moved to the
/// end (only when there are any), the rest turned into their keys in place, the keys sorted (an
/// unsigned radix sort on a GPU), and turned back.
template <class Policy, class T>
void sort_values(Policy&& policy, T* x, std::int64_t n) {
  if (n < 2) return;
  std::int64_t m = n;
  if constexpr (std::is_floating_point_v<T>) {
    const auto nans = thrust::count_if(policy, x, x + n, IsNan<T>{});
    if (nans == n) return;
    if (nans > 0) m = thrust::partition(policy, x, x + n, IsNotNan<T>{}) - x;
  }
  auto* keys = reinterpret_cast<SortKey<T>*>(x);
  thrust::transform(policy, x, x + m, keys, ToSortKey<T>{});
  thrust::sort(policy, keys, keys + m);
  thrust::transform(policy, keys, keys + m, x, FromSortKey<T>{});
}

}  // namespace tandem::cuda
