#pragma once
// The openmp backend: the serial backend with every workload parallelised. Static schedules,
// per-thread ranges aligned to cache lines, per-thread partial results combined once, inner
// loops from cpu_kernels (vectorised, multiversioned). Honours Exec::threads; a call on one
// thread runs on the calling thread without entering a parallel region (a fork()ed child's
// runtime cannot run one).
#include "serial_backend.hpp"

namespace tandem::detail {

class OpenmpBackend : public SerialBackend {
 public:
  Backend kind() const noexcept override { return Backend::openmp; }
  int default_threads() const noexcept override;
  std::string device() const override;
  Nesting nesting() const noexcept override;
  Team team(int requested) noexcept override;

  void map(const MapArgs& args, const Exec& exec) override;
  void parallel_for(std::int64_t n, ChunkFn fn, void* ctx, const Exec& exec) override;
  void matmul(const MatmulArgs& args, const Exec& exec) override;
  void polynomial_grid(const PolynomialGridArgs& args, const Exec& exec) override;
  double mse(const MseArgs& args, const Exec& exec) override;
  void map_reduce(MapReduceArgs& args, const Exec& exec) override {
    openmp::map_reduce(args, exec);
  }
};

/// Elements per partition grain: 64 bytes of the widest element, so no two threads write
/// the same cache line.
inline constexpr std::int64_t kGrain = 16;

}  // namespace tandem::detail
