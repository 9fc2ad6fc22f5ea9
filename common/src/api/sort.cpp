// RECIPE 4 (ARCHITECTURE.md, "Adding a workload"): the entry points, the verifier, the Problem
// formula and the traits.
// tandem::sort: validate, dispatch; then what the workload is (Problem, traits) and its
// verification (the backend sorts a copy, serial another; equal as values, then committed).
#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "checks/device_checks.hpp"
#include "checks/validate.hpp"
#include "checks/verify_tools.hpp"
#include "dispatch/dispatch.hpp"
#include "tandem/sort.hpp"
#include "workloads/sample_data.hpp"
#include "workloads/workload_traits.hpp"

namespace tandem {

namespace detail {
namespace {

constexpr const char* kSort = "tandem::sort";

// Runs the backend on a copy of x and serial on another, compares them as values (NaN equals
// NaN, -0.0 equals +0.0: the order leaves their places open) and only then writes the
// backend's result into x. For a DeviceBuffer the backend's copy is in GPU memory and serial's
// on the host.
template <class T>
void verified_sort(BackendImpl& backend, const Exec& exec, const SortArgs& args, Verification& v) {
  const auto n = static_cast<std::size_t>(args.n);
  const HostCopy host = host_operand(kSort, args.x, 1, args.n, args.n, sizeof(T), exec.device);
  const T* x = static_cast<const T*>(host.data);
  std::vector<T> want(x, x + n);
  Scratch copy(kSort, n * sizeof(T), exec.device);
  commit(kSort, copy.data(), args.n, reinterpret_cast<const std::byte*>(x), 1, args.n, sizeof(T),
         exec.device);
  SortArgs a{args.dtype, copy.data(), args.n};
  timed(v, [&] { run_on<tandem::Workload::sort>(backend, a, exec); });
  SortArgs s{args.dtype, want.data(), args.n};
  run_on<tandem::Workload::sort>(serial_backend(), s, serial_exec());
  v.compared = args.n;
  const T* mine = reinterpret_cast<const T*>(copy.host());
  for (std::size_t i = 0; i < n; ++i) {
    const bool same = mine[i] == want[i] || (mine[i] != mine[i] && want[i] != want[i]);
    if (!same) {
      std::ostringstream m;
      m.precision(17);
      m << kSort << ": verification against serial failed: the " << to_string(backend.kind())
        << " backend's sorted " << to_string(args.dtype) << " array has " << +mine[i]
        << " at index " << i << " of " << n << " but serial's has " << +want[i]
        << " (the order is exact); the array is untouched";
      throw verification_error(m.str());
    }
  }
  commit(kSort, args.x, args.n, reinterpret_cast<const std::byte*>(mine), 1, args.n, sizeof(T),
         exec.device);
}

template <class T>
void sort_impl(std::span<T> x, const Options& options) {
  const auto start = std::chrono::steady_clock::now();
  check_options(kSort, options);
  check_span(kSort, "x", x.data(), x.size(), sizeof(T));
  const auto n = static_cast<std::int64_t>(x.size());
  SortArgs args{dtype_of<T>, x.data(), n};
  const Call call{kSort, Problem::sort(dtype_of<T>, n)};
  run(
      call, options, start,
      [&](BackendImpl& be, const Exec& e) { run_on<tandem::Workload::sort>(be, args, e); },
      [&](BackendImpl& be, const Exec& e, Verification& v) { verified_sort<T>(be, e, args, v); });
}

// sum of s[i] * (i + 1) / n: the sample call's checksum, which only the sorted order gives.
template <class T>
double order_checksum(const std::vector<T>& s) {
  double total = 0;
  const auto n = static_cast<double>(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    total += static_cast<double>(s[i]) * (static_cast<double>(i + 1) / n);
  }
  return total;
}

}  // namespace
}  // namespace detail

#define TANDEM_DEFINE_SORT_(T, name) \
  void sort(std::span<T> x, const Options& o) { detail::sort_impl<T>(x, o); }
TANDEM_FOR_EACH_DTYPE(TANDEM_DEFINE_SORT_)
#undef TANDEM_DEFINE_SORT_

void sort(DeviceBuffer& x, const Options& options) {
  using namespace detail;
  const auto start = std::chrono::steady_clock::now();
  check_options(kSort, options);
  visit_dtype(x.dtype(), [&]<class T>() {
    SortArgs args{dtype_of<T>, x.data(), x.size()};
    const Call call{kSort, on_device(Problem::sort(dtype_of<T>, x.size()))};
    run(
        call, options, start,
        [&](BackendImpl& be, const Exec& e) { run_on<tandem::Workload::sort>(be, args, e); },
        [&](BackendImpl& be, const Exec& e, Verification& v) { verified_sort<T>(be, e, args, v); });
  });
}

// ---- what sort is: its Problem, cost-model defaults, calibration sizes, sample call ---------

Problem Problem::sort(DType dtype, std::int64_t n) {
  const auto e = static_cast<double>(n);
  return {Workload::sort, dtype, e, 2.0 * e * detail::checked_size("tandem::Problem::sort", dtype)};
}

namespace detail {

template <>
const WorkloadTraits& traits_of<tandem::Workload::sort>() {
  static const WorkloadTraits t{
      .has_dtype = any_dtype,
      .problem = [](DType d, const WorkloadSize& s) { return Problem::sort(d, s.n); },
      .input_fraction = 0.5,  // the values go in and come back
      // Per value at 1e6-1e7 (bench/sort_bench.cpp, 2 cores of an AMD EPYC): std::sort about
      // 90 ns; the openmp radix sort 10-20 ns (8 passes for 64-bit values, 4 for 32-bit).
      .serial_default =
          [](DType) {
            return Default{0.1e-6, 90e-9};
          },
      .openmp_default =
          [](DType d) {
            return Default{20e-6, size_of(d) == 8 ? 16e-9 : 9e-9};
          },
      .cuda_default =
          [](DType d) {
            // CUB's radix sort: about 24 passes over the values' bytes (plus the NaN count).
            return cuda_streaming_default(d, 24.0);
          },
      .cpu_sizes = elementwise_cpu_sizes,
      .gpu_sizes = elementwise_gpu_sizes,
      .sample_bytes =
          [](DType d, const WorkloadSize& s) {
            return static_cast<double>(s.n) * static_cast<double>(size_of(d));
          },
      .sample =
          [](DType d, const WorkloadSize& s) {
            return visit_dtype(d, [&]<class T>() {
              auto input = std::make_shared<const std::vector<T>>(sample_values<T>(s.n, 7));
              auto x = std::make_shared<std::vector<T>>();
              return SampleCall{Problem::sort(d, s.n),
                                [input, x](const Options& o) {
                                  *x = *input;
                                  tandem::sort(std::span<T>(*x), o);
                                },
                                [x] { return order_checksum(*x); }};
            });
          },
      .cli = {std::int64_t{1} << 20, kMaxSampleElements, false, false,
              "N values sorted ascending in place (NaNs last)"},
  };
  return t;
}

}  // namespace detail

}  // namespace tandem
