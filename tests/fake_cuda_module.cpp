// A stand-in for libtandem_cuda.so from another tandem version: it exports the factory but
// answers with a table of another ABI version. The core must refuse it with a reason.
#include <cstdint>

#include "module/cuda_module_abi.hpp"

namespace {
TandemCudaModule foreign_table() {
  TandemCudaModule t{};
  t.abi_version = TANDEM_CUDA_ABI_VERSION + 1000;
  return t;
}
const TandemCudaModule kForeign = foreign_table();
}  // namespace

extern "C" __attribute__((visibility("default"))) const TandemCudaModule* tandem_cuda_module(
    std::uint32_t) {
  return &kForeign;
}
