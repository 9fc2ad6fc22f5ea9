#include <dlfcn.h>

#include "cublas_api.hpp"

namespace tandem::cuda {

namespace {

CublasApi g_api{};

template <class F>
bool bind(void* lib, const char* name, F* slot) {
  void* f = dlsym(lib, name);
  if (f == nullptr) return false;
  *slot = reinterpret_cast<F>(f);
  return true;
}

}  // namespace

std::string load_cublas() {
  // The soname of the toolkit the module was built with (libcublas.so.13 for CUDA 13); the
  // module's RUNPATH names the toolkit's library folder.
  const std::string soname = "libcublas.so." + std::to_string(CUBLAS_VER_MAJOR);
  void* lib = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    const char* e = dlerror();
    return "cuBLAS not found (" + soname + "): " + (e != nullptr ? e : "dlopen failed");
  }
  const bool ok = bind(lib, "cublasCreate_v2", &g_api.create) &&
                  bind(lib, "cublasDestroy_v2", &g_api.destroy) &&
                  bind(lib, "cublasSetStream_v2", &g_api.set_stream) &&
                  bind(lib, "cublasSetMathMode", &g_api.set_math_mode) &&
                  bind(lib, "cublasSgemm_v2_64", &g_api.sgemm) &&
                  bind(lib, "cublasDgemm_v2_64", &g_api.dgemm) &&
                  bind(lib, "cublasGetStatusName", &g_api.status_name) &&
                  bind(lib, "cublasGetStatusString", &g_api.status_string);
  if (!ok) return soname + " lacks a function tandem needs (an older cuBLAS?)";
  return {};
}

const CublasApi& cublas() { return g_api; }

}  // namespace tandem::cuda
