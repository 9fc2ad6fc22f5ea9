#include "dispatch.hpp"

#include <atomic>
#include <cstdlib>
#include <optional>
#include <sstream>

#include "registry.hpp"

namespace tandem::detail {

namespace {

constexpr int kNoDefault = -1;
std::atomic<int> g_default{kNoDefault};

// TANDEM_BACKEND, read once per process at the first call that needs it. An empty value counts
// as unset; anything else must be a backend name.
struct EnvChoice {
  std::optional<Backend> backend;
  std::string error;  // set when the value is no backend name
};

const EnvChoice& env_choice() {
  static const EnvChoice choice = [] {
    EnvChoice c;
    const char* v = std::getenv("TANDEM_BACKEND");
    if (v == nullptr || *v == '\0') return c;
    try {
      c.backend = parse_backend(v);
    } catch (const invalid_argument&) {
      c.error = std::string("TANDEM_BACKEND='") + v +
                "' is not a backend name (valid: serial, openmp, cuda, automatic)";
    }
    return c;
  }();
  return choice;
}

// Problem sizes below which automatic stays serial, because starting a parallel region costs
// more than it saves. Measured crossovers of the openmp backend (whose loops are vectorised even
// on one thread) over serial on a 2-core machine; a calibrated cost model replaces them.
double serial_threshold(Workload w) noexcept {
  switch (w) {
    case Workload::map:
    case Workload::callable_map:
      return 1 << 11;  // elements
    case Workload::mse:
      return 1 << 11;  // elements
    case Workload::matmul:
      return 24.0 * 24.0 * 24.0;  // m*n*k
    case Workload::polynomial_grid:
      return 1 << 13;  // sets * x * coefficients
  }
  return 0;
}

const char* workload_name(Workload w) noexcept {
  switch (w) {
    case Workload::map:
    case Workload::callable_map:
      return "map";
    case Workload::matmul:
      return "matmul";
    case Workload::polynomial_grid:
      return "polynomial_grid";
    case Workload::mse:
      return "mse";
  }
  return "?";
}

Backend pick_automatic(Workload w, double work) {
  const BackendSlot& omp = backend_slot(Backend::openmp);
  if (omp.impl != nullptr && omp.impl->supports(w) && work >= serial_threshold(w)) {
    return Backend::openmp;
  }
  return Backend::serial;
}

}  // namespace

Backend requested_default(const char* function, const char** source) {
  const int d = g_default.load(std::memory_order_acquire);
  if (d != kNoDefault) {
    *source = "set_default_backend";
    return static_cast<Backend>(d);
  }
  const EnvChoice& env = env_choice();
  if (!env.error.empty()) throw invalid_argument(std::string(function) + ": " + env.error);
  if (env.backend) {
    *source = "TANDEM_BACKEND";
    return *env.backend;
  }
  *source = "default";
  return Backend::automatic;
}

void set_default(Backend b) { g_default.store(static_cast<int>(b), std::memory_order_release); }
void reset_default() noexcept { g_default.store(kNoDefault, std::memory_order_release); }

[[noreturn]] void throw_unavailable(const char* function, Backend b, const std::string& why) {
  throw backend_unavailable(std::string(function) + ": backend " + std::string(to_string(b)) +
                            " is not available: " + why);
}

Resolved resolve(const char* function, Workload workload, double work, const Options& options) {
  Resolved r{};
  r.source = "options.backend";
  r.requested = options.backend ? *options.backend : requested_default(function, &r.source);
  const Backend chosen =
      r.requested == Backend::automatic ? pick_automatic(workload, work) : r.requested;
  const BackendSlot& slot = backend_slot(chosen);
  if (slot.impl == nullptr) throw_unavailable(function, chosen, slot.reason);
  if (!slot.impl->supports(workload)) {
    throw_unavailable(function, chosen,
                      "it cannot run a C++ callable; use a MapOp or a CPU backend");
  }
  r.impl = slot.impl;
  r.exec.threads = chosen == Backend::serial ? 1
                   : options.threads > 0     ? options.threads
                                             : slot.impl->default_threads();
  return r;
}

void record(const Options& options, const Resolved& r, Workload workload, double work,
            std::chrono::steady_clock::time_point start) {
  if (options.stats == nullptr) return;
  Stats& s = *options.stats;
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  s.backend = r.impl->kind();
  s.requested = r.requested;
  s.threads = r.exec.threads;
  std::ostringstream why;
  why << r.source << " = " << r.requested;
  if (r.requested == Backend::automatic) {
    const BackendImpl* omp = backend_slot(Backend::openmp).impl;
    why << ": " << workload_name(workload) << " size " << work;
    if (s.backend != Backend::serial) {
      why << " >= serial threshold " << serial_threshold(workload);
    } else if (omp == nullptr) {
      why << ", openmp unavailable";
    } else {
      why << " < serial threshold " << serial_threshold(workload);
    }
  }
  s.reason = why.str();
}

}  // namespace tandem::detail
