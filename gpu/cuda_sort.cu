// RECIPE 7 (ARCHITECTURE.md, "Adding a workload"): the GPU flow, built into both modules.
// sort on the GPU: the values staged in (host data) or sorted where they are (device data),
// then sort_values.hpp (NaNs moved last, the rest sorted as order-preserving unsigned keys:
// CUB's radix sort on a GPU) on the call's stream.
// The same source builds the real module (nvcc, module_call.hpp's CudaCall) and the emulated one
// (the host compiler, HostCall on Thrust's OpenMP system): written once, no CUDA syntax here.
#include <cstddef>

#include "module_call.hpp"
#include "sort_values.hpp"

namespace tandem::cuda {

/// sort: the values staged in (host data) or sorted where they are (a DeviceBuffer), then
/// sort_values; Thrust's temporaries come from the call's scratch.
template <class Call>
void sort_on(detail::SortArgs& a, bool device, detail::Breakdown* timing) {
  if (a.n < 2) return;  // nothing to sort, nothing to copy
  detail::visit_dtype(a.dtype, [&]<class T>() {
    Call call(timing);
    const std::size_t bytes = static_cast<std::size_t>(a.n) * sizeof(T);
    T* x = static_cast<T*>(a.x);
    // Every buffer is taken before the first copy starts the clock.
    if (!device) {
      call.prepare_staging();
      x = call.template scratch_for<T>(a.n);
      call.upload(x, a.x, 1, bytes, bytes);
    }
    call.compute_begin();
    sort_values(call.policy(), x, a.n);
    call.launched();
    call.compute_end();
    if (!device) call.download(a.x, bytes, x, 1, bytes);
    call.finish();
  });
}

TANDEM_CUDA_WORKLOAD(sort)

}  // namespace tandem::cuda
