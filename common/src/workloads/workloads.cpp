// The table of workload traits generated from TANDEM_FOR_EACH_WORKLOAD, and the public
// functions that read it (names, dtypes, sample calls).
#include <cctype>
#include <string>

#include "checks/validate.hpp"
#include "tandem/error.hpp"
#include "workloads/workload_traits.hpp"

namespace tandem {

namespace detail {

#define TANDEM_DECLARE_TRAITS_(name) \
  template <>                        \
  const WorkloadTraits& traits_of<tandem::Workload::name>();
TANDEM_FOR_EACH_WORKLOAD(TANDEM_DECLARE_TRAITS_)
#undef TANDEM_DECLARE_TRAITS_

const WorkloadTraits& traits(tandem::Workload w) {
  switch (w) {
#define TANDEM_TRAITS_CASE_(name) \
  case tandem::Workload::name:    \
    return traits_of<tandem::Workload::name>();
    TANDEM_FOR_EACH_WORKLOAD(TANDEM_TRAITS_CASE_)
#undef TANDEM_TRAITS_CASE_
  }
  throw invalid_argument("tandem: workload is " + std::to_string(static_cast<long long>(w)) +
                         ", not a tandem::Workload enumerator");
}

double checked_size(const char* function, DType dtype) {
  const std::size_t s = size_of(dtype);
  if (s == 0) {
    throw invalid_argument(std::string(function) + ": dtype is " +
                           std::to_string(static_cast<long long>(dtype)) +
                           ", not a tandem::DType enumerator");
  }
  return static_cast<double>(s);
}

void check_workload_dtype(const char* function, tandem::Workload workload, DType dtype) {
  if (!is_workload(workload)) {
    throw invalid_argument(std::string(function) + ": problem.workload is " +
                           std::to_string(static_cast<long long>(workload)) +
                           ", not a tandem::Workload enumerator");
  }
  checked_size((std::string(function) + ": problem").c_str(), dtype);
  if (!traits(workload).has_dtype(dtype)) {
    throw invalid_argument(std::string(function) + ": " + std::string(to_string(workload)) +
                           " has no dtype " + std::string(to_string(dtype)));
  }
}

bool float_dtype(DType d) noexcept { return d == DType::f32 || d == DType::f64; }
bool any_dtype(DType d) noexcept { return size_of(d) != 0; }

}  // namespace detail

Workload parse_workload(std::string_view name) {
  std::string n;
  for (char c : name)
    n += c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string valid;
  for (Workload w : kAllWorkloads) {
    if (to_string(w) == n) return w;
    valid += (valid.empty() ? "" : ", ") + std::string(to_string(w));
  }
  throw invalid_argument("tandem::parse_workload: '" + detail::printable(name) +
                         "' is not a workload (valid: " + valid + ")");
}

bool has_dtype(Workload workload, DType dtype) noexcept {
  return is_workload(workload) && detail::any_dtype(dtype) &&
         detail::traits(workload).has_dtype(dtype);
}

Problem problem_of(Workload workload, DType dtype, const WorkloadSize& size) {
  detail::check_workload_dtype("tandem::problem_of", workload, dtype);
  return detail::traits(workload).problem(dtype, size);
}

double sample_bytes(Workload workload, DType dtype, const WorkloadSize& size) {
  detail::check_workload_dtype("tandem::sample_bytes", workload, dtype);
  return detail::traits(workload).sample_bytes(dtype, size);
}

SampleCall sample_call(Workload workload, DType dtype, const WorkloadSize& size) {
  detail::check_workload_dtype("tandem::sample_call", workload, dtype);
  return detail::traits(workload).sample(dtype, size);
}

WorkloadCli cli_defaults(Workload workload) { return detail::traits(workload).cli; }

}  // namespace tandem
