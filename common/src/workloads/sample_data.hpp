#pragma once
// Deterministic generated operands of the sample calls (tandem run, calibrate, conformance).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

namespace tandem::detail {

/// n values from `seed`: uniform in [-1, 1) for floating point, 0..9 for integers.
template <class T>
std::vector<T> sample_values(std::int64_t n, unsigned seed) {
  std::vector<T> v(static_cast<std::size_t>(n));
  std::uint64_t x = seed;
  for (T& e : v) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    if constexpr (std::is_floating_point_v<T>) {
      e = static_cast<T>(static_cast<double>(x >> 11) * 0x1.0p-52 - 1.0);
    } else {
      e = static_cast<T>((x >> 33) % 10);
    }
  }
  return v;
}

/// The sum of n values, as a double.
template <class T>
double sample_checksum(const T* p, std::int64_t n) {
  double s = 0;
  for (std::int64_t i = 0; i < n; ++i) s += static_cast<double>(p[i]);
  return s;
}

/// `sets` as a product of `k` axis sizes as equal as its divisors allow (10^4, 4 -> 10 10 10 10).
inline std::vector<std::int64_t> balanced_axes(std::int64_t sets, std::int64_t k) {
  std::vector<std::int64_t> sizes;
  std::int64_t rest = sets;
  for (std::int64_t i = k; i > 0; --i) {
    auto a = i == 1
                 ? rest
                 : static_cast<std::int64_t>(std::ceil(
                       std::pow(static_cast<double>(rest), 1.0 / static_cast<double>(i)) - 1e-9));
    a = std::max<std::int64_t>(a, rest == 0 ? 0 : 1);
    while (a > 1 && rest % a != 0) --a;
    sizes.push_back(a);
    rest = a > 0 ? rest / a : 0;
  }
  return sizes;
}

}  // namespace tandem::detail
