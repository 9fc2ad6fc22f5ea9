#pragma once
// The built-in elementwise operations (MapOp) as function objects: the one definition of their
// semantics, shared by every CPU backend. visit_op picks the functor once, so a loop over elements
// compiles to a tight, vectorisable body.
#include <cstdint>

#include "arith.hpp"
#include "tandem/map_op.hpp"

namespace tandem::detail {

template <class T>
struct ScaleOp {
  T a;
  T operator()(T v) const noexcept { return mul(a, v); }
};
template <class T>
struct AffineOp {
  T a, b;
  T operator()(T v) const noexcept { return add(mul(a, v), b); }
};
template <class T>
struct SquareOp {
  T operator()(T v) const noexcept { return mul(v, v); }
};
template <class T>
struct AbsOp {
  T operator()(T v) const noexcept { return abs_value(v); }
};
template <class T>
struct PolynomialOp {
  const T* c;
  std::int64_t n;
  T operator()(T v) const noexcept { return horner(c, n, v); }
};

/// Calls f(op) with the functor for `kind` and its parameters p (np of them).
template <class T, class F>
decltype(auto) visit_op(MapKind kind, const T* p, std::int64_t np, F&& f) {
  switch (kind) {
    case MapKind::scale:
      return f(ScaleOp<T>{p[0]});
    case MapKind::affine:
      return f(AffineOp<T>{p[0], p[1]});
    case MapKind::square:
      return f(SquareOp<T>{});
    case MapKind::abs:
      return f(AbsOp<T>{});
    case MapKind::polynomial:
      break;
  }
  return f(PolynomialOp<T>{p, np});
}

}  // namespace tandem::detail
