// mse: mean(e^2) (the multiprocessing notebook's map-reduce), n = 2^8 ... 2^26 plus a point at
// 4x the last-level cache, on every backend; an OpenMP thread sweep at that size (f64).
#include "bench_common.hpp"

namespace tandem_bench {

namespace {

template <class T>
void mse_case(const Config& c, tandem::Backend b, int threads, std::int64_t n, const char* sweep) {
  const double bytes = static_cast<double>(n) * sizeof(T);
  const Case k = workload_case("mse", dtype_name<T>(), b, threads, n, sweep, bytes,
                               2.0 * static_cast<double>(n));
  add(k.id, c, [=](benchmark::State& st) {
    const std::span<const T> e(input<T>(0, n), static_cast<std::size_t>(n));
    const tandem::Options o{.backend = b, .threads = threads};
    for (auto _ : st) benchmark::DoNotOptimize(tandem::mse(e, o));
    finish(st, k.label, static_cast<double>(n), bytes, 2.0 * static_cast<double>(n));
  });
}

template <class T>
void mse_sweeps(const Config& c, bool thread_sweep) {
  auto sizes = c.quick ? pow2_sizes(8, 24, 2) : pow2_sizes(8, 26, 1);
  sizes.push_back(bandwidth_elems(c, sizeof(T)));
  for (std::int64_t n : sizes) {
    if (n == sizes.back()) register_bandwidth_reference(c, "read_bw");
    for (tandem::Backend b : c.backends) mse_case<T>(c, b, 0, n, "size");
  }
  if (thread_sweep && has(c, tandem::Backend::openmp)) {
    for (int t : c.thread_sweep)
      mse_case<T>(c, tandem::Backend::openmp, t, sizes.back(), "threads");
  }
}

}  // namespace

void register_mse(const Config& c) {
  mse_sweeps<double>(c, true);
  mse_sweeps<float>(c, false);
}

}  // namespace tandem_bench
