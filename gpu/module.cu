// The CUDA module's benchmark references (tandem_cuda_bench_references, module_entry.cpp).
#include <algorithm>
#include <chrono>
#include <cstring>
#include <exception>
#include <new>
#include <vector>

#include "cuda_call.hpp"
#include "module/cuda_module_abi.hpp"

namespace tandem::cuda {

namespace {

__global__ void empty_kernel() {}

// Pseudo-random values in [-1, 1) (a hash of the index): a GEMM of zeros is not what a caller
// multiplies, and some GPUs run it faster (less switching power, higher clocks).
template <class T>
__global__ void fill_random(T* p, std::int64_t n, std::uint64_t seed) {
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    std::uint64_t z = seed + static_cast<std::uint64_t>(i) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    p[i] = static_cast<T>(static_cast<double>(z >> 11) * 0x1.0p-52 - 1.0);
  }
}

template <class T>
void randomise(void* p, std::int64_t n, std::uint64_t seed, cudaStream_t stream) {
  if (n <= 0) return;
  const auto blocks = static_cast<unsigned>(std::min<std::int64_t>((n + 255) / 256, 4096));
  fill_random<T><<<blocks, 256, 0, stream>>>(static_cast<T*>(p), n, seed);
  TANDEM_CUDA_CHECK(cudaGetLastError());
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

void workload_starting(tandem::Workload) {}

double reference(int which, std::int64_t a, std::int64_t b, std::int64_t c, int repetitions) {
  repetitions = std::max(repetitions, 1);
  CudaCall call(nullptr);
  const cudaStream_t stream = call.cuda_stream();
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
        if (f32) {
          randomise<float>(A, m * k, 1, stream);
          randomise<float>(B, k * n, 2, stream);
        } else {
          randomise<double>(A, m * k, 1, stream);
          randomise<double>(B, k * n, 2, stream);
        }
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

}  // namespace tandem::cuda
