// TANDEM_BACKEND is read once per process, so each case is its own CTest entry running this
// executable with one value of the variable (see CMakeLists.txt): --gtest_filter=EnvSerial.* etc.
#include <gtest/gtest.h>

#include <cstdlib>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "backend_fixture.hpp"
#include "error_checks.hpp"
#include "tandem/tandem.hpp"
#include "test_util.hpp"

namespace {

using tandem::Backend;
using namespace tandem_test;

const std::vector<double> kE{1, 2, 3, 4};

/// Runs mse with `o` and returns the backend that ran (stats.backend).
Backend ran(tandem::Options o = {}) {
  tandem::Stats stats;
  o.stats = &stats;
  EXPECT_EQ(tandem::mse(std::span<const double>(kE), o), 7.5);
  return stats.backend;
}

bool openmp_available() { return tandem::backend_info(Backend::openmp).available; }

std::string env_value() {
  const char* v = std::getenv("TANDEM_BACKEND");
  return v == nullptr ? "<unset>" : v;
}

// TANDEM_BACKEND=serial
TEST(EnvSerial, ChoosesSerialAndYieldsToSetDefaultAndPerCall) {
  ASSERT_EQ(env_value(), "serial");
  DefaultBackendGuard guard;
  EXPECT_EQ(tandem::default_backend(), Backend::serial);
  tandem::Stats stats;
  tandem::Options o;
  o.stats = &stats;
  (void)tandem::mse(std::span<const double>(kE), o);
  EXPECT_EQ(stats.backend, Backend::serial);
  EXPECT_EQ(stats.requested, Backend::serial);
  EXPECT_FALSE(stats.reason.empty());
  if (!openmp_available()) GTEST_SKIP() << "openmp is not available here";
  EXPECT_EQ(ran(with(Backend::openmp)), Backend::openmp);  // per call > environment
  tandem::set_default_backend(Backend::openmp);            // set default > environment
  EXPECT_EQ(tandem::default_backend(), Backend::openmp);
  EXPECT_EQ(ran(), Backend::openmp);
  EXPECT_EQ(ran(with(Backend::serial)), Backend::serial);  // per call > set default
  tandem::reset_default_backend();
  EXPECT_EQ(tandem::default_backend(), Backend::serial);
  EXPECT_EQ(ran(), Backend::serial);
}

// TANDEM_BACKEND=OpenMP (any case)
TEST(EnvOpenMP, ChoosesOpenMPIgnoringCase) {
  ASSERT_EQ(env_value(), "OpenMP");
  if (!openmp_available()) GTEST_SKIP() << "openmp is not available here";
  EXPECT_EQ(tandem::default_backend(), Backend::openmp);
  EXPECT_EQ(ran(), Backend::openmp);
  EXPECT_EQ(ran(with(Backend::serial)), Backend::serial);
}

// TANDEM_BACKEND=garbage
TEST(EnvGarbage, CallsWithoutABackendFailWithTheValidNames) {
  ASSERT_EQ(env_value(), "garbage");
  const std::initializer_list<std::string_view> needles = {
      "TANDEM_BACKEND", "garbage", "serial", "openmp", "cuda", "automatic"};
  EXPECT_TRUE(throws<tandem::invalid_argument>([] { (void)tandem::default_backend(); }, needles));
  std::vector<double> y(4, sentinel<double>());
  tandem::Stats stats = untouched_stats();
  tandem::Options o;
  o.stats = &stats;
  EXPECT_TRUE(throws<tandem::invalid_argument>(
      [&] { (void)tandem::mse(std::span<const double>(kE), o); }, needles));
  EXPECT_TRUE(throws<tandem::invalid_argument>(
      [&] {
        tandem::map(std::span<const double>(kE), std::span<double>(y), tandem::MapOp::abs(), o);
      },
      needles));
  EXPECT_TRUE(all_equal(y, sentinel<double>()));
  EXPECT_TRUE(is_untouched(stats));
  // Still broken on a second call (read once, but the error is not forgotten).
  EXPECT_TRUE(throws<tandem::invalid_argument>(
      [&] { (void)tandem::mse(std::span<const double>(kE), o); }, {"garbage"}));
  // An explicit backend, per call or set as default, needs no environment.
  EXPECT_EQ(ran(with(Backend::serial)), Backend::serial);
  EXPECT_TRUE(tandem::backend_info(ran(with(Backend::automatic))).available);
  DefaultBackendGuard guard;
  tandem::set_default_backend(Backend::serial);
  EXPECT_EQ(ran(), Backend::serial);
}

// TANDEM_BACKEND=cuda
TEST(EnvCuda, CallsWithoutABackendReportCudaUnavailable) {
  ASSERT_EQ(env_value(), "cuda");
  if (!cuda_unavailable()) GTEST_SKIP() << "cuda is available here";
  EXPECT_EQ(tandem::default_backend(), Backend::cuda);
  tandem::Stats stats = untouched_stats();
  tandem::Options o;
  o.stats = &stats;
  EXPECT_TRUE(throws<tandem::backend_unavailable>(
      [&] { (void)tandem::mse(std::span<const double>(kE), o); }, {expected_cuda_reason()}));
  EXPECT_TRUE(is_untouched(stats));
  EXPECT_EQ(ran(with(Backend::serial)), Backend::serial);
}

// TANDEM_BACKEND unset
TEST(EnvUnset, DefaultIsAutomatic) {
  ASSERT_EQ(env_value(), "<unset>");
  EXPECT_EQ(tandem::default_backend(), Backend::automatic);
  tandem::Stats stats;
  tandem::Options o;
  o.stats = &stats;
  EXPECT_EQ(tandem::mse(std::span<const double>(kE), o), 7.5);
  EXPECT_EQ(stats.requested, Backend::automatic);
  EXPECT_NE(stats.backend, Backend::automatic);
  EXPECT_TRUE(tandem::backend_info(stats.backend).available);
}

}  // namespace
