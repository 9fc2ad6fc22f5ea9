#pragma once
// What each workload is, in one place per workload: the traits its entry point file
// (api/<name>.cpp) defines. Dispatch, the cost model, profiles, plan(), calibrate() and the
// sample calls of the command-line tool iterate TANDEM_FOR_EACH_WORKLOAD and read these.
#include <cstdint>
#include <vector>

#include "tandem/export.hpp"

#include "tandem/workload.hpp"

namespace tandem::detail {

/// The cuda defaults' data-centre GPU (H100 class): launch, synchronisation and device buffers
/// per call; device bandwidth about 2 TB/s.
inline constexpr double kCudaOverhead = 15e-6;
inline constexpr double kCudaDeviceBandwidth = 2.0e12;
/// The largest array the command-line tool generates (elements).
inline constexpr std::int64_t kMaxSampleElements = std::int64_t{1} << 40;

/// Calibration sizes of an elementwise workload (n elements).
inline std::vector<std::int64_t> elementwise_cpu_sizes(bool quick) {
  std::vector<std::int64_t> v{64, 256, 1024, 2048, 4096, 16384, 65536, 262144};
  if (!quick) v.insert(v.end(), {1 << 20, 1 << 22});
  return v;
}
inline std::vector<std::int64_t> elementwise_gpu_sizes() { return {1 << 20, 1 << 22, 1 << 24}; }

/// time = overhead + per_unit × work: a built-in cost-model coefficient pair.
struct Default {
  double overhead = 0;  // seconds
  double per_unit = 0;  // seconds per unit of work
};

/// cuda's built-in coefficients for a workload that moves its values' bytes through device
/// memory `passes` times per element: the launch overhead, then bandwidth-bound.
inline Default cuda_streaming_default(DType dtype, double passes) {
  return Default{kCudaOverhead,
                 passes * static_cast<double>(size_of(dtype)) / kCudaDeviceBandwidth};
}

struct WorkloadTraits {
  /// The dtypes it computes in.
  bool (*has_dtype)(DType);
  /// The Problem of a generated call of this size (its work and bytes: the formulas of the
  /// Problem factory that the entry points use too).
  Problem (*problem)(DType, const WorkloadSize&);
  /// The share of Problem::bytes a cuda call on host data copies to the device (the rest comes
  /// back).
  double input_fraction;
  /// Built-in coefficients: serial and openmp on 2 threads of the reference machine, and a
  /// data-centre GPU's order of magnitude for cuda.
  Default (*serial_default)(DType);
  Default (*openmp_default)(DType);
  Default (*cuda_default)(DType);
  /// Calibration: the sizes (WorkloadSize::n) every backend measures, and the larger ones
  /// measured only where a GPU takes part.
  std::vector<std::int64_t> (*cpu_sizes)(bool quick);
  std::vector<std::int64_t> (*gpu_sizes)();
  /// Host bytes the sample call allocates.
  double (*sample_bytes)(DType, const WorkloadSize&);
  /// The sample call (dtype checked by the caller).
  SampleCall (*sample)(DType, const WorkloadSize&);
  /// `tandem run` / `tandem plan`.
  WorkloadCli cli;
};

/// Each workload's traits, defined in its entry point file.
template <tandem::Workload W>
const WorkloadTraits& traits_of();

/// The traits of `w`; throws tandem::invalid_argument for a value that is no enumerator.
/// Exported for the model tests, which compile the cost model in.
TANDEM_EXPORT const WorkloadTraits& traits(tandem::Workload w);

/// size_of(dtype) as a double; throws tandem::invalid_argument naming `function` for a dtype
/// that is no enumerator.
double checked_size(const char* function, DType dtype);

/// Throws tandem::invalid_argument naming `function` unless `workload` and `dtype` are
/// enumerators and the workload has the dtype.
void check_workload_dtype(const char* function, tandem::Workload workload, DType dtype);

bool float_dtype(DType d) noexcept;
bool any_dtype(DType d) noexcept;

}  // namespace tandem::detail
