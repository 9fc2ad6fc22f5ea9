#pragma once
// Memory at the machine's limits: non-temporal (streaming) stores for outputs larger than the
// last-level cache, and the large-block path of tandem::allocator (allocator.hpp).
#include <cstddef>
#include <cstdint>

namespace tandem::detail {

/// Outputs of more bytes than this are written with streaming stores: the last-level cache
/// (sysconf(_SC_LEVEL3_CACHE_SIZE), else /sys/devices/system/cpu/cpu0/cache), or the value of
/// TANDEM_STREAMING_THRESHOLD_BYTES (a decimal byte count; for tests). Read once, then cached.
std::size_t streaming_threshold_bytes() noexcept;

/// Copies `bytes` (a multiple of 64) from src to dst (64-byte aligned, not overlapping src)
/// with non-temporal stores, the widest the CPU has (AVX-512, AVX, SSE2; picked once). No fence:
/// call stream_fence() after a thread's last streaming store. A plain copy elsewhere.
void stream_copy(void* dst, const void* src, std::size_t bytes) noexcept;

/// Orders this thread's streaming stores before its later stores (sfence on x86-64).
void stream_fence() noexcept;

/// Writes n values of T to out[0, n) through fill(dst, i0, i1), which stores the values of
/// indices [i0, i1) to dst[0, i1 - i0). Without `stream` fill writes to out directly; with it,
/// the values go through a small L1-resident block and reach out by streaming stores (the
/// unaligned head and the tail by ordinary stores), so the values are the same either way and
/// only the store instruction differs. Ends with a fence when it streamed.
template <class T, class Fill>
inline void write_out(T* out, std::int64_t n, bool stream, Fill&& fill) {
  constexpr std::int64_t kBlockBytes = 4096;
  constexpr auto kElems = static_cast<std::int64_t>(kBlockBytes / sizeof(T));
  const auto addr = reinterpret_cast<std::uintptr_t>(out);
  if (!stream || n < 2 * kElems || addr % sizeof(T) != 0) {
    fill(out, 0, n);
    return;
  }
  const auto head = static_cast<std::int64_t>((64 - addr % 64) % 64 / sizeof(T));
  if (head > 0) fill(out, 0, head);
  alignas(64) T block[kElems];
  std::int64_t i = head;
  for (; i + kElems <= n; i += kElems) {
    fill(block, i, i + kElems);
    stream_copy(out + i, block, kBlockBytes);
  }
  if (i < n) fill(out + i, i, n);
  stream_fence();
}

/// Touches one byte per 4 KiB page of [p, p + bytes) from the OpenMP threads, each the part the
/// kernels' static partition gives it, so the pages are faulted (zeroed by the kernel, placed
/// on the thread's NUMA node) in parallel. Serial without OpenMP or in a fork()ed child.
void first_touch(void* p, std::size_t bytes) noexcept;

}  // namespace tandem::detail
