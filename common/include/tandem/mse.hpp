#pragma once
/// mse: the mean squared error, as a map-reduce, for f32 and f64.
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

#include "tandem/dtype.hpp"
#include "tandem/export.hpp"
#include "tandem/options.hpp"

namespace tandem {

#define TANDEM_DECLARE_MSE_(T, name)                                                \
  TANDEM_EXPORT double mse(std::span<const T> errors, const Options& options = {}); \
  TANDEM_EXPORT double mse(std::span<const T> a, std::span<const T> b, const Options& options = {});
TANDEM_FOR_EACH_FLOAT_DTYPE(TANDEM_DECLARE_MSE_)
#undef TANDEM_DECLARE_MSE_

}  // namespace tandem
