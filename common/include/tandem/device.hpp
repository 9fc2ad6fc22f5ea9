#pragma once
/// Data that stays on the GPU across calls.
///
/// A DeviceBuffer owns an array in the memory of the cuda backend's GPU. The workload calls
/// accept DeviceBuffers (and matrix blocks of them) in place of host spans and views; such a
/// call runs on cuda with no host<->device transfer, so a chain of calls pays for the copies
/// once. The CPU backends refuse DeviceBuffers with tandem::invalid_argument (download() the
/// data and pass host spans instead); `automatic` runs them on cuda.
///
/// Creating a DeviceBuffer needs the cuda backend: without it the constructors throw
/// tandem::backend_unavailable with the reason (see backend_info(Backend::cuda)).
///
/// Each workload's header declares its DeviceBuffer overloads beside its host ones.
///
/// **Example**:
///   tandem::DeviceBuffer x(std::span<const float>(host));         // upload once
///   tandem::DeviceBuffer y(tandem::DType::f32, x.size());           // zero-filled
///   /* workload calls on x and y run on the GPU, with no copies */
///   std::vector<float> back = y.download<float>();                   // copy out when needed
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "tandem/dtype.hpp"
#include "tandem/export.hpp"
#include "tandem/options.hpp"

namespace tandem {

class DeviceBuffer;

/// A rows x cols row-major block of a DeviceBuffer: element (i, j) is element
/// offset + i * ld + j of the buffer. Checked against the buffer when a call uses it.
struct DeviceMatrix {
  DeviceBuffer* buffer = nullptr;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t ld = 0;
  std::int64_t offset = 0;
};

/// A read-only DeviceMatrix; a DeviceMatrix converts to it.
struct ConstDeviceMatrix {
  const DeviceBuffer* buffer = nullptr;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t ld = 0;
  std::int64_t offset = 0;

  constexpr ConstDeviceMatrix() = default;
  constexpr ConstDeviceMatrix(const DeviceBuffer* b, std::int64_t r, std::int64_t c,
                              std::int64_t ld_, std::int64_t off = 0)
      : buffer(b), rows(r), cols(c), ld(ld_), offset(off) {}
  constexpr ConstDeviceMatrix(const DeviceMatrix& m)  // NOLINT(google-explicit-constructor)
      : buffer(m.buffer), rows(m.rows), cols(m.cols), ld(m.ld), offset(m.offset) {}
};

/// An owning, move-only array in GPU memory, with its element type and size.
class TANDEM_EXPORT DeviceBuffer {
 public:
  /// No storage, dtype f32, size 0; usable only as the target of a move.
  DeviceBuffer() noexcept = default;
  /// `size` zero-filled elements of `dtype` on the GPU. size >= 0.
  DeviceBuffer(DType dtype, std::int64_t size);
#define TANDEM_DECLARE_DEVICE_BUFFER_(T, name)                            \
  /** A copy of `host` on the GPU. */                                     \
  explicit DeviceBuffer(std::span<const T> host);                         \
  /** Overwrites the whole buffer with `host` (same dtype, same size). */ \
  void upload(std::span<const T> host);                                   \
  /** Copies the whole buffer into `host` (same dtype, same size). */     \
  void download(std::span<T> host) const;
  TANDEM_FOR_EACH_DTYPE(TANDEM_DECLARE_DEVICE_BUFFER_)
#undef TANDEM_DECLARE_DEVICE_BUFFER_

  ~DeviceBuffer();
  DeviceBuffer(DeviceBuffer&& other) noexcept;
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  /// The whole buffer as a new host vector. T must be the buffer's dtype.
  template <class T>
  std::vector<T> download() const {
    std::vector<T> host(static_cast<std::size_t>(size_));
    download(std::span<T>(host));
    return host;
  }

  DType dtype() const noexcept { return dtype_; }
  std::int64_t size() const noexcept { return size_; }
  std::size_t bytes() const noexcept;
  /// The device pointer, for CUDA code of your own (null when size() is 0).
  void* data() noexcept { return data_; }
  const void* data() const noexcept { return data_; }

  /// The whole buffer as a rows x cols matrix (rows * cols must equal size(), checked on use),
  /// or a block with leading dimension ld starting at element offset.
  DeviceMatrix matrix(std::int64_t rows, std::int64_t cols) noexcept {
    return {this, rows, cols, cols, 0};
  }
  DeviceMatrix matrix(std::int64_t rows, std::int64_t cols, std::int64_t ld,
                      std::int64_t offset = 0) noexcept {
    return {this, rows, cols, ld, offset};
  }
  ConstDeviceMatrix matrix(std::int64_t rows, std::int64_t cols) const noexcept {
    return {this, rows, cols, cols, 0};
  }
  ConstDeviceMatrix matrix(std::int64_t rows, std::int64_t cols, std::int64_t ld,
                           std::int64_t offset = 0) const noexcept {
    return {this, rows, cols, ld, offset};
  }

 private:
  void* data_ = nullptr;
  DType dtype_ = DType::f32;
  std::int64_t size_ = 0;
};

/// The cuda backend's caches: device scratch and pinned staging buffers it keeps between calls
/// so that steady-state calls allocate nothing, and how many allocations it has made so far.
struct DeviceMemoryStats {
  std::size_t device_cached_bytes = 0;   ///< device scratch held by the pool (idle or in use)
  std::size_t pinned_cached_bytes = 0;   ///< pinned host staging held
  std::uint64_t device_allocations = 0;  ///< cudaMalloc calls made for scratch so far
  std::uint64_t pinned_allocations = 0;  ///< cudaMallocHost calls made for staging so far
};

/// The caches' state. Throws tandem::backend_unavailable when cuda is unavailable.
TANDEM_EXPORT DeviceMemoryStats device_memory_stats();

/// Frees the idle cached device scratch and pinned staging (DeviceBuffers are untouched).
/// A no-op when cuda is unavailable.
TANDEM_EXPORT void release_device_caches() noexcept;

}  // namespace tandem
