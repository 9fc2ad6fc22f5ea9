#include "dispatch/registry.hpp"

#include <array>
#include <atomic>
#include <memory>

#include "cpu_backends.hpp"
#if TANDEM_HAS_CUDA
#include "module/cuda_loader.hpp"
#endif

namespace tandem::detail {

namespace {

struct CpuRegistry {
  std::unique_ptr<BackendImpl> serial = make_serial_backend();
#if TANDEM_HAS_OPENMP
  std::unique_ptr<BackendImpl> openmp = make_openmp_backend();
#endif
  std::array<BackendSlot, 2> slots{{
      {serial.get(), {}},
#if TANDEM_HAS_OPENMP
      {openmp.get(), {}},
#else
      {nullptr, "built without OpenMP"},
#endif
  }};
};

// The cuda backend lives in a module loaded on first use (cuda_loader.cpp), so a program built
// against a CUDA-enabled tandem runs where there is no GPU, driver or CUDA library.
struct CudaSlot {
  std::unique_ptr<BackendImpl> impl;
  BackendSlot slot;
  CudaSlot() {
#if TANDEM_HAS_CUDA
    const CudaModule& module = cuda_module();
    if (module.api != nullptr) {
      impl = make_cuda_backend(module.api);
      slot.impl = impl.get();
    } else {
      slot.reason = module.reason;
    }
#else
    slot.reason = "built without CUDA";
#endif
  }
};

// Set once, never freed: references to it may be held anywhere.
std::atomic<const BackendSlot*> g_cuda_faulted{nullptr};

}  // namespace

void mark_cuda_faulted(const std::string& cause) noexcept {
  if (g_cuda_faulted.load(std::memory_order_acquire) != nullptr) return;
  try {
    const auto* slot =
        new BackendSlot{nullptr, "a previous kernel faulted; restart the process (" + cause + ")"};
    const BackendSlot* expected = nullptr;
    if (!g_cuda_faulted.compare_exchange_strong(expected, slot, std::memory_order_acq_rel)) {
      delete slot;
    }
  } catch (...) {
    static const BackendSlot fallback{nullptr, "a previous kernel faulted; restart the process"};
    const BackendSlot* expected = nullptr;
    g_cuda_faulted.compare_exchange_strong(expected, &fallback, std::memory_order_acq_rel);
  }
}

bool cuda_faulted() noexcept { return g_cuda_faulted.load(std::memory_order_acquire) != nullptr; }

const BackendSlot& backend_slot(Backend b) {
  if (b == Backend::cuda) {
    if (const BackendSlot* faulted = g_cuda_faulted.load(std::memory_order_acquire)) {
      return *faulted;
    }
    static const CudaSlot cuda;
    return cuda.slot;
  }
  static const CpuRegistry registry;
  return registry.slots.at(static_cast<std::size_t>(b));
}

const TandemCudaModule* cuda_module_api() {
#if TANDEM_HAS_CUDA
  if (backend_slot(Backend::cuda).impl == nullptr) return nullptr;
  return cuda_module().api;
#else
  return nullptr;
#endif
}

}  // namespace tandem::detail
