#include "bench_common.hpp"

#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <sstream>
#include <type_traits>

namespace tandem_bench {

std::vector<std::int64_t> pow2_sizes(int lo, int hi, int step) {
  std::vector<std::int64_t> v;
  for (int e = lo; e <= hi; e += step) v.push_back(std::int64_t{1} << e);
  return v;
}

std::int64_t bandwidth_elems(const Config& c, std::size_t elem) {
  std::int64_t n = 1;
  while (n * static_cast<std::int64_t>(elem) < 4 * c.llc_bytes) n *= 2;
  return n;
}

namespace {

struct Buffer {
  std::unique_ptr<void, decltype(&std::free)> data{nullptr, &std::free};
  std::int64_t n = 0;
  std::size_t elem = 0;
  bool is_float = false;
};

std::map<int, Buffer>& buffers() {
  static std::map<int, Buffer> b;
  return b;
}

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

template <class T>
T* input(int slot, std::int64_t n) {
  Buffer& b = buffers()[slot];
  if (b.n != n || b.elem != sizeof(T) || b.is_float != std::is_floating_point_v<T>) {
    b.data.reset();  // free the old one first: the big ones take gigabytes
    const auto bytes = (static_cast<std::size_t>(n) * sizeof(T) + 63) / 64 * 64;
    b.data.reset(std::aligned_alloc(64, bytes > 0 ? bytes : 64));
    if (!b.data) throw std::bad_alloc();
    T* p = static_cast<T*>(b.data.get());
    const std::uint64_t seed = static_cast<std::uint64_t>(slot) << 56;
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) {
      const std::uint64_t r = splitmix(seed + static_cast<std::uint64_t>(i));
      if constexpr (std::is_floating_point_v<T>) {
        p[i] = static_cast<T>(static_cast<double>(r >> 11) * 0x1.0p-52 - 1.0);
      } else {
        p[i] = static_cast<T>(r % 10);
      }
    }
    b.n = n;
    b.elem = sizeof(T);
    b.is_float = std::is_floating_point_v<T>;
  }
  return static_cast<T*>(b.data.get());
}

template float* input<float>(int, std::int64_t);
template double* input<double>(int, std::int64_t);
template std::int32_t* input<std::int32_t>(int, std::int64_t);
template std::int64_t* input<std::int64_t>(int, std::int64_t);

Label& Label::operator()(const char* key, const std::string& value) {
  if (!s_.empty()) s_ += ' ';
  s_ += key;
  s_ += '=';
  s_ += value;
  return *this;
}

Label& Label::operator()(const char* key, double value) {
  std::ostringstream os;
  os.precision(17);
  os << value;
  return (*this)(key, os.str());
}

Case workload_case(const char* workload, const std::string& dtype, tandem::Backend b, int threads,
                   std::int64_t n, const char* sweep, double bytes, double flops) {
  Case k;
  k.label("kind", "workload")("workload", workload)("dtype", dtype)("backend", name(b))(
      "threads", std::int64_t{threads})("n", n)("sweep", sweep)("variant", "host")("bytes", bytes)(
      "flops", flops);
  k.id = std::string(workload) + "/" + dtype + "/" + name(b);
  if (threads > 0) k.id += "/threads:" + std::to_string(threads);
  k.id += "/n:" + std::to_string(n);
  return k;
}

void elementwise_sweeps(const Config& c, std::size_t elem, const char* ref, bool thread_sweep,
                        const CaseFn& add_case) {
  auto sizes = c.quick ? pow2_sizes(8, 24, 2) : pow2_sizes(8, 26, 1);
  sizes.push_back(bandwidth_elems(c, elem));
  for (std::int64_t n : sizes) {
    if (n == sizes.back()) register_bandwidth_reference(c, ref);
    for (tandem::Backend b : c.backends) add_case(b, 0, n, "size");
  }
  if (thread_sweep && has(c, tandem::Backend::openmp)) {
    for (int t : c.thread_sweep) add_case(tandem::Backend::openmp, t, sizes.back(), "threads");
  }
}

bool has(const Config& c, tandem::Backend b) {
  for (tandem::Backend x : c.backends) {
    if (x == b) return true;
  }
  return false;
}

namespace {
std::size_t g_registered = 0;
}

ModelScope::ModelScope(tandem::Backend b) : active_(b == kAutomaticDefaults) {
  if (!active_) return;
  path_ = tandem::profile_info().path;
  tandem::use_profile("");
}

ModelScope::~ModelScope() {
  if (active_) tandem::use_profile(path_);
}

std::size_t registered_count() { return g_registered; }

benchmark::internal::Benchmark* add(const std::string& bench_name, const Config& c,
                                    std::function<void(benchmark::State&)> fn) {
  ++g_registered;
  return benchmark::RegisterBenchmark(bench_name.c_str(),
                                      [fn = std::move(fn)](benchmark::State& st) { fn(st); })
      ->UseRealTime()
      ->MinTime(c.min_time)
      ->Repetitions(c.repetitions)
      ->Unit(benchmark::kMicrosecond);
}

void finish(benchmark::State& st, const Label& label, double items, double bytes, double flops) {
  const auto it = static_cast<double>(st.iterations());
  st.SetLabel(label.str());
  st.counters["items_per_second"] = benchmark::Counter(it * items, benchmark::Counter::kIsRate);
  st.counters["bytes_per_second"] = benchmark::Counter(it * bytes, benchmark::Counter::kIsRate);
  st.counters["flops_per_second"] = benchmark::Counter(it * flops, benchmark::Counter::kIsRate);
}

}  // namespace tandem_bench
