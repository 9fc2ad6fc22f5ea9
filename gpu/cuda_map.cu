// map on the GPU: thrust::transform of the op on the call's stream. Host data of two pipeline
// chunks or more (pipeline.hpp) goes through Call::pipeline, each chunk mapped in place in its
// device copy while the next uploads and the previous downloads; smaller host data is staged in
// whole, mapped, and staged out.
// The same source builds the real module (nvcc, module_call.hpp's CudaCall) and the emulated one
// (the host compiler, HostCall on Thrust's OpenMP system): written once, no CUDA syntax here.
#include "module_call.hpp"

namespace tandem::cuda {

template <class Call>
void map_on(detail::MapArgs& a, bool device, detail::Breakdown* timing) {
  detail::visit_dtype(a.dtype, [&]<class T>() {
    Call call(timing);
    const std::size_t bytes = static_cast<std::size_t>(a.n) * sizeof(T);
    const T* p = static_cast<const T*>(a.params);  // host memory: by value into the functors
    const bool piped = !device && pipelined(a.n, sizeof(T));
    // Every buffer is taken before the first copy starts the clock.
    if (!device) call.prepare_staging();
    T* staged = device || piped ? nullptr : call.template scratch_for<T>(a.n);
    T* c = a.kind == MapKind::polynomial ? call.template scratch_for<T>(a.nparams) : nullptr;
    const std::size_t cbytes = c != nullptr ? static_cast<std::size_t>(a.nparams) * sizeof(T) : 0;
    if (c != nullptr && !piped) call.upload(c, p, 1, cbytes, cbytes);
    // y[0, n) = op(x[0, n)) on the call's stream (y may be x). Elementwise, so any chunking
    // gives the same bits.
    const auto map_range = [&](const T* x, T* y, std::int64_t n) {
      const auto policy = call.policy();
      switch (a.kind) {
        case MapKind::scale:
          map_elements(policy, x, y, n, ScaleOp<T>{p[0]});
          break;
        case MapKind::affine:
          map_elements(policy, x, y, n, AffineOp<T>{p[0], p[1]});
          break;
        case MapKind::square:
          map_elements(policy, x, y, n, SquareOp<T>{});
          break;
        case MapKind::abs:
          map_elements(policy, x, y, n, AbsOp<T>{});
          break;
        case MapKind::polynomial:
          map_elements(policy, x, y, n, PolynomialOp<T>{c, a.nparams});
          break;
      }
      call.launched();
    };
    if (piped) {
      auto chunk = [&](const PipeChunk& k) {
        T* slot = static_cast<T*>(k.in[0]);
        map_range(slot, slot, k.count);
      };
      call.pipeline(PipeSpec{a.n, sizeof(T), 1, {a.x, nullptr}, a.y, p, c, cbytes}, chunk);
      call.finish();
      return;
    }
    const T* x = static_cast<const T*>(a.x);
    T* y = static_cast<T*>(a.y);
    if (!device) {  // stage x in and compute in place in the scratch copy
      call.upload(staged, a.x, 1, bytes, bytes);
      x = staged;
      y = staged;
    }
    call.compute_begin();
    map_range(x, y, a.n);
    call.compute_end();
    if (!device) call.download(a.y, bytes, y, 1, bytes);
    call.finish();
  });
}

TANDEM_CUDA_WORKLOAD(map)

}  // namespace tandem::cuda
