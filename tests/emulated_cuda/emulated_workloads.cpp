// The workloads of the emulated cuda module: the real module's flow (gpu/workloads.hpp) and its
// Thrust algorithms and functors (gpu/thrust_algorithms.hpp, gpu/device_ops.hpp) over the
// emulated Call, on Thrust's OpenMP system. matmul, which the module hands to cuBLAS and its own
// kernel, is the emulated Call's gemm loop. Each workload can be made to fault
// (TANDEM_EMULATED_FAULT).
#include "emulated_runtime.hpp"
#include "module_api.hpp"
#include "workloads.hpp"

namespace tandem::cuda {

void run_map(const detail::MapArgs& a, bool device, detail::Breakdown* timing) {
  inject_fault("map");
  map_on<Call>(a, device, timing);
}

double run_mse(const detail::MseArgs& a, bool device, detail::Breakdown* timing) {
  inject_fault("mse");
  return mse_on<Call>(a, device, timing);
}

void run_polynomial_grid(const detail::PolynomialGridArgs& g, bool device,
                         detail::Breakdown* timing) {
  // An empty grid writes nothing and does not fault (no kernel is launched).
  if (g.sets == 0 || g.nx == 0) return;
  inject_fault("polynomial_grid");
  polynomial_grid_on<Call>(g, device, timing);
}

void run_matmul(const detail::MatmulArgs& a, bool device, detail::Breakdown* timing) {
  inject_fault("matmul");
  matmul_on<Call>(a, device, timing);
}

}  // namespace tandem::cuda
