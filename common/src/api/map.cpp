// tandem::map entry points: validate, convert the op's parameters to the dtype, dispatch.
#include <array>
#include <memory>
#include <vector>

#include "checks/device_checks.hpp"
#include "checks/validate.hpp"
#include "checks/verify_tools.hpp"
#include "dispatch/dispatch.hpp"
#include "tandem/map.hpp"
#include "workloads/sample_data.hpp"
#include "workloads/workload_traits.hpp"

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

// Runs the backend into scratch, serial on the same inputs, and commits the backend's result
// once the two agree within the bound (checks/verify.hpp).
void verified_map(const char* function, BackendImpl& backend, const Exec& exec, const MapArgs& args,
                  Verification& v) {
  visit_dtype(args.dtype, [&]<class T>() {
    const std::size_t bytes = static_cast<std::size_t>(args.n) * sizeof(T);
    const HostCopy x = host_operand(function, args.x, 1, args.n, args.n, sizeof(T), exec.device);
    Scratch out(function, bytes, exec.device);
    MapArgs b = args;
    b.y = out.data();
    timed(v, [&] { run_on<tandem::Workload::map>(backend, b, exec); });
    std::vector<T> want(static_cast<std::size_t>(args.n));
    MapArgs s = args;  // the converted parameters are host memory already
    s.x = x.data;
    s.y = want.data();
    run_on<tandem::Workload::map>(serial_backend(), s, serial_exec());
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
  MapArgs args{dtype_of<T>, x.data(), y.data(), n, op.kind(), params.data(), params.size()};
  const Call call{kMap, Problem::map(dtype_of<T>, n)};
  run(
      call, options, start,
      [&](BackendImpl& b, const Exec& e) { run_on<tandem::Workload::map>(b, args, e); },
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
    MapArgs args{dtype_of<T>, x.data(),      y.data(),     x.size(),
                 op.kind(),   params.data(), params.size()};
    const Call call{kMap, on_device(Problem::map(dtype_of<T>, x.size()))};
    run(
        call, options, start,
        [&](BackendImpl& b, const Exec& e) { run_on<tandem::Workload::map>(b, args, e); },
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
  const Call call{function, Problem{tandem::Workload::map, DType::f64, static_cast<double>(n), 0.0},
                  true};
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

// ---- what map is: its Problem, cost-model defaults, calibration sizes, sample call ----------

Problem Problem::map(DType dtype, std::int64_t n) {
  const auto e = static_cast<double>(n);
  return {Workload::map, dtype, e, 2.0 * e * detail::checked_size("tandem::Problem::map", dtype)};
}

namespace detail {

template <>
const WorkloadTraits& traits_of<tandem::Workload::map>() {
  static const WorkloadTraits t{
      .has_dtype = any_dtype,
      .problem = [](DType d, const WorkloadSize& s) { return Problem::map(d, s.n); },
      .input_fraction = 0.5,  // x in, y out
      // Serial and openmp: 2 cores of an AVX-512 Xeon (bench/results/).
      .serial_default =
          [](DType) {
            return Default{0.1e-6, 1.6e-9};
          },
      .openmp_default =
          [](DType) {
            return Default{1.5e-6, 0.11e-9};
          },
      .cuda_default =
          [](DType d) {
            return cuda_streaming_default(d, 2.0);  // x read, y written
          },
      .cpu_sizes = elementwise_cpu_sizes,
      .gpu_sizes = elementwise_gpu_sizes,
      .sample_bytes =
          [](DType d, const WorkloadSize& s) {
            return 2.0 * static_cast<double>(s.n) * static_cast<double>(size_of(d));  // x, y
          },
      .sample =
          [](DType d, const WorkloadSize& s) {
            return visit_dtype(d, [&]<class T>() {
              auto x = std::make_shared<const std::vector<T>>(sample_values<T>(s.n, 1));
              auto y = std::make_shared<std::vector<T>>(x->size());
              return SampleCall{
                  Problem::map(d, s.n),
                  [x, y](const Options& o) {
                    tandem::map(std::span<const T>(*x), std::span<T>(*y), MapOp::scale(2), o);
                  },
                  [y] { return sample_checksum(y->data(), static_cast<std::int64_t>(y->size())); }};
            });
          },
      .cli = {std::int64_t{1} << 20, kMaxSampleElements, false, false, "y = 2x over N elements"},
  };
  return t;
}

}  // namespace detail

}  // namespace tandem
