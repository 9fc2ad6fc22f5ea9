#pragma once
// The emulated cuda module's run-time state, shaped like gpu/runtime.hpp so that the workloads
// read like their .cu counterparts: "device memory" is host memory under a byte cap, scratch
// comes from a caching pool, and each call borrows a worker whose two staging buffers play the
// part of pinned memory. Phases are timed with the host clock.
#include <thrust/system/omp/execution_policy.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "device_ops.hpp"
#include "dispatch/backend_impl.hpp"
#include "module_api.hpp"

namespace tandem::cuda {

// open_device, allocate_buffer, release_buffer, trim and memory_stats: see module_api.hpp.

struct Worker;

/// TANDEM_EMULATED_FAULT=<workload> (map, matmul, polynomial_grid, mse): every call of that
/// workload fails as a kernel that touched an illegal address does on a GPU, a sticky error
/// that loses the context. Call at the start of each workload.
void inject_fault(const char* workload);

/// One workload call, as gpu/runtime.hpp's Call: borrows a worker, hands out scratch, stages
/// copies, and writes the phase breakdown when asked.
class Call {
 public:
  explicit Call(detail::Breakdown* timing);
  ~Call();
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  /// Scratch of `bytes` from the caching pool, the call's until it ends.
  void* scratch(std::size_t bytes);
  template <class T>
  T* scratch_for(std::int64_t count) {
    return static_cast<T*>(scratch(static_cast<std::size_t>(count) * sizeof(T)));
  }

  /// As gpu/runtime.hpp: the staging buffers, and a block for Thrust's temporaries, taken
  /// before the clock starts.
  void prepare_staging();
  void reserve_thrust(std::size_t bytes);

  /// Host rows (rows x row_bytes, stride src_stride bytes) into contiguous "device" memory and
  /// back, through the worker's staging buffers in chunks, as the real module does.
  void upload(void* device_dst, const void* host_src, std::size_t rows, std::size_t row_bytes,
              std::size_t src_stride);
  void download(void* host_dst, std::size_t dst_stride, const void* device_src, std::size_t rows,
                std::size_t row_bytes);

  void compute_begin();
  void compute_end();
  void finish();

  /// Thrust's temporary storage, from this call's scratch (freed with the call).
  struct ThrustAllocator {
    using value_type = char;
    Call* call;
    char* allocate(std::ptrdiff_t n) { return call->thrust_take(static_cast<std::size_t>(n)); }
    void deallocate(char*, std::size_t) noexcept {}
  };
  ThrustAllocator thrust_allocator() noexcept { return ThrustAllocator{this}; }
  /// Thrust's OpenMP system with the call's scratch, where the GPU has the call's stream.
  auto policy() { return thrust::omp::par(thrust_allocator()); }
  /// Nothing to check: the host algorithms report their failures by throwing.
  void launched() noexcept {}

  /// Row-major C = A·B (k > 0), where the module has cuBLAS and its integer kernel: a loop with
  /// the module's element operations (wraparound for integers, plain IEEE for floats), each
  /// element summed over l in order, in T. zero_matrix: C = 0.
  template <class T>
  void gemm(std::int64_t m, std::int64_t n, std::int64_t k, const T* A, std::int64_t lda,
            const T* B, std::int64_t ldb, T* C, std::int64_t ldc) {
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < m; ++i) {
      T* c = C + i * ldc;
      for (std::int64_t j = 0; j < n; ++j) c[j] = T{0};
      for (std::int64_t l = 0; l < k; ++l) {
        const T a = A[i * lda + l];
        const T* b = B + l * ldb;
        for (std::int64_t j = 0; j < n; ++j) c[j] = add(c[j], mul(a, b[j]));
      }
    }
  }
  template <class T>
  void zero_matrix(T* C, std::int64_t m, std::int64_t n, std::int64_t ldc) {
    for (std::int64_t i = 0; i < m; ++i) {
      for (std::int64_t j = 0; j < n; ++j) C[i * ldc + j] = T{0};
    }
  }

 private:
  char* thrust_take(std::size_t bytes);

  Worker* w_;
  detail::Breakdown* timing_;
  double allocation_ = 0.0;
  char* arena_ = nullptr;
  std::size_t arena_size_ = 0;
  std::size_t arena_used_ = 0;
  double host_to_device_ = 0.0;
  double compute_ = 0.0;
  double device_to_host_ = 0.0;
  std::chrono::steady_clock::time_point compute_start_{};
};

}  // namespace tandem::cuda
