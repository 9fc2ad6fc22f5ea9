#include <omp.h>

#include <vector>

#include "kernels/cpu_kernels.hpp"
#include "kernels/partition.hpp"
#include "openmp_backend.hpp"

namespace tandem::detail::openmp {

// Parameter sets are split into one contiguous range per thread; each thread walks its range
// with its own coefficient scratch (allocated here, before the parallel region).
void polynomial_grid(PolynomialGridArgs& args, const Exec& exec) {
  visit_dtype(args.dtype, [&]<class T>() {
    const auto per = static_cast<std::size_t>(args.ncoef);
    std::vector<T> coef(per * static_cast<std::size_t>(exec.threads));
    std::vector<std::int64_t> idx(per * static_cast<std::size_t>(exec.threads));
    if (exec.threads == 1) return polynomial_grid_rows(args, 0, args.sets, coef.data(), idx.data());
#pragma omp parallel num_threads(exec.threads)
    {
      const int t = omp_get_thread_num();
      const auto [r0, r1] = static_range(args.sets, omp_get_num_threads(), t, 1);
      polynomial_grid_rows(args, r0, r1, coef.data() + per * t, idx.data() + per * t);
    }
  });
}

}  // namespace tandem::detail::openmp
