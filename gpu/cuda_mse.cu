// mse on the GPU: thrust::transform_reduce of compensated double pairs (device_ops.hpp), a
// fixed reduction tree (CUB's), so the same input on the same GPU gives the same bits.
#include <thrust/system/cuda/execution_policy.h>

#include "module_api.hpp"
#include "runtime.hpp"
#include "thrust_algorithms.hpp"

namespace tandem::cuda {

namespace {
// The reduction's temporaries: CUB's per-block partials (a few thousand 16-byte pairs on the
// largest GPUs) and the result.
constexpr std::size_t kThrustReserve = std::size_t{1} << 20;
}  // namespace

double run_mse(const detail::MseArgs& a, bool device, detail::Breakdown* timing) {
  return detail::visit_float_dtype(a.dtype, [&]<class T>() {
    Call call(timing);
    const std::size_t bytes = static_cast<std::size_t>(a.n) * sizeof(T);
    const T* pa = static_cast<const T*>(a.a);
    const T* pb = static_cast<const T*>(a.b);
    // Every buffer is taken before the first copy starts the clock.
    call.reserve_thrust(kThrustReserve);
    if (!device) {
      call.prepare_staging();
      T* sa = call.scratch_for<T>(a.n);
      T* sb = pb != nullptr ? call.scratch_for<T>(a.n) : nullptr;
      call.upload(sa, a.a, 1, bytes, bytes);
      pa = sa;
      if (pb != nullptr) {
        call.upload(sb, a.b, 1, bytes, bytes);
        pb = sb;
      }
    }
    call.compute_begin();
    const auto policy = thrust::cuda::par_nosync(call.thrust_allocator()).on(call.stream());
    const double result = mean_squared_error(policy, pa, pb, a.n);
    call.compute_end();
    call.finish();
    return result;
  });
}

}  // namespace tandem::cuda
