// Verification against the serial oracle: scratch outputs, the serial run, the comparison
// within each workload's bound, and the copy into the user's outputs once they agree.
#include "checks/verify.hpp"

#include <bit>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <sstream>
#include <string_view>
#include <type_traits>
#include <vector>

#include "checks/validate.hpp"
#include "checks/verify_tools.hpp"

namespace tandem::detail {

namespace {

// TANDEM_VERIFY, read once per process: unset, "" and "0" are off, "1" is on.
struct EnvVerify {
  bool on = false;
  std::string error;
};

const EnvVerify& env_verify() {
  static const EnvVerify value = [] {
    EnvVerify e;
    const char* v = std::getenv("TANDEM_VERIFY");
    if (v == nullptr) return e;
    const std::string_view s(v);
    if (s == "1") {
      e.on = true;
    } else if (!s.empty() && s != "0") {
      e.error = "TANDEM_VERIFY='" + printable(s) +
                "' is not 0 or 1 (1 verifies every call against serial; unset, empty or 0 "
                "does not)";
    }
    return e;
  }();
  return value;
}

}  // namespace

bool verification_requested(const char* function, const Options& options) {
  const EnvVerify& env = env_verify();
  if (!env.error.empty()) throw invalid_argument(std::string(function) + ": " + env.error);
  return options.verify || env.on;
}

void note_verification(Stats& stats, Backend ran, bool possible, const Verification& v) {
  stats.verified = false;
  if (!possible) {
    stats.reason +=
        "; not verified: a C++ callable may have side effects, so it is not run a second time";
    return;
  }
  if (ran == Backend::serial) {
    stats.reason += "; verification skipped: the backend is serial, the oracle itself";
    return;
  }
  stats.verified = true;
  std::ostringstream s;
  s << "; verified against serial (";
  if (v.compared == 0) {
    s << "nothing to compare: the result is empty";
  } else if (v.exact || (v.max_error == 0 && v.bound == 0)) {
    s << "exact: " << v.compared << (v.compared == 1 ? " value" : " values") << " equal";
  } else {
    s << "max error " << number(v.max_error) << " within bound " << number(v.bound);
  }
  s << ")";
  stats.reason += s.str();
}

}  // namespace tandem::detail
