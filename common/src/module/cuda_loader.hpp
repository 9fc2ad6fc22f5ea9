#pragma once
// The core's side of the CUDA module: finds libtandem_cuda.so, loads it, checks its ABI, opens
// the device, and wraps the module's C table as a BackendImpl. Only registry.cpp and
// device.cpp use it.
#include <memory>
#include <string>

#include "dispatch/backend_impl.hpp"
#include "module/cuda_module_abi.hpp"

namespace tandem::detail {

/// The loaded and opened module, or why there is none.
struct CudaModule {
  const TandemCudaModule* api = nullptr;  // null when unavailable
  std::string reason;                     // why unavailable
  std::string path;                       // where the module was looked for / loaded from
  void* handle = nullptr;                 // its dlopen handle when loaded (for its other symbols)
};

/// Loads the module once per process (thread-safe) and returns it. Looks at, in order:
/// $TANDEM_CUDA_MODULE (a path), libtandem_cuda.so beside libtandem, then the loader's search
/// path. Never throws.
const CudaModule& cuda_module();

/// The cuda BackendImpl over a loaded module.
std::unique_ptr<BackendImpl> make_cuda_backend(const TandemCudaModule* api);

/// Throws the tandem::error for a failed module call: "<function> (cuda): <message>".
[[noreturn]] void throw_cuda_status(const char* function, const TandemCudaStatus& status);

}  // namespace tandem::detail
