#pragma once
/// Backends and how one is chosen at run time.
///
/// Precedence for each call: Options::backend > set_default_backend() > the TANDEM_BACKEND
/// environment variable (read once per process, at the first call that needs it) > automatic.
/// Asking for an unavailable backend is an error with the reason; automatic never picks one.
///
/// **Example**:
///   tandem::set_default_backend(tandem::parse_backend("openmp"));
///   for (auto b : tandem::available_backends()) std::cout << tandem::backend_info(b).reason;
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tandem/export.hpp"

namespace tandem {

/// Where a call runs. `automatic` picks among the available ones by problem size.
enum class Backend { serial, openmp, cuda, automatic };

/// "serial", "openmp", "cuda", "automatic".
TANDEM_EXPORT std::string_view to_string(Backend backend) noexcept;
TANDEM_EXPORT std::ostream& operator<<(std::ostream& os, Backend backend);

/// Parses a backend name, ignoring case and surrounding blanks.
/// Throws tandem::invalid_argument listing the valid names for anything else.
TANDEM_EXPORT Backend parse_backend(std::string_view name);

/// What a backend is, and whether it can run here.
struct BackendInfo {
  Backend backend = Backend::serial;
  std::string name;  ///< to_string(backend)
  bool available = false;
  std::string reason;  ///< why not, when unavailable (e.g. "built without CUDA"); else empty
  int threads = 0;     ///< threads a call uses by default (1 for serial, 0 if unavailable)
  std::string device;  ///< what it runs on, e.g. "CPU, 2 OpenMP threads, BLAS: OpenBLAS 0.3.21"
};

/// The concrete backends that can run here (never `automatic`), serial first.
TANDEM_EXPORT std::vector<Backend> available_backends();

/// Availability, reason and resources of one backend. For `automatic`: what it picks from.
/// Throws tandem::invalid_argument for a value that is no Backend enumerator.
TANDEM_EXPORT BackendInfo backend_info(Backend backend);

/// Sets the process-wide default used by calls whose options name no backend.
/// Thread-safe. Throws tandem::backend_unavailable if `backend` cannot run here, and
/// tandem::invalid_argument for a value that is no Backend enumerator.
TANDEM_EXPORT void set_default_backend(Backend backend);

/// Forgets set_default_backend(): calls fall back to TANDEM_BACKEND, then automatic.
TANDEM_EXPORT void reset_default_backend() noexcept;

/// The backend a call without Options::backend asks for now (before automatic resolves):
/// the set default, else TANDEM_BACKEND, else automatic.
/// Throws tandem::invalid_argument if it comes from a TANDEM_BACKEND that is no backend name.
TANDEM_EXPORT Backend default_backend();

}  // namespace tandem
