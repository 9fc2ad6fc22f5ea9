#pragma once
// The boundary between the core library and the CUDA module (libtandem_cuda.so).
//
// The core never links CUDA. On first use of the cuda backend it loads the module with dlopen
// and calls its exported C symbol, tandem_cuda_module(), which returns a table of C function
// pointers. Nothing but C types and the plain argument structs of backend_impl.hpp cross this
// boundary: no exceptions, no std:: types. Each function returns 0 on success or an errc code,
// with a message in the caller's TandemCudaStatus; the core then throws the matching
// tandem::error.
//
// Every workload crosses through one entry, run(), with an explicit, stable tag (below) and its
// argument struct as bytes. The module lists, per tag, the size of the argument struct it was
// compiled with (0: it does not know the workload), so a module older than the core makes only
// the workloads it predates unavailable, and a struct whose layout changed is refused for that
// workload alone. The table's own layout is what TANDEM_CUDA_ABI_VERSION names.
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "dispatch/backend_impl.hpp"
#include "module/cuda_bench_abi.hpp"  // the references tandem_bench looks up, outside the table

extern "C" {

/// Bump when the table's layout, Breakdown or TandemCudaStatus changes; never for a new
/// workload (a new tag) or a changed argument struct (its size is checked per workload).
#define TANDEM_CUDA_ABI_VERSION 4

/// The exported factory's name, for dlsym.
#define TANDEM_CUDA_MODULE_SYMBOL "tandem_cuda_module"

/// A workload crosses as its tag: its position in TANDEM_FOR_EACH_WORKLOAD plus one (the list
/// is append-only, so a tag is never reused or renumbered; 0 is no workload). See cuda_tag().
/// Tags are below this (the size of the table's per-workload array).
#define TANDEM_CUDA_WORKLOAD_SLOTS 32

/// An error crossing the boundary: errc code (0 = none) and a message naming the failed call.
/// `sticky` != 0: the device context is broken for the life of the process (an illegal address,
/// a kernel that faulted or trapped, an ECC error): every later call fails too, so the core
/// marks cuda unavailable with the reason.
struct TandemCudaStatus {
  int code;
  int sticky;
  char message[1024];
};

struct TandemCudaModule {
  std::uint32_t abi_version;
  std::uint32_t breakdown_size;  // sizeof(Breakdown) as the module was compiled
  std::uint32_t status_size;     // sizeof(TandemCudaStatus)
  /// Per tag: sizeof the workload's argument struct as the module was compiled, 0 when the
  /// module does not implement the workload (it predates it).
  std::uint32_t args_size[TANDEM_CUDA_WORKLOAD_SLOTS];

  /// Finds the driver and a device and sets up the module. A non-zero return says why cuda is
  /// unavailable ("no CUDA driver", "no device", ...); the module must then not be used.
  int (*open)(TandemCudaStatus* status);
  /// One line describing the device, e.g. "NVIDIA H100 80GB HBM3 (sm_90, 79 GiB, driver 13.0)".
  void (*describe)(char* buffer, std::size_t size);

  /// Runs the workload tagged `workload` on `args`, its argument struct (args_size bytes: the
  /// module refuses a size other than its own), writing its results through the struct.
  /// `device` != 0: the operand pointers in args (x, y, a, b, c, table, out) are GPU memory;
  /// the parameters an argument struct keeps by value or on the host (MapArgs::params, the
  /// CartesianGrid axes) and scalar results are always host memory. `timing` may be null.
  int (*run)(std::uint32_t workload, void* args, std::size_t args_size, int device,
             tandem::detail::Breakdown* timing, TandemCudaStatus* status);

  /// Device memory for DeviceBuffer: allocate (zero-filled), free (never fails), copy in/out.
  int (*allocate)(std::size_t bytes, void** pointer, TandemCudaStatus* status);
  void (*release)(void* pointer);
  int (*upload)(void* device_dst, const void* host_src, std::size_t bytes,
                TandemCudaStatus* status);
  int (*download)(void* host_dst, const void* device_src, std::size_t bytes,
                  TandemCudaStatus* status);

  /// Cached device memory and pinned staging currently held (bytes), and how many device or
  /// pinned allocations the module has made so far: the tests check that steady-state calls
  /// allocate nothing.
  void (*memory_stats)(std::size_t* device_cached, std::size_t* pinned_cached,
                       std::uint64_t* device_allocations, std::uint64_t* pinned_allocations);
  /// Frees every cached buffer (device scratch and pinned staging) not in use.
  void (*trim)();
};

/// The factory: returns the table for `abi_version`, or null if this module speaks another.
typedef const TandemCudaModule* (*TandemCudaModuleFactory)(std::uint32_t abi_version);
}

namespace tandem::detail {

static_assert(std::is_trivially_copyable_v<Breakdown> && std::is_standard_layout_v<Breakdown>);
static_assert(kWorkloadCount < TANDEM_CUDA_WORKLOAD_SLOTS, "raise TANDEM_CUDA_WORKLOAD_SLOTS");

/// The tag of a workload at the module boundary.
constexpr std::uint32_t cuda_tag(tandem::Workload w) noexcept {
  return static_cast<std::uint32_t>(w) + 1;
}

/// The workload of a tag; false for a tag this build does not know.
constexpr bool workload_of_tag(std::uint32_t tag, tandem::Workload* w) noexcept {
  if (tag == 0 || tag > static_cast<std::uint32_t>(kWorkloadCount)) return false;
  *w = static_cast<tandem::Workload>(tag - 1);
  return true;
}

}  // namespace tandem::detail
