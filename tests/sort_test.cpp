// sort on every backend (and openmp thread count) and dtype, against the serial oracle's order
// (NaNs last, -0.0 == +0.0) and the input's bits (a permutation); known values; verification;
// and every error path, with the array untouched.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "backend_fixture.hpp"
#include "error_checks.hpp"
#include "sort_cases.hpp"
#include "tandem/tandem.hpp"
#include "test_util.hpp"

namespace {

using namespace tandem_test;

template <class F>
void for_each_sort_dtype(F&& f) {
  f.template operator()<float>();
  f.template operator()<double>();
  f.template operator()<std::int32_t>();
  f.template operator()<std::int64_t>();
}

class SortTest : public BackendThreadsTest {};

TEST_P(SortTest, MatchesTheOracleOnEveryKindOfInput) {
  TANDEM_SEEDED_RNG(rng);
  for_each_sort_dtype([&]<class T>() {
    for (std::size_t n : sort_sizes()) {
      for (const auto& c : sort_cases<T>(rng, n)) {
        SCOPED_TRACE(dtype_name<T>() + " " + c.name + " n=" + std::to_string(n));
        std::vector<T> x = c.values;
        tandem::Stats stats;
        tandem::sort(std::span<T>(x), options(&stats));
        ASSERT_TRUE(is_sorted_of(x, c.values));
        expect_stats(stats, backend(), GetParam().threads);
      }
    }
  });
}

TEST_P(SortTest, KnownFloatValues) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> x{3.0, nan, -inf, -0.0, 1.0, 0.0, -nan, inf, -2.5, nan};
  tandem::sort(std::span<double>(x), options());
  const std::vector<double> head{-inf, -2.5, 0.0, 0.0, 1.0, 3.0, inf};
  for (std::size_t i = 0; i < head.size(); ++i) EXPECT_EQ(x[i], head[i]) << i;
  for (std::size_t i = head.size(); i < x.size(); ++i) EXPECT_TRUE(std::isnan(x[i])) << i;
  // Exactly one zero of each sign, in either order.
  EXPECT_NE(std::signbit(x[2]), std::signbit(x[3]));

  std::vector<float> f{2.0f,
                       -1.0f,
                       std::numeric_limits<float>::denorm_min(),
                       -0.5f,
                       std::numeric_limits<float>::lowest(),
                       std::numeric_limits<float>::max()};
  tandem::sort(std::span<float>(f), options());
  EXPECT_EQ(f, (std::vector<float>{std::numeric_limits<float>::lowest(), -1.0f, -0.5f,
                                   std::numeric_limits<float>::denorm_min(), 2.0f,
                                   std::numeric_limits<float>::max()}));
}

TEST_P(SortTest, KnownIntegerValues) {
  using L = std::numeric_limits<std::int64_t>;
  std::vector<std::int64_t> x{5, L::max(), -1, 0, L::min(), 5, -7, L::min() + 1, 1};
  tandem::sort(std::span<std::int64_t>(x), options());
  EXPECT_EQ(x, (std::vector<std::int64_t>{L::min(), L::min() + 1, -7, -1, 0, 1, 5, 5, L::max()}));
  using M = std::numeric_limits<std::int32_t>;
  std::vector<std::int32_t> y{M::max(), M::min(), 0, -1, 1};
  tandem::sort(std::span<std::int32_t>(y), options());
  EXPECT_EQ(y, (std::vector<std::int32_t>{M::min(), -1, 0, 1, M::max()}));
}

TEST_P(SortTest, EmptyAndNullEmptyAreFine) {
  std::vector<double> none;
  tandem::sort(std::span<double>(none), options());
  tandem::sort(null_span<std::int32_t>(0), options());
  std::vector<float> one{-0.0f};
  tandem::sort(std::span<float>(one), options());
  EXPECT_TRUE(std::signbit(one[0]));
}

TEST_P(SortTest, VerifiedCallsAgreeWithSerial) {
  TANDEM_SEEDED_RNG(rng);
  for_each_sort_dtype([&]<class T>() {
    for (std::size_t n : {std::size_t{0}, std::size_t{9}, std::size_t{70001}}) {
      for (const auto& c : sort_cases<T>(rng, n)) {
        SCOPED_TRACE(dtype_name<T>() + " " + c.name + " n=" + std::to_string(n));
        std::vector<T> x = c.values;
        tandem::Stats stats;
        tandem::Options o = options(&stats);
        o.verify = true;
        tandem::sort(std::span<T>(x), o);
        ASSERT_TRUE(is_sorted_of(x, c.values));
        EXPECT_EQ(stats.verified, backend() != tandem::Backend::serial);  // serial: the oracle
      }
    }
  });
}

TEST_P(SortTest, RejectsBadArgumentsAndLeavesTheArray) {
  for_each_sort_dtype([&]<class T>() {
    std::vector<T> x{T(3), T(1), T(2)};
    const std::vector<T> before = x;
    const auto untouched = [&] { return ::testing::AssertionResult(x == before); };
    const auto nothing = [] { return ::testing::AssertionSuccess(); };
    expect_rejected<tandem::invalid_argument>(
        "null x", options(), [](const tandem::Options& o) { tandem::sort(null_span<T>(5), o); },
        nothing, {"tandem::sort", "x"});
    tandem::Options negative = options();
    negative.threads = -3;
    expect_rejected<tandem::invalid_argument>(
        "negative threads", negative,
        [&](const tandem::Options& o) { tandem::sort(std::span<T>(x), o); }, untouched,
        {"tandem::sort", "threads"});
    tandem::Options bogus = options();
    bogus.backend = static_cast<tandem::Backend>(77);
    expect_rejected<tandem::invalid_argument>(
        "no such backend", bogus,
        [&](const tandem::Options& o) { tandem::sort(std::span<T>(x), o); }, untouched,
        {"tandem::sort"});
  });
}

TANDEM_INSTANTIATE_FOR_BACKEND_THREADS(SortTest);

TEST(SortUnavailable, ExplicitCudaWithoutCudaThrowsAndLeavesTheArray) {
  if (!cuda_unavailable()) GTEST_SKIP() << "cuda is available here";
  std::vector<double> x{2.0, 1.0};
  expect_rejected<tandem::backend_unavailable>(
      "cuda", with(tandem::Backend::cuda),
      [&](const tandem::Options& o) { tandem::sort(std::span<double>(x), o); },
      [&] {
        return ::testing::AssertionResult(x == std::vector<double>{2.0, 1.0});
      },
      {"tandem::sort", "cuda"});
}

TEST(SortAutomatic, SortsAndSaysWhy) {
  TANDEM_SEEDED_RNG(rng);
  for (std::size_t n : {std::size_t{10}, std::size_t{200000}}) {
    const std::vector<double> input = sort_cases<double>(rng, n)[5].values;  // "specials"
    std::vector<double> x = input;
    tandem::Stats stats;
    tandem::sort(std::span<double>(x), {.backend = tandem::Backend::automatic, .stats = &stats});
    EXPECT_TRUE(is_sorted_of(x, input));
    EXPECT_EQ(stats.requested, tandem::Backend::automatic);
    EXPECT_FALSE(stats.reason.empty());
  }
}

}  // namespace
