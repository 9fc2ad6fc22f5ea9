#include <vector>

#include "kernels/arith.hpp"
#include "kernels/cpu_kernels.hpp"
#include "serial_backend.hpp"

namespace tandem::detail::serial {

void polynomial_grid(PolynomialGridArgs& g, const Exec&) {
  visit_dtype(g.dtype, [&]<class T>() {
    std::vector<T> c(static_cast<std::size_t>(g.ncoef));
    std::vector<std::int64_t> idx(static_cast<std::size_t>(g.ncoef));
    const T* x = static_cast<const T*>(g.x);
    T* out = static_cast<T*>(g.out);
    for (std::int64_t r = 0; r < g.sets; ++r) {
      grid_coefficients(g, r, c.data(), idx.data());
      for (std::int64_t j = 0; j < g.nx; ++j) out[r * g.ldo + j] = horner(c.data(), g.ncoef, x[j]);
    }
  });
}

}  // namespace tandem::detail::serial
