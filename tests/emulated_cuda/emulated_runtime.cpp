#include "emulated_runtime.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace tandem::cuda {

namespace {

constexpr std::size_t kDefaultDeviceBytes = std::size_t{4} << 30;
constexpr std::size_t kAlignment = 256;               // what cudaMalloc guarantees
constexpr std::size_t kChunk = std::size_t{8} << 20;  // bytes per staging buffer, as the module

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// The emulated device: a byte budget shared by DeviceBuffers and the scratch pool, so that a
// request larger than what is left fails the way cudaMalloc does, deterministically.
class Device {
 public:
  std::string open() {
    const char* env = std::getenv("TANDEM_EMULATED_DEVICE_BYTES");
    std::lock_guard lock(mutex_);
    capacity_ = kDefaultDeviceBytes;
    if (env == nullptr || *env == '\0') return {};
    errno = 0;
    char* end = nullptr;
    const unsigned long long v = std::strtoull(env, &end, 10);
    if (errno != 0 || end == env || *end != '\0' || v == 0) {
      return std::string("TANDEM_EMULATED_DEVICE_BYTES='") + env +
             "' is not a positive number of bytes";
    }
    capacity_ = static_cast<std::size_t>(v);
    return {};
  }
  /// Memory of `bytes` (> 0), or null when the device or the host is full.
  void* take(std::size_t bytes) {
    {
      std::lock_guard lock(mutex_);
      if (bytes > capacity_ - used_) return nullptr;
      used_ += bytes;
    }
    void* p = std::aligned_alloc(kAlignment, (bytes + kAlignment - 1) / kAlignment * kAlignment);
    if (p == nullptr) give(bytes);
    return p;
  }
  void put(void* p, std::size_t bytes) noexcept {
    std::free(p);
    give(bytes);
  }
  std::string free_note() {
    std::lock_guard lock(mutex_);
    return " (" + std::to_string(capacity_ - used_) + " bytes free of " +
           std::to_string(capacity_) + ", emulated; TANDEM_EMULATED_DEVICE_BYTES)";
  }

 private:
  void give(std::size_t bytes) noexcept {
    std::lock_guard lock(mutex_);
    used_ -= bytes;
  }

  std::mutex mutex_;
  std::size_t capacity_ = kDefaultDeviceBytes;
  std::size_t used_ = 0;
};

Device& device() {
  static Device* d = new Device;
  return *d;
}

// gpu/runtime.cu's DevicePool, on the emulated device.
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
    void* p = device().take(want);
    if (p == nullptr) {
      trim();
      p = device().take(want);
    }
    if (p == nullptr) {
      fail(errc::out_of_memory, "cudaMalloc of " + std::to_string(want) +
                                    " bytes of scratch failed: out of device memory" +
                                    device().free_note());
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
    for (const auto& [bytes, p] : gone) device().put(p, bytes);
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

DevicePool& pool() {
  static DevicePool* p = new DevicePool;
  return *p;
}

// DeviceBuffers' sizes, to return their bytes to the device when they are released.
std::mutex g_buffers_mutex;
std::unordered_map<void*, std::size_t>& buffers() {
  static auto* b = new std::unordered_map<void*, std::size_t>;
  return *b;
}

std::mutex g_staging_mutex;
std::size_t g_staging_held = 0;
std::uint64_t g_staging_allocations = 0;

}  // namespace

struct Worker {
  void* staging[2] = {};
  struct Block {
    void* p;
    std::size_t bytes;
  };
  std::vector<Block> blocks;  // the current call's scratch

  Worker() { blocks.reserve(16); }
  char* buffer(int i, double* allocation_seconds) {
    if (staging[i] == nullptr) {
      const auto t = std::chrono::steady_clock::now();
      staging[i] = std::malloc(kChunk);
      if (staging[i] == nullptr) {
        fail(errc::out_of_memory, "cudaMallocHost of " + std::to_string(kChunk) +
                                      " bytes of pinned staging failed: out of memory");
      }
      std::lock_guard lock(g_staging_mutex);
      g_staging_held += kChunk;
      ++g_staging_allocations;
      *allocation_seconds += seconds_since(t);
    }
    return static_cast<char*>(staging[i]);
  }
  void drop_staging() noexcept {
    for (auto& p : staging) {
      if (p == nullptr) continue;
      std::free(p);
      p = nullptr;
      std::lock_guard lock(g_staging_mutex);
      g_staging_held -= kChunk;
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
  void trim() noexcept {
    std::lock_guard lock(mutex_);
    for (Worker* w : idle_) w->drop_staging();
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

std::string open_device() { return device().open(); }

void* allocate_buffer(std::size_t bytes) {
  if (bytes == 0) return nullptr;  // as cudaMalloc(0)
  void* p = device().take(bytes);
  if (p == nullptr) {
    pool().trim();  // the idle scratch; the staging buffers are host memory
    p = device().take(bytes);
  }
  if (p == nullptr) {
    fail(errc::out_of_memory, "cudaMalloc of " + std::to_string(bytes) +
                                  " bytes failed: out of device memory" + device().free_note());
  }
  std::memset(p, 0, bytes);
  try {
    std::lock_guard lock(g_buffers_mutex);
    buffers().emplace(p, bytes);
  } catch (...) {
    device().put(p, bytes);
    throw;
  }
  return p;
}

void release_buffer(void* p) noexcept {
  if (p == nullptr) return;
  std::size_t bytes = 0;
  {
    std::lock_guard lock(g_buffers_mutex);
    const auto it = buffers().find(p);
    if (it == buffers().end()) return;  // not ours: cudaFree would fail and be ignored too
    bytes = it->second;
    buffers().erase(it);
  }
  device().put(p, bytes);
}

void trim() noexcept {
  pool().trim();
  workers().trim();
}

void memory_stats(std::size_t* device_cached, std::size_t* pinned_cached,
                  std::uint64_t* device_allocations, std::uint64_t* pinned_allocations) noexcept {
  pool().stats(device_cached, device_allocations);
  std::lock_guard lock(g_staging_mutex);
  *pinned_cached = g_staging_held;
  *pinned_allocations = g_staging_allocations;
}

Call::Call(detail::Breakdown* timing) : w_(workers().acquire()), timing_(timing) {
  w_->blocks.clear();
}

Call::~Call() {
  for (const auto& b : w_->blocks) pool().put(b.p, b.bytes);
  w_->blocks.clear();
  workers().release(w_);
}

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

void inject_fault(const char* workload) {
  const char* env = std::getenv("TANDEM_EMULATED_FAULT");
  if (env == nullptr || std::strcmp(env, workload) != 0) return;
  throw ModuleFailure{errc::device_error,
                      std::string("cudaStreamSynchronize(w_->stream) failed: "
                                  "cudaErrorIllegalAddress: an illegal memory access was "
                                  "encountered (emulated: TANDEM_EMULATED_FAULT=") +
                          workload + ")",
                      true};
}

void Call::prepare_staging() {
  w_->buffer(0, &allocation_);
  w_->buffer(1, &allocation_);
}

void Call::reserve_thrust(std::size_t bytes) {
  arena_ = static_cast<char*>(scratch(bytes));
  arena_size_ = bytes;
  arena_used_ = 0;
}

char* Call::thrust_take(std::size_t bytes) {
  constexpr std::size_t kAlign = 256;
  const std::size_t want = (std::max<std::size_t>(bytes, 1) + kAlign - 1) / kAlign * kAlign;
  if (arena_ != nullptr && want <= arena_size_ - arena_used_) {
    char* p = arena_ + arena_used_;
    arena_used_ += want;
    return p;
  }
  return static_cast<char*>(scratch(bytes));
}

void Call::upload(void* device_dst, const void* host_src, std::size_t rows, std::size_t row_bytes,
                  std::size_t src_stride) {
  const std::size_t total = rows * row_bytes;
  const auto* src = static_cast<const char*>(host_src);
  auto* dst = static_cast<char*>(device_dst);
  std::size_t row = 0, in_row = 0, done = 0;
  for (int i = 0; done < total; i ^= 1) {
    char* buffer = w_->buffer(i, &allocation_);
    const auto t = std::chrono::steady_clock::now();
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
    std::memcpy(dst + done, buffer, filled);
    done += filled;
    host_to_device_ += seconds_since(t);
  }
}

void Call::download(void* host_dst, std::size_t dst_stride, const void* device_src,
                    std::size_t rows, std::size_t row_bytes) {
  const std::size_t total = rows * row_bytes;
  const auto* src = static_cast<const char*>(device_src);
  auto* dst = static_cast<char*>(host_dst);
  std::size_t row = 0, in_row = 0, done = 0;
  for (int i = 0; done < total; i ^= 1) {
    char* buffer = w_->buffer(i, &allocation_);
    const auto t = std::chrono::steady_clock::now();
    const std::size_t bytes = std::min(kChunk, total - done);
    std::memcpy(buffer, src + done, bytes);
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
    done += bytes;
    device_to_host_ += seconds_since(t);
  }
}

void Call::compute_begin() { compute_start_ = std::chrono::steady_clock::now(); }

void Call::compute_end() { compute_ = seconds_since(compute_start_); }

void Call::finish() {
  if (timing_ == nullptr) return;
  timing_->allocation = allocation_;
  timing_->host_to_device = host_to_device_;
  timing_->compute = compute_;
  timing_->device_to_host = device_to_host_;
}

}  // namespace tandem::cuda
