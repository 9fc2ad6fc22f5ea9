#pragma once
/// matmul: dense C = A·B on row-major views, for f32, f64, i32 and i64.
///
/// Any m, k, n (0 included) and any leading dimensions, so blocks of larger matrices work.
/// C must not overlap A or B. Integer products and sums wrap modulo 2^bits (as numpy's do),
/// with no undefined behaviour. k == 0 gives C = 0.
///
/// **Example** (the notebook's 1000x1000 int matrices):
///   tandem::Matrix<std::int32_t> A(1000, 1000), B(1000, 1000), C(1000, 1000);
///   tandem::matmul(A, B, C, {.backend = tandem::parse_backend("openmp")});
#include "tandem/device.hpp"
#include "tandem/dtype.hpp"
#include "tandem/export.hpp"
#include "tandem/options.hpp"
#include "tandem/views.hpp"

namespace tandem {

/// C = A·B. A is m x k, B is k x n, C is m x n.
#define TANDEM_DECLARE_MATMUL_(T, name)                                                    \
  TANDEM_EXPORT void matmul(MatrixView<const T> A, MatrixView<const T> B, MatrixView<T> C, \
                            const Options& options = {});                                  \
  TANDEM_EXPORT Matrix<T> matmul(MatrixView<const T> A, MatrixView<const T> B,             \
                                 const Options& options = {});
TANDEM_FOR_EACH_DTYPE(TANDEM_DECLARE_MATMUL_)
#undef TANDEM_DECLARE_MATMUL_

// ---- on data in GPU memory (tandem/device.hpp) ----

/// C = A·B with every operand a block of a DeviceBuffer of one dtype. C must not overlap A or B.
TANDEM_EXPORT void matmul(ConstDeviceMatrix A, ConstDeviceMatrix B, DeviceMatrix C,
                          const Options& options = {});

}  // namespace tandem
