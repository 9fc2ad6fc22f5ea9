#include "runtime.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "module_api.hpp"

namespace tandem::cuda {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Device memory reused across calls. Blocks are rounded up so that calls of similar sizes
// share them; a block is reused for any request between half its size and its size.
class DevicePool {
 public:
  void* get(std::size_t bytes, std::size_t* rounded) {
    const std::size_t want = round_up(bytes);
    *rounded = want;
    {
      std::lock_guard lock(mutex_);
      auto it = idle_.lower_bound(want);
      if (it != idle_.end() && it->first / 2 <= want) {
        void* p = it->second;
        *rounded = it->first;
        idle_.erase(it);
        return p;
      }
    }
    void* p = dev::device_alloc(want);
    if (p == nullptr) {
      trim();
      p = dev::device_alloc(want);
    }
    if (p == nullptr) {
      fail(errc::out_of_memory, "cudaMalloc of " + std::to_string(want) +
                                    " bytes of scratch failed: out of device memory" +
                                    dev::free_memory_note());
    }
    std::lock_guard lock(mutex_);
    ++allocations_;
    held_ += want;
    return p;
  }
  void put(void* p, std::size_t bytes) noexcept {
    std::lock_guard lock(mutex_);
    idle_.emplace(bytes, p);
  }
  void trim() noexcept {
    std::multimap<std::size_t, void*> gone;
    {
      std::lock_guard lock(mutex_);
      gone.swap(idle_);
      for (const auto& [bytes, p] : gone) held_ -= bytes;
    }
    for (const auto& [bytes, p] : gone) dev::device_free(p);
  }
  void stats(std::size_t* held, std::uint64_t* allocations) noexcept {
    std::lock_guard lock(mutex_);
    *held = held_;
    *allocations = allocations_;
  }

 private:
  static std::size_t round_up(std::size_t bytes) {
    constexpr std::size_t kSmall = std::size_t{1} << 20;
    if (bytes <= 512) return 512;
    if (bytes <= kSmall) return std::bit_ceil(bytes);
    constexpr std::size_t kGranule = std::size_t{2} << 20;
    return (bytes + kGranule - 1) / kGranule * kGranule;
  }

  std::mutex mutex_;
  std::multimap<std::size_t, void*> idle_;
  std::size_t held_ = 0;
  std::uint64_t allocations_ = 0;
};

// Never destroyed: at exit the device runtime may already be gone, and the driver reclaims
// everything with the process.
DevicePool& pool() {
  static DevicePool* p = new DevicePool;
  return *p;
}

constexpr std::size_t kChunk = kStagingBytes;  // bytes per pinned staging buffer

std::mutex g_pinned_mutex;
std::size_t g_pinned_held = 0;
std::uint64_t g_pinned_allocations = 0;

}  // namespace

struct Worker {
  dev::Stream stream = nullptr;
  dev::Stream copy_in = nullptr;            // the pipeline's uploads
  dev::Stream copy_out = nullptr;           // the pipeline's downloads
  void* library = nullptr;                  // the math library's handle (Call::library_handle)
  dev::Event phase[4] = {};                 // timing: start, compute begin, compute end, end
  dev::Event staged[kStagingBuffers] = {};  // staging buffer i is free again
  void* pinned[kStagingBuffers] = {};
  // The pipeline's device slots: chunk in slot s is uploaded (ready), computed, and the slot
  // free again (its chunk downloaded, or computed when nothing comes back).
  dev::Event ready[kPipelineSlots] = {};
  dev::Event computed[kPipelineSlots] = {};
  dev::Event freed[kPipelineSlots] = {};
  struct Block {
    void* p;
    std::size_t bytes;
  };
  std::vector<Block> blocks;  // the current call's scratch

  Worker() {
    stream = dev::stream_create();
    copy_in = dev::stream_create();
    copy_out = dev::stream_create();
    for (auto& e : phase) e = dev::event_create(true);
    for (auto& e : staged) e = dev::event_create(false);
    for (auto& e : ready) e = dev::event_create(false);
    for (auto& e : computed) e = dev::event_create(false);
    for (auto& e : freed) e = dev::event_create(false);
    blocks.reserve(16);
  }
  void* staging(int i, double* allocation_seconds) {
    if (pinned[i] == nullptr) {
      const auto t = std::chrono::steady_clock::now();
      pinned[i] = dev::pinned_alloc(kChunk);
      if (pinned[i] == nullptr) {
        fail(errc::out_of_memory, "cudaMallocHost of " + std::to_string(kChunk) +
                                      " bytes of pinned staging failed: out of memory");
      }
      std::lock_guard lock(g_pinned_mutex);
      g_pinned_held += kChunk;
      ++g_pinned_allocations;
      *allocation_seconds += seconds_since(t);
    }
    return pinned[i];
  }
  /// Hands over the staging buffers (the worker is idle); the caller frees them.
  void take_staging(std::vector<void*>* out) {
    for (auto& p : pinned) {
      if (p == nullptr) continue;
      out->push_back(p);
      p = nullptr;
    }
  }
};

namespace {

class WorkerPool {
 public:
  Worker* acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        Worker* w = idle_.back();
        idle_.pop_back();
        return w;
      }
    }
    return new Worker;  // kept for the life of the process, like the pool
  }
  void release(Worker* w) noexcept {
    std::lock_guard lock(mutex_);
    idle_.push_back(w);
  }
  // Freeing pinned memory synchronises the device: the buffers are taken under the lock and freed
  // outside it, so concurrent calls can still acquire and release workers meanwhile.
  void trim() noexcept {
    std::vector<void*> gone;
    try {
      std::lock_guard lock(mutex_);
      gone.reserve(kStagingBuffers * idle_.size());
      for (Worker* w : idle_) w->take_staging(&gone);
    } catch (...) {  // out of host memory for the list: keep what was taken, free it below
    }
    for (void* p : gone) {
      dev::pinned_free(p);
      std::lock_guard lock(g_pinned_mutex);
      g_pinned_held -= kChunk;
    }
  }

 private:
  std::mutex mutex_;
  std::vector<Worker*> idle_;
};

WorkerPool& workers() {
  static WorkerPool* p = new WorkerPool;
  return *p;
}

}  // namespace

std::string open_device() { return dev::open(); }

std::string describe_device() { return dev::describe(); }

DeviceScope::DeviceScope() {
  const int current = dev::current_device();
  if (current != dev::module_device()) {
    dev::set_device(dev::module_device());
    previous_ = current;
  }
}

DeviceScope::~DeviceScope() {
  if (previous_ >= 0) dev::restore_device(previous_);
}

void* allocate_buffer(std::size_t bytes) {
  if (bytes == 0) return nullptr;  // as cudaMalloc(0)
  const DeviceScope scope;
  void* p = dev::device_alloc(bytes);
  if (p == nullptr) {
    // Only the idle device scratch is device memory worth freeing (the workers' staging is
    // pinned host memory).
    pool().trim();
    p = dev::device_alloc(bytes);
  }
  if (p == nullptr) {
    fail(errc::out_of_memory, "cudaMalloc of " + std::to_string(bytes) +
                                  " bytes failed: out of device memory" + dev::free_memory_note());
  }
  // Zero-fill on a worker's stream and wait for it: a cudaMemset on the legacy default stream
  // returns before the fill is done, and the workers' non-blocking streams do not wait for it,
  // so a call right after could read the old contents.
  try {
    Call call(nullptr);
    dev::zero_async(p, bytes, call.stream());
    call.finish();
  } catch (...) {
    dev::device_free(p);
    throw;
  }
  return p;
}

void release_buffer(void* p) noexcept {
  if (p == nullptr) return;
  try {
    const DeviceScope scope;
    dev::device_free(p);
  } catch (...) {  // the device cannot be made current (a lost context): nothing to free
  }
}

void trim() noexcept {
  try {
    const DeviceScope scope;
    pool().trim();
    workers().trim();
  } catch (...) {
  }
}

void memory_stats(std::size_t* device_cached, std::size_t* pinned_cached,
                  std::uint64_t* device_allocations, std::uint64_t* pinned_allocations) noexcept {
  pool().stats(device_cached, device_allocations);
  std::lock_guard lock(g_pinned_mutex);
  *pinned_cached = g_pinned_held;
  *pinned_allocations = g_pinned_allocations;
}

Call::Call(detail::Breakdown* timing) : w_(workers().acquire()), timing_(timing) {
  w_->blocks.clear();
}

Call::~Call() {
  if (!finished_) {
    // Failed part-way: let queued work drain before its memory can be handed to another call.
    dev::stream_drain(w_->stream);
    dev::stream_drain(w_->copy_in);
    dev::stream_drain(w_->copy_out);
  }
  for (const auto& b : w_->blocks) pool().put(b.p, b.bytes);
  w_->blocks.clear();
  workers().release(w_);
}

dev::Stream Call::stream() const noexcept { return w_->stream; }

void*& Call::library_handle() noexcept { return w_->library; }

void* Call::scratch(std::size_t bytes) {
  const auto t = std::chrono::steady_clock::now();
  std::size_t rounded = 0;
  void* p = pool().get(std::max<std::size_t>(bytes, 1), &rounded);
  try {
    w_->blocks.push_back({p, rounded});
  } catch (...) {
    pool().put(p, rounded);
    throw;
  }
  allocation_ += seconds_since(t);
  return p;
}

void Call::prepare_staging() {
  w_->staging(0, &allocation_);
  w_->staging(1, &allocation_);
}

void Call::reserve_thrust(std::size_t bytes) {
  arena_ = static_cast<char*>(scratch(bytes));
  arena_size_ = bytes;
  arena_used_ = 0;
}

char* Call::thrust_take(std::size_t bytes) {
  constexpr std::size_t kAlign = 256;  // as cudaMalloc
  const std::size_t want = (std::max<std::size_t>(bytes, 1) + kAlign - 1) / kAlign * kAlign;
  if (arena_ != nullptr && want <= arena_size_ - arena_used_) {
    char* p = arena_ + arena_used_;
    arena_used_ += want;
    return p;
  }
  return static_cast<char*>(scratch(bytes));
}

void Call::mark_start() {
  if (started_) return;
  started_ = true;
  if (timing_ != nullptr) dev::record(w_->phase[0], w_->stream);
}

void Call::upload(void* device_dst, const void* host_src, std::size_t rows, std::size_t row_bytes,
                  std::size_t src_stride) {
  const std::size_t total = rows * row_bytes;
  if (total > 0) prepare_staging();  // before the clock starts
  mark_start();
  const auto* src = static_cast<const char*>(host_src);
  auto* dst = static_cast<char*>(device_dst);
  std::size_t row = 0, in_row = 0, done = 0;
  for (int i = 0; done < total; i ^= 1) {
    auto* buffer = static_cast<char*>(w_->staging(i, &allocation_));
    dev::event_wait(w_->staged[i]);  // its previous copy has left
    std::size_t filled = 0;
    while (filled < kChunk && row < rows) {
      const std::size_t n = std::min(kChunk - filled, row_bytes - in_row);
      std::memcpy(buffer + filled, src + row * src_stride + in_row, n);
      filled += n;
      in_row += n;
      if (in_row == row_bytes) {
        ++row;
        in_row = 0;
      }
    }
    dev::copy_async(dst + done, buffer, filled, dev::Copy::host_to_device, w_->stream);
    dev::record(w_->staged[i], w_->stream);
    done += filled;
  }
}

void Call::download(void* host_dst, std::size_t dst_stride, const void* device_src,
                    std::size_t rows, std::size_t row_bytes) {
  const std::size_t total = rows * row_bytes;
  if (total == 0) return;
  const auto* src = static_cast<const char*>(device_src);
  auto* dst = static_cast<char*>(host_dst);
  std::size_t row = 0, in_row = 0;
  // Chunk k is copied into staging buffer k % 2 while chunk k - 1 is scattered to the host.
  const auto scatter = [&](int i, std::size_t bytes) {
    dev::event_wait(w_->staged[i]);
    const auto* buffer = static_cast<const char*>(w_->pinned[i]);
    std::size_t used = 0;
    while (used < bytes) {
      const std::size_t n = std::min(bytes - used, row_bytes - in_row);
      std::memcpy(dst + row * dst_stride + in_row, buffer + used, n);
      used += n;
      in_row += n;
      if (in_row == row_bytes) {
        ++row;
        in_row = 0;
      }
    }
  };
  std::size_t issued = 0, previous = 0;
  int i = 0;
  while (issued < total) {
    const std::size_t n = std::min(kChunk, total - issued);
    auto* buffer = w_->staging(i, &allocation_);
    dev::copy_async(buffer, src + issued, n, dev::Copy::device_to_host, w_->stream);
    dev::record(w_->staged[i], w_->stream);
    if (issued > 0) scatter(i ^ 1, previous);
    issued += n;
    previous = n;
    i ^= 1;
  }
  scatter(i ^ 1, previous);
}

void Call::compute_begin() {
  mark_start();
  if (timing_ != nullptr) dev::record(w_->phase[1], w_->stream);
}

void Call::compute_end() {
  if (timing_ != nullptr) dev::record(w_->phase[2], w_->stream);
}

void Call::pipeline(const PipeSpec& spec, ChunkWork work) {
  if (spec.n <= 0) return;
  if (spec.inputs < 1 || spec.inputs > 2 || (spec.out != nullptr && spec.inputs != 1)) {
    fail(errc::device_error,
         "internal error: the pipeline takes one input and an output, or up to two inputs");
  }
  const std::int64_t chunk = pipeline_chunk(spec.elem);
  const std::int64_t chunks = (spec.n + chunk - 1) / chunk;
  const std::size_t chunk_bytes = static_cast<std::size_t>(chunk) * spec.elem;
  // Every buffer is taken before the clock starts: the staging (input k's chunk i in buffer
  // 2k + i % 2, or, with an output, the output's in buffer 2 + i % 2) and the device slots.
  for (int b = 0; b < kStagingBuffers; ++b) w_->staging(b, &allocation_);
  char* slot[2][kPipelineSlots] = {};
  for (int k = 0; k < spec.inputs; ++k) {
    for (auto& p : slot[k]) p = static_cast<char*>(scratch(chunk_bytes));
  }
  if (spec.first_bytes > 0) {
    upload(spec.first_device, spec.first_host, 1, spec.first_bytes, spec.first_bytes);
  }
  mark_start();
  piped_ = true;
  auto* out = static_cast<char*>(spec.out);
  // Scatters downloaded chunk j from its staging buffer into `out`, once its download is done.
  const auto scatter = [&](std::int64_t j) {
    const auto s = static_cast<int>(j % kPipelineSlots);
    dev::event_wait(w_->freed[s]);
    const std::int64_t first = j * chunk;
    const auto bytes = static_cast<std::size_t>(std::min(chunk, spec.n - first)) * spec.elem;
    std::memcpy(out + static_cast<std::size_t>(first) * spec.elem, w_->pinned[2 + j % 2], bytes);
  };
  for (std::int64_t i = 0; i < chunks; ++i) {
    const auto s = static_cast<int>(i % kPipelineSlots);
    const std::int64_t first = i * chunk;
    const std::int64_t count = std::min(chunk, spec.n - first);
    const std::size_t offset = static_cast<std::size_t>(first) * spec.elem;
    const std::size_t bytes = static_cast<std::size_t>(count) * spec.elem;
    // Upload: the slot's previous chunk is gone (downloaded, or computed), the staging buffer's
    // previous copy has left.
    if (i >= kPipelineSlots) dev::stream_wait_event(w_->copy_in, w_->freed[s]);
    for (int k = 0; k < spec.inputs; ++k) {
      const auto b = static_cast<int>(2 * k + i % 2);
      dev::event_wait(w_->staged[b]);
      std::memcpy(w_->pinned[b], static_cast<const char*>(spec.in[k]) + offset, bytes);
      dev::copy_async(slot[k][s], w_->pinned[b], bytes, dev::Copy::host_to_device, w_->copy_in);
      dev::record(w_->staged[b], w_->copy_in);
    }
    dev::record(w_->ready[s], w_->copy_in);
    // Compute, on the call's stream once the chunk is there.
    dev::stream_wait_event(w_->stream, w_->ready[s]);
    if (i == 0) compute_begin();
    work(PipeChunk{i, first, count, {slot[0][s], slot[1][s]}});
    if (i == chunks - 1) compute_end();
    if (out == nullptr) {
      dev::record(w_->freed[s], w_->stream);
      continue;
    }
    // Download into staging buffer 2 + i % 2, whose chunk i - 2 was scattered last round.
    dev::record(w_->computed[s], w_->stream);
    dev::stream_wait_event(w_->copy_out, w_->computed[s]);
    dev::copy_async(w_->pinned[2 + i % 2], slot[0][s], bytes, dev::Copy::device_to_host,
                    w_->copy_out);
    dev::record(w_->freed[s], w_->copy_out);
    if (i > 0) scatter(i - 1);
  }
  if (out != nullptr) {
    scatter(chunks - 1);
    // The drain ends when the last download has: the call's stream (timing, finish) joins it.
    dev::stream_wait_event(w_->stream, w_->freed[(chunks - 1) % kPipelineSlots]);
  }
}

void Call::finish() {
  if (timing_ != nullptr) dev::record(w_->phase[3], w_->stream);
  if (piped_) {
    dev::stream_wait(w_->copy_in);
    dev::stream_wait(w_->copy_out);
  }
  dev::stream_wait(w_->stream);
  finished_ = true;
  if (timing_ == nullptr) return;
  timing_->allocation = allocation_;
  timing_->host_to_device = dev::elapsed(w_->phase[0], w_->phase[1]);
  timing_->compute = dev::elapsed(w_->phase[1], w_->phase[2]);
  timing_->device_to_host = dev::elapsed(w_->phase[2], w_->phase[3]);
}

void upload_bytes(void* device_dst, const void* host_src, std::size_t bytes) {
  Call call(nullptr);
  call.upload(device_dst, host_src, 1, bytes, bytes);
  call.finish();
}

void download_bytes(void* host_dst, const void* device_src, std::size_t bytes) {
  Call call(nullptr);
  call.download(host_dst, bytes, device_src, 1, bytes);
  call.finish();
}

}  // namespace tandem::cuda
