// map: y = 2x (the joblib notebook's f), n = 2^8 ... 2^26 plus a point at 4x the last-level
// cache, on every backend; an OpenMP thread sweep at that largest size (f64).
#include "bench_common.hpp"

namespace tandem_bench {

namespace {

template <class T>
void map_case(const Config& c, tandem::Backend b, int threads, std::int64_t n, const char* sweep) {
  const double bytes = 2.0 * static_cast<double>(n) * sizeof(T);
  const Case k =
      workload_case("map", dtype_name<T>(), b, threads, n, sweep, bytes, static_cast<double>(n));
  add(k.id, c, [=](benchmark::State& st) {
    const auto len = static_cast<std::size_t>(n);
    const std::span<const T> x(input<T>(0, n), len);
    const std::span<T> y(input<T>(1, n), len);
    const tandem::Options o{.backend = b, .threads = threads};
    const auto op = tandem::MapOp::scale(2);
    for (auto _ : st) {
      tandem::map(x, y, op, o);
      benchmark::ClobberMemory();
    }
    finish(st, k.label, static_cast<double>(n), bytes, static_cast<double>(n));
  });
}

template <class T>
void map_sweeps(const Config& c, bool thread_sweep) {
  auto sizes = c.quick ? pow2_sizes(8, 24, 2) : pow2_sizes(8, 26, 1);
  sizes.push_back(bandwidth_elems(c, sizeof(T)));
  for (std::int64_t n : sizes) {
    if (n == sizes.back()) register_bandwidth_reference(c, "copy_bw");
    for (tandem::Backend b : c.backends) map_case<T>(c, b, 0, n, "size");
  }
  if (thread_sweep && has(c, tandem::Backend::openmp)) {
    for (int t : c.thread_sweep)
      map_case<T>(c, tandem::Backend::openmp, t, sizes.back(), "threads");
  }
}

}  // namespace

void register_map(const Config& c) {
  map_sweeps<double>(c, true);
  map_sweeps<std::int32_t>(c, false);
}

}  // namespace tandem_bench
