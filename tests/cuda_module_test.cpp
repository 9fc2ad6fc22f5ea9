// How the core finds the CUDA module and what it says when cuda cannot run. The module is
// loaded once per process, so each case is its own CTest entry with its own environment (see
// CMakeLists.txt): cuda_module.missing, .foreign, .no_symbol, .here, .no_device, .fifo,
// .relative, .older.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "error_checks.hpp"
#include "tandem/tandem.hpp"
#include "test_util.hpp"

namespace {

using tandem::Backend;
using namespace tandem_test;

/// Whether this machine has a CUDA driver at all (libcuda.so.1 loads).
bool driver_present() {
  void* h = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (h == nullptr) return false;
  dlclose(h);
  return true;
}

/// Everything a program sees when cuda is unavailable for `why`.
void expect_unavailable_everywhere(std::string_view why) {
  const auto info = tandem::backend_info(Backend::cuda);
  ASSERT_FALSE(info.available);
  EXPECT_NE(info.reason.find(why), std::string::npos) << info.reason;
  EXPECT_EQ(info.threads, 0);
  const auto available = tandem::available_backends();
  EXPECT_EQ(std::ranges::count(available, Backend::cuda), 0);
  // automatic never picks it, however large the problem...
  const std::vector<double> e(1 << 16, 0.5);
  tandem::Stats stats;
  tandem::Options automatic;
  automatic.stats = &stats;
  EXPECT_EQ(tandem::mse(std::span<const double>(e), automatic), 0.25);
  EXPECT_NE(stats.backend, Backend::cuda);
  // ...and asking for it is an error with the reason, for calls, defaults and buffers.
  EXPECT_TRUE(throws<tandem::backend_unavailable>(
      [&] { (void)tandem::mse(std::span<const double>(e), with(Backend::cuda)); },
      {"tandem::mse", "cuda", why}));
  EXPECT_TRUE(throws<tandem::backend_unavailable>(
      [] { tandem::set_default_backend(Backend::cuda); }, {"cuda", why}));
  EXPECT_TRUE(throws<tandem::backend_unavailable>(
      [] { tandem::DeviceBuffer(tandem::DType::f32, 16); }, {"tandem::DeviceBuffer", why}));
  EXPECT_TRUE(throws<tandem::backend_unavailable>([] { (void)tandem::device_memory_stats(); },
                                                  {"cuda", why}));
  tandem::release_device_caches();  // a no-op, not an error
  // Operands in device memory can only run on cuda: automatic says why it cannot.
  const tandem::DeviceBuffer x;
  tandem::DeviceBuffer y;
  EXPECT_TRUE(throws<tandem::backend_unavailable>(
      [&] { tandem::map(x, y, tandem::MapOp::square()); }, {"tandem::map", why}));
  EXPECT_TRUE(throws<tandem::invalid_argument>(
      [&] { tandem::map(x, y, tandem::MapOp::square(), with(Backend::serial)); },
      {"DeviceBuffer", "serial"}));
}

// TANDEM_CUDA_MODULE names a file that does not exist.
TEST(CudaModuleMissing, ReasonNamesTheModule) {
  ASSERT_NE(std::getenv("TANDEM_CUDA_MODULE"), nullptr);
  expect_unavailable_everywhere("module libtandem_cuda.so not found");
}

// TANDEM_CUDA_MODULE names a module of another ABI version.
TEST(CudaModuleForeign, IsRefusedNotUsed) {
  ASSERT_NE(std::getenv("TANDEM_CUDA_MODULE"), nullptr);
  expect_unavailable_everywhere("another tandem version");
}

// TANDEM_CUDA_MODULE names a shared library without the factory symbol.
TEST(CudaModuleNoSymbol, ReasonNamesTheSymbol) {
  ASSERT_NE(std::getenv("TANDEM_CUDA_MODULE"), nullptr);
  expect_unavailable_everywhere("has no tandem_cuda_module");
}

// The module built beside libtandem, on this machine as it is.
TEST(CudaModuleHere, LoadsAndReportsTheMachine) {
  ASSERT_EQ(std::getenv("TANDEM_CUDA_MODULE"), nullptr);
  const auto info = tandem::backend_info(Backend::cuda);
  if (!driver_present()) {
    // The CUDA libraries are here (the module loaded) but no driver: the reason says so.
    expect_unavailable_everywhere("no CUDA driver");
    return;
  }
  if (!info.available) {
    EXPECT_NE(info.reason.find("no device"), std::string::npos) << info.reason;
    GTEST_SKIP() << "a driver but no usable GPU: " << info.reason;
  }
  EXPECT_FALSE(info.device.empty());
  EXPECT_EQ(std::ranges::count(tandem::available_backends(), Backend::cuda), 1);
}

// CUDA_VISIBLE_DEVICES hides every GPU from a machine that has a driver.
TEST(CudaModuleNoDevice, ReasonSaysNoDevice) {
  if (!driver_present()) GTEST_SKIP() << "no CUDA driver here: the no-device path needs one";
  expect_unavailable_everywhere("no device");
}

// TANDEM_CUDA_MODULE names a FIFO: loading it must not block (dlopen would wait forever for a
// writer); cuda is unavailable with a reason. The FIFO is made here, before the first use.
TEST(CudaModuleFifo, IsRefusedWithoutHanging) {
  ASSERT_EQ(std::getenv("TANDEM_CUDA_MODULE"), nullptr);
  const auto dir = std::filesystem::temp_directory_path() /
                   ("tandem-fifo-" + std::to_string(static_cast<long>(getpid())));
  std::filesystem::create_directories(dir);
  const std::string fifo = (dir / "libtandem_cuda.so").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  ASSERT_EQ(setenv("TANDEM_CUDA_MODULE", fifo.c_str(), 1), 0);
  expect_unavailable_everywhere("is not a regular file");
  EXPECT_NE(tandem::backend_info(Backend::cuda).reason.find(fifo), std::string::npos);
  std::filesystem::remove_all(dir);
}

// TANDEM_CUDA_MODULE is a bare file name: it means that file in the working directory (as the
// existence check reads it), never a search of the loader's path. The fake module of another
// ABI version, reached only through the working directory, proves which file was loaded.
TEST(CudaModuleRelative, IsTheWorkingDirectorysFile) {
  ASSERT_EQ(std::getenv("TANDEM_CUDA_MODULE"), nullptr);
  const char* fake = std::getenv("TANDEM_TEST_FAKE_MODULE");
  ASSERT_NE(fake, nullptr) << "CTest sets TANDEM_TEST_FAKE_MODULE";
  const std::filesystem::path path(fake);
  ASSERT_EQ(chdir(path.parent_path().c_str()), 0);
  ASSERT_EQ(setenv("TANDEM_CUDA_MODULE", path.filename().c_str(), 1), 0);
  expect_unavailable_everywhere("another tandem version");
  // The reason names the absolute path that was loaded.
  EXPECT_NE(
      tandem::backend_info(Backend::cuda).reason.find(std::filesystem::canonical(path).string()),
      std::string::npos)
      << tandem::backend_info(Backend::cuda).reason;
}

// TANDEM_CUDA_MODULE names a module of this ABI that is older than the library: it has map,
// matmul with another argument layout, and no polynomial_grid or mse. cuda stays available for
// what the module has; each other workload is refused with its own reason, and nothing is
// written.
TEST(CudaModuleOlder, RefusesOnlyTheWorkloadsItLacks) {
  ASSERT_NE(std::getenv("TANDEM_CUDA_MODULE"), nullptr);
  const auto info = tandem::backend_info(Backend::cuda);
  ASSERT_TRUE(info.available) << info.reason;
  EXPECT_EQ(info.device, "older fake module (host memory)");

  const std::vector<double> x = {1.0, -2.0, 3.5};
  std::vector<double> y(3, 0.0);
  tandem::map(std::span<const double>(x), std::span<double>(y), tandem::MapOp::scale(2.0),
              with(Backend::cuda));
  EXPECT_EQ(y, (std::vector<double>{2.0, -4.0, 7.0}));

  EXPECT_TRUE(throws<tandem::backend_unavailable>(
      [&] { (void)tandem::mse(std::span<const double>(x), with(Backend::cuda)); },
      {"tandem::mse", "cuda", "the CUDA module predates mse; rebuild it"}));

  const std::vector<double> table = {1.0, 2.0};
  std::vector<double> out(3, -1.0);
  EXPECT_TRUE(throws<tandem::backend_unavailable>(
      [&] {
        tandem::polynomial_grid(tandem::MatrixView<const double>(table.data(), 1, 2),
                                std::span<const double>(x),
                                tandem::MatrixView<double>(out.data(), 1, 3), with(Backend::cuda));
      },
      {"tandem::polynomial_grid", "predates polynomial_grid"}));
  EXPECT_EQ(out, std::vector<double>(3, -1.0));

  const std::vector<double> a = {1.0, 2.0, 3.0, 4.0};
  std::vector<double> c(4, -1.0);
  EXPECT_TRUE(throws<tandem::backend_unavailable>(
      [&] {
        tandem::matmul(tandem::MatrixView<const double>(a.data(), 2, 2),
                       tandem::MatrixView<const double>(a.data(), 2, 2),
                       tandem::MatrixView<double>(c.data(), 2, 2), with(Backend::cuda));
      },
      {"tandem::matmul", "another layout of matmul's arguments", "rebuild it"}));
  EXPECT_EQ(c, std::vector<double>(4, -1.0));

  // The workloads the module has are still cuda's for automatic too; the refusals did not mark
  // cuda unavailable.
  EXPECT_TRUE(tandem::backend_info(Backend::cuda).available);
}

}  // namespace
