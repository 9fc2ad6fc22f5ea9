#pragma once
// The openmp backend: the serial backend with every workload parallelised. Static schedules,
// per-thread ranges aligned to cache lines, per-thread partial results combined once, inner
// loops from cpu_kernels (vectorised, multiversioned). Honours Exec::threads; a call on one
// thread runs on the calling thread without entering a parallel region (a fork()ed child's
// runtime cannot run one).
//
// Each workload is a function openmp::<workload>(Args&, const Exec&) in cpu/openmp_<workload>.cpp,
// declared here for the whole list; run() switches to it.
#include "serial_backend.hpp"

namespace tandem::detail {

namespace openmp {
#define TANDEM_OPENMP_WORKLOAD_(name) \
  void name(Args<tandem::Workload::name>& args, const Exec& exec);
TANDEM_FOR_EACH_WORKLOAD(TANDEM_OPENMP_WORKLOAD_)
#undef TANDEM_OPENMP_WORKLOAD_
}  // namespace openmp

class OpenmpBackend : public SerialBackend {
 public:
  Backend kind() const noexcept override { return Backend::openmp; }
  int default_threads() const noexcept override;
  int machine_threads() const noexcept override;
  std::string device() const override;
  Nesting nesting() const noexcept override;
  Team team(int requested) noexcept override;

  void run(tandem::Workload w, void* args, const Exec& exec) override;
  void parallel_for(std::int64_t n, ChunkFn fn, void* ctx, const Exec& exec) override;
};

/// Elements per partition grain: 64 bytes of the widest element, so no two threads write
/// the same cache line.
inline constexpr std::int64_t kGrain = 16;

}  // namespace tandem::detail
