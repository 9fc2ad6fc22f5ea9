#pragma once
// The serial backend: plain loops, simple enough to be obviously right. It is the oracle every
// other backend is tested against, so it shares only element semantics (arith.hpp, map_ops.hpp)
// with them, never their loop structure.
//
// Each workload is a function serial::<workload>(Args&, const Exec&) in cpu/serial_<workload>.cpp,
// declared here for the whole list; run() switches to it.
#include "dispatch/backend_impl.hpp"

namespace tandem::detail {

namespace serial {
#define TANDEM_SERIAL_WORKLOAD_(name) \
  void name(Args<tandem::Workload::name>& args, const Exec& exec);
TANDEM_FOR_EACH_WORKLOAD(TANDEM_SERIAL_WORKLOAD_)
#undef TANDEM_SERIAL_WORKLOAD_
}  // namespace serial

class SerialBackend : public BackendImpl {
 public:
  Backend kind() const noexcept override { return Backend::serial; }
  int default_threads() const noexcept override { return 1; }
  std::string device() const override { return "CPU, 1 thread (reference loops)"; }

  void run(tandem::Workload w, void* args, const Exec& exec) override;
  void parallel_for(std::int64_t n, ChunkFn fn, void* ctx, const Exec& exec) override;
};

}  // namespace tandem::detail
