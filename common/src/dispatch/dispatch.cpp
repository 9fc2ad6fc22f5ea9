#include "dispatch/dispatch.hpp"

#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <sstream>

#include "checks/validate.hpp"
#include "dispatch/registry.hpp"
#include "model/automatic.hpp"

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
      c.error = "TANDEM_BACKEND='" + printable(v) +
                "' is not a backend name (valid: serial, openmp, cuda, automatic)";
    }
    return c;
  }();
  return choice;
}

// The size class of a work or byte count: its exponent and the top 4 bits of its mantissa, so
// 16 classes per octave (values within one differ by less than 4.4%).
std::uint64_t size_class(double v) noexcept { return std::bit_cast<std::uint64_t>(v) >> 48; }

// The automatic choice, cached per thread by call shape: the workload, dtype, kind of call and
// the size classes of its work and bytes, for the model generation in use (a new profile or a
// cuda fault starts over). The cost model is evaluated once per shape, so a repeated call pays a
// hash and a compare for its choice. Within a size class the predictions move by under 4.4%,
// so a cached choice is the model's own choice up to that much of a crossover.
struct ChoiceCache {
  struct Entry {
    std::uint64_t key = 0;
    std::uint64_t sizes = 0;
    std::uint64_t generation = 0;  // 0: empty
    Backend backend = Backend::serial;
  };
  std::array<Entry, 64> entries{};
};

// The cost model (automatic.cpp) predicts each available backend's time from the machine's
// profile, or from built-in defaults before calibration, and the fastest prediction runs.
Backend pick_automatic(const Call& call) {
  if (call.problem.device) return Backend::cuda;  // the data is on the GPU: only cuda reads it
  const std::uint64_t generation = model_generation();
  const std::uint64_t key = static_cast<std::uint64_t>(call.problem.workload) << 16 |
                            static_cast<std::uint64_t>(call.problem.dtype) << 8 |
                            (call.cpu_only ? 1u : 0u);
  const std::uint64_t sizes = size_class(call.problem.work) << 16 ^ size_class(call.problem.bytes);
  thread_local ChoiceCache cache;
  ChoiceCache::Entry& e =
      cache.entries[((key * 0x9E3779B97F4A7C15ull) ^ (sizes * 0xC2B2AE3D27D4EB4Full)) >> 58];
  if (e.generation == generation && e.key == key && e.sizes == sizes) return e.backend;
  // The generation read before the model: a model published in between makes this entry miss
  // next time, never keeps an old model's choice under a new generation.
  const Backend b = choose_fast(model_state().profile, shape_of(call),
                                availability(call.problem.workload, call.cpu_only));
  e = {key, sizes, generation, b == Backend::automatic ? Backend::serial : b};
  return e.backend;
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

Resolved resolve(const Call& call, const Options& options) {
  const char* function = call.function;
  Resolved r{};
  r.source = "options.backend";
  r.requested = options.backend ? *options.backend : requested_default(function, &r.source);
  const Backend chosen = r.requested == Backend::automatic ? pick_automatic(call) : r.requested;
  if (call.problem.device && chosen != Backend::cuda) {
    throw invalid_argument(std::string(function) +
                           ": the operands are DeviceBuffers (GPU memory) but the backend is " +
                           std::string(to_string(chosen)) + " (from " + r.source +
                           "), which works on host memory; run it on cuda, or download() the "
                           "buffers and pass host spans");
  }
  const BackendSlot& slot = backend_slot(chosen);
  if (slot.impl == nullptr) throw_unavailable(function, chosen, slot.reason);
  if (call.cpu_only && !slot.impl->runs_callables()) {
    throw_unavailable(function, chosen,
                      "it cannot run a C++ callable; use a MapOp or a CPU backend");
  }
  r.impl = slot.impl;
  r.exec.device = call.problem.device;
  r.exec.threads = 1;
  // Inside the user's own parallel region every thread of their team may call tandem: a team
  // per call would oversubscribe the cores, so such a call runs on its calling thread unless
  // Options::threads asks for more (and the runtime allows nested teams at all). Otherwise the
  // backend sizes the team: what was asked, unless the runtime cannot create that many threads
  // or this is a fork()ed child (then 1 thread: see openmp_threads.hpp).
  if (chosen != Backend::serial) {
    r.nesting = slot.impl->nesting();
    if (r.nesting != Nesting::nested_disabled &&
        (r.nesting != Nesting::nested || options.threads > 0)) {
      r.team = slot.impl->team(options.threads);
      r.exec.threads = r.team.threads;
    }
  }
  return r;
}

void record(const Options& options, const Resolved& r, const Call& call,
            std::chrono::steady_clock::time_point start, double body_seconds,
            const Breakdown& timing) {
  if (options.stats == nullptr) return;
  Stats& s = *options.stats;
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const bool split = timing.allocation > 0 || timing.host_to_device > 0 || timing.compute > 0 ||
                     timing.device_to_host > 0;
  s.allocation_seconds = timing.allocation;
  s.host_to_device_seconds = timing.host_to_device;
  s.compute_seconds = split ? timing.compute : body_seconds;
  s.device_to_host_seconds = timing.device_to_host;
  s.backend = r.impl->kind();
  s.requested = r.requested;
  s.threads = r.exec.threads;
  std::ostringstream why;
  why << r.source << " = " << r.requested;
  if (r.requested == Backend::automatic) {
    const ModelState& model = model_state();
    why << ": "
        << choose(model.profile, shape_of(call), availability(call.problem.workload, call.cpu_only),
                  model.from_profile)
               .reason;
  }
  if (r.nesting == Nesting::nested_disabled) {
    why << "; inside an active OpenMP parallel region with nested parallelism disabled: "
           "1 thread";
  } else if (r.nesting == Nesting::nested) {
    why << "; inside an active OpenMP parallel region: "
        << (options.threads > 0 ? "a nested team of options.threads"
                                : "1 thread (options.threads asks for a nested team)");
  }
  const Team& team = r.team;
  if ((team.limits & kTeamForked) != 0) {
    why << "; forked child of a process that used OpenMP: runs on 1 thread";
  } else if (team.limits != 0) {
    why << "; " << r.impl->kind() << ": " << team.asked << " threads asked";
    if ((team.limits & kTeamMaxThreads) != 0) why << ", above tandem::max_threads";
    if ((team.limits & kTeamThreadLimit) != 0) why << ", above the OpenMP thread limit";
    if ((team.limits & kTeamCreated) != 0) why << ", " << team.created << " could be created";
    why << "; ran on " << team.threads;
  }
  s.reason = why.str();
}

}  // namespace tandem::detail
