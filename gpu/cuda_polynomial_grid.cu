// polynomial_grid on the GPU: workloads.hpp's flow, the whole grid in one launch.
#include "cuda_call.hpp"
#include "module_api.hpp"
#include "workloads.hpp"

namespace tandem::cuda {

void run_polynomial_grid(const detail::PolynomialGridArgs& g, bool device,
                         detail::Breakdown* timing) {
  polynomial_grid_on<CudaCall>(g, device, timing);
}

}  // namespace tandem::cuda
