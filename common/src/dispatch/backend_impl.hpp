#pragma once
// The one interface every backend implements. Private to the library.
//
// Backends receive arguments that common/ has already validated and typed-erased (a DType tag
// plus pointers); they never re-check or re-resolve. A backend switches on the dtype with
// visit_dtype, so adding a dtype touches the type list only.
#include <cstdint>

#include "tandem/backend.hpp"
#include "tandem/callable.hpp"
#include "tandem/dtype.hpp"
#include "tandem/error.hpp"
#include "workloads/args.hpp"

namespace tandem::detail {

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
  /// The machine's default team, for the profile's machine key: default_threads() except in a
  /// fork()ed child, whose calls run on 1 thread though its machine is the parent's.
  virtual int machine_threads() const noexcept { return default_threads(); }
  /// Whether this backend can run the workload (the cuda module may predate it).
  virtual bool supports(tandem::Workload) const noexcept { return true; }
  /// Whether it runs C++ callables (parallel_for): the CPU backends only.
  virtual bool runs_callables() const noexcept { return true; }
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

  /// Runs workload `w` on `args`, an Args<w> (workloads/args.hpp) that common/ has validated;
  /// results are written through the struct. Every backend runs every workload of the list.
  virtual void run(tandem::Workload w, void* args, const Exec&) = 0;
  /// fn(ctx, begin, end) over chunks of [0, n): the C++ callables of the CPU backends.
  virtual void parallel_for(std::int64_t n, ChunkFn fn, void* ctx, const Exec&) = 0;
};

/// The typed front end of BackendImpl::run.
template <tandem::Workload W>
void run_on(BackendImpl& backend, Args<W>& args, const Exec& exec) {
  backend.run(W, &args, exec);
}

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

/// As visit_dtype, for the floating-point dtypes only (the workloads that take no integers).
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
