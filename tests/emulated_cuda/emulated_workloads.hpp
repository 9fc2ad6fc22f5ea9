#pragma once
// The emulated module's workloads (as gpu/workloads.hpp). `device`: the operand pointers are
// "device" memory (DeviceBuffers); otherwise they are host memory, staged in and out.
#include "backend_impl.hpp"

namespace tandem::emulated {

void run_map(const detail::MapArgs& args, bool device, detail::Breakdown* timing);
void run_matmul(const detail::MatmulArgs& args, bool device, detail::Breakdown* timing);
void run_polynomial_grid(const detail::PolynomialGridArgs& args, bool device,
                         detail::Breakdown* timing);
double run_mse(const detail::MseArgs& args, bool device, detail::Breakdown* timing);

}  // namespace tandem::emulated
