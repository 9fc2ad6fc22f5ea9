// matmul on the GPU: host operands staged as packed copies; the product is the Call's gemm<T>
// (cuBLAS for f32/f64 and tandem's tiled kernel for integers on a GPU: gemm_kernels.cu).
// The same source builds the real module (nvcc, module_call.hpp's CudaCall) and the emulated one
// (the host compiler, HostCall on Thrust's OpenMP system): written once, no CUDA syntax here.
#include "module_call.hpp"

namespace tandem::cuda {

/// matmul: host operands staged as packed copies; the product is the Call's gemm<T> (cuBLAS for
/// f32/f64 and tandem's tiled kernel for integers on a GPU), an empty sum its zero_matrix<T>.
template <class Call>
void matmul_on(detail::MatmulArgs& a, bool device, detail::Breakdown* timing) {
  detail::visit_dtype(a.dtype, [&]<class T>() {
    Call call(timing);
    const std::int64_t m = a.m, n = a.n, k = a.k;
    const T* A = static_cast<const T*>(a.a);
    const T* B = static_cast<const T*>(a.b);
    T* C = static_cast<T*>(a.c);
    std::int64_t lda = a.lda, ldb = a.ldb, ldc = a.ldc;
    const bool has_output = m > 0 && n > 0;
    if (!device && has_output) {  // stage packed copies: ld becomes the column count
      // Every buffer is taken before the first copy starts the clock.
      call.prepare_staging();
      C = call.template scratch_for<T>(m * n);
      ldc = n;
      if (k > 0) {
        T* sa = call.template scratch_for<T>(m * k);
        T* sb = call.template scratch_for<T>(k * n);
        call.upload(sa, A, static_cast<std::size_t>(m), static_cast<std::size_t>(k) * sizeof(T),
                    static_cast<std::size_t>(lda) * sizeof(T));
        call.upload(sb, B, static_cast<std::size_t>(k), static_cast<std::size_t>(n) * sizeof(T),
                    static_cast<std::size_t>(ldb) * sizeof(T));
        A = sa;
        B = sb;
        lda = k;
        ldb = n;
      }
    }
    call.compute_begin();
    if (has_output) {
      if (k == 0) {  // an empty sum: C = 0
        call.template zero_matrix<T>(C, m, n, ldc);
      } else {
        call.template gemm<T>(m, n, k, A, lda, B, ldb, C, ldc);
      }
    }
    call.compute_end();
    if (!device && has_output) {
      call.download(a.c, static_cast<std::size_t>(a.ldc) * sizeof(T), C,
                    static_cast<std::size_t>(m), static_cast<std::size_t>(n) * sizeof(T));
    }
    call.finish();
  });
}

TANDEM_CUDA_WORKLOAD(matmul)

}  // namespace tandem::cuda
