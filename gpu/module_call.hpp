#pragma once
// The module's Call, for the workloads' flow (cuda_<workload>.cu): the shared runtime's Call
// (runtime.hpp: scratch_for, prepare_staging, reserve_thrust, upload, download,
// compute_begin/compute_end/finish) plus what only a GPU has — policy() (the Thrust execution
// policy on the call's stream), launched() (checks a launch), gemm<T>() and zero_matrix<T>():
//  - CudaCall (cuda_call.hpp: CUDA streams, cuBLAS, tandem's integer kernel) in the real module;
//  - HostCall (tests/emulated_cuda/host_call.hpp: host memory, Thrust's OpenMP system) in the
//    emulated module, which compiles the same cuda_<workload>.cu files with the host compiler
//    (TANDEM_EMULATED_MODULE).
//
// TANDEM_CUDA_WORKLOAD(name) defines the module's entry for a workload (module_api.hpp's
// run_<name>) over the file's name##_on<ModuleCall> flow.
#include <cstddef>
#include <cstdint>

#include "module_api.hpp"
#include "thrust_algorithms.hpp"

#if defined(TANDEM_EMULATED_MODULE)
#include "host_call.hpp"
namespace tandem::cuda {
using ModuleCall = HostCall;
}
#else
#include "cuda_call.hpp"
namespace tandem::cuda {
using ModuleCall = CudaCall;
}
#endif

#define TANDEM_CUDA_WORKLOAD(name)                                         \
  void run_##name(detail::Args<tandem::Workload::name>& args, bool device, \
                  detail::Breakdown* timing) {                             \
    name##_on<ModuleCall>(args, device, timing);                           \
  }
