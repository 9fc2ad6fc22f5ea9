#include "blas.hpp"

#include <climits>
#include <cstddef>
#include <cstring>

#if TANDEM_HAS_BLAS
#include <omp.h>

// The Fortran BLAS interface with gfortran's hidden string lengths passed explicitly.
extern "C" {
void sgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
            const float* alpha, const float* a, const int* lda, const float* b, const int* ldb,
            const float* beta, float* c, const int* ldc, std::size_t, std::size_t);
void dgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
            const double* alpha, const double* a, const int* lda, const double* b, const int* ldb,
            const double* beta, double* c, const int* ldc, std::size_t, std::size_t);
// OpenBLAS only; null with other vendors.
char* openblas_get_config() __attribute__((weak));
int openblas_get_parallel() __attribute__((weak));
}
#endif

namespace tandem::detail {

#if TANDEM_HAS_BLAS
namespace {

bool fits_int(std::int64_t v) { return v <= INT_MAX; }

template <class T, class Gemm>
void call_gemm(Gemm gemm, const MatmulArgs& g) {
  // Row-major C = A·B is column-major C^T = B^T·A^T: the same memory, no copies.
  const int m = static_cast<int>(g.n), n = static_cast<int>(g.m), k = static_cast<int>(g.k);
  const int lda = static_cast<int>(g.ldb), ldb = static_cast<int>(g.lda);
  const int ldc = static_cast<int>(g.ldc);
  const T one = 1, zero = 0;
  gemm("N", "N", &m, &n, &k, &one, static_cast<const T*>(g.b), &lda, static_cast<const T*>(g.a),
       &ldb, &zero, static_cast<T*>(g.c), &ldc, 1, 1);
}

}  // namespace

bool blas_gemm(const MatmulArgs& g, int threads) {
  if (g.dtype != DType::f32 && g.dtype != DType::f64) return false;
  if (g.m == 0 || g.n == 0 || g.k == 0) return false;  // callers handle the trivial shapes
  if (!fits_int(g.m) || !fits_int(g.n) || !fits_int(g.k) || !fits_int(g.lda) || !fits_int(g.ldb) ||
      !fits_int(g.ldc)) {
    return false;
  }
  // An OpenMP-threaded BLAS sizes its team from this thread's nthreads-var: set it for the
  // call only.
  const int saved = omp_get_max_threads();
  omp_set_num_threads(threads);
  if (g.dtype == DType::f32) {
    call_gemm<float>(sgemm_, g);
  } else {
    call_gemm<double>(dgemm_, g);
  }
  omp_set_num_threads(saved);
  return true;
}

std::string blas_description() {
  std::string s = TANDEM_BLAS_VENDOR;
  if (openblas_get_config != nullptr) {
    // "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ...": keep the name and version.
    s = openblas_get_config();
    const auto second_space = s.find(' ', s.find(' ') + 1);
    if (second_space != std::string::npos) s.resize(second_space);
    if (openblas_get_parallel != nullptr) {
      const int p = openblas_get_parallel();
      s += p == 2   ? " (OpenMP threads)"
           : p == 1 ? " (pthreads: ignores Options::threads)"
                    : " (single-threaded)";
    }
  }
  return "BLAS " + s;
}

#else

bool blas_gemm(const MatmulArgs&, int) { return false; }
std::string blas_description() { return "tandem's blocked kernel (built without BLAS)"; }

#endif

}  // namespace tandem::detail
