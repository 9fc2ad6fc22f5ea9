#pragma once
// The registry: the one place that knows which backends were built.
#include <string>

#include "backend_impl.hpp"
#include "cuda_module_abi.hpp"

namespace tandem::detail {

struct BackendSlot {
  BackendImpl* impl = nullptr;  // null when unavailable
  std::string reason;           // why unavailable
};

/// The slot of a concrete backend (not automatic). Initialised once, thread-safely; the cuda
/// slot loads the CUDA module on first use.
const BackendSlot& backend_slot(Backend b);

/// The loaded CUDA module's table, or null when cuda is unavailable (reason in its slot).
const TandemCudaModule* cuda_module_api();

}  // namespace tandem::detail
