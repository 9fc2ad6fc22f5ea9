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

inline void check(cudaError_t e, const char* call) {
  if (e == cudaSuccess) return;
  const errc code = e == cudaErrorMemoryAllocation ? errc::out_of_memory : errc::device_error;
  if (e == cudaErrorMemoryAllocation) cudaGetLastError();  // not sticky: clear it
  fail(code, std::string(call) + " failed: " + cudaGetErrorName(e) + ": " + cudaGetErrorString(e));
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
