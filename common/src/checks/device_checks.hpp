#pragma once
// Checks for DeviceBuffer operands, shared by the workloads' device overloads. Like validate.hpp
// they run before dispatch and throw tandem::invalid_argument naming the function and argument.
#include <string>

#include "checks/validate.hpp"
#include "module/cuda_module_abi.hpp"
#include "tandem/device.hpp"

namespace tandem::detail {

/// The cuda module's table, or backend_unavailable naming `function` and the reason.
const TandemCudaModule& cuda_api(const char* function);

std::size_t dtype_size(DType d) noexcept;

/// `buffer` has the dtype `want`.
void check_dtype(const char* function, const char* name, const DeviceBuffer& buffer, DType want);

/// The block lies inside its buffer (which is non-null) and has a valid shape; returns it as a
/// RawMatrix over device addresses, for the overlap checks of validate.hpp.
RawMatrix device_raw(const char* function, const char* name, const ConstDeviceMatrix& m);

/// A whole buffer as a 1 x size RawMatrix.
inline RawMatrix device_raw(const DeviceBuffer& b) noexcept {
  return raw_span(b.data(), static_cast<std::size_t>(b.size()), dtype_size(b.dtype()));
}

}  // namespace tandem::detail
