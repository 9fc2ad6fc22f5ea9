#pragma once
// Helpers shared by the tests: seeded random inputs, sentinel fills, exact (wrapping) integer
// references, long-double float references with error bounds, and exception checks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <random>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include "tandem/tandem.hpp"

namespace tandem_test {

// ---- seeds -----------------------------------------------------------------------------------

/// The seed of this process: TANDEM_TEST_SEED if set, else a fresh random one.
inline std::uint64_t test_seed() {
  static const std::uint64_t seed = [] {
    if (const char* s = std::getenv("TANDEM_TEST_SEED"); s != nullptr && *s != '\0') {
      return static_cast<std::uint64_t>(std::stoull(s, nullptr, 0));
    }
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ static_cast<std::uint64_t>(rd());
  }();
  return seed;
}

/// Prints the seed once per run, so a failure can be repeated with TANDEM_TEST_SEED.
class SeedPrinter : public ::testing::Environment {
 public:
  void SetUp() override {
    std::printf("tandem tests: seed=%llu (set TANDEM_TEST_SEED to repeat)\n",
                static_cast<unsigned long long>(test_seed()));
  }
};
inline ::testing::Environment* const seed_printer =
    ::testing::AddGlobalTestEnvironment(new SeedPrinter);

/// Declares `std::mt19937_64 rng` seeded with test_seed(); the seed is in every failure message
/// (SCOPED_TRACE) and in the XML report (RecordProperty).
#define TANDEM_SEEDED_RNG(rng)                                                                \
  SCOPED_TRACE("seed=" + std::to_string(::tandem_test::test_seed()) + " (TANDEM_TEST_SEED)"); \
  ::testing::Test::RecordProperty("seed", std::to_string(::tandem_test::test_seed()));        \
  std::mt19937_64 rng(::tandem_test::test_seed())

// ---- dtypes ----------------------------------------------------------------------------------

template <class T>
std::string dtype_name() {
  return std::string(tandem::to_string(tandem::dtype_of<T>));
}

/// Calls f(std::type_identity<T>{}) for every element type, with the type in failure messages.
template <class F>
void for_each_dtype(F&& f) {
  {
    SCOPED_TRACE("dtype=f32");
    f(std::type_identity<float>{});
  }
  {
    SCOPED_TRACE("dtype=f64");
    f(std::type_identity<double>{});
  }
  {
    SCOPED_TRACE("dtype=i32");
    f(std::type_identity<std::int32_t>{});
  }
  {
    SCOPED_TRACE("dtype=i64");
    f(std::type_identity<std::int64_t>{});
  }
}

/// As for_each_dtype, for the floating-point types only (mse).
template <class F>
void for_each_float_dtype(F&& f) {
  {
    SCOPED_TRACE("dtype=f32");
    f(std::type_identity<float>{});
  }
  {
    SCOPED_TRACE("dtype=f64");
    f(std::type_identity<double>{});
  }
}

/// Sizes the elementwise tests use: empty, one, primes, not divisible by 2, 3 or 7 threads.
inline const std::vector<std::size_t>& test_sizes() {
  static const std::vector<std::size_t> sizes{0, 1, 2, 7, 13, 64, 1009, 65537};
  return sizes;
}

// ---- random inputs ---------------------------------------------------------------------------

/// n values uniform in [lo, hi], never zero (so nothing compares against zeros only).
template <class T>
std::vector<T> random_vector(std::mt19937_64& rng, std::size_t n, double lo = -100.0,
                             double hi = 100.0) {
  std::vector<T> v(n);
  if constexpr (std::is_floating_point_v<T>) {
    std::uniform_real_distribution<double> dist(lo, hi);
    for (auto& e : v) {
      e = static_cast<T>(dist(rng));
      if (e == T(0)) e = T(0.5);
    }
  } else {
    std::uniform_int_distribution<std::int64_t> dist(static_cast<std::int64_t>(lo),
                                                     static_cast<std::int64_t>(hi));
    for (auto& e : v) {
      e = static_cast<T>(dist(rng));
      if (e == T(0)) e = T(1);
    }
  }
  return v;
}

/// n integers over the whole range of T (so products and sums wrap).
template <class T>
std::vector<T> full_range_vector(std::mt19937_64& rng, std::size_t n) {
  std::uniform_int_distribution<T> dist(std::numeric_limits<T>::min(),
                                        std::numeric_limits<T>::max());
  std::vector<T> v(n);
  for (auto& e : v) e = dist(rng);
  return v;
}

// ---- sentinels -------------------------------------------------------------------------------

/// A value no test result equals by accident.
template <class T>
constexpr T sentinel() {
  if constexpr (std::is_same_v<T, float>) return -7777.125f;
  if constexpr (std::is_same_v<T, double>) return -7777.0625;
  if constexpr (std::is_same_v<T, std::int32_t>) return std::int32_t{0x5EADBEEF};
  if constexpr (std::is_same_v<T, std::int64_t>) return std::int64_t{0x5EADBEEF5EADBEEF};
}

/// Success when every element of v equals `value` (bitwise for floats: same object values).
template <class T>
::testing::AssertionResult all_equal_span(std::span<const T> v, T value) {
  std::size_t bad = 0;
  std::size_t first = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!(v[i] == value)) {
      if (bad++ == 0) first = i;
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << bad << " of " << v.size() << " elements differ from " << +value << ", first at "
         << first << " (" << +v[first] << ")";
}
/// all_equal_span for any contiguous range (vector, span, Matrix::values()).
template <class R, class T>
::testing::AssertionResult all_equal(const R& range, T value) {
  return all_equal_span<T>(std::span<const T>(std::ranges::data(range), std::ranges::size(range)),
                           value);
}

/// A span with null data and n > 0 elements: what a caller's bug looks like.
template <class T>
std::span<T> null_span(std::size_t n) {
  T* p = nullptr;
  return std::span<T>(p, n);
}

/// A Stats whose every field differs from what a successful call writes.
inline tandem::Stats untouched_stats() {
  tandem::Stats s;
  s.backend = tandem::Backend::cuda;
  s.requested = tandem::Backend::cuda;
  s.threads = -42;
  s.seconds = -1.5;
  s.reason = "untouched";
  s.verified = true;
  return s;
}
inline ::testing::AssertionResult is_untouched(const tandem::Stats& s) {
  const tandem::Stats u = untouched_stats();
  if (s.backend == u.backend && s.requested == u.requested && s.threads == u.threads &&
      s.seconds == u.seconds && s.reason == u.reason && s.verified == u.verified) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "stats were written on error (backend=" << s.backend
                                       << ", reason='" << s.reason << "')";
}

// ---- exact integer arithmetic (wraps modulo 2^bits) ------------------------------------------

template <class T>
using unsigned_of = std::make_unsigned_t<T>;

template <class T>
constexpr T wrap_add(T a, T b) {
  return static_cast<T>(static_cast<unsigned_of<T>>(a) + static_cast<unsigned_of<T>>(b));
}
template <class T>
constexpr T wrap_mul(T a, T b) {
  return static_cast<T>(static_cast<unsigned_of<T>>(a) * static_cast<unsigned_of<T>>(b));
}
template <class T>
constexpr T wrap_neg(T a) {
  return static_cast<T>(unsigned_of<T>{0} - static_cast<unsigned_of<T>>(a));
}

// ---- float references and tolerances ---------------------------------------------------------

template <class T>
constexpr long double epsilon() {
  return static_cast<long double>(std::numeric_limits<T>::epsilon());
}

/// Success when |got - want| <= tol for each element; reports the worst one.
template <class T>
::testing::AssertionResult all_near(std::span<const T> got, std::span<const long double> want,
                                    std::span<const long double> tol) {
  if (got.size() != want.size()) {
    return ::testing::AssertionFailure() << "size " << got.size() << " != " << want.size();
  }
  std::size_t bad = 0;
  std::size_t worst = 0;
  long double worst_ratio = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const long double err = std::fabs(static_cast<long double>(got[i]) - want[i]);
    if (!(err <= tol[i])) {
      const long double ratio = tol[i] > 0 ? err / tol[i] : std::numeric_limits<long double>::max();
      if (bad++ == 0 || ratio > worst_ratio) {
        worst = i;
        worst_ratio = ratio;
      }
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << bad << " of " << got.size() << " elements out of tolerance; worst at " << worst
         << ": got " << static_cast<double>(got[worst]) << ", want "
         << static_cast<double>(want[worst]) << ", tolerance " << static_cast<double>(tol[worst]);
}

/// Exact mean of e[i]^2 (b empty) or (a[i] - b[i])^2, in long double with Neumaier summation.
template <class T>
long double reference_mse(std::span<const T> a, std::span<const T> b = {}) {
  long double sum = 0;
  long double comp = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const long double d = b.empty()
                              ? static_cast<long double>(a[i])
                              : static_cast<long double>(a[i]) - static_cast<long double>(b[i]);
    const long double t = d * d;
    const long double s = sum + t;
    comp += std::fabs(sum) >= std::fabs(t) ? (sum - s) + t : (t - s) + sum;
    sum = s;
  }
  return (sum + comp) / static_cast<long double>(a.size());
}

/// The documented mse accuracy: relative error at most (log2(n) + 24) * 2^-53.
inline ::testing::AssertionResult mse_within_bound(double got, long double exact, std::size_t n) {
  const long double bound =
      (std::log2(static_cast<long double>(n)) + 24.0L) * std::ldexp(1.0L, -53) * std::fabs(exact);
  const long double err = std::fabs(static_cast<long double>(got) - exact);
  if (err <= bound) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "mse " << got << " vs exact " << static_cast<double>(exact) << ": relative error "
         << static_cast<double>(err / std::fabs(exact)) << " exceeds "
         << static_cast<double>(bound / std::fabs(exact)) << " (n=" << n << ")";
}

/// The rows x cols block of a matrix view, copied row-major.
template <class T>
std::vector<T> block_values(tandem::MatrixView<const T> v) {
  std::vector<T> out;
  for (std::int64_t i = 0; i < v.rows; ++i) {
    for (std::int64_t j = 0; j < v.cols; ++j) out.push_back(v(i, j));
  }
  return out;
}

/// Success when C == A·B: exact (wrapping) for integers, within 2*(k+1)*eps*sum|a||b| of the
/// long double product for floats.
template <class T>
::testing::AssertionResult product_matches(tandem::MatrixView<const T> A,
                                           tandem::MatrixView<const T> B,
                                           tandem::MatrixView<const T> C) {
  const std::int64_t m = A.rows;
  const std::int64_t k = A.cols;
  const std::int64_t n = B.cols;
  if (C.rows != m || C.cols != n) return ::testing::AssertionFailure() << "C has the wrong shape";
  if constexpr (std::is_integral_v<T>) {
    for (std::int64_t i = 0; i < m; ++i) {
      for (std::int64_t j = 0; j < n; ++j) {
        T want = 0;
        for (std::int64_t l = 0; l < k; ++l) want = wrap_add(want, wrap_mul(A(i, l), B(l, j)));
        if (C(i, j) != want) {
          return ::testing::AssertionFailure()
                 << "C(" << i << ", " << j << ") is " << C(i, j) << ", want " << want;
        }
      }
    }
    return ::testing::AssertionSuccess();
  } else {
    std::vector<long double> want(static_cast<std::size_t>(m * n));
    std::vector<long double> tol(want.size());
    for (std::int64_t i = 0; i < m; ++i) {
      for (std::int64_t j = 0; j < n; ++j) {
        long double s = 0;
        long double mag = 0;
        for (std::int64_t l = 0; l < k; ++l) {
          const long double p = static_cast<long double>(A(i, l)) * B(l, j);
          s += p;
          mag += std::fabs(p);
        }
        const auto at = static_cast<std::size_t>(i * n + j);
        want[at] = s;
        tol[at] = 2 * static_cast<long double>(k + 1) * epsilon<T>() * mag;
      }
    }
    const auto got = block_values(C);
    return all_near<T>(got, want, tol);
  }
}

// ---- exceptions ------------------------------------------------------------------------------

template <class E>
constexpr tandem::errc errc_of() {
  if constexpr (std::is_same_v<E, tandem::invalid_argument>) return tandem::errc::invalid_argument;
  if constexpr (std::is_same_v<E, tandem::backend_unavailable>)
    return tandem::errc::backend_unavailable;
  if constexpr (std::is_same_v<E, tandem::device_error>) return tandem::errc::device_error;
  if constexpr (std::is_same_v<E, tandem::out_of_memory>) return tandem::errc::out_of_memory;
  if constexpr (std::is_same_v<E, tandem::verification_error>)
    return tandem::errc::verification_failed;
}

/// Success when f() throws exactly E (with the matching code()) whose message contains every
/// one of `needles`.
template <class E, class F>
::testing::AssertionResult throws(F&& f, std::initializer_list<std::string_view> needles = {}) {
  try {
    f();
  } catch (const E& e) {
    if (typeid(e) != typeid(E)) {
      return ::testing::AssertionFailure()
             << "threw a type derived from the expected one: " << typeid(e).name() << ": "
             << e.what();
    }
    if (e.code() != errc_of<E>()) {
      return ::testing::AssertionFailure()
             << "code() is " << static_cast<int>(e.code()) << ": " << e.what();
    }
    const std::string what = e.what();
    for (std::string_view needle : needles) {
      if (what.find(needle) == std::string::npos) {
        return ::testing::AssertionFailure()
               << "message '" << what << "' does not contain '" << needle << "'";
      }
    }
    return ::testing::AssertionSuccess() << what;
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure()
           << "threw the wrong type " << typeid(e).name() << ": " << e.what();
  } catch (...) {
    return ::testing::AssertionFailure() << "threw a non-std exception";
  }
  return ::testing::AssertionFailure() << "threw nothing";
}

}  // namespace tandem_test
