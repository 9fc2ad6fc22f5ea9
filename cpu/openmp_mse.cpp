// RECIPE 6 (ARCHITECTURE.md, "Adding a workload"): the openmp backend.
#include <cstdint>

#include "kernels/blocked_sum.hpp"
#include "kernels/cpu_kernels.hpp"
#include "openmp_backend.hpp"

namespace tandem::detail::openmp {

// The fixed tree of kernels/blocked_sum.hpp: every thread count gives the same bits.
void mse(MseArgs& args, const Exec& exec) {
  args.result = blocked_pairwise_sum(
                    args.n, exec.threads,
                    [&](std::int64_t lo, std::int64_t hi) { return mse_block_sum(args, lo, hi); }) /
                static_cast<double>(args.n);
}

}  // namespace tandem::detail::openmp
