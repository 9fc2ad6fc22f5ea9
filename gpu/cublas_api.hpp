#pragma once
// cuBLAS, loaded with dlopen when the device opens rather than linked: a CPU-only machine that
// has the CUDA libraries then never pays for mapping them (a tenth of a second per process),
// and a GPU machine without cuBLAS gets a reason instead of a module that fails to load.
#include <cublas_v2.h>

#include <string>

namespace tandem::cuda {

struct CublasApi {
  decltype(&cublasCreate_v2) create;
  decltype(&cublasDestroy_v2) destroy;
  decltype(&cublasSetStream_v2) set_stream;
  decltype(&cublasSetMathMode) set_math_mode;
  decltype(&cublasSgemm_v2_64) sgemm;
  decltype(&cublasDgemm_v2_64) dgemm;
  decltype(&cublasGetStatusName) status_name;
  decltype(&cublasGetStatusString) status_string;
};

/// Loads libcublas; returns "" or why it cannot be used.
std::string load_cublas();
/// The loaded functions (after load_cublas() succeeded).
const CublasApi& cublas();

}  // namespace tandem::cuda
