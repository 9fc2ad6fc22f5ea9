#pragma once
// Tests written once and run for every backend available in this build and on this machine
// (the run-time version of Kokkos' TEST_CATEGORY): test names look like
// Backends/MseTest.MatchesReference/openmp, or .../openmp_t3 for a thread count.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "tandem/tandem.hpp"

namespace tandem_test {

/// "serial", "openmp", ...
struct BackendName {
  std::string operator()(const ::testing::TestParamInfo<tandem::Backend>& info) const {
    return std::string(tandem::to_string(info.param));
  }
};

/// Tests parameterised by backend only.
class BackendTest : public ::testing::TestWithParam<tandem::Backend> {
 protected:
  tandem::Backend backend() const { return GetParam(); }
  tandem::Options options(tandem::Stats* stats = nullptr) const {
    tandem::Options o;
    o.backend = GetParam();
    o.stats = stats;
    return o;
  }
};

/// The OpenMP thread counts worth testing: 1, even, odd, and one that divides no test size.
inline std::vector<int> thread_counts(tandem::Backend b) {
  if (b == tandem::Backend::openmp) return {1, 2, 3, 7};
  return {0};  // threads only mean something to openmp
}

/// A backend and an Options::threads value.
struct BackendThreads {
  tandem::Backend backend;
  int threads;
};
inline std::ostream& operator<<(std::ostream& os, const BackendThreads& p) {
  return os << p.backend << " with " << p.threads << " threads";
}

/// Every available backend, with each of its thread_counts().
inline std::vector<BackendThreads> backend_thread_params() {
  std::vector<BackendThreads> params;
  for (tandem::Backend b : tandem::available_backends()) {
    for (int t : thread_counts(b)) params.push_back({b, t});
  }
  return params;
}

/// "serial", "openmp_t1", "openmp_t7", ...
struct BackendThreadsName {
  std::string operator()(const ::testing::TestParamInfo<BackendThreads>& info) const {
    std::string name(tandem::to_string(info.param.backend));
    if (info.param.threads > 0) name += "_t" + std::to_string(info.param.threads);
    return name;
  }
};

/// Tests parameterised by backend and thread count.
class BackendThreadsTest : public ::testing::TestWithParam<BackendThreads> {
 protected:
  tandem::Backend backend() const { return GetParam().backend; }
  tandem::Options options(tandem::Stats* stats = nullptr) const {
    tandem::Options o;
    o.backend = GetParam().backend;
    o.threads = GetParam().threads;
    o.stats = stats;
    return o;
  }
};

/// What a successful call must report: the backend that ran (as asked), a time, a reason, and
/// the threads it ran on (1 for serial; `threads` for openmp when it is > 0).
inline void expect_stats(const tandem::Stats& stats, tandem::Backend backend, int threads) {
  EXPECT_EQ(stats.backend, backend);
  EXPECT_EQ(stats.requested, backend);
  EXPECT_GE(stats.seconds, 0.0);
  EXPECT_FALSE(stats.reason.empty());
  if (backend == tandem::Backend::serial) {
    EXPECT_EQ(stats.threads, 1);
  }
  if (backend == tandem::Backend::openmp && threads > 0) {
    EXPECT_EQ(stats.threads, threads);
  }
}

/// Options for the serial oracle.
inline tandem::Options serial_options() {
  tandem::Options o;
  o.backend = tandem::Backend::serial;
  return o;
}

/// Resets the process-wide default backend when it goes out of scope.
class DefaultBackendGuard {
 public:
  DefaultBackendGuard() = default;
  DefaultBackendGuard(const DefaultBackendGuard&) = delete;
  DefaultBackendGuard& operator=(const DefaultBackendGuard&) = delete;
  ~DefaultBackendGuard() { tandem::reset_default_backend(); }
};

}  // namespace tandem_test

#define TANDEM_INSTANTIATE_FOR_BACKENDS(Suite)                                                   \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite, ::testing::ValuesIn(::tandem::available_backends()), \
                           ::tandem_test::BackendName{})

#define TANDEM_INSTANTIATE_FOR_BACKEND_THREADS(Suite)                                   \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                             \
                           ::testing::ValuesIn(::tandem_test::backend_thread_params()), \
                           ::tandem_test::BackendThreadsName{})
