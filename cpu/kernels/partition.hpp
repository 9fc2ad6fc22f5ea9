#pragma once
// Static partition of [0, n) into `parts` contiguous ranges, boundaries on multiples of
// `grain` (so neighbouring threads do not write the same cache line), sizes within one grain.
#include <algorithm>
#include <cstdint>
#include <utility>

namespace tandem::detail {

inline std::pair<std::int64_t, std::int64_t> static_range(std::int64_t n, int parts, int part,
                                                          std::int64_t grain) noexcept {
  const std::int64_t units = (n + grain - 1) / grain;
  const std::int64_t base = units / parts;
  const std::int64_t extra = units % parts;
  const std::int64_t first = part * base + std::min<std::int64_t>(part, extra);
  const std::int64_t count = base + (part < extra ? 1 : 0);
  return {std::min(n, first * grain), std::min(n, (first + count) * grain)};
}

}  // namespace tandem::detail
