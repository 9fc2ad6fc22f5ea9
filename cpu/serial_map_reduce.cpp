// map_reduce on serial, the oracle: one plain loop per reduction. Float sums are compensated
// (Neumaier) in double, independent of the pairwise trees of the other backends; integer sums
// wrap in uint64; min/max stop at the first NaN.
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "kernels/map_ops.hpp"
#include "serial_backend.hpp"

namespace tandem::detail::serial {

namespace {

void neumaier_add(double& sum, double& comp, double v) noexcept {
  const double t = sum + v;
  comp += std::fabs(sum) >= std::fabs(v) ? (sum - t) + v : (v - t) + sum;
  sum = t;
}

}  // namespace

void map_reduce(Args<tandem::Workload::map_reduce>& a, const Exec&) {
  visit_dtype(a.dtype, [&]<class T>() {
    const T* x = static_cast<const T*>(a.x);
    const T* p = static_cast<const T*>(a.params);
    const auto at = [&](std::int64_t i) {
      if (!a.mapped) return x[i];
      return visit_op(a.kind, p, a.nparams, [&](auto op) { return op(x[i]); });
    };
    if (a.reduce == ReduceKind::sum) {
      if constexpr (std::is_floating_point_v<T>) {
        double sum = 0.0;
        double comp = 0.0;
        for (std::int64_t i = 0; i < a.n; ++i) neumaier_add(sum, comp, static_cast<double>(at(i)));
        // Once the sum is Inf or NaN the compensation is NaN: IEEE says Inf/NaN.
        a.value = std::isfinite(sum) ? sum + comp : sum;
      } else {
        std::uint64_t sum = 0;
        for (std::int64_t i = 0; i < a.n; ++i) {
          sum += static_cast<std::uint64_t>(static_cast<std::int64_t>(at(i)));
        }
        a.integer = static_cast<std::int64_t>(sum);
      }
      return;
    }
    const bool max = a.reduce == ReduceKind::max;
    T best = at(0);
    for (std::int64_t i = 0; i < a.n; ++i) {
      const T v = at(i);
      if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(v)) {
          best = v;
          break;
        }
      }
      if (max ? v > best : v < best) best = v;
    }
    if constexpr (std::is_floating_point_v<T>) {
      a.value = static_cast<double>(best);
    } else {
      a.integer = static_cast<std::int64_t>(best);
    }
  });
}

}  // namespace tandem::detail::serial
