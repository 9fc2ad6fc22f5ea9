// The busy-cores learner as dispatch uses it (the rules: busy_learner_test.cpp): a slow team
// makes an explicit openmp call with the default team back off to 1 thread, saying so in
// Stats, with the same results, and the team is tried again once the period is over. The
// slowness is made, not waited for: one element of a callable map sleeps.
#include <gtest/gtest.h>

#include <chrono>
#include <span>
#include <string>
#include <thread>
#include <vector>

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

}  // namespace
