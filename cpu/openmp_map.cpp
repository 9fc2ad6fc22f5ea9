#include "kernels/cpu_kernels.hpp"
#include "kernels/partition.hpp"
#include "openmp_backend.hpp"

#include <omp.h>

namespace tandem::detail::openmp {

void map(MapArgs& args, const Exec& exec) {
  if (exec.threads == 1) return map_range(args, 0, args.n);
#pragma omp parallel num_threads(exec.threads)
  {
    const auto [begin, end] =
        static_range(args.n, omp_get_num_threads(), omp_get_thread_num(), kGrain);
    map_range(args, begin, end);
  }
}

}  // namespace tandem::detail::openmp
