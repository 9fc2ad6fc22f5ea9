// Limits: 64-bit indexing (leading dimensions past 2^31 over reserved, untouched address space),
// allocation failure as tandem::out_of_memory with the library usable afterwards, and, opt-in
// with TANDEM_TEST_LARGE=1 (about 9 GiB of memory), n >= 2^31 elements through map and mse.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "backend_fixture.hpp"
#include "tandem/tandem.hpp"
#include "test_util.hpp"

namespace {

using tandem::Backend;
using namespace tandem_test;

// Address space reserved without memory behind it (pages appear, zeroed, when first touched).
class Reservation {
 public:
  explicit Reservation(std::size_t bytes) : bytes_(bytes) {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    data_ = p == MAP_FAILED ? nullptr : p;
  }
  Reservation(const Reservation&) = delete;
  Reservation& operator=(const Reservation&) = delete;
  ~Reservation() {
    if (data_ != nullptr) munmap(data_, bytes_);
  }
  template <class T>
  T* as() const {
    return static_cast<T*>(data_);
  }

 private:
  std::size_t bytes_;
  void* data_;
};

using LimitsTest = BackendTest;

// Rows 2^31 + 7 elements apart: every index is past the 32-bit range (and past what the BLAS
// integer interface takes, so the openmp backend uses its own kernel).
TEST_P(LimitsTest, LeadingDimensionsPast2Pow31) {
  TANDEM_SEEDED_RNG(rng);
  constexpr std::int64_t ld = (std::int64_t{1} << 31) + 7;
  constexpr std::int64_t m = 3, k = 4, n = 5;
  Reservation a_mem(static_cast<std::size_t>((m - 1) * ld + k) * sizeof(float));
  Reservation c_mem(static_cast<std::size_t>((m - 1) * ld + n) * sizeof(float));
  ASSERT_NE(a_mem.as<float>(), nullptr);
  ASSERT_NE(c_mem.as<float>(), nullptr);
  const auto a = random_vector<float>(rng, m * k, -4, 4);
  const tandem::Matrix<float> B(k, n, random_vector<float>(rng, k * n, -4, 4));
  tandem::MatrixView<float> A(a_mem.as<float>(), m, k, ld), C(c_mem.as<float>(), m, n, ld);
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t p = 0; p < k; ++p) A(i, p) = a[static_cast<std::size_t>(i * k + p)];
  }
  tandem::matmul(tandem::MatrixView<const float>(A), B.view(), C, options());
  const tandem::Matrix<float> compact(m, k, a);
  // BLAS (CPU-dependent kernel): within the GEMM error bound, not bit for bit.
  EXPECT_TRUE(product_matches<float>(compact.view(), B.view(), C));
  // The same table through the polynomial grid: out(r, j) at r * ld + j.
  const std::vector<float> x{0.5f, -1.5f};
  tandem::MatrixView<float> out(c_mem.as<float>(), m, 2, ld);
  tandem::polynomial_grid(tandem::MatrixView<const float>(A), std::span<const float>(x), out,
                          options());
  const auto grid_want =
      tandem::polynomial_grid(compact, std::span<const float>(x), serial_options());
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < 2; ++j) EXPECT_EQ(out(i, j), grid_want(i, j));
  }
}

// The sanitizer runtimes end the process when operator new fails instead of throwing
// std::bad_alloc, so the allocation-failure test runs in the plain builds only.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TANDEM_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define TANDEM_TEST_SANITIZED 1
#endif
#endif

// Results too large for memory: out_of_memory naming the call, and the next call works.
TEST_P(LimitsTest, AllocationFailureIsOutOfMemoryAndLaterCallsWork) {
#ifdef TANDEM_TEST_SANITIZED
  GTEST_SKIP() << "sanitizer runtimes abort on a failed operator new rather than throw";
#endif
  // 2^21 x 2^21 parameter sets x 16 x values: 2^46 floats (256 TiB).
  const std::vector<float> axis(std::size_t{1} << 21, 0.5f);
  const tandem::CartesianGrid<float> grid{axis, axis};
  const std::vector<float> x(16, 1.0f);
  EXPECT_TRUE(throws<tandem::out_of_memory>(
      [&] { (void)tandem::polynomial_grid(grid, std::span<const float>(x), options()); },
      {"tandem::polynomial_grid", "cannot allocate"}));
  // A 2^22 x 1 by 1 x 2^22 product: 2^44 floats (64 TiB).
  const tandem::Matrix<float> col(std::int64_t{1} << 22, 1), row(1, std::int64_t{1} << 22);
  EXPECT_TRUE(throws<tandem::out_of_memory>([&] { (void)tandem::matmul(col, row, options()); },
                                            {"tandem::matmul", "cannot allocate"}));
  // Still usable.
  const tandem::Matrix<float> A(2, 2, {1, 2, 3, 4});
  EXPECT_EQ(tandem::matmul(A, A, options()), tandem::Matrix<float>(2, 2, {7, 10, 15, 22}));
}

// The helpers that allocate for the user: a Matrix or a linspace too large for memory is
// tandem::out_of_memory (not std::bad_alloc or std::length_error), a count past what a vector
// can hold too.
TEST(LimitsHelpers, MatrixAndLinspaceAllocationFailuresAreTyped) {
#ifdef TANDEM_TEST_SANITIZED
  GTEST_SKIP() << "sanitizer runtimes abort on a failed operator new rather than throw";
#endif
  EXPECT_TRUE(throws<tandem::out_of_memory>(
      [] { (void)tandem::Matrix<double>(std::int64_t{1} << 20, std::int64_t{1} << 20); },
      {"tandem::Matrix", "cannot allocate", "1048576x1048576"}));
  EXPECT_TRUE(
      throws<tandem::out_of_memory>([] { (void)tandem::linspace(0.0, 1.0, std::int64_t{1} << 45); },
                                    {"tandem::linspace", "cannot allocate"}));
  EXPECT_TRUE(throws<tandem::out_of_memory>(
      [] { (void)tandem::linspace(0.0, 1.0, std::numeric_limits<std::int64_t>::max()); },
      {"tandem::linspace", "cannot allocate"}));
  EXPECT_EQ(tandem::linspace(0.0, 1.0, 3), (std::vector<double>{0.0, 0.5, 1.0}));
}

// Integer linspace rounds toward minus infinity, as numpy.linspace(..., dtype=int) does since
// numpy 1.20 (values below from numpy 1.26), with no undefined conversion at the extremes.
TEST(LimitsHelpers, IntegerLinspaceRoundsLikeNumpy) {
  EXPECT_EQ(tandem::linspace<std::int32_t>(-5, 5, 4), (std::vector<std::int32_t>{-5, -2, 1, 5}));
  EXPECT_EQ(tandem::linspace<std::int32_t>(0, 10, 4), (std::vector<std::int32_t>{0, 3, 6, 10}));
  EXPECT_EQ(tandem::linspace<std::int32_t>(10, 0, 4), (std::vector<std::int32_t>{10, 6, 3, 0}));
  EXPECT_EQ(tandem::linspace<std::int64_t>(-1, 0, 4), (std::vector<std::int64_t>{-1, -1, -1, 0}));
  EXPECT_EQ(tandem::linspace<std::int32_t>(3, 3, 3), (std::vector<std::int32_t>{3, 3, 3}));
  constexpr std::int64_t lo = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t hi = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(tandem::linspace<std::int64_t>(lo, hi, 3), (std::vector<std::int64_t>{lo, 0, hi}));
  // Near the top of the range the double nearest to start + i * step is 2^63, outside int64.
  const auto top = tandem::linspace<std::int64_t>(hi - 10, hi, 11);
  for (std::size_t i = 0; i < top.size(); ++i) {
    EXPECT_GE(top[i], hi - 10) << i;
    if (i > 0) {
      EXPECT_GE(top[i], top[i - 1]) << i;
    }
  }
  EXPECT_EQ(top.back(), hi);
}

// Options::threads beyond tandem::max_threads is an argument error, not a team the OpenMP
// runtime would abort the process trying to create.
TEST_P(LimitsTest, ThreadCountsAreBounded) {
  std::vector<double> e{1.0, 2.0};
  for (int t : {tandem::max_threads + 1, 1 << 20, INT32_MAX}) {
    EXPECT_TRUE(throws<tandem::invalid_argument>(
        [&] {
          (void)tandem::mse(std::span<const double>(e), {.backend = backend(), .threads = t});
        },
        {"tandem::mse", "options.threads", std::to_string(t)}));
  }
}

// A Backend cast from an integer that names no enumerator is an argument error everywhere
// (it used to escape as std::out_of_range from the registry).
TEST(ArgumentLimits, BackendValuesThatAreNoEnumerator) {
  DefaultBackendGuard guard;
  std::vector<double> e{1.0, 2.0};
  for (int raw : {-1, 4, 42}) {
    const auto b = static_cast<Backend>(raw);
    EXPECT_TRUE(throws<tandem::invalid_argument>(
        [&] { (void)tandem::mse(std::span<const double>(e), {.backend = b}); },
        {"tandem::mse", "options.backend is " + std::to_string(raw)}));
    EXPECT_TRUE(throws<tandem::invalid_argument>([&] { tandem::set_default_backend(b); },
                                                 {"tandem::set_default_backend"}));
    EXPECT_TRUE(throws<tandem::invalid_argument>([&] { (void)tandem::backend_info(b); },
                                                 {"tandem::backend_info"}));
  }
}

// A name with a NUL or control bytes: the message keeps its list of valid names (what() is a
// C string, and the raw NUL used to cut it).
TEST(ArgumentLimits, BackendNamesWithNulAndControlBytes) {
  const std::string name("op\0en\x01mp", 8);
  EXPECT_TRUE(throws<tandem::invalid_argument>([&] { (void)tandem::parse_backend(name); },
                                               {"'op\\x00en\\x01mp'", "valid: serial"}));
}

// An empty grid does no work and allocates nothing, however wide its declared table (the
// backends' coefficient scratch used to follow table.cols: 2^40 of them here).
TEST_P(LimitsTest, EmptyGridOfAHugeDeclaredWidthAllocatesNothing) {
  const tandem::MatrixView<const double> table(nullptr, 0, std::int64_t{1} << 40);
  const std::vector<double> x{1.0, 2.0};
  tandem::Stats stats;
  const auto out = tandem::polynomial_grid(table, std::span<const double>(x), options(&stats));
  EXPECT_EQ(out.rows(), 0);
  EXPECT_EQ(stats.backend, backend());
  const tandem::Matrix<double> one_row(1, 3, {1, 2, 3});
  tandem::Matrix<double> none(1, 0);
  tandem::polynomial_grid(one_row, std::span<const double>(), none, options());
}

// An empty C of 2^62 rows returns at once on every backend (the serial loops used to walk
// every empty row: found by fuzz_matmul as a timeout).
TEST_P(LimitsTest, EmptyProductOfHugeDeclaredRowsReturnsAtOnce) {
  const std::int64_t m = std::int64_t{1} << 62;
  const tandem::MatrixView<const float> A(nullptr, m, 0), B(nullptr, 0, 0);
  const tandem::MatrixView<float> C(nullptr, m, 0);
  tandem::Stats stats;
  tandem::matmul(A, B, C, options(&stats));
  EXPECT_EQ(stats.backend, backend());
  EXPECT_LT(stats.seconds, 1.0);
}

// n >= 2^31: 2^31 + 33 floats (8 GiB) mapped in place and reduced, on every backend.
TEST(LargeLimits, MoreThan2Pow31Elements) {
  const char* large = std::getenv("TANDEM_TEST_LARGE");
  if (large == nullptr || std::string(large) != "1") {
    GTEST_SKIP() << "set TANDEM_TEST_LARGE=1 to run (needs about 9 GiB of memory)";
  }
  const std::size_t n = (std::size_t{1} << 31) + 33;
  std::vector<float> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<float>(i % 100 + 1);
  // Exact: every term and partial sum is an integer below 2^53.
  std::uint64_t sum = 0;
  for (std::uint64_t v = 1; v <= 100; ++v) sum += (n / 100) * 4 * v * v;
  for (std::uint64_t v = 1; v <= n % 100; ++v) sum += 4 * v * v;
  const double want = static_cast<double>(sum) / static_cast<double>(n);
  bool doubled = false;
  for (Backend b : tandem::available_backends()) {
    SCOPED_TRACE(std::string(tandem::to_string(b)));
    const tandem::Options o{.backend = b};
    if (!doubled) {
      tandem::map(std::span<const float>(x), std::span<float>(x), tandem::MapOp::scale(2), o);
      doubled = true;
      EXPECT_EQ(x[n - 1], static_cast<float>(2 * ((n - 1) % 100 + 1)));
      EXPECT_EQ(x[(std::size_t{1} << 31) + 5],
                static_cast<float>(2 * (((1ul << 31) + 5) % 100 + 1)));
    }
    EXPECT_EQ(tandem::mse(std::span<const float>(x), o), want);
  }
}

TANDEM_INSTANTIATE_FOR_BACKENDS(LimitsTest);

}  // namespace
