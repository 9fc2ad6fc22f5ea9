#pragma once
// RECIPE 2 (ARCHITECTURE.md, "Adding a workload"): the public entry points.
/// mse: the mean squared error, as an accurate reduction, for f32 and f64.
///
/// mse(e) = mean(e[i]^2); mse(a, b) = mean((a[i] - b[i])^2). Empty input is an error (the mean
/// of nothing). Accuracy: terms are squared and summed in double (f32 input is widened first)
/// by pairwise summation; the relative error is at most (log2(n) + 24) * 2^-53 of the exact
/// mean of the rounded inputs. On the openmp backend the result is bitwise the same for every
/// thread count; on cuda the sum is compensated (TwoSum) and the same input on the same GPU
/// gives the same bits.
///
/// **Example**:
///   std::vector<double> e = ...;
///   double m = tandem::mse(e);                                   // automatic backend
///   double s = tandem::mse(e, {.backend = tandem::Backend::openmp});
#include <span>

#include "tandem/device.hpp"
#include "tandem/dtype.hpp"
#include "tandem/export.hpp"
#include "tandem/options.hpp"

namespace tandem {

#define TANDEM_DECLARE_MSE_(T, name)                                                \
  TANDEM_EXPORT double mse(std::span<const T> errors, const Options& options = {}); \
  TANDEM_EXPORT double mse(std::span<const T> a, std::span<const T> b, const Options& options = {});
TANDEM_FOR_EACH_FLOAT_DTYPE(TANDEM_DECLARE_MSE_)
#undef TANDEM_DECLARE_MSE_

// ---- on data in GPU memory (tandem/device.hpp) ----

/// mean(errors[i]^2) and mean((a[i] - b[i])^2) of f32 or f64 buffers on the GPU.
TANDEM_EXPORT double mse(const DeviceBuffer& errors, const Options& options = {});
TANDEM_EXPORT double mse(const DeviceBuffer& a, const DeviceBuffer& b, const Options& options = {});

}  // namespace tandem
