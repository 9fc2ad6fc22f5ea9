// map on the GPU: one thrust::transform with the element functor of device_ops.hpp.
#include <thrust/system/cuda/execution_policy.h>

#include "module_api.hpp"
#include "runtime.hpp"
#include "thrust_algorithms.hpp"

namespace tandem::cuda {

void run_map(const detail::MapArgs& a, bool device, detail::Breakdown* timing) {
  detail::visit_dtype(a.dtype, [&]<class T>() {
    Call call(timing);
    const std::size_t bytes = static_cast<std::size_t>(a.n) * sizeof(T);
    const T* x = static_cast<const T*>(a.x);
    T* y = static_cast<T*>(a.y);
    const T* p = static_cast<const T*>(a.params);  // host memory: by value into the functors
    // Every buffer is taken before the first copy starts the clock.
    if (!device) call.prepare_staging();
    T* staged = device ? nullptr : call.scratch_for<T>(a.n);
    T* c = a.kind == MapKind::polynomial ? call.scratch_for<T>(a.nparams) : nullptr;
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
    const auto policy = thrust::cuda::par_nosync(call.thrust_allocator()).on(call.stream());
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
    TANDEM_CUDA_CHECK(cudaGetLastError());
    call.compute_end();
    if (!device) call.download(a.y, bytes, y, 1, bytes);
    call.finish();
  });
}

}  // namespace tandem::cuda
