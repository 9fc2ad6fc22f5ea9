// polynomial_grid on the GPU: the whole grid in one launch (device_ops.hpp's GridPoint), for a
// table or a Cartesian grid decoded per point, any degree.
#include <thrust/system/cuda/execution_policy.h>

#include <vector>

#include "module_api.hpp"
#include "runtime.hpp"
#include "thrust_algorithms.hpp"

namespace tandem::cuda {

void run_polynomial_grid(const detail::PolynomialGridArgs& g, bool device,
                         detail::Breakdown* timing) {
  // An empty grid writes nothing. (An empty table may come with a null pointer, which would
  // otherwise read as the Cartesian form.)
  if (g.sets == 0 || g.nx == 0) return;
  detail::visit_dtype(g.dtype, [&]<class T>() {
    Call call(timing);
    if (!device) call.prepare_staging();  // every buffer before the first copy starts the clock
    GridPoint<T> p{g.nx,    g.ncoef, nullptr, 0,       nullptr, nullptr,
                   nullptr, nullptr, nullptr, nullptr, 0};
    // Host data: the staged copies of x, the table (packed: ld = ncoef) and the output (packed:
    // ld = nx), taken with the axes' buffers, before the first upload.
    T* x = nullptr;
    T* table = nullptr;
    T* out = nullptr;
    const auto take_host_scratch = [&] {
      x = call.scratch_for<T>(g.nx);
      if (g.table != nullptr) table = call.scratch_for<T>(g.sets * g.ncoef);
      out = call.scratch_for<T>(g.sets * g.nx);
    };
    if (g.table == nullptr) {
      // The axes (host memory, small): values back to back, then offset, size, stride per axis.
      std::vector<std::int64_t> meta(static_cast<std::size_t>(3 * g.ncoef));
      std::int64_t total = 0;
      std::int64_t stride = 1;
      for (std::int64_t c = g.ncoef - 1; c >= 0; --c) {
        meta[static_cast<std::size_t>(c)] = 0;  // offsets filled below
        meta[static_cast<std::size_t>(g.ncoef + c)] = g.axis_sizes[c];
        meta[static_cast<std::size_t>(2 * g.ncoef + c)] = stride;
        stride *= g.axis_sizes[c];  // <= sets, which fits in 64 bits
      }
      for (std::int64_t c = 0; c < g.ncoef; ++c) {
        meta[static_cast<std::size_t>(c)] = total;
        total += g.axis_sizes[c];
      }
      std::vector<T> values;
      values.reserve(static_cast<std::size_t>(total));
      for (std::int64_t c = 0; c < g.ncoef; ++c) {
        const T* axis = static_cast<const T*>(g.axes[c]);
        values.insert(values.end(), axis, axis + g.axis_sizes[c]);
      }
      T* dvalues = call.scratch_for<T>(total);
      auto* dmeta = call.scratch_for<std::int64_t>(3 * g.ncoef);
      if (!device) take_host_scratch();
      call.upload(dvalues, values.data(), 1, values.size() * sizeof(T), values.size() * sizeof(T));
      call.upload(dmeta, meta.data(), 1, meta.size() * sizeof(std::int64_t),
                  meta.size() * sizeof(std::int64_t));
      p.values = dvalues;
      p.offset = dmeta;
      p.size = dmeta + g.ncoef;
      p.stride = dmeta + 2 * g.ncoef;
    } else if (!device) {
      take_host_scratch();
    }
    if (device) {
      p.table = static_cast<const T*>(g.table);
      p.ldt = g.ldt;
      p.x = static_cast<const T*>(g.x);
      p.out = static_cast<T*>(g.out);
      p.ldo = g.ldo;
    } else {
      call.upload(x, g.x, 1, static_cast<std::size_t>(g.nx) * sizeof(T),
                  static_cast<std::size_t>(g.nx) * sizeof(T));
      p.x = x;
      if (g.table != nullptr) {
        call.upload(table, g.table, static_cast<std::size_t>(g.sets),
                    static_cast<std::size_t>(g.ncoef) * sizeof(T),
                    static_cast<std::size_t>(g.ldt) * sizeof(T));
        p.table = table;
        p.ldt = g.ncoef;
      }
      p.out = out;  // packed: ld = nx
      p.ldo = g.nx;
    }
    call.compute_begin();
    const auto policy = thrust::cuda::par_nosync(call.thrust_allocator()).on(call.stream());
    evaluate_grid(policy, p, g.sets);
    TANDEM_CUDA_CHECK(cudaGetLastError());
    call.compute_end();
    if (!device) {
      call.download(g.out, static_cast<std::size_t>(g.ldo) * sizeof(T), p.out,
                    static_cast<std::size_t>(g.sets), static_cast<std::size_t>(g.nx) * sizeof(T));
    }
    call.finish();
  });
}

}  // namespace tandem::cuda
