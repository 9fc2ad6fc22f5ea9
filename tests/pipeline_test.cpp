// The cuda backend's chunked pipeline for host data (gpu/pipeline.hpp): map and mse of two
// chunks or more, run against the emulated module in CI (the flow logic: chunking, staging,
// the order of the device copies) and on a GPU by scripts/gpu_check.sh. map must equal serial
// bit for bit; mse must be close to serial and give the same bits for host and DeviceBuffer
// operands (the fixed-chunk tree). Every test skips where cuda is unavailable.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "../gpu/pipeline.hpp"
#include "error_checks.hpp"
#include "gpu_require.hpp"
#include "tandem/tandem.hpp"
#include "test_util.hpp"

namespace {

using tandem::Backend;
using tandem::DeviceBuffer;
using tandem::MapOp;
using namespace tandem_test;

tandem::Options on(Backend b, tandem::Stats* stats = nullptr) {
  tandem::Options o;
  o.backend = b;
  o.stats = stats;
  return o;
}

/// Sizes that take the pipeline for T: exactly two chunks (the threshold), and five chunks and
/// a short tail. One below the threshold takes the one-shot flow (compared too).
template <class T>
std::vector<std::size_t> piped_sizes() {
  const auto chunk = static_cast<std::size_t>(tandem::cuda::pipeline_chunk(sizeof(T)));
  return {2 * chunk - 1, 2 * chunk, 5 * chunk + 123};
}

/// The definition of mse from two chunks on (gpu/pipeline.hpp), written out on the host: a
/// compensated pair per lane, per group and in total, in the stated orders.
struct Pair {
  double hi = 0.0;
  double lo = 0.0;
};
Pair plus(Pair x, Pair y) {
  const double s = x.hi + y.hi;
  if (!(s - s == 0.0)) return Pair{s, 0.0};
  const double bp = s - x.hi;
  const double err = (x.hi - (s - bp)) + (y.hi - bp);
  return Pair{s, x.lo + y.lo + err};
}
template <class T>
double fixed_chunk_mse(const std::vector<T>& a, const std::vector<T>* b) {
  using namespace tandem::cuda;
  const auto n = static_cast<std::int64_t>(a.size());
  const std::int64_t chunk = pipeline_chunk(sizeof(T));
  const std::int64_t width = kMseLanes / kMseGroups;
  Pair total;
  std::vector<Pair> lane(static_cast<std::size_t>(kMseLanes));
  for (std::int64_t first = 0; first < n; first += chunk) {
    const std::int64_t len = std::min(chunk, n - first);
    for (std::int64_t j = 0; j < kMseLanes; ++j) {
      Pair acc;
      for (std::int64_t i = j; i < len; i += kMseLanes) {
        const auto k = static_cast<std::size_t>(first + i);
        const double d = b != nullptr ? static_cast<double>(a[k]) - static_cast<double>((*b)[k])
                                      : static_cast<double>(a[k]);
        acc = plus(acc, Pair{d * d, 0.0});
      }
      lane[static_cast<std::size_t>(j)] = acc;
    }
    for (std::int64_t g = 0; g < kMseGroups; ++g) {
      Pair acc;
      for (std::int64_t i = 0; i < width; ++i) {
        acc = plus(acc, lane[static_cast<std::size_t>(g * width + i)]);
      }
      total = plus(total, acc);
    }
  }
  return (total.hi + total.lo) / static_cast<double>(n);
}

TEST(Pipeline, ConstantsTakeThePathAtTwoChunks) {
  EXPECT_EQ(tandem::cuda::pipeline_chunk(sizeof(float)), std::int64_t{1} << 21);
  EXPECT_EQ(tandem::cuda::pipeline_chunk(sizeof(double)), std::int64_t{1} << 20);
  EXPECT_FALSE(tandem::cuda::pipelined((std::int64_t{2} << 20) - 1, sizeof(double)));
  EXPECT_TRUE(tandem::cuda::pipelined(std::int64_t{2} << 20, sizeof(double)));
  EXPECT_EQ(tandem::cuda::pipeline_chunks((std::int64_t{5} << 20) + 1, sizeof(double)), 6);
}

TEST(Pipeline, MapEqualsSerialBitForBit) {
  TANDEM_REQUIRE_CUDA();
  TANDEM_SEEDED_RNG(rng);
  const MapOp ops[] = {MapOp::scale(2.5), MapOp::affine(-1.25, 3), MapOp::square(), MapOp::abs(),
                       MapOp::polynomial({0.5, -2, 1.5, 3})};
  for_each_float_dtype([&]<class T>(std::type_identity<T>) {
    for (std::size_t n : piped_sizes<T>()) {
      SCOPED_TRACE("n=" + std::to_string(n));
      const auto x = random_vector<T>(rng, n);
      for (const MapOp& op : ops) {
        SCOPED_TRACE("op=" + std::string(tandem::to_string(op.kind())));
        std::vector<T> want(n), got(n, T(7));
        tandem::map(std::span<const T>(x), std::span<T>(want), op, on(Backend::serial));
        tandem::map(std::span<const T>(x), std::span<T>(got), op, on(Backend::cuda));
        ASSERT_EQ(std::memcmp(want.data(), got.data(), n * sizeof(T)), 0);
      }
      // In place: y is x.
      std::vector<T> inplace = x, want(n);
      tandem::map(std::span<const T>(x), std::span<T>(want), MapOp::affine(3, 1),
                  on(Backend::serial));
      tandem::map(std::span<const T>(inplace), std::span<T>(inplace), MapOp::affine(3, 1),
                  on(Backend::cuda));
      ASSERT_EQ(std::memcmp(want.data(), inplace.data(), n * sizeof(T)), 0);
    }
  });
}

TEST(Pipeline, MapOfIntegersEqualsSerial) {
  TANDEM_REQUIRE_CUDA();
  TANDEM_SEEDED_RNG(rng);
  const auto n =
      static_cast<std::size_t>(3 * tandem::cuda::pipeline_chunk(sizeof(std::int32_t))) + 5;
  const auto x = random_vector<std::int32_t>(rng, n, -1e9, 1e9);
  std::vector<std::int32_t> want(n), got(n);
  tandem::map(std::span<const std::int32_t>(x), std::span<std::int32_t>(want), MapOp::square(),
              on(Backend::serial));
  tandem::map(std::span<const std::int32_t>(x), std::span<std::int32_t>(got), MapOp::square(),
              on(Backend::cuda));
  EXPECT_TRUE(want == got);
}

TEST(Pipeline, MseIsCloseToSerialAndTheSameForHostAndDeviceData) {
  TANDEM_REQUIRE_CUDA();
  TANDEM_SEEDED_RNG(rng);
  for_each_float_dtype([&]<class T>(std::type_identity<T>) {
    for (std::size_t n : piped_sizes<T>()) {
      SCOPED_TRACE("n=" + std::to_string(n));
      const auto a = random_vector<T>(rng, n);
      const auto b = random_vector<T>(rng, n);
      const std::span<const T> sa(a), sb(b);
      const DeviceBuffer da{sa}, db{sb};
      for (int operands : {1, 2}) {
        SCOPED_TRACE("operands=" + std::to_string(operands));
        const double want = operands == 1 ? tandem::mse(sa, on(Backend::serial))
                                          : tandem::mse(sa, sb, on(Backend::serial));
        const double host = operands == 1 ? tandem::mse(sa, on(Backend::cuda))
                                          : tandem::mse(sa, sb, on(Backend::cuda));
        const double device = operands == 1 ? tandem::mse(da, on(Backend::cuda))
                                            : tandem::mse(da, db, on(Backend::cuda));
        EXPECT_NEAR(host, want, 1e-12 * want);
        if (tandem::cuda::pipelined(static_cast<std::int64_t>(n), sizeof(T))) {
          const double defined = fixed_chunk_mse(a, operands == 2 ? &b : nullptr);
          EXPECT_EQ(std::memcmp(&host, &defined, sizeof(double)), 0)
              << "host " << host << " defined " << defined << ": the fixed-chunk tree's bits";
        }
        EXPECT_EQ(std::memcmp(&host, &device, sizeof(double)), 0)
            << "host " << host << " device " << device;
        const double again = operands == 1 ? tandem::mse(sa, on(Backend::cuda))
                                           : tandem::mse(sa, sb, on(Backend::cuda));
        EXPECT_EQ(std::memcmp(&host, &again, sizeof(double)), 0) << "same input, same bits";
      }
    }
  });
}

TEST(Pipeline, MseOfNonFiniteTermsPropagates) {
  TANDEM_REQUIRE_CUDA();
  const auto n = static_cast<std::size_t>(3 * tandem::cuda::pipeline_chunk(sizeof(double)));
  std::vector<double> e(n, 0.5);
  e[n - 2] = std::numeric_limits<double>::infinity();  // in the last chunk
  EXPECT_EQ(tandem::mse(std::span<const double>(e), on(Backend::cuda)),
            std::numeric_limits<double>::infinity());
  e[7] = std::numeric_limits<double>::quiet_NaN();  // in the first
  EXPECT_TRUE(std::isnan(tandem::mse(std::span<const double>(e), on(Backend::cuda))));
  const DeviceBuffer d{std::span<const double>(e)};
  EXPECT_TRUE(std::isnan(tandem::mse(d, on(Backend::cuda))));
}

TEST(Pipeline, StatsSplitThePipelineIntoFillBodyAndDrain) {
  TANDEM_REQUIRE_CUDA();
  TANDEM_SEEDED_RNG(rng);
  const auto n = static_cast<std::size_t>(4 * tandem::cuda::pipeline_chunk(sizeof(double)));
  const auto x = random_vector<double>(rng, n);
  std::vector<double> y(n);
  for (bool is_map : {true, false}) {
    SCOPED_TRACE(is_map ? "map" : "mse");
    tandem::Stats stats;
    if (is_map) {
      tandem::map(std::span<const double>(x), std::span<double>(y), MapOp::scale(2),
                  on(Backend::cuda, &stats));
      EXPECT_EQ(y[n - 1], 2 * x[n - 1]);
    } else {
      (void)tandem::mse(std::span<const double>(x), on(Backend::cuda, &stats));
    }
    EXPECT_EQ(stats.backend, Backend::cuda);
    EXPECT_GT(stats.host_to_device_seconds, 0.0) << "the fill: chunk 0 staged and uploaded";
    EXPECT_GT(stats.compute_seconds, 0.0) << "the overlapped body";
    EXPECT_GT(stats.device_to_host_seconds, 0.0) << "the drain";
    EXPECT_GE(stats.allocation_seconds, 0.0);
    const double parts = stats.allocation_seconds + stats.host_to_device_seconds +
                         stats.compute_seconds + stats.device_to_host_seconds;
    EXPECT_LE(parts, stats.seconds * 1.05 + 1e-4) << "the parts are inside the whole call";
  }
}

TEST(Pipeline, SteadyStateCallsAllocateNothing) {
  TANDEM_REQUIRE_CUDA();
  TANDEM_SEEDED_RNG(rng);
  const auto n = static_cast<std::size_t>(3 * tandem::cuda::pipeline_chunk(sizeof(float))) + 9;
  const auto a = random_vector<float>(rng, n);
  const auto b = random_vector<float>(rng, n);
  std::vector<float> y(n);
  const auto round = [&] {
    tandem::map(std::span<const float>(a), std::span<float>(y), MapOp::affine(2, 1),
                on(Backend::cuda));
    (void)tandem::mse(std::span<const float>(a), std::span<const float>(b), on(Backend::cuda));
  };
  round();  // warm-up: the caches fill
  const auto before = tandem::device_memory_stats();
  for (int i = 0; i < 3; ++i) round();
  const auto after = tandem::device_memory_stats();
  EXPECT_EQ(after.device_allocations, before.device_allocations);
  EXPECT_EQ(after.pinned_allocations, before.pinned_allocations);
}

/// TANDEM_EMULATED_FAULT=map (its own process): the pipelined map fails as a faulted kernel does,
/// typed, and leaves the output as it was.
TEST(PipelineFault, MapFailsTypedAndWritesNothing) {
  const char* fault = std::getenv("TANDEM_EMULATED_FAULT");
  if (fault == nullptr || std::strcmp(fault, "map") != 0) {
    GTEST_SKIP() << "needs TANDEM_EMULATED_FAULT=map and the emulated module";
  }
  ASSERT_TRUE(tandem::backend_info(Backend::cuda).available);
  const auto n = static_cast<std::size_t>(3 * tandem::cuda::pipeline_chunk(sizeof(double)));
  const std::vector<double> x(n, 0.5);
  std::vector<double> y(n, 7.0);
  EXPECT_TRUE(throws<tandem::device_error>(
      [&] {
        tandem::map(std::span<const double>(x), std::span<double>(y), MapOp::square(),
                    on(Backend::cuda));
      },
      {"tandem::map", "cudaErrorIllegalAddress"}));
  EXPECT_TRUE(y == std::vector<double>(n, 7.0));
}

}  // namespace
