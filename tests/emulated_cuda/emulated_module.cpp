// The emulated module's benchmark references (tandem_cuda_bench_references): what gpu/module.cu
// measures, timed with the host clock on the emulation. Everything else of the module is the
// real module's code (gpu/module_entry.cpp, runtime.cpp, cuda_<workload>.cu) over the host
// device API (device_api_host.cpp).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "host_call.hpp"
#include "module/cuda_module_abi.hpp"
#include "module_api.hpp"

namespace tandem::cuda {

namespace {

// The workload the entry is running on this thread (workload_starting), for inject_fault().
thread_local tandem::Workload t_workload{};
thread_local bool t_in_workload = false;

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

void workload_starting(tandem::Workload workload) {
  t_workload = workload;
  t_in_workload = true;
}

void inject_fault() {
  const char* env = std::getenv("TANDEM_EMULATED_FAULT");
  if (!t_in_workload || env == nullptr || to_string(t_workload) != env) return;
  throw ModuleFailure{errc::device_error,
                      std::string("cudaStreamSynchronize(stream) failed: "
                                  "cudaErrorIllegalAddress: an illegal memory access was "
                                  "encountered (emulated: TANDEM_EMULATED_FAULT=") +
                          env + ")",
                      true};
}

// What gpu/module.cu's reference() measures, timed with the host clock on the emulation.
double reference(int which, std::int64_t a, std::int64_t b, std::int64_t c, int repetitions) {
  repetitions = std::max(repetitions, 1);
  if (a < 0 || b < 0 || c < 0) {
    fail(errc::invalid_argument, "reference sizes must be >= 0 (got " + std::to_string(a) + ", " +
                                     std::to_string(b) + ", " + std::to_string(c) + ")");
  }
  t_in_workload = false;  // a reference is no workload: never faulted
  HostCall call(nullptr);
  std::vector<double> seconds;
  const auto timed = [&](auto&& op) {
    op();  // warm-up
    for (int r = 0; r < repetitions; ++r) {
      const auto t = std::chrono::steady_clock::now();
      op();
      seconds.push_back(seconds_since(t));
    }
  };
  const auto bytes = static_cast<std::size_t>(a);
  switch (which) {
    case TANDEM_CUDA_REF_EMPTY_LAUNCH:
      timed([&] {
        call.compute_begin();
        call.compute_end();
      });
      break;
    case TANDEM_CUDA_REF_D2D_COPY: {
      void* src = call.scratch(bytes);
      void* dst = call.scratch(bytes);
      std::memset(src, 1, bytes);
      timed([&] { std::memcpy(dst, src, bytes); });
      break;
    }
    case TANDEM_CUDA_REF_H2D_COPY:
    case TANDEM_CUDA_REF_D2H_COPY: {
      void* dev = call.scratch(bytes);
      std::vector<char> host(bytes, 1);
      const bool h2d = which == TANDEM_CUDA_REF_H2D_COPY;
      timed([&] {
        if (h2d) {
          call.upload(dev, host.data(), 1, bytes, bytes);
        } else {
          call.download(host.data(), bytes, dev, 1, bytes);
        }
      });
      break;
    }
    case TANDEM_CUDA_REF_SGEMM:
    case TANDEM_CUDA_REF_DGEMM: {
      const bool f32 = which == TANDEM_CUDA_REF_SGEMM;
      const std::size_t elem = f32 ? sizeof(float) : sizeof(double);
      detail::MatmulArgs args{
          f32 ? DType::f32 : DType::f64, a, b, c, nullptr, c, nullptr, b, nullptr, b};
      args.a = call.scratch(static_cast<std::size_t>(a * c) * elem);
      args.b = call.scratch(static_cast<std::size_t>(c * b) * elem);
      args.c = call.scratch(static_cast<std::size_t>(a * b) * elem);
      // Random values in [-1, 1), as the module (a GEMM of zeros is not a caller's GEMM).
      std::uint64_t state = 0x2545F4914F6CDD1Dull;
      const auto fill = [&](void* p, std::int64_t count) {
        for (std::int64_t i = 0; i < count; ++i) {
          state = state * 6364136223846793005ull + 1442695040888963407ull;
          const double v = static_cast<double>(state >> 11) * 0x1.0p-52 - 1.0;
          if (f32) {
            static_cast<float*>(p)[i] = static_cast<float>(v);
          } else {
            static_cast<double*>(p)[i] = v;
          }
        }
      };
      fill(const_cast<void*>(args.a), a * c);
      fill(const_cast<void*>(args.b), c * b);
      timed([&] { run_matmul(args, true, nullptr); });
      break;
    }
    default:
      fail(errc::invalid_argument, "unknown reference " + std::to_string(which));
  }
  call.finish();
  std::sort(seconds.begin(), seconds.end());
  return seconds[seconds.size() / 2];
}

}  // namespace tandem::cuda
