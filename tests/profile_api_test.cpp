// The profile through the public API: calibrate refuses a bad output path before measuring,
// use_profile does not grow the process, plan and the Problem factories check their enums,
// workload names and profile strings are escaped.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <malloc.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "scratch_dir.hpp"
#include "tandem/tandem.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define TANDEM_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TANDEM_TEST_ASAN 1
#endif
#endif

namespace {

namespace fs = std::filesystem;

using ProfileApi = tandem_test::ScratchDirTest;

// calibrate throws tandem::invalid_argument naming the path and its kind, without measuring
// anything (no progress line), and leaves the node as it was.
void expect_refused(const std::string& out, const std::string& shown, const std::string& kind) {
  tandem::CalibrationOptions o;
  o.path = out;
  int lines = 0;
  o.progress = [&](const std::string&) { ++lines; };
  try {
    (void)tandem::calibrate(o);
    ADD_FAILURE() << "calibrate accepted " << shown;
  } catch (const tandem::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(shown), std::string::npos) << what;
    EXPECT_NE(what.find(kind), std::string::npos) << what;
  }
  EXPECT_EQ(lines, 0) << "calibrate measured before refusing " << shown;
}

TEST_F(ProfileApi, CalibrateRefusesNodesThatAreNotRegularFiles) {
  ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0600), 0);
  std::ofstream(path("victim")) << "precious";
  fs::create_symlink(path("victim"), path("link"));
  expect_refused(path("fifo"), path("fifo"), "is a FIFO");
  expect_refused(path("link"), path("link"), "is a symbolic link");
  expect_refused(dir_.string(), dir_.string(), "is a directory");
  expect_refused("/dev/null", "/dev/null", "is a character device");
  struct stat st {};
  ASSERT_EQ(::lstat(path("fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  ASSERT_EQ(::lstat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_TRUE(fs::is_symlink(path("link")));
  std::ifstream in(path("victim"));
  std::string text;
  std::getline(in, text);
  EXPECT_EQ(text, "precious");
}

TEST_F(ProfileApi, CalibrateChecksTandemProfileToo) {
  // An empty CalibrationOptions::path means TANDEM_PROFILE (this process only).
  ::setenv("TANDEM_PROFILE", "/dev/null", 1);
  expect_refused("", "/dev/null", "is a character device");
  ::unsetenv("TANDEM_PROFILE");
}

TEST_F(ProfileApi, CheckProfilePath) {
  EXPECT_NO_THROW(tandem::check_profile_path(path("new/profile.json")));
  EXPECT_FALSE(fs::exists(path("new")));  // checks only
  try {
    tandem::check_profile_path("");
    ADD_FAILURE() << "an empty path was accepted";
  } catch (const tandem::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("empty path"), std::string::npos) << e.what();
  }
  try {
    tandem::check_profile_path("/dev/null");
    ADD_FAILURE() << "/dev/null was accepted";
  } catch (const tandem::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'/dev/null' is a character device"), std::string::npos)
        << e.what();
  }
  // The path is escaped in the message.
  const std::string odd = path("fifo\n\x1b[2J");
  ASSERT_EQ(::mkfifo(odd.c_str(), 0600), 0);
  try {
    tandem::check_profile_path(odd);
    ADD_FAILURE() << "a FIFO was accepted";
  } catch (const tandem::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find_first_of("\n\x1b"), std::string::npos) << what;
    EXPECT_NE(what.find("fifo\\x0a\\x1b[2J' is a FIFO"), std::string::npos) << what;
  }
}

TEST_F(ProfileApi, UseProfileDoesNotKeepEveryState) {
#ifdef TANDEM_TEST_ASAN
  GTEST_SKIP() << "AddressSanitizer keeps freed memory in quarantine";
#else
  (void)tandem::use_profile("");
  const auto allocated = [] { return mallinfo2().uordblks; };
  const std::size_t before = allocated();
  for (int i = 0; i < 50000; ++i) (void)tandem::use_profile("");
  const std::size_t after = allocated();
  // Each state is about 2 KB: keeping them all would be about 100 MB.
  EXPECT_LT(after, before + (4u << 20)) << "heap grew from " << before << " to " << after;
  // And readers still see the profile in use.
  EXPECT_FALSE(tandem::profile_info().loaded);
  EXPECT_NO_THROW((void)tandem::plan(tandem::Problem::map(tandem::DType::f64, 100)));
#endif
}

TEST_F(ProfileApi, ReadersRunWhileTheProfileIsReplaced) {
  // Replaced states are freed once no thread holds them: readers (plan, automatic dispatch) on
  // other threads must still only ever see whole states (run under ASan and TSan).
  std::atomic<bool> stop{false};
  std::atomic<long> reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      std::vector<double> x(256, 1.5), y(256);
      while (!stop.load()) {
        const tandem::Plan p = tandem::plan(tandem::Problem::map(tandem::DType::f64, 4096));
        EXPECT_EQ(p.predictions.size(), 3u);
        tandem::map(std::span<const double>(x), std::span<double>(y), tandem::MapOp::scale(2),
                    {.backend = tandem::Backend::automatic});
        EXPECT_EQ(y[255], 3.0);
        ++reads;
      }
    });
  }
  std::ofstream(path("corrupt.json")) << "{";
  for (int i = 0; i < 3000; ++i) {
    const tandem::ProfileInfo info = tandem::use_profile(i % 2 == 0 ? "" : path("corrupt.json"));
    EXPECT_FALSE(info.loaded);
  }
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_GT(reads.load(), 0);
}

TEST(ProfileApiEnums, PlanRejectsValuesThatAreNoEnumerators) {
  tandem::Problem p = tandem::Problem::map(tandem::DType::f64, 1000);
  p.workload = static_cast<tandem::Workload>(9);
  try {
    (void)tandem::plan(p);
    ADD_FAILURE() << "plan accepted Workload(9)";
  } catch (const tandem::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("workload is 9"), std::string::npos) << e.what();
  }
  p = tandem::Problem::map(tandem::DType::f64, 1000);
  p.dtype = static_cast<tandem::DType>(100000000);
  try {
    (void)tandem::plan(p);
    ADD_FAILURE() << "plan accepted DType(100000000)";
  } catch (const tandem::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("100000000"), std::string::npos) << e.what();
  }
  const auto bad = static_cast<tandem::DType>(-3);
  EXPECT_THROW((void)tandem::Problem::map(bad, 1), tandem::invalid_argument);
  EXPECT_THROW((void)tandem::Problem::matmul(bad, 1, 1, 1), tandem::invalid_argument);
  EXPECT_THROW((void)tandem::Problem::polynomial_grid(bad, 1, 1, 1), tandem::invalid_argument);
  EXPECT_THROW((void)tandem::Problem::mse(bad, 1), tandem::invalid_argument);
  EXPECT_EQ(tandem::to_string(static_cast<tandem::Workload>(9)), "unknown");
  EXPECT_EQ(tandem::to_string(tandem::Workload::polynomial_grid), "polynomial_grid");
}

TEST(ProfileApiEnums, ParseWorkloadEscapesTheName) {
  try {
    (void)tandem::parse_workload(std::string("ff\0t\n\x1b[31m", 10));
    ADD_FAILURE();
  } catch (const tandem::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'ff\\x00t\\x0a\\x1b[31m'"), std::string::npos) << what;
    EXPECT_NE(what.find("valid: map"), std::string::npos) << what;  // not cut at the NUL
  }
}

TEST_F(ProfileApi, ProfileStringsAreEscaped) {
  // A corrupt file whose error message would quote raw control bytes.
  std::ofstream(path("p.json"), std::ios::binary)
      << std::string("{\"format\": \"tandem-profile\", \"version\": 1, \"x\x1b[2J\": 0}");
  const tandem::ProfileInfo i = tandem::use_profile(path("p.json"));
  EXPECT_FALSE(i.loaded);
  EXPECT_NE(i.status.find("ignored"), std::string::npos) << i.status;
  for (const std::string* s : {&i.status, &i.machine, &i.created, &i.path}) {
    for (const char c : *s) {
      EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "byte " << static_cast<int>(c) << " in " << *s;
    }
  }
}

TEST_F(ProfileApi, AFifoAsTheProfileDoesNotBlock) {
  ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0600), 0);
  const auto t0 = std::chrono::steady_clock::now();
  const tandem::ProfileInfo i = tandem::use_profile(path("fifo"));
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 10.0);
  EXPECT_FALSE(i.loaded);
  EXPECT_NE(i.status.find("not a regular file"), std::string::npos) << i.status;
}

}  // namespace
