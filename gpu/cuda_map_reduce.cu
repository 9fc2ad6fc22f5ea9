// map_reduce on the GPU: the input staged (host data) or used in place (a DeviceBuffer), a
// polynomial's coefficients uploaded, then one thrust::transform_reduce (reduce_ops.hpp):
// compensated double pairs for float sums, wrapping uint64 for integer sums, NaN-propagating
// min/max in the element type. The same input on the same GPU gives the same bits.
// The same source builds the real module (nvcc, CudaCall) and the emulated one (the host
// compiler, HostCall on Thrust's OpenMP system): no CUDA syntax here.
#include <cstddef>
#include <cstdint>

#include "module_call.hpp"
#include "reduce_ops.hpp"

namespace tandem::cuda {

/// CUB's per-block partials (16-byte pairs at most) and the result.
inline constexpr std::size_t kReduceThrustReserve = std::size_t{1} << 20;

template <class Call>
void map_reduce_on(detail::MapReduceArgs& a, bool device, detail::Breakdown* timing) {
  a.value = 0.0;
  a.integer = 0;
  if (a.n == 0) return;  // an empty sum (min/max of nothing never gets here)
  detail::visit_dtype(a.dtype, [&]<class T>() {
    Call call(timing);
    const std::size_t bytes = static_cast<std::size_t>(a.n) * sizeof(T);
    const T* x = static_cast<const T*>(a.x);
    const T* p = static_cast<const T*>(a.params);  // host memory
    const bool polynomial = a.mapped && a.kind == MapKind::polynomial;
    // Every buffer is taken before the first copy starts the clock.
    call.reserve_thrust(kReduceThrustReserve);
    if (!device) call.prepare_staging();
    T* staged = device ? nullptr : call.template scratch_for<T>(a.n);
    T* c = polynomial ? call.template scratch_for<T>(a.nparams) : nullptr;
    if (staged != nullptr) {
      call.upload(staged, a.x, 1, bytes, bytes);
      x = staged;
    }
    if (c != nullptr) {
      const std::size_t cbytes = static_cast<std::size_t>(a.nparams) * sizeof(T);
      call.upload(c, p, 1, cbytes, cbytes);
    }
    const bool two = a.mapped && a.kind == MapKind::affine;
    const bool one = two || (a.mapped && a.kind == MapKind::scale);
    const AnyMap<T> map{a.mapped, a.kind, one ? p[0] : T{}, two ? p[1] : T{}, c, a.nparams};
    call.compute_begin();
    const Reduced r = reduce_mapped(call.policy(), x, a.n, map, a.reduce);
    call.compute_end();
    call.finish();
    a.value = r.value;
    a.integer = r.integer;
  });
}

TANDEM_CUDA_WORKLOAD(map_reduce)

}  // namespace tandem::cuda
