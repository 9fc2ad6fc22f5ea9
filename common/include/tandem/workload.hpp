#pragma once
/// The workloads tandem runs, and the one list every layer expands.
///
/// Adding a workload is one line in TANDEM_FOR_EACH_WORKLOAD plus its own files (the recipe in
/// ARCHITECTURE.md): its entry point file (common/src/api/<name>.cpp) defines what it is — its
/// dtypes, work and bytes, the cost model's defaults, calibration sizes and sample call. The
/// enum, names, cost model, profiles, plan(), calibrate(), the backends' dispatch, the CUDA
/// module's entry and the command-line tool are generated from the list.
#include <cstdint>
#include <functional>
#include <string_view>

#include "tandem/dtype.hpp"
#include "tandem/export.hpp"

/// X(name) for every workload, in tandem::Workload order (the profile's JSON keys: never rename).
/// Append only (RECIPE 1, ARCHITECTURE.md): the position is the enum value and, plus one, the
/// workload's tag at the CUDA module boundary.
#define TANDEM_FOR_EACH_WORKLOAD(X) \
  X(map)                            \
  X(matmul)                         \
  X(polynomial_grid)                \
  X(mse)                            \
  X(map_reduce)                     \
  X(sort)                           \
  X(word_count)

namespace tandem {

struct Options;

/// The workloads, as the cost model and the command-line tool name them.
enum class Workload {
#define TANDEM_WORKLOAD_ENUMERATOR_(name) name,
  TANDEM_FOR_EACH_WORKLOAD(TANDEM_WORKLOAD_ENUMERATOR_)
#undef TANDEM_WORKLOAD_ENUMERATOR_
};

/// How many workloads there are.
inline constexpr int kWorkloadCount = 0
#define TANDEM_WORKLOAD_COUNT_(name) +1
    TANDEM_FOR_EACH_WORKLOAD(TANDEM_WORKLOAD_COUNT_)
#undef TANDEM_WORKLOAD_COUNT_
    ;

/// Every workload, in enum order.
inline constexpr Workload kAllWorkloads[] = {
#define TANDEM_WORKLOAD_VALUE_(name) Workload::name,
    TANDEM_FOR_EACH_WORKLOAD(TANDEM_WORKLOAD_VALUE_)
#undef TANDEM_WORKLOAD_VALUE_
};

/// The workload's name ("unknown" for a value that is no enumerator).
constexpr std::string_view to_string(Workload workload) noexcept {
  switch (workload) {
#define TANDEM_WORKLOAD_NAME_(name) \
  case Workload::name:              \
    return #name;
    TANDEM_FOR_EACH_WORKLOAD(TANDEM_WORKLOAD_NAME_)
#undef TANDEM_WORKLOAD_NAME_
  }
  return "unknown";
}

/// Whether `w` is an enumerator of Workload.
constexpr bool is_workload(Workload w) noexcept { return to_string(w) != "unknown"; }

/// Parses a workload name (any case; '-' for '_' too, e.g. "polynomial-grid").
/// Throws tandem::invalid_argument listing the valid names for anything else.
TANDEM_EXPORT Workload parse_workload(std::string_view name);

/// Whether a workload computes in this dtype (some take floating point only).
TANDEM_EXPORT bool has_dtype(Workload workload, DType dtype) noexcept;

/// One call as the cost model sees it: what, in which dtype, how much work, how many bytes.
struct Problem {
  Workload workload = Workload::map;
  DType dtype = DType::f64;
  double work = 0;      ///< the workload's unit: elements, m·n·k, or sets·x·coefficients
  double bytes = 0;     ///< operand bytes read plus written
  bool device = false;  ///< operands already in GPU memory (DeviceBuffers)

  /// map of n elements (reads and writes n).
  TANDEM_EXPORT static Problem map(DType dtype, std::int64_t n);
  /// (m x k) · (k x n).
  TANDEM_EXPORT static Problem matmul(DType dtype, std::int64_t m, std::int64_t n, std::int64_t k);
  /// `sets` polynomials of `ncoef` coefficients at `nx` points; from a Cartesian grid, or from a
  /// table of the sets (`table`: its values are read too).
  TANDEM_EXPORT static Problem polynomial_grid(DType dtype, std::int64_t sets, std::int64_t nx,
                                               std::int64_t ncoef, bool table = false);
  /// mse of n values (`two_inputs`: mse(a, b)).
  TANDEM_EXPORT static Problem mse(DType dtype, std::int64_t n, bool two_inputs = false);
  /// sort of n values in place (reads and writes n).
  TANDEM_EXPORT static Problem sort(DType dtype, std::int64_t n);
};

/// The size of a generated call of any workload, as `tandem run` and `tandem plan` take it:
/// n elements (matmul: square matrices of side n; polynomial_grid: n parameter sets of `ncoef`
/// coefficients evaluated at `nx` points).
struct WorkloadSize {
  std::int64_t n = 0;
  std::int64_t nx = 50;
  std::int64_t ncoef = 4;
};

/// The Problem of a generated call (host operands). Throws tandem::invalid_argument for a
/// workload or dtype that is no enumerator, or a dtype the workload lacks.
TANDEM_EXPORT Problem problem_of(Workload workload, DType dtype, const WorkloadSize& size);

/// Host memory, in bytes, that sample_call() allocates for this size (computed, not allocated).
TANDEM_EXPORT double sample_bytes(Workload workload, DType dtype, const WorkloadSize& size);

/// A call of a workload on generated, deterministic data: what `tandem run`, calibrate() and
/// the conformance tests run. `run` makes the call (as often as wanted); `checksum` sums the
/// result of the last one (mse: its value).
struct SampleCall {
  Problem problem;
  std::function<void(const Options&)> run;
  std::function<double()> checksum;
};

/// Allocates and fills the operands of a generated call. Throws as problem_of(), and
/// std::bad_alloc or tandem::out_of_memory when the data does not fit.
TANDEM_EXPORT SampleCall sample_call(Workload workload, DType dtype, const WorkloadSize& size);

/// What `tandem run` and `tandem plan` take for --n when it is not given, and its largest value.
struct WorkloadCli {
  std::int64_t default_n = 0;
  std::int64_t max_n = 0;
  bool n_times_nx = false;   ///< n·nx is bounded too (the result has n·nx values)
  bool scalar = false;       ///< the call returns one value (printed as the result, no checksum)
  const char* summary = "";  ///< what a generated call computes, for the tool's help
};
TANDEM_EXPORT WorkloadCli cli_defaults(Workload workload);

}  // namespace tandem
