#pragma once
// Run-time verification against the serial oracle (Options::verify, TANDEM_VERIFY=1).
//
// A verified call runs the chosen backend into scratch output, runs `serial` on the same
// inputs, compares the two within the workload's documented bound and only then copies the
// backend's result into the user's outputs; a difference throws tandem::verification_error
// with the outputs untouched. DeviceBuffer operands are downloaded to the host for the serial
// run and the comparison; the backend's scratch output is then device memory.
//
// Each workload's verifier sits beside its entry points (common/src/api/<workload>.cpp, over
// checks/verify_tools.hpp) and states its bound: exact where every backend rounds alike (integers,
// and the workloads computed without FMA contraction), else the documented error bound that both
// the backend's and serial's results satisfy (README "Verification").
#include <cstdint>
#include <string>

#include "dispatch/backend_impl.hpp"
#include "tandem/options.hpp"

namespace tandem::detail {

/// Whether this call verifies: options.verify, or TANDEM_VERIFY=1 (read once per process).
/// Throws invalid_argument naming `function` when TANDEM_VERIFY is anything but unset, "", "0"
/// or "1" (on every call, as a bad TANDEM_BACKEND does).
bool verification_requested(const char* function, const Options& options);

/// What a verified run found.
struct Verification {
  double backend_seconds = 0.0;  // the backend's own run, for Stats::compute_seconds
  std::int64_t compared = 0;     // values compared
  bool exact = true;             // the bound is 0: results must be equal
  double max_error = 0.0;        // at the element with the largest error / bound
  double bound = 0.0;            // that element's bound
};

/// Marks Stats after a successful call that asked for verification: `ran` is the backend that
/// ran, `possible` false for a C++ callable (never verified).
void note_verification(Stats& stats, Backend ran, bool possible, const Verification& v);

}  // namespace tandem::detail
