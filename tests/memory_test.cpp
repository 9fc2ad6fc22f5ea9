// tandem::allocator and the streaming-store path of the openmp kernels. CTest runs this suite
// twice: with the default streaming threshold (the last-level cache) and with
// TANDEM_STREAMING_THRESHOLD_BYTES=65536, where the sizes below cross the threshold, so the
// streaming path must give the serial backend's results bit for bit (only the store
// instruction differs), at every thread count and at unaligned output offsets.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <new>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "tandem/tandem.hpp"

namespace {

using tandem::Backend;

template <class T>
using avec = std::vector<T, tandem::allocator<T>>;

bool has_openmp() {
  for (Backend b : tandem::available_backends()) {
    if (b == Backend::openmp) return true;
  }
  return false;
}

template <class T>
T value_at(std::int64_t i) {
  const auto u = static_cast<std::uint64_t>(i) * 0x9e3779b97f4a7c15ULL;
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(static_cast<double>(u >> 11) * 0x1.0p-52 * 4.0 - 2.0);
  } else {
    return static_cast<T>(static_cast<std::int64_t>(u >> 40) - (std::int64_t{1} << 23));
  }
}

template <class T>
bool same_bits(const T* a, const T* b, std::size_t n) {
  return std::memcmp(a, b, n * sizeof(T)) == 0;
}

// The mapping flags the kernel lists for the mapping holding p ("hg": MADV_HUGEPAGE given).
std::string vm_flags(const void* p) {
  const auto addr = reinterpret_cast<std::uintptr_t>(p);
  std::ifstream in("/proc/self/smaps");
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    std::uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-' && line.find(':') > line.find(' ')) {
      inside = lo <= addr && addr < hi;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return "";
}

bool thp_available() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string text;
  std::getline(in, text);
  return !text.empty() && text.find("[never]") == std::string::npos;
}

TEST(Allocator, SmallBlocksAreCacheLineAligned) {
  tandem::allocator<double> a;
  for (std::size_t n : {1u, 7u, 100u, 4096u, 262143u}) {
    double* p = a.allocate(n);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % 64, 0u) << n;
    for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<double>(i);
    EXPECT_EQ(p[n - 1], static_cast<double>(n - 1));
    a.deallocate(p, n);
  }
}

TEST(Allocator, LargeBlocksAreHugePageAlignedAndUsable) {
  tandem::allocator<std::int32_t> a;
  constexpr std::size_t kHuge = tandem::allocator<char>::huge_page_bytes;
  for (std::size_t bytes : {kHuge, kHuge + 4, 3 * kHuge - 4, 5 * kHuge}) {
    const std::size_t n = bytes / sizeof(std::int32_t);
    std::int32_t* p = a.allocate(n);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % kHuge, 0u) << bytes;
    for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::int32_t>(i);
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < n; ++i) sum += p[i];
    EXPECT_EQ(sum, static_cast<std::int64_t>(n) * static_cast<std::int64_t>(n - 1) / 2);
    if (thp_available()) {  // the advice was given; whether the kernel honours it is its business
      EXPECT_NE(vm_flags(p).find(" hg"), std::string::npos) << vm_flags(p);
    }
    a.deallocate(p, n);
  }
}

TEST(Allocator, ImpossibleSizesAreBadAlloc) {
  tandem::allocator<double> a;
  EXPECT_THROW((void)a.allocate(std::numeric_limits<std::size_t>::max() / 4), std::bad_alloc);
  EXPECT_THROW((void)a.allocate(std::numeric_limits<std::size_t>::max() / 8 - 1), std::bad_alloc);
}

TEST(Allocator, VectorValueInitialisesAndComparesEqual) {
  avec<double> v(3 << 20);  // 24 MiB: the huge-page path
  for (double d : v) ASSERT_EQ(d, 0.0);
  avec<double> w = v;
  EXPECT_EQ(v, w);
  w[12345] = 1.0;
  EXPECT_NE(v, w);
  avec<double> m = std::move(w);
  EXPECT_EQ(m[12345], 1.0);
  EXPECT_TRUE(tandem::allocator<double>() == tandem::allocator<int>());
}

TEST(Allocator, MatrixKeepsItsApi) {
  tandem::Matrix<double> a(2, 3, {1, 2, 3, 4, 5, 6});
  tandem::Matrix<double> b(2, 3, std::vector<double>{1, 2, 3, 4, 5, 6});
  EXPECT_EQ(a, b);
  b(1, 2) = 7;
  EXPECT_FALSE(a == b);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a.data()) % 64, 0u);
  tandem::Matrix<float> big(1024, 1024);  // 4 MiB
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(big.data()) % (2 << 20), 0u);
  for (float v : big.values()) ASSERT_EQ(v, 0.0f);
  EXPECT_THROW(tandem::Matrix<double>(2, 2, {1, 2, 3}), tandem::invalid_argument);
}

TEST(Allocator, VectorsServeEveryWorkload) {
  for (Backend b : tandem::available_backends()) {
    if (b == Backend::cuda) continue;
    SCOPED_TRACE(std::string(tandem::to_string(b)));
    const tandem::Options o{.backend = b};
    const std::int64_t n = 300000;  // 2.4 MiB of f64
    avec<double> x(static_cast<std::size_t>(n)), y(x.size());
    for (std::int64_t i = 0; i < n; ++i) x[static_cast<std::size_t>(i)] = value_at<double>(i);
    tandem::map(x, y, tandem::MapOp::affine(2, 1), o);
    for (std::size_t i = 0; i < x.size(); ++i) ASSERT_EQ(y[i], 2 * x[i] + 1) << i;
    std::vector<double> e(x.begin(), x.end());
    EXPECT_NEAR(tandem::mse(std::span<const double>(x), o),
                tandem::mse(std::span<const double>(e), o), 1e-12);
    avec<double> a(64 * 48, 1.0), bm(48 * 32, 0.5);
    const auto c = tandem::matmul(tandem::MatrixView<const double>(a.data(), 64, 48),
                                  tandem::MatrixView<const double>(bm.data(), 48, 32), o);
    for (double v : c.values()) ASSERT_NEAR(v, 24.0, 1e-12);
    avec<double> table{1, 0, 1, 1, 2, 3};
    avec<double> xs{0, 1, 2};
    const auto g = tandem::polynomial_grid(tandem::MatrixView<const double>(table.data(), 2, 3),
                                           std::span<const double>(xs), o);
    EXPECT_EQ(g, tandem::Matrix<double>(2, 3, {1, 2, 5, 3, 6, 11}));
  }
}

// openmp against serial, bit for bit, around the threshold and at unaligned offsets.
template <class T>
void check_map_streaming() {
  if (!has_openmp()) GTEST_SKIP() << "no openmp backend";
  const std::int64_t elems = 65536 / static_cast<std::int64_t>(sizeof(T));
  for (std::int64_t n : {elems - 1, elems, elems + 1, 3 * elems + 17, 8 * elems + 5}) {
    for (std::int64_t off : {0, 1, 3}) {
      avec<T> x(static_cast<std::size_t>(n + off));
      for (std::int64_t i = 0; i < n + off; ++i) x[static_cast<std::size_t>(i)] = value_at<T>(i);
      const std::span<const T> xs(x.data() + off, static_cast<std::size_t>(n));
      avec<T> want(static_cast<std::size_t>(n + off)), got(want.size());
      for (const auto& op : {tandem::MapOp::affine(3, -1), tandem::MapOp::polynomial({1, -2, 3}),
                             tandem::MapOp::abs()}) {
        tandem::map(xs, std::span<T>(want.data() + off, static_cast<std::size_t>(n)), op,
                    {.backend = Backend::serial});
        for (int threads : {1, 2, 3}) {
          std::fill(got.begin(), got.end(), T{7});
          tandem::map(xs, std::span<T>(got.data() + off, static_cast<std::size_t>(n)), op,
                      {.backend = Backend::openmp, .threads = threads});
          ASSERT_TRUE(same_bits(want.data() + off, got.data() + off, static_cast<std::size_t>(n)))
              << "n=" << n << " off=" << off << " threads=" << threads
              << " op=" << tandem::to_string(op.kind());
          for (std::int64_t i = 0; i < off; ++i) ASSERT_EQ(got[static_cast<std::size_t>(i)], T{7});
        }
        // In place.
        avec<T> inplace(x);
        tandem::map(std::span<const T>(inplace.data() + off, static_cast<std::size_t>(n)),
                    std::span<T>(inplace.data() + off, static_cast<std::size_t>(n)), op,
                    {.backend = Backend::openmp, .threads = 2});
        ASSERT_TRUE(
            same_bits(want.data() + off, inplace.data() + off, static_cast<std::size_t>(n)));
      }
    }
  }
}

TEST(Streaming, MapF64MatchesSerialBitForBit) { check_map_streaming<double>(); }
TEST(Streaming, MapF32MatchesSerialBitForBit) { check_map_streaming<float>(); }
TEST(Streaming, MapI32MatchesSerialBitForBit) { check_map_streaming<std::int32_t>(); }
TEST(Streaming, MapI64MatchesSerialBitForBit) { check_map_streaming<std::int64_t>(); }

template <class T>
void check_grid_streaming() {
  if (!has_openmp()) GTEST_SKIP() << "no openmp backend";
  // The grid writes with ordinary stores (streaming measured slower for it), on outputs above
  // and below the threshold alike: short and long rows, contiguous and strided (a leading
  // dimension that misaligns rows) must match serial bit for bit either way.
  for (std::int64_t nx :
       {std::int64_t{7}, std::int64_t{100}, std::int64_t{1500}, std::int64_t{5000}}) {
    for (std::int64_t ncoef : {3, 9}) {
      const std::int64_t sets = nx < 1000 ? 1001 : 40;
      std::vector<T> table(static_cast<std::size_t>(sets * ncoef));
      for (std::size_t i = 0; i < table.size(); ++i) {
        table[i] = value_at<T>(static_cast<std::int64_t>(i) + 99) / T{8};
      }
      std::vector<T> x(static_cast<std::size_t>(nx));
      for (std::int64_t j = 0; j < nx; ++j) x[static_cast<std::size_t>(j)] = value_at<T>(j) / T{4};
      const tandem::MatrixView<const T> tv(table.data(), sets, ncoef);
      const std::int64_t ld = nx + 3;
      const auto want =
          tandem::polynomial_grid(tv, std::span<const T>(x), {.backend = Backend::serial});
      for (int threads : {1, 2, 3}) {
        const auto got = tandem::polynomial_grid(tv, std::span<const T>(x),
                                                 {.backend = Backend::openmp, .threads = threads});
        ASSERT_TRUE(same_bits(want.data(), got.data(), static_cast<std::size_t>(sets * nx)))
            << "nx=" << nx << " ncoef=" << ncoef << " threads=" << threads;
        avec<T> strided(static_cast<std::size_t>(sets * ld + 1), T{5});
        tandem::polynomial_grid(tv, std::span<const T>(x),
                                tandem::MatrixView<T>(strided.data() + 1, sets, nx, ld),
                                {.backend = Backend::openmp, .threads = threads});
        for (std::int64_t r = 0; r < sets; ++r) {
          ASSERT_TRUE(same_bits(want.data() + r * nx, strided.data() + 1 + r * ld,
                                static_cast<std::size_t>(nx)))
              << "row " << r;
          for (std::int64_t j = nx; j < ld && r + 1 < sets; ++j) {
            ASSERT_EQ(strided[static_cast<std::size_t>(1 + r * ld + j)], T{5});
          }
        }
        ASSERT_EQ(strided[0], T{5});
      }
    }
  }
}

TEST(Streaming, GridF64MatchesSerialBitForBit) { check_grid_streaming<double>(); }
TEST(Streaming, GridF32MatchesSerialBitForBit) { check_grid_streaming<float>(); }
TEST(Streaming, GridI64MatchesSerialBitForBit) { check_grid_streaming<std::int64_t>(); }

// A Cartesian grid walks its parameter sets with an odometer across the streamed blocks.
TEST(Streaming, CartesianGridMatchesSerialBitForBit) {
  if (!has_openmp()) GTEST_SKIP() << "no openmp backend";
  const tandem::CartesianGrid<double> grid{tandem::linspace(-1.0, 1.0, 13),
                                           tandem::linspace(0.5, 2.0, 11),
                                           tandem::linspace(-3.0, 3.0, 7)};
  for (std::int64_t nx : {std::int64_t{5}, std::int64_t{64}, std::int64_t{3000}}) {
    std::vector<double> x(static_cast<std::size_t>(nx));
    for (std::int64_t j = 0; j < nx; ++j) x[static_cast<std::size_t>(j)] = value_at<double>(j);
    const auto want =
        tandem::polynomial_grid(grid, std::span<const double>(x), {.backend = Backend::serial});
    for (int threads : {1, 2, 3}) {
      const auto got = tandem::polynomial_grid(grid, std::span<const double>(x),
                                               {.backend = Backend::openmp, .threads = threads});
      ASSERT_TRUE(same_bits(want.data(), got.data(), want.values().size()))
          << "nx=" << nx << " threads=" << threads;
    }
  }
}

}  // namespace
