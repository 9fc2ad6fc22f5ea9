// A cuda module's entry points: the exported C symbol tandem_cuda_module() and the table behind
// it, over the functions of module_api.hpp, plus tandem_cuda_bench_references for tandem_bench.
// Every entry catches everything: only a code and a message leave the module.
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

// The argument struct of a workload call, checked against the size the core passed.
template <tandem::Workload W>
detail::Args<W>& unpack(void* args, std::size_t size) {
  if (args == nullptr || size != sizeof(detail::Args<W>)) {
    fail(errc::invalid_argument, "the arguments of " + std::string(to_string(W)) + " are " +
                                     std::to_string(size) + " bytes; this module's are " +
                                     std::to_string(sizeof(detail::Args<W>)));
  }
  return *static_cast<detail::Args<W>*>(args);
}

// The one workload entry: the tag picks the workload (module_api.hpp's run_<workload>).
int run(std::uint32_t tag, void* args, std::size_t size, int device, detail::Breakdown* timing,
        TandemCudaStatus* status) {
  return guarded(status, [&] {
    tandem::Workload w{};
    if (!detail::workload_of_tag(tag, &w)) {
      fail(errc::invalid_argument, "this CUDA module has no workload " + std::to_string(tag));
    }
    workload_starting(w);
    const bool on_device = device != 0;
    switch (w) {
#define TANDEM_CUDA_RUN_CASE_(name) \
  case tandem::Workload::name:      \
    return run_##name(unpack<tandem::Workload::name>(args, size), on_device, timing);
      TANDEM_FOR_EACH_WORKLOAD(TANDEM_CUDA_RUN_CASE_)
#undef TANDEM_CUDA_RUN_CASE_
    }
  });
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
constexpr TandemCudaModule make_table() {
  TandemCudaModule t{};
  t.abi_version = TANDEM_CUDA_ABI_VERSION;
  t.breakdown_size = sizeof(detail::Breakdown);
  t.status_size = sizeof(TandemCudaStatus);
  for (tandem::Workload w : kAllWorkloads) {
    t.args_size[detail::cuda_tag(w)] = static_cast<std::uint32_t>(detail::args_size(w));
  }
  t.open = open;
  t.describe = describe;
  t.run = run;
  t.allocate = allocate;
  t.release = release_buffer;
  t.upload = upload;
  t.download = download;
  t.memory_stats = memory_stats;
  t.trim = trim;
  return t;
}

constexpr TandemCudaModule kModule = make_table();

}  // namespace

}  // namespace tandem::cuda

extern "C" __attribute__((visibility("default"))) const TandemCudaModule* tandem_cuda_module(
    std::uint32_t abi_version) {
  return abi_version == TANDEM_CUDA_ABI_VERSION ? &tandem::cuda::kModule : nullptr;
}

// The benchmark references (TandemCudaBenchReferences): tandem_bench's own symbol, outside the
// production table.
extern "C" __attribute__((visibility("default"))) int tandem_cuda_bench_references(
    int which, std::int64_t a, std::int64_t b, std::int64_t c, int repetitions, double* seconds,
    char* message, std::size_t size) {
  TandemCudaStatus status{};
  const int rc = tandem::cuda::guarded(
      &status, [&] { *seconds = tandem::cuda::reference(which, a, b, c, repetitions); });
  if (size > 0) {
    const std::size_t n = std::min(std::strlen(status.message), size - 1);
    std::memcpy(message, status.message, n);
    message[n] = '\0';
  }
  return rc;
}
