// polynomial_grid on the GPU: every point of the grid in one launch.
// The same source builds the real module (nvcc, module_call.hpp's CudaCall) and the emulated one
// (the host compiler, HostCall on Thrust's OpenMP system): written once, no CUDA syntax here.
#include <vector>

#include "module_call.hpp"

namespace tandem::cuda {

/// polynomial_grid: the whole grid in one launch (device_ops.hpp's GridPoint), for a table or
/// a Cartesian grid decoded per point, any degree.
template <class Call>
void polynomial_grid_on(detail::PolynomialGridArgs& g, bool device, detail::Breakdown* timing) {
  // An empty grid writes nothing. It must return before the axes are read: a table of 0 rows
  // may have no storage, and a null table reads as a Cartesian grid (whose axes are then null).
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
      x = call.template scratch_for<T>(g.nx);
      if (g.table != nullptr) table = call.template scratch_for<T>(g.sets * g.ncoef);
      out = call.template scratch_for<T>(g.sets * g.nx);
    };
    if (g.table == nullptr) {
      // The axes (host memory, small): values back to back, then offset, size, stride per axis.
      std::vector<std::int64_t> meta(static_cast<std::size_t>(3 * g.ncoef));
      std::int64_t total = 0;
      std::int64_t stride = 1;
      for (std::int64_t c = g.ncoef - 1; c >= 0; --c) {
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
      T* dvalues = call.template scratch_for<T>(total);
      auto* dmeta = call.template scratch_for<std::int64_t>(3 * g.ncoef);
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
    evaluate_grid(call.policy(), p, g.sets);
    call.launched();
    call.compute_end();
    if (!device) {
      call.download(g.out, static_cast<std::size_t>(g.ldo) * sizeof(T), p.out,
                    static_cast<std::size_t>(g.sets), static_cast<std::size_t>(g.nx) * sizeof(T));
    }
    call.finish();
  });
}

TANDEM_CUDA_WORKLOAD(polynomial_grid)

}  // namespace tandem::cuda
