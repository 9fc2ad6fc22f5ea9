#pragma once
// Run-time verification against the serial oracle (Options::verify, TANDEM_VERIFY=1).
//
// A verified call runs the chosen backend into scratch output, runs `serial` on the same
// inputs, compares the two within the workload's documented bound and only then copies the
// backend's result into the user's outputs; a difference throws tandem::verification_error
// with the outputs untouched. DeviceBuffer operands are downloaded to the host for the serial
// run and the comparison; the backend's scratch output is then device memory.
//
// Bounds (README "Verification"): exact for integers, map and polynomial_grid (every backend,
// cuda included, rounds without FMA); mse within 2·beta/(1 - beta)·|serial| with
// beta = (log2(n) + 24)·2^-53, the documented bound of both results; f32/f64 matmul within
// 2·k·eps·(|A|·|B|)ij + 2·k·min_normal per element, twice the classical GEMM bound k·u·(|A||B|)ij
// that both the backend and serial's sequential sum satisfy.
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

void verified_map(const char* function, BackendImpl& backend, const Exec& exec, const MapArgs& args,
                  Verification& v);
void verified_matmul(const char* function, BackendImpl& backend, const Exec& exec,
                     const MatmulArgs& args, Verification& v);
void verified_polynomial_grid(const char* function, BackendImpl& backend, const Exec& exec,
                              const PolynomialGridArgs& args, Verification& v);
double verified_mse(const char* function, BackendImpl& backend, const Exec& exec,
                    const MseArgs& args, Verification& v);

/// Marks Stats after a successful call that asked for verification: `ran` is the backend that
/// ran, `possible` false for a C++ callable (never verified).
void note_verification(Stats& stats, Backend ran, bool possible, const Verification& v);

}  // namespace tandem::detail
