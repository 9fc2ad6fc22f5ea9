#include "openmp_backend.hpp"

#include <omp.h>

#include "cpu_backends.hpp"
#include "kernels/blas.hpp"
#include "openmp_threads.hpp"

namespace tandem::detail {

int OpenmpBackend::default_threads() const noexcept { return openmp_default_threads(); }

Team OpenmpBackend::team(int requested) noexcept { return openmp_team(requested); }

Nesting OpenmpBackend::nesting() const noexcept {
  if (omp_in_parallel() == 0) return Nesting::none;
  return omp_get_active_level() < omp_get_max_active_levels() ? Nesting::nested
                                                              : Nesting::nested_disabled;
}

std::string OpenmpBackend::device() const {
  return "CPU, " + std::to_string(default_threads()) +
         " OpenMP threads; f32/f64 matmul: " + blas_description();
}

std::unique_ptr<BackendImpl> make_openmp_backend() { return std::make_unique<OpenmpBackend>(); }

}  // namespace tandem::detail
