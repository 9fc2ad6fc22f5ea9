#pragma once
// Inputs for the sort tests and what a sorted result must be: ascending, NaNs last (numpy's
// order), -0.0 == +0.0 as values, and the same values bit for bit as the input (a permutation:
// no NaN payload, NaN sign or zero sign lost or made up).
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

namespace tandem_test {

/// Sizes: empty, tiny, primes, and around the openmp backend's thresholds and thread parts.
inline const std::vector<std::size_t>& sort_sizes() {
  static const std::vector<std::size_t> sizes{0,    1,    2,     3,      7,      13,     63,
                                              64,   65,   127,   1009,   4095,   4096,   4097,
                                              8191, 8193, 65537, 131071, 131072, 131073, 300007};
  return sizes;
}

/// A named input.
template <class T>
struct SortCase {
  std::string name;
  std::vector<T> values;
};

template <class T>
T special_value(std::mt19937_64& rng) {
  using L = std::numeric_limits<T>;
  if constexpr (std::is_floating_point_v<T>) {
    using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
    const T nan_neg =
        std::bit_cast<T>(std::bit_cast<U>(L::quiet_NaN()) | (U{1} << (8 * sizeof(T) - 1)));
    const T nan_payload = std::bit_cast<T>(std::bit_cast<U>(L::quiet_NaN()) | U{5});
    const T values[] = {L::quiet_NaN(),
                        -L::quiet_NaN(),
                        nan_neg,
                        nan_payload,
                        L::infinity(),
                        -L::infinity(),
                        T(0),
                        T(-0.0),
                        L::denorm_min(),
                        -L::denorm_min(),
                        L::max(),
                        L::lowest(),
                        L::min(),
                        T(1),
                        T(-1)};
    return values[rng() % std::size(values)];
  } else {
    const T values[] = {L::min(), L::max(), T(0), T(-1), T(1), T(L::min() + 1), T(L::max() - 1)};
    return values[rng() % std::size(values)];
  }
}

template <class T>
T random_value(std::mt19937_64& rng) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(std::normal_distribution<double>(0.0, 1e3)(rng));
  } else {
    return static_cast<T>(rng());
  }
}

/// Every kind of input at size n.
template <class T>
std::vector<SortCase<T>> sort_cases(std::mt19937_64& rng, std::size_t n) {
  std::vector<SortCase<T>> cases;
  std::vector<T> v(n);
  for (auto& e : v) e = random_value<T>(rng);
  cases.push_back({"random", v});
  std::vector<T> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  cases.push_back({"sorted", sorted});
  cases.push_back({"reversed", std::vector<T>(sorted.rbegin(), sorted.rend())});
  for (auto& e : v) e = static_cast<T>(rng() % 4);  // many equal keys
  cases.push_back({"few_keys", v});
  cases.push_back({"all_equal", std::vector<T>(n, T(7))});
  for (auto& e : v) e = rng() % 3 == 0 ? special_value<T>(rng) : random_value<T>(rng);
  cases.push_back({"specials", v});
  for (auto& e : v) e = special_value<T>(rng);
  cases.push_back({"only_specials", v});
  if constexpr (std::is_floating_point_v<T>) {
    cases.push_back({"all_nan", std::vector<T>(n, -std::numeric_limits<T>::quiet_NaN())});
    for (auto& e : v) e = rng() % 2 == 0 ? T(0) : T(-0.0);
    cases.push_back({"signed_zeros", v});
    // Small positive values: the top bytes of every key are equal (passes a radix sort skips).
    for (auto& e : v) e = static_cast<T>(rng() % 1000) / T(1024);
    cases.push_back({"narrow_range", v});
  } else {
    for (auto& e : v) e = static_cast<T>(rng() % 100000);
    cases.push_back({"narrow_range", v});
  }
  return cases;
}

template <class T>
auto bits_of(T v) {
  using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  return std::bit_cast<U>(v);
}

/// The expected result: serial's order (NaNs last, std::sort of the rest).
template <class T>
std::vector<T> oracle_sorted(std::vector<T> v) {
  const auto mid = std::partition(v.begin(), v.end(), [](T e) { return e == e; });
  std::sort(v.begin(), mid);
  return v;
}

/// result is `input` sorted: equal as values to the oracle, element by element (NaN matches
/// NaN, -0.0 matches +0.0), and the same multiset of bit patterns as the input.
template <class T>
::testing::AssertionResult is_sorted_of(const std::vector<T>& result, const std::vector<T>& input) {
  if (result.size() != input.size()) {
    return ::testing::AssertionFailure() << "size " << result.size() << " != " << input.size();
  }
  const std::vector<T> want = oracle_sorted(input);
  for (std::size_t i = 0; i < result.size(); ++i) {
    const bool both_nan = result[i] != result[i] && want[i] != want[i];
    if (!(both_nan || result[i] == want[i])) {
      return ::testing::AssertionFailure() << "at " << i << " of " << result.size() << ": "
                                           << +result[i] << ", expected " << +want[i];
    }
  }
  std::vector<decltype(bits_of(T{}))> a(result.size()), b(input.size());
  std::transform(result.begin(), result.end(), a.begin(), [](T e) { return bits_of(e); });
  std::transform(input.begin(), input.end(), b.begin(), [](T e) { return bits_of(e); });
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  if (a != b) {
    return ::testing::AssertionFailure() << "not a permutation of the input's bit patterns";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace tandem_test
