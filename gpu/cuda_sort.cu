// sort on the GPU: sort_values.hpp's flow (NaNs moved last, then thrust::sort, which is CUB's
// radix sort for arithmetic types) on the call's stream.
#include "cuda_call.hpp"
#include "module_api.hpp"
#include "sort_values.hpp"

namespace tandem::cuda {

void run_sort(detail::SortArgs& a, bool device, detail::Breakdown* timing) {
  sort_on<CudaCall>(a, device, timing);
}

}  // namespace tandem::cuda
