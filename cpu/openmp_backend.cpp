#include "openmp_backend.hpp"

#include <omp.h>

#include "cpu_backends.hpp"
#include "kernels/blas.hpp"
#include "kernels/partition.hpp"
#include "openmp_threads.hpp"

namespace tandem::detail {

int OpenmpBackend::default_threads() const noexcept { return openmp_default_threads(); }
int OpenmpBackend::machine_threads() const noexcept { return openmp_machine_threads(); }

Team OpenmpBackend::team(int requested) noexcept { return openmp_team(requested); }

Nesting OpenmpBackend::nesting() const noexcept {
  if (omp_in_parallel() == 0) return Nesting::none;
  return omp_get_active_level() < omp_get_max_active_levels() ? Nesting::nested
                                                              : Nesting::nested_disabled;
}

std::string OpenmpBackend::device() const {
  return "CPU, " + std::to_string(default_threads()) +
         " OpenMP threads; f32/f64 GEMM: " + blas_description();
}

void OpenmpBackend::run(tandem::Workload w, void* args, const Exec& exec) {
  switch (w) {
#define TANDEM_OPENMP_CASE_(name) \
  case tandem::Workload::name:    \
    return openmp::name(*static_cast<Args<tandem::Workload::name>*>(args), exec);
    TANDEM_FOR_EACH_WORKLOAD(TANDEM_OPENMP_CASE_)
#undef TANDEM_OPENMP_CASE_
  }
  throw invalid_argument("tandem: workload " + std::to_string(static_cast<int>(w)) +
                         " is not a tandem::Workload enumerator");
}

void OpenmpBackend::parallel_for(std::int64_t n, ChunkFn fn, void* ctx, const Exec& exec) {
  if (exec.threads == 1) {
    if (n > 0) fn(ctx, 0, n);
    return;
  }
#pragma omp parallel num_threads(exec.threads)
  {
    const auto [begin, end] = static_range(n, omp_get_num_threads(), omp_get_thread_num(), kGrain);
    if (begin < end) fn(ctx, begin, end);
  }
}

std::unique_ptr<BackendImpl> make_openmp_backend() { return std::make_unique<OpenmpBackend>(); }

}  // namespace tandem::detail
