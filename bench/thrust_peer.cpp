// Thrust's OpenMP system as a peer of tandem's openmp map and mse: the same work (y = 2x,
// mean(e^2)) on the same buffers through thrust::transform and thrust::transform_reduce with
// thrust::omp::par. Compiled only when CMake finds the CCCL headers (the CUDA toolkit's), with
// THRUST_DEVICE_SYSTEM=THRUST_DEVICE_SYSTEM_OMP and no nvcc.
#include <thrust/functional.h>
#include <thrust/system/omp/execution_policy.h>
#include <thrust/transform.h>
#include <thrust/transform_reduce.h>

#include <cstring>

#include "bench_common.hpp"

namespace tandem_bench {

namespace {

struct Twice {
  double operator()(double v) const { return 2.0 * v; }
};
struct Square {
  double operator()(double v) const { return v * v; }
};

}  // namespace

void register_thrust_peer(const Config& c, const char* workload, std::int64_t n) {
  const bool map = std::strcmp(workload, "map") == 0;
  const std::string ref = std::string("thrust_omp_") + workload;
  const double bytes = (map ? 2.0 : 1.0) * static_cast<double>(n) * sizeof(double);
  Label label;
  label("kind", "reference")("ref", ref)("threads", std::int64_t{c.max_threads})("bytes", bytes)(
      "flops", static_cast<double>(n))("dtype", "f64")("n", n);
  add("ref/" + ref + "/f64/n:" + std::to_string(n), c, [=](benchmark::State& st) {
    const double* x = input<double>(0, n);
    double* y = input<double>(1, n);
    for (auto _ : st) {
      if (map) {
        thrust::transform(thrust::omp::par, x, x + n, y, Twice{});
        benchmark::ClobberMemory();
      } else {
        const double s =
            thrust::transform_reduce(thrust::omp::par, x, x + n, Square{}, 0.0, thrust::plus<>{});
        benchmark::DoNotOptimize(s / static_cast<double>(n));
      }
    }
    finish(st, label, static_cast<double>(n), bytes, static_cast<double>(n));
  });
}

}  // namespace tandem_bench
