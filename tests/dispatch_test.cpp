// Backend names, availability, backend_info, the precedence of the backend choice, Stats, and
// set_default_backend under concurrency. TANDEM_BACKEND is tested in env_test.cpp (it is read
// once per process).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "backend_fixture.hpp"
#include "error_checks.hpp"
#include "tandem/tandem.hpp"
#include "test_util.hpp"

namespace {

using tandem::Backend;
using namespace tandem_test;

constexpr Backend kAll[] = {Backend::serial, Backend::openmp, Backend::cuda, Backend::automatic};

bool contains(const std::vector<Backend>& v, Backend b) {
  return std::find(v.begin(), v.end(), b) != v.end();
}
bool openmp_available() { return tandem::backend_info(Backend::openmp).available; }

TEST(BackendNames, ToStringAndParseRoundTrip) {
  EXPECT_EQ(tandem::to_string(Backend::serial), "serial");
  EXPECT_EQ(tandem::to_string(Backend::openmp), "openmp");
  EXPECT_EQ(tandem::to_string(Backend::cuda), "cuda");
  EXPECT_EQ(tandem::to_string(Backend::automatic), "automatic");
  for (Backend b : kAll) {
    EXPECT_EQ(tandem::parse_backend(tandem::to_string(b)), b);
    std::ostringstream os;
    os << b;
    EXPECT_EQ(os.str(), tandem::to_string(b));
  }
}

TEST(BackendNames, ParseIgnoresCaseAndSurroundingBlanks) {
  EXPECT_EQ(tandem::parse_backend("OpenMP"), Backend::openmp);
  EXPECT_EQ(tandem::parse_backend(" serial "), Backend::serial);
  EXPECT_EQ(tandem::parse_backend("SERIAL"), Backend::serial);
  EXPECT_EQ(tandem::parse_backend("\tCuda "), Backend::cuda);
  EXPECT_EQ(tandem::parse_backend("  Automatic\t"), Backend::automatic);
}

TEST(BackendNames, BadNamesListTheValidOnes) {
  for (const char* bad : {"gpu", "", "   ", "seria", "serial2", "open mp", "auto"}) {
    SCOPED_TRACE(std::string("name='") + bad + "'");
    EXPECT_TRUE(throws<tandem::invalid_argument>([&] { (void)tandem::parse_backend(bad); },
                                                 {"serial", "openmp", "cuda", "automatic"}));
  }
  EXPECT_TRUE(
      throws<tandem::invalid_argument>([] { (void)tandem::parse_backend("gpu"); }, {"gpu"}));
}

TEST(BackendInfo, AvailableBackendsAreConcreteAndSerialFirst) {
  const auto backends = tandem::available_backends();
  ASSERT_FALSE(backends.empty());
  EXPECT_EQ(backends.front(), Backend::serial);
  EXPECT_FALSE(contains(backends, Backend::automatic));
  for (Backend b : {Backend::serial, Backend::openmp, Backend::cuda}) {
    EXPECT_EQ(contains(backends, b), tandem::backend_info(b).available) << b;
    EXPECT_EQ(std::count(backends.begin(), backends.end(), b) <= 1, true) << b;
  }
}

TEST(BackendInfo, EachBackendDescribesItself) {
  for (Backend b : kAll) {
    EXPECT_EQ(tandem::backend_info(b).backend, b);
    EXPECT_EQ(tandem::backend_info(b).name, tandem::to_string(b));
  }
  const auto serial = tandem::backend_info(Backend::serial);
  EXPECT_TRUE(serial.available);
  EXPECT_EQ(serial.threads, 1);
  EXPECT_TRUE(serial.reason.empty());

  const auto openmp = tandem::backend_info(Backend::openmp);
  if (openmp.available) {
    EXPECT_GE(openmp.threads, 1);
    EXPECT_TRUE(openmp.reason.empty());
    EXPECT_FALSE(openmp.device.empty());
  } else {
    EXPECT_FALSE(openmp.reason.empty());
    EXPECT_EQ(openmp.threads, 0);
  }

  const auto cuda = tandem::backend_info(Backend::cuda);
  if (!cuda.available) {
    EXPECT_FALSE(cuda.reason.empty());
    EXPECT_NE(cuda.reason.find(expected_cuda_reason()), std::string::npos) << cuda.reason;
    EXPECT_EQ(cuda.threads, 0);
  }
}

/// Every test here leaves the process-wide default as it found it (unset).
class DefaultBackendTest : public ::testing::Test {
 protected:
  DefaultBackendGuard guard_;
  const std::vector<double> e_{1, 2, 3, 4};

  Backend ran(tandem::Options o = {}) {
    tandem::Stats stats;
    o.stats = &stats;
    EXPECT_EQ(tandem::mse(std::span<const double>(e_), o), 7.5);
    EXPECT_FALSE(stats.reason.empty());
    EXPECT_NE(stats.backend, Backend::automatic);
    return stats.backend;
  }
};

TEST_F(DefaultBackendTest, SetDefaultIsUsedAndPerCallOverridesIt) {
  tandem::set_default_backend(Backend::serial);
  EXPECT_EQ(tandem::default_backend(), Backend::serial);
  EXPECT_EQ(ran(), Backend::serial);
  if (!openmp_available()) GTEST_SKIP() << "openmp is not available here";
  EXPECT_EQ(ran(with(Backend::openmp)), Backend::openmp);

  tandem::set_default_backend(Backend::openmp);
  EXPECT_EQ(tandem::default_backend(), Backend::openmp);
  EXPECT_EQ(ran(), Backend::openmp);
  EXPECT_EQ(ran(with(Backend::serial)), Backend::serial);
}

TEST_F(DefaultBackendTest, StatsRequestedShowsWhatWasAsked) {
  tandem::set_default_backend(Backend::serial);
  tandem::Stats stats;
  tandem::Options o;
  o.stats = &stats;
  (void)tandem::mse(std::span<const double>(e_), o);
  EXPECT_EQ(stats.requested, Backend::serial);
  EXPECT_EQ(stats.backend, Backend::serial);
  EXPECT_EQ(stats.threads, 1);
  EXPECT_GE(stats.seconds, 0.0);

  o.backend = Backend::automatic;
  (void)tandem::mse(std::span<const double>(e_), o);
  EXPECT_EQ(stats.requested, Backend::automatic);
  EXPECT_TRUE(contains(tandem::available_backends(), stats.backend)) << stats.backend;
  EXPECT_FALSE(stats.reason.empty());
}

TEST_F(DefaultBackendTest, ResetFallsBackToAutomatic) {
  tandem::set_default_backend(Backend::serial);
  tandem::reset_default_backend();
  if (std::getenv("TANDEM_BACKEND") != nullptr) {
    GTEST_SKIP() << "TANDEM_BACKEND is set in this environment";
  }
  EXPECT_EQ(tandem::default_backend(), Backend::automatic);
  tandem::Stats stats;
  tandem::Options o;
  o.stats = &stats;
  EXPECT_EQ(tandem::mse(std::span<const double>(e_), o), 7.5);
  EXPECT_EQ(stats.requested, Backend::automatic);
  if (cuda_unavailable()) {
    EXPECT_NE(stats.backend, Backend::cuda);
  }
  EXPECT_TRUE(contains(tandem::available_backends(), stats.backend));
}

TEST_F(DefaultBackendTest, AutomaticPicksAnAvailableBackendForEverySize) {
  for (std::size_t n : {std::size_t{1}, std::size_t{1000}, std::size_t{1} << 22}) {
    SCOPED_TRACE("n=" + std::to_string(n));
    std::vector<double> x(n, 0.5);
    std::vector<double> y(n);
    tandem::Stats stats;
    tandem::Options o = with(Backend::automatic);
    o.stats = &stats;
    tandem::map(std::span<const double>(x), std::span<double>(y), tandem::MapOp::scale(4), o);
    EXPECT_TRUE(all_equal(y, 2.0));
    EXPECT_EQ(stats.requested, Backend::automatic);
    EXPECT_TRUE(contains(tandem::available_backends(), stats.backend)) << stats.backend;
    EXPECT_FALSE(stats.reason.empty());
    if (stats.backend != Backend::cuda) {
      EXPECT_GE(stats.threads, 1);
    }
  }
}

// The built-in defaults: openmp on one thread when small (no fork, and faster than the serial
// oracle), its team when large.
TEST_F(DefaultBackendTest, AutomaticIsOneOpenmpThreadWhenSmallAndTheTeamWhenLarge) {
  if (!openmp_available()) GTEST_SKIP() << "openmp is not available here";
  if (tandem::backend_info(Backend::cuda).available) GTEST_SKIP() << "a GPU changes the choice";
  tandem::Stats stats;
  tandem::Options o = with(Backend::automatic);
  o.stats = &stats;
  const std::vector<double> small(100, 1.0);
  EXPECT_EQ(tandem::mse(std::span<const double>(small), o), 1.0);
  EXPECT_EQ(stats.backend, Backend::openmp) << stats.reason;
  EXPECT_EQ(stats.threads, 1) << stats.reason;
  EXPECT_NE(stats.reason.find("automatic"), std::string::npos) << stats.reason;
  const std::vector<double> large(std::size_t{1} << 20, 1.0);
  EXPECT_EQ(tandem::mse(std::span<const double>(large), o), 1.0);
  EXPECT_EQ(stats.backend, Backend::openmp) << stats.reason;
  EXPECT_EQ(stats.threads, tandem::backend_info(Backend::openmp).threads) << stats.reason;
}

TEST_F(DefaultBackendTest, ThreadsOptionIsReported) {
  tandem::Stats stats;
  tandem::Options o = with(Backend::serial, 5);
  o.stats = &stats;
  (void)tandem::mse(std::span<const double>(e_), o);
  EXPECT_EQ(stats.threads, 1) << "serial always runs on one thread";
  if (!openmp_available()) GTEST_SKIP() << "openmp is not available here";
  for (int t : {1, 2, 3, 7}) {
    o = with(Backend::openmp, t);
    o.stats = &stats;
    (void)tandem::mse(std::span<const double>(e_), o);
    EXPECT_EQ(stats.threads, t);
    EXPECT_EQ(stats.backend, Backend::openmp);
  }
}

TEST_F(DefaultBackendTest, SetDefaultRejectsUnavailable) {
  if (cuda_unavailable()) {
    EXPECT_TRUE(throws<tandem::backend_unavailable>(
        [] { tandem::set_default_backend(Backend::cuda); }, {"cuda", expected_cuda_reason()}));
    EXPECT_NE(tandem::default_backend(), Backend::cuda) << "a rejected default must not stick";
  }
}

// Setters and readers of the default race with calls that use it: every call must still
// succeed with the exact result on one of the backends that were set.
TEST_F(DefaultBackendTest, SetDefaultIsThreadSafe) {
  const auto backends = tandem::available_backends();
  std::vector<double> big(8192);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<double>(i % 16);
  // Squares of small integers sum exactly in any order, and n is a power of two.
  double exact_sum = 0;
  for (double v : big) exact_sum += v * v;
  const double want = exact_sum / static_cast<double>(big.size());

  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<long> calls{0};
  std::vector<std::thread> threads;
  for (int s = 0; s < 2; ++s) {
    threads.emplace_back([&, s] {
      for (std::size_t i = 0; !stop.load(); ++i) {
        tandem::set_default_backend(backends[(i + static_cast<std::size_t>(s)) % backends.size()]);
        const Backend d = tandem::default_backend();
        if (!contains(backends, d)) failures.fetch_add(1);
      }
    });
  }
  for (int c = 0; c < 3; ++c) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        tandem::Stats stats;
        tandem::Options o;
        o.stats = &stats;
        try {
          if (tandem::mse(std::span<const double>(big), o) != want) failures.fetch_add(1);
          if (!contains(backends, stats.backend)) failures.fetch_add(1);
        } catch (...) {
          failures.fetch_add(1);
        }
        calls.fetch_add(1);
      }
    });
  }
  for (std::size_t t = 2; t < threads.size(); ++t) threads[t].join();
  stop = true;
  threads[0].join();
  threads[1].join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(calls.load(), 600);
}

TEST(Version, MatchesTheHeader) {
  EXPECT_STREQ(tandem::version(), TANDEM_VERSION_STRING);
  EXPECT_GT(std::strlen(TANDEM_VERSION_STRING), 0u);
}

}  // namespace
