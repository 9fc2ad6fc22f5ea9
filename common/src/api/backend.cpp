#include <algorithm>
#include <cctype>
#include <ostream>

#include "checks/validate.hpp"
#include "dispatch/dispatch.hpp"
#include "dispatch/registry.hpp"
#include "tandem/backend.hpp"
#include "tandem/version.hpp"

namespace tandem {

namespace {
constexpr Backend kAll[] = {Backend::serial, Backend::openmp, Backend::cuda, Backend::automatic};

// A Backend made by casting an integer that names no enumerator is an argument error.
void check_backend(const char* function, Backend backend) {
  if (!detail::is_backend(backend)) {
    detail::fail(function, "backend " + std::to_string(static_cast<int>(backend)) +
                               " is not a tandem::Backend enumerator");
  }
}
}  // namespace

const char* version() noexcept { return TANDEM_VERSION_STRING; }

std::string_view to_string(Backend backend) noexcept {
  switch (backend) {
    case Backend::serial:
      return "serial";
    case Backend::openmp:
      return "openmp";
    case Backend::cuda:
      return "cuda";
    case Backend::automatic:
      return "automatic";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, Backend backend) { return os << to_string(backend); }

Backend parse_backend(std::string_view name) {
  const auto blank = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!name.empty() && blank(name.front())) name.remove_prefix(1);
  while (!name.empty() && blank(name.back())) name.remove_suffix(1);
  for (Backend b : kAll) {
    const std::string_view candidate = to_string(b);
    if (std::ranges::equal(name, candidate, [](char x, char y) {
          return std::tolower(static_cast<unsigned char>(x)) == y;
        })) {
      return b;
    }
  }
  throw invalid_argument("tandem::parse_backend: '" + detail::printable(name) +
                         "' is not a backend name (valid: serial, openmp, cuda, automatic)");
}

std::vector<Backend> available_backends() {
  std::vector<Backend> out;
  for (Backend b : {Backend::serial, Backend::openmp, Backend::cuda}) {
    if (detail::backend_slot(b).impl != nullptr) out.push_back(b);
  }
  return out;
}

BackendInfo backend_info(Backend backend) {
  check_backend("tandem::backend_info", backend);
  BackendInfo info;
  info.backend = backend;
  info.name = std::string(to_string(backend));
  if (backend == Backend::automatic) {
    info.available = true;
    std::string from;
    for (Backend b : available_backends()) {
      from += (from.empty() ? "" : ", ") + std::string(to_string(b));
      info.threads = std::max(info.threads, detail::backend_slot(b).impl->default_threads());
    }
    info.device = "picks by problem size among: " + from;
    return info;
  }
  const detail::BackendSlot& slot = detail::backend_slot(backend);
  info.available = slot.impl != nullptr;
  if (!info.available) {
    info.reason = slot.reason;
    return info;
  }
  info.threads = slot.impl->default_threads();
  info.device = slot.impl->device();
  return info;
}

void set_default_backend(Backend backend) {
  check_backend("tandem::set_default_backend", backend);
  if (backend != Backend::automatic) {
    const detail::BackendSlot& slot = detail::backend_slot(backend);
    if (slot.impl == nullptr) {
      throw backend_unavailable("tandem::set_default_backend: backend " +
                                std::string(to_string(backend)) +
                                " is not available: " + slot.reason);
    }
  }
  detail::set_default(backend);
}

void reset_default_backend() noexcept { detail::reset_default(); }

Backend default_backend() {
  const char* source = nullptr;
  return detail::requested_default("tandem::default_backend", &source);
}

void throw_error(errc code, const std::string& message) {
  switch (code) {
    case errc::invalid_argument:
      throw invalid_argument(message);
    case errc::backend_unavailable:
      throw backend_unavailable(message);
    case errc::device_error:
      throw device_error(message);
    case errc::out_of_memory:
      throw out_of_memory(message);
    case errc::verification_failed:
      throw verification_error(message);
  }
  throw error(code, message);
}

}  // namespace tandem
