// tandem::map entry points: validate, convert the op's parameters to the dtype, dispatch.
#include <array>
#include <vector>

#include "checks/device_checks.hpp"
#include "dispatch/dispatch.hpp"
#include "tandem/map.hpp"
#include "checks/validate.hpp"

namespace tandem {

std::string_view to_string(MapKind kind) noexcept {
  switch (kind) {
    case MapKind::scale:
      return "scale";
    case MapKind::affine:
      return "affine";
    case MapKind::square:
      return "square";
    case MapKind::abs:
      return "abs";
    case MapKind::polynomial:
      return "polynomial";
  }
  return "?";
}

namespace detail {

namespace {

constexpr const char* kMap = "tandem::map";

// The op's parameters converted to T: inline for the common few, on the heap beyond that.
template <class T>
class ParamBuffer {
 public:
  ParamBuffer(const MapOp& op) {  // NOLINT(google-explicit-constructor)
    const auto params = op.params();
    if (op.kind() == MapKind::polynomial && params.empty()) {
      fail(kMap, "op is a polynomial with 0 coefficients (it needs at least 1)");
    }
    size_ = static_cast<std::int64_t>(params.size());
    T* out = inline_.data();
    if (params.size() > inline_.size()) {
      heap_.resize(params.size());
      out = heap_.data();
    }
    static constexpr const char* kNames[] = {"op.a", "op.b"};
    for (std::size_t i = 0; i < params.size(); ++i) {
      const std::string name = op.kind() == MapKind::polynomial
                                   ? "op.coefficients[" + std::to_string(i) + "]"
                                   : kNames[i];
      out[i] = convert_param<T>(kMap, name.c_str(), params[i]);
    }
    data_ = out;
  }
  ParamBuffer(const ParamBuffer&) = delete;
  ParamBuffer& operator=(const ParamBuffer&) = delete;
  const T* data() const noexcept { return data_; }
  std::int64_t size() const noexcept { return size_; }

 private:
  std::array<T, 8> inline_{};
  std::vector<T> heap_;
  const T* data_ = nullptr;
  std::int64_t size_ = 0;
};

void check_map_spans(const void* x, std::size_t xn, std::size_t xe, const void* y, std::size_t yn,
                     std::size_t ye, bool same_type) {
  check_span(kMap, "x", x, xn, xe);
  check_span(kMap, "y", y, yn, ye);
  if (xn != yn) {
    fail(kMap, "x.size() is " + std::to_string(xn) + " but y.size() is " + std::to_string(yn) +
                   " (they must be equal)");
  }
  if (same_type && x == y) return;  // in place
  if (overlaps(raw_span(y, yn, ye), raw_span(x, xn, xe))) {
    fail(kMap,
         "y partially overlaps x (y may be x itself, with the same element type, or "
         "disjoint from it)");
  }
}

template <class T>
void map_impl(std::span<const T> x, std::span<T> y, const MapOp& op, const Options& options) {
  const auto start = std::chrono::steady_clock::now();
  check_options(kMap, options);
  check_map_spans(x.data(), x.size(), sizeof(T), y.data(), y.size(), sizeof(T), true);
  const ParamBuffer<T> params(op);
  const auto n = static_cast<std::int64_t>(x.size());
  const MapArgs args{dtype_of<T>, x.data(), y.data(), n, op.kind(), params.data(), params.size()};
  const Call call{kMap, Workload::map, dtype_of<T>, static_cast<double>(n),
                  2.0 * static_cast<double>(n) * sizeof(T)};
  run(
      call, options, start, [&](BackendImpl& b, const Exec& e) { b.map(args, e); },
      [&](BackendImpl& b, const Exec& e, Verification& v) { verified_map(kMap, b, e, args, v); });
}

void map_device(const DeviceBuffer& x, DeviceBuffer& y, const MapOp& op, const Options& options) {
  const auto start = std::chrono::steady_clock::now();
  check_options(kMap, options);
  check_dtype(kMap, "y", y, x.dtype());
  if (x.size() != y.size()) {
    fail(kMap, "x.size() is " + std::to_string(x.size()) + " but y.size() is " +
                   std::to_string(y.size()) + " (they must be equal)");
  }
  visit_dtype(x.dtype(), [&]<class T>() {
    const ParamBuffer<T> params(op);
    const MapArgs args{dtype_of<T>, x.data(),      y.data(),     x.size(),
                       op.kind(),   params.data(), params.size()};
    const Call call{kMap,
                    Workload::map,
                    dtype_of<T>,
                    static_cast<double>(x.size()),
                    2.0 * static_cast<double>(x.size()) * sizeof(T),
                    true};
    run(
        call, options, start, [&](BackendImpl& b, const Exec& e) { b.map(args, e); },
        [&](BackendImpl& b, const Exec& e, Verification& v) { verified_map(kMap, b, e, args, v); });
  });
}

}  // namespace

void validate_callable_map(const void* x, std::size_t x_size, std::size_t x_elem, const void* y,
                           std::size_t y_size, std::size_t y_elem, bool same_type) {
  check_map_spans(x, x_size, x_elem, y, y_size, y_elem, same_type);
}

void parallel_for(const char* function, std::int64_t n, ChunkFn fn, void* ctx,
                  const Options& options) {
  const auto start = std::chrono::steady_clock::now();
  check_options(function, options);
  // The element types of a callable map are the user's; bytes are unknown and unused (CPU only).
  const Call call{function, Workload::callable_map, DType::f64, static_cast<double>(n), 0.0};
  run(call, options, start, [&](BackendImpl& b, const Exec& e) { b.parallel_for(n, fn, ctx, e); });
}

}  // namespace detail

#define TANDEM_DEFINE_MAP_(T, name)                                                   \
  void map(std::span<const T> x, std::span<T> y, const MapOp& op, const Options& o) { \
    detail::map_impl<T>(x, y, op, o);                                                 \
  }
TANDEM_FOR_EACH_DTYPE(TANDEM_DEFINE_MAP_)
#undef TANDEM_DEFINE_MAP_

void map(const DeviceBuffer& x, DeviceBuffer& y, const MapOp& op, const Options& options) {
  detail::map_device(x, y, op, options);
}

}  // namespace tandem
