#pragma once
// The real module's call: the shared runtime's Call (runtime.hpp) plus what only a GPU has, for
// the workloads' flow (workloads.hpp): the Thrust policy on the call's CUDA stream, launch
// checks, cuBLAS and tandem's integer GEMM kernel (cuda_matmul.cu).
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <thrust/system/cuda/execution_policy.h>

#include <cstdint>

#include "cuda_check.hpp"
#include "runtime.hpp"

namespace tandem::cuda {

class CudaCall : public Call {
 public:
  using Call::Call;

  cudaStream_t cuda_stream() const noexcept { return reinterpret_cast<cudaStream_t>(stream()); }
  /// The Thrust execution policy of the call: its stream, its scratch, no synchronisation.
  auto policy() { return thrust::cuda::par_nosync(thrust_allocator()).on(cuda_stream()); }
  /// Checks the launch just made (a bad configuration is reported at once; a fault at finish).
  void launched() { TANDEM_CUDA_CHECK(cudaGetLastError()); }

  /// The worker's cuBLAS handle (created on first use, bound to the stream).
  cublasHandle_t blas() {
    void*& slot = library_handle();
    if (slot == nullptr) {
      // Configured before it is kept: a handle that failed to bind to the stream or the math
      // mode would otherwise run later calls on the default stream or with TF32.
      cublasHandle_t h = nullptr;
      TANDEM_CUDA_CHECK(cublas().create(&h));
      try {
        TANDEM_CUDA_CHECK(cublas().set_stream(h, cuda_stream()));
        // No TF32 or other reduced-precision shortcuts: f32 stays IEEE f32.
        TANDEM_CUDA_CHECK(cublas().set_math_mode(h, CUBLAS_DEFAULT_MATH));
      } catch (...) {
        cublas().destroy(h);
        throw;
      }
      slot = h;
    }
    return static_cast<cublasHandle_t>(slot);
  }

  /// Row-major C = A·B on the stream (k > 0): cuBLAS for f32/f64, tandem's tiled kernel for
  /// integers (cuda_matmul.cu). zero_matrix: C = 0 (an empty sum).
  template <class T>
  void gemm(std::int64_t m, std::int64_t n, std::int64_t k, const T* A, std::int64_t lda,
            const T* B, std::int64_t ldb, T* C, std::int64_t ldc);
  template <class T>
  void zero_matrix(T* C, std::int64_t m, std::int64_t n, std::int64_t ldc) {
    TANDEM_CUDA_CHECK(cudaMemset2DAsync(C, static_cast<std::size_t>(ldc) * sizeof(T), 0,
                                        static_cast<std::size_t>(n) * sizeof(T),
                                        static_cast<std::size_t>(m), cuda_stream()));
  }
};

}  // namespace tandem::cuda
