// polynomial_grid on the GPU: workloads.hpp's flow, the whole grid in one launch.
#include "module_api.hpp"
#include "runtime.hpp"
#include "workloads.hpp"

namespace tandem::cuda {

void run_polynomial_grid(const detail::PolynomialGridArgs& g, bool device,
                         detail::Breakdown* timing) {
  polynomial_grid_on<Call>(g, device, timing);
}

}  // namespace tandem::cuda
