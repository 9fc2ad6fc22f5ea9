// libtandem_cuda_emulated.so: the cuda module's C table (common/src/cuda_module_abi.hpp) on host
// memory, for machines without a GPU. Loaded through TANDEM_CUDA_MODULE, it makes the cuda
// backend available so that the per-backend tests exercise the core's side of the boundary
// (loader, adapter, DeviceBuffer, device-resident overloads, error translation, the stats
// breakdown) and the module's Thrust algorithms, run on Thrust's OpenMP system.
//
// Like gpu/module.cu, every entry catches everything: only a code and a message leave.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "cuda_module_abi.hpp"
#include "emulated_runtime.hpp"
#include "emulated_workloads.hpp"

namespace tandem::emulated {

namespace {

constexpr const char* kDescription =
    "emulated CUDA device (host memory, Thrust OpenMP system; for tests)";

void write(TandemCudaStatus* status, errc code, const std::string& message) {
  status->code = static_cast<int>(code);
  const std::size_t n = std::min(message.size(), sizeof(status->message) - 1);
  std::memcpy(status->message, message.data(), n);
  status->message[n] = '\0';
}

template <class F>
int guarded(TandemCudaStatus* status, F&& f) noexcept {
  status->code = 0;
  status->message[0] = '\0';
  try {
    f();
  } catch (const Failure& e) {
    write(status, e.code, e.message);
  } catch (const tandem::error& e) {
    write(status, e.code(), e.what());
  } catch (const std::bad_alloc&) {
    write(status, errc::out_of_memory, "out of host memory");
  } catch (const std::exception& e) {
    write(status, errc::device_error, e.what());
  } catch (...) {
    write(status, errc::device_error, "unknown error in the CUDA module");
  }
  return status->code;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// What gpu/module.cu's reference() measures, timed with the host clock on the emulation.
double reference(int which, std::int64_t a, std::int64_t b, std::int64_t c, int repetitions) {
  repetitions = std::max(repetitions, 1);
  if (a < 0 || b < 0 || c < 0) {
    fail(errc::invalid_argument, "reference sizes must be >= 0 (got " + std::to_string(a) + ", " +
                                     std::to_string(b) + ", " + std::to_string(c) + ")");
  }
  Call call(nullptr);
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
      detail::MatmulArgs args{f32 ? DType::f32 : DType::f64, a, b, c, nullptr, c, nullptr, b,
                              nullptr, b};
      args.a = call.scratch(static_cast<std::size_t>(a * c) * elem);
      args.b = call.scratch(static_cast<std::size_t>(c * b) * elem);
      args.c = call.scratch(static_cast<std::size_t>(a * b) * elem);
      std::memset(const_cast<void*>(args.a), 0, static_cast<std::size_t>(a * c) * elem);
      std::memset(const_cast<void*>(args.b), 0, static_cast<std::size_t>(c * b) * elem);
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

int open(TandemCudaStatus* status) {
  return guarded(status, [&] {
    const std::string why = open_device();
    if (!why.empty()) fail(errc::backend_unavailable, why);
  });
}

void describe(char* buffer, std::size_t size) {
  if (size == 0) return;
  const std::size_t n = std::min(std::strlen(kDescription), size - 1);
  std::memcpy(buffer, kDescription, n);
  buffer[n] = '\0';
}

int map(const detail::MapArgs* args, int device, detail::Breakdown* timing,
        TandemCudaStatus* status) {
  return guarded(status, [&] { run_map(*args, device != 0, timing); });
}
int matmul(const detail::MatmulArgs* args, int device, detail::Breakdown* timing,
           TandemCudaStatus* status) {
  return guarded(status, [&] { run_matmul(*args, device != 0, timing); });
}
int polynomial_grid(const detail::PolynomialGridArgs* args, int device, detail::Breakdown* timing,
                    TandemCudaStatus* status) {
  return guarded(status, [&] { run_polynomial_grid(*args, device != 0, timing); });
}
int mse(const detail::MseArgs* args, int device, double* result, detail::Breakdown* timing,
        TandemCudaStatus* status) {
  return guarded(status, [&] { *result = run_mse(*args, device != 0, timing); });
}

int allocate(std::size_t bytes, void** pointer, TandemCudaStatus* status) {
  return guarded(status, [&] { *pointer = allocate_buffer(bytes); });
}
int upload(void* dst, const void* src, std::size_t bytes, TandemCudaStatus* status) {
  return guarded(status, [&] {
    Call call(nullptr);
    call.upload(dst, src, 1, bytes, bytes);
    call.finish();
  });
}
int download(void* dst, const void* src, std::size_t bytes, TandemCudaStatus* status) {
  return guarded(status, [&] {
    Call call(nullptr);
    call.download(dst, bytes, src, 1, bytes);
    call.finish();
  });
}
int reference_entry(int which, std::int64_t a, std::int64_t b, std::int64_t c, int repetitions,
                    double* seconds, TandemCudaStatus* status) {
  return guarded(status, [&] { *seconds = reference(which, a, b, c, repetitions); });
}

const TandemCudaModule kModule = {
    TANDEM_CUDA_ABI_VERSION,
    {detail::kCudaAbiSizes[0], detail::kCudaAbiSizes[1], detail::kCudaAbiSizes[2],
     detail::kCudaAbiSizes[3], detail::kCudaAbiSizes[4], detail::kCudaAbiSizes[5]},
    open,
    describe,
    map,
    matmul,
    polynomial_grid,
    mse,
    allocate,
    release_buffer,
    upload,
    download,
    reference_entry,
    memory_stats,
    trim,
};

}  // namespace

}  // namespace tandem::emulated

extern "C" __attribute__((visibility("default"))) const TandemCudaModule* tandem_cuda_module(
    std::uint32_t abi_version) {
  return abi_version == TANDEM_CUDA_ABI_VERSION ? &tandem::emulated::kModule : nullptr;
}
