// The cuda backend's own runs, registered only where cuda is available: GPU references measured
// in the same run (empty kernel launch + synchronize, device-to-device, host-to-device and
// device-to-host copies, raw cuBLAS GEMM), and map, mse and matmul on device-resident data
// (DeviceBuffer, variant=device), where no transfer is paid, and host-data map and mse at 2^26
// (variant=host, the chunked pipeline) beside the copy references. The other host-data runs of
// cuda are the workload files' own (they loop over every available backend).
#include <dlfcn.h>

#include <map>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>

#include "../common/src/module/cuda_bench_abi.hpp"
#include "bench_common.hpp"

namespace tandem::detail {
// The loaded cuda module's dlopen handle (common/src/api/device.cpp); throws when cuda is
// unavailable.
TANDEM_EXPORT void* cuda_module_handle();
}  // namespace tandem::detail

namespace tandem_bench {

namespace {

enum Ref {
  kLaunch = TANDEM_CUDA_REF_EMPTY_LAUNCH,
  kD2D = TANDEM_CUDA_REF_D2D_COPY,
  kH2D = TANDEM_CUDA_REF_H2D_COPY,
  kD2H = TANDEM_CUDA_REF_D2H_COPY,
  kSgemm = TANDEM_CUDA_REF_SGEMM,
  kDgemm = TANDEM_CUDA_REF_DGEMM,
};

// The module's reference measurements, outside its production table: the exported
// TANDEM_CUDA_BENCH_SYMBOL, looked up here in the module the library loaded. Seconds per
// operation, timed with CUDA events on the device (host clock for the launch + synchronize).
double reference_seconds(Ref which, std::int64_t a, std::int64_t b, std::int64_t c) {
  static const auto fn = [] {
    void* symbol = dlsym(tandem::detail::cuda_module_handle(), TANDEM_CUDA_BENCH_SYMBOL);
    if (symbol == nullptr) {
      throw std::runtime_error(std::string("the CUDA module has no ") + TANDEM_CUDA_BENCH_SYMBOL);
    }
    return reinterpret_cast<TandemCudaBenchReferences>(symbol);
  }();
  double seconds = 0.0;
  char message[1024] = {};
  if (fn(which, a, b, c, 1, &seconds, message, sizeof(message)) != 0) {
    throw std::runtime_error(std::string("GPU reference: ") + message);
  }
  return seconds;
}

Label reference(const char* ref, double bytes, double flops) {
  Label l;
  l("kind", "reference")("ref", ref)("threads", std::int64_t{1})("bytes", bytes)("flops", flops);
  return l;
}

// Manual time: each iteration is one operation as the module timed it.
void add_reference(const Config& c, const std::string& id, const Label& label, Ref which,
                   std::int64_t a, std::int64_t b, std::int64_t k, double items, double bytes,
                   double flops) {
  benchmark::RegisterBenchmark(id.c_str(),
                               [=](benchmark::State& st) {
                                 for (auto _ : st) {
                                   st.SetIterationTime(reference_seconds(which, a, b, k));
                                 }
                                 finish(st, label, items, bytes, flops);
                               })
      ->UseManualTime()
      ->MinTime(c.min_time)
      ->Repetitions(c.repetitions)
      ->Unit(benchmark::kMicrosecond);
}

/// DeviceBuffers kept between runs, filled from the host inputs once.
template <class T>
tandem::DeviceBuffer& device_input(int slot, std::int64_t n) {
  static std::map<std::pair<int, std::int64_t>, std::unique_ptr<tandem::DeviceBuffer>> cache;
  auto& p = cache[{slot, n}];
  if (!p) {
    // One buffer per slot at a time: drop the others of this slot first (device memory).
    for (auto it = cache.begin(); it != cache.end();) {
      it = it->first.first == slot && it->first.second != n ? cache.erase(it) : std::next(it);
    }
    p = std::make_unique<tandem::DeviceBuffer>(
        std::span<const T>(input<T>(slot, n), static_cast<std::size_t>(n)));
  }
  return *p;
}

// A cuda case of `variant` "device" (DeviceBuffer operands) or "host" (host data).
Case cuda_case(const char* workload, const std::string& dtype, std::int64_t n, double bytes,
               double flops, const char* variant) {
  Case k = workload_case(workload, dtype, tandem::Backend::cuda, 0, n, "size", bytes, flops);
  k.id = std::string(workload) + "/" + dtype + "/cuda-" + variant + "/n:" + std::to_string(n);
  Label l;
  l("kind", "workload")("workload", workload)("dtype", dtype)("backend", "cuda")(
      "threads", std::int64_t{0})("n", n)("sweep", "size")("variant", variant)("bytes", bytes)(
      "flops", flops);
  k.label = l;
  return k;
}

Case device_case(const char* workload, const std::string& dtype, std::int64_t n, double bytes,
                 double flops) {
  return cuda_case(workload, dtype, n, bytes, flops, "device");
}

template <class T>
void device_map(const Config& c, std::int64_t n) {
  const double bytes = 2.0 * static_cast<double>(n) * sizeof(T);
  const Case k = device_case("map", dtype_name<T>(), n, bytes, static_cast<double>(n));
  add(k.id, c, [=](benchmark::State& st) {
    const tandem::DeviceBuffer& x = device_input<T>(0, n);
    tandem::DeviceBuffer& y = device_input<T>(1, n);
    const tandem::Options o{.backend = tandem::Backend::cuda};
    for (auto _ : st) tandem::map(x, y, tandem::MapOp::scale(2), o);
    finish(st, k.label, static_cast<double>(n), bytes, static_cast<double>(n));
  });
}

template <class T>
void device_mse(const Config& c, std::int64_t n) {
  const double bytes = static_cast<double>(n) * sizeof(T);
  const Case k = device_case("mse", dtype_name<T>(), n, bytes, 2.0 * static_cast<double>(n));
  add(k.id, c, [=](benchmark::State& st) {
    const tandem::DeviceBuffer& e = device_input<T>(0, n);
    const tandem::Options o{.backend = tandem::Backend::cuda};
    for (auto _ : st) benchmark::DoNotOptimize(tandem::mse(e, o));
    finish(st, k.label, static_cast<double>(n), bytes, 2.0 * static_cast<double>(n));
  });
}

/// Host data at a size that takes the chunked pipeline (gpu/pipeline.hpp): map moves n elements
/// in and n out, mse(a, b) 2n in; against ref/h2d_bw and ref/d2h_bw (pinned, one copy), the
/// pipeline's overlap of staging, copies and compute shows as bytes/s.
Case host_case(const char* workload, const std::string& dtype, std::int64_t n, double bytes,
               double flops) {
  return cuda_case(workload, dtype, n, bytes, flops, "host");
}

template <class T>
void host_map(const Config& c, std::int64_t n) {
  const double bytes = 2.0 * static_cast<double>(n) * sizeof(T);
  const Case k = host_case("map", dtype_name<T>(), n, bytes, static_cast<double>(n));
  add(k.id, c, [=](benchmark::State& st) {
    const auto len = static_cast<std::size_t>(n);
    const std::span<const T> x(input<T>(0, n), len);
    const std::span<T> y(input<T>(1, n), len);
    const tandem::Options o{.backend = tandem::Backend::cuda};
    for (auto _ : st) {
      tandem::map(x, y, tandem::MapOp::scale(2), o);
      benchmark::ClobberMemory();
    }
    finish(st, k.label, static_cast<double>(n), bytes, static_cast<double>(n));
  });
}

template <class T>
void host_mse(const Config& c, std::int64_t n) {
  const double bytes = 2.0 * static_cast<double>(n) * sizeof(T);
  const Case k = host_case("mse", dtype_name<T>(), n, bytes, 3.0 * static_cast<double>(n));
  add(k.id, c, [=](benchmark::State& st) {
    const auto len = static_cast<std::size_t>(n);
    const std::span<const T> a(input<T>(0, n), len);
    const std::span<const T> b(input<T>(1, n), len);
    const tandem::Options o{.backend = tandem::Backend::cuda};
    for (auto _ : st) benchmark::DoNotOptimize(tandem::mse(a, b, o));
    finish(st, k.label, static_cast<double>(n), bytes, 3.0 * static_cast<double>(n));
  });
}

template <class T>
void device_matmul(const Config& c, std::int64_t n) {
  const double nd = static_cast<double>(n);
  const double bytes = 3.0 * nd * nd * sizeof(T), flops = 2.0 * nd * nd * nd;
  if constexpr (std::is_floating_point_v<T>) {
    const char* ref = "cublas_gemm";
    add_reference(c, "ref/cublas_gemm/" + dtype_name<T>() + "/n:" + std::to_string(n),
                  reference(ref, bytes, flops)("dtype", dtype_name<T>())("n", n),
                  std::is_same_v<T, float> ? kSgemm : kDgemm, n, n, n, nd * nd, bytes, flops);
  }
  const Case k = device_case("matmul", dtype_name<T>(), n, bytes, flops);
  add(k.id, c, [=](benchmark::State& st) {
    const tandem::DeviceBuffer& a = device_input<T>(0, n * n);
    const tandem::DeviceBuffer& b = device_input<T>(1, n * n);
    tandem::DeviceBuffer& out = device_input<T>(2, n * n);
    const tandem::Options o{.backend = tandem::Backend::cuda};
    for (auto _ : st) tandem::matmul(a.matrix(n, n), b.matrix(n, n), out.matrix(n, n), o);
    finish(st, k.label, nd * nd, bytes, flops);
  });
}

}  // namespace

void register_gpu(const Config& c) {
  if (!has(c, tandem::Backend::cuda)) return;
  add_reference(c, "ref/kernel_launch", reference("kernel_launch", 0, 0), kLaunch, 0, 0, 0, 1, 0,
                0);
  const std::int64_t big = std::int64_t{1} << 28;  // bytes: 256 MiB
  for (auto [ref, which] :
       {std::pair{"d2d_copy_bw", kD2D}, std::pair{"h2d_bw", kH2D}, std::pair{"d2h_bw", kD2H}}) {
    // A copy reads and writes: d2d moves 2x the bytes through device memory.
    const double moved = (which == kD2D ? 2.0 : 1.0) * static_cast<double>(big);
    add_reference(c, std::string("ref/") + ref, reference(ref, moved, 0)("n", big), which, big, 0,
                  0, static_cast<double>(big), moved, 0);
  }
  const auto sizes = c.quick ? pow2_sizes(8, 26, 2) : pow2_sizes(8, 27, 1);
  for (std::int64_t n : sizes) {
    device_map<double>(c, n);
    device_mse<double>(c, n);
  }
  device_map<float>(c, std::int64_t{1} << 26);
  device_mse<float>(c, std::int64_t{1} << 26);
  host_map<float>(c, std::int64_t{1} << 26);
  host_mse<float>(c, std::int64_t{1} << 26);
  host_map<double>(c, std::int64_t{1} << 26);
  host_mse<double>(c, std::int64_t{1} << 26);
  for (std::int64_t n : c.quick ? pow2_sizes(6, 12, 2) : pow2_sizes(4, 13, 1)) {
    device_matmul<float>(c, n);
    device_matmul<double>(c, n);
  }
  device_matmul<std::int32_t>(c, 4096);
}

}  // namespace tandem_bench
