#pragma once
/// What the header templates that take any C++ callable build on: a parallel loop over chunks
/// of [0, n) on a CPU backend (serial or openmp), chosen as for any call.
#include <cstdint>

#include "tandem/export.hpp"
#include "tandem/options.hpp"

namespace tandem::detail {

/// Runs fn(ctx, begin, end) over chunks covering [0, n) on a CPU backend chosen as for any call;
/// `function` names the entry point in errors and Stats.
using ChunkFn = void (*)(void* ctx, std::int64_t begin, std::int64_t end);
TANDEM_EXPORT void parallel_for(const char* function, std::int64_t n, ChunkFn fn, void* ctx,
                                const Options& options);

}  // namespace tandem::detail
