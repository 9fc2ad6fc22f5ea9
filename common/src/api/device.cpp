// DeviceBuffer: GPU memory owned through the cuda module, and the checks of device operands.
#include <cstring>
#include <utility>

#include "checks/device_checks.hpp"
#include "dispatch/registry.hpp"
#include "module/cuda_loader.hpp"

namespace tandem {

namespace detail {

std::size_t dtype_size(DType d) noexcept { return size_of(d); }

const TandemCudaModule& cuda_api(const char* function) {
  const TandemCudaModule* api = cuda_module_api();
  if (api == nullptr) {
    throw backend_unavailable(std::string(function) + ": backend cuda is not available: " +
                              backend_slot(Backend::cuda).reason);
  }
  return *api;
}

void check_dtype(const char* function, const char* name, const DeviceBuffer& buffer, DType want) {
  if (buffer.dtype() != want) {
    fail(function, std::string(name) + " holds " + std::string(to_string(buffer.dtype())) +
                       " but the call needs " + std::string(to_string(want)));
  }
}

RawMatrix device_raw(const char* function, const char* name, const ConstDeviceMatrix& m) {
  const std::string n(name);
  if (m.buffer == nullptr) fail(function, n + ".buffer is null");
  if (m.offset < 0) {
    fail(function, n + ".offset is " + std::to_string(m.offset) + " (must be >= 0)");
  }
  const DeviceBuffer& b = *m.buffer;
  RawMatrix raw{nullptr, m.rows, m.cols, m.ld, dtype_size(b.dtype())};
  if (m.rows < 0 || m.cols < 0 || m.ld < m.cols) check_matrix(function, name, raw);  // throws
  if (m.rows == 0 || m.cols == 0) return raw;
  // One past the last element, offset + (rows - 1) * ld + cols, must be inside the buffer.
  std::int64_t end = 0;
  if (__builtin_mul_overflow(m.rows - 1, m.ld, &end) || __builtin_add_overflow(end, m.cols, &end) ||
      __builtin_add_overflow(end, m.offset, &end) || end > b.size()) {
    fail(function, n + " is " + std::to_string(m.rows) + "x" + std::to_string(m.cols) +
                       " with ld " + std::to_string(m.ld) + " at offset " +
                       std::to_string(m.offset) + ", which does not fit in its buffer of " +
                       std::to_string(b.size()) + " elements");
  }
  raw.data = static_cast<const char*>(b.data()) + m.offset * static_cast<std::int64_t>(raw.elem);
  return raw;
}

// Defined here, not in cuda_loader.cpp, which builds without CUDA do not compile.
void throw_cuda_status(const char* function, const TandemCudaStatus& status) {
  std::string message(status.message, strnlen(status.message, sizeof(status.message)));
  if (message.empty()) message = "unknown CUDA module error";
  if (status.sticky != 0) mark_cuda_faulted(message);  // the context is lost: cuda is gone
  const errc code = status.code >= static_cast<int>(errc::invalid_argument) &&
                            status.code <= static_cast<int>(errc::out_of_memory)
                        ? static_cast<errc>(status.code)
                        : errc::device_error;
  throw_error(code, std::string(function) + " (cuda): " + message);
}

// For tandem_bench (not public API): the loaded cuda module's dlopen handle, where it looks up
// the benchmark references itself (TANDEM_CUDA_BENCH_SYMBOL); throws when cuda is unavailable.
TANDEM_EXPORT void* cuda_module_handle() {
  cuda_api("tandem_bench");
#if TANDEM_HAS_CUDA
  return cuda_module().handle;
#else
  return nullptr;  // not reached: cuda_api() throws in builds without CUDA
#endif
}

}  // namespace detail

namespace {

constexpr const char* kBuffer = "tandem::DeviceBuffer";

void check(int rc, const TandemCudaStatus& status) {
  if (rc != 0) detail::throw_cuda_status(kBuffer, status);
}

void* allocate(DType dtype, std::int64_t size) {
  if (size < 0) {
    detail::fail(kBuffer, "size is " + std::to_string(size) + " (must be >= 0)");
  }
  const std::size_t elem = detail::dtype_size(dtype);
  if (static_cast<std::uint64_t>(size) > static_cast<std::uint64_t>(PTRDIFF_MAX) / elem) {
    detail::fail(kBuffer, "size is " + std::to_string(size) + " elements of " +
                              std::string(to_string(dtype)) + ", more bytes than can be addressed");
  }
  const TandemCudaModule& api = detail::cuda_api(kBuffer);
  if (size == 0) return nullptr;
  void* p = nullptr;
  TandemCudaStatus status{};
  check(api.allocate(static_cast<std::size_t>(size) * elem, &p, &status), status);
  return p;
}

template <class T>
void check_host(const DeviceBuffer& b, const char* what, std::size_t host_size,
                const void* host_data) {
  detail::check_dtype(kBuffer, "the buffer", b, dtype_of<T>);
  detail::check_span(kBuffer, what, host_data, host_size, sizeof(T));
  if (host_size != static_cast<std::size_t>(b.size())) {
    detail::fail(kBuffer, std::string(what) + ".size() is " + std::to_string(host_size) +
                              " but the buffer holds " + std::to_string(b.size()) +
                              " elements (they must be equal)");
  }
}

}  // namespace

DeviceBuffer::DeviceBuffer(DType dtype, std::int64_t size)
    : data_(allocate(dtype, size)), dtype_(dtype), size_(size) {}

DeviceBuffer::~DeviceBuffer() {
  if (data_ != nullptr) {
    if (const TandemCudaModule* api = detail::cuda_module_api()) api->release(data_);
  }
}

DeviceBuffer::DeviceBuffer(DeviceBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      dtype_(other.dtype_),
      size_(std::exchange(other.size_, 0)) {}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& other) noexcept {
  if (this != &other) {
    DeviceBuffer gone(std::move(*this));
    data_ = std::exchange(other.data_, nullptr);
    dtype_ = other.dtype_;
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

std::size_t DeviceBuffer::bytes() const noexcept {
  return static_cast<std::size_t>(size_) * detail::dtype_size(dtype_);
}

DeviceMemoryStats device_memory_stats() {
  const TandemCudaModule& api = detail::cuda_api("tandem::device_memory_stats");
  DeviceMemoryStats s;
  api.memory_stats(&s.device_cached_bytes, &s.pinned_cached_bytes, &s.device_allocations,
                   &s.pinned_allocations);
  return s;
}

void release_device_caches() noexcept {
  try {
    if (const TandemCudaModule* api = detail::cuda_module_api()) api->trim();
  } catch (...) {  // the module failed to load: nothing is cached
  }
}

#define TANDEM_DEFINE_DEVICE_BUFFER_(T, name)                                                 \
  DeviceBuffer::DeviceBuffer(std::span<const T> host)                                         \
      : DeviceBuffer(DType::name, static_cast<std::int64_t>(host.size())) {                   \
    upload(host);                                                                             \
  }                                                                                           \
  void DeviceBuffer::upload(std::span<const T> host) {                                        \
    check_host<T>(*this, "host", host.size(), host.data());                                   \
    if (host.empty()) return;                                                                 \
    TandemCudaStatus status{};                                                                \
    check(detail::cuda_api(kBuffer).upload(data_, host.data(), host.size_bytes(), &status),   \
          status);                                                                            \
  }                                                                                           \
  void DeviceBuffer::download(std::span<T> host) const {                                      \
    check_host<T>(*this, "host", host.size(), host.data());                                   \
    if (host.empty()) return;                                                                 \
    TandemCudaStatus status{};                                                                \
    check(detail::cuda_api(kBuffer).download(host.data(), data_, host.size_bytes(), &status), \
          status);                                                                            \
  }
TANDEM_FOR_EACH_DTYPE(TANDEM_DEFINE_DEVICE_BUFFER_)
#undef TANDEM_DEFINE_DEVICE_BUFFER_

}  // namespace tandem
