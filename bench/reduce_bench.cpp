// Reductions: sum, mean, min and max (f64 on every backend, n = 2^8 ... 2^24 (full: 2^26) plus
// 4x the last-level cache, openmp also on tandem::allocator memory and over the thread counts),
// sum and max of f32, i32 and i64, and map_reduce(x, square, sum) (mse's work without the
// division). Bounded by read bandwidth: mse's read_bw references are the limits (bench/report.py:
// "sum/min openmp f64, n ≥ 4×LLC: fraction of read_bw").
#include "bench_common.hpp"

namespace tandem_bench {

namespace {

enum class Op { sum, mean, min, max, sum_of_squares };

const char* op_name(Op op) {
  switch (op) {
    case Op::sum:
      return "sum";
    case Op::mean:
      return "mean";
    case Op::min:
      return "min";
    case Op::max:
      return "max";
    case Op::sum_of_squares:
      break;
  }
  return "map_reduce";
}

template <class T>
double run_op(Op op, std::span<const T> x, const tandem::Options& o) {
  switch (op) {
    case Op::sum:
      return static_cast<double>(tandem::sum(x, o));
    case Op::mean:
      return tandem::mean(x, o);
    case Op::min:
      return static_cast<double>(tandem::min(x, o));
    case Op::max:
      return static_cast<double>(tandem::max(x, o));
    case Op::sum_of_squares:
      break;
  }
  return static_cast<double>(
      tandem::map_reduce(x, tandem::MapOp::square(), tandem::ReduceOp::sum(), o));
}

template <class T>
void reduce_case(const Config& c, Op op, tandem::Backend b, int threads, std::int64_t n,
                 const char* sweep, Memory memory) {
  const double bytes = static_cast<double>(n) * sizeof(T);
  const Case k = workload_case(op_name(op), dtype_name<T>(), b, threads, n, sweep, bytes,
                               static_cast<double>(n), memory);
  add(k.id, c, [=](benchmark::State& st) {
    const std::span<const T> x(input<T>(0, n, memory), static_cast<std::size_t>(n));
    const tandem::Options o{.backend = real(b), .threads = threads};
    const ModelScope model(b);
    for (auto _ : st) benchmark::DoNotOptimize(run_op<T>(op, x, o));
    finish(st, k.label, static_cast<double>(n), bytes, static_cast<double>(n));
  });
}

/// Every size on every backend (openmp also on tandem::allocator memory at 1024 and the largest
/// size), then, with `thread_sweep`, openmp over the thread counts at the largest size. The
/// bandwidth references are mse's (registered once by register_mse).
template <class T>
void reduce_sweeps(const Config& c, Op op, bool thread_sweep) {
  auto sizes = c.quick ? pow2_sizes(8, 24, 2) : pow2_sizes(8, 26, 1);
  sizes.push_back(bandwidth_elems(c, sizeof(T)));
  const bool omp = has(c, tandem::Backend::openmp);
  for (std::int64_t n : sizes) {
    for (tandem::Backend b : c.backends) reduce_case<T>(c, op, b, 0, n, "size", Memory::ordinary);
    if (omp && (n == 1024 || n == sizes.back())) {
      reduce_case<T>(c, op, tandem::Backend::openmp, 0, n, "size", Memory::tandem);
    }
  }
  if (thread_sweep && omp) {
    for (int t : c.thread_sweep) {
      reduce_case<T>(c, op, tandem::Backend::openmp, t, sizes.back(), "threads", Memory::ordinary);
    }
  }
}

}  // namespace

void register_reduce(const Config& c) {
  reduce_sweeps<double>(c, Op::sum, true);
  reduce_sweeps<double>(c, Op::mean, false);
  reduce_sweeps<double>(c, Op::min, true);
  reduce_sweeps<double>(c, Op::max, false);
  reduce_sweeps<double>(c, Op::sum_of_squares, false);
  reduce_sweeps<float>(c, Op::sum, false);
  reduce_sweeps<float>(c, Op::max, false);
  reduce_sweeps<std::int32_t>(c, Op::sum, false);
  reduce_sweeps<std::int32_t>(c, Op::max, false);
  reduce_sweeps<std::int64_t>(c, Op::sum, false);
  reduce_sweeps<std::int64_t>(c, Op::min, false);
}

}  // namespace tandem_bench
