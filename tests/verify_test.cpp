// Options::verify on every available backend, Stats::verified and its reason, and the error
// hierarchy (which standard handlers catch tandem's errors).
#include <algorithm>
#include <atomic>
#include <limits>
#include <new>
#include <stdexcept>
#include <thread>
#include <type_traits>

#include "verify_cases.hpp"

namespace {

using tandem_test::sentinel;
using tandem_test::verified_stats;

TEST(Verify, EveryWorkloadOnEveryAvailableBackend) {
  TANDEM_SEEDED_RNG(rng);
  const auto backends = tandem::available_backends();
  ASSERT_FALSE(backends.empty());
  for (const tandem::Backend b : backends) tandem_test::expect_verified_workloads(b, rng);
  // automatic resolves to one of them; it must verify what it ran.
  tandem_test::expect_verified_workloads(tandem::Backend::automatic, rng);
}

TEST(Verify, OffByDefaultAndStatsReflectIt) {
  std::vector<double> x{1, 2, 3}, y(3);
  tandem::Stats stats;
  stats.verified = true;  // a reused Stats: a later call without verification clears it
  tandem::map(std::span<const double>(x), std::span<double>(y), tandem::MapOp::square(),
              {.backend = tandem::Backend::openmp, .stats = &stats});
  EXPECT_FALSE(stats.verified);
  EXPECT_EQ(stats.reason.find("verif"), std::string::npos) << stats.reason;
}

TEST(Verify, ReasonSaysExactForMapAndBoundForMse) {
  if (!tandem::backend_info(tandem::Backend::openmp).available) GTEST_SKIP() << "no openmp";
  std::vector<double> x(1000, 0.25), y(1000);
  tandem::Stats stats;
  const tandem::Options o{.backend = tandem::Backend::openmp, .stats = &stats, .verify = true};
  tandem::map(std::span<const double>(x), std::span<double>(y), tandem::MapOp::scale(2), o);
  EXPECT_TRUE(stats.verified);
  EXPECT_NE(stats.reason.find("; verified against serial (exact: 1000 values equal)"),
            std::string::npos)
      << stats.reason;
  EXPECT_EQ(stats.reason.rfind("options.backend = openmp", 0), 0u) << stats.reason;
  tandem::mse(std::span<const double>(x), o);
  EXPECT_TRUE(stats.verified);
  EXPECT_NE(stats.reason.find("; verified against serial (max error "), std::string::npos)
      << stats.reason;
  EXPECT_NE(stats.reason.find(" within bound "), std::string::npos) << stats.reason;
  EXPECT_GT(stats.compute_seconds, 0.0);
  EXPECT_GE(stats.seconds, stats.compute_seconds);
}

TEST(Verify, SerialIsSkippedAndSaysSo) {
  std::vector<std::int32_t> x{1, 2, 3}, y(3);
  tandem::Stats stats;
  tandem::map(std::span<const std::int32_t>(x), std::span<std::int32_t>(y), tandem::MapOp::abs(),
              {.backend = tandem::Backend::serial, .stats = &stats, .verify = true});
  EXPECT_FALSE(stats.verified);
  EXPECT_NE(stats.reason.find("verification skipped: the backend is serial, the oracle itself"),
            std::string::npos)
      << stats.reason;
  EXPECT_EQ(y, (std::vector<std::int32_t>{1, 2, 3}));
}

TEST(Verify, CallableMapIsNotVerifiedAndSaysWhy) {
  std::vector<double> x{1, 2, 3};
  std::vector<float> y(3);
  tandem::Stats stats;
  stats.verified = true;
  int calls = 0;  // serial: one thread, so counting is safe
  tandem::map(x, y,
              [&calls](double v) {
                ++calls;
                return static_cast<float>(v + 1);
              },
              {.backend = tandem::Backend::serial, .stats = &stats, .verify = true});
  EXPECT_EQ(calls, 3);  // called once per element: not run a second time
  EXPECT_FALSE(stats.verified);
  EXPECT_NE(stats.reason.find("; not verified: a C++ callable"), std::string::npos) << stats.reason;
  EXPECT_EQ(y, (std::vector<float>{2, 3, 4}));
}

TEST(Verify, EmptyResultsVerifyTrivially) {
  for (const tandem::Backend b : tandem::available_backends()) {
    SCOPED_TRACE(std::string(tandem::to_string(b)));
    tandem::Stats stats;
    const tandem::Options o{.backend = b, .stats = &stats, .verify = true};
    std::vector<float> none;
    tandem::map(std::span<const float>(none), std::span<float>(none), tandem::MapOp::square(), o);
    EXPECT_TRUE(verified_stats(stats));
    tandem::Matrix<double> A(0, 4), B(4, 3);
    const auto C = tandem::matmul(A.view(), B.view(), o);
    EXPECT_EQ(C.rows(), 0);
    EXPECT_TRUE(verified_stats(stats));
    // k = 0: C is all zeros, compared like any other result.
    tandem::Matrix<std::int64_t> A0(2, 0), B0(0, 3), C0(2, 3, std::vector<std::int64_t>(6, 9));
    tandem::matmul(A0.view(), B0.view(), C0.view(), o);
    EXPECT_TRUE(tandem_test::all_equal(C0.values(), std::int64_t{0}));
    EXPECT_TRUE(verified_stats(stats));
  }
}

TEST(Verify, ValidationStillComesFirst) {
  // A bad argument is invalid_argument as without verification, with nothing written.
  std::vector<double> x{1, 2}, y(3, sentinel<double>());
  tandem::Stats stats = tandem_test::untouched_stats();
  EXPECT_TRUE(tandem_test::throws<tandem::invalid_argument>(
      [&] {
        tandem::map(std::span<const double>(x), std::span<double>(y), tandem::MapOp::square(),
                    {.stats = &stats, .verify = true});
      },
      {"x.size() is 2 but y.size() is 3"}));
  EXPECT_TRUE(tandem_test::all_equal(y, sentinel<double>()));
  EXPECT_TRUE(tandem_test::is_untouched(stats));
}

TEST(Verify, NonFiniteValuesAgree) {
  // NaN and infinities propagate alike on every backend: equal infinities and NaN on both sides
  // are agreement, not an error.
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const tandem::Backend b : tandem::available_backends()) {
    SCOPED_TRACE(std::string(tandem::to_string(b)));
    tandem::Stats stats;
    const tandem::Options o{.backend = b, .stats = &stats, .verify = true};
    const std::vector<double> x{nan, inf, -inf, -0.0, 2};
    std::vector<double> y(5);
    tandem::map(std::span<const double>(x), std::span<double>(y), tandem::MapOp::square(), o);
    EXPECT_TRUE(verified_stats(stats));
    EXPECT_TRUE(std::isnan(y[0]));
    EXPECT_EQ(y[1], inf);
    EXPECT_EQ(y[2], inf);
    // C(0, 0) = inf·0 + 1·1 = NaN, C(0, 1) = inf·1 + 1·1 = inf, C(1, 1) = 1 + 1 = 2.
    tandem::Matrix<double> A(2, 2, {inf, 1, 1, 1}), B(2, 2, {0, 1, 1, 1});
    const auto C = tandem::matmul(A.view(), B.view(), o);
    EXPECT_TRUE(verified_stats(stats));
    EXPECT_TRUE(std::isnan(C(0, 0)));
    EXPECT_EQ(C(0, 1), inf);
    EXPECT_EQ(C(1, 1), 2.0);
    EXPECT_EQ(tandem::mse(std::span<const double>(x).subspan(1), o), inf);
    EXPECT_TRUE(verified_stats(stats));
  }
}

TEST(Verify, ConcurrentVerifiedCalls) {
  // Each call has its own scratch; the serial oracle is shared and stateless.
  const std::int64_t n = 48;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      tandem::Matrix<std::int64_t> A(n, n), B(n, n);
      for (std::int64_t i = 0; i < n * n; ++i) {
        A.values()[static_cast<std::size_t>(i)] = (i * 7 + t) % 13 - 6;
        B.values()[static_cast<std::size_t>(i)] = (i * 5 + t) % 11 - 5;
      }
      for (int r = 0; r < 5; ++r) {
        tandem::Stats stats;
        const auto C = tandem::matmul(A.view(), B.view(), {.stats = &stats, .verify = true});
        const auto S = tandem::matmul(A.view(), B.view(), {.backend = tandem::Backend::serial});
        if (!std::equal(C.values().begin(), C.values().end(), S.values().begin()) ||
            !verified_stats(stats)) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

// ---- the error hierarchy ---------------------------------------------------------------------

// Every tandem error is a tandem::error and a std::runtime_error, with exactly one
// std::exception base, so the standard handlers users write catch it.
template <class E>
void expect_standard_handlers(tandem::errc code) {
  static_assert(std::is_base_of_v<tandem::error, E>);
  static_assert(std::is_base_of_v<std::runtime_error, E>);
  static_assert(std::is_base_of_v<std::exception, E>);
  // The documented non-claims: a tandem error is no std::logic_error (std::invalid_argument's
  // base) and no std::bad_alloc, since a second std::exception base would make every
  // `catch (const std::exception&)` miss it.
  static_assert(!std::is_base_of_v<std::logic_error, E>);
  static_assert(!std::is_base_of_v<std::bad_alloc, E>);
  const auto thrower = [code] { tandem::throw_error(code, "the message"); };
  try {
    thrower();
    ADD_FAILURE() << "nothing thrown";
  } catch (const std::exception& e) {
    EXPECT_STREQ(e.what(), "the message");
    EXPECT_NE(dynamic_cast<const E*>(&e), nullptr);
  }
  try {
    thrower();
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "the message");
  }
  try {
    thrower();
  } catch (const tandem::error& e) {
    EXPECT_EQ(e.code(), code);
  }
  try {
    thrower();
  } catch (const E& e) {
    EXPECT_EQ(e.code(), code);
  }
}

TEST(ErrorHierarchy, StandardHandlersCatchEveryTandemError) {
  expect_standard_handlers<tandem::invalid_argument>(tandem::errc::invalid_argument);
  expect_standard_handlers<tandem::backend_unavailable>(tandem::errc::backend_unavailable);
  expect_standard_handlers<tandem::device_error>(tandem::errc::device_error);
  expect_standard_handlers<tandem::out_of_memory>(tandem::errc::out_of_memory);
  expect_standard_handlers<tandem::verification_error>(tandem::errc::verification_failed);
  EXPECT_EQ(static_cast<int>(tandem::errc::verification_failed), 5);
  EXPECT_TRUE(tandem_test::throws<tandem::verification_error>(
      [] { tandem::throw_error(tandem::errc::verification_failed, "m5"); }, {"m5"}));
}

TEST(ErrorHierarchy, StdInvalidArgumentHandlerDoesNotCatchItButStdExceptionDoes) {
  // What a user's `catch (const std::invalid_argument&)` sees: not tandem's invalid_argument;
  // the std::exception handler after it does.
  std::vector<double> none;
  int caught_by = 0;
  try {
    tandem::mse(std::span<const double>(none));
  } catch (const std::invalid_argument&) {
    caught_by = 1;
  } catch (const std::exception& e) {
    caught_by = 2;
    EXPECT_NE(std::string(e.what()).find("tandem::mse: errors is empty"), std::string::npos);
  }
  EXPECT_EQ(caught_by, 2);
}

}  // namespace
