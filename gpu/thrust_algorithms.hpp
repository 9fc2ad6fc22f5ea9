#pragma once
// The cuda backend's Thrust algorithms, written once against an execution policy: the module
// runs them with thrust::cuda::par_nosync(allocator).on(stream); the tests run the same code
// with Thrust's OpenMP system on the CPU.
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/transform.h>
#include <thrust/transform_reduce.h>

#include <cstdint>

#include "device_ops.hpp"

namespace tandem::cuda {

/// y[i] = op(x[i]) for i < n (y may be x).
template <class Policy, class T, class Op>
void map_elements(Policy&& policy, const T* x, T* y, std::int64_t n, Op op) {
  if (n > 0) thrust::transform(policy, x, x + n, y, op);
}

/// mean((a - b)^2), or mean(a^2) when b is null; n > 0.
template <class Policy, class T>
double mean_squared_error(Policy&& policy, const T* a, const T* b, std::int64_t n) {
  const thrust::counting_iterator<std::int64_t> first(0);
  const Sum2 s = thrust::transform_reduce(policy, first, first + n, SquaredError<T>{a, b},
                                          Sum2{0.0, 0.0}, Sum2Plus{});
  return (s.hi + s.lo) / static_cast<double>(n);
}

/// Every point of the grid (sets x nx), one launch.
template <class Policy, class T>
void evaluate_grid(Policy&& policy, const GridPoint<T>& g, std::int64_t sets) {
  const std::int64_t total = sets * g.nx;
  if (total > 0) thrust::for_each_n(policy, thrust::counting_iterator<std::int64_t>(0), total, g);
}

}  // namespace tandem::cuda
