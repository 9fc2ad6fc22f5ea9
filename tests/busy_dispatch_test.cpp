// The busy-cores learner as dispatch uses it (the rules: busy_learner_test.cpp): a slow team
// makes an explicit openmp call with the default team back off to 1 thread, saying so in
// Stats, with the same results, and the team is tried again once the period is over. The
// slowness is made, not waited for: one element of a callable map sleeps.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "scratch_dir.hpp"
#include "tandem/tandem.hpp"

namespace {

using tandem::Backend;

TEST(BusyDispatch, ASlowTeamBacksOffToOneThreadAndComesBack) {
  if (!tandem::backend_info(Backend::openmp).available) GTEST_SKIP() << "no openmp here";
  if (tandem::backend_info(Backend::openmp).threads < 2) GTEST_SKIP() << "a team of 1 thread";
  std::vector<double> x(4096);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i);
  std::vector<double> y(x.size());
  bool slow = true;
  const auto f = [&slow](double v) {
    if (slow && v == 0.0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return 2.0 * v;
  };
  tandem::Stats stats;
  const tandem::Options o{.backend = Backend::openmp, .stats = &stats};
  const auto right = [&] {
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (y[i] != 2.0 * x[i]) return false;
    }
    return true;
  };
  // A few fast calls (the first wakes the team and is not counted), then slow ones.
  slow = false;
  for (int i = 0; i < 4; ++i) tandem::map(x, y, f, o);
  slow = true;
  bool backed_off = false;
  for (int i = 0; i < 50 && !backed_off; ++i) {
    tandem::map(x, y, f, o);
    ASSERT_TRUE(right());
    backed_off = stats.reason.find("backing off to 1 thread") != std::string::npos;
    if (backed_off) {
      EXPECT_EQ(stats.threads, 1) << stats.reason;
      EXPECT_EQ(stats.backend, Backend::openmp);
    } else {
      EXPECT_GT(stats.threads, 1) << stats.reason;
    }
  }
  ASSERT_TRUE(backed_off) << "50 calls of 5 ms against microseconds and no backoff: "
                          << stats.reason;
  // Fast again: within the longest period (640 ms) the team is tried again (and, its calls
  // fast, stays; on a busy machine it may back off again, which this does not check).
  slow = false;
  bool team = false;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!team && std::chrono::steady_clock::now() < until) {
    tandem::map(x, y, f, o);
    ASSERT_TRUE(right());
    team = stats.threads > 1;
    if (!team) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_TRUE(team) << "no team tried 5 s after the calls became fast: " << stats.reason;
  // A team asked for by number never backs off.
  slow = true;
  const tandem::Options pinned{.backend = Backend::openmp, .threads = 2, .stats = &stats};
  for (int i = 0; i < 8; ++i) {
    tandem::map(x, y, f, pinned);
    EXPECT_EQ(stats.threads, 2) << stats.reason;
  }
}

// This machine's key, as ProfileInfo::machine spells it: "<cpu>, <n> threads, GPU: <gpu>,
// driver: <driver>" (the CPU model may itself hold commas: the fields are found from the right).
struct Key {
  std::string cpu, gpu, driver;
  int threads = 0;
};
Key this_machine() {
  const std::string m = tandem::profile_info().machine;
  Key k;
  const auto d = m.rfind(", driver: ");
  const auto g = m.rfind(" threads, GPU: ", d);
  const auto t = m.rfind(", ", g);
  k.driver = m.substr(d + 10);
  k.gpu = m.substr(g + 15, d - g - 15);
  k.threads = std::stoi(m.substr(t + 2, g - t - 2));
  k.cpu = m.substr(0, t);
  return k;
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

using OneThread = tandem_test::ScratchDirTest;

// A profile that measured one thread of openmp faster than its team up to 10^4 elements of an
// f64 map: the default team runs such calls on one thread, and says why; larger calls, and a
// team asked for by number, run the team. automatic, choosing openmp there, does the same.
// The built-in defaults' crossover (about 12,700 elements of map on 2 threads) is automatic's.
TEST_F(OneThread, BelowTheProfilesCrossoverTheDefaultTeamRunsOnOneThread) {
  if (!tandem::backend_info(Backend::openmp).available) GTEST_SKIP() << "no openmp here";
  const int team = tandem::backend_info(Backend::openmp).threads;
  if (team < 2) GTEST_SKIP() << "a team of 1 thread";
  const Key k = this_machine();
  ASSERT_EQ(k.threads, team) << tandem::profile_info().machine;
  const std::string entry =
      R"(, "workload": "map", "dtype": "f64", "fit_error": 0.01, "points": 8, )";
  std::ofstream(path("p.json"))
      << R"({"format": "tandem-profile", "version": 1, "machine": {"cpu": )" << quoted(k.cpu)
      << R"(, "threads": )" << k.threads << R"(, "gpu": )" << quoted(k.gpu) << R"(, "driver": )"
      << quoted(k.driver) << R"(}, "entries": [)"
      << R"({"backend": "serial")" << entry
      << R"("overhead_seconds": 1e-7, "seconds_per_unit": 1e-9}, )"
      << R"({"backend": "openmp")" << entry
      << R"("overhead_seconds": 1e-6, "seconds_per_unit": 1e-10, )"
      << R"("samples": [[256, 1e-7], [1024, 2e-7], [100000, 1.1e-5]], )"
      << R"("one_thread_up_to_work": 10000}]})";
  const tandem::ProfileInfo info = tandem::use_profile(path("p.json"));
  ASSERT_TRUE(info.loaded) << info.status;
  std::vector<double> x(100000), y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i);
  tandem::Stats stats;
  const auto run = [&](std::size_t n, tandem::Options o) {
    o.stats = &stats;
    std::fill(y.begin(), y.end(), -1.0);
    tandem::map(std::span<const double>(x.data(), n), std::span<double>(y.data(), n),
                tandem::MapOp::scale(2), o);
    for (std::size_t i = 0; i < n; ++i) {
      if (y[i] != 2.0 * x[i]) return false;
    }
    return true;
  };
  const tandem::Options openmp{.backend = Backend::openmp};
  EXPECT_TRUE(run(1000, openmp));
  EXPECT_EQ(stats.threads, 1) << stats.reason;
  EXPECT_NE(stats.reason.find("1 thread: one thread is faster than the team up to 10000 units of "
                              "work (as the calibrated profile measured)"),
            std::string::npos)
      << stats.reason;
  EXPECT_TRUE(run(10000, openmp));
  EXPECT_EQ(stats.threads, 1) << stats.reason;
  EXPECT_TRUE(run(100000, openmp));
  EXPECT_EQ(stats.threads, team) << stats.reason;
  // Asked for by number: the team, whatever the size.
  EXPECT_TRUE(run(1000, {.backend = Backend::openmp, .threads = team}));
  EXPECT_EQ(stats.threads, team) << stats.reason;
  // automatic: openmp's samples (0.2 us at 1024) beat serial's fit (1.1 us), on one thread.
  EXPECT_TRUE(run(1024, {.backend = Backend::automatic}));
  EXPECT_EQ(stats.backend, Backend::openmp) << stats.reason;
  EXPECT_EQ(stats.threads, 1) << stats.reason;
  // The built-in defaults have such a crossover too, from their lines for the team and for one
  // thread: automatic follows it (its prediction is that line), an explicit call does not.
  (void)tandem::use_profile("");
  EXPECT_TRUE(run(1000, {.backend = Backend::automatic}));
  EXPECT_EQ(stats.backend, Backend::openmp) << stats.reason;
  EXPECT_EQ(stats.threads, 1) << stats.reason;
  EXPECT_NE(stats.reason.find("(built-in defaults)"), std::string::npos) << stats.reason;
  EXPECT_TRUE(run(1000, openmp));
  EXPECT_EQ(stats.threads, team) << stats.reason;
}

}  // namespace
