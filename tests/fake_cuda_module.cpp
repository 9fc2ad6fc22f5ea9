// Stand-ins for libtandem_cuda.so, built from this file twice:
// - by default, a module from another tandem version: it exports the factory but answers with a
//   table of another ABI version. The core must refuse it whole, with a reason.
// - with TANDEM_FAKE_OLDER_MODULE, a module of this ABI that is older than the core: it knows
//   only map (and only MapOp::scale of f64 on host memory, all the tests ask of it), was built
//   with another layout of matmul's arguments, and predates every other workload. The core
//   must use it for map and refuse the other workloads, each with its own reason.
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "module/cuda_module_abi.hpp"

namespace {

#ifndef TANDEM_FAKE_OLDER_MODULE

TandemCudaModule foreign_table() {
  TandemCudaModule t{};
  t.abi_version = TANDEM_CUDA_ABI_VERSION + 1000;
  return t;
}

#else

int refuse(TandemCudaStatus* status, const char* what) {
  status->code = static_cast<int>(tandem::errc::device_error);
  status->sticky = 0;
  std::snprintf(status->message, sizeof(status->message), "%s", what);
  return status->code;
}

int open(TandemCudaStatus*) { return 0; }
void describe(char* buffer, std::size_t size) {
  std::snprintf(buffer, size, "older fake module (host memory)");
}
int run(std::uint32_t workload, void* args, std::size_t size, int device,
        tandem::detail::Breakdown*, TandemCudaStatus* status) {
  if (workload != tandem::detail::cuda_tag(tandem::Workload::map) ||
      size != sizeof(tandem::detail::MapArgs)) {
    return refuse(status, "the older fake module was called for a workload it refused");
  }
  const auto& a = *static_cast<const tandem::detail::MapArgs*>(args);
  if (device != 0 || a.kind != tandem::MapKind::scale || a.dtype != tandem::DType::f64) {
    return refuse(status, "the older fake module runs only scale of f64 on host memory");
  }
  const double s = *static_cast<const double*>(a.params);
  for (std::int64_t i = 0; i < a.n; ++i) {
    static_cast<double*>(a.y)[i] = s * static_cast<const double*>(a.x)[i];
  }
  return 0;
}
int allocate(std::size_t, void**, TandemCudaStatus* status) {
  return refuse(status, "the older fake module has no device memory");
}
void release(void*) {}
int copy(void*, const void*, std::size_t, TandemCudaStatus* status) {
  return refuse(status, "the older fake module has no device memory");
}
void memory_stats(std::size_t* device_cached, std::size_t* pinned_cached,
                  std::uint64_t* device_allocations, std::uint64_t* pinned_allocations) {
  *device_cached = *pinned_cached = 0;
  *device_allocations = *pinned_allocations = 0;
}
void trim() {}

TandemCudaModule foreign_table() {
  TandemCudaModule t{};
  t.abi_version = TANDEM_CUDA_ABI_VERSION;
  t.breakdown_size = sizeof(tandem::detail::Breakdown);
  t.status_size = sizeof(TandemCudaStatus);
  t.args_size[tandem::detail::cuda_tag(tandem::Workload::map)] = sizeof(tandem::detail::MapArgs);
  t.args_size[tandem::detail::cuda_tag(tandem::Workload::matmul)] =
      sizeof(tandem::detail::MatmulArgs) - 8;
  t.open = open;
  t.describe = describe;
  t.run = run;
  t.allocate = allocate;
  t.release = release;
  t.upload = copy;
  t.download = [](void*, const void*, std::size_t, TandemCudaStatus* status) {
    return refuse(status, "the older fake module has no device memory");
  };
  t.memory_stats = memory_stats;
  t.trim = trim;
  return t;
}

#endif

const TandemCudaModule kForeign = foreign_table();

}  // namespace

extern "C" __attribute__((visibility("default"))) const TandemCudaModule* tandem_cuda_module(
    std::uint32_t) {
  return &kForeign;
}
