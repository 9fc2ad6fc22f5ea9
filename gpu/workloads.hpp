#pragma once
// The cuda backend's workloads, called by the module's entry points (module.cu). `device`:
// the operand pointers are GPU memory; otherwise they are host memory, staged in and out.
#include "backend_impl.hpp"

namespace tandem::cuda {

void run_map(const detail::MapArgs& args, bool device, detail::Breakdown* timing);
void run_matmul(const detail::MatmulArgs& args, bool device, detail::Breakdown* timing);
void run_polynomial_grid(const detail::PolynomialGridArgs& args, bool device,
                         detail::Breakdown* timing);
double run_mse(const detail::MseArgs& args, bool device, detail::Breakdown* timing);

}  // namespace tandem::cuda
