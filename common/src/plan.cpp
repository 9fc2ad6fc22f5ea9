// The public face of the cost model: plan(), the profile in use, workload names.
#include "tandem/plan.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "automatic.hpp"
#include "tandem/error.hpp"

namespace tandem {

namespace {

constexpr Workload kAllWorkloads[] = {Workload::map, Workload::matmul, Workload::polynomial_grid,
                                      Workload::mse};

ProfileInfo info_of(const detail::ModelState& s) {
  ProfileInfo i;
  i.path = s.path;
  i.loaded = s.from_profile;
  i.status = s.status;
  i.machine = detail::this_machine().str();
  if (s.from_profile) i.created = s.profile.created;
  return i;
}

double d(std::int64_t v) { return static_cast<double>(v); }

double size_of(DType t) { return t == DType::f32 || t == DType::i32 ? 4.0 : 8.0; }

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
  return "?";
}

Workload parse_workload(std::string_view name) {
  std::string n;
  for (char c : name)
    n += c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (Workload w : kAllWorkloads) {
    if (to_string(w) == n) return w;
  }
  throw invalid_argument("tandem::parse_workload: '" + std::string(name) +
                         "' is not a workload (valid: map, matmul, polynomial_grid, mse)");
}

Problem Problem::map(DType dtype, std::int64_t n) {
  return {Workload::map, dtype, d(n), 2.0 * d(n) * size_of(dtype)};
}

Problem Problem::matmul(DType dtype, std::int64_t m, std::int64_t n, std::int64_t k) {
  return {Workload::matmul, dtype, d(m) * d(n) * d(k),
          (d(m) * d(k) + d(k) * d(n) + d(m) * d(n)) * size_of(dtype)};
}

Problem Problem::polynomial_grid(DType dtype, std::int64_t sets, std::int64_t nx,
                                 std::int64_t ncoef) {
  return {Workload::polynomial_grid, dtype, d(sets) * d(nx) * d(ncoef),
          (d(nx) + d(sets) * d(nx)) * size_of(dtype)};
}

Problem Problem::mse(DType dtype, std::int64_t n, bool two_inputs) {
  return {Workload::mse, dtype, d(n), (two_inputs ? 2.0 : 1.0) * d(n) * size_of(dtype)};
}

Plan plan(const Problem& problem) {
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

ProfileInfo use_profile(const std::string& path) { return info_of(detail::install_model(path)); }

std::string default_profile_path() {
  return detail::profile_path(nullptr, std::getenv("XDG_CACHE_HOME"), std::getenv("HOME"),
                              detail::this_machine());
}

}  // namespace tandem
