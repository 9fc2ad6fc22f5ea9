// matmul: C = A·B for square n x n matrices, n = 16 ... 2048 (quick: ... 1024), f32, f64 and
// i32 (the joblib notebook's int matrices), on every backend; an OpenMP thread sweep at 1024.
#include "bench_common.hpp"

namespace tandem_bench {

namespace {

template <class T>
void matmul_case(const Config& c, tandem::Backend b, int threads, std::int64_t n,
                 const char* sweep) {
  const double nd = static_cast<double>(n);
  const double bytes = 3.0 * nd * nd * sizeof(T);
  const double flops = 2.0 * nd * nd * nd;
  const Case k = workload_case("matmul", dtype_name<T>(), b, threads, n, sweep, bytes, flops);
  add(k.id, c, [=](benchmark::State& st) {
    const tandem::MatrixView<const T> A(input<T>(0, n * n), n, n);
    const tandem::MatrixView<const T> B(input<T>(1, n * n), n, n);
    const tandem::MatrixView<T> C(input<T>(2, n * n), n, n);
    const tandem::Options o{.backend = real(b), .threads = threads};
    const ModelScope model(b);
    for (auto _ : st) {
      tandem::matmul(A, B, C, o);
      benchmark::ClobberMemory();
    }
    finish(st, k.label, nd * nd, bytes, flops);
  });
}

template <class T>
void matmul_sweeps(const Config& c, bool thread_sweep) {
  const auto sizes = c.quick ? pow2_sizes(4, 10, 1) : pow2_sizes(4, 11, 1);
  for (std::int64_t n : sizes) {
    register_blas_reference<T>(c, n);
    for (tandem::Backend b : c.backends) matmul_case<T>(c, b, 0, n, "size");
  }
  if (thread_sweep && has(c, tandem::Backend::openmp)) {
    for (int t : c.thread_sweep) matmul_case<T>(c, tandem::Backend::openmp, t, 1024, "threads");
  }
}

}  // namespace

void register_matmul(const Config& c) {
  matmul_sweeps<float>(c, false);
  matmul_sweeps<double>(c, true);
  matmul_sweeps<std::int32_t>(c, true);
}

}  // namespace tandem_bench
