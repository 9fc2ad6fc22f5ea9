// A cuda module's entry point: the one exported C symbol, tandem_cuda_module(), and the table
// behind it, over the functions of module_api.hpp. Every entry catches everything: only a code
// and a message leave the module.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <mutex>
#include <new>

#include "module/cuda_module_abi.hpp"
#include "module_api.hpp"

namespace tandem::cuda {

namespace {

void write(TandemCudaStatus* status, errc code, const std::string& message, bool sticky = false) {
  status->code = static_cast<int>(code);
  status->sticky = sticky ? 1 : 0;
  const std::size_t n = std::min(message.size(), sizeof(status->message) - 1);
  std::memcpy(status->message, message.data(), n);
  status->message[n] = '\0';
}

// The first sticky failure: once the context is lost every CUDA call fails, so later calls are
// refused up front with the original cause instead of touching the device again.
std::atomic<bool> g_faulted{false};
std::mutex g_fault_mutex;
std::string g_fault;  // written once, before g_faulted is set

void latch(const ModuleFailure& e) noexcept {
  std::lock_guard lock(g_fault_mutex);
  if (g_faulted.load(std::memory_order_relaxed)) return;
  try {
    g_fault = e.message;
  } catch (...) {
  }
  g_faulted.store(true, std::memory_order_release);
}

template <class F>
int guarded(TandemCudaStatus* status, F&& f) noexcept {
  status->code = 0;
  status->sticky = 0;
  status->message[0] = '\0';
  if (g_faulted.load(std::memory_order_acquire)) {
    try {
      write(status, errc::device_error, "the device faulted earlier: " + g_fault, true);
    } catch (...) {
      write(status, errc::device_error, "the device faulted earlier", true);
    }
    return status->code;
  }
  try {
    f();
  } catch (const ModuleFailure& e) {
    if (e.sticky) latch(e);
    write(status, e.code, e.message, e.sticky);
  } catch (const tandem::error& e) {
    write(status, e.code(), e.what());
  } catch (const std::bad_alloc&) {
    write(status, errc::out_of_memory, "out of host memory");
  } catch (const std::exception& e) {
    write(status, errc::device_error, e.what());
  } catch (...) {
    write(status, errc::device_error, "unknown error in the CUDA module");
  }
  return status->code;
}

int open(TandemCudaStatus* status) {
  return guarded(status, [&] {
    const std::string why = open_device();
    if (!why.empty()) fail(errc::backend_unavailable, why);
  });
}

void describe(char* buffer, std::size_t size) {
  if (size == 0) return;
  try {
    const std::string d = describe_device();
    const std::size_t n = std::min(d.size(), size - 1);
    std::memcpy(buffer, d.data(), n);
    buffer[n] = '\0';
  } catch (...) {
    buffer[0] = '\0';
  }
}

int map(const detail::MapArgs* args, int device, detail::Breakdown* timing,
        TandemCudaStatus* status) {
  return guarded(status, [&] { run_map(*args, device != 0, timing); });
}
int matmul(const detail::MatmulArgs* args, int device, detail::Breakdown* timing,
           TandemCudaStatus* status) {
  return guarded(status, [&] { run_matmul(*args, device != 0, timing); });
}
int polynomial_grid(const detail::PolynomialGridArgs* args, int device, detail::Breakdown* timing,
                    TandemCudaStatus* status) {
  return guarded(status, [&] { run_polynomial_grid(*args, device != 0, timing); });
}
int mse(const detail::MseArgs* args, int device, double* result, detail::Breakdown* timing,
        TandemCudaStatus* status) {
  return guarded(status, [&] { *result = run_mse(*args, device != 0, timing); });
}
int allocate(std::size_t bytes, void** pointer, TandemCudaStatus* status) {
  return guarded(status, [&] { *pointer = allocate_buffer(bytes); });
}
int upload(void* dst, const void* src, std::size_t bytes, TandemCudaStatus* status) {
  return guarded(status, [&] { upload_bytes(dst, src, bytes); });
}
int download(void* dst, const void* src, std::size_t bytes, TandemCudaStatus* status) {
  return guarded(status, [&] { download_bytes(dst, src, bytes); });
}
int reference_entry(int which, std::int64_t a, std::int64_t b, std::int64_t c, int repetitions,
                    double* seconds, TandemCudaStatus* status) {
  return guarded(status, [&] { *seconds = reference(which, a, b, c, repetitions); });
}

const TandemCudaModule kModule = {
    TANDEM_CUDA_ABI_VERSION,
    {detail::kCudaAbiSizes[0], detail::kCudaAbiSizes[1], detail::kCudaAbiSizes[2],
     detail::kCudaAbiSizes[3], detail::kCudaAbiSizes[4], detail::kCudaAbiSizes[5]},
    open,
    describe,
    map,
    matmul,
    polynomial_grid,
    mse,
    allocate,
    release_buffer,
    upload,
    download,
    reference_entry,
    memory_stats,
    trim,
};

}  // namespace

}  // namespace tandem::cuda

extern "C" __attribute__((visibility("default"))) const TandemCudaModule* tandem_cuda_module(
    std::uint32_t abi_version) {
  return abi_version == TANDEM_CUDA_ABI_VERSION ? &tandem::cuda::kModule : nullptr;
}
