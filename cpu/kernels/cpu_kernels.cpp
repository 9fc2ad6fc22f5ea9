// Hot loops of the CPU backends, multiversioned per ISA level (multiversion.hpp).
#include "cpu_kernels.hpp"

#include <algorithm>
#include <utility>

#include "arith.hpp"
#include "gemm_blocked.hpp"
#include "map_ops.hpp"
#include "memory/memory.hpp"
#include "multiversion.hpp"
#include "pairwise.hpp"

namespace tandem::detail {

TANDEM_MULTIVERSION
void map_range(const MapArgs& args, std::int64_t begin, std::int64_t end) {
  visit_dtype(args.dtype, [&]<class T>() {
    const T* __restrict x = static_cast<const T*>(args.x);
    T* y = static_cast<T*>(args.y);  // may equal x (in place)
    // An output larger than the last-level cache would only evict the inputs: stream it.
    const bool stream = static_cast<std::size_t>(args.n) * sizeof(T) > streaming_threshold_bytes();
    visit_op(args.kind, static_cast<const T*>(args.params), args.nparams, [&](auto op) {
      const T* __restrict xs = x + begin;
      write_out(y + begin, end - begin, stream, [&](T* dst, std::int64_t i0, std::int64_t i1) {
        for (std::int64_t k = 0; k < i1 - i0; ++k) dst[k] = op(xs[i0 + k]);
      });
    });
  });
}

TANDEM_MULTIVERSION
double mse_block_sum(const MseArgs& args, std::int64_t lo, std::int64_t hi) {
  return visit_float_dtype(args.dtype, [&]<class T>() {
    const T* a = static_cast<const T*>(args.a);
    const T* b = static_cast<const T*>(args.b);
    if (b == nullptr) {
      return block_sum(lo, hi, [a](std::int64_t i) {
        const double d = static_cast<double>(a[i]);
        return d * d;
      });
    }
    return block_sum(lo, hi, [a, b](std::int64_t i) {
      const double d = static_cast<double>(a[i]) - static_cast<double>(b[i]);
      return d * d;
    });
  });
}

namespace {

// Horner at x[j0, j1) for one parameter set, to dst[0, j1 - j0): K coefficients known at
// compile time (K > 0) or `n` of them at run time (K == 0).
template <class T, int K>
inline void grid_cols(const T* c, std::int64_t n, const T* __restrict x, std::int64_t j0,
                      std::int64_t j1, T* __restrict dst) {
  if constexpr (K > 0) {
    T cc[K];
    for (int k = 0; k < K; ++k) cc[k] = c[k];
    for (std::int64_t j = j0; j < j1; ++j) {
      T r = cc[0];
      for (int k = 1; k < K; ++k) r = add(mul(r, x[j]), cc[k]);
      dst[j - j0] = r;
    }
  } else {
    for (std::int64_t j = j0; j < j1; ++j) dst[j - j0] = horner(c, n, x[j]);
  }
}

// Coefficients of parameter set r into c, given those of r - 1 (idx: their axis indices).
template <class T>
inline void next_coefficients(const PolynomialGridArgs& g, std::int64_t r, T* c,
                              std::int64_t* idx) {
  if (g.table != nullptr) {
    grid_coefficients(g, r, c, idx);
    return;
  }
  for (std::int64_t k = g.ncoef - 1; k >= 0; --k) {  // odometer: bump the last axis, carry left
    const auto* axis = static_cast<const T*>(g.axes[k]);
    if (++idx[k] < g.axis_sizes[k]) {
      c[k] = axis[idx[k]];
      break;
    }
    idx[k] = 0;
    c[k] = axis[0];
  }
}

// Ordinary stores only. Streaming the output through write_out's 4 KiB buffer was measured
// slower here at every size (the notebook's 10^6 x 50 f64 grid: 20-24 ms streamed against
// 15 ms plain on 2 cores): a polynomial of a few coefficients per value is bound by its Horner
// arithmetic more than by the memory its output takes, so the buffer's extra copy costs more
// than the stores save.
template <class T, int K>
void grid_rows(const PolynomialGridArgs& g, std::int64_t r0, std::int64_t r1, T* c,
               std::int64_t* idx) {
  const T* x = static_cast<const T*>(g.x);
  T* out = static_cast<T*>(g.out);
  const std::int64_t nx = g.nx;
  if (r0 >= r1) return;
  grid_coefficients(g, r0, c, idx);
  for (std::int64_t r = r0; r < r1; ++r) {
    if (r > r0) next_coefficients(g, r, c, idx);
    grid_cols<T, K>(c, g.ncoef, x, 0, nx, out + r * g.ldo);
  }
}

template <class T, int... K>
void grid_rows_unrolled(std::integer_sequence<int, K...>, const PolynomialGridArgs& g,
                        std::int64_t r0, std::int64_t r1, T* c, std::int64_t* idx) {
  const bool done = ((g.ncoef == K && (grid_rows<T, K>(g, r0, r1, c, idx), true)) || ...);
  if (!done) grid_rows<T, 0>(g, r0, r1, c, idx);
}

}  // namespace

TANDEM_MULTIVERSION
void polynomial_grid_rows(const PolynomialGridArgs& args, std::int64_t r0, std::int64_t r1,
                          void* coef, std::int64_t* idx) {
  visit_dtype(args.dtype, [&]<class T>() {
    T* c = static_cast<T*>(coef);
    // The common low degrees fully unrolled; any other degree through the run-time loop.
    grid_rows_unrolled<T>(std::integer_sequence<int, 1, 2, 3, 4, 5, 6>{}, args, r0, r1, c, idx);
  });
}

std::int64_t gemm_workspace_elems(const MatmulArgs& args) {
  return visit_dtype(args.dtype, [&]<class T>() { return GemmBlocking<T>::workspace(args); });
}

TANDEM_MULTIVERSION
void gemm_block(const MatmulArgs& args, std::int64_t i0, std::int64_t i1, std::int64_t j0,
                std::int64_t j1, void* work) {
  visit_dtype(args.dtype, [&]<class T>() {
    gemm_blocked<T>(args, i0, i1, j0, j1, static_cast<arith_t<T>*>(work));
  });
}

}  // namespace tandem::detail
