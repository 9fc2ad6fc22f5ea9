#pragma once
// Every CUDA and cuBLAS call in the module goes through these checks. A failure becomes a
// ModuleFailure naming the call and the CUDA error; the module's entry points turn it into an
// errc code and message for the core (out of memory stays out of memory).
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <string>

#include "cublas_api.hpp"
#include "module_api.hpp"

#include "tandem/error.hpp"

namespace tandem::cuda {

/// Whether `e` leaves the CUDA context unusable for the rest of the process: every later CUDA
/// call fails with it, and only a new process recovers (CUDA programming guide, "Error
/// checking"; the runtime API's list of errors that corrupt the context).
constexpr bool is_sticky(cudaError_t e) noexcept {
  switch (e) {
    case cudaErrorIllegalAddress:
    case cudaErrorLaunchFailure:
    case cudaErrorLaunchTimeout:
    case cudaErrorHardwareStackError:
    case cudaErrorIllegalInstruction:
    case cudaErrorMisalignedAddress:
    case cudaErrorInvalidAddressSpace:
    case cudaErrorInvalidPc:
    case cudaErrorAssert:
    case cudaErrorECCUncorrectable:
    case cudaErrorContextIsDestroyed:
    case cudaErrorDevicesUnavailable:
      return true;
    default:
      return false;
  }
}

inline void check(cudaError_t e, const char* call) {
  if (e == cudaSuccess) return;
  const bool sticky = is_sticky(e);
  // Any other error is not sticky: clear it, or the next call's cudaGetLastError reports it.
  if (!sticky) cudaGetLastError();
  const errc code = e == cudaErrorMemoryAllocation ? errc::out_of_memory : errc::device_error;
  throw ModuleFailure{
      code, std::string(call) + " failed: " + cudaGetErrorName(e) + ": " + cudaGetErrorString(e),
      sticky};
}

inline void check(cublasStatus_t s, const char* call) {
  if (s == CUBLAS_STATUS_SUCCESS) return;
  const errc code = s == CUBLAS_STATUS_ALLOC_FAILED ? errc::out_of_memory : errc::device_error;
  fail(code, std::string(call) + " failed: " + cublas().status_name(s) + ": " +
                 cublas().status_string(s));
}

}  // namespace tandem::cuda

/// Checks a CUDA or cuBLAS call, naming it in the error.
#define TANDEM_CUDA_CHECK(call) ::tandem::cuda::check((call), #call)
