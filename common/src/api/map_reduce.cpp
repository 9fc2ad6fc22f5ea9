// tandem::sum, mean, min, max and map_reduce: one workload (map_reduce: an optional built-in
// map, then a sum, min or max). Entry points: validate, convert the map's parameters, dispatch;
// mean is the sum over n. Then what the workload is (traits) and its verification.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "checks/validate.hpp"
#include "checks/verify_tools.hpp"
#include "dispatch/dispatch.hpp"
#include "kernels/reduce.hpp"
#include "tandem/reduce.hpp"
#include "workloads/sample_data.hpp"
#include "workloads/workload_traits.hpp"

namespace tandem {

std::string_view to_string(ReduceKind kind) noexcept {
  switch (kind) {
    case ReduceKind::sum:
      return "sum";
    case ReduceKind::min:
      return "min";
    case ReduceKind::max:
      return "max";
  }
  return "?";
}

namespace detail {

namespace {

constexpr const char* kSum = "tandem::sum";
constexpr const char* kMean = "tandem::mean";
constexpr const char* kMin = "tandem::min";
constexpr const char* kMax = "tandem::max";
constexpr const char* kMapReduce = "tandem::map_reduce";

Problem reduce_problem(DType dtype, std::int64_t n) {
  const auto e = static_cast<double>(n);
  return {tandem::Workload::map_reduce, dtype, e,
          e * checked_size("tandem::Problem(map_reduce)", dtype)};
}

// The map's parameters converted to T (an empty list without a map).
template <class T>
std::vector<T> converted_params(const char* function, const MapOp* op) {
  std::vector<T> out;
  if (op == nullptr) return out;
  const auto params = op->params();
  if (op->kind() == MapKind::polynomial && params.empty()) {
    fail(function, "op is a polynomial with 0 coefficients (it needs at least 1)");
  }
  out.reserve(params.size());
  static constexpr const char* kNames[] = {"op.a", "op.b"};
  for (std::size_t i = 0; i < params.size(); ++i) {
    const std::string name = op->kind() == MapKind::polynomial
                                 ? "op.coefficients[" + std::to_string(i) + "]"
                                 : kNames[i];
    out.push_back(convert_param<T>(function, name.c_str(), params[i]));
  }
  return out;
}

std::string number(double v, int digits) {
  std::ostringstream s;
  s.precision(digits);
  s << v;
  return s.str();
}

// Runs the backend, then serial on the same input, and compares: integer results and min/max
// exactly (NaN equals NaN, -0 equals +0); a float sum within 2·beta·sum|term| with
// beta = (log2(n) + 24)·2^-53, the documented bound of both results. Where a term is NaN, or
// terms of both infinite signs meet, both must be NaN; where the finite terms' magnitudes
// overflow, the order decides between ±Inf and NaN and any result is accepted.
void verified_map_reduce(const char* function, BackendImpl& backend, const Exec& exec,
                         MapReduceArgs& args, Verification& v) {
  timed(v, [&] { run_on<tandem::Workload::map_reduce>(backend, args, exec); });
  MapReduceArgs s = args;
  run_on<tandem::Workload::map_reduce>(serial_backend(), s, serial_exec());
  v.compared = 1;
  visit_dtype(args.dtype, [&]<class T>() {
    double got = 0.0, want = 0.0, bound = 0.0;
    bool ok = true;
    std::string rule = "exact";
    if constexpr (std::is_integral_v<T>) {
      ok = args.integer == s.integer;
      got = static_cast<double>(args.integer);
      want = static_cast<double>(s.integer);
    } else {
      got = args.value;
      want = s.value;
      const bool same = got == want || (std::isnan(got) && std::isnan(want));
      if (args.reduce != ReduceKind::sum) {
        ok = same;
      } else {
        double magnitude = 0.0;
        bool nan = false, pos_inf = false, neg_inf = false;
        visit_map<T>(args.mapped, args.kind, static_cast<const T*>(args.params), args.nparams,
                     [&](auto op) {
                       const T* x = static_cast<const T*>(args.x);
                       for (std::int64_t i = 0; i < args.n; ++i) {
                         const auto term = static_cast<double>(op(x[i]));
                         nan = nan || std::isnan(term);
                         pos_inf = pos_inf || term == std::numeric_limits<double>::infinity();
                         neg_inf = neg_inf || term == -std::numeric_limits<double>::infinity();
                         magnitude += std::fabs(term);
                       }
                     });
        const double beta =
            (std::log2(static_cast<double>(args.n < 2 ? 2 : args.n)) + 24.0) * 0x1p-53;
        v.exact = false;
        if (nan || (pos_inf && neg_inf)) {
          ok = std::isnan(got) && std::isnan(want);
          rule = "both NaN: a term is NaN, or infinite terms of both signs";
        } else if (!std::isfinite(magnitude)) {
          rule = "none: the terms' magnitudes overflow, the order decides";
        } else {
          bound = 2.0 * beta * magnitude + 2.0 * std::numeric_limits<double>::denorm_min();
          const double err = same ? 0.0 : std::fabs(got - want);
          ok = err <= bound;  // false for a NaN error
          v.max_error = err;
          v.bound = bound;
          rule = "2·beta·sum|term|, beta = (log2(n) + 24)·2^-53, n = " + std::to_string(args.n);
        }
      }
    }
    if (!ok) {
      std::ostringstream m;
      m << function << ": verification against serial failed: the " << to_string(backend.kind())
        << " backend's map_reduce " << to_string(args.reduce) << " " << to_string(args.dtype)
        << " result is " << number(got, 17) << " but serial's is " << number(want, 17) << ": error "
        << number(std::fabs(got - want), 3) << " exceeds the bound " << number(bound, 3) << " ("
        << rule << "); the outputs are untouched";
      throw verification_error(m.str());
    }
  });
}

// Validates and runs one reduction of host data. `what` names the reduction for the empty-input
// error ("mean", "min", "max"); null: empty input is allowed (a sum: 0).
template <class T>
MapReduceArgs reduce_host(const char* function, std::span<const T> x, const MapOp* op,
                          ReduceKind reduce, const char* what, const Options& options) {
  const auto start = std::chrono::steady_clock::now();
  check_options(function, options);
  check_span(function, "x", x.data(), x.size(), sizeof(T));
  if (x.empty() && what != nullptr) {
    fail(function, std::string("x is empty (the ") + what + " of nothing is undefined)");
  }
  const std::vector<T> params = converted_params<T>(function, op);
  const auto n = static_cast<std::int64_t>(x.size());
  MapReduceArgs args{dtype_of<T>,
                     x.data(),
                     n,
                     op != nullptr,
                     op != nullptr ? op->kind() : MapKind::scale,
                     reduce,
                     params.data(),
                     static_cast<std::int64_t>(params.size()),
                     0.0,
                     0};
  const Call call{function, reduce_problem(dtype_of<T>, n)};
  run(
      call, options, start,
      [&](BackendImpl& b, const Exec& e) { run_on<tandem::Workload::map_reduce>(b, args, e); },
      [&](BackendImpl& b, const Exec& e, Verification& v) {
        verified_map_reduce(function, b, e, args, v);
      });
  return args;
}

template <class T>
reduce_result_t<T> result_of(const MapReduceArgs& a) {
  if constexpr (std::is_floating_point_v<T>) {
    return a.value;
  } else {
    return a.integer;
  }
}

template <class T>
T extreme_of(const MapReduceArgs& a) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(a.value);  // exact: the value is a T
  } else {
    return static_cast<T>(a.integer);
  }
}

}  // namespace

void validate_callable_reduce(const void* x, std::size_t size, std::size_t elem) {
  check_span(kMapReduce, "x", x, size, elem);
}

}  // namespace detail

#define TANDEM_DEFINE_REDUCE_(T, name)                                                            \
  reduce_result_t<T> sum(std::span<const T> x, const Options& o) {                                \
    return detail::result_of<T>(                                                                  \
        detail::reduce_host<T>(detail::kSum, x, nullptr, ReduceKind::sum, nullptr, o));           \
  }                                                                                               \
  double mean(std::span<const T> x, const Options& o) {                                           \
    const auto r = detail::result_of<T>(                                                          \
        detail::reduce_host<T>(detail::kMean, x, nullptr, ReduceKind::sum, "mean", o));           \
    return static_cast<double>(r) / static_cast<double>(x.size());                                \
  }                                                                                               \
  T min(std::span<const T> x, const Options& o) {                                                 \
    return detail::extreme_of<T>(                                                                 \
        detail::reduce_host<T>(detail::kMin, x, nullptr, ReduceKind::min, "min", o));             \
  }                                                                                               \
  T max(std::span<const T> x, const Options& o) {                                                 \
    return detail::extreme_of<T>(                                                                 \
        detail::reduce_host<T>(detail::kMax, x, nullptr, ReduceKind::max, "max", o));             \
  }                                                                                               \
  reduce_result_t<T> map_reduce(std::span<const T> x, const MapOp& map, ReduceOp reduce,          \
                                const Options& o) {                                               \
    const ReduceKind k = reduce.kind();                                                           \
    const char* what = k == ReduceKind::sum ? nullptr : k == ReduceKind::min ? "min" : "max";     \
    return detail::result_of<T>(detail::reduce_host<T>(detail::kMapReduce, x, &map, k, what, o)); \
  }
TANDEM_FOR_EACH_DTYPE(TANDEM_DEFINE_REDUCE_)
#undef TANDEM_DEFINE_REDUCE_

// ---- what map_reduce is: its Problem, cost-model defaults, calibration sizes, sample call ---

namespace detail {

template <>
const WorkloadTraits& traits_of<tandem::Workload::map_reduce>() {
  static const WorkloadTraits t{
      .has_dtype = any_dtype,
      .problem = [](DType d, const WorkloadSize& s) { return reduce_problem(d, s.n); },
      .input_fraction = 1.0,  // a scalar comes back
      // Serial and openmp: the mean squared error's (the same tree over the same bytes), 2 cores of
      // an AVX-512 Xeon.
      .serial_default =
          [](DType) {
            return Default{0.1e-6, 1.55e-9};
          },
      .openmp_default =
          [](DType) {
            return Default{1.3e-6, 0.12e-9};
          },
      .cuda_default = [](DType d) { return cuda_streaming_default(d, 1.0); },
      .cpu_sizes = elementwise_cpu_sizes,
      .gpu_sizes = elementwise_gpu_sizes,
      .sample_bytes =
          [](DType d, const WorkloadSize& s) {
            return static_cast<double>(s.n) * static_cast<double>(size_of(d));
          },
      // The sum of squares: map_reduce(x, MapOp::square(), ReduceOp::sum()).
      .sample =
          [](DType d, const WorkloadSize& s) {
            return visit_dtype(d, [&]<class T>() {
              auto x = std::make_shared<const std::vector<T>>(sample_values<T>(s.n, 7));
              auto result = std::make_shared<double>(0.0);
              return SampleCall{reduce_problem(d, s.n),
                                [x, result](const Options& o) {
                                  *result = static_cast<double>(tandem::map_reduce(
                                      std::span<const T>(*x), MapOp::square(), ReduceOp::sum(), o));
                                },
                                [result] { return *result; }};
            });
          },
      .cli = {std::int64_t{1} << 20, kMaxSampleElements, false, true,
              "sum of x^2 over N elements (MapOp::square(), ReduceOp::sum())"},
  };
  return t;
}

}  // namespace detail

}  // namespace tandem
