#pragma once
/// How `automatic` chooses a backend: a cost model, its machine profile, and calibration.
///
/// For each backend, workload and dtype the model predicts
///   time = overhead + seconds per unit of work × work (+ for cuda on host data: the bytes
///   copied over the host↔device bandwidth),
/// where work is the workload's unit (Problem::work: elements, multiply-adds...). `automatic` runs
/// the available backend with the smallest prediction; operands already in GPU memory can only go
/// to cuda. The coefficients come from built-in defaults or from a profile that calibrate()
/// measured on this machine.
///
/// **Example**:
///   tandem::Plan p = tandem::plan(tandem::problem_of(workload, tandem::DType::f64, {.n = 1 <<
///   20})); std::cout << p.choice << ": " << p.reason << "\n";
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tandem/backend.hpp"
#include "tandem/dtype.hpp"
#include "tandem/export.hpp"
#include "tandem/workload.hpp"

namespace tandem {

/// The predicted time of one backend, and its parts.
struct Prediction {
  Backend backend = Backend::serial;
  bool available = false;  ///< can run this problem here (else `why_not` says why)
  std::string why_not;
  double seconds = 0;           ///< overhead + compute + transfer
  double overhead_seconds = 0;  ///< fixed cost per call
  double compute_seconds = 0;   ///< seconds per unit × work
  double transfer_seconds = 0;  ///< cuda on host data: bytes over the measured bandwidth
  bool calibrated = false;      ///< coefficients from the profile (else built-in defaults)
};

/// What `automatic` would do with a problem, and why.
struct Plan {
  Backend choice = Backend::serial;
  std::vector<Prediction> predictions;  ///< serial, openmp, cuda, available or not
  std::string reason;                   ///< one line, as Stats::reason gives it
};

/// The predictions for every backend and the choice `automatic` makes for `problem`.
/// Throws tandem::invalid_argument for a workload or dtype that is no enumerator, or a dtype the
/// workload lacks; tandem::backend_unavailable when no available backend can run it (device
/// operands without cuda). The Problem factories throw tandem::invalid_argument for a dtype that
/// is no enumerator.
TANDEM_EXPORT Plan plan(const Problem& problem);

/// The profile `automatic` uses in this process.
struct ProfileInfo {
  std::string path;     ///< where it was looked for (empty: built-in defaults by request)
  bool loaded = false;  ///< a profile is in use; else the built-in defaults
  std::string status;   ///< "loaded", "not found", or why it was ignored
  std::string machine;  ///< this machine's key: CPU model, threads, GPU, driver
  std::string created;  ///< when the profile in use was measured (empty for defaults)
};

/// The profile in use, loading it first if no call has yet. Loaded once per process, lazily:
/// TANDEM_PROFILE if set, else $XDG_CACHE_HOME/tandem/ (or ~/.cache/tandem/) under a name
/// derived from the machine key. A corrupt profile, or one measured on another machine, is
/// ignored with one warning on stderr, and `automatic` uses the built-in defaults.
TANDEM_EXPORT ProfileInfo profile_info();

/// Replaces the profile of this process by the one at `path` (empty: the built-in defaults).
/// Thread-safe; prints nothing: the returned status says whether it was used.
TANDEM_EXPORT ProfileInfo use_profile(const std::string& path);

/// The file calibrate() writes and the lazy load reads when TANDEM_PROFILE is unset.
TANDEM_EXPORT std::string default_profile_path();

/// Checks, without writing anything, that calibrate() may save a profile at `path`: a regular
/// file (replaced), or a missing name whose nearest existing folder is writable (missing folders
/// are created). Throws tandem::invalid_argument naming the path and what is wrong: an empty
/// path, a symbolic link, a directory, a character or block device, a FIFO, a socket, a path
/// that is not writable. calibrate() runs the same check before measuring; call this to check a
/// user's path (e.g. a command-line option) even earlier.
TANDEM_EXPORT void check_profile_path(const std::string& path);

/// How to calibrate.
struct CalibrationOptions {
  bool quick = true;  ///< fewer sizes and repetitions (under a minute on 2 cores)
  /// Where to save; empty: TANDEM_PROFILE if set, else default_profile_path(). The path must pass
  /// check_profile_path() (calibrate checks it before measuring).
  std::string path;
  /// Called with one line per measured series, for progress. May be empty.
  std::function<void(const std::string&)> progress;
};

/// One fitted series of a calibration.
struct CalibrationEntry {
  Backend backend = Backend::serial;
  Workload workload{};
  DType dtype = DType::f64;
  double overhead_seconds = 0;
  double seconds_per_unit = 0;
  double fit_error = 0;   ///< rms relative error of the fit over the points kept
  int points = 0;         ///< sizes measured
  int rejected = 0;       ///< outlying sizes left out of the fit
  bool accepted = false;  ///< kept (plausible coefficients); else the default stays
};

/// What calibrate() measured and where it saved it.
struct CalibrationResult {
  std::string path;
  std::string machine;
  double seconds = 0;  ///< how long it took
  std::vector<CalibrationEntry> entries;
  double host_to_device_bytes_per_second = 0;  ///< 0 when cuda was not measured
  double device_to_host_bytes_per_second = 0;
};

/// Measures every available backend on every workload and dtype (warm-up, batches, medians,
/// outlier rejection, a fit check), saves the profile and makes this process use it.
/// Before measuring, throws tandem::invalid_argument if there is nowhere to save or the path
/// fails check_profile_path(). The save is atomic (an exclusively created temporary file, then a
/// rename); if it still fails after measuring (disk full, permissions changed), throws
/// tandem::device_error (errc::device_error: a system call failed) and the previous file stays.
TANDEM_EXPORT CalibrationResult calibrate(const CalibrationOptions& options = {});

}  // namespace tandem
