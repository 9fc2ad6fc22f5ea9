#pragma once
// The cost model behind `automatic`: predicted time = the backend's series at the call's work
// (its calibrated samples, else overhead + seconds per unit × work), plus,
// for cuda on host data, the bytes moved over the host<->device bandwidth. Pure functions of a
// Profile (no registry, no global state), so the tests drive them with synthetic profiles.
#include <array>
#include <string>

#include "model/profile.hpp"
#include "tandem/plan.hpp"

namespace tandem::detail {

/// A call as the model sees it: its Problem, and `cpu_only` for a C++ callable, which only CPU
/// backends run.
struct Shape : tandem::Problem {
  bool cpu_only = false;
};

/// Which of serial, openmp, cuda can run the call here, and why not.
struct Availability {
  std::array<bool, kModelBackends> can{};
  std::array<std::string, kModelBackends> why_not{};
};

/// The built-in coefficients (each workload's traits): measured on a 2-core x86-64 machine for
/// the CPU backends (the openmp per-unit cost scaled to `threads`), and a data-centre GPU's order
/// of magnitude for cuda. Every entry has measured == false.
Profile builtin_profile(const MachineKey& machine);

/// The coefficients a call of `w` in `d` is predicted with (a workload without that dtype, such
/// as a C++ callable's, uses its f64 series).
const Coefficients& series_of(const Profile& p, Backend b, tandem::Workload w, DType d);

/// Whether `work` falls on openmp's one-thread line (the built-in defaults below the team's
/// crossover; a calibrated series has samples instead).
inline bool on_one_thread_line(const Coefficients& c, double work) noexcept {
  return c.sample_count == 0 && c.one_thread_per_unit > 0 && work <= c.one_thread_up_to;
}

/// A series' seconds per call at `work`. Calibrated series follow their measured samples:
/// between two, interpolated linearly in log(work) and log(seconds); beyond the smallest or the
/// largest, the affine fit scaled to pass through that sample. A series without samples (the
/// built-in defaults, a profile without them) is the affine fit: overhead + per_unit × work.
/// One line per backend cannot follow a backend whose cost changes regime with size (openmp on
/// its calling thread below one block, a working set leaving the cache); the samples do.
double series_seconds(const Coefficients& c, double work);

/// The prediction of one backend (its availability fields left for the caller).
Prediction predict(const Profile& p, Backend b, const Shape& s);

/// The predictions of serial, openmp and cuda, the choice, and why.
/// Operands in GPU memory go to cuda whatever the predictions (only cuda reads them); else the
/// fastest available prediction wins (ties: the earlier of serial, openmp, cuda).
/// Returns choice == Backend::automatic when nothing available can run it.
struct Choice {
  Backend choice = Backend::automatic;
  std::array<Prediction, kModelBackends> predictions{};
  std::string reason;  // "<workload> f64 work 4096: openmp 2.1 us < serial 7.0 us (built-in ...)"
};
Choice choose(const Profile& p, const Shape& s, const Availability& a, bool from_profile);

/// The cheapest choice, without predictions or reason: the dispatch hot path.
Backend choose_fast(const Profile& p, const Shape& s, const Availability& a);

/// The share of a call's bytes that a cuda call on host data copies to the device (the rest
/// comes back).
double input_fraction(tandem::Workload w);

/// "1.23 us", "4.5 ms"...
std::string format_seconds(double s);

}  // namespace tandem::detail
