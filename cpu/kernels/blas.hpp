#pragma once
// f32/f64 GEMM through the BLAS found at build time (Fortran interface, so any vendor works).
#include <string>

#include "dispatch/backend_impl.hpp"

namespace tandem::detail {

/// Runs C = A·B through BLAS on `threads` threads when it can (a BLAS was found, the dtype is
/// f32 or f64, every size fits the BLAS integer). Returns false, having done nothing, otherwise.
bool blas_gemm(const MatmulArgs& args, int threads);

/// Which BLAS the f32/f64 GEMM uses, e.g. "OpenBLAS 0.3.21 (openmp)", or tandem's own kernel.
std::string blas_description();

}  // namespace tandem::detail
