#pragma once
// The openmp backend's fixed summation tree, shared by mse and map_reduce's float sums (and
// matched by tandem::dist): blocks of kSumBlock terms, each summed by `block_sum(lo, hi)` in
// parallel (static schedule), then the block sums folded pairwise. The tree depends on n only,
// so every thread count gives the same bits. Included by openmp TUs only (OpenMP pragmas).
#include <array>
#include <cstdint>
#include <vector>

#include "kernels/pairwise.hpp"

namespace tandem::detail {

/// The sum of block_sum(lo, hi) over the blocks of [0, n), folded pairwise; n > 0. A call of at
/// most one block, or on one thread, runs on the calling thread without a parallel region.
template <class BlockSum>
double blocked_pairwise_sum(std::int64_t n, int threads, BlockSum&& block_sum) {
  const std::int64_t blocks = (n + kSumBlock - 1) / kSumBlock;
  std::array<double, 512> small;
  std::vector<double> large;
  double* sums = small.data();
  if (blocks > static_cast<std::int64_t>(small.size())) {
    large.resize(static_cast<std::size_t>(blocks));  // bad_alloc becomes out_of_memory
    sums = large.data();
  }
  const auto block = [&](std::int64_t b) {
    const std::int64_t lo = b * kSumBlock;
    sums[b] = block_sum(lo, lo + kSumBlock < n ? lo + kSumBlock : n);
  };
  if (threads == 1 || blocks == 1) {
    for (std::int64_t b = 0; b < blocks; ++b) block(b);
  } else {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (std::int64_t b = 0; b < blocks; ++b) block(b);
  }
  return pairwise_fold(blocks, [sums](std::int64_t b) { return sums[b]; });
}

}  // namespace tandem::detail
