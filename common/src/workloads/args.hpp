#pragma once
// The argument struct of every workload: what common/ hands a backend once it has validated a
// call (a DType tag plus pointers, the results written through the struct). Each is trivially
// copyable and standard-layout: it crosses the C boundary to the cuda module as bytes, its size
// checked per workload (module/cuda_module_abi.hpp).
//
// Adding a workload: its struct here and one TANDEM_WORKLOAD_ARGS line (ARCHITECTURE.md).
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "tandem/dtype.hpp"
#include "tandem/map_op.hpp"
#include "tandem/reduce.hpp"
#include "tandem/workload.hpp"

namespace tandem::detail {

/// ArgsOf<W>::type: the argument struct of workload W.
template <tandem::Workload W>
struct ArgsOf;
template <tandem::Workload W>
using Args = typename ArgsOf<W>::type;

#define TANDEM_WORKLOAD_ARGS(name, Struct) \
  template <>                              \
  struct ArgsOf<tandem::Workload::name> {  \
    using type = Struct;                   \
  };

/// y[i] = op(x[i]). params holds the op's parameters converted to dtype (nparams of them).
struct MapArgs {
  DType dtype;
  const void* x;
  void* y;
  std::int64_t n;
  MapKind kind;
  const void* params;
  std::int64_t nparams;
};

/// C (m x n, ldc) = A (m x k, lda) · B (k x n, ldb), row-major.
struct MatmulArgs {
  DType dtype;
  std::int64_t m, n, k;
  const void* a;
  std::int64_t lda;
  const void* b;
  std::int64_t ldb;
  void* c;
  std::int64_t ldc;
};

/// out (sets x nx, ldo) = Horner of each parameter set at each x.
/// Parameter sets come from `table` (sets x ncoef, ldt) when it is non-null (an empty table may
/// be null: a backend must write nothing when sets or nx is 0), else from the
/// Cartesian product of `axes` (ncoef axes, axes[c] has axis_sizes[c] values; last fastest).
/// The axes are always host memory, even when Exec::device says the other operands are not.
struct PolynomialGridArgs {
  DType dtype;
  std::int64_t sets;
  std::int64_t ncoef;
  const void* table;
  std::int64_t ldt;
  const void* const* axes;
  const std::int64_t* axis_sizes;
  const void* x;
  std::int64_t nx;
  void* out;
  std::int64_t ldo;
};

/// result = mean((a - b)^2), or mean(a^2) when b is null. n > 0. dtype is f32 or f64.
struct MseArgs {
  DType dtype;
  const void* a;
  const void* b;
  std::int64_t n;
  double result;
};

/// reduce(map(x[i]) for i < n). The map (when `mapped`) is applied in dtype exactly as map's
/// (params: its nparams parameters converted to dtype, host memory); the mapped values are then
/// summed in double (f32/f64; serial compensated, openmp mse's pairwise tree, cuda compensated
/// pairs) or in int64 wrapping modulo 2^64 (i32/i64), or reduced to their min or max (exact, NaN
/// if any is NaN; n > 0). Results: `value` for f32/f64 (min/max: the value exactly), `integer`
/// for i32/i64. mean is the entry point's sum / n.
struct MapReduceArgs {
  DType dtype;
  const void* x;
  std::int64_t n;
  bool mapped;
  MapKind kind;
  ReduceKind reduce;
  const void* params;
  std::int64_t nparams;
  double value;          // result (f32, f64)
  std::int64_t integer;  // result (i32, i64)
};

TANDEM_WORKLOAD_ARGS(map, MapArgs)
TANDEM_WORKLOAD_ARGS(matmul, MatmulArgs)
TANDEM_WORKLOAD_ARGS(polynomial_grid, PolynomialGridArgs)
TANDEM_WORKLOAD_ARGS(mse, MseArgs)  // RECIPE 3
TANDEM_WORKLOAD_ARGS(map_reduce, MapReduceArgs)

/// The words of text[0..n) (host memory) with their counts, handed to emit(ctx, word, size,
/// count) one by one in word_count's order (count descending, word ascending), on the calling
/// thread (the cuda module calls it on the host). emit does not throw.
struct WordCountArgs {
  const char* text;
  std::int64_t n;
  void (*emit)(void* ctx, const char* word, std::size_t size, std::int64_t count);
  void* ctx;
};
TANDEM_WORKLOAD_ARGS(word_count, WordCountArgs)

/// Sorts x[0, n) in place: ascending, NaNs last (numpy's order), -0.0 and +0.0 equal.
struct SortArgs {
  DType dtype;
  void* x;
  std::int64_t n;
};
TANDEM_WORKLOAD_ARGS(sort, SortArgs)

// Every workload has its struct, and each can cross the module boundary as bytes.
#define TANDEM_CHECK_ARGS_(name)                                              \
  static_assert(std::is_trivially_copyable_v<Args<tandem::Workload::name>> && \
                    std::is_standard_layout_v<Args<tandem::Workload::name>>,  \
                "the argument struct of " #name " must be plain bytes");
TANDEM_FOR_EACH_WORKLOAD(TANDEM_CHECK_ARGS_)
#undef TANDEM_CHECK_ARGS_

/// sizeof the argument struct of `w` (0 for a value that is no enumerator).
constexpr std::size_t args_size(tandem::Workload w) noexcept {
  switch (w) {
#define TANDEM_ARGS_SIZE_(name) \
  case tandem::Workload::name:  \
    return sizeof(Args<tandem::Workload::name>);
    TANDEM_FOR_EACH_WORKLOAD(TANDEM_ARGS_SIZE_)
#undef TANDEM_ARGS_SIZE_
  }
  return 0;
}

}  // namespace tandem::detail
