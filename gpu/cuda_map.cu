// map on the GPU: thrust::transform of the op on the call's stream, staged in and out for
// host data.
// The same source builds the real module (nvcc, module_call.hpp's CudaCall) and the emulated one
// (the host compiler, HostCall on Thrust's OpenMP system): written once, no CUDA syntax here.
#include "module_call.hpp"

namespace tandem::cuda {

template <class Call>
void map_on(detail::MapArgs& a, bool device, detail::Breakdown* timing) {
  detail::visit_dtype(a.dtype, [&]<class T>() {
    Call call(timing);
    const std::size_t bytes = static_cast<std::size_t>(a.n) * sizeof(T);
    const T* x = static_cast<const T*>(a.x);
    T* y = static_cast<T*>(a.y);
    const T* p = static_cast<const T*>(a.params);  // host memory: by value into the functors
    // Every buffer is taken before the first copy starts the clock.
    if (!device) call.prepare_staging();
    T* staged = device ? nullptr : call.template scratch_for<T>(a.n);
    T* c = a.kind == MapKind::polynomial ? call.template scratch_for<T>(a.nparams) : nullptr;
    if (!device) {  // stage x in and compute in place in the scratch copy
      call.upload(staged, a.x, 1, bytes, bytes);
      x = staged;
      y = staged;
    }
    const T* coefficients = nullptr;
    if (c != nullptr) {
      const std::size_t cbytes = static_cast<std::size_t>(a.nparams) * sizeof(T);
      call.upload(c, p, 1, cbytes, cbytes);
      coefficients = c;
    }
    call.compute_begin();
    const auto policy = call.policy();
    switch (a.kind) {
      case MapKind::scale:
        map_elements(policy, x, y, a.n, ScaleOp<T>{p[0]});
        break;
      case MapKind::affine:
        map_elements(policy, x, y, a.n, AffineOp<T>{p[0], p[1]});
        break;
      case MapKind::square:
        map_elements(policy, x, y, a.n, SquareOp<T>{});
        break;
      case MapKind::abs:
        map_elements(policy, x, y, a.n, AbsOp<T>{});
        break;
      case MapKind::polynomial:
        map_elements(policy, x, y, a.n, PolynomialOp<T>{coefficients, a.nparams});
        break;
    }
    call.launched();
    call.compute_end();
    if (!device) call.download(a.y, bytes, y, 1, bytes);
    call.finish();
  });
}

TANDEM_CUDA_WORKLOAD(map)

}  // namespace tandem::cuda
