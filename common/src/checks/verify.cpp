// Verification against the serial oracle: scratch outputs, the serial run, the comparison
// within each workload's bound, and the copy into the user's outputs once they agree.
#include "checks/verify.hpp"

#include <bit>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <sstream>
#include <string_view>
#include <type_traits>
#include <vector>

#include "checks/device_checks.hpp"
#include "checks/validate.hpp"
#include "dispatch/registry.hpp"
#include "module/cuda_loader.hpp"

namespace tandem::detail {

namespace {

// TANDEM_VERIFY, read once per process: unset, "" and "0" are off, "1" is on.
struct EnvVerify {
  bool on = false;
  std::string error;
};

const EnvVerify& env_verify() {
  static const EnvVerify value = [] {
    EnvVerify e;
    const char* v = std::getenv("TANDEM_VERIFY");
    if (v == nullptr) return e;
    const std::string_view s(v);
    if (s == "1") {
      e.on = true;
    } else if (!s.empty() && s != "0") {
      e.error = "TANDEM_VERIFY='" + printable(s) +
                "' is not 0 or 1 (1 verifies every call against serial; unset, empty or 0 "
                "does not)";
    }
    return e;
  }();
  return value;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
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

BackendImpl& serial_backend() { return *backend_slot(Backend::serial).impl; }

Exec serial_exec() {
  Exec e;
  e.threads = 1;
  return e;
}

std::size_t extent_bytes(std::int64_t rows, std::int64_t cols, std::int64_t ld, std::size_t elem) {
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
HostCopy host_operand(const char* function, const void* p, std::int64_t rows, std::int64_t cols,
                      std::int64_t ld, std::size_t elem, bool device) {
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
void commit(const char* function, void* out, std::int64_t ld, const std::byte* dense,
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

std::string number(double v) {
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

[[noreturn]] void mismatch(const char* function, Backend backend, std::string_view workload,
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

std::string at_index(std::int64_t i) { return "at y[" + std::to_string(i) + "]"; }
std::string at_cell(const char* name, std::int64_t r, std::int64_t c) {
  return std::string("at ") + name + "(" + std::to_string(r) + ", " + std::to_string(c) + ")";
}

}  // namespace

bool verification_requested(const char* function, const Options& options) {
  const EnvVerify& env = env_verify();
  if (!env.error.empty()) throw invalid_argument(std::string(function) + ": " + env.error);
  return options.verify || env.on;
}

void verified_map(const char* function, BackendImpl& backend, const Exec& exec, const MapArgs& args,
                  Verification& v) {
  visit_dtype(args.dtype, [&]<class T>() {
    const std::size_t bytes = static_cast<std::size_t>(args.n) * sizeof(T);
    const HostCopy x = host_operand(function, args.x, 1, args.n, args.n, sizeof(T), exec.device);
    Scratch out(function, bytes, exec.device);
    MapArgs b = args;
    b.y = out.data();
    timed(v, [&] { backend.map(b, exec); });
    std::vector<T> want(static_cast<std::size_t>(args.n));
    MapArgs s = args;  // the converted parameters are host memory already
    s.x = x.data;
    s.y = want.data();
    serial_backend().map(s, serial_exec());
    const T* got = reinterpret_cast<const T*>(out.host());
    const Worst w = compare<T>(
        got, want.data(), 1, args.n, [](auto, auto) { return 0.0; }, true, v);
    if (w.mismatches > 0) {
      mismatch(function, backend.kind(), "map " + std::string(to_string(args.kind)), args.dtype,
               at_index(w.col), w, v.compared, "exact: every backend rounds alike");
    }
    commit(function, args.y, args.n, reinterpret_cast<const std::byte*>(got), 1, args.n, sizeof(T),
           exec.device);
  });
}

void verified_polynomial_grid(const char* function, BackendImpl& backend, const Exec& exec,
                              const PolynomialGridArgs& args, Verification& v) {
  if (args.sets <= 0 || args.nx <= 0) return;  // nothing to compute (as the unverified call)
  visit_dtype(args.dtype, [&]<class T>() {
    const auto cells = static_cast<std::size_t>(args.sets) * static_cast<std::size_t>(args.nx);
    const HostCopy table =
        host_operand(function, args.table, args.sets, args.ncoef, args.ldt, sizeof(T), exec.device);
    const HostCopy x = host_operand(function, args.x, 1, args.nx, args.nx, sizeof(T), exec.device);
    Scratch out(function, cells * sizeof(T), exec.device);
    PolynomialGridArgs b = args;
    b.out = out.data();
    b.ldo = args.nx;
    timed(v, [&] { backend.polynomial_grid(b, exec); });
    std::vector<T> want(cells);
    PolynomialGridArgs s = args;  // the axes of a CartesianGrid are host memory already
    s.table = table.data;
    s.x = x.data;
    s.out = want.data();
    s.ldo = args.nx;
    serial_backend().polynomial_grid(s, serial_exec());
    const T* got = reinterpret_cast<const T*>(out.host());
    const Worst w = compare<T>(
        got, want.data(), args.sets, args.nx, [](auto, auto) { return 0.0; }, true, v);
    if (w.mismatches > 0) {
      mismatch(function, backend.kind(), "polynomial_grid", args.dtype,
               at_cell("out", w.row, w.col), w, v.compared, "exact: every backend rounds alike");
    }
    commit(function, args.out, args.ldo, reinterpret_cast<const std::byte*>(got), args.sets,
           args.nx, sizeof(T), exec.device);
  });
}

void verified_matmul(const char* function, BackendImpl& backend, const Exec& exec,
                     const MatmulArgs& args, Verification& v) {
  if (args.m <= 0 || args.n <= 0) return;  // an empty C: nothing to compute
  visit_dtype(args.dtype, [&]<class T>() {
    const auto cells = static_cast<std::size_t>(args.m) * static_cast<std::size_t>(args.n);
    const HostCopy a =
        host_operand(function, args.a, args.m, args.k, args.lda, sizeof(T), exec.device);
    const HostCopy bm =
        host_operand(function, args.b, args.k, args.n, args.ldb, sizeof(T), exec.device);
    Scratch out(function, cells * sizeof(T), exec.device);
    MatmulArgs b = args;
    b.c = out.data();
    b.ldc = args.n;
    timed(v, [&] { backend.matmul(b, exec); });
    std::vector<T> want(cells);
    MatmulArgs s = args;
    s.a = a.data;
    s.b = bm.data;
    s.c = want.data();
    s.ldc = args.n;
    serial_backend().matmul(s, serial_exec());
    const T* got = reinterpret_cast<const T*>(out.host());
    constexpr bool exact = !std::is_floating_point_v<T>;
    // 2·k·eps·(|A|·|B|)ij + 2·k·min_normal: twice the bound both results satisfy (see the header).
    const T* A = static_cast<const T*>(a.data);
    const T* B = static_cast<const T*>(bm.data);
    const auto k = static_cast<double>(args.k);
    const auto bound_of = [&](std::int64_t i, std::int64_t j) {
      if constexpr (exact) {
        return 0.0;
      } else {
        double sum = 0.0;
        for (std::int64_t p = 0; p < args.k; ++p) {
          sum += std::fabs(static_cast<double>(A[i * args.lda + p])) *
                 std::fabs(static_cast<double>(B[p * args.ldb + j]));
        }
        constexpr double eps = std::numeric_limits<T>::epsilon();
        constexpr double tiny = std::numeric_limits<T>::min();
        return 2.0 * k * eps * sum + 2.0 * k * tiny;
      }
    };
    const Worst w = compare<T>(got, want.data(), args.m, args.n, bound_of, exact, v);
    if (w.mismatches > 0) {
      mismatch(function, backend.kind(), "matmul", args.dtype, at_cell("C", w.row, w.col), w,
               v.compared,
               exact ? std::string("exact: integers wrap alike")
                     : "2·k·eps·(|A|·|B|)ij + 2·k·min_normal, k = " + std::to_string(args.k));
    }
    commit(function, args.c, args.ldc, reinterpret_cast<const std::byte*>(got), args.m, args.n,
           sizeof(T), exec.device);
  });
}

double verified_mse(const char* function, BackendImpl& backend, const Exec& exec,
                    const MseArgs& args, Verification& v) {
  return visit_float_dtype(args.dtype, [&]<class T>() {
    const HostCopy a = host_operand(function, args.a, 1, args.n, args.n, sizeof(T), exec.device);
    const HostCopy b = host_operand(function, args.b, 1, args.n, args.n, sizeof(T), exec.device);
    const double got = timed(v, [&] { return backend.mse(args, exec); });
    MseArgs s = args;
    s.a = a.data;
    s.b = b.data;
    const double want = serial_backend().mse(s, serial_exec());
    // Both are within beta of the exact mean E: |got - want| <= 2·beta·E <= 2·beta/(1-beta)·want.
    const double beta = (std::log2(static_cast<double>(args.n)) + 24.0) * 0x1p-53;
    const double bound = 2.0 * beta / (1.0 - beta) * std::fabs(want) +
                         2.0 * std::numeric_limits<double>::denorm_min();
    const auto bound_of = [&](auto, auto) { return bound; };
    const Worst w = compare<double>(&got, &want, 1, 1, bound_of, false, v);
    if (w.mismatches > 0) {
      mismatch(
          function, backend.kind(), "mse", args.dtype, "(the mean)", w, 1,
          "2·beta/(1 - beta)·|serial|, beta = (log2(n) + 24)·2^-53, n = " + std::to_string(args.n));
    }
    if (w.row < 0) v.bound = bound;
    return got;
  });
}

void note_verification(Stats& stats, Backend ran, bool possible, const Verification& v) {
  stats.verified = false;
  if (!possible) {
    stats.reason +=
        "; not verified: a C++ callable may have side effects, so it is not run a second time";
    return;
  }
  if (ran == Backend::serial) {
    stats.reason += "; verification skipped: the backend is serial, the oracle itself";
    return;
  }
  stats.verified = true;
  std::ostringstream s;
  s << "; verified against serial (";
  if (v.compared == 0) {
    s << "nothing to compare: the result is empty";
  } else if (v.exact || (v.max_error == 0 && v.bound == 0)) {
    s << "exact: " << v.compared << (v.compared == 1 ? " value" : " values") << " equal";
  } else {
    s << "max error " << number(v.max_error) << " within bound " << number(v.bound);
  }
  s << ")";
  stats.reason += s.str();
}

}  // namespace tandem::detail
