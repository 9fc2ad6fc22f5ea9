#pragma once
/// The errors tandem throws. Every message names the function, the argument and the values,
/// e.g. "tandem::<workload>: A is 3x4 but B is 5x2 (A.cols must equal B.rows)".
/// When a call throws, it has written nothing to its outputs.
///
/// Hierarchy: every error derives from tandem::error, which derives from std::runtime_error
/// (single inheritance), so `catch (const tandem::error&)`, `catch (const std::runtime_error&)`
/// and `catch (const std::exception&)` each catch all of them. tandem::invalid_argument is NOT a
/// std::invalid_argument, nor out_of_memory a std::bad_alloc: a class with two std::exception
/// bases (runtime_error's and invalid_argument's) is caught by no `catch (std::exception&)`
/// (the base is ambiguous), so catch the tandem type, tandem::error or std::exception instead.
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
  verification_failed = 5,  ///< Options::verify / TANDEM_VERIFY: the result differs from serial's
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

/// Verification (Options::verify or TANDEM_VERIFY=1) found the backend's result outside the
/// documented bound of the serial oracle's. The message names the function, the backend, the
/// workload and dtype, the worst element, both values, the error and the bound. The call's
/// outputs are untouched.
class TANDEM_EXPORT verification_error : public error {
 public:
  explicit verification_error(const std::string& message)
      : error(errc::verification_failed, message) {}
};

/// Throws the error type that matches `code`.
[[noreturn]] TANDEM_EXPORT void throw_error(errc code, const std::string& message);

}  // namespace tandem
