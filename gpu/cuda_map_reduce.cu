// map_reduce on the GPU: map_reduce_flow.hpp's flow (one thrust::transform_reduce) on the
// call's stream.
#include "cuda_call.hpp"
#include "map_reduce_flow.hpp"
#include "module_api.hpp"

namespace tandem::cuda {

void run_map_reduce(detail::MapReduceArgs& a, bool device, detail::Breakdown* timing) {
  map_reduce_on<CudaCall>(a, device, timing);
}

}  // namespace tandem::cuda
