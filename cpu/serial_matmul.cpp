#include "kernels/arith.hpp"
#include "serial_backend.hpp"

namespace tandem::detail::serial {

// Row i of C accumulates A(i, p) * row p of B, for p in order: plain loops, each C(i, j) summed
// in order of p.
void matmul(MatmulArgs& g, const Exec&) {
  visit_dtype(g.dtype, [&]<class T>() {
    const T* A = static_cast<const T*>(g.a);
    const T* B = static_cast<const T*>(g.b);
    T* C = static_cast<T*>(g.c);
    for (std::int64_t i = 0; i < g.m; ++i) {
      T* c = C + i * g.ldc;
      for (std::int64_t j = 0; j < g.n; ++j) c[j] = T{0};
      for (std::int64_t p = 0; p < g.k; ++p) {
        const T a = A[i * g.lda + p];
        const T* b = B + p * g.ldb;
        for (std::int64_t j = 0; j < g.n; ++j) c[j] = add(c[j], mul(a, b[j]));
      }
    }
  });
}

}  // namespace tandem::detail::serial
