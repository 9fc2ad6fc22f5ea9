// Every workload of TANDEM_FOR_EACH_WORKLOAD, on every dtype it has and every available
// backend: its traits' sample call runs verified against serial, the work the entry point
// reports is the traits' formula, the cost model has defaults for it, and the command-line tool
// runs and plans it. A new workload is covered by adding it to the list.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>

#include "tandem/tandem.hpp"
#include "workloads/workload_traits.hpp"

namespace {

using tandem::Backend;
using tandem::DType;
using tandem::Workload;

constexpr DType kDTypes[] = {
#define CONFORMANCE_DTYPE_(T, name) DType::name,
    TANDEM_FOR_EACH_DTYPE(CONFORMANCE_DTYPE_)
#undef CONFORMANCE_DTYPE_
};

// A small size of the workload: the third of its quick calibration sizes.
tandem::WorkloadSize small(Workload w) {
  return {tandem::detail::traits(w).cpu_sizes(true).at(2), 7, 3};
}

std::string work_text(double work) {
  std::ostringstream o;
  o << work;
  return o.str();
}

TEST(Conformance, EveryWorkloadDtypeAndBackendMatchesSerial) {
  int checked = 0;
  for (Workload w : tandem::kAllWorkloads) {
    for (DType d : kDTypes) {
      if (!tandem::has_dtype(w, d)) continue;
      SCOPED_TRACE(std::string(tandem::to_string(w)) + " " + std::string(tandem::to_string(d)));
      const tandem::SampleCall call = tandem::sample_call(w, d, small(w));
      tandem::Stats serial_stats;
      call.run(tandem::Options{.backend = Backend::serial, .stats = &serial_stats});
      EXPECT_EQ(serial_stats.backend, Backend::serial);
      const double expected = call.checksum();
      EXPECT_TRUE(std::isfinite(expected));
      for (Backend b : {Backend::openmp, Backend::cuda}) {
        if (!tandem::backend_info(b).available) continue;
        SCOPED_TRACE(std::string(tandem::to_string(b)));
        tandem::Stats st;
        call.run(tandem::Options{.backend = b, .stats = &st, .verify = true});
        EXPECT_EQ(st.backend, b);
        EXPECT_TRUE(st.verified) << st.reason;
        const double got = call.checksum();
        if (d == DType::i32 || d == DType::i64) {
          EXPECT_EQ(got, expected);
        } else {
          EXPECT_NEAR(got, expected, 1e-3 * (1.0 + std::fabs(expected)));
        }
        ++checked;
      }
    }
  }
  if (tandem::backend_info(Backend::openmp).available) {
    EXPECT_GT(checked, 0);
  }
}

TEST(Conformance, EntryPointsCountTheWorkOfTheTraitsFormula) {
  for (Workload w : tandem::kAllWorkloads) {
    for (DType d : kDTypes) {
      if (!tandem::has_dtype(w, d)) continue;
      SCOPED_TRACE(std::string(tandem::to_string(w)) + " " + std::string(tandem::to_string(d)));
      const tandem::WorkloadSize size = small(w);
      const tandem::Problem p = tandem::problem_of(w, d, size);
      EXPECT_EQ(p.workload, w);
      EXPECT_EQ(p.dtype, d);
      EXPECT_GT(p.work, 0);
      EXPECT_GE(p.bytes, p.work > 0 ? static_cast<double>(tandem::size_of(d)) : 0.0);
      const tandem::SampleCall call = tandem::sample_call(w, d, size);
      EXPECT_EQ(call.problem.work, p.work);
      EXPECT_EQ(call.problem.bytes, p.bytes);
      // automatic explains its choice with the work dispatch counted for the call.
      tandem::Stats st;
      call.run(tandem::Options{.backend = Backend::automatic, .stats = &st});
      EXPECT_NE(
          st.reason.find(std::string(tandem::to_string(w)) + " " +
                         std::string(tandem::to_string(d)) + " work " + work_text(p.work) + ":"),
          std::string::npos)
          << st.reason;
      // plan() takes the same Problem and predicts every backend.
      const tandem::Plan plan = tandem::plan(p);
      EXPECT_EQ(plan.predictions.size(), 3u);
    }
  }
}

TEST(Conformance, TheModelHasDefaultsForEveryBackendWorkloadAndDtype) {
  for (Workload w : tandem::kAllWorkloads) {
    const tandem::detail::WorkloadTraits& t = tandem::detail::traits(w);
    EXPECT_GT(t.input_fraction, 0.0);
    EXPECT_LE(t.input_fraction, 1.0);
    EXPECT_FALSE(t.cpu_sizes(true).empty());
    EXPECT_FALSE(t.gpu_sizes().empty());
    for (DType d : kDTypes) {
      if (!tandem::has_dtype(w, d)) continue;
      SCOPED_TRACE(std::string(tandem::to_string(w)) + " " + std::string(tandem::to_string(d)));
      for (const auto& def : {t.serial_default(d), t.openmp_default(d), t.cuda_default(d)}) {
        EXPECT_GT(def.per_unit, 0.0);
        EXPECT_GE(def.overhead, 0.0);
        EXPECT_LT(def.overhead, 1e-3);
      }
      const tandem::Plan plan = tandem::plan(tandem::problem_of(w, d, small(w)));
      for (const tandem::Prediction& pr : plan.predictions) {
        EXPECT_GT(pr.compute_seconds, 0.0) << pr.backend;
        EXPECT_TRUE(std::isfinite(pr.seconds)) << pr.backend;
      }
    }
  }
}

TEST(Conformance, DtypesAWorkloadLacksAreRefused) {
  for (Workload w : tandem::kAllWorkloads) {
    for (DType d : kDTypes) {
      if (tandem::has_dtype(w, d)) continue;
      EXPECT_THROW((void)tandem::problem_of(w, d, small(w)), tandem::invalid_argument);
      EXPECT_THROW((void)tandem::sample_call(w, d, small(w)), tandem::invalid_argument);
    }
  }
  EXPECT_THROW((void)tandem::problem_of(static_cast<Workload>(99), DType::f64, {8}),
               tandem::invalid_argument);
  EXPECT_THROW((void)tandem::problem_of(Workload{}, static_cast<DType>(99), {8}),
               tandem::invalid_argument);
}

#ifdef CONFORMANCE_CLI
std::string shell(const std::string& command, int* rc) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  std::size_t got = 0;
  while ((got = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, got);
  *rc = pclose(p);
  return out;
}

TEST(Conformance, TheToolRunsAndPlansEveryWorkload) {
  for (Workload w : tandem::kAllWorkloads) {
    const std::string name(tandem::to_string(w));
    SCOPED_TRACE(name);
    const std::string n = std::to_string(small(w).n);
    int rc = -1;
    const std::string run = shell(std::string("'") + CONFORMANCE_CLI + "' run " + name + " --n " +
                                      n + " --dtype f64 --repeat 1 --verify",
                                  &rc);
    EXPECT_EQ(rc, 0) << run;
    EXPECT_EQ(run.rfind(name + " f64 n=" + n + "\n", 0), 0u) << run;
    EXPECT_NE(run.find(tandem::cli_defaults(w).scalar ? "result:" : "checksum:"), std::string::npos)
        << run;
    rc = -1;
    const std::string plan =
        shell(std::string("'") + CONFORMANCE_CLI + "' plan " + name + " --n " + n, &rc);
    EXPECT_EQ(rc, 0) << plan;
    EXPECT_NE(plan.find(name), std::string::npos) << plan;
  }
}
#endif

}  // namespace
