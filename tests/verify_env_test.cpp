// TANDEM_VERIFY, one process per value (it is read once per process): see tests/CMakeLists.txt.
#include <cstdlib>

#include "test_util.hpp"

namespace {

using tandem_test::sentinel;

tandem::Backend parallel_backend() {
  return tandem::backend_info(tandem::Backend::openmp).available ? tandem::Backend::openmp
                                                                 : tandem::Backend::serial;
}

// TANDEM_VERIFY=1: every call verifies, with no option.
TEST(VerifyEnvOn, EveryCallIsVerified) {
  const tandem::Backend b = parallel_backend();
  std::vector<double> x{1, 2, 3, 4}, y(4);
  tandem::Stats stats;
  tandem::map(std::span<const double>(x), std::span<double>(y), tandem::MapOp::square(),
              {.backend = b, .stats = &stats});
  EXPECT_EQ(y, (std::vector<double>{1, 4, 9, 16}));
  EXPECT_EQ(stats.verified, b != tandem::Backend::serial) << stats.reason;
  EXPECT_NE(stats.reason.find(b == tandem::Backend::serial ? "verification skipped"
                                                           : "; verified against serial ("),
            std::string::npos)
      << stats.reason;
  // Options::verify = false cannot switch the process-wide setting off (it is the default).
  tandem::mse(std::span<const double>(x), {.backend = b, .stats = &stats, .verify = false});
  EXPECT_EQ(stats.verified, b != tandem::Backend::serial) << stats.reason;
}

// TANDEM_VERIFY=0 or empty: off unless Options::verify asks.
TEST(VerifyEnvOff, OnlyOptionsVerify) {
  const tandem::Backend b = parallel_backend();
  std::vector<std::int64_t> x{1, -2, 3}, y(3);
  tandem::Stats stats;
  tandem::map(std::span<const std::int64_t>(x), std::span<std::int64_t>(y), tandem::MapOp::abs(),
              {.backend = b, .stats = &stats});
  EXPECT_FALSE(stats.verified);
  EXPECT_EQ(stats.reason.find("verif"), std::string::npos) << stats.reason;
  tandem::map(std::span<const std::int64_t>(x), std::span<std::int64_t>(y), tandem::MapOp::abs(),
              {.backend = b, .stats = &stats, .verify = true});
  EXPECT_EQ(stats.verified, b != tandem::Backend::serial) << stats.reason;
  EXPECT_EQ(y, (std::vector<std::int64_t>{1, 2, 3}));
}

// TANDEM_VERIFY=yes: every call is an invalid_argument naming the value; nothing is written.
TEST(VerifyEnvGarbage, EveryCallFailsNamingTheValue) {
  for (int attempt = 0; attempt < 2; ++attempt) {  // read once, refused every time
    for (const bool verify : {false, true}) {
      std::vector<float> x{1, 2}, y(2, sentinel<float>());
      tandem::Stats stats = tandem_test::untouched_stats();
      EXPECT_TRUE(tandem_test::throws<tandem::invalid_argument>(
          [&] {
            tandem::map(std::span<const float>(x), std::span<float>(y), tandem::MapOp::square(),
                        {.stats = &stats, .verify = verify});
          },
          {"tandem::map: TANDEM_VERIFY='yes' is not 0 or 1"}));
      EXPECT_TRUE(tandem_test::all_equal(y, sentinel<float>()));
      EXPECT_TRUE(tandem_test::is_untouched(stats));
      EXPECT_TRUE(tandem_test::throws<tandem::invalid_argument>(
          [&] { tandem::mse(std::span<const float>(x)); }, {"tandem::mse: TANDEM_VERIFY='yes'"}));
    }
  }
}

// A control character in the value is escaped in the message. The process starts without
// TANDEM_VERIFY and sets it before its first call, which is when it is read.
TEST(VerifyEnvControl, ValueIsEscaped) {
  ASSERT_EQ(setenv("TANDEM_VERIFY", "1\x01\x7f", 1), 0);
  std::vector<double> x{1};
  EXPECT_TRUE(tandem_test::throws<tandem::invalid_argument>(
      [&] { tandem::mse(std::span<const double>(x)); }, {"TANDEM_VERIFY='1\\x01\\x7f'"}));
}

}  // namespace
