#pragma once
// The one interface every backend implements. Private to the library.
//
// Backends receive arguments that common/ has already validated and typed-erased (a DType tag
// plus pointers); they never re-check or re-resolve. A backend switches on the dtype with
// visit_dtype, so adding a dtype touches the type list only.
#include <cstdint>

#include "tandem/backend.hpp"
#include "tandem/dtype.hpp"
#include "tandem/error.hpp"
#include "tandem/map.hpp"
#include "tandem/reduce.hpp"
#include "tandem/workload.hpp"

namespace tandem::detail {

/// What BackendImpl::supports() is asked: a call on typed data (any tandem::Workload), or a
/// C++ callable (Call::cpu_only), which only CPU backends can run.
enum class CallKind { typed, callable_map };
/// The name the module loader's supports() override spells (common/src/module/cuda_loader.cpp).
using Workload = CallKind;

/// Where the time of a call went, in seconds (see Stats).
struct Breakdown {
  double allocation = 0.0;
  double host_to_device = 0.0;
  double compute = 0.0;
  double device_to_host = 0.0;
};

/// How a resolved call runs.
struct Exec {
  int threads = 1;              // threads to use (resolved: never 0)
  bool device = false;          // the operand pointers are GPU memory (DeviceBuffer calls)
  Breakdown* timing = nullptr;  // a backend that can split its time fills this when non-null
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

/// mean((a - b)^2), or mean(a^2) when b is null. n > 0. dtype is f32 or f64.
struct MseArgs {
  DType dtype;
  const void* a;
  const void* b;
  std::int64_t n;
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

// Args<W>: the argument struct of workload W (map_reduce so far); the backends implement
// map_reduce as free functions (serial::, openmp::) that their classes forward to.
template <tandem::Workload W>
struct ArgsOf;
template <>
struct ArgsOf<tandem::Workload::map_reduce> {
  using type = MapReduceArgs;
};
template <tandem::Workload W>
using Args = typename ArgsOf<W>::type;
namespace serial {
void map_reduce(MapReduceArgs&, const Exec&);
}
namespace openmp {
void map_reduce(MapReduceArgs&, const Exec&);
}

/// Where a call is made from, as the OpenMP runtime sees it.
enum class Nesting {
  none,             // not inside an active parallel region
  nested,           // inside one; a nested region may get a team
  nested_disabled,  // inside one, and the runtime gives nested regions one thread
};

/// Why a call runs on fewer threads than it asked for (bits of Team::limits; Stats::reason
/// says which).
enum TeamLimit : unsigned {
  kTeamMaxThreads = 1u,   // the runtime's default is above tandem::max_threads
  kTeamThreadLimit = 2u,  // above the runtime's thread limit (OMP_THREAD_LIMIT)
  kTeamCreated = 4u,      // the threads could not all be created (memory, process limits)
  kTeamForked = 8u,       // a fork()ed child of a process that ran OpenMP teams
};

/// The team a call gets: `threads` of the `asked` (Options::threads, or the runtime's default).
struct Team {
  int threads = 1;
  int asked = 1;
  unsigned limits = 0;  // TeamLimit bits; 0 when threads == asked
  int created = 0;      // kTeamCreated: the team size whose threads could all be created
};

class BackendImpl {
 public:
  BackendImpl() = default;
  BackendImpl(const BackendImpl&) = delete;
  BackendImpl& operator=(const BackendImpl&) = delete;
  virtual ~BackendImpl() = default;

  virtual Backend kind() const noexcept = 0;
  /// Threads a call uses when Options::threads is 0.
  virtual int default_threads() const noexcept = 0;
  /// Whether this backend can run a workload at all (a C++ callable needs a CPU backend).
  virtual bool supports(CallKind) const noexcept { return true; }
  /// Human-readable description of what the backend runs on (for backend_info).
  virtual std::string device() const = 0;
  /// Whether the calling thread is inside an active parallel region of this backend's runtime.
  virtual Nesting nesting() const noexcept { return Nesting::none; }
  /// The team a call gets for Options::threads = `requested` (0: the default). Fewer threads
  /// than asked only where the runtime could not run more; never 0. Thread-safe.
  virtual Team team(int requested) noexcept {
    const int t = requested > 0 ? requested : default_threads();
    return {t, t, 0, 0};
  }

  virtual void map(const MapArgs&, const Exec&) = 0;
  virtual void parallel_for(std::int64_t n, ChunkFn fn, void* ctx, const Exec&) = 0;
  virtual void matmul(const MatmulArgs&, const Exec&) = 0;
  virtual void polynomial_grid(const PolynomialGridArgs&, const Exec&) = 0;
  virtual double mse(const MseArgs&, const Exec&) = 0;
  virtual void map_reduce(MapReduceArgs&, const Exec&) = 0;
};

/// Calls f.template operator()<T>() with T the C++ type of `d`.
template <class F>
decltype(auto) visit_dtype(DType d, F&& f) {
  switch (d) {
#define TANDEM_VISIT_(T, name) \
  case DType::name:            \
    return f.template operator()<T>();
    TANDEM_FOR_EACH_DTYPE(TANDEM_VISIT_)
#undef TANDEM_VISIT_
  }
  throw invalid_argument("tandem: unknown dtype " + std::to_string(static_cast<int>(d)));
}

/// As visit_dtype, for the floating-point dtypes only (mse).
template <class F>
decltype(auto) visit_float_dtype(DType d, F&& f) {
  switch (d) {
#define TANDEM_VISIT_(T, name) \
  case DType::name:            \
    return f.template operator()<T>();
    TANDEM_FOR_EACH_FLOAT_DTYPE(TANDEM_VISIT_)
#undef TANDEM_VISIT_
    default:
      break;
  }
  throw invalid_argument("tandem: dtype " + std::string(to_string(d)) + " is not floating point");
}

}  // namespace tandem::detail
