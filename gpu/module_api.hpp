#pragma once
// What a cuda module implements behind its C table: module_entry.cpp turns these functions into
// the table of cuda_module_abi.hpp, catching every exception. runtime.cpp and workloads.hpp
// implement them over the device API (device_api.hpp): on CUDA in the real module
// (device_api_cuda.cu), on host memory in the test suite's emulated module (tests/emulated_cuda/);
// cuda_<workload>.cu are compiled into both. reference() is module.cu's
// (tandem_cuda_bench_references). No CUDA header here.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "dispatch/backend_impl.hpp"

namespace tandem::cuda {

/// A failure inside the module; the entry points turn it into an errc code and a message.
/// `sticky`: the device context is lost for the life of the process (see TandemCudaStatus).
struct ModuleFailure {
  errc code;
  std::string message;
  bool sticky = false;
};

[[noreturn]] inline void fail(errc code, std::string message) {
  throw ModuleFailure{code, std::move(message)};
}

/// Finds the device and prepares the module; returns "" or why cuda cannot run here.
std::string open_device();
/// One line describing the device.
std::string describe_device();

/// Long-lived device memory for DeviceBuffer (zero-filled), and its release.
void* allocate_buffer(std::size_t bytes);
void release_buffer(void* p) noexcept;
/// Whole-buffer copies between host and device memory.
void upload_bytes(void* device_dst, const void* host_src, std::size_t bytes);
void download_bytes(void* host_dst, const void* device_src, std::size_t bytes);

/// Frees the idle caches; reports what they hold and how many allocations were made.
void trim() noexcept;
void memory_stats(std::size_t* device_cached, std::size_t* pinned_cached,
                  std::uint64_t* device_allocations, std::uint64_t* pinned_allocations) noexcept;

/// Seconds per operation of a benchmark reference (see TandemCudaReference), for the exported
/// tandem_cuda_bench_references (not the table).
double reference(int which, std::int64_t a, std::int64_t b, std::int64_t c, int repetitions);

/// Called by the entry before each workload runs (the emulated module injects its faults
/// here); a no-op in the real module.
void workload_starting(tandem::Workload workload);

/// The workloads, one per entry of TANDEM_FOR_EACH_WORKLOAD (cuda_<workload>.cu, through
/// TANDEM_CUDA_WORKLOAD): run_<workload>(args, device, timing). `device`: the operand pointers
/// are device memory; otherwise host memory, staged in and out by the call. Results are written
/// through `args`.
#define TANDEM_CUDA_DECLARE_WORKLOAD_(name)                                \
  void run_##name(detail::Args<tandem::Workload::name>& args, bool device, \
                  detail::Breakdown* timing);
TANDEM_FOR_EACH_WORKLOAD(TANDEM_CUDA_DECLARE_WORKLOAD_)
#undef TANDEM_CUDA_DECLARE_WORKLOAD_

}  // namespace tandem::cuda
