#pragma once
// The GPU tests' gate: skip, with the reason, where cuda is unavailable, unless
// TANDEM_REQUIRE_GPU=1 (scripts/gpu_check.sh), which turns that skip, or a run on the emulated
// module, into a failure.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "tandem/tandem.hpp"

namespace tandem_test {

inline bool require_gpu() {
  const char* v = std::getenv("TANDEM_REQUIRE_GPU");
  return v != nullptr && std::strcmp(v, "1") == 0;
}

inline bool emulated() {
  return tandem::backend_info(tandem::Backend::cuda).device.starts_with("emulated");
}

}  // namespace tandem_test

#define TANDEM_REQUIRE_CUDA()                                                                \
  do {                                                                                       \
    const auto info_ = tandem::backend_info(tandem::Backend::cuda);                          \
    if (!info_.available) {                                                                  \
      if (tandem_test::require_gpu())                                                        \
        FAIL() << "TANDEM_REQUIRE_GPU=1 but cuda is unavailable: " << info_.reason;          \
      GTEST_SKIP() << "cuda is unavailable: " << info_.reason;                               \
    }                                                                                        \
    if (tandem_test::require_gpu() && tandem_test::emulated()) {                             \
      FAIL() << "TANDEM_REQUIRE_GPU=1 but cuda is the emulated module (TANDEM_CUDA_MODULE)"; \
    }                                                                                        \
  } while (0)
