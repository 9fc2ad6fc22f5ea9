// mse: hand-computed values, the documented accuracy bound against a long double Neumaier
// reference, double accumulation of float input, and bitwise reproducibility over thread
// counts on openmp.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "backend_fixture.hpp"
#include "tandem/tandem.hpp"
#include "test_util.hpp"

namespace {

using namespace tandem_test;

/// Sizes for mse: no 0 (an error), primes, and enough to exercise several pairwise levels.
const std::vector<std::size_t>& mse_sizes() {
  static const std::vector<std::size_t> sizes{1, 2, 3, 7, 13, 64, 1009, 65537, 1000003};
  return sizes;
}

/// Values with magnitudes spread over 2^-20 .. 2^20 (sums of squares of mixed scale).
template <class T>
std::vector<T> spread_vector(std::mt19937_64& rng, std::size_t n) {
  std::uniform_real_distribution<double> mantissa(-1.0, 1.0);
  std::uniform_int_distribution<int> exponent(-20, 20);
  std::vector<T> v(n);
  for (auto& e : v) {
    e = static_cast<T>(std::ldexp(mantissa(rng), exponent(rng)));
    if (e == T(0)) e = T(1);
  }
  return v;
}

class MseTest : public BackendTest {};

TEST_P(MseTest, HandComputed) {
  const std::vector<double> e{1, 2, 3, 4};
  EXPECT_EQ(tandem::mse(std::span<const double>(e), options()), 7.5);
  const std::vector<float> ef{1, 2, 3, 4};
  EXPECT_EQ(tandem::mse(std::span<const float>(ef), options()), 7.5);

  const std::vector<double> a{1, 2, 3};
  const std::vector<double> b{2, 4, 6};
  EXPECT_DOUBLE_EQ(tandem::mse(std::span<const double>(a), std::span<const double>(b), options()),
                   14.0 / 3.0);
  const std::vector<float> af{0.5f, -1.0f};
  const std::vector<float> bf{0.0f, 0.5f};
  EXPECT_EQ(tandem::mse(std::span<const float>(af), std::span<const float>(bf), options()), 1.25);
  const std::vector<double> one{-3.0};
  EXPECT_EQ(tandem::mse(std::span<const double>(one), options()), 9.0);
  // mse(a, a) is exactly 0.
  EXPECT_EQ(tandem::mse(std::span<const double>(a), std::span<const double>(a), options()), 0.0);
}

TEST_P(MseTest, FloatInputIsSquaredInDouble) {
  // 0.1f squared in float would round to a float; the result must be the double square.
  const std::vector<float> e{0.1f};
  const double want = static_cast<double>(0.1f) * static_cast<double>(0.1f);
  EXPECT_EQ(tandem::mse(std::span<const float>(e), options()), want);
  EXPECT_NE(want, static_cast<double>(0.1f * 0.1f));

  // 2^24 ones and one 1 more: a float accumulator stalls at 2^24; double does not.
  std::vector<float> ones((std::size_t{1} << 24) + 3, 1.0f);
  ones.back() = 3.0f;
  const double got = tandem::mse(std::span<const float>(ones), options());
  EXPECT_TRUE(mse_within_bound(got, reference_mse<float>(ones), ones.size()));
  EXPECT_GT(got, 1.0);
}

TEST_P(MseTest, MatchesExactMeanWithinDocumentedBound) {
  TANDEM_SEEDED_RNG(rng);
  for_each_float_dtype([&]<class T>(std::type_identity<T>) {
    for (std::size_t n : mse_sizes()) {
      SCOPED_TRACE("n=" + std::to_string(n));
      const auto e = spread_vector<T>(rng, n);
      const double got = tandem::mse(std::span<const T>(e), options());
      EXPECT_TRUE(mse_within_bound(got, reference_mse<T>(e), n));

      const auto a = random_vector<T>(rng, n, -1000, 1000);
      auto b = a;  // close to a: differences much smaller than the values
      std::uniform_real_distribution<double> noise(-1.0, 1.0);
      for (auto& v : b) v = static_cast<T>(v + static_cast<T>(noise(rng)));
      b[0] = static_cast<T>(a[0] + T(0.5));  // never all-zero differences
      const double got2 = tandem::mse(std::span<const T>(a), std::span<const T>(b), options());
      EXPECT_TRUE(mse_within_bound(got2, reference_mse<T>(a, b), n));

      const double oracle =
          tandem::mse(std::span<const T>(a), std::span<const T>(b), serial_options());
      EXPECT_TRUE(mse_within_bound(oracle, reference_mse<T>(a, b), n));
    }
  });
}

TEST_P(MseTest, LargeDynamicRange) {
  // One huge term among many tiny ones and the reverse: pairwise summation in double stays
  // within the bound where naive float summation would not.
  std::vector<double> e(65537, 1e-8);
  e[32768] = 1e8;
  EXPECT_TRUE(mse_within_bound(tandem::mse(std::span<const double>(e), options()),
                               reference_mse<double>(e), e.size()));
  std::vector<double> f(65537, 3.0);
  f[0] = 1e150;
  EXPECT_TRUE(mse_within_bound(tandem::mse(std::span<const double>(f), options()),
                               reference_mse<double>(f), f.size()));
}

// The thread count only matters to the openmp backend.
TEST(MseOpenMP, BitwiseSameForEveryThreadCount) {
  if (!tandem::backend_info(tandem::Backend::openmp).available) {
    GTEST_SKIP() << "openmp is not available here";
  }
  TANDEM_SEEDED_RNG(rng);
  for_each_float_dtype([&]<class T>(std::type_identity<T>) {
    for (std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{1009}, std::size_t{65537},
                          std::size_t{1000003}}) {
      SCOPED_TRACE("n=" + std::to_string(n));
      const auto a = spread_vector<T>(rng, n);
      const auto b = spread_vector<T>(rng, n);
      tandem::Options o;
      o.backend = tandem::Backend::openmp;
      o.threads = 1;
      const double one = tandem::mse(std::span<const T>(a), o);
      const double one2 = tandem::mse(std::span<const T>(a), std::span<const T>(b), o);
      for (int t : {2, 3, 7, 1, 2}) {
        SCOPED_TRACE("threads=" + std::to_string(t));
        o.threads = t;
        EXPECT_EQ(tandem::mse(std::span<const T>(a), o), one);
        EXPECT_EQ(tandem::mse(std::span<const T>(a), std::span<const T>(b), o), one2);
      }
      // The default thread count too.
      o.threads = 0;
      EXPECT_EQ(tandem::mse(std::span<const T>(a), o), one);
      EXPECT_TRUE(mse_within_bound(one, reference_mse<T>(a), n));
    }
  });
}

TEST_P(MseTest, RepeatedCallsAreIdentical) {
  TANDEM_SEEDED_RNG(rng);
  const auto e = spread_vector<double>(rng, 65537);
  const double first = tandem::mse(std::span<const double>(e), options());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(tandem::mse(std::span<const double>(e), options()), first);
}

TEST_P(MseTest, StatsReportTheBackendThatRan) {
  const std::vector<double> e{1, 2, 3, 4};
  tandem::Stats stats;
  EXPECT_EQ(tandem::mse(std::span<const double>(e), options(&stats)), 7.5);
  expect_stats(stats, backend(), 0);
  if (backend() == tandem::Backend::openmp) {
    tandem::Options o = options(&stats);
    o.threads = 3;
    EXPECT_EQ(tandem::mse(std::span<const double>(e), std::span<const double>(e), o), 0.0);
    EXPECT_EQ(stats.threads, 3);
    o.threads = 0;
    (void)tandem::mse(std::span<const double>(e), o);
    EXPECT_EQ(stats.threads, tandem::backend_info(tandem::Backend::openmp).threads);
  }
}

TANDEM_INSTANTIATE_FOR_BACKENDS(MseTest);

}  // namespace
