#pragma once
// The workloads' call flow, written once for both modules: what is staged, in which order every
// buffer is taken (all before the first copy starts the clock), the phase marks, and which
// device algorithm runs. `Call` is the module's call: runtime.hpp's Call (scratch_for,
// prepare_staging, reserve_thrust, upload, download, compute_begin/compute_end/finish) plus
// policy() (the Thrust execution policy on the call's stream), launched() (checks a launch),
// gemm<T>() and zero_matrix<T>(): CudaCall (cuda_call.hpp: cuBLAS and tandem's integer kernel)
// on a GPU, HostCall (tests/emulated_cuda/host_call.hpp) on host memory.
// No CUDA header here: the emulated module compiles it with the host compiler.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "dispatch/backend_impl.hpp"
#include "thrust_algorithms.hpp"

namespace tandem::cuda {

/// The reduction's temporaries of mse: CUB's per-block partials (a few thousand 16-byte pairs
/// on the largest GPUs) and the result.
inline constexpr std::size_t kMseThrustReserve = std::size_t{1} << 20;

template <class Call>
void map_on(const detail::MapArgs& a, bool device, detail::Breakdown* timing) {
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

/// mse: thrust::transform_reduce of compensated double pairs (device_ops.hpp), a fixed
/// reduction tree (CUB's on a GPU), so the same input on the same GPU gives the same bits.
template <class Call>
double mse_on(const detail::MseArgs& a, bool device, detail::Breakdown* timing) {
  return detail::visit_float_dtype(a.dtype, [&]<class T>() {
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
    return result;
  });
}

/// polynomial_grid: the whole grid in one launch (device_ops.hpp's GridPoint), for a table or
/// a Cartesian grid decoded per point, any degree.
template <class Call>
void polynomial_grid_on(const detail::PolynomialGridArgs& g, bool device,
                        detail::Breakdown* timing) {
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

/// matmul: host operands staged as packed copies; the product is the Call's gemm<T> (cuBLAS for
/// f32/f64 and tandem's tiled kernel for integers on a GPU), an empty sum its zero_matrix<T>.
template <class Call>
void matmul_on(const detail::MatmulArgs& a, bool device, detail::Breakdown* timing) {
  detail::visit_dtype(a.dtype, [&]<class T>() {
    Call call(timing);
    const std::int64_t m = a.m, n = a.n, k = a.k;
    const T* A = static_cast<const T*>(a.a);
    const T* B = static_cast<const T*>(a.b);
    T* C = static_cast<T*>(a.c);
    std::int64_t lda = a.lda, ldb = a.ldb, ldc = a.ldc;
    const bool has_output = m > 0 && n > 0;
    if (!device && has_output) {  // stage packed copies: ld becomes the column count
      // Every buffer is taken before the first copy starts the clock.
      call.prepare_staging();
      C = call.template scratch_for<T>(m * n);
      ldc = n;
      if (k > 0) {
        T* sa = call.template scratch_for<T>(m * k);
        T* sb = call.template scratch_for<T>(k * n);
        call.upload(sa, A, static_cast<std::size_t>(m), static_cast<std::size_t>(k) * sizeof(T),
                    static_cast<std::size_t>(lda) * sizeof(T));
        call.upload(sb, B, static_cast<std::size_t>(k), static_cast<std::size_t>(n) * sizeof(T),
                    static_cast<std::size_t>(ldb) * sizeof(T));
        A = sa;
        B = sb;
        lda = k;
        ldb = n;
      }
    }
    call.compute_begin();
    if (has_output) {
      if (k == 0) {  // an empty sum: C = 0
        call.template zero_matrix<T>(C, m, n, ldc);
      } else {
        call.template gemm<T>(m, n, k, A, lda, B, ldb, C, ldc);
      }
    }
    call.compute_end();
    if (!device && has_output) {
      call.download(a.c, static_cast<std::size_t>(a.ldc) * sizeof(T), C,
                    static_cast<std::size_t>(m), static_cast<std::size_t>(n) * sizeof(T));
    }
    call.finish();
  });
}

}  // namespace tandem::cuda
