#pragma once
// Dispatch: the only place that chooses a backend. Resolves per-call option >
// set_default_backend() > TANDEM_BACKEND > automatic, runs the call (verified against serial
// when asked), times it, fills Stats and turns allocation failure into tandem::out_of_memory.
#include <chrono>
#include <cstddef>
#include <new>
#include <string>
#include <type_traits>

#include "checks/verify.hpp"
#include "dispatch/backend_impl.hpp"
#include "tandem/options.hpp"
#include "tandem/views.hpp"
#include "tandem/workload.hpp"

namespace tandem::detail {

/// What dispatch knows of a call: enough to choose a backend and to explain the choice.
struct Call {
  const char* function;     // the entry point ("tandem::<workload>"), for messages
  tandem::Problem problem;  // workload, dtype, work, bytes; device: operands are DeviceBuffers
  bool cpu_only = false;    // a C++ callable: only CPU backends run it
};

/// `p` with its operands in GPU memory (only cuda can run it).
inline tandem::Problem on_device(tandem::Problem p) {
  p.device = true;
  return p;
}

struct ChoiceEntry;  // automatic's cached choice for the call's shape (dispatch.cpp)

struct Resolved {
  BackendImpl* impl;
  Backend requested;
  const char* source;  // "options.backend", "set_default_backend", "TANDEM_BACKEND", "default"
  Exec exec;
  Nesting nesting = Nesting::none;  // called from inside the user's own parallel region
  Team team{};                      // the threads asked and why fewer run (Stats::reason)
  ChoiceEntry* choice = nullptr;    // the shape's cache entry, which learns the time (automatic,
                                    // or an explicit openmp call with the default team)
  bool fallback = false;            // the entry is backing off: a team of 1 thread
  bool one_thread = false;          // below the profile's one_thread_up_to: 1 thread
};

/// The backend a call without options.backend asks for; `source` says where it came from.
Backend requested_default(const char* function, const char** source);
void set_default(Backend b);
void reset_default() noexcept;

Resolved resolve(const Call& call, const Options& options);

/// Tells the shape's cache entry what the call took (nothing for calls that do not learn).
void observe_learned(const Resolved& r, double seconds) noexcept;

/// Writes stats (when asked) for a finished call. `body_seconds` is the backend's own time;
/// a backend that filled no breakdown (the CPU ones) reports it all as compute.
void record(const Options& options, const Resolved& r, const Call& call,
            std::chrono::steady_clock::time_point start, double body_seconds,
            const Breakdown& timing);

/// Runs a call: resolves the backend, runs body(impl, exec), records Stats. With verification
/// on (Options::verify, TANDEM_VERIFY=1) and a backend other than serial, runs
/// verified(impl, exec, verification) instead, which compares with serial before writing the
/// outputs (verify.hpp); a call that cannot be verified (a C++ callable) passes no `verified`.
template <class Body, class Verified = std::nullptr_t>
auto run(const Call& call, const Options& options, std::chrono::steady_clock::time_point start,
         Body&& body, Verified&& verified = nullptr) {
  constexpr bool possible = !std::is_null_pointer_v<std::remove_cvref_t<Verified>>;
  const bool verify = verification_requested(call.function, options);
  Resolved r = resolve(call, options);
  Breakdown timing{};
  if (options.stats != nullptr) r.exec.timing = &timing;
  const bool compare = possible && verify && r.impl->kind() != Backend::serial;
  Verification check;
  try {
    const auto body_start = std::chrono::steady_clock::now();
    const auto finish = [&] {
      const double body_seconds =
          compare ? check.backend_seconds
                  : std::chrono::duration<double>(std::chrono::steady_clock::now() - body_start)
                        .count();
      observe_learned(r, body_seconds);
      record(options, r, call, start, body_seconds, timing);
      if (options.stats != nullptr) {
        options.stats->verified = false;  // record() leaves it; a reused Stats must not keep it
        if (verify) note_verification(*options.stats, r.impl->kind(), possible, check);
      }
    };
    const auto go = [&] {
      if constexpr (possible) {
        if (compare) return verified(*r.impl, r.exec, check);
      }
      return body(*r.impl, r.exec);
    };
    if constexpr (std::is_void_v<decltype(body(*r.impl, r.exec))>) {
      go();
      finish();
    } else {
      auto result = go();
      finish();
      return result;
    }
  } catch (const std::bad_alloc&) {
    throw out_of_memory(std::string(call.function) + ": out of host memory on the " +
                        std::string(to_string(r.impl->kind())) + " backend" +
                        (compare ? " (verifying against serial)" : ""));
  }
}

/// A new rows x cols Matrix for an allocating overload; allocation failure is out_of_memory.
template <class T>
Matrix<T> allocate_matrix(const char* function, std::int64_t rows, std::int64_t cols) {
  try {
    return Matrix<T>(rows, cols);
  } catch (const out_of_memory&) {  // Matrix's own, which names tandem::Matrix
    throw out_of_memory(std::string(function) + ": cannot allocate the " + std::to_string(rows) +
                        "x" + std::to_string(cols) + " result");
  } catch (const std::bad_alloc&) {
    throw out_of_memory(std::string(function) + ": cannot allocate the " + std::to_string(rows) +
                        "x" + std::to_string(cols) + " result");
  }
}

}  // namespace tandem::detail
