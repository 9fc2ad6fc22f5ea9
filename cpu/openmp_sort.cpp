// RECIPE 6 (ARCHITECTURE.md, "Adding a workload"): the openmp backend.
// sort on the openmp backend: kernels/parallel_sort.hpp (NaNs to the end, then std::sort when
// small, else a parallel LSD radix sort on the values' order-preserving bit images).
#include "kernels/parallel_sort.hpp"
#include "openmp_backend.hpp"

namespace tandem::detail::openmp {

void sort(SortArgs& args, const Exec& exec) {
  visit_dtype(args.dtype,
              [&]<class T>() { parallel_sort(static_cast<T*>(args.x), args.n, exec.threads); });
}

}  // namespace tandem::detail::openmp
