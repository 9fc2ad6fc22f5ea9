// RECIPE 4 (ARCHITECTURE.md, "Adding a workload"): the entry points, the verifier, the Problem
// formula and the traits.
// tandem::mse entry points: validate, dispatch.
#include <memory>
#include <vector>

#include "checks/device_checks.hpp"
#include "checks/validate.hpp"
#include "checks/verify_tools.hpp"
#include "dispatch/dispatch.hpp"
#include "tandem/mse.hpp"
#include "workloads/sample_data.hpp"
#include "workloads/workload_traits.hpp"

namespace tandem {

namespace detail {
namespace {

// Runs the backend into scratch, serial on the same inputs, and commits the backend's result
// once the two agree within the bound (checks/verify.hpp).
double verified_mse(const char* function, BackendImpl& backend, const Exec& exec,
                    const MseArgs& args, Verification& v) {
  return visit_float_dtype(args.dtype, [&]<class T>() {
    const HostCopy a = host_operand(function, args.a, 1, args.n, args.n, sizeof(T), exec.device);
    const HostCopy b = host_operand(function, args.b, 1, args.n, args.n, sizeof(T), exec.device);
    MseArgs g = args;
    timed(v, [&] { run_on<tandem::Workload::mse>(backend, g, exec); });
    const double got = g.result;
    MseArgs s = args;
    s.a = a.data;
    s.b = b.data;
    run_on<tandem::Workload::mse>(serial_backend(), s, serial_exec());
    const double want = s.result;
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

constexpr const char* kMse = "tandem::mse";

template <class T>
double mse_impl(std::span<const T> a, const std::span<const T>* b, const Options& options) {
  const auto start = std::chrono::steady_clock::now();
  check_options(kMse, options);
  const char* a_name = b != nullptr ? "a" : "errors";
  check_span(kMse, a_name, a.data(), a.size(), sizeof(T));
  if (b != nullptr) {
    check_span(kMse, "b", b->data(), b->size(), sizeof(T));
    if (a.size() != b->size()) {
      fail(kMse, "a.size() is " + std::to_string(a.size()) + " but b.size() is " +
                     std::to_string(b->size()) + " (they must be equal)");
    }
  }
  if (a.empty()) {
    fail(kMse, std::string(a_name) + " is empty (the mean of nothing is undefined)");
  }
  const auto n = static_cast<std::int64_t>(a.size());
  MseArgs args{dtype_of<T>, a.data(), b != nullptr ? b->data() : nullptr, n, 0.0};
  const Call call{kMse, Problem::mse(dtype_of<T>, n, b != nullptr)};
  return run(
      call, options, start,
      [&](BackendImpl& be, const Exec& e) {
        run_on<tandem::Workload::mse>(be, args, e);
        return args.result;
      },
      [&](BackendImpl& be, const Exec& e, Verification& v) {
        return verified_mse(kMse, be, e, args, v);
      });
}

double mse_device(const DeviceBuffer& a, const DeviceBuffer* b, const Options& options) {
  const auto start = std::chrono::steady_clock::now();
  check_options(kMse, options);
  const char* a_name = b != nullptr ? "a" : "errors";
  if (a.dtype() != DType::f32 && a.dtype() != DType::f64) {
    fail(kMse, std::string(a_name) + " holds " + std::string(to_string(a.dtype())) +
                   " (mse needs f32 or f64)");
  }
  if (b != nullptr) {
    check_dtype(kMse, "b", *b, a.dtype());
    if (a.size() != b->size()) {
      fail(kMse, "a.size() is " + std::to_string(a.size()) + " but b.size() is " +
                     std::to_string(b->size()) + " (they must be equal)");
    }
  }
  if (a.size() == 0) {
    fail(kMse, std::string(a_name) + " is empty (the mean of nothing is undefined)");
  }
  MseArgs args{a.dtype(), a.data(), b != nullptr ? b->data() : nullptr, a.size(), 0.0};
  const Call call{kMse, on_device(Problem::mse(a.dtype(), a.size(), b != nullptr))};
  return run(
      call, options, start,
      [&](BackendImpl& be, const Exec& e) {
        run_on<tandem::Workload::mse>(be, args, e);
        return args.result;
      },
      [&](BackendImpl& be, const Exec& e, Verification& v) {
        return verified_mse(kMse, be, e, args, v);
      });
}

}  // namespace
}  // namespace detail

#define TANDEM_DEFINE_MSE_(T, name)                                          \
  double mse(std::span<const T> errors, const Options& o) {                  \
    return detail::mse_impl<T>(errors, nullptr, o);                          \
  }                                                                          \
  double mse(std::span<const T> a, std::span<const T> b, const Options& o) { \
    return detail::mse_impl<T>(a, &b, o);                                    \
  }
TANDEM_FOR_EACH_FLOAT_DTYPE(TANDEM_DEFINE_MSE_)
#undef TANDEM_DEFINE_MSE_

double mse(const DeviceBuffer& errors, const Options& o) {
  return detail::mse_device(errors, nullptr, o);
}
double mse(const DeviceBuffer& a, const DeviceBuffer& b, const Options& o) {
  return detail::mse_device(a, &b, o);
}

// ---- what mse is: its Problem, cost-model defaults, calibration sizes, sample call ----------

Problem Problem::mse(DType dtype, std::int64_t n, bool two_inputs) {
  const auto e = static_cast<double>(n);
  return {Workload::mse, dtype, e,
          (two_inputs ? 2.0 : 1.0) * e * detail::checked_size("tandem::Problem::mse", dtype)};
}

namespace detail {

template <>
const WorkloadTraits& traits_of<tandem::Workload::mse>() {
  static const WorkloadTraits t{
      .has_dtype = float_dtype,
      .problem = [](DType d, const WorkloadSize& s) { return Problem::mse(d, s.n); },
      .input_fraction = 1.0,  // a scalar comes back
      // Serial and openmp: 2 cores of an AVX-512 Xeon (bench/results/).
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
      .sample =
          [](DType d, const WorkloadSize& s) {
            return visit_float_dtype(d, [&]<class T>() {
              auto e = std::make_shared<const std::vector<T>>(sample_values<T>(s.n, 5));
              auto result = std::make_shared<double>(0.0);
              return SampleCall{Problem::mse(d, s.n),
                                [e, result](const Options& o) {
                                  *result = tandem::mse(std::span<const T>(*e), o);
                                },
                                [result] { return *result; }};
            });
          },
      .cli = {std::int64_t{1} << 20, kMaxSampleElements, false, true,
              "mean of e^2 over N elements"},
  };
  return t;
}

}  // namespace detail

}  // namespace tandem
