// RECIPE 7 (ARCHITECTURE.md, "Adding a workload"): the GPU flow, built into both modules.
// mse on the GPU: thrust::transform_reduce of compensated double pairs (device_ops.hpp) on
// the call's stream.
// The same source builds the real module (nvcc, module_call.hpp's CudaCall) and the emulated one
// (the host compiler, HostCall on Thrust's OpenMP system): written once, no CUDA syntax here.
#include <vector>

#include "module_call.hpp"

namespace tandem::cuda {

/// The reduction's temporaries of mse: CUB's per-block partials (a few thousand 16-byte pairs
/// on the largest GPUs) and the result.
inline constexpr std::size_t kMseThrustReserve = std::size_t{1} << 20;

/// mse. Below two pipeline chunks (pipeline.hpp): thrust::transform_reduce of compensated double
/// pairs (device_ops.hpp), a fixed reduction tree (CUB's on a GPU), so the same input on the same
/// GPU gives the same bits. From two chunks on: the fixed-chunk tree of mse_chunk_groups, the
/// same for host data (chunk by chunk, as Call::pipeline brings them) and device data (all
/// chunks in two launches), so host and device operands give the same bits too.
template <class Call>
void mse_on(detail::MseArgs& a, bool device, detail::Breakdown* timing) {
  detail::visit_float_dtype(a.dtype, [&]<class T>() {
    Call call(timing);
    const std::size_t bytes = static_cast<std::size_t>(a.n) * sizeof(T);
    const T* pa = static_cast<const T*>(a.a);
    const T* pb = static_cast<const T*>(a.b);
    if (pipelined(a.n, sizeof(T))) {
      const std::int64_t chunk = pipeline_chunk(sizeof(T));
      const std::int64_t chunks = pipeline_chunks(a.n, sizeof(T));
      // Host data has one chunk at a time on the device: one chunk's lanes serve them all.
      Sum2* lane = call.template scratch_for<Sum2>((device ? chunks : 1) * kMseLanes);
      Sum2* groups = call.template scratch_for<Sum2>(chunks * kMseGroups);
      std::vector<Sum2> host(static_cast<std::size_t>(chunks * kMseGroups));
      call.prepare_staging();
      if (device) {
        call.compute_begin();
        mse_chunk_groups(call.policy(), pa, pb, a.n, chunk, lane, groups);
        call.launched();
        call.compute_end();
      } else {
        auto one = [&](const PipeChunk& k) {
          mse_chunk_groups(call.policy(), static_cast<const T*>(k.in[0]),
                           static_cast<const T*>(k.in[1]), k.count, chunk, lane,
                           groups + k.index * kMseGroups);
          call.launched();
        };
        call.pipeline(PipeSpec{a.n, sizeof(T), pb != nullptr ? 2 : 1, {a.a, a.b}, nullptr}, one);
      }
      const std::size_t group_bytes = host.size() * sizeof(Sum2);
      call.download(host.data(), group_bytes, groups, 1, group_bytes);
      call.finish();
      a.result = mse_from_groups(host.data(), a.n, chunks);
      return;
    }
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
