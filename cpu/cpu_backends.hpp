#pragma once
// Factories of the CPU backends, for the registry.
#include <memory>

#include "dispatch/backend_impl.hpp"

namespace tandem::detail {

std::unique_ptr<BackendImpl> make_serial_backend();
#if TANDEM_HAS_OPENMP
std::unique_ptr<BackendImpl> make_openmp_backend();
#endif

}  // namespace tandem::detail
