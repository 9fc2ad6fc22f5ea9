#include "dispatch/dispatch.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <sstream>

#include "checks/validate.hpp"
#include "dispatch/busy_learner.hpp"
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
//
// Each entry whose choice is openmp also learns from the calls it ran (BusyLearner): while
// other processes hold the cores, it backs off to a team of one thread — the same backend, code
// and bits (serial is the oracle: compensated sums, several times slower than one thread of
// openmp's pairwise tree). An explicit openmp call with the default team has entries of its own
// (the same shape, another key) that learn the same way.
}  // namespace

struct ChoiceEntry {
  std::uint64_t key = 0;
  std::uint64_t sizes = 0;
  std::uint64_t generation = 0;     // 0: empty
  Backend model = Backend::serial;  // the model's choice (an explicit call: its backend)
  bool one_thread = false;          // openmp: the profile measured one thread faster here
  BusyLearner learner;              // for a parallel team: whether it is worth it now
};

namespace {

struct ChoiceCache {
  std::array<ChoiceEntry, 64> entries{};
};

std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The shape's entry in this thread's cache; `team` (an explicit openmp call with the default
// team) keys the entries that learn for that backend instead of for automatic's choice.
// The cost model (automatic.cpp) predicts each available backend's time from the machine's
// profile, or from built-in defaults before calibration, and the fastest prediction runs.
ChoiceEntry& cache_entry(const Call& call, bool team) {
  const std::uint64_t generation = model_generation();
  const std::uint64_t key = static_cast<std::uint64_t>(call.problem.workload) << 16 |
                            static_cast<std::uint64_t>(call.problem.dtype) << 8 |
                            (call.cpu_only ? 1u : 0u) | (team ? 2u : 0u);
  const std::uint64_t sizes = size_class(call.problem.work) << 16 ^ size_class(call.problem.bytes);
  thread_local ChoiceCache cache;
  ChoiceEntry& e =
      cache.entries[((key * 0x9E3779B97F4A7C15ull) ^ (sizes * 0xC2B2AE3D27D4EB4Full)) >> 58];
  if (e.generation != generation || e.key != key || e.sizes != sizes) {
    // The generation read before the model: a model published in between makes this entry
    // miss next time, never keeps an old model's choice under a new generation.
    const ModelState& model = model_state();
    const Shape shape = shape_of(call);
    Backend b = Backend::openmp;
    if (!team) {
      b = choose_fast(model.profile, shape, availability(call.problem.workload, call.cpu_only));
      if (b == Backend::automatic) b = Backend::serial;
    }
    e = ChoiceEntry{};
    e.key = key;
    e.sizes = sizes;
    e.generation = generation;
    e.model = b;
    // One thread below the team's crossover: automatic's openmp choice always (its model
    // predicted the one thread), an explicit openmp call only where the profile measured it.
    if (b == Backend::openmp) {
      const Coefficients& c =
          series_of(model.profile, Backend::openmp, shape.workload, shape.dtype);
      e.one_thread = shape.work <= c.one_thread_up_to && (!team || c.measured);
    }
    // A team of one until measured: the team's time times its threads (the work divided by
    // them), or serial's prediction if less.
    const double predicted = predict(model.profile, b, shape).seconds;
    e.learner =
        BusyLearner(predicted, std::min(predicted * std::max(model.profile.machine.threads, 1),
                                        predict(model.profile, Backend::serial, shape).seconds));
  }
  return e;
}

Backend pick_automatic(const Call& call, ChoiceEntry** entry) {
  *entry = nullptr;
  if (call.problem.device) return Backend::cuda;  // the data is on the GPU: only cuda reads it
  ChoiceEntry& e = cache_entry(call, false);
  if (e.model == Backend::openmp) *entry = &e;  // only a team learns
  return e.model;
}

// Whether an explicit openmp call learns: the default team, on a workload whose bits do not
// depend on the team (the reductions' trees depend on n only; BLAS's matmul may split the work
// differently), so that backing off changes nothing but the time.
bool learns_team(const Call& call, const Options& options, const Resolved& r) {
  return r.requested == Backend::openmp && options.threads == 0 && !call.problem.device &&
         !(call.problem.workload == Workload::matmul &&
           (call.problem.dtype == DType::f32 || call.problem.dtype == DType::f64));
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
  const Backend chosen =
      r.requested == Backend::automatic ? pick_automatic(call, &r.choice) : r.requested;
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
  // A team of several threads learns whether it is worth it now (BusyLearner); while the
  // cores are busy it backs off to one thread of the same backend: the same code and bits.
  // Below the work from which the calibrated profile measured the team faster than one thread
  // (the fork and join cost more than they save), the call runs on one thread.
  if (chosen == Backend::openmp && r.exec.threads > 1 &&
      (r.choice != nullptr || learns_team(call, options, r))) {
    if (r.choice == nullptr) r.choice = &cache_entry(call, true);
    if (r.choice->one_thread) {
      r.one_thread = true;
      r.choice = nullptr;
      r.exec.threads = 1;
      r.team.threads = 1;
    } else if (r.choice->learner.backing_off(now_ns())) {
      r.fallback = true;
      r.exec.threads = 1;
      r.team.threads = 1;
    }
  } else {
    r.choice = nullptr;
  }
  return r;
}

void observe_learned(const Resolved& r, double seconds) noexcept {
  if (r.choice == nullptr) return;
  if (r.fallback) {
    r.choice->learner.observe_fallback(seconds);
  } else {
    r.choice->learner.observe_parallel(seconds, now_ns());
  }
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
  if (r.one_thread) {
    const ModelState& model = model_state();
    why << "; 1 thread: one thread is faster than the team up to "
        << series_of(model.profile, Backend::openmp, call.problem.workload, call.problem.dtype)
               .one_thread_up_to
        << " units of work ("
        << (model.from_profile ? "as the calibrated profile measured" : "built-in defaults") << ")";
  }
  if (r.fallback) {
    const BusyLearner& l = r.choice->learner;
    why << "; backing off to 1 thread: the team's recent calls averaged "
        << format_seconds(l.average()) << " (its fastest " << format_seconds(l.best())
        << ", predicted " << format_seconds(l.predicted()) << "), over 1.5 times 1 thread's ("
        << format_seconds(l.fallback()) << "): the cores are busy; the team is tried again within "
        << format_seconds(static_cast<double>(std::max<std::int64_t>(l.until_ns() - now_ns(), 0)) *
                          1e-9);
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
