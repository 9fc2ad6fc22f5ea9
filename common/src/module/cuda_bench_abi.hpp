#pragma once
// The CUDA module's benchmark references: a second exported symbol, outside the production
// table (cuda_module_abi.hpp), that only tandem_bench looks up (dlsym on the module the library
// loaded): what one GPU operation costs on this machine, to report the workloads against.
// C types only, and no other tandem header, so that bench/ can include it by itself.
#include <cstddef>
#include <cstdint>

extern "C" {

/// The references' exported function's name.
#define TANDEM_CUDA_BENCH_SYMBOL "tandem_cuda_bench_references"

enum TandemCudaReference {
  TANDEM_CUDA_REF_EMPTY_LAUNCH = 1,  // empty kernel launch + stream synchronize
  TANDEM_CUDA_REF_D2D_COPY = 2,      // device to device copy of a bytes
  TANDEM_CUDA_REF_H2D_COPY = 3,      // pinned host to device, a bytes
  TANDEM_CUDA_REF_D2H_COPY = 4,      // device to pinned host, a bytes
  TANDEM_CUDA_REF_SGEMM = 5,         // raw cublasSgemm, m = a, n = b, k = c, device-resident
  TANDEM_CUDA_REF_DGEMM = 6,         // raw cublasDgemm, as above
};

/// Seconds per operation of reference `which` (median of `repetitions`) in *seconds; returns 0,
/// or an errc code with a message (NUL-terminated, truncated to `size`) naming the failure.
typedef int (*TandemCudaBenchReferences)(int which, std::int64_t a, std::int64_t b, std::int64_t c,
                                         int repetitions, double* seconds, char* message,
                                         std::size_t size);
}
