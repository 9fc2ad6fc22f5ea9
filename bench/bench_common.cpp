#include "bench_common.hpp"

#include <sys/mman.h>

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

void* alloc_bytes(std::size_t bytes, Memory m) {
  switch (m) {
    case Memory::ordinary:
      return std::aligned_alloc(64, (bytes + 63) / 64 * 64);
    case Memory::tandem:
      return tandem::allocator<char>().allocate(bytes);
    case Memory::huge_pages:
    case Memory::small_pages: {
      void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) return nullptr;
      madvise(p, bytes, m == Memory::huge_pages ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
      return p;
    }
  }
  return nullptr;
}

void free_bytes(void* p, std::size_t bytes, Memory m) {
  if (p == nullptr) return;
  switch (m) {
    case Memory::ordinary:
      std::free(p);
      break;
    case Memory::tandem:
      tandem::allocator<char>().deallocate(static_cast<char*>(p), bytes);
      break;
    case Memory::huge_pages:
    case Memory::small_pages:
      munmap(p, bytes);
      break;
  }
}

struct Buffer {
  void* data = nullptr;
  std::size_t bytes = 0;
  Memory memory = Memory::ordinary;
  std::int64_t n = 0;
  std::size_t elem = 0;
  bool is_float = false;
  ~Buffer() { free_bytes(data, bytes, memory); }
};

std::map<std::pair<int, Memory>, Buffer>& buffers() {
  static std::map<std::pair<int, Memory>, Buffer> b;
  return b;
}

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

const char* memory_name(Memory m) {
  switch (m) {
    case Memory::ordinary:
      return "vector";
    case Memory::tandem:
      return "tandem";
    case Memory::huge_pages:
      return "2m";
    case Memory::small_pages:
      return "4k";
  }
  return "?";
}

template <class T>
T* input(int slot, std::int64_t n, Memory memory) {
  Buffer& b = buffers()[{slot, memory}];
  if (b.data == nullptr || b.n != n || b.elem != sizeof(T) ||
      b.is_float != std::is_floating_point_v<T>) {
    // Free the old one first, and every other kind's buffer of this slot: the big ones take
    // gigabytes.
    for (auto& [key, other] : buffers()) {
      if (key.first == slot && other.data != nullptr) {
        free_bytes(other.data, other.bytes, other.memory);
        other.data = nullptr;
        other.n = 0;
      }
    }
    const auto bytes = (static_cast<std::size_t>(n) * sizeof(T) + 63) / 64 * 64;
    b.bytes = bytes > 0 ? bytes : 64;
    b.memory = memory;
    b.data = alloc_bytes(b.bytes, memory);
    if (b.data == nullptr) throw std::bad_alloc();
    T* p = static_cast<T*>(b.data);
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
  return static_cast<T*>(b.data);
}

template float* input<float>(int, std::int64_t, Memory);
template double* input<double>(int, std::int64_t, Memory);
template std::int32_t* input<std::int32_t>(int, std::int64_t, Memory);
template std::int64_t* input<std::int64_t>(int, std::int64_t, Memory);

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
                   std::int64_t n, const char* sweep, double bytes, double flops, Memory memory) {
  Case k;
  k.label("kind", "workload")("workload", workload)("dtype", dtype)("backend", name(b))(
      "threads", std::int64_t{threads})("n", n)("sweep", sweep)("variant", "host")("bytes", bytes)(
      "flops", flops);
  if (memory != Memory::ordinary) k.label("memory", memory_name(memory));
  k.id = std::string(workload) + "/" + dtype + "/" + name(b);
  if (memory != Memory::ordinary) k.id += std::string("/memory:") + memory_name(memory);
  if (threads > 0) k.id += "/threads:" + std::to_string(threads);
  k.id += "/n:" + std::to_string(n);
  return k;
}

void elementwise_sweeps(const Config& c, std::size_t elem, const char* ref, bool thread_sweep,
                        const CaseFn& add_case) {
  auto sizes = c.quick ? pow2_sizes(8, 24, 2) : pow2_sizes(8, 26, 1);
  sizes.push_back(bandwidth_elems(c, elem));
  const bool omp = has(c, tandem::Backend::openmp);
  for (std::int64_t n : sizes) {
    if (n == sizes.back()) register_bandwidth_reference(c, ref);
    for (tandem::Backend b : c.backends) add_case(b, 0, n, "size", Memory::ordinary);
    // The limits on tandem::allocator memory (huge pages), right after the ordinary runs.
    if (omp && (n == 1024 || n == sizes.back())) {
      add_case(tandem::Backend::openmp, 0, n, "size", Memory::tandem);
    }
  }
  if (thread_sweep && omp) {
    for (int t : c.thread_sweep) {
      add_case(tandem::Backend::openmp, t, sizes.back(), "threads", Memory::ordinary);
    }
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
