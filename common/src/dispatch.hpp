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

struct Resolved {
  BackendImpl* impl;
  Backend requested;
  const char* source;  // "options.backend", "set_default_backend", "TANDEM_BACKEND", "default"
  Exec exec;
};

/// The backend a call without options.backend asks for; `source` says where it came from.
Backend requested_default(const char* function, const char** source);
void set_default(Backend b);
void reset_default() noexcept;

/// `work` is the workload's size in its natural unit (elements, or m*n*k for matmul).
Resolved resolve(const char* function, Workload workload, double work, const Options& options);

/// Writes stats (when asked) for a finished call.
void record(const Options& options, const Resolved& r, Workload workload, double work,
            std::chrono::steady_clock::time_point start);

template <class Body>
auto run(const char* function, Workload workload, double work, const Options& options,
         std::chrono::steady_clock::time_point start, Body&& body) {
  const Resolved r = resolve(function, workload, work, options);
  try {
    if constexpr (std::is_void_v<decltype(body(*r.impl, r.exec))>) {
      body(*r.impl, r.exec);
      record(options, r, workload, work, start);
    } else {
      auto result = body(*r.impl, r.exec);
      record(options, r, workload, work, start);
      return result;
    }
  } catch (const std::bad_alloc&) {
    throw out_of_memory(std::string(function) + ": out of host memory on the " +
                        std::string(to_string(r.impl->kind())) + " backend");
  }
}

/// A new rows x cols Matrix for an allocating overload; allocation failure is out_of_memory.
template <class T>
Matrix<T> allocate_matrix(const char* function, std::int64_t rows, std::int64_t cols) {
  try {
    return Matrix<T>(rows, cols);
  } catch (const std::bad_alloc&) {
    throw out_of_memory(std::string(function) + ": cannot allocate the " + std::to_string(rows) +
                        "x" + std::to_string(cols) + " result");
  }
}

}  // namespace tandem::detail
