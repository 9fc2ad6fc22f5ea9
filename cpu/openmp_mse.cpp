// RECIPE 6 (ARCHITECTURE.md, "Adding a workload"): the openmp backend.
#include <array>
#include <vector>

#include "kernels/cpu_kernels.hpp"
#include "kernels/pairwise.hpp"
#include "openmp_backend.hpp"

namespace tandem::detail::openmp {

// Blocks of kSumBlock terms are summed in parallel (static schedule), then the block sums are
// folded pairwise. The tree depends on n only, so every thread count gives the same bits.
void mse(MseArgs& args, const Exec& exec) {
  const std::int64_t blocks = (args.n + kSumBlock - 1) / kSumBlock;
  std::array<double, 512> small;
  std::vector<double> large;
  double* sums = small.data();
  if (blocks > static_cast<std::int64_t>(small.size())) {
    large.resize(static_cast<std::size_t>(blocks));  // bad_alloc becomes out_of_memory
    sums = large.data();
  }
  const auto block = [&](std::int64_t b) {
    const std::int64_t lo = b * kSumBlock;
    sums[b] = mse_block_sum(args, lo, lo + kSumBlock < args.n ? lo + kSumBlock : args.n);
  };
  if (exec.threads == 1) {
    for (std::int64_t b = 0; b < blocks; ++b) block(b);
  } else {
#pragma omp parallel for schedule(static) num_threads(exec.threads)
    for (std::int64_t b = 0; b < blocks; ++b) block(b);
  }
  args.result = pairwise_fold(blocks, [sums](std::int64_t b) { return sums[b]; }) /
                static_cast<double>(args.n);
}

}  // namespace tandem::detail::openmp
