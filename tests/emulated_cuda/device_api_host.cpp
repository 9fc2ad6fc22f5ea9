// The device API (gpu/device_api.hpp) on host memory, for the emulated module: "device memory"
// is host memory under a byte budget (TANDEM_EMULATED_DEVICE_BYTES, 4 GiB by default), shared
// by DeviceBuffers and the runtime's scratch, so that a request larger than what is left fails
// the way cudaMalloc does, deterministically. Work runs synchronously on the calling thread:
// copies are memcpy, a stream has nothing queued, and an event records the host clock.
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>

#include "device_api.hpp"

namespace tandem::cuda::dev {

struct StreamImpl {};
struct EventImpl {
  std::chrono::steady_clock::time_point at{};
};

namespace {

constexpr std::size_t kDefaultDeviceBytes = std::size_t{4} << 30;
constexpr std::size_t kAlignment = 256;  // what cudaMalloc guarantees

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
  void* take(std::size_t bytes) {
    {
      std::lock_guard lock(mutex_);
      if (bytes > capacity_ - used_) return nullptr;
      used_ += bytes;
    }
    void* p = std::aligned_alloc(kAlignment, (bytes + kAlignment - 1) / kAlignment * kAlignment);
    std::lock_guard lock(mutex_);
    if (p == nullptr) {
      used_ -= bytes;
      return nullptr;
    }
    try {
      sizes_.emplace(p, bytes);
    } catch (...) {
      used_ -= bytes;
      std::free(p);
      return nullptr;
    }
    return p;
  }
  void put(void* p) noexcept {
    std::lock_guard lock(mutex_);
    const auto it = sizes_.find(p);
    if (it == sizes_.end()) return;  // not ours: cudaFree would fail and be ignored too
    used_ -= it->second;
    sizes_.erase(it);
    std::free(p);
  }
  std::string free_note() {
    std::lock_guard lock(mutex_);
    return " (" + std::to_string(capacity_ - used_) + " bytes free of " +
           std::to_string(capacity_) + ", emulated; TANDEM_EMULATED_DEVICE_BYTES)";
  }

 private:
  std::mutex mutex_;
  std::size_t capacity_ = kDefaultDeviceBytes;
  std::size_t used_ = 0;
  std::unordered_map<void*, std::size_t> sizes_;
};

Device& device() {
  static Device* d = new Device;
  return *d;
}

}  // namespace

std::string open() { return device().open(); }
std::string describe() {
  return "emulated CUDA device (host memory, Thrust OpenMP system; for tests)";
}

int module_device() noexcept { return 0; }
int current_device() { return 0; }
void set_device(int) {}
void restore_device(int) noexcept {}

void* device_alloc(std::size_t bytes) { return device().take(bytes); }
void device_free(void* p) noexcept { device().put(p); }
void* pinned_alloc(std::size_t bytes) { return std::malloc(bytes); }
void pinned_free(void* p) noexcept { std::free(p); }
std::string free_memory_note() { return device().free_note(); }

Stream stream_create() { return new StreamImpl; }
Event event_create(bool) { return new EventImpl; }
void record(Event e, Stream) { e->at = std::chrono::steady_clock::now(); }
void stream_wait_event(Stream, Event) {}
void event_wait(Event) {}
void stream_wait(Stream) {}
void stream_drain(Stream) noexcept {}
double elapsed(Event from, Event to) {
  return std::chrono::duration<double>(to->at - from->at).count();
}

void copy_async(void* dst, const void* src, std::size_t bytes, Copy, Stream) {
  if (bytes > 0) std::memmove(dst, src, bytes);
}
void zero_async(void* p, std::size_t bytes, Stream) {
  if (bytes > 0) std::memset(p, 0, bytes);
}

}  // namespace tandem::cuda::dev
