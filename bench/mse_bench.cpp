// mse: mean(e^2) (the multiprocessing notebook's map-reduce), n = 2^8 ... 2^26 plus a point at
// 4x the last-level cache, on every backend; an OpenMP thread sweep at that size (f64).
#include "bench_common.hpp"

namespace tandem_bench {

namespace {

template <class T>
void mse_case(const Config& c, tandem::Backend b, int threads, std::int64_t n, const char* sweep,
              Memory memory) {
  const double bytes = static_cast<double>(n) * sizeof(T);
  const Case k = workload_case("mse", dtype_name<T>(), b, threads, n, sweep, bytes,
                               2.0 * static_cast<double>(n), memory);
  add(k.id, c, [=](benchmark::State& st) {
    const std::span<const T> e(input<T>(0, n, memory), static_cast<std::size_t>(n));
    const tandem::Options o{.backend = real(b), .threads = threads};
    const ModelScope model(b);
    for (auto _ : st) benchmark::DoNotOptimize(tandem::mse(e, o));
    finish(st, k.label, static_cast<double>(n), bytes, 2.0 * static_cast<double>(n));
  });
}

}  // namespace

void register_mse(const Config& c) {
  for (std::int64_t n : {std::int64_t{1024}, std::int64_t{1} << 20})
    register_thrust_peer(c, "mse", n);
  elementwise_sweeps(c, sizeof(double), "read_bw", true,
                     [&c](auto... a) { mse_case<double>(c, a...); });
  elementwise_sweeps(c, sizeof(float), "read_bw", false,
                     [&c](auto... a) { mse_case<float>(c, a...); });
}

}  // namespace tandem_bench
