#include "checks/validate.hpp"

#include "checks/escape.hpp"

#include <cmath>
#include <functional>
#include <limits>
#include <sstream>

namespace tandem::detail {

void fail(const char* function, const std::string& what) {
  throw invalid_argument(std::string(function) + ": " + what);
}

std::string printable(std::string_view text) { return escape_printable(text); }

void check_options(const char* function, const Options& options) {
  if (options.threads < 0 || options.threads > max_threads) {
    fail(function, "options.threads is " + std::to_string(options.threads) +
                       " (must be >= 0 and <= " + std::to_string(max_threads) +
                       "; 0 means the OpenMP default)");
  }
  if (options.backend && !is_backend(*options.backend)) {
    fail(function, "options.backend is " + std::to_string(static_cast<int>(*options.backend)) +
                       ", not a tandem::Backend enumerator");
  }
}

void check_span(const char* function, const char* name, const void* data, std::size_t n,
                std::size_t elem) {
  if (data == nullptr && n > 0) {
    fail(function,
         std::string(name) + ".data() is null but " + name + ".size() is " + std::to_string(n));
  }
  if (n > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max()) / elem) {
    fail(function, std::string(name) + ".size() is " + std::to_string(n) +
                       ", more than the address space holds");
  }
}

std::string shape(const RawMatrix& m) {
  std::string s = std::to_string(m.rows) + "x" + std::to_string(m.cols);
  if (m.ld != m.cols) s += " (ld " + std::to_string(m.ld) + ")";
  return s;
}

void check_matrix(const char* function, const char* name, const RawMatrix& m) {
  const std::string n(name);
  if (m.rows < 0 || m.cols < 0) {
    fail(function, n + " is " + std::to_string(m.rows) + "x" + std::to_string(m.cols) +
                       " (rows and cols must be >= 0)");
  }
  if (m.ld < m.cols) {
    fail(function, n + ".ld is " + std::to_string(m.ld) + " but " + n + ".cols is " +
                       std::to_string(m.cols) + " (ld must be >= cols)");
  }
  if (m.rows == 0 || m.cols == 0) return;
  if (m.data == nullptr) {
    fail(function, n + ".data is null but " + n + " is " + shape(m));
  }
  // Extent in elements, then bytes, must fit in a ptrdiff_t.
  std::int64_t extent = 0;
  std::int64_t bytes = 0;
  if (__builtin_mul_overflow(m.rows - 1, m.ld, &extent) ||
      __builtin_add_overflow(extent, m.cols, &extent) ||
      __builtin_mul_overflow(extent, static_cast<std::int64_t>(m.elem), &bytes) ||
      static_cast<std::uint64_t>(bytes) > static_cast<std::uint64_t>(PTRDIFF_MAX)) {
    fail(function, n + " is " + shape(m) + ": its extent overflows the address space");
  }
}

namespace {

// Element offset of q's start relative to p's start, when both have the same element size and
// the byte distance is a multiple of it; otherwise the views are compared bytewise.
std::uintptr_t addr(const void* p) noexcept { return reinterpret_cast<std::uintptr_t>(p); }

// Whether any element-row of q (rows at q0 + i*ldq, i < rq, each cq long) intersects the byte
// interval [lo, hi). Rows of q are disjoint and sorted, so only the last row that starts before
// hi can reach lo.
bool rows_hit(std::int64_t lo, std::int64_t hi, std::int64_t rq, std::int64_t cq_bytes,
              std::int64_t ldq_bytes) noexcept {
  if (hi <= 0) return false;
  std::int64_t i = (hi - 1) / ldq_bytes;  // last row starting before hi (hi > 0)
  if (i >= rq) i = rq - 1;
  return i * ldq_bytes + cq_bytes > lo;
}

}  // namespace

bool overlaps(const RawMatrix& p, const RawMatrix& q) noexcept {
  if (p.rows == 0 || p.cols == 0 || q.rows == 0 || q.cols == 0) return false;
  const auto p0 = addr(p.data);
  const auto q0 = addr(q.data);
  const auto p_end = p0 + static_cast<std::uintptr_t>(((p.rows - 1) * p.ld + p.cols)) * p.elem;
  const auto q_end = q0 + static_cast<std::uintptr_t>(((q.rows - 1) * q.ld + q.cols)) * q.elem;
  if (p_end <= q0 || q_end <= p0) return false;
  // The extents meet: look row by row (over the view with fewer rows) in bytes relative to q0.
  const RawMatrix& a = p.rows <= q.rows ? p : q;
  const RawMatrix& b = p.rows <= q.rows ? q : p;
  const auto a0 = static_cast<std::int64_t>(addr(a.data) - addr(b.data));  // may wrap negative
  const auto a_ld = a.ld * static_cast<std::int64_t>(a.elem);
  const auto a_cols = a.cols * static_cast<std::int64_t>(a.elem);
  const auto b_ld = std::max<std::int64_t>(b.ld * static_cast<std::int64_t>(b.elem), 1);
  const auto b_cols = b.cols * static_cast<std::int64_t>(b.elem);
  for (std::int64_t i = 0; i < a.rows; ++i) {
    const std::int64_t lo = a0 + i * a_ld;
    if (rows_hit(lo, lo + a_cols, b.rows, b_cols, b_ld)) return true;
  }
  return false;
}

void check_disjoint(const char* function, const char* out_name, const RawMatrix& out,
                    const char* in_name, const RawMatrix& in) {
  if (overlaps(out, in)) {
    std::ostringstream os;
    os << out_name << " (" << shape(out) << " at " << out.data << ") overlaps " << in_name << " ("
       << shape(in) << " at " << in.data << "); the output must not share memory with " << in_name;
    fail(function, os.str());
  }
}

namespace {
// A MapOp parameter as the user gave it: integers exactly, floating values round-trippable.
std::string value_string(const Scalar& s) {
  if (s.is_integer()) return std::to_string(s.integer());
  std::ostringstream os;
  os.precision(17);
  os << s.floating();
  return os.str();
}
}  // namespace

template <class T>
T convert_param(const char* function, const char* name, const Scalar& s) {
  const auto bad = [&](const char* why) {
    fail(function, std::string(name) + " = " + value_string(s) + " " + why + " " +
                       std::string(to_string(dtype_of<T>)));
  };
  if constexpr (std::is_floating_point_v<T>) {
    if (s.is_integer()) return static_cast<T>(s.integer());
    const double v = s.floating();
    if (std::isfinite(v) && std::fabs(v) > static_cast<double>(std::numeric_limits<T>::max())) {
      bad("is out of range for");
    }
    return static_cast<T>(v);
  } else {
    std::int64_t v = 0;
    if (s.is_integer()) {
      v = s.integer();
    } else {
      const double d = s.floating();
      // 2^63 is exactly representable; anything >= it, or < -2^63, does not fit int64.
      if (!std::isfinite(d) || d != std::trunc(d) || d >= 9223372036854775808.0 ||
          d < -9223372036854775808.0) {
        bad("is not an integer representable in");
      }
      v = static_cast<std::int64_t>(d);
    }
    if (v < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
        v > static_cast<std::int64_t>(std::numeric_limits<T>::max())) {
      bad("is out of range for");
    }
    return static_cast<T>(v);
  }
}

#define TANDEM_INSTANTIATE_(T, name) \
  template T convert_param<T>(const char*, const char*, const Scalar&);
TANDEM_FOR_EACH_DTYPE(TANDEM_INSTANTIATE_)
#undef TANDEM_INSTANTIATE_

}  // namespace tandem::detail
