// tandem::mse entry points: validate, dispatch.
#include "tandem/mse.hpp"
#include "checks/device_checks.hpp"
#include "dispatch/dispatch.hpp"
#include "checks/validate.hpp"

namespace tandem {

namespace detail {
namespace {

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
  const MseArgs args{dtype_of<T>, a.data(), b != nullptr ? b->data() : nullptr, n};
  const Call call{kMse, Workload::mse, dtype_of<T>, static_cast<double>(n),
                  (b != nullptr ? 2.0 : 1.0) * static_cast<double>(n) * sizeof(T)};
  return run(
      call, options, start, [&](BackendImpl& be, const Exec& e) { return be.mse(args, e); },
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
  const MseArgs args{a.dtype(), a.data(), b != nullptr ? b->data() : nullptr, a.size()};
  const double elem = a.dtype() == DType::f32 ? 4.0 : 8.0;
  const Call call{kMse,
                  Workload::mse,
                  a.dtype(),
                  static_cast<double>(a.size()),
                  (b != nullptr ? 2.0 : 1.0) * static_cast<double>(a.size()) * elem,
                  true};
  return run(
      call, options, start, [&](BackendImpl& be, const Exec& e) { return be.mse(args, e); },
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

}  // namespace tandem
