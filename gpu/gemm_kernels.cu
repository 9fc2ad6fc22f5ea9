// What only a GPU has for the GEMM (CudaCall::gemm, which the product's flow calls): cuBLAS for
// f32/f64 (row-major through the transpose identity, no copies), and tandem's own shared-memory
// tiled kernel for i32/i64, which cuBLAS lacks, wrapping modulo 2^bits like the CPU backends.
// Real module only: the emulated module's HostCall has a host loop instead.
#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "cuda_call.hpp"

namespace tandem::cuda {

namespace {

// A 64x64 tile of C per block of 256 threads, each thread a 4x4 register block; k in steps of
// 16 through shared memory. Products and sums are in the unsigned type: wraparound, no UB.
constexpr int kTile = 64;
constexpr int kStep = 16;
constexpr int kThreads = 256;

template <class T>
__global__ void __launch_bounds__(kThreads)
    integer_gemm(std::int64_t m, std::int64_t n, std::int64_t k, const T* __restrict__ A,
                 std::int64_t lda, const T* __restrict__ B, std::int64_t ldb, T* __restrict__ C,
                 std::int64_t ldc) {
  using U = std::make_unsigned_t<T>;
  __shared__ U As[kStep][kTile + 1];  // As[kk][row]; +1 keeps the transposed stores conflict-free
  __shared__ U Bs[kStep][kTile];      // Bs[kk][col]
  const int tx = static_cast<int>(threadIdx.x) % 16;
  const int ty = static_cast<int>(threadIdx.x) / 16;
  const std::int64_t col0 = static_cast<std::int64_t>(blockIdx.x) * kTile;
  for (std::int64_t row0 = static_cast<std::int64_t>(blockIdx.y) * kTile; row0 < m;
       row0 += static_cast<std::int64_t>(gridDim.y) * kTile) {
    U acc[4][4] = {};
    for (std::int64_t k0 = 0; k0 < k; k0 += kStep) {
      for (int i = static_cast<int>(threadIdx.x); i < kTile * kStep; i += kThreads) {
        const int r = i / kStep, kk = i % kStep;
        const std::int64_t gr = row0 + r, gk = k0 + kk;
        As[kk][r] = gr < m && gk < k ? static_cast<U>(A[gr * lda + gk]) : U{0};
      }
      for (int i = static_cast<int>(threadIdx.x); i < kTile * kStep; i += kThreads) {
        const int kk = i / kTile, c = i % kTile;
        const std::int64_t gk = k0 + kk, gc = col0 + c;
        Bs[kk][c] = gk < k && gc < n ? static_cast<U>(B[gk * ldb + gc]) : U{0};
      }
      __syncthreads();
#pragma unroll
      for (int kk = 0; kk < kStep; ++kk) {
        U a[4], b[4];
#pragma unroll
        for (int i = 0; i < 4; ++i) a[i] = As[kk][ty + 16 * i];
#pragma unroll
        for (int j = 0; j < 4; ++j) b[j] = Bs[kk][tx + 16 * j];
#pragma unroll
        for (int i = 0; i < 4; ++i) {
#pragma unroll
          for (int j = 0; j < 4; ++j) acc[i][j] += a[i] * b[j];
        }
      }
      __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const std::int64_t r = row0 + ty + 16 * i;
      if (r >= m) continue;
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        const std::int64_t c = col0 + tx + 16 * j;
        if (c < n) C[r * ldc + c] = static_cast<T>(acc[i][j]);
      }
    }
  }
}

}  // namespace

template <class T>
void CudaCall::gemm(std::int64_t m, std::int64_t n, std::int64_t k, const T* A, std::int64_t lda,
                    const T* B, std::int64_t ldb, T* C, std::int64_t ldc) {
  if constexpr (std::is_floating_point_v<T>) {
    // Row-major C = A·B is column-major C^T = B^T·A^T: the same memory, operands swapped.
    const T one = 1, zero = 0;
    if constexpr (std::is_same_v<T, float>) {
      TANDEM_CUDA_CHECK(cublas().sgemm(blas(), CUBLAS_OP_N, CUBLAS_OP_N, n, m, k, &one, B, ldb, A,
                                       lda, &zero, C, ldc));
    } else {
      TANDEM_CUDA_CHECK(cublas().dgemm(blas(), CUBLAS_OP_N, CUBLAS_OP_N, n, m, k, &one, B, ldb, A,
                                       lda, &zero, C, ldc));
    }
  } else {
    const dim3 grid(static_cast<unsigned>((n + kTile - 1) / kTile),
                    static_cast<unsigned>(std::min<std::int64_t>((m + kTile - 1) / kTile, 65535)));
    integer_gemm<T><<<grid, kThreads, 0, cuda_stream()>>>(m, n, k, A, lda, B, ldb, C, ldc);
    launched();
  }
}

template void CudaCall::gemm<float>(std::int64_t, std::int64_t, std::int64_t, const float*,
                                    std::int64_t, const float*, std::int64_t, float*, std::int64_t);
template void CudaCall::gemm<double>(std::int64_t, std::int64_t, std::int64_t, const double*,
                                     std::int64_t, const double*, std::int64_t, double*,
                                     std::int64_t);
template void CudaCall::gemm<std::int32_t>(std::int64_t, std::int64_t, std::int64_t,
                                           const std::int32_t*, std::int64_t, const std::int32_t*,
                                           std::int64_t, std::int32_t*, std::int64_t);
template void CudaCall::gemm<std::int64_t>(std::int64_t, std::int64_t, std::int64_t,
                                           const std::int64_t*, std::int64_t, const std::int64_t*,
                                           std::int64_t, std::int64_t*, std::int64_t);

}  // namespace tandem::cuda
