#pragma once
// The cuda backend's sort, written once against an execution policy (the module: Thrust's CUDA
// policy on the call's stream, where thrust::sort of an arithmetic type with the default order
// is CUB's radix sort; the emulated module: Thrust's OpenMP system). NaNs last, as np.sort:
// radix sorts order floats by their bits, which puts negative NaNs first, so the NaNs are moved
// to the end first (only when there are any) and the rest is sorted.
// No CUDA header here: the emulated module compiles it with the host compiler.
#include <thrust/count.h>
#include <thrust/partition.h>
#include <thrust/sort.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "device_ops.hpp"
#include "dispatch/backend_impl.hpp"

namespace tandem::cuda {

template <class T>
struct IsNan {
  TANDEM_HD bool operator()(T v) const { return v != v; }
};
template <class T>
struct IsNotNan {
  TANDEM_HD bool operator()(T v) const { return v == v; }
};

/// Sorts x[0, n) (memory the policy's system reads) ascending, NaNs last.
template <class Policy, class T>
void sort_values(Policy&& policy, T* x, std::int64_t n) {
  if (n < 2) return;
  T* end = x + n;
  if constexpr (std::is_floating_point_v<T>) {
    const auto nans = thrust::count_if(policy, x, x + n, IsNan<T>{});
    if (nans == n) return;
    if (nans > 0) end = thrust::partition(policy, x, x + n, IsNotNan<T>{});
  }
  thrust::sort(policy, x, end);
}

/// sort: the values staged in (host data) or sorted where they are (a DeviceBuffer), then
/// sort_values; Thrust's temporaries come from the call's scratch.
template <class Call>
void sort_on(detail::SortArgs& a, bool device, detail::Breakdown* timing) {
  if (a.n < 2) return;  // nothing to sort, nothing to copy
  detail::visit_dtype(a.dtype, [&]<class T>() {
    Call call(timing);
    const std::size_t bytes = static_cast<std::size_t>(a.n) * sizeof(T);
    T* x = static_cast<T*>(a.x);
    // Every buffer is taken before the first copy starts the clock.
    if (!device) {
      call.prepare_staging();
      x = call.template scratch_for<T>(a.n);
      call.upload(x, a.x, 1, bytes, bytes);
    }
    call.compute_begin();
    sort_values(call.policy(), x, a.n);
    call.launched();
    call.compute_end();
    if (!device) call.download(a.x, bytes, x, 1, bytes);
    call.finish();
  });
}

}  // namespace tandem::cuda
