#pragma once
// The process's cost model: the profile loaded lazily and once (or replaced by use_profile or
// calibrate), this machine's key, and what each backend can run. dispatch asks it for the
// automatic choice; plan.cpp exposes it.
#include <cstdint>
#include <memory>
#include <string>

#include "dispatch/dispatch.hpp"
#include "model/cost_model.hpp"

namespace tandem::detail {

struct ModelState {
  Profile profile;
  bool from_profile = false;  // else the built-in defaults
  std::string path;           // where the profile was looked for
  std::string status;         // "loaded", "not found", "ignored: ..."
};

/// The model in use; the first call loads TANDEM_PROFILE or the default path (warning once on
/// stderr if that file is corrupt or foreign). Thread-safe; after the first call, one atomic load
/// while the model is not replaced. The reference stays valid until this thread calls
/// model_state() again (each thread holds the state it last read; replaced states are freed
/// when no thread holds them).
const ModelState& model_state();

/// Makes `path` (empty: none) the profile of this process; returns the state now in use.
std::shared_ptr<const ModelState> install_model(const std::string& path);

/// Uses an already measured profile (calibrate) saved at `path`.
std::shared_ptr<const ModelState> install_model(const Profile& p, const std::string& path);

/// Changes whenever the model in use or the backends' availability change (a new profile, a
/// cuda fault); never 0. Lets callers cache decisions made from the model.
std::uint64_t model_generation() noexcept;

/// CPU model, OpenMP threads, GPU and driver of this machine.
const MachineKey& this_machine();

/// Which backends can run a call here (cached; `cpu_only` for C++ callables).
const Availability& availability(tandem::Workload workload, bool cpu_only);

/// The model's view of a call.
Shape shape_of(const Call& call);

}  // namespace tandem::detail
