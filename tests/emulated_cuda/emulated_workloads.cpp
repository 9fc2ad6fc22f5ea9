// The workloads of the emulated cuda module: the real module's flow (gpu/workloads.hpp), its
// runtime (gpu/runtime.cpp) and its Thrust algorithms and functors (gpu/thrust_algorithms.hpp,
// gpu/device_ops.hpp) over HostCall, on Thrust's OpenMP system. Each workload can be made to
// fault (TANDEM_EMULATED_FAULT).
#include <cstdlib>
#include <cstring>
#include <string>

#include "host_call.hpp"
#include "map_reduce_flow.hpp"
#include "module_api.hpp"
#include "workloads.hpp"

namespace tandem::cuda {

void inject_fault(const char* workload) {
  const char* env = std::getenv("TANDEM_EMULATED_FAULT");
  if (env == nullptr || std::strcmp(env, workload) != 0) return;
  throw ModuleFailure{errc::device_error,
                      std::string("cudaStreamSynchronize(stream) failed: "
                                  "cudaErrorIllegalAddress: an illegal memory access was "
                                  "encountered (emulated: TANDEM_EMULATED_FAULT=") +
                          workload + ")",
                      true};
}

void run_map(const detail::MapArgs& a, bool device, detail::Breakdown* timing) {
  inject_fault("map");
  map_on<HostCall>(a, device, timing);
}

double run_mse(const detail::MseArgs& a, bool device, detail::Breakdown* timing) {
  inject_fault("mse");
  return mse_on<HostCall>(a, device, timing);
}

void run_map_reduce(detail::MapReduceArgs& a, bool device, detail::Breakdown* timing) {
  inject_fault("map_reduce");
  map_reduce_on<HostCall>(a, device, timing);
}

void run_polynomial_grid(const detail::PolynomialGridArgs& g, bool device,
                         detail::Breakdown* timing) {
  // An empty grid writes nothing and does not fault (no kernel is launched).
  if (g.sets == 0 || g.nx == 0) return;
  inject_fault("polynomial_grid");
  polynomial_grid_on<HostCall>(g, device, timing);
}

void run_matmul(const detail::MatmulArgs& a, bool device, detail::Breakdown* timing) {
  inject_fault("matmul");
  matmul_on<HostCall>(a, device, timing);
}

}  // namespace tandem::cuda
