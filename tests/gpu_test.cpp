// The cuda backend's own promises, beyond the per-backend suites (which run for cuda too when it
// is available): DeviceBuffer, device-resident calls equal to the serial oracle, validation of
// device operands, the time breakdown, cached staging, out-of-memory recovery, concurrent
// callers and n > 2^31. Every test skips, with the reason, where cuda is unavailable, unless
// TANDEM_REQUIRE_GPU=1, which turns that skip (and a run on the emulated module) into a failure:
// the GPU check (scripts/gpu_check.sh) sets it, so a module that fails to open on a GPU machine
// cannot pass as a green run of skips.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "backend_fixture.hpp"
#include "error_checks.hpp"
#include "gpu_require.hpp"
#include "tandem/tandem.hpp"
#include "test_util.hpp"

namespace {

using tandem::Backend;
using tandem::DeviceBuffer;
using tandem::DType;
using tandem::MapOp;
using namespace tandem_test;

tandem::Options on_cuda(tandem::Stats* stats = nullptr) {
  tandem::Options o;
  o.backend = Backend::cuda;
  o.stats = stats;
  return o;
}

template <class T>
std::vector<T> download(const DeviceBuffer& b) {
  return b.download<T>();
}

// ---- DeviceBuffer -----------------------------------------------------------------------------

TEST(GpuBuffer, RoundTripEveryDtypeAcrossStagingChunks) {
  TANDEM_REQUIRE_CUDA();
  TANDEM_SEEDED_RNG(rng);
  // 3 Mi + 5 f32 values are 12 MiB: more than one 8 MiB staging buffer, not a multiple of it.
  for (std::size_t n :
       {std::size_t{0}, std::size_t{1}, std::size_t{1009}, (std::size_t{3} << 20) + 5}) {
    SCOPED_TRACE("n=" + std::to_string(n));
    for_each_dtype([&]<class T>(std::type_identity<T>) {
      const auto host = random_vector<T>(rng, n);
      DeviceBuffer d{std::span<const T>(host)};
      EXPECT_EQ(d.size(), static_cast<std::int64_t>(n));
      EXPECT_EQ(d.dtype(), tandem::dtype_of<T>);
      EXPECT_EQ(d.bytes(), n * sizeof(T));
      EXPECT_EQ(download<T>(d), host);
      const auto other = random_vector<T>(rng, n);
      d.upload(std::span<const T>(other));
      EXPECT_EQ(download<T>(d), other);
    });
  }
}

TEST(GpuBuffer, NewBufferIsZeroEvenWhereMemoryWasUsed) {
  TANDEM_REQUIRE_CUDA();
  // Fresh device pages are usually zero anyway: fill a buffer, free it and allocate the same
  // size again (the allocator hands the same memory back), so only the zero-fill can pass.
  // Large, so that a fill that is still running when the next call reads would show.
  const std::size_t n = emulated() ? (std::size_t{8} << 20) : (std::size_t{64} << 20);  // f64
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    {
      const std::vector<double> ones(n, 1.0);
      DeviceBuffer used{std::span<const double>(ones)};
      ASSERT_EQ(tandem::mse(used, on_cuda()), 1.0);
    }
    DeviceBuffer fresh(DType::f64, static_cast<std::int64_t>(n));
    // At once, on another stream than the fill's: the fill must be complete and ordered.
    EXPECT_EQ(tandem::mse(fresh, on_cuda()), 0.0) << "a new buffer reads as zero on the device";
    const auto host = download<double>(fresh);
    EXPECT_TRUE(std::ranges::all_of(host, [](double v) { return v == 0.0; }));
  }
}

TEST(GpuBuffer, NewBufferIsZeroAndMovesOwnership) {
  TANDEM_REQUIRE_CUDA();
  DeviceBuffer a(DType::i64, 1000);
  EXPECT_TRUE(std::ranges::all_of(download<std::int64_t>(a), [](auto v) { return v == 0; }));
  const void* p = a.data();
  DeviceBuffer b(std::move(a));
  EXPECT_EQ(b.data(), p);
  EXPECT_EQ(a.size(), 0);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  EXPECT_EQ(a.data(), nullptr);
  a = std::move(b);
  EXPECT_EQ(a.data(), p);
  EXPECT_EQ(a.size(), 1000);
}

TEST(GpuBuffer, WrongSizeOrDtypeIsRejectedAndLeavesDataAlone) {
  TANDEM_REQUIRE_CUDA();
  const std::vector<float> host{1, 2, 3, 4};
  DeviceBuffer d{std::span<const float>(host)};
  const std::vector<float> three{9, 9, 9};
  EXPECT_TRUE(throws<tandem::invalid_argument>([&] { d.upload(std::span<const float>(three)); },
                                               {"tandem::DeviceBuffer", "3", "4"}));
  EXPECT_EQ(download<float>(d), host);
  std::vector<double> wrong(4, 7.0);
  EXPECT_TRUE(throws<tandem::invalid_argument>([&] { d.download(std::span<double>(wrong)); },
                                               {"f32", "f64"}));
  EXPECT_TRUE(std::ranges::all_of(wrong, [](double v) { return v == 7.0; }));
  EXPECT_TRUE(throws<tandem::invalid_argument>([] { DeviceBuffer(DType::f32, -1); }, {"-1"}));
}

// ---- device-resident calls against the serial oracle on host data ---------------------------

TEST(GpuDevice, MapEveryOpEqualsSerial) {
  TANDEM_REQUIRE_CUDA();
  TANDEM_SEEDED_RNG(rng);
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    const std::vector<MapOp> ops{MapOp::scale(3), MapOp::affine(-2, 5), MapOp::square(),
                                 MapOp::abs(), MapOp::polynomial({1, -2, 0, 3})};
    for (std::size_t n : test_sizes()) {
      const auto x = random_vector<T>(rng, n);
      const DeviceBuffer dx{std::span<const T>(x)};
      for (const MapOp& op : ops) {
        SCOPED_TRACE("n=" + std::to_string(n) + " op=" + std::string(tandem::to_string(op.kind())));
        std::vector<T> want(n);
        tandem::map(std::span<const T>(x), std::span<T>(want), op, serial_options());
        DeviceBuffer dy(tandem::dtype_of<T>, static_cast<std::int64_t>(n));
        tandem::map(dx, dy, op, on_cuda());
        EXPECT_EQ(download<T>(dy), want);  // no FMA contraction anywhere: bitwise equal
        DeviceBuffer in_place{std::span<const T>(x)};
        tandem::map(in_place, in_place, op, on_cuda());
        EXPECT_EQ(download<T>(in_place), want);
      }
    }
  });
}

TEST(GpuDevice, SortInPlaceEqualsSerialAndVerifies) {
  TANDEM_REQUIRE_CUDA();
  TANDEM_SEEDED_RNG(rng);
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    for (std::size_t n : test_sizes()) {
      SCOPED_TRACE("n=" + std::to_string(n));
      auto x = random_vector<T>(rng, n);
      if constexpr (std::is_floating_point_v<T>) {
        if (n > 2) x[n / 2] = std::numeric_limits<T>::quiet_NaN();  // NaNs go last
      }
      std::vector<T> want = x;
      tandem::sort(std::span<T>(want), serial_options());
      DeviceBuffer d{std::span<const T>(x)};
      tandem::Stats stats;
      tandem::sort(d, on_cuda(&stats));
      EXPECT_EQ(stats.backend, Backend::cuda);
      const std::vector<T> got = download<T>(d);
      ASSERT_EQ(got.size(), want.size());
      for (std::size_t i = 0; i < n; ++i) {
        EXPECT_TRUE(got[i] == want[i] || (got[i] != got[i] && want[i] != want[i]))
            << "at " << i << ": " << +got[i] << " vs " << +want[i];
      }
      DeviceBuffer v{std::span<const T>(x)};
      tandem::Options o = on_cuda(&stats);
      o.verify = true;
      tandem::sort(v, o);
      EXPECT_TRUE(stats.verified) << stats.reason;
      EXPECT_EQ(download<T>(v).size(), n);
    }
  });
  // A DeviceBuffer goes to cuda only: the CPU backends refuse it by name.
  DeviceBuffer d(DType::f64, 4);
  EXPECT_TRUE(
      throws<tandem::invalid_argument>([&] { tandem::sort(d, {.backend = Backend::openmp}); },
                                       {"tandem::sort", "DeviceBuffers", "openmp"}));
}

TEST(GpuDevice, MseWithinBoundAndRepeatable) {
  TANDEM_REQUIRE_CUDA();
  TANDEM_SEEDED_RNG(rng);
  for_each_float_dtype([&]<class T>(std::type_identity<T>) {
    for (std::size_t n : {std::size_t{1}, std::size_t{1009}, (std::size_t{1} << 20) + 3}) {
      SCOPED_TRACE("n=" + std::to_string(n));
      const auto a = random_vector<T>(rng, n);
      const auto b = random_vector<T>(rng, n);
      const DeviceBuffer da{std::span<const T>(a)};
      const DeviceBuffer db{std::span<const T>(b)};
      const double one = tandem::mse(da, on_cuda());
      const double two = tandem::mse(da, db, on_cuda());
      EXPECT_TRUE(mse_within_bound(one, reference_mse<T>(a), n));
      EXPECT_TRUE(mse_within_bound(two, reference_mse<T>(a, b), n));
      EXPECT_EQ(tandem::mse(da, on_cuda()), one) << "same input, same GPU: same bits";
      EXPECT_EQ(tandem::mse(da, db, on_cuda()), two);
      // Host data on cuda gives the same bits as device data (same reduction).
      EXPECT_EQ(tandem::mse(std::span<const T>(a), on_cuda()), one);
    }
  });
}

/// Whether got (m x n) equals the serial product: exact for integers; for floats within
/// 2*(k+1)*eps*sum|a||b| of it per element (cuBLAS sums in another order).
template <class T>
::testing::AssertionResult close_to_serial(const std::vector<T>& got, const std::vector<T>& A,
                                           const std::vector<T>& B, const std::vector<T>& want,
                                           std::int64_t m, std::int64_t k, std::int64_t n) {
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      const auto at = static_cast<std::size_t>(i * n + j);
      if constexpr (std::is_integral_v<T>) {
        if (got[at] != want[at]) {
          return ::testing::AssertionFailure()
                 << "C(" << i << "," << j << ") = " << got[at] << ", serial " << want[at];
        }
      } else {
        long double mag = 0;
        for (std::int64_t l = 0; l < k; ++l) {
          mag += std::fabs(static_cast<long double>(A[static_cast<std::size_t>(i * k + l)]) *
                           static_cast<long double>(B[static_cast<std::size_t>(l * n + j)]));
        }
        const long double tol = 2.0L * static_cast<long double>(k + 1) * epsilon<T>() * mag;
        if (std::fabs(static_cast<long double>(got[at]) - want[at]) > tol) {
          return ::testing::AssertionFailure()
                 << "C(" << i << "," << j << ") = " << got[at] << ", serial " << want[at]
                 << ", tolerance " << static_cast<double>(tol);
        }
      }
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(GpuDevice, MatmulEqualsSerialForShapesAndBlocks) {
  TANDEM_REQUIRE_CUDA();
  TANDEM_SEEDED_RNG(rng);
  struct Shape {
    std::int64_t m, k, n;
  };
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    for (const Shape s : {Shape{1, 1, 1}, Shape{67, 33, 129}, Shape{64, 64, 64}, Shape{3, 0, 5},
                          Shape{0, 4, 5}, Shape{130, 17, 1}}) {
      SCOPED_TRACE(std::to_string(s.m) + "x" + std::to_string(s.k) + "x" + std::to_string(s.n));
      const auto A = random_vector<T>(rng, static_cast<std::size_t>(s.m * s.k), -50, 50);
      const auto B = random_vector<T>(rng, static_cast<std::size_t>(s.k * s.n), -50, 50);
      std::vector<T> want(static_cast<std::size_t>(s.m * s.n));
      tandem::matmul(tandem::MatrixView<const T>(A.data(), s.m, s.k),
                     tandem::MatrixView<const T>(B.data(), s.k, s.n),
                     tandem::MatrixView<T>(want.data(), s.m, s.n), serial_options());
      const DeviceBuffer dA{std::span<const T>(A)};
      const DeviceBuffer dB{std::span<const T>(B)};
      DeviceBuffer dC(tandem::dtype_of<T>, s.m * s.n);
      tandem::matmul(dA.matrix(s.m, s.k), dB.matrix(s.k, s.n), dC.matrix(s.m, s.n), on_cuda());
      EXPECT_TRUE(close_to_serial(download<T>(dC), A, B, want, s.m, s.k, s.n));
      // The same product on host data through cuda.
      std::vector<T> host_c(want.size(), sentinel<T>());
      tandem::matmul(tandem::MatrixView<const T>(A.data(), s.m, s.k),
                     tandem::MatrixView<const T>(B.data(), s.k, s.n),
                     tandem::MatrixView<T>(host_c.data(), s.m, s.n), on_cuda());
      EXPECT_TRUE(close_to_serial(host_c, A, B, want, s.m, s.k, s.n));
    }
  });
}

TEST(GpuDevice, MatmulOnBlocksOfOneBufferWithLeadingDimensions) {
  TANDEM_REQUIRE_CUDA();
  TANDEM_SEEDED_RNG(rng);
  // One 40 x 50 buffer holds A (rows 0-9, cols 0-6), B (rows 10-16, cols 3-14) and C (rows
  // 20-29, cols 20-31): ld 50 everywhere, disjoint blocks.
  const auto all = random_vector<std::int32_t>(rng, 40 * 50, -1000, 1000);
  DeviceBuffer d{std::span<const std::int32_t>(all)};
  tandem::matmul(d.matrix(10, 7, 50, 0), d.matrix(7, 12, 50, 10 * 50 + 3),
                 d.matrix(10, 12, 50, 20 * 50 + 20), on_cuda());
  std::vector<std::int32_t> host = all;
  tandem::MatrixView<std::int32_t> h(host.data(), 40, 50);
  tandem::matmul(tandem::MatrixView<const std::int32_t>(h.submatrix(0, 0, 10, 7)),
                 tandem::MatrixView<const std::int32_t>(h.submatrix(10, 3, 7, 12)),
                 h.submatrix(20, 20, 10, 12), serial_options());
  EXPECT_EQ(download<std::int32_t>(d), host) << "only C's block changes, as on the host";
}

TEST(GpuDevice, MatmulOnBlocksWithLeadingDimensionsEveryDtype) {
  TANDEM_REQUIRE_CUDA();
  TANDEM_SEEDED_RNG(rng);
  // Non-square blocks of one 40 x 50 buffer, ld 50 > cols everywhere: swapped or wrong leading
  // dimensions in the cuBLAS call (f32, f64) or the integer kernel would read the wrong elements.
  const std::int64_t rows = 40, ld = 50, m = 9, k = 7, n = 13;
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    const auto all = random_vector<T>(rng, static_cast<std::size_t>(rows * ld), -20, 20);
    DeviceBuffer d{std::span<const T>(all)};
    tandem::matmul(d.matrix(m, k, ld, 0), d.matrix(k, n, ld, 10 * ld + 3),
                   d.matrix(m, n, ld, 20 * ld + 20), on_cuda());
    std::vector<T> host = all;
    tandem::MatrixView<T> h(host.data(), rows, ld);
    tandem::matmul(tandem::MatrixView<const T>(h.submatrix(0, 0, m, k)),
                   tandem::MatrixView<const T>(h.submatrix(10, 3, k, n)), h.submatrix(20, 20, m, n),
                   serial_options());
    const auto got = download<T>(d);
    // A and B packed, for the tolerance of close_to_serial.
    std::vector<T> A, B, want, block;
    for (std::int64_t i = 0; i < m; ++i) {
      for (std::int64_t j = 0; j < k; ++j) A.push_back(all[static_cast<std::size_t>(i * ld + j)]);
    }
    for (std::int64_t i = 0; i < k; ++i) {
      for (std::int64_t j = 0; j < n; ++j) {
        B.push_back(all[static_cast<std::size_t>((10 + i) * ld + 3 + j)]);
      }
    }
    for (std::int64_t i = 0; i < rows; ++i) {
      for (std::int64_t j = 0; j < ld; ++j) {
        const auto at = static_cast<std::size_t>(i * ld + j);
        if (i >= 20 && i < 20 + m && j >= 20 && j < 20 + n) {
          want.push_back(host[at]);
          block.push_back(got[at]);
        } else {
          ASSERT_EQ(got[at], all[at]) << "outside C's block, (" << i << "," << j << ")";
        }
      }
    }
    EXPECT_TRUE(close_to_serial(block, A, B, want, m, k, n));
  });
}

TEST(GpuDevice, PolynomialGridEqualsSerialForTableAndCartesian) {
  TANDEM_REQUIRE_CUDA();
  TANDEM_SEEDED_RNG(rng);
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    // The notebook's grid: 4 axes of 10 values, 50 x.
    const tandem::CartesianGrid<T> grid(4, random_vector<T>(rng, 10, -3, 3));
    const auto x = random_vector<T>(rng, 50, -2, 2);
    const auto want = tandem::polynomial_grid(grid, std::span<const T>(x), serial_options());
    const DeviceBuffer dx{std::span<const T>(x)};
    DeviceBuffer out(tandem::dtype_of<T>, 10000 * 50);
    tandem::polynomial_grid(grid, dx, out.matrix(10000, 50), on_cuda());
    EXPECT_EQ(download<T>(out), std::vector<T>(want.values().begin(), want.values().end()));
    // A table of 37 parameter sets of degree 5, stored with ld 8 (two unused columns).
    const std::int64_t sets = 37, ncoef = 6, ld = 8;
    const auto table = random_vector<T>(rng, static_cast<std::size_t>(sets * ld), -3, 3);
    const tandem::MatrixView<const T> tv(table.data(), sets, ncoef, ld);
    const auto want_t = tandem::polynomial_grid(tv, std::span<const T>(x), serial_options());
    const DeviceBuffer dt{std::span<const T>(table)};
    DeviceBuffer out_t(tandem::dtype_of<T>, sets * 50);
    tandem::polynomial_grid(dt.matrix(sets, ncoef, ld), dx, out_t.matrix(sets, 50), on_cuda());
    EXPECT_EQ(download<T>(out_t), std::vector<T>(want_t.values().begin(), want_t.values().end()));
    // Host data through cuda, into an output with ld > cols.
    std::vector<T> host_out(static_cast<std::size_t>(sets * 53), sentinel<T>());
    tandem::polynomial_grid(tv, std::span<const T>(x),
                            tandem::MatrixView<T>(host_out.data(), sets, 50, 53), on_cuda());
    for (std::int64_t r = 0; r < sets; ++r) {
      for (std::int64_t j = 0; j < 53; ++j) {
        const T got = host_out[static_cast<std::size_t>(r * 53 + j)];
        if (j < 50) {
          ASSERT_EQ(got, want_t(r, j)) << r << "," << j;
        } else {
          ASSERT_EQ(got, sentinel<T>()) << "the gap between rows is not written";
        }
      }
    }
  });
}

// ---- device operands are checked before anything runs ---------------------------------------

TEST(GpuDevice, BadDeviceOperandsAreTypedErrorsWithOutputsUntouched) {
  TANDEM_REQUIRE_CUDA();
  const std::vector<float> xf{1, 2, 3};
  const std::vector<double> yd{5, 5, 5};
  const DeviceBuffer x{std::span<const float>(xf)};
  DeviceBuffer y{std::span<const double>(yd)};
  DeviceBuffer y4(DType::f32, 4);
  const auto y_untouched = [&] { return download<double>(y) == yd; };
  expect_rejected<tandem::invalid_argument>(
      "dtype mismatch", on_cuda(),
      [&](const tandem::Options& o) { tandem::map(x, y, MapOp::square(), o); }, y_untouched,
      {"tandem::map", "f64", "f32"});
  expect_rejected<tandem::invalid_argument>(
      "size mismatch", on_cuda(),
      [&](const tandem::Options& o) { tandem::map(x, y4, MapOp::square(), o); },
      [&] { return download<float>(y4) == std::vector<float>(4, 0.0f); }, {"3", "4"});
  for (Backend cpu : {Backend::serial, Backend::openmp}) {
    if (!tandem::backend_info(cpu).available) continue;
    DeviceBuffer y3(DType::f32, 3);
    expect_rejected<tandem::invalid_argument>(
        "a CPU backend", with(cpu),
        [&](const tandem::Options& o) { tandem::map(x, y3, MapOp::square(), o); },
        [&] { return download<float>(y3) == std::vector<float>(3, 0.0f); },
        {"DeviceBuffer", std::string(tandem::to_string(cpu))});
  }
  const DeviceBuffer ints(DType::i32, 8);
  EXPECT_TRUE(throws<tandem::invalid_argument>([&] { (void)tandem::mse(ints, on_cuda()); },
                                               {"i32", "f32 or f64"}));
  DeviceBuffer m(DType::f32, 100);
  EXPECT_TRUE(throws<tandem::invalid_argument>(
      [&] {
        tandem::matmul(m.matrix(5, 5), m.matrix(5, 5, 5, 80), m.matrix(5, 5, 5, 40), on_cuda());
      },
      {"B", "does not fit", "100"}));
  EXPECT_TRUE(throws<tandem::invalid_argument>(
      [&] {
        tandem::matmul(m.matrix(5, 5), m.matrix(5, 5, 5, 25), m.matrix(5, 5, 5, 20), on_cuda());
      },
      {"C", "A"}));  // C overlaps A within the buffer
  EXPECT_TRUE(download<float>(m) == std::vector<float>(100, 0.0f));
}

// ---- host data: breakdown, staging reuse ------------------------------------------------------

TEST(GpuHost, StatsSplitTheTimeOfAHostCall) {
  TANDEM_REQUIRE_CUDA();
  TANDEM_SEEDED_RNG(rng);
  const auto x = random_vector<double>(rng, std::size_t{1} << 22);
  std::vector<double> y(x.size());
  // Cold caches: this call allocates its staging and scratch, which must be timed once.
  tandem::release_device_caches();
  tandem::Stats stats;
  tandem::map(std::span<const double>(x), std::span<double>(y), MapOp::scale(2), on_cuda(&stats));
  EXPECT_EQ(stats.backend, Backend::cuda);
  EXPECT_GT(stats.host_to_device_seconds, 0.0);
  EXPECT_GT(stats.compute_seconds, 0.0);
  EXPECT_GT(stats.device_to_host_seconds, 0.0);
  EXPECT_GE(stats.allocation_seconds, 0.0);
  const double parts = stats.allocation_seconds + stats.host_to_device_seconds +
                       stats.compute_seconds + stats.device_to_host_seconds;
  EXPECT_LE(parts, stats.seconds * 1.05 + 1e-4) << "the parts are inside the whole call";
  EXPECT_EQ(y[12345], 2 * x[12345]);
  // Device-resident: nothing crosses the bus.
  const DeviceBuffer dx{std::span<const double>(x)};
  DeviceBuffer dy(DType::f64, dx.size());
  tandem::Stats device_stats;
  tandem::map(dx, dy, MapOp::scale(2), on_cuda(&device_stats));
  EXPECT_GT(device_stats.compute_seconds, 0.0);
  EXPECT_LE(device_stats.host_to_device_seconds + device_stats.device_to_host_seconds,
            stats.host_to_device_seconds + stats.device_to_host_seconds);
}

TEST(GpuHost, SteadyStateCallsAllocateNothing) {
  TANDEM_REQUIRE_CUDA();
  TANDEM_SEEDED_RNG(rng);
  const auto a = random_vector<float>(rng, 300000);
  const auto b = random_vector<float>(rng, 300000);
  std::vector<float> y(a.size());
  const auto A = random_vector<float>(rng, 96 * 80);
  const auto B = random_vector<float>(rng, 80 * 64);
  std::vector<float> C(96 * 64);
  const auto round = [&] {
    tandem::map(std::span<const float>(a), std::span<float>(y), MapOp::affine(2, 1), on_cuda());
    (void)tandem::mse(std::span<const float>(a), std::span<const float>(b), on_cuda());
    tandem::matmul(tandem::MatrixView<const float>(A.data(), 96, 80),
                   tandem::MatrixView<const float>(B.data(), 80, 64),
                   tandem::MatrixView<float>(C.data(), 96, 64), on_cuda());
  };
  round();  // warm-up: the caches fill
  const auto before = tandem::device_memory_stats();
  for (int i = 0; i < 5; ++i) round();
  const auto after = tandem::device_memory_stats();
  EXPECT_EQ(after.device_allocations, before.device_allocations);
  EXPECT_EQ(after.pinned_allocations, before.pinned_allocations);
  EXPECT_GT(after.device_cached_bytes, 0u);
  tandem::release_device_caches();
  // No call is running, so nothing is in use: every cached byte, device and pinned, is freed.
  const auto trimmed = tandem::device_memory_stats();
  EXPECT_EQ(trimmed.device_cached_bytes, 0u);
  EXPECT_EQ(trimmed.pinned_cached_bytes, 0u);
  round();  // still works after the caches are dropped
  EXPECT_EQ(y[7], a[7] * 2 + 1);
}

TEST(GpuHost, EveryHostCallTimesEachPartOnceFromColdCaches) {
  TANDEM_REQUIRE_CUDA();
  TANDEM_SEEDED_RNG(rng);
  // Each workload on host data after the caches are dropped: the staging buffers, the scratch
  // and Thrust's temporaries are allocated by the call, before its clock starts, so the parts
  // add up to no more than the whole.
  const auto a = random_vector<float>(rng, std::size_t{3} << 20);
  const auto b = random_vector<float>(rng, a.size());
  std::vector<float> y(a.size());
  const auto A = random_vector<double>(rng, 300 * 200);
  const auto B = random_vector<double>(rng, 200 * 100);
  std::vector<double> C(300 * 100);
  const tandem::CartesianGrid<float> grid(3, random_vector<float>(rng, 40, -1, 1));
  const auto gx = random_vector<float>(rng, 64, -1, 1);
  const std::vector<std::pair<std::string, std::function<void(const tandem::Options&)>>> calls{
      {"map",
       [&](const tandem::Options& o) {
         tandem::map(std::span<const float>(a), std::span<float>(y), MapOp::square(), o);
       }},
      {"mse",
       [&](const tandem::Options& o) {
         (void)tandem::mse(std::span<const float>(a), std::span<const float>(b), o);
       }},
      {"matmul",
       [&](const tandem::Options& o) {
         tandem::matmul(tandem::MatrixView<const double>(A.data(), 300, 200),
                        tandem::MatrixView<const double>(B.data(), 200, 100),
                        tandem::MatrixView<double>(C.data(), 300, 100), o);
       }},
      {"polynomial_grid",
       [&](const tandem::Options& o) {
         (void)tandem::polynomial_grid(grid, std::span<const float>(gx), o);
       }},
  };
  for (const auto& [name, call] : calls) {
    SCOPED_TRACE(name);
    tandem::release_device_caches();
    tandem::Stats stats;
    call(on_cuda(&stats));
    ASSERT_EQ(stats.backend, Backend::cuda);
    const double parts = stats.allocation_seconds + stats.host_to_device_seconds +
                         stats.compute_seconds + stats.device_to_host_seconds;
    EXPECT_LE(parts, stats.seconds * 1.05 + 1e-4)
        << "allocation " << stats.allocation_seconds << ", in " << stats.host_to_device_seconds
        << ", compute " << stats.compute_seconds << ", out " << stats.device_to_host_seconds
        << ", whole " << stats.seconds;
  }
}

// ---- faults and load --------------------------------------------------------------------------

TEST(GpuFaults, OutOfMemoryIsTypedAndTheBackendStaysUsable) {
  TANDEM_REQUIRE_CUDA();
  // 2^40 doubles (8 TiB): more than any GPU has.
  EXPECT_TRUE(throws<tandem::out_of_memory>([] { DeviceBuffer(DType::f64, std::int64_t{1} << 40); },
                                            {"tandem::DeviceBuffer", "out of"}));
  const std::vector<double> e{1, 2, 3, 4};
  EXPECT_EQ(tandem::mse(std::span<const double>(e), on_cuda()), 7.5);
  const DeviceBuffer d{std::span<const double>(e)};
  EXPECT_EQ(tandem::mse(d, on_cuda()), 7.5);
}

// Fills the device with buffers until an allocation fails, then checks that the scratch pool
// (host-data calls) and the reserve for Thrust's temporaries (a device-resident mse) fail with
// a typed out_of_memory, and that everything works again once the memory is freed. The emulated
// run gives this test a small device (tests/emulated_cuda/CMakeLists.txt).
TEST(GpuFaults, FullDeviceScratchIsTypedOutOfMemory) {
  TANDEM_REQUIRE_CUDA();
  tandem::release_device_caches();
  const std::vector<double> e(std::size_t{1} << 20, 2.0);  // 8 MiB, more than is left below
  const DeviceBuffer de{std::span<const double>(e)};
  std::vector<DeviceBuffer> hog;
  for (std::int64_t chunk = std::int64_t{1} << 30; chunk >= (std::int64_t{1} << 16); chunk /= 4) {
    for (;;) {
      try {
        hog.emplace_back(DType::i32, chunk / 4);  // chunk bytes
      } catch (const tandem::out_of_memory&) {
        break;
      }
    }
  }
  ASSERT_FALSE(hog.empty());
  EXPECT_TRUE(throws<tandem::out_of_memory>(
      [&] { (void)tandem::mse(std::span<const double>(e), on_cuda()); },
      {"tandem::mse", "out of"}));
  EXPECT_TRUE(throws<tandem::out_of_memory>([&] { (void)tandem::mse(de, on_cuda()); },
                                            {"tandem::mse", "out of"}));
  std::vector<double> y(e.size());
  EXPECT_TRUE(throws<tandem::out_of_memory>(
      [&] {
        tandem::map(std::span<const double>(e), std::span<double>(y), MapOp::square(), on_cuda());
      },
      {"tandem::map", "out of"}));
  EXPECT_TRUE(std::ranges::all_of(y, [](double v) { return v == 0.0; })) << "nothing written";
  hog.clear();
  EXPECT_EQ(tandem::mse(std::span<const double>(e), on_cuda()), 4.0);
  EXPECT_EQ(tandem::mse(de, on_cuda()), 4.0);
  tandem::map(std::span<const double>(e), std::span<double>(y), MapOp::square(), on_cuda());
  EXPECT_EQ(y[77], 4.0);
}

// A sticky error (the CUDA context is lost) makes cuda unavailable for the rest of the process,
// with the reason. Needs a fault: the emulated module injects one (TANDEM_EMULATED_FAULT=mse;
// its own CTest process); elsewhere this test skips.
TEST(GpuSticky, AFaultMakesCudaUnavailableWithTheReason) {
  const char* fault = std::getenv("TANDEM_EMULATED_FAULT");
  if (fault == nullptr || std::strcmp(fault, "mse") != 0) {
    GTEST_SKIP() << "needs TANDEM_EMULATED_FAULT=mse and the emulated module";
  }
  ASSERT_TRUE(tandem::backend_info(Backend::cuda).available);
  const std::vector<double> e(1 << 16, 0.5);
  const DeviceBuffer kept{std::span<const double>(e)};
  EXPECT_TRUE(throws<tandem::device_error>(
      [&] { (void)tandem::mse(std::span<const double>(e), on_cuda()); },
      {"tandem::mse", "cudaErrorIllegalAddress"}));
  const auto info = tandem::backend_info(Backend::cuda);
  EXPECT_FALSE(info.available);
  EXPECT_NE(info.reason.find("a previous kernel faulted; restart the process"), std::string::npos)
      << info.reason;
  EXPECT_NE(info.reason.find("cudaErrorIllegalAddress"), std::string::npos) << info.reason;
  EXPECT_EQ(std::ranges::count(tandem::available_backends(), Backend::cuda), 0);
  // Every later use says why, for another workload and for buffers too.
  std::vector<double> y(e.size());
  EXPECT_TRUE(throws<tandem::backend_unavailable>(
      [&] {
        tandem::map(std::span<const double>(e), std::span<double>(y), MapOp::square(), on_cuda());
      },
      {"tandem::map", "a previous kernel faulted"}));
  EXPECT_TRUE(throws<tandem::backend_unavailable>([] { DeviceBuffer(DType::f32, 16); },
                                                  {"tandem::DeviceBuffer", "faulted"}));
  // automatic, however large the problem, now runs on a CPU backend.
  const std::vector<double> big(std::size_t{1} << 22, 0.5);
  tandem::Stats stats;
  tandem::Options automatic;
  automatic.stats = &stats;
  EXPECT_EQ(tandem::mse(std::span<const double>(big), automatic), 0.25);
  EXPECT_NE(stats.backend, Backend::cuda);
}

TEST(GpuFaults, ConcurrentCallersGetExactResults) {
  TANDEM_REQUIRE_CUDA();
  TANDEM_SEEDED_RNG(rng);
  const auto x = random_vector<std::int64_t>(rng, 100003, -1000000, 1000000);
  std::vector<std::int64_t> want(x.size());
  tandem::map(std::span<const std::int64_t>(x), std::span<std::int64_t>(want), MapOp::square(),
              serial_options());
  const auto e = random_vector<double>(rng, 50000);
  const double want_mse = tandem::mse(std::span<const double>(e), on_cuda());
  std::vector<int> failures(8, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        std::vector<std::int64_t> y(x.size());
        tandem::map(std::span<const std::int64_t>(x), std::span<std::int64_t>(y), MapOp::square(),
                    on_cuda());
        if (y != want) ++failures[static_cast<std::size_t>(t)];
        if (tandem::mse(std::span<const double>(e), on_cuda()) != want_mse) {
          ++failures[static_cast<std::size_t>(t)];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(failures[static_cast<std::size_t>(t)], 0) << "thread " << t;
}

TEST(GpuLarge, MoreThan2To31Elements) {
  TANDEM_REQUIRE_CUDA();
  if (emulated()) GTEST_SKIP() << "needs a real GPU with 20 GB free (the emulation is host memory)";
  const std::int64_t n = (std::int64_t{1} << 31) + 1027;
  // Values i % 1024, so every index matters and the exact MSE is known in closed form.
  std::vector<float> host(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i)
    host[static_cast<std::size_t>(i)] = static_cast<float>(i % 1024);
  DeviceBuffer x{std::span<const float>(host)};
  host = {};
  long double sum = 0;
  const std::int64_t periods = n / 1024;
  for (std::int64_t v = 0; v < 1024; ++v) sum += static_cast<long double>(v * v) * periods;
  for (std::int64_t v = 0; v < n % 1024; ++v) sum += static_cast<long double>(v * v);
  const long double exact = sum / static_cast<long double>(n);
  EXPECT_TRUE(mse_within_bound(tandem::mse(x, on_cuda()), exact, static_cast<std::size_t>(n)));
  tandem::map(x, x, MapOp::scale(2), on_cuda());  // in place, every element
  EXPECT_TRUE(mse_within_bound(tandem::mse(x, on_cuda()), 4 * exact, static_cast<std::size_t>(n)));
}

}  // namespace
