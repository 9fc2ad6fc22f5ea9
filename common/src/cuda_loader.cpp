#include "cuda_loader.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

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

CudaModule load() {
  CudaModule m;
  void* handle = nullptr;
  const char* env = std::getenv("TANDEM_CUDA_MODULE");
  if (env != nullptr && *env != '\0') {
    m.path = env;
    std::error_code ec;
    if (!std::filesystem::exists(m.path, ec)) {
      m.reason = std::string("module ") + kModuleName + " not found: TANDEM_CUDA_MODULE='" +
                 m.path + "' does not exist";
      return m;
    }
    handle = dlopen(m.path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      m.reason = "cannot load the CUDA module " + m.path + ": " + dl_error();
      return m;
    }
  } else {
    const std::string folder = own_folder();
    const std::string beside = folder.empty() ? std::string() : folder + "/" + kModuleName;
    std::error_code ec;
    if (!beside.empty() && std::filesystem::exists(beside, ec)) {
      m.path = beside;
      handle = dlopen(beside.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (handle == nullptr) {
        // The file is there but the loader refuses it (a missing dependency, another ABI).
        m.reason = "cannot load the CUDA module " + beside + ": " + dl_error();
        return m;
      }
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
    m.reason =
        "the CUDA module " + m.path + " has no " + TANDEM_CUDA_MODULE_SYMBOL + ": " + dl_error();
    return m;
  }
  const auto factory = reinterpret_cast<TandemCudaModuleFactory>(symbol);
  const TandemCudaModule* api = factory(TANDEM_CUDA_ABI_VERSION);
  if (api == nullptr || api->abi_version != TANDEM_CUDA_ABI_VERSION) {
    m.reason = "the CUDA module " + m.path + " is from another tandem version (module ABI " +
               (api == nullptr ? std::string("unknown") : std::to_string(api->abi_version)) +
               ", this library needs " + std::to_string(TANDEM_CUDA_ABI_VERSION) + ")";
    return m;
  }
  for (int i = 0; i < 6; ++i) {
    if (api->sizes[i] != kCudaAbiSizes[i]) {
      m.reason = "the CUDA module " + m.path +
                 " was built with other argument layouts (another tandem version)";
      return m;
    }
  }
  TandemCudaStatus status{};
  if (api->open(&status) != 0) {
    m.reason = status.message[0] != '\0' ? std::string(status.message) : "cannot open the device";
    return m;
  }
  m.api = api;
  return m;
}

class CudaBackend final : public BackendImpl {
 public:
  explicit CudaBackend(const TandemCudaModule* api) : api_(api) {
    char buffer[512] = {};
    api_->describe(buffer, sizeof(buffer));
    device_ = buffer;
  }

  Backend kind() const noexcept override { return Backend::cuda; }
  int default_threads() const noexcept override { return 1; }
  bool supports(Workload w) const noexcept override { return w != Workload::callable_map; }
  std::string device() const override { return device_; }

  void map(const MapArgs& args, const Exec& exec) override {
    TandemCudaStatus s{};
    if (api_->map(&args, exec.device ? 1 : 0, exec.timing, &s) != 0) {
      throw_cuda_status("tandem::map", s);
    }
  }
  void parallel_for(std::int64_t, ChunkFn, void*, const Exec&) override {
    // resolve() refuses callable maps on cuda (supports()), so this is never reached.
    throw backend_unavailable("tandem::map: the cuda backend cannot run a C++ callable");
  }
  void matmul(const MatmulArgs& args, const Exec& exec) override {
    TandemCudaStatus s{};
    if (api_->matmul(&args, exec.device ? 1 : 0, exec.timing, &s) != 0) {
      throw_cuda_status("tandem::matmul", s);
    }
  }
  void polynomial_grid(const PolynomialGridArgs& args, const Exec& exec) override {
    TandemCudaStatus s{};
    if (api_->polynomial_grid(&args, exec.device ? 1 : 0, exec.timing, &s) != 0) {
      throw_cuda_status("tandem::polynomial_grid", s);
    }
  }
  double mse(const MseArgs& args, const Exec& exec) override {
    TandemCudaStatus s{};
    double result = 0.0;
    if (api_->mse(&args, exec.device ? 1 : 0, &result, exec.timing, &s) != 0) {
      throw_cuda_status("tandem::mse", s);
    }
    return result;
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
