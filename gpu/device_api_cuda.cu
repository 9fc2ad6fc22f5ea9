// The device API (device_api.hpp) on the CUDA runtime: what the module's shared runtime
// (runtime.cpp) and workloads run on with a GPU.
#include <cuda_runtime.h>

#include <cstdio>
#include <string>

#include "cublas_api.hpp"
#include "cuda_check.hpp"
#include "device_api.hpp"

namespace tandem::cuda::dev {

namespace {

int g_device = 0;

cudaStream_t cuda(Stream s) noexcept { return reinterpret_cast<cudaStream_t>(s); }
cudaEvent_t cuda(Event e) noexcept { return reinterpret_cast<cudaEvent_t>(e); }

// A failed allocation leaves an error behind; out of memory is the caller's to handle.
void* allocated(cudaError_t e, void* p, const char* call) {
  if (e == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    return nullptr;
  }
  check(e, call);
  return p;
}

}  // namespace

std::string open() {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) {
    cudaGetLastError();
    int driver = 0;
    cudaDriverGetVersion(&driver);
    const std::string what =
        std::string("cudaGetDeviceCount: ") + cudaGetErrorName(e) + ": " + cudaGetErrorString(e);
    if (e == cudaErrorNoDevice) return "no device (" + what + ")";
    if (driver == 0) return "no CUDA driver (" + what + ")";
    if (e == cudaErrorInsufficientDriver) {
      return "the CUDA driver (" + std::to_string(driver / 1000) + "." +
             std::to_string(driver % 1000 / 10) + ") is older than this build's runtime (" +
             std::to_string(CUDART_VERSION / 1000) + "." +
             std::to_string(CUDART_VERSION % 1000 / 10) + ")";
    }
    return "CUDA initialisation failed (" + what + ")";
  }
  if (count == 0) return "no device (the CUDA driver sees no GPU)";
  g_device = 0;
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, g_device) != cudaSuccess) {
    cudaGetLastError();
    return "cannot read the properties of device 0";
  }
  if (prop.major < 8) {
    return std::string("device 0 (") + prop.name + ") has compute capability " +
           std::to_string(prop.major) + "." + std::to_string(prop.minor) +
           "; this build has code for 8.0 and newer (CMAKE_CUDA_ARCHITECTURES)";
  }
  int previous = 0;
  if (cudaGetDevice(&previous) != cudaSuccess) previous = -1;
  const cudaError_t ctx =
      cudaSetDevice(g_device) == cudaSuccess ? cudaFree(nullptr) : cudaErrorUnknown;
  if (previous >= 0 && previous != g_device) cudaSetDevice(previous);
  if (ctx != cudaSuccess) {
    cudaGetLastError();
    return std::string("cannot create a CUDA context on device 0: ") + cudaGetErrorString(ctx);
  }
  return load_cublas();
}

std::string describe() {
  cudaDeviceProp prop{};
  int driver = 0, runtime = 0;
  cudaGetDeviceProperties(&prop, g_device);
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  char memory[32];
  std::snprintf(memory, sizeof(memory), "%.1f GiB",
                static_cast<double>(prop.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0));
  return std::string(prop.name) + " (sm_" + std::to_string(prop.major) +
         std::to_string(prop.minor) + ", " + memory + ", driver " + std::to_string(driver / 1000) +
         "." + std::to_string(driver % 1000 / 10) + ", runtime " + std::to_string(runtime / 1000) +
         "." + std::to_string(runtime % 1000 / 10) + ")";
}

int module_device() noexcept { return g_device; }

int current_device() {
  int current = -1;
  TANDEM_CUDA_CHECK(cudaGetDevice(&current));
  return current;
}

void set_device(int device) { TANDEM_CUDA_CHECK(cudaSetDevice(device)); }

void restore_device(int device) noexcept { cudaSetDevice(device); }

void* device_alloc(std::size_t bytes) {
  void* p = nullptr;
  return allocated(cudaMalloc(&p, bytes), p, "cudaMalloc");
}

void device_free(void* p) noexcept { cudaFree(p); }

void* pinned_alloc(std::size_t bytes) {
  void* p = nullptr;
  return allocated(cudaMallocHost(&p, bytes), p, "cudaMallocHost");
}

void pinned_free(void* p) noexcept { cudaFreeHost(p); }

std::string free_memory_note() {
  std::size_t free_bytes = 0, total = 0;
  if (cudaMemGetInfo(&free_bytes, &total) != cudaSuccess) {
    cudaGetLastError();
    return {};
  }
  return " (" + std::to_string(free_bytes >> 20) + " MiB free of " + std::to_string(total >> 20) +
         " MiB)";
}

Stream stream_create() {
  cudaStream_t s = nullptr;
  TANDEM_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  return reinterpret_cast<Stream>(s);
}

Event event_create(bool timing) {
  cudaEvent_t e = nullptr;
  TANDEM_CUDA_CHECK(
      cudaEventCreateWithFlags(&e, timing ? cudaEventDefault : cudaEventDisableTiming));
  return reinterpret_cast<Event>(e);
}

void record(Event e, Stream s) { TANDEM_CUDA_CHECK(cudaEventRecord(cuda(e), cuda(s))); }

void stream_wait_event(Stream s, Event e) {
  TANDEM_CUDA_CHECK(cudaStreamWaitEvent(cuda(s), cuda(e), 0));
}

void event_wait(Event e) { TANDEM_CUDA_CHECK(cudaEventSynchronize(cuda(e))); }

void stream_wait(Stream s) {
  TANDEM_CUDA_CHECK(cudaStreamSynchronize(cuda(s)));
  TANDEM_CUDA_CHECK(cudaGetLastError());
}

void stream_drain(Stream s) noexcept {
  cudaStreamSynchronize(cuda(s));
  cudaGetLastError();
}

double elapsed(Event from, Event to) {
  float ms = 0;
  TANDEM_CUDA_CHECK(cudaEventElapsedTime(&ms, cuda(from), cuda(to)));
  return ms * 1e-3;
}

void copy_async(void* dst, const void* src, std::size_t bytes, Copy kind, Stream s) {
  const cudaMemcpyKind k = kind == Copy::host_to_device   ? cudaMemcpyHostToDevice
                           : kind == Copy::device_to_host ? cudaMemcpyDeviceToHost
                                                          : cudaMemcpyDeviceToDevice;
  TANDEM_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, k, cuda(s)));
}

void zero_async(void* p, std::size_t bytes, Stream s) {
  TANDEM_CUDA_CHECK(cudaMemsetAsync(p, 0, bytes, cuda(s)));
}

}  // namespace tandem::cuda::dev
