// sort: tandem::sort of n = 2^10 ... 2^24 (full: 2^26) and 1e7 values (the target's size) on
// every backend and dtype, an OpenMP thread sweep at 1e7 (f64), and in the same run the peers:
// std::sort (ref=std_sort) and tandem's parallel merge sort kernel (ref=merge_sort, the
// notebook's algorithm, which the openmp backend measured against its radix sort and dropped).
// Each iteration sorts a fresh copy of the same pseudo-random input; only the sort is timed,
// not the copy (paused: a few hundred ns per iteration, under 5% of the smallest size's sort).
#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#include "bench_common.hpp"
#include "kernels/merge_sort.hpp"

namespace tandem_bench {

namespace {

constexpr std::int64_t kTargetN = 10'000'000;

/// The input: splitmix64 of the index, integers over their whole range, floats in [-1, 1)
/// (bench_common's input() has integers in [0, 10), which a radix sort sorts in one pass).
template <class T>
std::vector<T> sort_input(std::int64_t n) {
  std::vector<T> v(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::uint64_t z = (i + 1) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    if constexpr (std::is_floating_point_v<T>) {
      v[i] = static_cast<T>(static_cast<double>(z >> 11) * 0x1p-52 - 1.0);
    } else {
      v[i] = static_cast<T>(z);
    }
  }
  return v;
}

/// Times `sort(work)` on a fresh copy of the input per iteration.
template <class T, class Sort>
void timed_sorts(benchmark::State& st, std::int64_t n, Sort sort) {
  const std::vector<T> in = sort_input<T>(n);
  std::vector<T> work(static_cast<std::size_t>(n));
  for (auto _ : st) {
    st.PauseTiming();
    std::memcpy(work.data(), in.data(), static_cast<std::size_t>(n) * sizeof(T));
    st.ResumeTiming();
    sort(work.data());
    benchmark::DoNotOptimize(work.data());
  }
}

template <class T>
void sort_case(const Config& c, tandem::Backend b, int threads, std::int64_t n, const char* sweep) {
  const double bytes = 2.0 * static_cast<double>(n) * sizeof(T);
  Case k = workload_case("sort", dtype_name<T>(), b, threads, n, sweep, bytes, 0.0);
  if (n == kTargetN) k.label("notebook", std::int64_t{1});
  add(k.id, c, [=](benchmark::State& st) {
    const tandem::Options o{.backend = real(b), .threads = threads};
    const ModelScope model(b);
    timed_sorts<T>(st, n,
                   [&](T* x) { tandem::sort(std::span<T>(x, static_cast<std::size_t>(n)), o); });
    finish(st, k.label, static_cast<double>(n), bytes, 0.0);
  });
}

template <class T>
void sort_reference(const Config& c, const char* ref, int threads, std::int64_t n) {
  Label l;
  l("kind", "reference")("ref", ref)("threads", std::int64_t{threads})(
      "bytes", 2.0 * static_cast<double>(n) * sizeof(T))("flops", 0.0)("dtype", dtype_name<T>())(
      "n", n);
  const std::string id = std::string("ref/") + ref + "/" + dtype_name<T>() +
                         "/threads:" + std::to_string(threads) + "/n:" + std::to_string(n);
  add(id, c, [=](benchmark::State& st) {
    std::vector<T> scratch(static_cast<std::size_t>(n));
    timed_sorts<T>(st, n, [&](T* x) {
      if (std::strcmp(ref, "std_sort") == 0) {
        std::sort(x, x + n);
      } else {
        tandem::detail::merge_sort(x, scratch.data(), n, threads, std::less<T>{});
      }
    });
    finish(st, l, static_cast<double>(n), 2.0 * static_cast<double>(n) * sizeof(T), 0.0);
  });
}

template <class T>
void sort_sweep(const Config& c, bool thread_sweep) {
  auto sizes = c.quick ? pow2_sizes(10, 24, 2) : pow2_sizes(10, 26, 2);
  sizes.push_back(kTargetN);
  const bool omp = has(c, tandem::Backend::openmp);
  for (std::int64_t n : sizes) {
    sort_reference<T>(c, "std_sort", 1, n);
    if (omp && (n >= (std::int64_t{1} << 16))) sort_reference<T>(c, "merge_sort", c.max_threads, n);
    for (tandem::Backend b : c.backends) sort_case<T>(c, b, 0, n, "size");
  }
  if (thread_sweep && omp) {
    for (int t : c.thread_sweep) {
      sort_case<T>(c, tandem::Backend::openmp, t, kTargetN, "threads");
      if (t != c.max_threads) sort_reference<T>(c, "merge_sort", t, kTargetN);
    }
  }
}

}  // namespace

void register_sort(const Config& c) {
  sort_sweep<double>(c, true);
  sort_sweep<float>(c, false);
  sort_sweep<std::int32_t>(c, false);
  sort_sweep<std::int64_t>(c, false);
}

}  // namespace tandem_bench
