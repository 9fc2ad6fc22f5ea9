// mse on the GPU: workloads.hpp's flow (thrust::transform_reduce of compensated pairs) on the
// call's stream.
#include "cuda_call.hpp"
#include "module_api.hpp"
#include "workloads.hpp"

namespace tandem::cuda {

double run_mse(const detail::MseArgs& a, bool device, detail::Breakdown* timing) {
  return mse_on<CudaCall>(a, device, timing);
}

}  // namespace tandem::cuda
