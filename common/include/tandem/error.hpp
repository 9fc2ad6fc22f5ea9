#pragma once
/// The errors tandem throws. Every message names the function, the argument and the values,
/// e.g. "tandem::matmul: A is 3x4 but B is 5x2 (A.cols must equal B.rows)".
/// When a call throws, it has written nothing to its outputs.
#include <stdexcept>
#include <string>

#include "tandem/export.hpp"

namespace tandem {

/// What went wrong, as a code (errors cross module boundaries as code + message).
enum class errc {
  invalid_argument = 1,     ///< bad shapes, sizes, null data, overlap, option values, names
  backend_unavailable = 2,  ///< an explicitly requested backend cannot run here (reason given)
  device_error = 3,         ///< a device or runtime call failed
  out_of_memory = 4,        ///< host or device allocation failed; the library stays usable
};

/// Base of every tandem error. Catch this to handle them all.
class TANDEM_EXPORT error : public std::runtime_error {
 public:
  error(errc code, const std::string& message) : std::runtime_error(message), code_(code) {}
  errc code() const noexcept { return code_; }

 private:
  errc code_;
};

/// An argument (shape, size, pointer, overlap, option, name) is not acceptable.
class TANDEM_EXPORT invalid_argument : public error {
 public:
  explicit invalid_argument(const std::string& message) : error(errc::invalid_argument, message) {}
};

/// The requested backend is not available on this machine or build; the message says why.
class TANDEM_EXPORT backend_unavailable : public error {
 public:
  explicit backend_unavailable(const std::string& message)
      : error(errc::backend_unavailable, message) {}
};

/// A device or runtime call failed.
class TANDEM_EXPORT device_error : public error {
 public:
  explicit device_error(const std::string& message) : error(errc::device_error, message) {}
};

/// An allocation failed. Later calls still work.
class TANDEM_EXPORT out_of_memory : public error {
 public:
  explicit out_of_memory(const std::string& message) : error(errc::out_of_memory, message) {}
};

/// Throws the error type that matches `code`.
[[noreturn]] TANDEM_EXPORT void throw_error(errc code, const std::string& message);

}  // namespace tandem
