// The OpenMP runtime's limits, one process per case (see CMakeLists.txt: each suite runs alone
// with its own environment): teams the runtime cannot create, defaults above
// tandem::max_threads, OMP_THREAD_LIMIT, and calls in a fork()ed child.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tandem/tandem.hpp"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TANDEM_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define TANDEM_TEST_SANITIZED 1
#endif
#endif

namespace {

using tandem::Backend;

bool openmp_available() { return tandem::backend_info(Backend::openmp).available; }

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "<unset>" : v;
}

tandem::Options on(std::optional<Backend> b, int threads, tandem::Stats* stats) {
  tandem::Options o;
  o.backend = b;
  o.threads = threads;
  o.stats = stats;
  return o;
}

bool close(double a, double b, double rel) {
  return std::fabs(a - b) <= rel * std::max(1.0, std::max(std::fabs(a), std::fabs(b)));
}

// ---- every workload on one backend, checked against serial ------------------------------------

/// What a call's Stats must show.
struct Expect {
  int threads;               // Stats::threads (0: any)
  std::string reason_has;    // Stats::reason must contain this (empty: anything)
  std::string reason_lacks;  // ... and must not contain this (empty: anything)
  bool openmp_only = true;   // Stats::backend must be openmp
};

/// Runs map (MapOp and callable), matmul (f64: BLAS; i32: tandem's kernel), polynomial_grid and
/// mse with `backend` and `threads`; returns what was wrong (empty: all right).
std::vector<std::string> run_workloads(std::optional<Backend> backend, int threads,
                                       const Expect& expect) {
  std::vector<std::string> wrong;
  const auto check_stats = [&](const char* what, const tandem::Stats& s) {
    if (expect.openmp_only && s.backend != Backend::openmp) {
      wrong.push_back(std::string(what) + ": ran on " + std::string(tandem::to_string(s.backend)));
    }
    if (expect.threads != 0 && s.threads != expect.threads) {
      wrong.push_back(std::string(what) + ": ran on " + std::to_string(s.threads) +
                      " threads, expected " + std::to_string(expect.threads));
    }
    if (!expect.reason_has.empty() && s.reason.find(expect.reason_has) == std::string::npos) {
      wrong.push_back(std::string(what) + ": reason '" + s.reason + "' lacks '" +
                      expect.reason_has + "'");
    }
    if (!expect.reason_lacks.empty() && s.reason.find(expect.reason_lacks) != std::string::npos) {
      wrong.push_back(std::string(what) + ": reason '" + s.reason + "' has '" +
                      expect.reason_lacks + "'");
    }
  };
  tandem::Stats stats;
  const tandem::Options serial = on(Backend::serial, 0, nullptr);
  const tandem::Options o = on(backend, threads, &stats);

  // map, i64 affine: exact.
  const std::int64_t n = 100'003;
  std::vector<std::int64_t> xi(n), yi(n), ri(n);
  for (std::int64_t i = 0; i < n; ++i) xi[static_cast<std::size_t>(i)] = i * 7919 - 500'000;
  const auto op = tandem::MapOp::affine(3, -7);
  tandem::map(std::span<const std::int64_t>(xi), std::span<std::int64_t>(yi), op, o);
  check_stats("map", stats);
  tandem::map(std::span<const std::int64_t>(xi), std::span<std::int64_t>(ri), op, serial);
  if (yi != ri) wrong.push_back("map: result differs from serial");

  // map with a C++ callable (parallel_for): exact.
  std::vector<double> xd(n), yd(n);
  for (std::int64_t i = 0; i < n; ++i)
    xd[static_cast<std::size_t>(i)] = 0.5 * static_cast<double>(i);
  tandem::map(
      xd, yd, [](double v) { return 2 * v + 1; }, o);
  check_stats("callable map", stats);
  for (std::size_t i = 0; i < xd.size(); ++i) {
    if (yd[i] != 2 * xd[i] + 1) {
      wrong.push_back("callable map: y[" + std::to_string(i) + "] is wrong");
      break;
    }
  }

  // matmul f64 (BLAS where built with it), compared with a tolerance.
  const std::int64_t m = 96;
  tandem::Matrix<double> a(m, m), b(m, m);
  tandem::Matrix<std::int32_t> ai(m, m), bi(m, m);
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < m; ++j) {
      a(i, j) = std::sin(static_cast<double>(i * m + j));
      b(i, j) = std::cos(static_cast<double>(i + 3 * j));
      ai(i, j) = static_cast<std::int32_t>((i * 31 + j * 17) % 1001 - 500);
      bi(i, j) = static_cast<std::int32_t>((i * 13 + j * 7) % 999 - 499);
    }
  }
  const tandem::Matrix<double> c =
      tandem::matmul(std::as_const(a).view(), std::as_const(b).view(), o);
  check_stats("matmul f64", stats);
  const tandem::Matrix<double> cr =
      tandem::matmul(std::as_const(a).view(), std::as_const(b).view(), serial);
  for (std::size_t i = 0; i < c.values().size(); ++i) {
    if (!close(c.values()[i], cr.values()[i], 1e-12)) {
      wrong.push_back("matmul f64: C[" + std::to_string(i) + "] differs from serial");
      break;
    }
  }
  // matmul i32: tandem's blocked kernel, exact.
  const tandem::Matrix<std::int32_t> ci =
      tandem::matmul(std::as_const(ai).view(), std::as_const(bi).view(), o);
  check_stats("matmul i32", stats);
  if (ci != tandem::matmul(std::as_const(ai).view(), std::as_const(bi).view(), serial)) {
    wrong.push_back("matmul i32: result differs from serial");
  }

  // polynomial grid f64.
  const tandem::CartesianGrid<double> grid(3, tandem::linspace(-1.0, 1.0, 20));
  const std::vector<double> x = tandem::linspace(0.0, 1.0, 50);
  const tandem::Matrix<double> g = tandem::polynomial_grid(grid, std::span<const double>(x), o);
  check_stats("polynomial_grid", stats);
  const tandem::Matrix<double> gr =
      tandem::polynomial_grid(grid, std::span<const double>(x), serial);
  for (std::size_t i = 0; i < g.values().size(); ++i) {
    if (!close(g.values()[i], gr.values()[i], 1e-12)) {
      wrong.push_back("polynomial_grid: out[" + std::to_string(i) + "] differs from serial");
      break;
    }
  }

  // mse f64.
  const double e = tandem::mse(std::span<const double>(xd), o);
  check_stats("mse", stats);
  if (!close(e, tandem::mse(std::span<const double>(xd), serial), 1e-12)) {
    wrong.push_back("mse: differs from serial");
  }
  return wrong;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& w : v) s += "  " + w + "\n";
  return s;
}

// ---- a team larger than the threads that can be created ---------------------------------------

#ifndef TANDEM_TEST_SANITIZED  // the address-space tests skip themselves under the sanitizers
// The address space in use now (bytes), from /proc/self/statm.
std::uint64_t address_space_in_use() {
  std::ifstream in("/proc/self/statm");
  std::uint64_t pages = 0;
  in >> pages;
  return pages * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

// Leaves the process 1 GiB of address space beyond what it uses (ulimit -v): 300 threads with
// 8 MiB stacks (2.4 GiB) cannot all be created; libgomp would print "Thread creation failed"
// and exit(1).
void limit_address_space() {
  rlimit r{};
  ASSERT_EQ(getrlimit(RLIMIT_AS, &r), 0);
  r.rlim_cur = address_space_in_use() + (1ull << 30);
  ASSERT_EQ(setrlimit(RLIMIT_AS, &r), 0) << std::strerror(errno);
}
#endif

// OMP_STACKSIZE=8M (set by CMakeLists.txt, so the test does not depend on RLIMIT_STACK).
TEST(OmpCapCreated, TeamIsCappedAtTheThreadsThatCanBeCreated) {
#ifdef TANDEM_TEST_SANITIZED
  GTEST_SKIP() << "the sanitizers reserve terabytes of address space: no RLIMIT_AS test";
#else
  if (!openmp_available()) GTEST_SKIP() << "openmp is not available here";
  ASSERT_EQ(env("OMP_STACKSIZE"), "8M");
  limit_address_space();
  std::vector<double> e(1'000'000, 0.5);
  tandem::Stats stats;
  EXPECT_DOUBLE_EQ(tandem::mse(std::span<const double>(e), on(Backend::openmp, 300, &stats)), 0.25);
  // "openmp: 300 threads asked, C could be created; ran on C/2": half of what could be created,
  // so the team's stacks leave the program memory of its own.
  const int got = stats.threads;
  const std::string text = "openmp: 300 threads asked, ";
  const auto at = stats.reason.find(text);
  ASSERT_NE(at, std::string::npos) << stats.reason;
  const int created = std::atoi(stats.reason.c_str() + at + text.size());
  EXPECT_GT(created, 2);
  EXPECT_LT(created, 300);
  EXPECT_EQ(got, created / 2) << stats.reason;
  EXPECT_NE(stats.reason.find(text + std::to_string(created) + " could be created; ran on " +
                              std::to_string(got)),
            std::string::npos)
      << stats.reason;
  // Every workload, asked for 300 again: the same cap, no process exit.
  const auto wrong = run_workloads(Backend::openmp, 300, {got, "300 threads asked", ""});
  EXPECT_TRUE(wrong.empty()) << joined(wrong);
  // A team within the cap runs as asked, with no note.
  EXPECT_TRUE(run_workloads(Backend::openmp, 2, {2, "", "threads asked"}).empty());
#endif
}

// OMP_STACKSIZE=1M: the runtime's threads are 1 MiB, so 300 of them fit in the same 1 GiB; a
// probe that used pthreads' default stack (8 MiB) would cap the team needlessly.
TEST(OmpStackSize, ProbeUsesTheRuntimesStackSize) {
#ifdef TANDEM_TEST_SANITIZED
  GTEST_SKIP() << "the sanitizers reserve terabytes of address space: no RLIMIT_AS test";
#else
  if (!openmp_available()) GTEST_SKIP() << "openmp is not available here";
  ASSERT_EQ(env("OMP_STACKSIZE"), " 1 m ");
  limit_address_space();
  const auto wrong = run_workloads(Backend::openmp, 300, {300, "", "threads asked"});
  EXPECT_TRUE(wrong.empty()) << joined(wrong);
#endif
}

// OMP_NUM_THREADS=100000: libgomp's default team would overflow the calling thread's stack
// (SIGSEGV). The default is capped at tandem::max_threads (then at what can be created).
TEST(OmpHugeDefault, DefaultIsCappedAtMaxThreads) {
  if (!openmp_available()) GTEST_SKIP() << "openmp is not available here";
  ASSERT_EQ(env("OMP_NUM_THREADS"), "100000");
  EXPECT_EQ(tandem::backend_info(Backend::openmp).threads, tandem::max_threads);
  std::vector<double> e(1000, 2.0);
  tandem::Stats stats;
  EXPECT_DOUBLE_EQ(tandem::mse(std::span<const double>(e), on(Backend::openmp, 0, &stats)), 4.0);
  EXPECT_GE(stats.threads, 1);
  EXPECT_LE(stats.threads, tandem::max_threads);
  EXPECT_NE(stats.reason.find("openmp: 100000 threads asked, above tandem::max_threads"),
            std::string::npos)
      << stats.reason;
}

// OMP_THREAD_LIMIT=3: the runtime gives no more, so Stats says what really ran.
TEST(OmpThreadLimit, StatsReportTheLimitedTeam) {
  if (!openmp_available()) GTEST_SKIP() << "openmp is not available here";
  ASSERT_EQ(env("OMP_THREAD_LIMIT"), "3");
  const auto wrong =
      run_workloads(Backend::openmp, 8,
                    {3, "openmp: 8 threads asked, above the OpenMP thread limit; ran on 3", ""});
  EXPECT_TRUE(wrong.empty()) << joined(wrong);
  EXPECT_TRUE(run_workloads(Backend::openmp, 2, {2, "", "threads asked"}).empty());
}

// Host threads asking at once for a team larger than any so far: one probes, all get it.
TEST(OmpConcurrent, FirstLargeTeamsFromManyThreads) {
  if (!openmp_available()) GTEST_SKIP() << "openmp is not available here";
  constexpr int kCallers = 4;
  constexpr int kTeam = 24;
  std::vector<std::vector<std::string>> wrong(kCallers);
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&wrong, i] {
      wrong[static_cast<std::size_t>(i)] =
          run_workloads(Backend::openmp, kTeam, {kTeam, "", "threads asked"});
    });
  }
  for (auto& t : callers) t.join();
  for (const auto& w : wrong) EXPECT_TRUE(w.empty()) << joined(w);
}

// ---- fork() -------------------------------------------------------------------------------------

int g_parent_threads = 0;  // the parent's default team, read before the fork

// The child's checks; returns its exit status (0: all right), messages on stderr.
int child_checks() {
  alarm(60);  // a hang ends the child with SIGALRM, which the parent reports
  const std::string forked = "forked child of a process that used OpenMP: runs on 1 thread";
  std::vector<std::string> wrong;
  // The machine is the parent's: its profile key counts the parent's team, not the child's 1
  // thread (else a child would never find the machine's profile). First, before anything
  // else has read the key in this process.
  const std::string machine = tandem::profile_info().machine;
  const std::string threads = ", " + std::to_string(g_parent_threads) + " threads,";
  if (machine.find(threads) == std::string::npos) {
    wrong.push_back("the machine key '" + machine + "' lacks '" + threads + "'");
  }
  const auto add = [&wrong](const char* what, std::vector<std::string> w) {
    for (auto& s : w) wrong.push_back(std::string(what) + ": " + s);
  };
  add("default threads", run_workloads(Backend::openmp, 0, {1, forked, ""}));
  add("threads = 4", run_workloads(Backend::openmp, 4, {1, forked, ""}));
  // automatic: openmp still may run (its one-thread kernels), never on a team.
  add("automatic", run_workloads(std::nullopt, 0, {1, "", "", false}));
  if (tandem::backend_info(Backend::openmp).threads != 1) {
    wrong.push_back("backend_info(openmp).threads is not 1 in the child");
  }
  // A grandchild is a forked child too.
  const pid_t grandchild = fork();
  if (grandchild == 0) {
    alarm(60);
    _exit(run_workloads(Backend::openmp, 3, {1, forked, ""}).empty() ? 0 : 1);
  }
  int status = 0;
  if (grandchild < 0 || waitpid(grandchild, &status, 0) != grandchild || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) {
    wrong.push_back("the grandchild failed or hung");
  }
  for (const auto& w : wrong) std::fprintf(stderr, "child: %s\n", w.c_str());
  std::fflush(stderr);
  return wrong.empty() ? 0 : 1;
}

TEST(OmpFork, ChildCallsCompleteOnOneThread) {
  if (!openmp_available()) GTEST_SKIP() << "openmp is not available here";
  // The parent runs teams first: libgomp keeps their threads in a pool the child will lack.
  const auto parent = run_workloads(Backend::openmp, 2, {2, "", "forked"});
  ASSERT_TRUE(parent.empty()) << joined(parent);
  g_parent_threads = tandem::backend_info(Backend::openmp).threads;
  std::fflush(nullptr);
  const pid_t child = fork();
  ASSERT_GE(child, 0) << std::strerror(errno);
  if (child == 0) _exit(child_checks());
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  if (WIFSIGNALED(status)) {
    FAIL() << "the child ended with signal " << WTERMSIG(status) << " ("
           << strsignal(WTERMSIG(status)) << ")";
  }
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the child's checks failed (see its messages above)";
  // The parent itself still runs teams.
  const auto after = run_workloads(Backend::openmp, 2, {2, "", "forked"});
  EXPECT_TRUE(after.empty()) << joined(after);
}

}  // namespace
