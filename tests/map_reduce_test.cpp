// Reductions (sum, mean, min, max, map_reduce) on every backend and thread count, for every
// dtype: hand-computed values, an independent long double reference within the documented bound,
// the serial oracle, NaN and Inf, empty and one-element input, primes, integer extremes and
// wrapping, many equal values, the mse tree contract on openmp, the callable form, and every
// error path (typed error, nothing written).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "backend_fixture.hpp"
#include "error_checks.hpp"
#include "tandem/tandem.hpp"
#include "test_util.hpp"

namespace {

using namespace tandem_test;
using tandem::MapOp;
using tandem::ReduceOp;

const std::vector<std::size_t>& reduce_sizes() {
  static const std::vector<std::size_t> sizes{
      0, 1, 2, 7, 13, 31, 32, 33, 64, 127, 1009, 8191, 8192, 8193, 65537, 131071, 1000003};
  return sizes;
}

// ---- references: long double, independent of the library ------------------------------------

template <class T>
T cast_param(const tandem::Scalar& s) {
  return s.is_integer() ? static_cast<T>(s.integer()) : static_cast<T>(s.floating());
}

/// The map as tandem::map defines it, in T (integers wrap).
template <class T>
T apply(const MapOp& op, T v) {
  const auto p = op.params();
  const auto add = [](T a, T b) {
    if constexpr (std::is_integral_v<T>) {
      return wrap_add(a, b);
    } else {
      return static_cast<T>(a + b);
    }
  };
  const auto mul = [](T a, T b) {
    if constexpr (std::is_integral_v<T>) {
      return wrap_mul(a, b);
    } else {
      return static_cast<T>(a * b);
    }
  };
  switch (op.kind()) {
    case tandem::MapKind::scale:
      return mul(cast_param<T>(p[0]), v);
    case tandem::MapKind::affine:
      return add(mul(cast_param<T>(p[0]), v), cast_param<T>(p[1]));
    case tandem::MapKind::square:
      return mul(v, v);
    case tandem::MapKind::abs:
      if constexpr (std::is_integral_v<T>) {
        return v < 0 ? wrap_neg(v) : v;
      } else {
        return std::fabs(v);
      }
    case tandem::MapKind::polynomial: {
      T r = cast_param<T>(p[0]);
      for (std::size_t i = 1; i < p.size(); ++i) r = add(mul(r, v), cast_param<T>(p[i]));
      return r;
    }
  }
  return v;
}

/// Sum of (long double)t[i] (Neumaier in long double) and sum of |t[i]|.
struct Exact {
  long double sum = 0;
  long double magnitude = 0;
};
template <class T>
Exact exact_sum(const std::vector<T>& t) {
  Exact e;
  long double comp = 0;
  for (const T v : t) {
    const auto x = static_cast<long double>(v);
    const long double s = e.sum + x;
    comp += std::fabs(e.sum) >= std::fabs(x) ? (e.sum - s) + x : (x - s) + e.sum;
    e.sum = s;
    e.magnitude += std::fabs(x);
  }
  e.sum += comp;
  return e;
}

/// The documented bound of a floating point sum: (log2(n) + 24)·2^-53·sum|t|.
::testing::AssertionResult sum_within_bound(double got, const Exact& e, std::size_t n) {
  const long double bound = (std::log2(static_cast<long double>(n < 2 ? 2 : n)) + 24.0L) *
                            std::ldexp(1.0L, -53) * e.magnitude;
  const long double err = std::fabs(static_cast<long double>(got) - e.sum);
  if (err <= bound) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "sum " << got << " vs exact " << static_cast<double>(e.sum) << ": error "
         << static_cast<double>(err) << " exceeds " << static_cast<double>(bound) << " (n=" << n
         << ")";
}

/// Wrapping int64 sum of the values.
template <class T>
std::int64_t wrapped_sum(const std::vector<T>& t) {
  std::uint64_t s = 0;
  for (const T v : t) s += static_cast<std::uint64_t>(static_cast<std::int64_t>(v));
  return static_cast<std::int64_t>(s);
}

/// min (Max: max), NaN if any is NaN. t non-empty.
template <bool Max, class T>
T reference_extreme(const std::vector<T>& t) {
  T m = t[0];
  for (const T v : t) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(v)) return v;
    }
    if (Max ? v > m : v < m) m = v;
  }
  return m;
}

/// Same value: equal (so -0.0 == +0.0), or both NaN.
template <class A, class B>
bool same_value(A a, B b) {
  if constexpr (std::is_floating_point_v<A>) {
    if (std::isnan(a)) return std::isnan(static_cast<double>(b));
  }
  return a == b;
}

std::vector<MapOp> ops_for_test() {
  return {MapOp::scale(3),
          MapOp::affine(-2, 5),
          MapOp::square(),
          MapOp::abs(),
          MapOp::polynomial({1, -2, 3}),
          MapOp::polynomial({7}),
          MapOp::polynomial({2, 0, -1, 1, 3, -2, 1, 1, 4, 2})};  // > 8 coefficients: the heap
}

class MapReduceTest : public BackendThreadsTest {
 protected:
  bool cpu() const {
    return backend() == tandem::Backend::serial || backend() == tandem::Backend::openmp;
  }
};

// ---- known values -------------------------------------------------------------------------

TEST_P(MapReduceTest, HandComputed) {
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    const std::vector<T> x{T(3), T(1), T(4), T(1), T(5), T(9), T(2), T(6)};
    const std::span<const T> s(x);
    EXPECT_EQ(tandem::sum(s, options()), 31);
    EXPECT_EQ(tandem::mean(s, options()), 31.0 / 8.0);
    EXPECT_EQ(tandem::min(s, options()), T(1));
    EXPECT_EQ(tandem::max(s, options()), T(9));
    EXPECT_EQ(tandem::map_reduce(s, MapOp::square(), ReduceOp::sum(), options()), 173);
    EXPECT_EQ(tandem::map_reduce(s, MapOp::affine(-1, 10), ReduceOp::min(), options()), 1);
    EXPECT_EQ(tandem::map_reduce(s, MapOp::affine(-1, 10), ReduceOp::max(), options()), 9);
    EXPECT_EQ(tandem::map_reduce(s, MapOp::scale(2), ReduceOp::sum(), options()), 62);
    const std::vector<T> one{T(-7)};
    EXPECT_EQ(tandem::sum(std::span<const T>(one), options()), -7);
    EXPECT_EQ(tandem::mean(std::span<const T>(one), options()), -7.0);
    EXPECT_EQ(tandem::min(std::span<const T>(one), options()), T(-7));
    EXPECT_EQ(tandem::max(std::span<const T>(one), options()), T(-7));
    EXPECT_EQ(tandem::map_reduce(std::span<const T>(one), MapOp::abs(), ReduceOp::max(), options()),
              7);
  });
  // The mean of integers is the double quotient, not an integer division.
  const std::vector<std::int32_t> two{1, 2};
  EXPECT_EQ(tandem::mean(std::span<const std::int32_t>(two), options()), 1.5);
}

TEST_P(MapReduceTest, EmptySumIsZero) {
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    const std::vector<T> none;
    EXPECT_EQ(tandem::sum(std::span<const T>(none), options()), 0);
    EXPECT_EQ(tandem::map_reduce(std::span<const T>(none), MapOp::affine(1, 1), ReduceOp::sum(),
                                 options()),
              0);
    // A null span of size 0 is empty, not an error.
    EXPECT_EQ(tandem::sum(null_span<const T>(0), options()), 0);
  });
}

// ---- against an independent reference and the serial oracle ---------------------------------

TEST_P(MapReduceTest, MatchesReferenceAndSerialForEveryOp) {
  TANDEM_SEEDED_RNG(rng);
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    for (std::size_t n : reduce_sizes()) {
      SCOPED_TRACE("n=" + std::to_string(n));
      const auto x = [&] {
        if constexpr (std::is_integral_v<T>) {
          return full_range_vector<T>(rng, n);  // sums and maps wrap
        } else {
          return random_vector<T>(rng, n, -3.0, 3.0);
        }
      }();
      const std::span<const T> s(x);
      // The plain reductions.
      if constexpr (std::is_floating_point_v<T>) {
        EXPECT_TRUE(sum_within_bound(tandem::sum(s, options()), exact_sum(x), n));
        EXPECT_TRUE(sum_within_bound(tandem::sum(s, serial_options()), exact_sum(x), n));
      } else {
        EXPECT_EQ(tandem::sum(s, options()), wrapped_sum(x));
      }
      if (n > 0) {
        EXPECT_EQ(tandem::min(s, options()), reference_extreme<false>(x));
        EXPECT_EQ(tandem::max(s, options()), reference_extreme<true>(x));
        EXPECT_EQ(tandem::mean(s, options()),
                  static_cast<double>(tandem::sum(s, options())) / static_cast<double>(n));
      }
      // Every op, every reduction.
      for (const MapOp& op : ops_for_test()) {
        SCOPED_TRACE("op=" + std::string(tandem::to_string(op.kind())));
        std::vector<T> mapped(n);
        for (std::size_t i = 0; i < n; ++i) mapped[i] = apply(op, x[i]);
        const auto got = tandem::map_reduce(s, op, ReduceOp::sum(), options());
        const auto oracle = tandem::map_reduce(s, op, ReduceOp::sum(), serial_options());
        if constexpr (std::is_floating_point_v<T>) {
          const Exact e = exact_sum(mapped);
          if (std::isfinite(static_cast<double>(e.magnitude))) {
            EXPECT_TRUE(sum_within_bound(got, e, n));
            EXPECT_TRUE(sum_within_bound(oracle, e, n));
          }
        } else {
          EXPECT_EQ(got, wrapped_sum(mapped));
          EXPECT_EQ(oracle, got);
        }
        if (n == 0) continue;
        const auto lo = tandem::map_reduce(s, op, ReduceOp::min(), options());
        const auto hi = tandem::map_reduce(s, op, ReduceOp::max(), options());
        EXPECT_TRUE(same_value(reference_extreme<false>(mapped), lo)) << lo;
        EXPECT_TRUE(same_value(reference_extreme<true>(mapped), hi)) << hi;
        EXPECT_TRUE(same_value(tandem::map_reduce(s, op, ReduceOp::min(), serial_options()), lo));
      }
    }
  });
}

TEST_P(MapReduceTest, MapReduceSumEqualsSumOfMap) {
  TANDEM_SEEDED_RNG(rng);
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    for (std::size_t n : {std::size_t{1}, std::size_t{1009}, std::size_t{65537}}) {
      const auto x = random_vector<T>(rng, n, -50, 50);
      for (const MapOp& op : ops_for_test()) {
        std::vector<T> y(n);
        tandem::map(std::span<const T>(x), std::span<T>(y), op, options());
        const auto fused =
            tandem::map_reduce(std::span<const T>(x), op, ReduceOp::sum(), options());
        const auto two_steps = tandem::sum(std::span<const T>(y), options());
        // The same terms in the same order: the same bits, whatever the backend.
        EXPECT_EQ(fused, two_steps);
        EXPECT_TRUE(
            same_value(tandem::map_reduce(std::span<const T>(x), op, ReduceOp::max(), options()),
                       tandem::max(std::span<const T>(y), options())));
      }
    }
  });
}

// ---- floating point: NaN, Inf, accuracy --------------------------------------------------------

TEST_P(MapReduceTest, NanPropagatesFromAnyPosition) {
  for_each_float_dtype([&]<class T>(std::type_identity<T>) {
    const T nan = std::numeric_limits<T>::quiet_NaN();
    for (std::size_t n :
         {std::size_t{1}, std::size_t{2}, std::size_t{33}, std::size_t{100}, std::size_t{8193}}) {
      for (std::size_t at : {std::size_t{0}, n / 2, n - 1}) {
        SCOPED_TRACE("n=" + std::to_string(n) + " nan at " + std::to_string(at));
        std::vector<T> x(n, T(1.5));
        x[at] = nan;
        const std::span<const T> s(x);
        EXPECT_TRUE(std::isnan(tandem::min(s, options())));
        EXPECT_TRUE(std::isnan(tandem::max(s, options())));
        EXPECT_TRUE(std::isnan(tandem::sum(s, options())));
        EXPECT_TRUE(std::isnan(tandem::mean(s, options())));
        EXPECT_TRUE(std::isnan(tandem::map_reduce(s, MapOp::abs(), ReduceOp::min(), options())));
      }
    }
    // A NaN made by the map: inf * 0.
    std::vector<T> x(40, T(2));
    x[17] = std::numeric_limits<T>::infinity();
    EXPECT_TRUE(std::isnan(
        tandem::map_reduce(std::span<const T>(x), MapOp::scale(0), ReduceOp::max(), options())));
    EXPECT_EQ(
        tandem::map_reduce(std::span<const T>(x), MapOp::scale(-1), ReduceOp::min(), options()),
        -std::numeric_limits<double>::infinity());
  });
}

TEST_P(MapReduceTest, Infinities) {
  for_each_float_dtype([&]<class T>(std::type_identity<T>) {
    const T inf = std::numeric_limits<T>::infinity();
    std::vector<T> x(1000, T(1));
    x[500] = inf;
    const std::span<const T> s(x);
    EXPECT_EQ(tandem::sum(s, options()), std::numeric_limits<double>::infinity());
    EXPECT_EQ(tandem::max(s, options()), inf);
    EXPECT_EQ(tandem::min(s, options()), T(1));
    x[900] = -inf;
    EXPECT_TRUE(std::isnan(tandem::sum(s, options())));
    EXPECT_EQ(tandem::min(s, options()), -inf);
    EXPECT_EQ(tandem::max(s, options()), inf);
    // All infinite: min and max are that infinity.
    const std::vector<T> all(77, -inf);
    EXPECT_EQ(tandem::min(std::span<const T>(all), options()), -inf);
    EXPECT_EQ(tandem::max(std::span<const T>(all), options()), -inf);
  });
  // Overflow of a float sum happens in double, not in float.
  const std::vector<float> big(64, std::numeric_limits<float>::max());
  EXPECT_EQ(tandem::sum(std::span<const float>(big), options()),
            64.0 * static_cast<double>(std::numeric_limits<float>::max()));
}

TEST_P(MapReduceTest, SignedZerosCompareEqual) {
  const std::vector<double> z{0.0, -0.0, 0.0, -0.0};
  EXPECT_EQ(tandem::min(std::span<const double>(z), options()), 0.0);
  EXPECT_EQ(tandem::max(std::span<const double>(z), options()), 0.0);
  EXPECT_EQ(tandem::sum(std::span<const double>(z), options()), 0.0);
}

TEST_P(MapReduceTest, FloatInputIsSummedInDouble) {
  // A float accumulator stalls at 2^24; the sum is in double.
  std::vector<float> ones((std::size_t{1} << 24) + 3, 1.0f);
  EXPECT_EQ(tandem::sum(std::span<const float>(ones), options()), 16777219.0);
  EXPECT_EQ(tandem::mean(std::span<const float>(ones), options()), 1.0);
  // 0.1f exactly, widened.
  const std::vector<float> tenth{0.1f};
  EXPECT_EQ(tandem::sum(std::span<const float>(tenth), options()), static_cast<double>(0.1f));
  // The map is in float: 0.1f*0.1f rounded to float, then widened.
  EXPECT_EQ(tandem::map_reduce(std::span<const float>(tenth), MapOp::square(), ReduceOp::sum(),
                               options()),
            static_cast<double>(0.1f * 0.1f));
}

TEST_P(MapReduceTest, CancellationWithinBound) {
  // Huge terms that cancel, and tiny ones between: the bound is relative to sum |t|.
  std::vector<double> x(65537, 1e-8);
  for (std::size_t i = 0; i < x.size(); i += 2) x[i] = (i % 4 == 0) ? 1e12 : -1e12;
  EXPECT_TRUE(
      sum_within_bound(tandem::sum(std::span<const double>(x), options()), exact_sum(x), x.size()));
  // A classic: 1, 1e100, 1, -1e100: compensation gives 2 on serial and cuda.
  const std::vector<double> c{1.0, 1e100, 1.0, -1e100};
  const double got = tandem::sum(std::span<const double>(c), options());
  EXPECT_TRUE(sum_within_bound(got, exact_sum(c), c.size()));
  if (backend() != tandem::Backend::openmp) {
    EXPECT_EQ(got, 2.0);
  }
}

TEST_P(MapReduceTest, ManyEqualValues) {
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    const std::vector<T> x(1000003, T(3));
    const std::span<const T> s(x);
    EXPECT_EQ(tandem::sum(s, options()), 3000009);
    EXPECT_EQ(tandem::mean(s, options()), 3.0);
    EXPECT_EQ(tandem::min(s, options()), T(3));
    EXPECT_EQ(tandem::max(s, options()), T(3));
  });
  const std::vector<double> tenth(1000003, 0.1);
  const double m = tandem::mean(std::span<const double>(tenth), options());
  EXPECT_NEAR(m, 0.1, 0.1 * 46 * 0x1p-53);
}

// ---- integers: extremes and wrapping ---------------------------------------------------------

TEST_P(MapReduceTest, IntegerSumsWrapModulo2To64) {
  using L = std::numeric_limits<std::int64_t>;
  const std::vector<std::int64_t> over{L::max(), 1};
  EXPECT_EQ(tandem::sum(std::span<const std::int64_t>(over), options()), L::min());
  const std::vector<std::int64_t> under{L::min(), -1, L::min(), L::min()};  // wraps 3 times
  EXPECT_EQ(tandem::sum(std::span<const std::int64_t>(under), options()), L::max());
  EXPECT_EQ(tandem::min(std::span<const std::int64_t>(under), options()), L::min());
  EXPECT_EQ(tandem::max(std::span<const std::int64_t>(under), options()), -1);
  // i32 sums in int64: no wrap at 2^31.
  const std::vector<std::int32_t> big(100001, std::numeric_limits<std::int32_t>::max());
  EXPECT_EQ(tandem::sum(std::span<const std::int32_t>(big), options()),
            std::int64_t{100001} * std::numeric_limits<std::int32_t>::max());
  const std::vector<std::int32_t> small(4097, std::numeric_limits<std::int32_t>::min());
  EXPECT_EQ(tandem::sum(std::span<const std::int32_t>(small), options()),
            std::int64_t{4097} * std::numeric_limits<std::int32_t>::min());
  EXPECT_EQ(tandem::min(std::span<const std::int32_t>(small), options()),
            std::numeric_limits<std::int32_t>::min());
  // The map wraps in the element type first (as tandem::map), then widens.
  const std::vector<std::int32_t> m{std::numeric_limits<std::int32_t>::max(), 1};
  EXPECT_EQ(tandem::map_reduce(std::span<const std::int32_t>(m), MapOp::scale(2), ReduceOp::sum(),
                               options()),
            -2 + 2);
  // |INT_MIN| wraps to INT_MIN, as numpy's abs.
  const std::vector<std::int64_t> mn{L::min(), 5};
  EXPECT_EQ(tandem::map_reduce(std::span<const std::int64_t>(mn), MapOp::abs(), ReduceOp::min(),
                               options()),
            L::min());
  // The mean of integers whose sum wraps is the wrapped sum over n.
  EXPECT_EQ(tandem::mean(std::span<const std::int64_t>(over), options()),
            static_cast<double>(L::min()) / 2.0);
}

// ---- reproducibility ---------------------------------------------------------------------------

TEST_P(MapReduceTest, RepeatedCallsAreIdentical) {
  TANDEM_SEEDED_RNG(rng);
  const auto x = random_vector<double>(rng, 65537, -1e6, 1e6);
  const double first = tandem::sum(std::span<const double>(x), options());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(tandem::sum(std::span<const double>(x), options()), first);
}

TEST(MapReduceOpenMP, FloatSumIsMseTreeForEveryThreadCount) {
  if (!tandem::backend_info(tandem::Backend::openmp).available) {
    GTEST_SKIP() << "openmp is not available here";
  }
  TANDEM_SEEDED_RNG(rng);
  for (std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{8193}, std::size_t{65537},
                        std::size_t{1000003}}) {
    SCOPED_TRACE("n=" + std::to_string(n));
    const auto x = random_vector<double>(rng, n, -1e3, 1e3);
    const std::span<const double> s(x);
    tandem::Options o;
    o.backend = tandem::Backend::openmp;
    o.threads = 1;
    const double one = tandem::sum(s, o);
    const double squares = tandem::map_reduce(s, MapOp::square(), ReduceOp::sum(), o);
    // mse's tree over the same terms, divided by n: the same bits.
    EXPECT_EQ(squares / static_cast<double>(n), tandem::mse(s, o));
    for (int t : {2, 3, 7, 0}) {
      SCOPED_TRACE("threads=" + std::to_string(t));
      o.threads = t;
      EXPECT_EQ(tandem::sum(s, o), one);
      EXPECT_EQ(tandem::mean(s, o), one / static_cast<double>(n));
      EXPECT_EQ(tandem::map_reduce(s, MapOp::square(), ReduceOp::sum(), o), squares);
    }
  }
}

TEST(MapReduceSerial, MeanIsSumOverN) {
  const std::vector<double> x{0.1, 0.2, 0.3};
  const double s = tandem::sum(std::span<const double>(x), serial_options());
  EXPECT_EQ(tandem::mean(std::span<const double>(x), serial_options()), s / 3.0);
  // Compensated: the serial sum of 0.1 + 0.2 + 0.3 is the double nearest the exact sum of the
  // three doubles.
  const long double exact =
      static_cast<long double>(0.1) + static_cast<long double>(0.2) + static_cast<long double>(0.3);
  EXPECT_EQ(s, static_cast<double>(exact));
}

// ---- stats and verification -----------------------------------------------------------------

TEST_P(MapReduceTest, StatsAndVerification) {
  const std::vector<double> x{1, 2, 3, 4};
  tandem::Stats stats;
  EXPECT_EQ(tandem::sum(std::span<const double>(x), options(&stats)), 10.0);
  expect_stats(stats, backend(), GetParam().threads);
  tandem::Options o = options(&stats);
  o.verify = true;
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    TANDEM_SEEDED_RNG(rng);
    const auto v = random_vector<T>(rng, 10007, -1000, 1000);
    const std::span<const T> s(v);
    (void)tandem::sum(s, o);
    EXPECT_EQ(stats.verified, backend() != tandem::Backend::serial) << stats.reason;
    (void)tandem::mean(s, o);
    EXPECT_EQ(stats.verified, backend() != tandem::Backend::serial) << stats.reason;
    (void)tandem::min(s, o);
    EXPECT_EQ(stats.verified, backend() != tandem::Backend::serial) << stats.reason;
    (void)tandem::map_reduce(s, MapOp::polynomial({1, 2, 3}), ReduceOp::max(), o);
    EXPECT_EQ(stats.verified, backend() != tandem::Backend::serial) << stats.reason;
  });
}

// ---- the callable form --------------------------------------------------------------------

TEST_P(MapReduceTest, CallableForm) {
  std::vector<std::int64_t> x(100003);
  std::iota(x.begin(), x.end(), 1);
  const auto square = [](std::int64_t v) { return v * v; };
  const auto plus = [](std::int64_t a, std::int64_t b) { return a + b; };
  if (!cpu()) {
    EXPECT_TRUE(throws<tandem::backend_unavailable>(
        [&] { (void)tandem::map_reduce(x, square, plus, std::int64_t{0}, options()); }));
    return;
  }
  const std::int64_t n = 100003;
  EXPECT_EQ(tandem::map_reduce(x, square, plus, std::int64_t{0}, options()),
            n * (n + 1) * (2 * n + 1) / 6);
  // init is used once, whatever the thread count.
  EXPECT_EQ(tandem::map_reduce(
                x, [](std::int64_t) { return 1; }, plus, std::int64_t{5}, options()),
            n + 5);
  // Empty: init.
  const std::vector<double> none;
  EXPECT_EQ(tandem::map_reduce(
                none, [](double v) { return v; }, [](double a, double b) { return a + b; }, -2.5,
                options()),
            -2.5);
  // A different result type, and a span.
  const std::vector<float> f{1.5f, -2.0f, 4.0f};
  EXPECT_EQ(tandem::map_reduce(
                std::span<const float>(f), [](float v) { return static_cast<double>(v); },
                [](double a, double b) { return a < b ? b : a; },
                -std::numeric_limits<double>::infinity(), options()),
            4.0);
  // The order of the parts is kept: a non-commutative (but associative) reduction.
  std::vector<int> digits(1000);
  for (std::size_t i = 0; i < digits.size(); ++i) digits[i] = static_cast<int>(i % 10);
  const std::string joined = tandem::map_reduce(
      digits, [](int d) { return std::string(1, static_cast<char>('0' + d)); },
      [](std::string a, const std::string& b) { return a + b; }, std::string(">"), options());
  std::string want = ">";
  for (int d : digits) want += static_cast<char>('0' + d);
  EXPECT_EQ(joined, want);
}

TEST_P(MapReduceTest, CallableExceptionPropagates) {
  if (!cpu()) GTEST_SKIP() << "a C++ callable runs on the CPU backends only";
  std::vector<int> x(10000, 1);
  x[7777] = -1;
  EXPECT_THROW((void)tandem::map_reduce(
                   x,
                   [](int v) {
                     if (v < 0) throw std::runtime_error("negative");
                     return v;
                   },
                   [](int a, int b) { return a + b; }, 0, options()),
               std::runtime_error);
  EXPECT_THROW((void)tandem::map_reduce(
                   x, [](int v) { return v; },
                   [](int a, int b) {
                     if (b < 0) throw std::range_error("reduce");
                     return a + b;
                   },
                   0, options()),
               std::range_error);
}

// ---- errors: typed, naming the argument, nothing written ------------------------------------

TEST_P(MapReduceTest, ErrorPaths) {
  using tandem::invalid_argument;
  const auto nothing_written = [] { return true; };  // scalar results: only Stats can be written
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    const std::vector<T> none;
    const std::span<const T> empty(none);
    expect_rejected<invalid_argument>(
        "mean of nothing", options(),
        [&](const tandem::Options& o) { (void)tandem::mean(empty, o); }, nothing_written,
        {"tandem::mean", "empty"});
    expect_rejected<invalid_argument>(
        "min of nothing", options(), [&](const tandem::Options& o) { (void)tandem::min(empty, o); },
        nothing_written, {"tandem::min", "empty"});
    expect_rejected<invalid_argument>(
        "max of nothing", options(), [&](const tandem::Options& o) { (void)tandem::max(empty, o); },
        nothing_written, {"tandem::max", "empty"});
    expect_rejected<invalid_argument>("map_reduce min of nothing", options(),
                                      [&](const tandem::Options& o) {
                                        (void)tandem::map_reduce(empty, MapOp::square(),
                                                                 ReduceOp::min(), o);
                                      },
                                      nothing_written, {"tandem::map_reduce", "empty", "min"});
    expect_rejected<invalid_argument>(
        "null data", options(),
        [&](const tandem::Options& o) { (void)tandem::sum(null_span<const T>(5), o); },
        nothing_written, {"tandem::sum", "x"});
    expect_rejected<invalid_argument>("null data, map_reduce", options(),
                                      [&](const tandem::Options& o) {
                                        (void)tandem::map_reduce(null_span<const T>(3),
                                                                 MapOp::abs(), ReduceOp::max(), o);
                                      },
                                      nothing_written, {"tandem::map_reduce", "x"});
    const std::vector<T> x{T(1), T(2)};
    expect_rejected<invalid_argument>("polynomial without coefficients", options(),
                                      [&](const tandem::Options& o) {
                                        (void)tandem::map_reduce(
                                            std::span<const T>(x),
                                            MapOp::polynomial(std::vector<tandem::Scalar>{}),
                                            ReduceOp::sum(), o);
                                      },
                                      nothing_written, {"tandem::map_reduce", "0 coefficients"});
    tandem::Options bad = options();
    bad.threads = -1;
    expect_rejected<invalid_argument>(
        "negative threads", bad,
        [&](const tandem::Options& o) { (void)tandem::sum(std::span<const T>(x), o); },
        nothing_written, {"tandem::sum", "threads"});
  });
  // A parameter that does not fit the dtype.
  const std::vector<std::int32_t> xi{1, 2};
  expect_rejected<invalid_argument>("fractional parameter for i32", options(),
                                    [&](const tandem::Options& o) {
                                      (void)tandem::map_reduce(std::span<const std::int32_t>(xi),
                                                               MapOp::scale(2.5), ReduceOp::sum(),
                                                               o);
                                    },
                                    nothing_written, {"tandem::map_reduce", "op.a"});
  const std::vector<float> xf{1, 2};
  expect_rejected<invalid_argument>("parameter out of float range", options(),
                                    [&](const tandem::Options& o) {
                                      (void)tandem::map_reduce(std::span<const float>(xf),
                                                               MapOp::affine(1, 1e300),
                                                               ReduceOp::max(), o);
                                    },
                                    nothing_written, {"tandem::map_reduce", "op.b"});
  // The callable form: a null range with a size.
  if (cpu()) {
    EXPECT_TRUE(throws<invalid_argument>(
        [&] {
          (void)tandem::map_reduce(
              null_span<const double>(4), [](double v) { return v; },
              [](double a, double b) { return a + b; }, 0.0, options());
        },
        {"tandem::map_reduce", "x"}));
  }
}

TEST(MapReduceNames, ReduceKindsHaveNames) {
  EXPECT_EQ(tandem::to_string(tandem::ReduceKind::sum), "sum");
  EXPECT_EQ(tandem::to_string(tandem::ReduceKind::min), "min");
  EXPECT_EQ(tandem::to_string(tandem::ReduceKind::max), "max");
  EXPECT_EQ(ReduceOp::max().kind(), tandem::ReduceKind::max);
}

TANDEM_INSTANTIATE_FOR_BACKEND_THREADS(MapReduceTest);

}  // namespace
