// RECIPE 7 (ARCHITECTURE.md, "Adding a workload"): the GPU flow, built into both modules.
// mse on the GPU: thrust::transform_reduce of compensated double pairs (device_ops.hpp) on
// the call's stream.
// The same source builds the real module (nvcc, module_call.hpp's CudaCall) and the emulated one
// (the host compiler, HostCall on Thrust's OpenMP system): written once, no CUDA syntax here.
#include "module_call.hpp"

namespace tandem::cuda {

/// The reduction's temporaries of mse: CUB's per-block partials (a few thousand 16-byte pairs
/// on the largest GPUs) and the result.
inline constexpr std::size_t kMseThrustReserve = std::size_t{1} << 20;

/// mse: thrust::transform_reduce of compensated double pairs (device_ops.hpp), a fixed
/// reduction tree (CUB's on a GPU), so the same input on the same GPU gives the same bits.
template <class Call>
void mse_on(detail::MseArgs& a, bool device, detail::Breakdown* timing) {
  detail::visit_float_dtype(a.dtype, [&]<class T>() {
    Call call(timing);
    const std::size_t bytes = static_cast<std::size_t>(a.n) * sizeof(T);
    const T* pa = static_cast<const T*>(a.a);
    const T* pb = static_cast<const T*>(a.b);
    // Every buffer is taken before the first copy starts the clock.
    call.reserve_thrust(kMseThrustReserve);
    if (!device) {
      call.prepare_staging();
      T* sa = call.template scratch_for<T>(a.n);
      T* sb = pb != nullptr ? call.template scratch_for<T>(a.n) : nullptr;
      call.upload(sa, a.a, 1, bytes, bytes);
      pa = sa;
      if (pb != nullptr) {
        call.upload(sb, a.b, 1, bytes, bytes);
        pb = sb;
      }
    }
    call.compute_begin();
    const double result = mean_squared_error(call.policy(), pa, pb, a.n);
    call.compute_end();
    call.finish();
    a.result = result;
  });
}

TANDEM_CUDA_WORKLOAD(mse)

}  // namespace tandem::cuda
