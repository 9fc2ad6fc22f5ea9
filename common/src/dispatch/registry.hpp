#pragma once
// The registry: the one place that knows which backends were built.
#include <string>

#include "dispatch/backend_impl.hpp"
#include "module/cuda_module_abi.hpp"

namespace tandem::detail {

struct BackendSlot {
  BackendImpl* impl = nullptr;  // null when unavailable
  std::string reason;           // why unavailable
};

/// The slot of a concrete backend (not automatic). Initialised once, thread-safely; the cuda
/// slot loads the CUDA module on first use.
const BackendSlot& backend_slot(Backend b);

/// Marks cuda unavailable for the rest of the process after a sticky device error (the CUDA
/// context is lost): backend_slot(cuda) then has no impl and a reason that says so, so explicit
/// calls fail with it and automatic stops choosing cuda. The first cause is kept. Thread-safe.
void mark_cuda_faulted(const std::string& cause) noexcept;

/// Whether mark_cuda_faulted has been called.
bool cuda_faulted() noexcept;

/// The loaded CUDA module's table, or null when cuda is unavailable (reason in its slot).
const TandemCudaModule* cuda_module_api();

}  // namespace tandem::detail
