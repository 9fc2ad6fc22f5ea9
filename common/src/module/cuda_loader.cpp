#include "module/cuda_loader.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "checks/validate.hpp"

namespace tandem::detail {

namespace {

constexpr const char* kModuleName = "libtandem_cuda.so";

// The folder holding this library (libtandem.so), where the module is installed beside it.
std::string own_folder() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<const void*>(&cuda_module), &info) == 0 ||
      info.dli_fname == nullptr) {
    return {};
  }
  std::error_code ec;
  const auto path = std::filesystem::weakly_canonical(info.dli_fname, ec);
  return ec ? std::string() : path.parent_path().string();
}

std::string dl_error() {
  const char* e = dlerror();
  return e != nullptr ? e : "unknown dlopen error";
}

// Loads the module file at `path` (absolute). The file is opened without blocking and checked
// to be a regular file first: a FIFO, a device or a folder is refused with a reason (dlopen
// would block forever on a FIFO with no writer). dlopen then opens /proc/self/fd/N, the file
// just checked, so nothing can swap another file in under the name between the check and the
// load; where /proc is not mounted it falls back to the path itself. On failure returns null
// with *reason set; *missing tells "does not exist" from the other failures.
void* open_module(const std::string& path, std::string* reason, bool* missing) {
  *missing = false;
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    const int err = errno;
    *missing = err == ENOENT || err == ENOTDIR;
    *reason = "cannot open the CUDA module " + printable(path) + ": " + std::strerror(err);
    return nullptr;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *reason = "the CUDA module " + printable(path) + " is not a regular file";
    ::close(fd);
    return nullptr;
  }
  const std::string by_fd = "/proc/self/fd/" + std::to_string(fd);
  struct stat linked {};
  const bool proc = ::stat(by_fd.c_str(), &linked) == 0 && linked.st_dev == st.st_dev &&
                    linked.st_ino == st.st_ino;
  void* handle = dlopen(proc ? by_fd.c_str() : path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr)
    *reason = "cannot load the CUDA module " + printable(path) + ": " + dl_error();
  ::close(fd);  // the loader has mapped the file; the descriptor is no longer needed
  return handle;
}

CudaModule load() {
  CudaModule m;
  void* handle = nullptr;
  // secure_getenv: a set-user-ID program never loads code named by its caller's environment.
  const char* env = secure_getenv("TANDEM_CUDA_MODULE");
  if (env != nullptr && *env != '\0') {
    // Relative to the working directory, as the user would read it: never searched for on the
    // loader's path, even when it has no slash (dlopen would search for such a name).
    std::error_code ec;
    const std::filesystem::path absolute = std::filesystem::absolute(env, ec);
    m.path = ec ? std::string(env) : absolute.string();
    bool missing = false;
    handle = open_module(m.path, &m.reason, &missing);
    if (handle == nullptr) {
      if (missing) {
        m.reason = std::string("module ") + kModuleName + " not found: TANDEM_CUDA_MODULE='" +
                   printable(env) + "' does not exist";
      }
      return m;
    }
  } else {
    const std::string folder = own_folder();
    const std::string beside = folder.empty() ? std::string() : folder + "/" + kModuleName;
    std::error_code ec;
    if (!beside.empty() && std::filesystem::exists(beside, ec)) {
      m.path = beside;
      bool missing = false;
      // The file is there but may be refused (not a regular file, a missing dependency,
      // another ABI).
      handle = open_module(beside, &m.reason, &missing);
      if (handle == nullptr) return m;
    } else {
      m.path = kModuleName;
      handle = dlopen(kModuleName, RTLD_NOW | RTLD_LOCAL);
      if (handle == nullptr) {
        m.reason = std::string("module ") + kModuleName + " not found (looked in " +
                   (folder.empty() ? std::string("?") : folder) +
                   " and the library search path): " + dl_error();
        return m;
      }
    }
  }
  // The handle is kept for the life of the process: the module's static state (device memory
  // caches, streams) is torn down by its own destructors at exit, not by dlclose.
  dlerror();
  void* symbol = dlsym(handle, TANDEM_CUDA_MODULE_SYMBOL);
  if (symbol == nullptr) {
    m.reason = "the CUDA module " + printable(m.path) + " has no " + TANDEM_CUDA_MODULE_SYMBOL +
               ": " + dl_error();
    return m;
  }
  const auto factory = reinterpret_cast<TandemCudaModuleFactory>(symbol);
  const TandemCudaModule* api = factory(TANDEM_CUDA_ABI_VERSION);
  if (api == nullptr || api->abi_version != TANDEM_CUDA_ABI_VERSION) {
    m.reason = "the CUDA module " + printable(m.path) +
               " is from another tandem version (module ABI " +
               (api == nullptr ? std::string("unknown") : std::to_string(api->abi_version)) +
               ", this library needs " + std::to_string(TANDEM_CUDA_ABI_VERSION) + ")";
    return m;
  }
  if (api->breakdown_size != sizeof(Breakdown) || api->status_size != sizeof(TandemCudaStatus)) {
    m.reason = "the CUDA module " + printable(m.path) +
               " was built with other result layouts (another tandem version)";
    return m;
  }
  TandemCudaStatus status{};
  if (api->open(&status) != 0) {
    m.reason = status.message[0] != '\0' ? std::string(status.message) : "cannot open the device";
    return m;
  }
  m.api = api;
  m.handle = handle;
  return m;
}

// Why `api` cannot run workload `w`, or "" when it can: a module older than this library lacks
// the workloads added since (0 for the tag), and one built with another layout of the
// workload's arguments is refused for that workload only.
std::string cuda_workload_refusal(const TandemCudaModule& api, tandem::Workload w) {
  const std::uint32_t size = api.args_size[cuda_tag(w)];
  const std::string name(to_string(w));
  if (size == args_size(w)) return {};
  if (size == 0) return "the CUDA module predates " + name + "; rebuild it";
  return "the CUDA module was built with another layout of " + name + "'s arguments (" +
         std::to_string(size) + " bytes, this library's are " + std::to_string(args_size(w)) +
         "); rebuild it";
}

// The cuda BackendImpl: run() forwards every workload through the module's one entry, by tag.
class CudaBackend final : public BackendImpl {
 public:
  explicit CudaBackend(const TandemCudaModule* api) : api_(api) {
    char buffer[512] = {};
    api_->describe(buffer, sizeof(buffer));
    device_ = buffer;
  }

  Backend kind() const noexcept override { return Backend::cuda; }
  int default_threads() const noexcept override { return 1; }
  bool supports(tandem::Workload w) const noexcept override {
    return is_workload(w) && api_->args_size[cuda_tag(w)] == args_size(w);
  }
  bool runs_callables() const noexcept override { return false; }
  std::string device() const override { return device_; }

  void run(tandem::Workload w, void* args, const Exec& exec) override {
    const std::string function = "tandem::" + std::string(to_string(w));
    const std::string refused = cuda_workload_refusal(*api_, w);
    if (!refused.empty()) {
      throw backend_unavailable(function + ": backend cuda is not available for " +
                                std::string(to_string(w)) + ": " + refused);
    }
    TandemCudaStatus s{};
    if (api_->run(cuda_tag(w), args, args_size(w), exec.device ? 1 : 0, exec.timing, &s) != 0) {
      throw_cuda_status(function.c_str(), s);
    }
  }
  void parallel_for(std::int64_t, ChunkFn, void*, const Exec&) override {
    // resolve() refuses callables on cuda (runs_callables()), so this is never reached.
    throw backend_unavailable("tandem: the cuda backend cannot run a C++ callable");
  }

 private:
  const TandemCudaModule* api_;
  std::string device_;
};

}  // namespace

const CudaModule& cuda_module() {
  static const CudaModule module = load();
  return module;
}

std::unique_ptr<BackendImpl> make_cuda_backend(const TandemCudaModule* api) {
  return std::make_unique<CudaBackend>(api);
}

}  // namespace tandem::detail
