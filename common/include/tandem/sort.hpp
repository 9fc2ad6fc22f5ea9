#pragma once
/// sort: sorts an array in place, ascending, for every dtype (f32 f64 i32 i64), any size.
///
/// Order: numpy's (np.sort): NaNs after every other value, whatever their sign or payload;
/// -0.0 and +0.0 are equal (either may come first); -Inf first. The sort is not stable
/// (equal values are indistinguishable except -0.0/+0.0 and NaN payloads). An empty array is
/// fine (nothing to do).
///
/// Backends: serial (std::sort after the NaNs are moved to the end: the oracle), openmp (a
/// parallel LSD radix sort on the values' order-preserving bit images, and a parallel merge
/// sort; std::sort for small arrays), cuda (Thrust's sort, a radix sort, on the GPU).
/// The openmp and cuda backends take scratch memory of the array's size (out_of_memory when
/// there is none).
///
/// **Example**:
///   std::vector<double> x = ...;
///   tandem::sort(x);                                       // automatic backend
///   tandem::sort(x, {.backend = tandem::Backend::openmp});
///   tandem::DeviceBuffer d{std::span<const double>(x)};
///   tandem::sort(d);                                       // on the GPU, where the data is
#include <span>

#include "tandem/device.hpp"
#include "tandem/dtype.hpp"
#include "tandem/export.hpp"
#include "tandem/options.hpp"

namespace tandem {

#define TANDEM_DECLARE_SORT_(T, name) \
  TANDEM_EXPORT void sort(std::span<T> x, const Options& options = {});
TANDEM_FOR_EACH_DTYPE(TANDEM_DECLARE_SORT_)
#undef TANDEM_DECLARE_SORT_

/// Sorts a DeviceBuffer in place on the GPU (the cuda backend: the data stays in GPU memory),
/// in the same order, for the buffer's dtype. With verification the sorted copy is compared
/// with serial's (the buffer downloaded) before the buffer is written.
TANDEM_EXPORT void sort(DeviceBuffer& x, const Options& options = {});

}  // namespace tandem
