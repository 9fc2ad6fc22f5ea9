#include "serial_backend.hpp"

#include "cpu_backends.hpp"

namespace tandem::detail {

void SerialBackend::run(tandem::Workload w, void* args, const Exec& exec) {
  switch (w) {
#define TANDEM_SERIAL_CASE_(name) \
  case tandem::Workload::name:    \
    return serial::name(*static_cast<Args<tandem::Workload::name>*>(args), exec);
    TANDEM_FOR_EACH_WORKLOAD(TANDEM_SERIAL_CASE_)
#undef TANDEM_SERIAL_CASE_
  }
  throw invalid_argument("tandem: workload " + std::to_string(static_cast<int>(w)) +
                         " is not a tandem::Workload enumerator");
}

void SerialBackend::parallel_for(std::int64_t n, ChunkFn fn, void* ctx, const Exec&) {
  if (n > 0) fn(ctx, 0, n);
}

std::unique_ptr<BackendImpl> make_serial_backend() { return std::make_unique<SerialBackend>(); }

}  // namespace tandem::detail
