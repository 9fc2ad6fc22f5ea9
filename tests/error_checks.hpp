#pragma once
// The shape of every error-path check: call with Options carrying a Stats, expect exactly the
// error type with the needles in its message, and expect outputs and stats untouched.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string_view>

#include "tandem/tandem.hpp"
#include "test_util.hpp"

namespace tandem_test {

/// Runs call(options-with-stats) and checks: throws exactly E whose message contains each
/// needle, outputs_untouched() holds afterwards, and the Stats were not written.
template <class E, class Call, class Untouched>
void expect_rejected(std::string_view what, const tandem::Options& base, Call&& call,
                     Untouched&& outputs_untouched,
                     std::initializer_list<std::string_view> needles) {
  SCOPED_TRACE(std::string(what));
  tandem::Stats stats = untouched_stats();
  tandem::Options options = base;
  options.stats = &stats;
  EXPECT_TRUE(throws<E>([&] { call(options); }, needles));
  EXPECT_TRUE(outputs_untouched());
  EXPECT_TRUE(is_untouched(stats));
}

/// Options asking for `b` with `threads` threads.
inline tandem::Options with(tandem::Backend b, int threads = 0) {
  tandem::Options o;
  o.backend = b;
  o.threads = threads;
  return o;
}

/// Whether this build and machine have no cuda backend (the explicit-cuda checks need that).
inline bool cuda_unavailable() { return !tandem::backend_info(tandem::Backend::cuda).available; }

/// The reason an unavailable cuda backend gives in this build.
inline std::string_view expected_cuda_reason() {
#ifdef TANDEM_TEST_EXPECT_NO_CUDA
  return "built without CUDA";
#else
  return "";
#endif
}

}  // namespace tandem_test
