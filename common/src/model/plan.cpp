// The public face of the cost model: plan() and the profile in use.
#include "tandem/plan.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iterator>
#include <string>

#include "checks/validate.hpp"
#include "model/automatic.hpp"
#include "tandem/error.hpp"
#include "workloads/workload_traits.hpp"

namespace tandem {

namespace {

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

}  // namespace

Plan plan(const Problem& problem) {
  detail::check_workload_dtype("tandem::plan", problem.workload, problem.dtype);
  if (!(problem.work >= 0) || !(problem.bytes >= 0)) {
    throw invalid_argument("tandem::plan: work and bytes must be non-negative numbers");
  }
  const detail::ModelState& model = detail::model_state();
  const detail::Shape s{problem, false};
  const detail::Choice c = detail::choose(
      model.profile, s, detail::availability(problem.workload, false), model.from_profile);
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
