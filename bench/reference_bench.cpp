// Reference figures measured in the same run, so every result can be read as a ratio:
// memory read and copy bandwidth over arrays of 4x the last-level cache (STREAM-like), an empty
// OpenMP parallel region, and a raw BLAS GEMM call of the matmul benchmark's shapes. The sweeps
// register each reference right before the runs it normalises: on a shared machine the speed
// drifts within a run, so a ratio is only as good as the two measurements are close in time.
#include <cstring>

#include "bench_common.hpp"

#if defined(_OPENMP)
#include <omp.h>
#endif
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#if TANDEM_BENCH_HAS_BLAS
extern "C" {
void sgemm_(const char*, const char*, const int*, const int*, const int*, const float*,
            const float*, const int*, const float*, const int*, const float*, float*, const int*,
            std::size_t, std::size_t);
void dgemm_(const char*, const char*, const int*, const int*, const int*, const double*,
            const double*, const int*, const double*, const int*, const double*, double*,
            const int*, std::size_t, std::size_t);
}
#endif

namespace tandem_bench {

namespace {

Label reference(const char* ref, int threads, double bytes, double flops) {
  Label l;
  l("kind", "reference")("ref", ref)("threads", std::int64_t{threads})("bytes", bytes)("flops",
                                                                                       flops);
  return l;
}

// Reads x[0, n) with eight independent partial sums, so the loop is bound by memory, not by
// the latency of one chain of additions.
void read_all(const double* x, std::int64_t n, [[maybe_unused]] int threads) {
  double acc[8] = {};
#pragma omp parallel for schedule(static) reduction(+ : acc[:8]) num_threads(threads)
  for (std::int64_t i = 0; i < n / 8; ++i) {
    for (int l = 0; l < 8; ++l) acc[l] += x[8 * i + l];
  }
  benchmark::DoNotOptimize(acc);
}

void bandwidth_at(const Config& c, const char* ref, int threads) {
  const std::int64_t n = bandwidth_elems(c, sizeof(double));
  const bool copy = std::strcmp(ref, "copy_bw") == 0;
  const double bytes = (copy ? 2.0 : 1.0) * static_cast<double>(n) * sizeof(double);
  const Label label = reference(ref, threads, bytes, 0.0)("dtype", "f64")("n", n);
  add(std::string("ref/") + ref + "/threads:" + std::to_string(threads), c,
      [=](benchmark::State& st) {
        const double* x = input<double>(0, n);
        double* y = input<double>(1, n);
        for (auto _ : st) {
          if (copy) {
#pragma omp parallel for simd schedule(static) num_threads(threads)
            for (std::int64_t i = 0; i < n; ++i) y[i] = x[i];
            benchmark::ClobberMemory();
          } else {
            read_all(x, n, threads);
          }
        }
        finish(st, label, static_cast<double>(n), bytes, 0.0);
      });
}

// The copy with streaming (non-temporal) stores: the widest the CPU has, 64-byte aligned dst.
using StreamFn = void (*)(double*, const double*, std::int64_t);
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("avx512f"))) void stream_avx512(double* y, const double* x, std::int64_t n) {
  for (std::int64_t i = 0; i < n; i += 8) _mm512_stream_pd(y + i, _mm512_loadu_pd(x + i));
}
__attribute__((target("avx"))) void stream_avx(double* y, const double* x, std::int64_t n) {
  for (std::int64_t i = 0; i < n; i += 4) _mm256_stream_pd(y + i, _mm256_loadu_pd(x + i));
}
void stream_sse2(double* y, const double* x, std::int64_t n) {
  for (std::int64_t i = 0; i < n; i += 2) _mm_stream_pd(y + i, _mm_loadu_pd(x + i));
}
StreamFn pick_stream() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return stream_avx512;
  if (__builtin_cpu_supports("avx")) return stream_avx;
  return stream_sse2;
}
void fence() { _mm_sfence(); }
#else
void stream_plain(double* y, const double* x, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) y[i] = x[i];
}
StreamFn pick_stream() { return stream_plain; }
void fence() {}
#endif

// Read (8 partial sums) or streaming-store copy over 2 MiB or 4 KiB pages: the limits a
// memory-bound kernel can reach on the memory it is given.
void limit_at(const Config& c, const char* ref, Memory pages, int threads) {
  const std::int64_t n = bandwidth_elems(c, sizeof(double));
  const bool copy = std::strcmp(ref, "copy_bw") == 0;
  const std::string name = std::string(copy ? "copy_nt_bw_" : "read_bw_") + memory_name(pages);
  const double bytes = (copy ? 2.0 : 1.0) * static_cast<double>(n) * sizeof(double);
  const Label label = reference(name.c_str(), threads, bytes, 0.0)("dtype", "f64")("n", n)(
      "pages", memory_name(pages));
  add("ref/" + name + "/threads:" + std::to_string(threads), c, [=](benchmark::State& st) {
    const double* x = input<double>(0, n, pages);
    double* y = copy ? input<double>(1, n, pages) : nullptr;
    const StreamFn stream = pick_stream();
    for (auto _ : st) {
      if (copy) {
#pragma omp parallel num_threads(threads)
        {
          int t = 0, nt = 1;
#if defined(_OPENMP)
          t = omp_get_thread_num();
          nt = omp_get_num_threads();
#endif
          const std::int64_t lines = n / 8;  // 64-byte lines; n is a power of two
          const std::int64_t lo = lines * t / nt * 8, hi = lines * (t + 1) / nt * 8;
          stream(y + lo, x + lo, hi - lo);
          fence();
        }
        benchmark::ClobberMemory();
      } else {
        read_all(x, n, threads);
      }
    }
    finish(st, label, static_cast<double>(n), bytes, 0.0);
  });
}

void empty_region(const Config& c, int threads) {
  const Label label = reference("omp_empty_region", threads, 0.0, 0.0);
  add("ref/omp_empty_region/threads:" + std::to_string(threads), c, [=](benchmark::State& st) {
    for (auto _ : st) {
#pragma omp parallel num_threads(threads)
      benchmark::ClobberMemory();
    }
    finish(st, label, 1.0, 0.0, 0.0);
  })->Unit(benchmark::kNanosecond);
}

#if TANDEM_BENCH_HAS_BLAS
template <class T>
void blas_gemm_at(const Config& c, std::int64_t n) {
  const double nd = static_cast<double>(n);
  const double flops = 2.0 * nd * nd * nd;
  const Label label = reference("blas_gemm", c.max_threads, 3.0 * nd * nd * sizeof(T), flops)(
      "dtype", dtype_name<T>())("n", n);
  add("ref/blas_gemm/" + dtype_name<T>() + "/n:" + std::to_string(n), c, [=](benchmark::State& st) {
    const T* a = input<T>(0, n * n);
    const T* b = input<T>(1, n * n);
    T* out = input<T>(2, n * n);
    const int m = static_cast<int>(n);
    const T one = 1, zero = 0;
    for (auto _ : st) {
      if constexpr (std::is_same_v<T, float>) {
        sgemm_("N", "N", &m, &m, &m, &one, b, &m, a, &m, &zero, out, &m, 1, 1);
      } else {
        dgemm_("N", "N", &m, &m, &m, &one, b, &m, a, &m, &zero, out, &m, 1, 1);
      }
      benchmark::ClobberMemory();
    }
    finish(st, label, nd * nd, 3.0 * nd * nd * sizeof(T), flops);
  });
}
#endif

}  // namespace

void register_references(const Config& c) {
  for (int t : c.thread_sweep) empty_region(c, t);
}

void register_bandwidth_reference(const Config& c, const char* ref) {
  for (int t : c.thread_sweep) bandwidth_at(c, ref, t);
  for (Memory pages : {Memory::huge_pages, Memory::small_pages}) {
    limit_at(c, ref, pages, 1);
    if (c.max_threads > 1) limit_at(c, ref, pages, c.max_threads);
  }
}

#if !TANDEM_BENCH_HAS_THRUST_OMP
void register_thrust_peer(const Config&, const char*, std::int64_t) {}
#endif

template <class T>
void register_blas_reference([[maybe_unused]] const Config& c, [[maybe_unused]] std::int64_t n) {
#if TANDEM_BENCH_HAS_BLAS
  if constexpr (std::is_floating_point_v<T>) blas_gemm_at<T>(c, n);
#endif
}
template void register_blas_reference<float>(const Config&, std::int64_t);
template void register_blas_reference<double>(const Config&, std::int64_t);
template void register_blas_reference<std::int32_t>(const Config&, std::int64_t);

}  // namespace tandem_bench
