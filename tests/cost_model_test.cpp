// The cost model's choice on synthetic profiles: crossovers respected, unavailable backends never
// chosen, operands in GPU memory going to cuda, transfer costs counted for host data only.
#include <gtest/gtest.h>

#include <cmath>

#include "model/cost_model.hpp"
#include "tandem/tandem.hpp"

namespace {

using tandem::Backend;
using tandem::DType;
using tandem::Workload;
using tandem::detail::Availability;
using tandem::detail::Profile;
using tandem::detail::Shape;

Profile synthetic() {
  Profile p = tandem::detail::builtin_profile({"test CPU", 2, "none", "none"});
  // serial: no overhead, 1 ns per element; openmp: 1 us + 0.1 ns; cuda: 10 us + 0.001 ns.
  for (DType d : {DType::f32, DType::f64}) {
    p.at(Backend::serial, Workload::mse, d) = {0.0, 1e-9, true};
    p.at(Backend::openmp, Workload::mse, d) = {1e-6, 0.1e-9, true};
    p.at(Backend::cuda, Workload::mse, d) = {10e-6, 0.001e-9, true};
  }
  p.h2d = p.d2h = 10e9;
  return p;
}

Availability available(bool openmp, bool cuda) {
  Availability a;
  a.can = {true, openmp, cuda};
  a.why_not = {"", openmp ? "" : "built without OpenMP", cuda ? "" : "built without CUDA"};
  return a;
}

Shape mse(double n, bool device = false) {
  return {{Workload::mse, DType::f64, n, 8 * n, device}, false};
}

TEST(CostModel, CrossoverBetweenSerialAndOpenmp) {
  const Profile p = synthetic();
  const Availability cpu = available(true, false);
  // 1e-9 n = 1e-6 + 0.1e-9 n  ->  n = 1111
  EXPECT_EQ(tandem::detail::choose_fast(p, mse(1000), cpu), Backend::serial);
  EXPECT_EQ(tandem::detail::choose_fast(p, mse(1250), cpu), Backend::openmp);
  EXPECT_EQ(tandem::detail::choose_fast(p, mse(1e8), cpu), Backend::openmp);
  const auto c = tandem::detail::choose(p, mse(1000), cpu, true);
  EXPECT_EQ(c.choice, Backend::serial);
  EXPECT_NEAR(c.predictions[0].seconds, 1e-6, 1e-12);
  EXPECT_NEAR(c.predictions[1].seconds, 1.1e-6, 1e-12);
  EXPECT_NE(c.reason.find("serial"), std::string::npos) << c.reason;
  EXPECT_NE(c.reason.find("calibrated"), std::string::npos) << c.reason;
}

TEST(CostModel, UnavailableBackendsAreNeverChosen) {
  const Profile p = synthetic();
  EXPECT_EQ(tandem::detail::choose_fast(p, mse(1e9), available(false, false)), Backend::serial);
  const auto c = tandem::detail::choose(p, mse(1e9), available(false, false), false);
  EXPECT_EQ(c.choice, Backend::serial);
  EXPECT_FALSE(c.predictions[1].available);
  EXPECT_EQ(c.predictions[2].why_not, "built without CUDA");
  EXPECT_NE(c.reason.find("cuda unavailable"), std::string::npos) << c.reason;
  // cuda is the fastest at 1e9 on device data, but may not be chosen when it is not there.
  EXPECT_NE(tandem::detail::choose_fast(p, mse(1e9), available(true, false)), Backend::cuda);
}

TEST(CostModel, HostDataPaysTheTransferDeviceDataDoesNot) {
  const Profile p = synthetic();
  const Availability all = available(true, true);
  // 1e8 f64 on the host: cuda 10 us + 0.1 ms + 0.8 GB / 10 GB/s = 80 ms > openmp 10 ms.
  const auto host = tandem::detail::choose(p, mse(1e8), all, true);
  EXPECT_EQ(host.choice, Backend::openmp);
  EXPECT_NEAR(host.predictions[2].transfer_seconds, 0.08, 1e-9);
  // The same operands in GPU memory: no transfer term, and cuda is the only candidate.
  const auto dev = tandem::detail::choose(p, mse(1e8, true), all, true);
  EXPECT_EQ(dev.choice, Backend::cuda);
  EXPECT_EQ(dev.predictions[2].transfer_seconds, 0.0);
  EXPECT_FALSE(dev.predictions[0].available);
  EXPECT_FALSE(dev.predictions[1].available);
  // Even a tiny device-resident call, where serial would be faster on host data.
  EXPECT_EQ(tandem::detail::choose_fast(p, mse(10, true), all), Backend::cuda);
  // Without cuda, device operands have no backend.
  EXPECT_EQ(tandem::detail::choose(p, mse(10, true), available(true, false), true).choice,
            Backend::automatic);
}

TEST(CostModel, CudaWinsLargeHostCallsWhenTheCopiesAreCheap) {
  Profile p = synthetic();
  p.h2d = p.d2h = 1e12;
  EXPECT_EQ(tandem::detail::choose_fast(p, mse(1e8), available(true, true)), Backend::cuda);
  EXPECT_EQ(tandem::detail::choose_fast(p, mse(100), available(true, true)), Backend::serial);
}

TEST(CostModel, CallablesRunOnCpuBackendsOnly) {
  Profile p = synthetic();
  Availability a = available(true, false);  // as availability(cpu_only) reports cuda
  Shape s{{Workload::map, DType::f64, 1e9, 0, false}, true};
  EXPECT_NE(tandem::detail::choose_fast(p, s, a), Backend::cuda);
}

// openmp as calibrated on 2 cores: below one block it runs on the calling thread (0.17 us at
// 256, 0.22 us at 1024), from 4096 it forks (0.76 us); the affine fit through those sizes has a
// fixed cost of 1.9 us, which serial's 0.11 us + 0.55 ns per element beats up to 3,400 elements.
Profile with_samples() {
  Profile p = synthetic();
  p.at(Backend::serial, Workload::map, DType::f64) = {0.11e-6, 0.55e-9, true};
  auto& o = p.at(Backend::openmp, Workload::map, DType::f64);
  o = {1.9e-6, 0.098e-9, true};
  const tandem::detail::Sample s[] = {
      {256, 0.17e-6}, {1024, 0.22e-6}, {4096, 0.76e-6}, {262144, 37e-6}};
  for (const auto& x : s) o.samples[o.sample_count++] = x;
  return p;
}

TEST(CostModel, SamplesAreFollowedBetweenAndAffineFitBeyond) {
  const Profile p = with_samples();
  const auto& o = p.at(Backend::openmp, Workload::map, DType::f64);
  using tandem::detail::series_seconds;
  // At a sample: that sample.
  EXPECT_DOUBLE_EQ(series_seconds(o, 1024), 0.22e-6);
  EXPECT_DOUBLE_EQ(series_seconds(o, 262144), 37e-6);
  // Between two: linear in log-log (halfway in log work: the geometric mean of the times).
  EXPECT_NEAR(series_seconds(o, 2048), std::sqrt(0.22e-6 * 0.76e-6), 1e-15);
  EXPECT_GT(series_seconds(o, 3000), series_seconds(o, 2048));
  // Beyond the largest: the affine fit's growth from the last sample.
  const double last = 1.9e-6 + 0.098e-9 * 262144;
  EXPECT_NEAR(series_seconds(o, 1 << 24), 37e-6 * (1.9e-6 + 0.098e-9 * (1 << 24)) / last, 1e-12);
  // Below the smallest: the affine fit's shrink to it, never below zero.
  EXPECT_NEAR(series_seconds(o, 64), 0.17e-6 * (1.9e-6 + 0.098e-9 * 64) / (1.9e-6 + 0.098e-9 * 256),
              1e-15);
  EXPECT_GT(series_seconds(o, 0), 0);
  // Without samples: the affine fit.
  const auto& serial = p.at(Backend::serial, Workload::map, DType::f64);
  EXPECT_DOUBLE_EQ(series_seconds(serial, 1000), 0.11e-6 + 0.55e-9 * 1000);
  // The prediction splits the total into compute (the fit's per unit × work, at most the total)
  // and the fixed cost (the rest).
  const auto pr = tandem::detail::predict(p, Backend::openmp, {{Workload::map, DType::f64, 1024}});
  EXPECT_DOUBLE_EQ(pr.seconds, 0.22e-6);
  EXPECT_DOUBLE_EQ(pr.compute_seconds, 0.098e-9 * 1024);  // the fit's per unit × work
  EXPECT_DOUBLE_EQ(pr.overhead_seconds + pr.compute_seconds, 0.22e-6);
  EXPECT_TRUE(pr.calibrated);
}

TEST(CostModel, SamplesFollowABackendWhoseCostChangesRegime) {
  // The affine fits alone choose serial at 1024 elements, which openmp's inline path beats 3x;
  // the samples choose openmp from the smallest sample up.
  Profile affine = with_samples();
  affine.at(Backend::openmp, Workload::map, DType::f64).sample_count = 0;
  const Profile sampled = with_samples();
  const Availability cpu = available(true, false);
  const auto pick = [&](const Profile& p, double n) {
    return tandem::detail::choose_fast(p, {{Workload::map, DType::f64, n, 16 * n, false}, false},
                                       cpu);
  };
  EXPECT_EQ(pick(affine, 1024), Backend::serial);
  for (double n : {256.0, 1024.0, 2048.0, 4096.0, 1e5, 1e8}) {
    EXPECT_EQ(pick(sampled, n), Backend::openmp) << n;
  }
}

TEST(CostModel, BuiltinDefaultsCrossOverAtTheMeasuredSizes) {
  const Profile p = tandem::detail::builtin_profile({"x", 2, "none", "none"});
  const Availability cpu = available(true, false);
  const auto pick = [&](Workload w, DType d, double work) {
    return tandem::detail::choose_fast(p, {{w, d, work, 0, false}, false}, cpu);
  };
  // openmp at every size: on one thread below the team's crossover (no fork, and faster code
  // than the serial oracle's), its team above, as the 2-core benchmark measured.
  for (double n : {16.0, 256.0, 4096.0, 1e6}) {
    EXPECT_EQ(pick(Workload::map, DType::f64, n), Backend::openmp) << n;
    EXPECT_EQ(pick(Workload::mse, DType::f32, n), Backend::openmp) << n;
  }
  EXPECT_EQ(pick(Workload::matmul, DType::i32, 8.0 * 8 * 8), Backend::openmp);
  EXPECT_EQ(pick(Workload::matmul, DType::i32, 64.0 * 64 * 64), Backend::openmp);
  EXPECT_EQ(pick(Workload::polynomial_grid, DType::f64, 10 * 50 * 4), Backend::openmp);
  EXPECT_EQ(pick(Workload::polynomial_grid, DType::f64, 1000 * 50 * 4), Backend::openmp);
  // The crossover: the team's fork (1.5 us) against one thread's twice-slower elements.
  const auto& omp = p.at(Backend::openmp, Workload::map, DType::f64);
  EXPECT_NEAR(omp.one_thread_up_to, (1.5e-6 - 0.1e-6) / (0.22e-9 - 0.11e-9), 1.0);
  EXPECT_LT(
      tandem::detail::predict(p, Backend::openmp, {{Workload::map, DType::f64, 1000}}).seconds,
      tandem::detail::predict(p, Backend::serial, {{Workload::map, DType::f64, 1000}}).seconds);
  // Without OpenMP, serial.
  EXPECT_EQ(tandem::detail::choose_fast(p, {{Workload::map, DType::f64, 256, 0, false}, false},
                                        available(false, false)),
            Backend::serial);
  // One thread in all: no crossover.
  const Profile one = tandem::detail::builtin_profile({"x", 1, "none", "none"});
  EXPECT_EQ(one.at(Backend::openmp, Workload::map, DType::f64).one_thread_up_to, 0);
  // More threads: openmp pays off earlier on large work.
  const Profile wide = tandem::detail::builtin_profile({"x", 64, "none", "none"});
  EXPECT_LT(
      tandem::detail::predict(wide, Backend::openmp, {{Workload::map, DType::f64, 1e8}}).seconds,
      tandem::detail::predict(p, Backend::openmp, {{Workload::map, DType::f64, 1e8}}).seconds);
}

TEST(Plan, PublicApi) {
  const tandem::ProfileInfo info = tandem::use_profile("");  // the built-in defaults
  EXPECT_FALSE(info.loaded);
  EXPECT_FALSE(info.machine.empty());
  const tandem::Plan small = tandem::plan(tandem::Problem::mse(DType::f64, 100));
  // One thread of openmp beats the serial oracle from a few elements on (built-in defaults).
  const Backend small_choice =
      tandem::backend_info(Backend::openmp).available ? Backend::openmp : Backend::serial;
  EXPECT_EQ(small.choice, small_choice) << small.reason;
  ASSERT_EQ(small.predictions.size(), 3u);
  EXPECT_TRUE(small.predictions[0].available);
  EXPECT_FALSE(small.predictions[0].calibrated);
  EXPECT_NE(small.reason.find("built-in defaults"), std::string::npos) << small.reason;
  if (tandem::backend_info(Backend::openmp).available &&
      !tandem::backend_info(Backend::cuda).available) {
    EXPECT_EQ(tandem::plan(tandem::Problem::mse(DType::f64, 1 << 24)).choice, Backend::openmp);
  }
  if (!tandem::backend_info(Backend::cuda).available) {
    tandem::Problem device = tandem::Problem::map(DType::f32, 1 << 20);
    device.device = true;
    EXPECT_THROW((void)tandem::plan(device), tandem::backend_unavailable);
    EXPECT_FALSE(small.predictions[2].available);
    EXPECT_FALSE(small.predictions[2].why_not.empty());
  }
  EXPECT_THROW((void)tandem::plan(tandem::Problem::mse(DType::i32, 10)), tandem::invalid_argument);
  EXPECT_EQ(tandem::parse_workload("Polynomial-Grid"), Workload::polynomial_grid);
  EXPECT_THROW((void)tandem::parse_workload("fft"), tandem::invalid_argument);
  // A call's Stats explain automatic's choice with the same predictions.
  std::vector<double> e(100, 1.0);
  tandem::Stats stats;
  (void)tandem::mse(e, {.backend = Backend::automatic, .stats = &stats});
  EXPECT_EQ(stats.backend, small_choice);
  EXPECT_NE(stats.reason.find("serial"), std::string::npos) << stats.reason;
  EXPECT_NE(stats.reason.find("built-in defaults"), std::string::npos) << stats.reason;
}

}  // namespace
