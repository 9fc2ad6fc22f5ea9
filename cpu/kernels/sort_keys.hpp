#pragma once
// The order of tandem::sort, shared by the CPU kernels and the tests: ascending, NaNs after
// every other value (numpy's order), -0.0 and +0.0 equivalent. Integers order as integers.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace tandem::detail {

template <class T>
constexpr bool is_nan_value(T v) noexcept {
  if constexpr (std::is_floating_point_v<T>) {
    return v != v;
  } else {
    (void)v;
    return false;
  }
}

/// Ascending with NaNs last: a strict weak order on every value of T (all NaNs equivalent).
struct NanLastLess {
  template <class T>
  constexpr bool operator()(T a, T b) const noexcept {
    if constexpr (std::is_floating_point_v<T>) {
      return a < b || (b != b && a == a);
    } else {
      return a < b;
    }
  }
};

/// Moves the NaNs of x[0, n) to the end (any order); returns how many values are not NaN.
template <class T>
std::int64_t partition_nans(T* x, std::int64_t n) noexcept {
  if constexpr (std::is_floating_point_v<T>) {
    return std::partition(x, x + n, [](T v) { return v == v; }) - x;
  } else {
    (void)x;
    return n;
  }
}

/// The unsigned key of a value whose unsigned order is the value's order (no NaN): the sign bit
/// flipped for integers; for IEEE floats, negative values' bits inverted and positive values'
/// sign bit set (so -0.0 sorts just before +0.0, which the order treats as equivalent).
template <class T>
using radix_key_t = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;

template <class T>
constexpr radix_key_t<T> to_radix_key(T v) noexcept {
  using U = radix_key_t<T>;
  static_assert(sizeof(T) == sizeof(U));
  constexpr U sign = U{1} << (8 * sizeof(U) - 1);
  const U b = std::bit_cast<U>(v);
  if constexpr (std::is_floating_point_v<T>) {
    const U mask = (U{0} - (b >> (8 * sizeof(U) - 1))) | sign;
    return b ^ mask;
  } else {
    return b ^ sign;
  }
}

template <class T>
constexpr T from_radix_key(radix_key_t<T> k) noexcept {
  using U = radix_key_t<T>;
  constexpr U sign = U{1} << (8 * sizeof(U) - 1);
  if constexpr (std::is_floating_point_v<T>) {
    const U mask = ((k >> (8 * sizeof(U) - 1)) - U{1}) | sign;
    return std::bit_cast<T>(static_cast<U>(k ^ mask));
  } else {
    return std::bit_cast<T>(static_cast<U>(k ^ sign));
  }
}

/// Loads and stores of a V at element i of raw storage (the radix sort keeps keys and values
/// in the same buffers).
template <class V>
inline V load_at(const unsigned char* p, std::int64_t i) noexcept {
  V v;
  std::memcpy(&v, p + i * static_cast<std::int64_t>(sizeof(V)), sizeof(V));
  return v;
}
template <class V>
inline void store_at(unsigned char* p, std::int64_t i, V v) noexcept {
  std::memcpy(p + i * static_cast<std::int64_t>(sizeof(V)), &v, sizeof(V));
}

}  // namespace tandem::detail
