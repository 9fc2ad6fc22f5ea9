#pragma once
// Element arithmetic with numpy's semantics: IEEE for floating point, and for integers
// wraparound modulo 2^bits computed in the unsigned type (no signed-overflow UB).
#include <cmath>
#include <cstdint>
#include <type_traits>

namespace tandem::detail {

/// The type arithmetic on T is carried out in: T for floating point, unsigned T for integers.
template <class T, bool = std::is_integral_v<T>>
struct arith_type {
  using type = T;
};
template <class T>
struct arith_type<T, true> {
  using type = std::make_unsigned_t<T>;
};
template <class T>
using arith_t = typename arith_type<T>::type;

template <class T>
constexpr arith_t<T> to_arith(T v) noexcept {
  return static_cast<arith_t<T>>(v);
}
template <class T>
constexpr T from_arith(arith_t<T> v) noexcept {
  return static_cast<T>(v);  // modular for integers since C++20
}

template <class T>
constexpr T add(T a, T b) noexcept {
  return from_arith<T>(static_cast<arith_t<T>>(to_arith(a) + to_arith(b)));
}
template <class T>
constexpr T sub(T a, T b) noexcept {
  return from_arith<T>(static_cast<arith_t<T>>(to_arith(a) - to_arith(b)));
}
template <class T>
constexpr T mul(T a, T b) noexcept {
  return from_arith<T>(static_cast<arith_t<T>>(to_arith(a) * to_arith(b)));
}
/// |v|; for integers |INT_MIN| wraps to INT_MIN, as numpy's abs does.
template <class T>
inline T abs_value(T v) noexcept {
  if constexpr (std::is_integral_v<T>) {
    return v < 0 ? sub<T>(T{0}, v) : v;
  } else {
    return std::fabs(v);  // clears the sign bit: abs(-0.0) is +0.0
  }
}

/// c[0]*x^(n-1) + ... + c[n-1] by Horner's rule (n >= 1), in T's arithmetic.
template <class T>
constexpr T horner(const T* c, std::int64_t n, T x) noexcept {
  T r = c[0];
  for (std::int64_t i = 1; i < n; ++i) r = add(mul(r, x), c[i]);
  return r;
}

}  // namespace tandem::detail
