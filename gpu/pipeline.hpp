#pragma once
// The chunked pipeline of host-data calls (Call::pipeline, runtime.hpp): its fixed chunk size
// and the threshold above which map and mse take it. Plain C++ with no CUDA: the runtime, the
// workloads and the tests read the same constants.
//
// 8 MiB per chunk (of each input array) is the size of one pinned staging buffer, so the
// pipeline reuses the worker's staging; per-chunk fixed costs (a launch, a few events: ~10 us)
// stay under a tenth of the chunk's transfer (~160 us at 50 GB/s), and the fill and drain of the
// pipeline (about one chunk each) stay small beside the 16 MiB and more that take this path.
#include <cstddef>
#include <cstdint>

namespace tandem::cuda {

/// Bytes per pinned staging buffer, and per pipeline chunk of one array.
inline constexpr std::size_t kStagingBytes = std::size_t{8} << 20;
/// Pinned staging buffers per worker: two for upload/download, four for the pipeline (two
/// inputs double-buffered, or one input and one output).
inline constexpr int kStagingBuffers = 4;
/// Device copies of each input's chunk in flight: chunk i uploads while i - 1 computes and
/// i - 2 downloads.
inline constexpr int kPipelineSlots = 3;

/// Elements of `elem_bytes` each in one pipeline chunk.
constexpr std::int64_t pipeline_chunk(std::size_t elem_bytes) {
  return static_cast<std::int64_t>(kStagingBytes / elem_bytes);
}
/// Whether n elements take the chunked path (map with host data; mse with any data): at least
/// two chunks, below that the one-shot flow is as fast.
constexpr bool pipelined(std::int64_t n, std::size_t elem_bytes) {
  return n >= 2 * pipeline_chunk(elem_bytes);
}
constexpr std::int64_t pipeline_chunks(std::int64_t n, std::size_t elem_bytes) {
  const std::int64_t c = pipeline_chunk(elem_bytes);
  return (n + c - 1) / c;
}

/// mse above the threshold: each chunk is summed by a fixed two-level tree of compensated
/// (Sum2) sums — kMseLanes lanes, lane j summing the chunk's elements j, j + kMseLanes, ... in
/// order; then kMseGroups groups, group g summing lanes g * kMseLanes / kMseGroups ... in order —
/// and the host adds the groups of every chunk in chunk order. The same on host and device data.
inline constexpr std::int64_t kMseLanes = 8192;
inline constexpr std::int64_t kMseGroups = 64;
static_assert(kMseLanes % kMseGroups == 0);

}  // namespace tandem::cuda
