// The CUDA module's entry point: the one exported C symbol, tandem_cuda_module(), and the table
// behind it. Every entry catches everything: only a code and a message leave the module.
#include <algorithm>
#include <cstring>
#include <exception>
#include <new>
#include <vector>

#include "cuda_module_abi.hpp"
#include "runtime.hpp"
#include "workloads.hpp"

namespace tandem::cuda {

namespace {

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
  } catch (const ModuleFailure& e) {
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

__global__ void empty_kernel() {}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

double reference(int which, std::int64_t a, std::int64_t b, std::int64_t c, int repetitions) {
  repetitions = std::max(repetitions, 1);
  Call call(nullptr);
  const cudaStream_t stream = call.stream();
  cudaEvent_t start, stop;
  TANDEM_CUDA_CHECK(cudaEventCreate(&start));
  TANDEM_CUDA_CHECK(cudaEventCreate(&stop));
  std::vector<double> seconds;
  void* host = nullptr;
  const auto timed = [&](auto&& op) {
    op();  // warm-up
    TANDEM_CUDA_CHECK(cudaStreamSynchronize(stream));
    for (int r = 0; r < repetitions; ++r) {
      TANDEM_CUDA_CHECK(cudaEventRecord(start, stream));
      op();
      TANDEM_CUDA_CHECK(cudaEventRecord(stop, stream));
      TANDEM_CUDA_CHECK(cudaEventSynchronize(stop));
      float ms = 0;
      TANDEM_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
      seconds.push_back(ms * 1e-3);
    }
  };
  try {
    const auto bytes = static_cast<std::size_t>(a);
    switch (which) {
      case TANDEM_CUDA_REF_EMPTY_LAUNCH:
        // Host-timed: what a caller waits for, launch and synchronize included.
        for (int r = 0; r <= repetitions; ++r) {
          const auto t = std::chrono::steady_clock::now();
          empty_kernel<<<1, 1, 0, stream>>>();
          TANDEM_CUDA_CHECK(cudaGetLastError());
          TANDEM_CUDA_CHECK(cudaStreamSynchronize(stream));
          if (r > 0) {
            seconds.push_back(
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count());
          }
        }
        break;
      case TANDEM_CUDA_REF_D2D_COPY: {
        void* src = call.scratch(bytes);
        void* dst = call.scratch(bytes);
        TANDEM_CUDA_CHECK(cudaMemsetAsync(src, 1, bytes, stream));
        timed([&] {
          TANDEM_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream));
        });
        break;
      }
      case TANDEM_CUDA_REF_H2D_COPY:
      case TANDEM_CUDA_REF_D2H_COPY: {
        void* dev = call.scratch(bytes);
        TANDEM_CUDA_CHECK(cudaMallocHost(&host, bytes));
        std::memset(host, 1, bytes);
        const bool h2d = which == TANDEM_CUDA_REF_H2D_COPY;
        timed([&] {
          TANDEM_CUDA_CHECK(
              h2d ? cudaMemcpyAsync(dev, host, bytes, cudaMemcpyHostToDevice, stream)
                  : cudaMemcpyAsync(host, dev, bytes, cudaMemcpyDeviceToHost, stream));
        });
        break;
      }
      case TANDEM_CUDA_REF_SGEMM:
      case TANDEM_CUDA_REF_DGEMM: {
        const bool f32 = which == TANDEM_CUDA_REF_SGEMM;
        const std::size_t elem = f32 ? sizeof(float) : sizeof(double);
        const auto m = a, n = b, k = c;
        void* A = call.scratch(static_cast<std::size_t>(m * k) * elem);
        void* B = call.scratch(static_cast<std::size_t>(k * n) * elem);
        void* C = call.scratch(static_cast<std::size_t>(m * n) * elem);
        TANDEM_CUDA_CHECK(cudaMemsetAsync(A, 0, static_cast<std::size_t>(m * k) * elem, stream));
        TANDEM_CUDA_CHECK(cudaMemsetAsync(B, 0, static_cast<std::size_t>(k * n) * elem, stream));
        const cublasHandle_t h = call.blas();
        timed([&] {
          if (f32) {
            const float one = 1, zero = 0;
            TANDEM_CUDA_CHECK(cublas().sgemm(
                h, CUBLAS_OP_N, CUBLAS_OP_N, n, m, k, &one, static_cast<const float*>(B), n,
                static_cast<const float*>(A), k, &zero, static_cast<float*>(C), n));
          } else {
            const double one = 1, zero = 0;
            TANDEM_CUDA_CHECK(cublas().dgemm(
                h, CUBLAS_OP_N, CUBLAS_OP_N, n, m, k, &one, static_cast<const double*>(B), n,
                static_cast<const double*>(A), k, &zero, static_cast<double*>(C), n));
          }
        });
        break;
      }
      default:
        fail(errc::invalid_argument, "unknown reference " + std::to_string(which));
    }
  } catch (...) {
    if (host != nullptr) cudaFreeHost(host);
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    throw;
  }
  if (host != nullptr) cudaFreeHost(host);
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  call.finish();
  return median(seconds);
}

namespace {

int open(TandemCudaStatus* status) {
  return guarded(status, [&] {
    const std::string why = open_device();
    if (!why.empty()) fail(errc::backend_unavailable, why);
  });
}

void describe(char* buffer, std::size_t size) {
  if (size == 0) return;
  try {
    const std::string d = describe_device();
    const std::size_t n = std::min(d.size(), size - 1);
    std::memcpy(buffer, d.data(), n);
    buffer[n] = '\0';
  } catch (...) {
    buffer[0] = '\0';
  }
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

}  // namespace tandem::cuda

extern "C" __attribute__((visibility("default"))) const TandemCudaModule* tandem_cuda_module(
    std::uint32_t abi_version) {
  return abi_version == TANDEM_CUDA_ABI_VERSION ? &tandem::cuda::kModule : nullptr;
}
