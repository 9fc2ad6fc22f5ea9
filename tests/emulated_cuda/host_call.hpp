#pragma once
// The emulated module's call: the module's shared runtime Call (gpu/runtime.hpp, here on the
// host device API) plus the host stand-ins for what only a GPU has, for the workloads' flow
// (gpu/cuda_<workload>.cu, through gpu/module_call.hpp): Thrust's OpenMP system for the call's
// stream, and a loop for cuBLAS and the integer GEMM kernel.
#include <thrust/system/omp/execution_policy.h>

#include <cstdint>

#include "device_ops.hpp"
#include "runtime.hpp"

namespace tandem::cuda {

/// TANDEM_EMULATED_FAULT=<workload> (a name of TANDEM_FOR_EACH_WORKLOAD): every call of that
/// workload fails as a kernel that touched an illegal address does on a GPU, a sticky error
/// that loses the context. HostCall's constructor calls it: a workload that returns before it
/// takes a Call (an empty polynomial grid launches nothing) does not fault.
void inject_fault();

class HostCall : public Call {
 public:
  explicit HostCall(detail::Breakdown* timing) : Call(timing) { inject_fault(); }

  /// Thrust's OpenMP system with the call's scratch, where the GPU has the call's stream.
  auto policy() { return thrust::omp::par(thrust_allocator()); }
  /// Nothing to check: the host algorithms report their failures by throwing.
  void launched() noexcept {}

  /// Row-major C = A·B (k > 0), where the module has cuBLAS and its integer kernel: each element
  /// summed over l in order, in T, with the module's element operations (wraparound for
  /// integers, plain IEEE for floats). zero_matrix: C = 0.
  template <class T>
  void gemm(std::int64_t m, std::int64_t n, std::int64_t k, const T* A, std::int64_t lda,
            const T* B, std::int64_t ldb, T* C, std::int64_t ldc) {
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < m; ++i) {
      T* c = C + i * ldc;
      for (std::int64_t j = 0; j < n; ++j) c[j] = T{0};
      for (std::int64_t l = 0; l < k; ++l) {
        const T a = A[i * lda + l];
        const T* b = B + l * ldb;
        for (std::int64_t j = 0; j < n; ++j) c[j] = add(c[j], mul(a, b[j]));
      }
    }
  }
  template <class T>
  void zero_matrix(T* C, std::int64_t m, std::int64_t n, std::int64_t ldc) {
    for (std::int64_t i = 0; i < m; ++i) {
      for (std::int64_t j = 0; j < n; ++j) C[i * ldc + j] = T{0};
    }
  }
};

}  // namespace tandem::cuda
