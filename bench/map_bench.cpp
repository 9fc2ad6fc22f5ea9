// map: y = 2x (the joblib notebook's f), n = 2^8 ... 2^26 plus a point at 4x the last-level
// cache, on every backend; an OpenMP thread sweep at that largest size (f64).
#include "bench_common.hpp"

namespace tandem_bench {

namespace {

template <class T>
void map_case(const Config& c, tandem::Backend b, int threads, std::int64_t n, const char* sweep,
              Memory memory) {
  const double bytes = 2.0 * static_cast<double>(n) * sizeof(T);
  const Case k = workload_case("map", dtype_name<T>(), b, threads, n, sweep, bytes,
                               static_cast<double>(n), memory);
  add(k.id, c, [=](benchmark::State& st) {
    const auto len = static_cast<std::size_t>(n);
    const std::span<const T> x(input<T>(0, n, memory), len);
    const std::span<T> y(input<T>(1, n, memory), len);
    const tandem::Options o{.backend = real(b), .threads = threads};
    const ModelScope model(b);
    const auto op = tandem::MapOp::scale(2);
    for (auto _ : st) {
      tandem::map(x, y, op, o);
      benchmark::ClobberMemory();
    }
    finish(st, k.label, static_cast<double>(n), bytes, static_cast<double>(n));
  });
}

}  // namespace

void register_map(const Config& c) {
  for (std::int64_t n : {std::int64_t{1024}, std::int64_t{1} << 20})
    register_thrust_peer(c, "map", n);
  elementwise_sweeps(c, sizeof(double), "copy_bw", true,
                     [&c](auto... a) { map_case<double>(c, a...); });
  elementwise_sweeps(c, sizeof(std::int32_t), "copy_bw", false,
                     [&c](auto... a) { map_case<std::int32_t>(c, a...); });
}

}  // namespace tandem_bench
