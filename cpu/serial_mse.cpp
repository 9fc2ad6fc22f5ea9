// RECIPE 5 (ARCHITECTURE.md, "Adding a workload"): the serial oracle.
#include <cmath>

#include "serial_backend.hpp"

namespace tandem::detail::serial {

namespace {
// Compensated (Neumaier) summation in double, term by term: accurate and order-independent
// enough to serve as the reference for the parallel pairwise sums.
void neumaier_add(double& sum, double& comp, double v) noexcept {
  const double t = sum + v;
  comp += std::fabs(sum) >= std::fabs(v) ? (sum - t) + v : (v - t) + sum;
  sum = t;
}
}  // namespace

void mse(MseArgs& args, const Exec&) {
  args.result = visit_float_dtype(args.dtype, [&]<class T>() {
    const T* a = static_cast<const T*>(args.a);
    const T* b = static_cast<const T*>(args.b);
    double sum = 0.0;
    double comp = 0.0;
    for (std::int64_t i = 0; i < args.n; ++i) {
      const double d = static_cast<double>(a[i]) - (b != nullptr ? static_cast<double>(b[i]) : 0.0);
      neumaier_add(sum, comp, d * d);
    }
    // Once the sum overflows to Inf (or meets NaN) the compensation is NaN: IEEE says Inf/NaN.
    return (std::isfinite(sum) ? sum + comp : sum) / static_cast<double>(args.n);
  });
}

}  // namespace tandem::detail::serial
