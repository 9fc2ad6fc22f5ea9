#pragma once
// The cuda module's run-time state, written once over the device API (device_api.hpp): the
// device, a caching pool of device memory, and a pool of workers (stream, events, pinned staging
// buffers, the math library's handle). A call borrows a worker, so calls from many host threads
// run concurrently on their own streams, and every buffer is reused across calls: steady-state
// calls allocate nothing. The real module runs it on CUDA (cuda_call.hpp adds the Thrust policy
// and cuBLAS); the emulated module runs the same code on host memory.
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "device_api.hpp"
#include "dispatch/backend_impl.hpp"
#include "pipeline.hpp"

namespace tandem::cuda {

// open_device, describe_device, allocate_buffer, release_buffer, upload_bytes, download_bytes,
// trim and memory_stats are declared in module_api.hpp: the module's entry calls them.

struct Worker;

/// Makes the module's device current for a scope and gives the caller's thread its own current
/// device back afterwards: the module never changes the device of the user's CUDA code.
class DeviceScope {
 public:
  DeviceScope();
  ~DeviceScope();
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;

 private:
  int previous_ = -1;  // >= 0: restore it
};

/// One chunk of Call::pipeline: elements [first, first + count) of the call's arrays (chunk
/// `index`), with the device copy of each input's chunk; the output chunk, if any, is computed in
/// place into in[0].
struct PipeChunk {
  std::int64_t index;
  std::int64_t first;
  std::int64_t count;
  void* in[2];
};

/// A host-data flow for Call::pipeline: n elements of elem bytes in `inputs` host arrays in[],
/// and a host array `out` (or null: nothing comes back); with an output, one input. Optionally a
/// small host array first, uploaded whole to device memory `first_device` on the call's stream
/// before any chunk (map's polynomial coefficients).
struct PipeSpec {
  std::int64_t n;
  std::size_t elem;
  int inputs;
  const void* in[2];
  void* out;
  const void* first_host = nullptr;
  void* first_device = nullptr;
  std::size_t first_bytes = 0;
};

/// What the pipeline runs for each chunk: enqueues its compute on the call's stream.
class ChunkWork {
 public:
  // Not for a ChunkWork itself (that is the copy constructor's).
  template <class F, class = std::enable_if_t<!std::is_same_v<std::remove_cv_t<F>, ChunkWork>>>
  ChunkWork(F& f) noexcept  // NOLINT(google-explicit-constructor): a function reference
      : object_(&f), call_([](void* o, const PipeChunk& c) { (*static_cast<F*>(o))(c); }) {}
  void operator()(const PipeChunk& c) const { call_(object_, c); }

 private:
  void* object_;
  void (*call_)(void*, const PipeChunk&);
};

/// One workload call: borrows a worker for its lifetime and measures its phases with the
/// device's timing events (allocation with the host clock, as device allocation is synchronous).
class Call {
 public:
  explicit Call(detail::Breakdown* timing);
  ~Call();
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  dev::Stream stream() const noexcept;
  /// The worker's slot for the math library's handle (cuBLAS on a GPU): made on first use by
  /// the module's call, kept with the worker.
  void*& library_handle() noexcept;

  /// Device scratch of `bytes` from the caching pool, counted as allocation time. It stays the
  /// call's until the call ends (after its stream is idle), then goes back to the pool.
  void* scratch(std::size_t bytes);
  template <class T>
  T* scratch_for(std::int64_t count) {
    return static_cast<T*>(scratch(static_cast<std::size_t>(count) * sizeof(T)));
  }

  /// Allocates the worker's pinned staging buffers now, before the clock starts, for a call
  /// that copies host data in or out (their first allocation would otherwise be timed twice,
  /// as allocation and as a transfer).
  void prepare_staging();
  /// Sets aside `bytes` of scratch for Thrust's temporaries, before the clock starts, so that
  /// the algorithm inside the compute window does not allocate (it falls back to scratch if it
  /// needs more).
  void reserve_thrust(std::size_t bytes);

  /// Host rows (rows x row_bytes, stride src_stride bytes) into contiguous device memory, and
  /// back, through the worker's pinned staging buffers (double-buffered, chunked). A plain
  /// array is one row.
  void upload(void* device_dst, const void* host_src, std::size_t rows, std::size_t row_bytes,
              std::size_t src_stride);
  void download(void* host_dst, std::size_t dst_stride, const void* device_src, std::size_t rows,
                std::size_t row_bytes);

  /// Host arrays through the device in chunks of pipeline_chunk(elem) elements (pipeline.hpp),
  /// overlapped: chunk i + 1 uploads (copy stream) while `work` computes chunk i (the call's
  /// stream) and chunk i - 1 downloads (a second copy stream) into `out`, each through the
  /// worker's pinned staging and kPipelineSlots device copies per input. Marks the phases
  /// itself: host_to_device is the fill (until chunk 0 is on the device), compute the
  /// overlapped body (until the last chunk is computed), device_to_host the drain. A failure is
  /// thrown as soon as it is seen; chunks of `out` before it may already hold their results
  /// (each written only after its download completed), none holds anything else.
  void pipeline(const PipeSpec& spec, ChunkWork work);

  /// Phase marks: call in order; compute_begin() after the uploads, compute_end() before the
  /// downloads. finish() waits for the stream and writes the breakdown.
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

 private:
  void mark_start();
  char* thrust_take(std::size_t bytes);

  DeviceScope scope_;  // first: the device is current before anything else is made
  Worker* w_;
  detail::Breakdown* timing_;
  double allocation_ = 0.0;
  char* arena_ = nullptr;  // reserve_thrust's block
  std::size_t arena_size_ = 0;
  std::size_t arena_used_ = 0;
  bool started_ = false;
  bool finished_ = false;
  bool piped_ = false;  // the copy streams were used: finish() waits for them too
};

}  // namespace tandem::cuda
