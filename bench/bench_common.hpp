#pragma once
// Shared pieces of tandem_bench: the run's configuration, labels (the report's machine-readable
// identity of each run), cached input buffers and counters.
//
// Label schema (space-separated key=value): kind=workload|reference; for workloads:
// workload, dtype, backend, threads (0 = default), n, sweep=size|threads, variant=host|device,
// memory=vector|tandem (host inputs and outputs in ordinary memory, or tandem::allocator
// memory; map and mse), bytes and flops per call, notebook=1 for the notebooks' size; for
// references: ref, threads, bytes, flops, dtype, n, pages=2m|4k for the page-size bandwidth
// limits. bench/report.py reads these.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "tandem/tandem.hpp"

namespace tandem_bench {

struct Config {
  bool quick = true;
  int max_threads = 1;                    // OpenMP threads by default
  std::vector<int> thread_sweep;          // 1, 2, 4, ... max_threads
  std::int64_t llc_bytes = 0;             // last-level cache
  double min_time = 0.05;                 // seconds per repetition
  int repetitions = 1;                    // the report takes the median
  std::vector<tandem::Backend> backends;  // available ones, then automatic
};

/// Powers of two 2^lo, 2^(lo+step), ..., up to 2^hi.
std::vector<std::int64_t> pow2_sizes(int lo, int hi, int step);

/// The smallest power-of-two element count whose bytes reach 4x the last-level cache.
std::int64_t bandwidth_elems(const Config& c, std::size_t elem);

/// Where a buffer lives: ordinary 64-byte aligned heap memory (what std::vector gets: 4 KiB
/// pages when transparent huge pages are in madvise mode), tandem::allocator memory, or a
/// mapping advised MADV_HUGEPAGE (2 MiB pages) or MADV_NOHUGEPAGE (4 KiB pages).
enum class Memory { ordinary, tandem, huge_pages, small_pages };

/// "vector", "tandem", "2m", "4k".
const char* memory_name(Memory m);

/// A buffer of n values of T kept between benchmarks (slot 0, 1, 2... per kind of memory):
/// deterministic pseudo-random values (floats in [-1, 1), integers in [0, 10)).
template <class T>
T* input(int slot, std::int64_t n, Memory memory = Memory::ordinary);

/// Key-value label builder.
class Label {
 public:
  Label& operator()(const char* key, const std::string& value);
  Label& operator()(const char* key, std::int64_t value) {
    return (*this)(key, std::to_string(value));
  }
  Label& operator()(const char* key, double value);
  const std::string& str() const { return s_; }

 private:
  std::string s_;
};

template <class T>
std::string dtype_name() {
  return std::string(tandem::to_string(tandem::dtype_of<T>));
}

/// A workload run's benchmark name (workload/dtype/backend[/threads:T]/n:N) and label.
struct Case {
  std::string id;
  Label label;
};
Case workload_case(const char* workload, const std::string& dtype, tandem::Backend b, int threads,
                   std::int64_t n, const char* sweep, double bytes, double flops,
                   Memory memory = Memory::ordinary);

/// Registers one case of a workload: backend, Options::threads, n, sweep ("size"/"threads").
/// `memory` is Memory::ordinary, or Memory::tandem for the openmp cases that elementwise_sweeps
/// repeats on tandem::allocator memory (at 1024 and at 4x the last-level cache).
using CaseFn = std::function<void(tandem::Backend, int, std::int64_t, const char*, Memory)>;

/// The sweeps of an elementwise workload over `elem`-byte values: n = 2^8 ... 2^24 (full:
/// 2^26) and 4x the last-level cache, with the bandwidth reference `ref` right before that
/// size, each size on every backend; then, if `thread_sweep`, OpenMP threads 1 ... N there.
void elementwise_sweeps(const Config& c, std::size_t elem, const char* ref, bool thread_sweep,
                        const CaseFn& add_case);

/// Whether the run has backend b.
bool has(const Config& c, tandem::Backend b);

/// Registers fn under `name` with the run's timing settings (real time, min time, unit).
benchmark::internal::Benchmark* add(const std::string& name, const Config& c,
                                    std::function<void(benchmark::State&)> fn);

/// How many benchmarks add() registered.
std::size_t registered_count();

/// Sets label and rate counters after the timed loop: items/s, bytes/s and FLOP/s.
void finish(benchmark::State& st, const Label& label, double items, double bytes, double flops);

/// A run of `automatic` with the built-in defaults instead of the profile (labelled
/// backend=automatic_defaults): the same sweep measures automatic before and after calibration.
inline constexpr auto kAutomaticDefaults = static_cast<tandem::Backend>(100);

/// The backend a case passes in Options::backend.
inline tandem::Backend real(tandem::Backend b) {
  return b == kAutomaticDefaults ? tandem::Backend::automatic : b;
}

/// Makes automatic use the built-in defaults for the lifetime of a kAutomaticDefaults case,
/// then the profile of the run again.
class ModelScope {
 public:
  explicit ModelScope(tandem::Backend b);
  ~ModelScope();
  ModelScope(const ModelScope&) = delete;
  ModelScope& operator=(const ModelScope&) = delete;

 private:
  bool active_;
  std::string path_;
};

/// "serial", "openmp", ... for names and labels.
inline std::string name(tandem::Backend b) {
  return b == kAutomaticDefaults ? "automatic_defaults" : std::string(tandem::to_string(b));
}

/// The empty OpenMP parallel region, at every thread count of the sweep.
void register_references(const Config& c);
/// Memory bandwidth ("read_bw" or "copy_bw") over 4x the last-level cache, every thread count;
/// then the limits: "read_bw" also as read_bw_2m and read_bw_4k (2 MiB and 4 KiB pages), and
/// "copy_bw" as copy_nt_bw_2m and copy_nt_bw_4k (a copy with streaming stores), at 1 and all
/// threads.
void register_bandwidth_reference(const Config& c, const char* ref);
/// Thrust's OpenMP system as a peer of map (y = 2x) and mse at n (nothing without the CCCL
/// headers at build time): references thrust_omp_map and thrust_omp_mse.
void register_thrust_peer(const Config& c, const char* workload, std::int64_t n);
/// A raw BLAS GEMM of n x n matrices of T (nothing for integers or without BLAS).
template <class T>
void register_blas_reference(const Config& c, std::int64_t n);
void register_map(const Config& c);
void register_matmul(const Config& c);
void register_polynomial_grid(const Config& c);
void register_mse(const Config& c);
void register_sort(const Config& c);
/// sum, mean, min, max and map_reduce (bench/reduce_bench.cpp).
void register_reduce(const Config& c);
/// GPU references and device-resident runs (nothing when cuda is unavailable).
void register_gpu(const Config& c);

}  // namespace tandem_bench
