#include "registry.hpp"

#include <array>
#include <memory>

#include "cpu_backends.hpp"

namespace tandem::detail {

namespace {

struct Registry {
  std::unique_ptr<BackendImpl> serial = make_serial_backend();
#if TANDEM_HAS_OPENMP
  std::unique_ptr<BackendImpl> openmp = make_openmp_backend();
#endif
  std::array<BackendSlot, 3> slots{{
      {serial.get(), {}},
#if TANDEM_HAS_OPENMP
      {openmp.get(), {}},
#else
      {nullptr, "built without OpenMP"},
#endif
      // The cuda backend is a separate module; this build has none.
      {nullptr, "built without CUDA"},
  }};
};

}  // namespace

const BackendSlot& backend_slot(Backend b) {
  static const Registry registry;
  return registry.slots.at(static_cast<std::size_t>(b));
}

}  // namespace tandem::detail
