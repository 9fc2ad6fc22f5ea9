#pragma once
// The serial backend: plain loops, simple enough to be obviously right. It is the oracle every
// other backend is tested against, so it shares only element semantics (arith.hpp, map_ops.hpp)
// with them, never their loop structure.
#include "dispatch/backend_impl.hpp"

namespace tandem::detail {

class SerialBackend : public BackendImpl {
 public:
  Backend kind() const noexcept override { return Backend::serial; }
  int default_threads() const noexcept override { return 1; }
  std::string device() const override { return "CPU, 1 thread (reference loops)"; }

  void map(const MapArgs& args, const Exec& exec) override;
  void parallel_for(std::int64_t n, ChunkFn fn, void* ctx, const Exec& exec) override;
  void matmul(const MatmulArgs& args, const Exec& exec) override;
  void polynomial_grid(const PolynomialGridArgs& args, const Exec& exec) override;
  double mse(const MseArgs& args, const Exec& exec) override;
  void map_reduce(MapReduceArgs& args, const Exec& exec) override {
    serial::map_reduce(args, exec);
  }
};

}  // namespace tandem::detail
