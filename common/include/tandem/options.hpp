#pragma once
/// Per-call options and the statistics a call can report.
///
/// **Example**:
///   tandem::Stats stats;
///   tandem::Options options{.backend = tandem::Backend::openmp, .threads = 2, .stats = &stats};
///   /* any workload call, with options as its last argument */
///   std::cout << stats.backend << " took " << stats.seconds << " s\n";
#include <optional>
#include <string>

#include "tandem/backend.hpp"

namespace tandem {

/// What one call reports when Options::stats points here. Written only when the call succeeds.
struct Stats {
  Backend backend = Backend::automatic;    ///< the backend that ran
  Backend requested = Backend::automatic;  ///< what was asked before automatic resolved
  int threads = 0;                         ///< threads it ran on (1 for serial)
  double seconds = 0.0;                    ///< wall time of the whole call, validation included
  /// Where the time went. The cuda backend measures each part with CUDA events; the CPU
  /// backends report their whole run as compute_seconds and the rest as zero.
  double allocation_seconds = 0.0;      ///< device memory and staging buffers (cuda)
  double host_to_device_seconds = 0.0;  ///< copying inputs to the GPU (cuda, host data)
  double compute_seconds = 0.0;         ///< the computation itself
  double device_to_host_seconds = 0.0;  ///< copying results back (cuda, host data)
  std::string reason;                   ///< where the choice came from and, for automatic, why
  /// The result was compared with the serial oracle's and agreed within the workload's bound
  /// (Options::verify or TANDEM_VERIFY=1). False when verification was off, when the backend was
  /// serial itself, and for a C++ callable (never verified); reason says which.
  bool verified = false;
};

/// The largest Options::threads a call accepts. More is an error rather than a team the OpenMP
/// runtime cannot create (which would abort the process).
inline constexpr int max_threads = 4096;

/// Per-call options. All members are optional.
struct Options {
  /// Backend for this call; unset means the process default (see backend.hpp).
  std::optional<Backend> backend{};
  /// OpenMP threads for this call; 0 means OpenMP's default (one thread when the call is made
  /// inside an active OpenMP parallel region). From 0 to max_threads.
  int threads = 0;
  /// Receives which backend ran, why, and the wall time. May be null.
  Stats* stats = nullptr;
  /// Also run the call on `serial` and compare the results within the workload's documented
  /// bound (README "Verification"); a difference throws
  /// tandem::verification_error and leaves the outputs untouched. Costs a serial run and a
  /// scratch copy of the output. On when this is true or the environment variable
  /// TANDEM_VERIFY is 1 (read once per process). C++ callables are never verified.
  bool verify = false;
};

}  // namespace tandem
