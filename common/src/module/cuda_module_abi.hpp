#pragma once
// The boundary between the core library and the CUDA module (libtandem_cuda.so).
//
// The core never links CUDA. On first use of the cuda backend it loads the module with dlopen
// and calls its one exported C symbol, tandem_cuda_module(), which returns a table of C
// function pointers. Nothing but C types and the plain argument structs of backend_impl.hpp
// cross this boundary: no exceptions, no std:: types. Each function returns 0 on success or an
// errc code, with a message in the caller's TandemCudaStatus; the core then throws the matching
// tandem::error. The argument structs are trivially copyable and their sizes are part of the
// ABI check, so a module from another tandem version is refused with a reason, never used.
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "dispatch/backend_impl.hpp"

extern "C" {

/// Bump when the table or any argument struct changes.
#define TANDEM_CUDA_ABI_VERSION 2

/// The exported factory's name, for dlsym.
#define TANDEM_CUDA_MODULE_SYMBOL "tandem_cuda_module"

/// An error crossing the boundary: errc code (0 = none) and a message naming the failed call.
/// `sticky` != 0: the device context is broken for the life of the process (an illegal address,
/// a kernel that faulted or trapped, an ECC error): every later call fails too, so the core
/// marks cuda unavailable with the reason.
struct TandemCudaStatus {
  int code;
  int sticky;
  char message[1024];
};

/// Reference measurements for the benchmarks (bench/): what one GPU operation costs here.
enum TandemCudaReference {
  TANDEM_CUDA_REF_EMPTY_LAUNCH = 1,  // empty kernel launch + stream synchronize
  TANDEM_CUDA_REF_D2D_COPY = 2,      // cudaMemcpyAsync device to device of a bytes
  TANDEM_CUDA_REF_H2D_COPY = 3,      // pinned host to device, a bytes
  TANDEM_CUDA_REF_D2H_COPY = 4,      // device to pinned host, a bytes
  TANDEM_CUDA_REF_SGEMM = 5,         // raw cublasSgemm, m = a, n = b, k = c, device-resident
  TANDEM_CUDA_REF_DGEMM = 6,         // raw cublasDgemm, as above
};

struct TandemCudaModule {
  std::uint32_t abi_version;
  std::uint32_t sizes[6];  // sizeof MapArgs, MatmulArgs, PolynomialGridArgs, MseArgs, Breakdown,
                           // TandemCudaStatus as the module was compiled

  /// Finds the driver and a device and sets up the module. A non-zero return says why cuda is
  /// unavailable ("no CUDA driver", "no device", ...); the module must then not be used.
  int (*open)(TandemCudaStatus* status);
  /// One line describing the device, e.g. "NVIDIA H100 80GB HBM3 (sm_90, 79 GiB, driver 13.0)".
  void (*describe)(char* buffer, std::size_t size);

  /// The workloads. `device` != 0: the operand and result pointers (x, y, a, b, c, table, out)
  /// are GPU memory; MapArgs::params (the map's parameters and polynomial coefficients) and the
  /// CartesianGrid axes are always host memory. `timing` may be null.
  int (*map)(const tandem::detail::MapArgs* args, int device, tandem::detail::Breakdown* timing,
             TandemCudaStatus* status);
  int (*matmul)(const tandem::detail::MatmulArgs* args, int device,
                tandem::detail::Breakdown* timing, TandemCudaStatus* status);
  int (*polynomial_grid)(const tandem::detail::PolynomialGridArgs* args, int device,
                         tandem::detail::Breakdown* timing, TandemCudaStatus* status);
  int (*mse)(const tandem::detail::MseArgs* args, int device, double* result,
             tandem::detail::Breakdown* timing, TandemCudaStatus* status);

  /// Device memory for DeviceBuffer: allocate (zero-filled), free (never fails), copy in/out.
  int (*allocate)(std::size_t bytes, void** pointer, TandemCudaStatus* status);
  void (*release)(void* pointer);
  int (*upload)(void* device_dst, const void* host_src, std::size_t bytes,
                TandemCudaStatus* status);
  int (*download)(void* host_dst, const void* device_src, std::size_t bytes,
                  TandemCudaStatus* status);

  /// Seconds per operation of a reference (median of `repetitions` timed with CUDA events).
  int (*reference)(int which, std::int64_t a, std::int64_t b, std::int64_t c, int repetitions,
                   double* seconds, TandemCudaStatus* status);

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

static_assert(std::is_trivially_copyable_v<MapArgs> && std::is_standard_layout_v<MapArgs>);
static_assert(std::is_trivially_copyable_v<MatmulArgs> && std::is_standard_layout_v<MatmulArgs>);
static_assert(std::is_trivially_copyable_v<PolynomialGridArgs> &&
              std::is_standard_layout_v<PolynomialGridArgs>);
static_assert(std::is_trivially_copyable_v<MseArgs> && std::is_standard_layout_v<MseArgs>);
static_assert(std::is_trivially_copyable_v<Breakdown> && std::is_standard_layout_v<Breakdown>);

/// The sizes a module must report to be accepted.
inline constexpr std::uint32_t kCudaAbiSizes[6] = {
    sizeof(MapArgs), sizeof(MatmulArgs), sizeof(PolynomialGridArgs),
    sizeof(MseArgs), sizeof(Breakdown),  sizeof(TandemCudaStatus)};

}  // namespace tandem::detail
