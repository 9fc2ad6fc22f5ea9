#pragma once
// Dispatch: the only place that chooses a backend. Resolves per-call option >
// set_default_backend() > TANDEM_BACKEND > automatic, runs the call, times it, fills Stats and
// turns allocation failure into tandem::out_of_memory.
#include <chrono>
#include <new>
#include <string>
#include <type_traits>

#include "backend_impl.hpp"
#include "tandem/options.hpp"
#include "tandem/views.hpp"

namespace tandem::detail {

/// What dispatch knows of a call: enough to choose a backend and to explain the choice.
struct Call {
  const char* function;  // "tandem::mse", for messages
  Workload workload;
  DType dtype;
  double work;          // the workload's size in its natural unit (elements, or m*n*k)
  double bytes;         // operand bytes read plus written: what a cuda call on host data moves
  bool device = false;  // operands are DeviceBuffers (GPU memory); only cuda can run it
};

struct Resolved {
  BackendImpl* impl;
  Backend requested;
  const char* source;  // "options.backend", "set_default_backend", "TANDEM_BACKEND", "default"
  Exec exec;
  Nesting nesting = Nesting::none;  // called from inside the user's own parallel region
  Team team{};                      // the threads asked and why fewer run (Stats::reason)
};

/// The backend a call without options.backend asks for; `source` says where it came from.
Backend requested_default(const char* function, const char** source);
void set_default(Backend b);
void reset_default() noexcept;

Resolved resolve(const Call& call, const Options& options);

/// Writes stats (when asked) for a finished call. `body_seconds` is the backend's own time;
/// a backend that filled no breakdown (the CPU ones) reports it all as compute.
void record(const Options& options, const Resolved& r, const Call& call,
            std::chrono::steady_clock::time_point start, double body_seconds,
            const Breakdown& timing);

template <class Body>
auto run(const Call& call, const Options& options, std::chrono::steady_clock::time_point start,
         Body&& body) {
  Resolved r = resolve(call, options);
  Breakdown timing{};
  if (options.stats != nullptr) r.exec.timing = &timing;
  try {
    const auto body_start = std::chrono::steady_clock::now();
    const auto seconds = [&] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - body_start).count();
    };
    if constexpr (std::is_void_v<decltype(body(*r.impl, r.exec))>) {
      body(*r.impl, r.exec);
      record(options, r, call, start, seconds(), timing);
    } else {
      auto result = body(*r.impl, r.exec);
      record(options, r, call, start, seconds(), timing);
      return result;
    }
  } catch (const std::bad_alloc&) {
    throw out_of_memory(std::string(call.function) + ": out of host memory on the " +
                        std::string(to_string(r.impl->kind())) + " backend");
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
