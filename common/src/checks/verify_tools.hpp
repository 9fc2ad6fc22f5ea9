#pragma once
// The tools of a workload's verifier (its entry point file, api/<workload>.cpp): host copies of
// device operands, scratch outputs, the element comparison within a bound, the message of a
// mismatch and the copy into the user's outputs once the results agree.
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "checks/device_checks.hpp"
#include "checks/verify.hpp"
#include "dispatch/registry.hpp"
#include "module/cuda_loader.hpp"

namespace tandem::detail {

inline double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Runs f (the backend's call) and adds its wall time to v.backend_seconds.
template <class F>
decltype(auto) timed(Verification& v, F&& f) {
  const auto t = std::chrono::steady_clock::now();
  if constexpr (std::is_void_v<decltype(f())>) {
    f();
    v.backend_seconds = seconds_since(t);
  } else {
    auto r = f();
    v.backend_seconds = seconds_since(t);
    return r;
  }
}

inline BackendImpl& serial_backend() { return *backend_slot(Backend::serial).impl; }

inline Exec serial_exec() {
  Exec e;
  e.threads = 1;
  return e;
}

inline std::size_t extent_bytes(std::int64_t rows, std::int64_t cols, std::int64_t ld,
                                std::size_t elem) {
  if (rows <= 0 || cols <= 0) return 0;
  return static_cast<std::size_t>((rows - 1) * ld + cols) * elem;
}

// Host memory holding a copy of a device operand (or nothing, for host operands).
struct HostCopy {
  std::vector<std::byte> bytes;
  const void* data = nullptr;
};

// A host view of an operand of rows x cols with leading dimension ld: the operand itself on the
// host, else its extent downloaded (the same layout, so ld stays valid).
inline HostCopy host_operand(const char* function, const void* p, std::int64_t rows,
                             std::int64_t cols, std::int64_t ld, std::size_t elem, bool device) {
  HostCopy h;
  if (!device || p == nullptr) {
    h.data = p;
    return h;
  }
  const std::size_t n = extent_bytes(rows, cols, ld, elem);
  h.bytes.resize(n);
  if (n > 0) {
    TandemCudaStatus status{};
    if (cuda_api(function).download(h.bytes.data(), p, n, &status) != 0) {
      throw_cuda_status(function, status);
    }
  }
  h.data = h.bytes.data();
  return h;
}

// Dense scratch for the backend's output: host memory, or device memory from the cuda module.
class Scratch {
 public:
  Scratch(const char* function, std::size_t bytes, bool device)
      : function_(function), bytes_(bytes), device_(device) {
    if (!device_) {
      host_.resize(bytes);
      data_ = host_.data();
    } else if (bytes > 0) {
      TandemCudaStatus status{};
      if (cuda_api(function).allocate(bytes, &data_, &status) != 0) {
        throw_cuda_status(function, status);
      }
    }
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() {
    if (device_ && data_ != nullptr) {
      if (const TandemCudaModule* api = cuda_module_api()) api->release(data_);
    }
  }
  void* data() noexcept { return data_; }
  // The contents on the host (downloaded from the device when needed).
  const std::byte* host() {
    if (!device_) return host_.data();
    host_.resize(bytes_);
    if (bytes_ > 0) {
      TandemCudaStatus status{};
      if (cuda_api(function_).download(host_.data(), data_, bytes_, &status) != 0) {
        throw_cuda_status(function_, status);
      }
    }
    return host_.data();
  }

 private:
  const char* function_;
  std::size_t bytes_;
  bool device_;
  std::vector<std::byte> host_;
  void* data_ = nullptr;
};

// Copies a dense rows x cols host result into the user's output (leading dimension ld), on the
// host or on the device.
inline void commit(const char* function, void* out, std::int64_t ld, const std::byte* dense,
                   std::int64_t rows, std::int64_t cols, std::size_t elem, bool device) {
  if (rows <= 0 || cols <= 0) return;
  const std::size_t row_bytes = static_cast<std::size_t>(cols) * elem;
  const bool contiguous = ld == cols;
  const std::int64_t pieces = contiguous ? 1 : rows;
  const std::size_t piece_bytes =
      contiguous ? row_bytes * static_cast<std::size_t>(rows) : row_bytes;
  for (std::int64_t r = 0; r < pieces; ++r) {
    void* dst = static_cast<std::byte*>(out) + static_cast<std::size_t>(r * ld) * elem;
    const std::byte* src = dense + static_cast<std::size_t>(r) * row_bytes;
    if (!device) {
      std::memcpy(dst, src, piece_bytes);
    } else {
      TandemCudaStatus status{};
      if (cuda_api(function).upload(dst, src, piece_bytes, &status) != 0) {
        throw_cuda_status(function, status);
      }
    }
  }
}

template <class T>
std::string value_text(T v) {
  std::ostringstream s;
  if constexpr (std::is_floating_point_v<T>) {
    s.precision(std::numeric_limits<T>::max_digits10);
    s << v;
  } else {
    s << static_cast<long long>(v);
  }
  return s.str();
}

inline std::string number(double v) {
  std::ostringstream s;
  s.precision(3);
  s << v;
  return s.str();
}

// Equal values: the same integer, or the same float bits, or both NaN (payloads may differ).
// +0 and -0 differ in bits but not in value: compare() then finds an error of 0, within any bound.
template <class T>
bool same(T a, T b) noexcept {
  if constexpr (std::is_floating_point_v<T>) {
    return std::memcmp(&a, &b, sizeof(T)) == 0 || (std::isnan(a) && std::isnan(b));
  } else {
    return a == b;
  }
}

template <class T>
double difference(T a, T b) noexcept {
  if constexpr (std::is_floating_point_v<T>) {
    if (a == b) return 0.0;  // equal infinities, or +0 and -0
    return std::fabs(static_cast<double>(a) - static_cast<double>(b));  // NaN when either is
  } else {
    return static_cast<double>(
        std::fabs(static_cast<long double>(a) - static_cast<long double>(b)));
  }
}

// The worst element seen: largest error relative to its bound.
struct Worst {
  std::int64_t row = -1, col = -1;
  double error = 0.0, bound = 0.0, ratio = -1.0;
  std::string got, want;
  std::int64_t mismatches = 0;
};

// Compares a dense rows x cols result `got` with serial's `want`; bound_of(i, j) is asked only
// for elements that are not the same value. Fills v; returns the worst element.
template <class T, class BoundOf>
Worst compare(const T* got, const T* want, std::int64_t rows, std::int64_t cols, BoundOf&& bound_of,
              bool exact, Verification& v) {
  Worst w;
  for (std::int64_t i = 0; i < rows; ++i) {
    for (std::int64_t j = 0; j < cols; ++j) {
      const T g = got[i * cols + j];
      const T s = want[i * cols + j];
      if (same(g, s)) continue;
      const double err = difference(g, s);
      const double bound = exact ? 0.0 : bound_of(i, j);
      const bool ok = err <= bound;  // false for a NaN error
      if (!ok) ++w.mismatches;
      const double ratio = !ok         ? std::numeric_limits<double>::infinity()
                           : bound > 0 ? err / bound
                                       : 0.0;  // +0 and -0
      if (ratio > w.ratio) {                   // ties keep the first
        w.row = i;
        w.col = j;
        w.error = err;
        w.bound = bound;
        w.ratio = ratio;
        w.got = value_text(g);
        w.want = value_text(s);
      }
    }
  }
  v.compared = rows * cols;
  v.exact = exact;
  if (w.row >= 0) {
    v.max_error = w.error;
    v.bound = w.bound;
  }
  return w;
}

[[noreturn]] inline void mismatch(const char* function, Backend backend, std::string_view workload,
                                  DType dtype, const std::string& where, const Worst& w,
                                  std::int64_t compared, const std::string& bound_name) {
  std::ostringstream m;
  m << function << ": verification against serial failed: the " << to_string(backend)
    << " backend's " << workload << " " << to_string(dtype) << " result " << where << " is "
    << w.got << " but serial's is " << w.want << ": error " << number(w.error)
    << " exceeds the bound " << number(w.bound) << " (" << bound_name << "); " << w.mismatches
    << " of " << compared << " values outside the bound; the outputs are untouched";
  throw verification_error(m.str());
}

inline std::string at_index(std::int64_t i) { return "at y[" + std::to_string(i) + "]"; }
inline std::string at_cell(const char* name, std::int64_t r, std::int64_t c) {
  return std::string("at ") + name + "(" + std::to_string(r) + ", " + std::to_string(c) + ")";
}

}  // namespace tandem::detail
