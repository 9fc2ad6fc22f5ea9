// polynomial grid: a cubic over a Cartesian grid of 10 ... 10^6 parameter sets at 50 x values
// (the notebook's case is 10^4 x 50), f64, on every backend; an OpenMP thread sweep at 10^6.
#include "bench_common.hpp"

namespace tandem_bench {

namespace {

constexpr std::int64_t kNx = 50;

// Four axes whose product is `sets` = 10^e: the notebook's 10 values per axis, with the extra
// factors of 10 on the leading axes (10^5 = 100 x 10 x 10 x 10).
tandem::CartesianGrid<double> grid_of(std::int64_t sets) {
  std::vector<std::int64_t> sizes(4, 1);
  for (std::int64_t s = sets, i = 0; s > 1; s /= 10, i = (i + 1) % 4) sizes[i] *= 10;
  std::vector<std::vector<double>> axes;
  for (std::int64_t n : sizes) axes.push_back(tandem::linspace(0.0, 1.0, n));
  return tandem::CartesianGrid<double>(std::move(axes));
}

void grid_case(const Config& c, tandem::Backend b, int threads, std::int64_t sets,
               const char* sweep) {
  const double out = static_cast<double>(sets * kNx);
  const double bytes = out * sizeof(double);
  const double flops = out * 2.0 * 3.0;  // Horner: 3 multiply-adds per value
  Case k = workload_case("polynomial_grid", "f64", b, threads, sets, sweep, bytes, flops);
  k.label("nx", kNx)("ncoef", std::int64_t{4});
  if (sets == 10'000) k.label("notebook", std::int64_t{1});
  add(k.id, c, [=](benchmark::State& st) {
    const auto grid = grid_of(sets);
    const auto x = tandem::linspace(-2.0, 2.0, kNx);
    const tandem::MatrixView<double> y(input<double>(0, sets * kNx), sets, kNx);
    const tandem::Options o{.backend = real(b), .threads = threads};
    const ModelScope model(b);
    for (auto _ : st) {
      tandem::polynomial_grid(grid, x, y, o);
      benchmark::ClobberMemory();
    }
    finish(st, k.label, out, bytes, flops);
  });
}

}  // namespace

void register_polynomial_grid(const Config& c) {
  const std::vector<std::int64_t> sets{10, 100, 1'000, 10'000, 100'000, 1'000'000};
  for (std::int64_t s : sets) {
    for (tandem::Backend b : c.backends) grid_case(c, b, 0, s, "size");
  }
  if (has(c, tandem::Backend::openmp)) {
    for (int t : c.thread_sweep) grid_case(c, tandem::Backend::openmp, t, sets.back(), "threads");
  }
}

}  // namespace tandem_bench
