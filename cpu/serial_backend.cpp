#include "serial_backend.hpp"

#include "cpu_backends.hpp"

namespace tandem::detail {

void SerialBackend::parallel_for(std::int64_t n, ChunkFn fn, void* ctx, const Exec&) {
  if (n > 0) fn(ctx, 0, n);
}

std::unique_ptr<BackendImpl> make_serial_backend() { return std::make_unique<SerialBackend>(); }

}  // namespace tandem::detail
