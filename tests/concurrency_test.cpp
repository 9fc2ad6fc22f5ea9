// Concurrency: many threads calling every workload at once on mixed backends while another
// thread changes the process default; and tandem calls from inside the user's own OpenMP
// parallel region (one thread each unless Options::threads asks for a nested team). Run under
// ThreadSanitizer by the tsan preset.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <thread>
#include <vector>

#if TANDEM_TEST_HAS_OPENMP
#include <omp.h>
#endif

#include "backend_fixture.hpp"
#include "tandem/tandem.hpp"
#include "test_util.hpp"

namespace {

using tandem::Backend;
using namespace tandem_test;

template <class T>
bool same_bits(std::span<const T> a, std::span<const T> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

// Inputs and the results each backend gives alone, computed before the threads start.
struct Workloads {
  std::vector<std::int32_t> x;                      // map input (wraps)
  tandem::Matrix<std::int64_t> A, B;                // integer matmul (exact on every backend)
  std::vector<float> px;                            // polynomial grid x
  tandem::CartesianGrid<float> grid{{}};            // polynomial grid axes
  std::vector<double> small_ints;                   // mse exact in any order
  std::vector<double> e;                            // mse of random values (per backend bits)
  std::vector<std::int32_t> map_want;
  tandem::Matrix<std::int64_t> matmul_want;
  tandem::Matrix<float> grid_want;
  double mse_exact = 0;
  std::vector<double> mse_want;  // per backend index in available_backends()
};

Workloads make_workloads(std::mt19937_64& rng) {
  Workloads w;
  w.x = full_range_vector<std::int32_t>(rng, 5003);
  const auto a = full_range_vector<std::int64_t>(rng, 37 * 29);
  const auto b = full_range_vector<std::int64_t>(rng, 29 * 41);
  w.A = tandem::Matrix<std::int64_t>(37, 29, a);
  w.B = tandem::Matrix<std::int64_t>(29, 41, b);
  w.px = random_vector<float>(rng, 33, -2.0, 2.0);
  w.grid = tandem::CartesianGrid<float>({random_vector<float>(rng, 7, -1, 1),
                                         random_vector<float>(rng, 5, -1, 1),
                                         random_vector<float>(rng, 6, -1, 1)});
  w.small_ints.resize(6000);
  for (std::size_t i = 0; i < w.small_ints.size(); ++i) {
    w.small_ints[i] = static_cast<double>(i % 23) - 11.0;
  }
  w.e = random_vector<double>(rng, 7001);

  const tandem::Options serial = serial_options();
  w.map_want.resize(w.x.size());
  tandem::map(std::span<const std::int32_t>(w.x), std::span<std::int32_t>(w.map_want),
              tandem::MapOp::affine(3, -7), serial);
  w.matmul_want = tandem::matmul(w.A, w.B, serial);
  w.grid_want = tandem::polynomial_grid(w.grid, std::span<const float>(w.px), serial);
  w.mse_exact = tandem::mse(std::span<const double>(w.small_ints), serial);
  for (Backend backend : tandem::available_backends()) {
    tandem::Options o;
    o.backend = backend;
    w.mse_want.push_back(tandem::mse(std::span<const double>(w.e), o));
  }
  return w;
}

// Integer map and matmul, the polynomial grid (no FMA anywhere) and the mse of small integers
// are exact on every backend, so calls that follow the changing default must match bitwise;
// the mse of random values must match what its backend gives alone (every thread count gives
// the same bits on openmp).
TEST(Concurrency, EveryWorkloadOnMixedBackendsWhileTheDefaultChanges) {
  TANDEM_SEEDED_RNG(rng);
  DefaultBackendGuard guard;
  const Workloads w = make_workloads(rng);
  const auto backends = tandem::available_backends();

  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<int> calls{0};
  std::thread changer([&] {
    for (std::size_t i = 0; !stop.load(); ++i) {
      if (i % 5 == 4) {
        tandem::reset_default_backend();
      } else if (i % 5 == 3) {
        tandem::set_default_backend(Backend::automatic);
      } else {
        tandem::set_default_backend(backends[i % backends.size()]);
      }
      std::this_thread::yield();
    }
  });
  constexpr int kWorkers = 6;
  constexpr int kRounds = 8;
  std::vector<std::thread> workers;
  for (int t = 0; t < kWorkers; ++t) {
    workers.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        // Odd rounds ask for a backend (and thread count); even rounds follow the default.
        tandem::Options o;
        std::size_t which = 0;
        if ((r + t) % 2 == 1) {
          which = static_cast<std::size_t>(r + t) % backends.size();
          o.backend = backends[which];
          o.threads = 1 + (t + r) % 3;
        }
        try {
          std::vector<std::int32_t> y(w.x.size());
          tandem::map(std::span<const std::int32_t>(w.x), std::span<std::int32_t>(y),
                      tandem::MapOp::affine(3, -7), o);
          if (y != w.map_want) failures.fetch_add(1);
          if (!(tandem::matmul(w.A, w.B, o) == w.matmul_want)) failures.fetch_add(1);
          const auto g = tandem::polynomial_grid(w.grid, std::span<const float>(w.px), o);
          if (!same_bits(g.values(), w.grid_want.values())) failures.fetch_add(1);
          if (tandem::mse(std::span<const double>(w.small_ints), o) != w.mse_exact) {
            failures.fetch_add(1);
          }
          if (o.backend) {
            const double m = tandem::mse(std::span<const double>(w.e), o);
            if (std::memcmp(&m, &w.mse_want[which], sizeof m) != 0) failures.fetch_add(1);
          }
          // The callable map, on the CPU backends only.
          std::vector<std::int64_t> z(w.x.size());
          tandem::map(w.x, z, [](std::int32_t v) { return std::int64_t{v} * 2; }, o);
          for (std::size_t i = 0; i < z.size(); ++i) {
            if (z[i] != std::int64_t{w.x[i]} * 2) {
              failures.fetch_add(1);
              break;
            }
          }
        } catch (const std::exception& e) {
          ADD_FAILURE() << "worker " << t << " round " << r << ": " << e.what();
          failures.fetch_add(1);
        }
        calls.fetch_add(1);
      }
    });
  }
  for (auto& th : workers) th.join();
  stop = true;
  changer.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(calls.load(), kWorkers * kRounds);
}

#if TANDEM_TEST_HAS_OPENMP

// Restores OpenMP's max-active-levels ICV at the end of a test.
class ActiveLevelsGuard {
 public:
  ActiveLevelsGuard() : saved_(omp_get_max_active_levels()) {}
  ActiveLevelsGuard(const ActiveLevelsGuard&) = delete;
  ActiveLevelsGuard& operator=(const ActiveLevelsGuard&) = delete;
  ~ActiveLevelsGuard() { omp_set_max_active_levels(saved_); }

 private:
  int saved_;
};

struct NestedResult {
  tandem::Stats stats;
  bool correct = false;
};

// Each thread of a user's team of 2 runs map on openmp with `threads`, recording its Stats.
std::vector<NestedResult> map_from_user_region(int threads) {
  std::vector<NestedResult> results(2);
  std::vector<double> x(4099);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i) * 0.5 - 7.0;
#pragma omp parallel num_threads(2)
  {
    const int me = omp_get_thread_num();
    std::vector<double> y(x.size());
    tandem::Options o;
    o.backend = Backend::openmp;
    o.threads = threads;
    o.stats = &results[static_cast<std::size_t>(me)].stats;
    tandem::map(std::span<const double>(x), std::span<double>(y), tandem::MapOp::square(), o);
    bool ok = true;
    for (std::size_t i = 0; i < x.size(); ++i) ok = ok && y[i] == x[i] * x[i];
    results[static_cast<std::size_t>(me)].correct = ok;
  }
  return results;
}

class NestedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!tandem::backend_info(Backend::openmp).available) GTEST_SKIP() << "no openmp backend";
  }
  ActiveLevelsGuard levels_;
};

TEST_F(NestedTest, CallInsideAUserParallelRegionRunsOnItsThread) {
  omp_set_max_active_levels(4);
  for (const NestedResult& r : map_from_user_region(0)) {
    EXPECT_TRUE(r.correct);
    EXPECT_EQ(r.stats.backend, Backend::openmp);
    EXPECT_EQ(r.stats.threads, 1) << r.stats.reason;
    EXPECT_NE(r.stats.reason.find("inside an active OpenMP parallel region: 1 thread"),
              std::string::npos)
        << r.stats.reason;
  }
}

TEST_F(NestedTest, ExplicitThreadsAskForANestedTeam) {
  omp_set_max_active_levels(4);
  for (const NestedResult& r : map_from_user_region(2)) {
    EXPECT_TRUE(r.correct);
    EXPECT_EQ(r.stats.threads, 2) << r.stats.reason;
    EXPECT_NE(r.stats.reason.find("a nested team of options.threads"), std::string::npos)
        << r.stats.reason;
  }
}

TEST_F(NestedTest, NestingDisabledMeansOneThreadAndSaysSo) {
  omp_set_max_active_levels(1);
  for (const NestedResult& r : map_from_user_region(2)) {
    EXPECT_TRUE(r.correct);
    EXPECT_EQ(r.stats.threads, 1) << r.stats.reason;
    EXPECT_NE(r.stats.reason.find("nested parallelism disabled"), std::string::npos)
        << r.stats.reason;
  }
}

TEST_F(NestedTest, OutsideARegionTheDefaultThreadCountApplies) {
  tandem::Stats stats;
  std::vector<double> x(100, 1.5), y(100);
  tandem::map(std::span<const double>(x), std::span<double>(y), tandem::MapOp::square(),
              {.backend = Backend::openmp, .stats = &stats});
  EXPECT_EQ(stats.threads, tandem::backend_info(Backend::openmp).threads);
  EXPECT_EQ(stats.reason.find("parallel region"), std::string::npos) << stats.reason;
}

#endif  // TANDEM_TEST_HAS_OPENMP

}  // namespace
