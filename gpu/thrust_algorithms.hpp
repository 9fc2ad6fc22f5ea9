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
#include "pipeline.hpp"

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

/// mse's fixed-chunk tree (pipeline.hpp) over the chunks of a[0, n) and b[0, n) (b may be
/// null), chunk elements each (the last one shorter): the kMseGroups group sums of each chunk
/// into groups[c * kMseGroups ...], through lane[chunks * kMseLanes] on the device. Two launches
/// whatever the number of chunks; a chunk's sums do not depend on the chunks beside it.
template <class Policy, class T>
void mse_chunk_groups(Policy&& policy, const T* a, const T* b, std::int64_t n, std::int64_t chunk,
                      Sum2* lane, Sum2* groups) {
  const std::int64_t chunks = (n + chunk - 1) / chunk;
  const thrust::counting_iterator<std::int64_t> first(0);
  thrust::for_each_n(policy, first, chunks * kMseLanes,
                     ChunkLaneSum<T>{a, b, n, chunk, kMseLanes, lane});
  thrust::for_each_n(policy, first, chunks * kMseGroups,
                     GroupSum{lane, kMseLanes / kMseGroups, groups});
}

/// The mse of n terms from the group sums of mse_chunk_groups (host memory): added in chunk
/// order, then divided by n.
inline double mse_from_groups(const Sum2* groups, std::int64_t n, std::int64_t chunks) {
  Sum2 total{0.0, 0.0};
  for (std::int64_t i = 0; i < chunks * kMseGroups; ++i) total = Sum2Plus{}(total, groups[i]);
  return (total.hi + total.lo) / static_cast<double>(n);
}

/// Every point of the grid (sets x nx), one launch.
template <class Policy, class T>
void evaluate_grid(Policy&& policy, const GridPoint<T>& g, std::int64_t sets) {
  const std::int64_t total = sets * g.nx;
  if (total > 0) thrust::for_each_n(policy, thrust::counting_iterator<std::int64_t>(0), total, g);
}

}  // namespace tandem::cuda
