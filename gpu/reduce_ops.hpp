#pragma once
// Reductions of mapped elements on the cuda backend: the functors (__host__ __device__, the
// map's semantics from device_ops.hpp) and one thrust::transform_reduce per reduction, written
// against an execution policy like thrust_algorithms.hpp. No CUDA header: the emulated module
// compiles this with the host compiler and Thrust's OpenMP system.
//
// The map is one functor that switches on the op's kind at run time (the same kind for every
// element: no divergence), so each dtype instantiates three reductions, not one per op.
#include <thrust/iterator/counting_iterator.h>
#include <thrust/transform_reduce.h>

#include <cstdint>
#include <limits>
#include <type_traits>

#include "device_ops.hpp"
#include "tandem/map.hpp"
#include "tandem/reduce.hpp"

namespace tandem::cuda {

/// Any built-in map, or none (`mapped` false: the element itself), applied in T exactly as
/// map_elements does. `c` (nc coefficients of a polynomial) is memory the executing side reads;
/// a and b are the parameters of scale and affine.
template <class T>
struct AnyMap {
  bool mapped;
  MapKind kind;
  T a;
  T b;
  const T* c;
  std::int64_t nc;

  TANDEM_HD T operator()(T v) const {
    if (!mapped) return v;
    switch (kind) {
      case MapKind::scale:
        return ScaleOp<T>{a}(v);
      case MapKind::affine:
        return AffineOp<T>{a, b}(v);
      case MapKind::square:
        return SquareOp<T>{}(v);
      case MapKind::abs:
        return AbsOp<T>{}(v);
      case MapKind::polynomial:
        break;
    }
    return PolynomialOp<T>{c, nc}(v);
  }
};

/// Term i of a floating point sum: (double)map(x[i]), as a compensated pair (device_ops.hpp).
template <class T>
struct MappedTerm {
  const T* x;
  AnyMap<T> map;
  TANDEM_HD Sum2 operator()(std::int64_t i) const {
    return Sum2{static_cast<double>(map(x[i])), 0.0};
  }
};

/// Term i of an integer sum: (int64)map(x[i]), as uint64 so that the sum wraps modulo 2^64.
template <class T>
struct MappedWrapped {
  const T* x;
  AnyMap<T> map;
  TANDEM_HD std::uint64_t operator()(std::int64_t i) const {
    return static_cast<std::uint64_t>(static_cast<std::int64_t>(map(x[i])));
  }
};
struct WrappingPlus {
  TANDEM_HD std::uint64_t operator()(std::uint64_t a, std::uint64_t b) const { return a + b; }
};

/// map(x[i]) itself (min and max).
template <class T>
struct MappedValue {
  const T* x;
  AnyMap<T> map;
  TANDEM_HD T operator()(std::int64_t i) const { return map(x[i]); }
};

/// The smaller (Max: the larger) of two values, NaN if either is NaN: associative and
/// commutative (up to which NaN, and which of -0.0 and +0.0), as a parallel reduction needs.
template <bool Max, class T>
struct Extreme {
  TANDEM_HD T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      if (a != a) return a;  // NOLINT(misc-redundant-expression): isnan
      if (b != b) return b;  // NOLINT(misc-redundant-expression)
    }
    return (Max ? b > a : b < a) ? b : a;
  }
};

/// The identity of Extreme<Max, T>: +Inf (Max: -Inf) for floating point, the type's extreme
/// for integers.
template <bool Max, class T>
T extreme_identity() {
  using L = std::numeric_limits<T>;
  if constexpr (std::is_floating_point_v<T>) {
    return Max ? -L::infinity() : L::infinity();
  } else {
    return Max ? L::lowest() : L::max();
  }
}

/// What a reduction gives: `value` for floating point (a sum, or the min/max exactly),
/// `integer` for integers (a wrapping sum, or the min/max).
struct Reduced {
  double value = 0.0;
  std::int64_t integer = 0;
};

/// reduce(map(x[i]) for i < n). n may be 0 for a sum (0); min and max need n > 0.
template <class Policy, class T>
Reduced reduce_mapped(Policy&& policy, const T* x, std::int64_t n, const AnyMap<T>& map,
                      ReduceKind reduce) {
  Reduced r;
  if (n <= 0) return r;
  const thrust::counting_iterator<std::int64_t> first(0);
  switch (reduce) {
    case ReduceKind::sum:
      if constexpr (std::is_floating_point_v<T>) {
        const Sum2 s = thrust::transform_reduce(policy, first, first + n, MappedTerm<T>{x, map},
                                                Sum2{0.0, 0.0}, Sum2Plus{});
        r.value = s.hi + s.lo;
      } else {
        r.integer = static_cast<std::int64_t>(thrust::transform_reduce(
            policy, first, first + n, MappedWrapped<T>{x, map}, std::uint64_t{0}, WrappingPlus{}));
      }
      break;
    case ReduceKind::min:
    case ReduceKind::max: {
      const T v = reduce == ReduceKind::max
                      ? thrust::transform_reduce(policy, first, first + n, MappedValue<T>{x, map},
                                                 extreme_identity<true, T>(), Extreme<true, T>{})
                      : thrust::transform_reduce(policy, first, first + n, MappedValue<T>{x, map},
                                                 extreme_identity<false, T>(), Extreme<false, T>{});
      if constexpr (std::is_floating_point_v<T>) {
        r.value = static_cast<double>(v);
      } else {
        r.integer = static_cast<std::int64_t>(v);
      }
      break;
    }
  }
  return r;
}

}  // namespace tandem::cuda
