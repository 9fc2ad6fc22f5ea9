#pragma once
// A machine profile: the cost model's coefficients measured on one machine, and its JSON file.
//
// Pure code (no registry, no global state), so the tests compile it directly. The JSON reader
// (nlohmann::json, locale-independent) accepts this schema only; anything else (unknown keys,
// wrong types, negative or non-finite numbers, coefficients outside the plausible bounds below,
// duplicate keys, strings that are not printable ASCII, trailing bytes) makes the file corrupt.
#include <array>
#include <cstddef>
#include <optional>
#include <string>

#include "tandem/backend.hpp"
#include "tandem/dtype.hpp"
#include "tandem/plan.hpp"

namespace tandem::detail {

inline constexpr int kModelBackends = 3;  // serial, openmp, cuda
inline constexpr int kModelWorkloads = tandem::kWorkloadCount;
inline constexpr int kModelDTypes = 0
#define TANDEM_MODEL_DTYPE_(T, name) +1
    TANDEM_FOR_EACH_DTYPE(TANDEM_MODEL_DTYPE_)
#undef TANDEM_MODEL_DTYPE_
    ;

/// Which machine a profile describes; a profile is used only on an equal key.
struct MachineKey {
  std::string cpu;     // /proc/cpuinfo model name
  int threads = 1;     // the openmp backend's default thread count
  std::string gpu;     // the cuda backend's device, or "none"
  std::string driver;  // NVIDIA driver version, or "none"

  bool operator==(const MachineKey&) const = default;
  std::string str() const;   // one line, for messages
  std::string hash() const;  // 16 hex digits, for the default file name
};

/// One calibrated size of a series: its work and the measured seconds per call.
struct Sample {
  double work = 0;
  double seconds = 0;
};
/// A series keeps at most this many samples (calibration measures 6 to 13 sizes).
inline constexpr int kMaxSamples = 16;

/// time = overhead + per_unit × work for one backend, workload and dtype: the affine fit; and,
/// when calibrated, the measured samples it was fitted to, which the cost model follows between
/// the smallest and largest of them (model/cost_model.hpp).
struct Coefficients {
  double overhead = 0;  // seconds
  double per_unit = 0;  // seconds per unit of work
  bool measured = false;
  double fit_error = 0;
  int points = 0;
  int sample_count = 0;  // samples[0, sample_count): work strictly increasing
  std::array<Sample, kMaxSamples> samples{};
  // openmp only: calls of at most this much work run on one thread of the default team's
  // backend — below it, calibration measured one thread faster than the team (the fork and
  // join cost more than they save). The samples are then the faster of the two. 0: never.
  double one_thread_up_to = 0;
  // openmp without samples (the built-in defaults): the line of one thread, which the series
  // follows up to one_thread_up_to — no fork, the team's cost per unit times its threads.
  double one_thread_overhead = 0;
  double one_thread_per_unit = 0;
};

struct Profile {
  MachineKey machine;
  std::string created;  // ISO 8601 UTC
  std::string version;  // tandem's
  bool quick = true;
  std::array<Coefficients, kModelBackends * kModelWorkloads * kModelDTypes> coef{};
  // Host<->device bandwidth in bytes/s (cuda on host data); measured or defaults.
  double h2d = 0;
  double d2h = 0;
  bool transfer_measured = false;

  Coefficients& at(Backend b, tandem::Workload w, DType d) { return coef[index(b, w, d)]; }
  const Coefficients& at(Backend b, tandem::Workload w, DType d) const {
    return coef[index(b, w, d)];
  }
  static std::size_t index(Backend b, tandem::Workload w, DType d) noexcept {
    return (static_cast<std::size_t>(b) * kModelWorkloads + static_cast<std::size_t>(w)) *
               kModelDTypes +
           static_cast<std::size_t>(d);
  }
};

/// A profile file is small; a larger one is corrupt (and is not read further).
inline constexpr std::size_t kMaxProfileBytes = std::size_t{1} << 20;

/// Plausible coefficients: anything outside is corrupt in a file and rejected by calibrate.
/// overhead in [0, 1 s]; seconds per unit of work in [1e-16 s, 1 s] (1e-16: 10^16 units per
/// second, beyond any device; 0 would make a backend free at any size); host<->device bandwidth
/// in [1e6, 1e13] bytes/s.
inline constexpr double kMaxOverhead = 1.0;
inline constexpr double kMinPerUnit = 1e-16;
inline constexpr double kMaxPerUnit = 1.0;
inline constexpr double kMinBandwidth = 1e6;
inline constexpr double kMaxBandwidth = 1e13;
bool plausible_overhead(double seconds) noexcept;
bool plausible_per_unit(double seconds) noexcept;
bool plausible_bandwidth(double bytes_per_second) noexcept;
/// A sample's seconds per call: in [1e-10 s, 100 s].
inline constexpr double kMinSampleSeconds = 1e-10;
inline constexpr double kMaxSampleSeconds = 100.0;
bool plausible_sample_seconds(double seconds) noexcept;

/// Whether a workload has this dtype at all (its traits say).
inline bool workload_has_dtype(tandem::Workload w, DType d) noexcept {
  return tandem::has_dtype(w, d);
}

/// The profile as JSON: only measured coefficients are written.
std::string to_json(const Profile& p);

/// Parses a profile's JSON onto `base` (the defaults its unmeasured entries keep).
/// Returns the error on a corrupt file; never throws.
std::optional<Profile> parse_profile(const std::string& text, const Profile& base,
                                     std::string* error);

/// The outcome of reading a profile file for `machine`.
struct LoadResult {
  std::optional<Profile> profile;  // set when used
  std::string status;              // "loaded", "not found", or why it is ignored
  bool warn = false;               // corrupt or foreign: worth a warning
};
/// Opens without blocking (a FIFO, a terminal), reads only a regular file and at most
/// kMaxProfileBytes of it; never throws.
LoadResult load_profile_file(const std::string& path, const MachineKey& machine,
                             const Profile& base);

/// Why a profile may not be written at `path`, or "" when it may: it must be a regular file or a
/// missing name whose nearest existing ancestor is a writable folder (missing folders are
/// created). Otherwise e.g. "empty path", "is a symbolic link", "is a character device",
/// "is a FIFO", "is a directory", "is not writable (...)". Follows no symbolic link at `path`.
std::string profile_path_problem(const std::string& path);

/// Writes atomically, creating the parent folders: a temporary file created exclusively
/// (mkstemp) next to the target, written, fsync'ed, then renamed over the target; removed on
/// failure. Refuses what profile_path_problem refuses. Returns the error, or an empty string.
std::string save_profile_file(const std::string& path, const Profile& p);

/// TANDEM_PROFILE if given non-empty, else <cache>/tandem/profile-<hash>.json with <cache>
/// $XDG_CACHE_HOME (absolute) or $HOME/.cache; empty when neither is usable.
std::string profile_path(const char* tandem_profile, const char* xdg_cache_home, const char* home,
                         const MachineKey& machine);

}  // namespace tandem::detail
