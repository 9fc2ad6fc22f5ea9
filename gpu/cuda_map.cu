// map on the GPU: one thrust::transform with the element functor of device_ops.hpp; the flow is
// workloads.hpp's, shared with the emulated module.
#include "cuda_call.hpp"
#include "module_api.hpp"
#include "workloads.hpp"

namespace tandem::cuda {

void run_map(const detail::MapArgs& a, bool device, detail::Breakdown* timing) {
  map_on<CudaCall>(a, device, timing);
}

}  // namespace tandem::cuda
