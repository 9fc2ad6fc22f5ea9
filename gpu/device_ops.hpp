#pragma once
// Element operations of the cuda backend, as __host__ __device__ function objects with the same
// semantics as cpu/kernels/arith.hpp and map_ops.hpp: IEEE for floating point (the module is
// compiled without FMA contraction, like the CPU backends, so results match the serial oracle
// bit for bit) and wraparound modulo 2^bits for integers, computed in the unsigned type.
//
// This header needs no CUDA compiler: built with g++ and Thrust's OpenMP system it runs on the
// CPU, which is how the tests exercise this logic on machines without a GPU.
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "kernels/arith.hpp"

#if defined(__CUDACC__)
#define TANDEM_HD __host__ __device__
#else
#define TANDEM_HD
#endif

namespace tandem::cuda {

// add, sub and mul in T's arithmetic (wrapping in the unsigned type for integers): the CPU's
// own definitions (constexpr, so device code may call them under --expt-relaxed-constexpr).
using detail::add;
using detail::mul;
using detail::sub;

template <class T>
TANDEM_HD inline T abs_value(T v) {
  if constexpr (std::is_integral_v<T>) {
    return v < 0 ? sub<T>(T{0}, v) : v;
  } else if constexpr (std::is_same_v<T, float>) {
    return ::fabsf(v);
  } else {
    return ::fabs(v);
  }
}

template <class T>
struct ScaleOp {
  T a;
  TANDEM_HD T operator()(T v) const { return mul(a, v); }
};
template <class T>
struct AffineOp {
  T a, b;
  TANDEM_HD T operator()(T v) const { return add(mul(a, v), b); }
};
template <class T>
struct SquareOp {
  TANDEM_HD T operator()(T v) const { return mul(v, v); }
};
template <class T>
struct AbsOp {
  TANDEM_HD T operator()(T v) const { return abs_value(v); }
};
/// c[0]*x^(n-1) + ... + c[n-1]; c points to memory the executing side can read.
template <class T>
struct PolynomialOp {
  const T* c;
  std::int64_t n;
  TANDEM_HD T operator()(T v) const {
    T r = c[0];
    for (std::int64_t i = 1; i < n; ++i) r = add(mul(r, v), c[i]);
    return r;
  }
};

/// A compensated (hi + lo) double sum: combining two is exact up to the rounding of lo, so the
/// result does not depend on how many terms each GPU thread summed (error about 2^-53 times the
/// sum of |terms|, whatever n). Non-finite sums propagate as IEEE says.
struct Sum2 {
  double hi;
  double lo;
};
struct Sum2Plus {
  TANDEM_HD Sum2 operator()(Sum2 x, Sum2 y) const {
    const double s = x.hi + y.hi;
    if (!(s - s == 0.0)) return Sum2{s, 0.0};  // inf or NaN: the error term is meaningless
    const double bp = s - x.hi;
    const double err = (x.hi - (s - bp)) + (y.hi - bp);  // TwoSum: s + err == x.hi + y.hi
    return Sum2{s, x.lo + y.lo + err};
  }
};
/// Term i of the MSE: (a[i] - b[i])^2, or a[i]^2 when b is null, widened to double first.
template <class T>
struct SquaredError {
  const T* a;
  const T* b;
  TANDEM_HD Sum2 operator()(std::int64_t i) const {
    const double d = b != nullptr ? static_cast<double>(a[i]) - static_cast<double>(b[i])
                                  : static_cast<double>(a[i]);
    return Sum2{d * d, 0.0};
  }
};

/// mse's fixed-chunk tree (pipeline.hpp), level one: lane idx = c * lanes + j sums, in order and
/// compensated, the terms j, j + lanes, ... < len of chunk c (chunk elements each, the last one
/// shorter: n in all, counted from a and b), into partial[idx].
template <class T>
struct ChunkLaneSum {
  const T* a;
  const T* b;
  std::int64_t n;
  std::int64_t chunk;
  std::int64_t lanes;
  Sum2* partial;
  TANDEM_HD void operator()(std::int64_t idx) const {
    const std::int64_t c = idx / lanes;
    const std::int64_t first = c * chunk;
    const std::int64_t len = n - first < chunk ? n - first : chunk;
    const SquaredError<T> term{a + first, b != nullptr ? b + first : nullptr};
    Sum2 acc{0.0, 0.0};
    for (std::int64_t i = idx - c * lanes; i < len; i += lanes) acc = Sum2Plus{}(acc, term(i));
    partial[idx] = acc;
  }
};
/// Level two: group idx sums `width` consecutive level-one partials, in order, into out[idx].
struct GroupSum {
  const Sum2* partial;
  std::int64_t width;
  Sum2* out;
  TANDEM_HD void operator()(std::int64_t idx) const {
    Sum2 acc{0.0, 0.0};
    for (std::int64_t i = 0; i < width; ++i) acc = Sum2Plus{}(acc, partial[idx * width + i]);
    out[idx] = acc;
  }
};

/// The whole polynomial grid as one launch: thread idx computes out(idx / nx, idx % nx), so a
/// warp writes consecutive elements of a row (coalesced). Coefficients come from a table
/// (sets x ncoef, ldt) or, for a Cartesian grid, from `values` where coefficient c of set r is
/// values[offset[c] + (r / stride[c]) % size[c]] (last axis fastest).
template <class T>
struct GridPoint {
  std::int64_t nx;
  std::int64_t ncoef;
  const T* table;
  std::int64_t ldt;
  const T* values;
  const std::int64_t* offset;
  const std::int64_t* size;
  const std::int64_t* stride;
  const T* x;
  T* out;
  std::int64_t ldo;

  TANDEM_HD T coefficient(std::int64_t r, std::int64_t c) const {
    if (table != nullptr) return table[r * ldt + c];
    return values[offset[c] + (r / stride[c]) % size[c]];
  }
  TANDEM_HD void operator()(std::int64_t idx) const {
    const std::int64_t r = idx / nx;
    const std::int64_t j = idx - r * nx;
    const T v = x[j];
    T acc = coefficient(r, 0);
    for (std::int64_t c = 1; c < ncoef; ++c) acc = add(mul(acc, v), coefficient(r, c));
    out[r * ldo + j] = acc;
  }
};

}  // namespace tandem::cuda
