// The public face of the cost model: plan(), the profile in use, workload names.
#include "tandem/plan.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iterator>
#include <string>

#include "model/automatic.hpp"
#include "tandem/error.hpp"
#include "checks/validate.hpp"

namespace tandem {

namespace {

constexpr Workload kAllWorkloads[] = {Workload::map, Workload::matmul, Workload::polynomial_grid,
                                      Workload::mse};

// Text that comes from a file (status, created) or from the system (machine) is escaped here,
// where it enters ProfileInfo: whoever prints it cannot be fooled by control bytes.
ProfileInfo info_of(const detail::ModelState& s) {
  ProfileInfo i;
  i.path = detail::printable(s.path);
  i.loaded = s.from_profile;
  i.status = detail::printable(s.status);
  i.machine = detail::printable(detail::this_machine().str());
  if (s.from_profile) i.created = detail::printable(s.profile.created);
  return i;
}

double d(std::int64_t v) { return static_cast<double>(v); }

bool is_workload(Workload w) noexcept {
  return std::find(std::begin(kAllWorkloads), std::end(kAllWorkloads), w) !=
         std::end(kAllWorkloads);
}

bool is_dtype(DType t) noexcept {
  return t == DType::f32 || t == DType::f64 || t == DType::i32 || t == DType::i64;
}

void check_dtype(const char* function, DType t) {
  if (!is_dtype(t)) {
    throw invalid_argument(std::string(function) + ": dtype is " +
                           std::to_string(static_cast<long long>(t)) +
                           ", not a tandem::DType enumerator");
  }
}

double size_of(const char* function, DType t) {
  check_dtype(function, t);
  return t == DType::f32 || t == DType::i32 ? 4.0 : 8.0;
}

}  // namespace

std::string_view to_string(Workload workload) noexcept {
  switch (workload) {
    case Workload::map:
      return "map";
    case Workload::matmul:
      return "matmul";
    case Workload::polynomial_grid:
      return "polynomial_grid";
    case Workload::mse:
      return "mse";
  }
  return "unknown";
}

Workload parse_workload(std::string_view name) {
  std::string n;
  for (char c : name)
    n += c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (Workload w : kAllWorkloads) {
    if (to_string(w) == n) return w;
  }
  throw invalid_argument("tandem::parse_workload: '" + detail::printable(name) +
                         "' is not a workload (valid: map, matmul, polynomial_grid, mse)");
}

Problem Problem::map(DType dtype, std::int64_t n) {
  return {Workload::map, dtype, d(n), 2.0 * d(n) * size_of("tandem::Problem::map", dtype)};
}

Problem Problem::matmul(DType dtype, std::int64_t m, std::int64_t n, std::int64_t k) {
  return {Workload::matmul, dtype, d(m) * d(n) * d(k),
          (d(m) * d(k) + d(k) * d(n) + d(m) * d(n)) * size_of("tandem::Problem::matmul", dtype)};
}

Problem Problem::polynomial_grid(DType dtype, std::int64_t sets, std::int64_t nx,
                                 std::int64_t ncoef) {
  return {Workload::polynomial_grid, dtype, d(sets) * d(nx) * d(ncoef),
          (d(nx) + d(sets) * d(nx)) * size_of("tandem::Problem::polynomial_grid", dtype)};
}

Problem Problem::mse(DType dtype, std::int64_t n, bool two_inputs) {
  return {Workload::mse, dtype, d(n),
          (two_inputs ? 2.0 : 1.0) * d(n) * size_of("tandem::Problem::mse", dtype)};
}

Plan plan(const Problem& problem) {
  if (!is_workload(problem.workload)) {
    throw invalid_argument("tandem::plan: problem.workload is " +
                           std::to_string(static_cast<long long>(problem.workload)) +
                           ", not a tandem::Workload enumerator");
  }
  check_dtype("tandem::plan: problem", problem.dtype);
  if (!detail::workload_has_dtype(problem.workload, problem.dtype)) {
    throw invalid_argument("tandem::plan: " + std::string(to_string(problem.workload)) +
                           " has no dtype " + std::string(to_string(problem.dtype)));
  }
  if (!(problem.work >= 0) || !(problem.bytes >= 0)) {
    throw invalid_argument("tandem::plan: work and bytes must be non-negative numbers");
  }
  const detail::ModelState& model = detail::model_state();
  detail::Shape s{problem.workload, problem.dtype,  problem.work,
                  problem.bytes,    problem.device, false};
  const detail::Choice c =
      detail::choose(model.profile, s, detail::availability(false), model.from_profile);
  if (c.choice == Backend::automatic) {
    throw backend_unavailable("tandem::plan: " + c.reason);
  }
  Plan p;
  p.choice = c.choice;
  p.predictions.assign(c.predictions.begin(), c.predictions.end());
  p.reason = c.reason;
  return p;
}

ProfileInfo profile_info() { return info_of(detail::model_state()); }

ProfileInfo use_profile(const std::string& path) { return info_of(*detail::install_model(path)); }

void check_profile_path(const std::string& path) {
  const std::string why = detail::profile_path_problem(path);
  if (!why.empty()) {
    throw invalid_argument("tandem::check_profile_path: " +
                           detail::printable(path.empty() ? why : "'" + path + "' " + why));
  }
}

std::string default_profile_path() {
  return detail::profile_path(nullptr, std::getenv("XDG_CACHE_HOME"), std::getenv("HOME"),
                              detail::this_machine());
}

}  // namespace tandem
