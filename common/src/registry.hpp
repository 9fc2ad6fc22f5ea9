#pragma once
// The registry: the one place that knows which backends were built.
#include <string>

#include "backend_impl.hpp"

namespace tandem::detail {

struct BackendSlot {
  BackendImpl* impl = nullptr;  // null when unavailable
  std::string reason;           // why unavailable
};

/// The slot of a concrete backend (not automatic). Initialised once, thread-safely.
const BackendSlot& backend_slot(Backend b);

}  // namespace tandem::detail
