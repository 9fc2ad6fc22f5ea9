// The openmp backend's sort kernels on their own (cpu/kernels/): the order-preserving keys, the
// parallel LSD radix sort and the parallel merge sort, at every thread count that splits the
// work unevenly, against the serial order.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "kernels/merge_sort.hpp"
#include "kernels/parallel_sort.hpp"
#include "kernels/radix_sort.hpp"
#include "kernels/sort_keys.hpp"
#include "sort_cases.hpp"
#include "test_util.hpp"

namespace {

using namespace tandem_test;
using tandem::detail::from_radix_key;
using tandem::detail::NanLastLess;
using tandem::detail::partition_nans;
using tandem::detail::to_radix_key;

template <class T>
class SortKernelsTest : public ::testing::Test {};
using SortTypes = ::testing::Types<float, double, std::int32_t, std::int64_t>;
TYPED_TEST_SUITE(SortKernelsTest, SortTypes);

constexpr int kThreads[] = {1, 2, 3, 7};

/// The kernels' sizes: the shared ones up to 2^17 + 1 (the API tests take the larger ones).
std::vector<std::size_t> kernel_sizes() {
  std::vector<std::size_t> sizes;
  for (std::size_t n : sort_sizes()) {
    if (n <= 131073) sizes.push_back(n);
  }
  return sizes;
}

TYPED_TEST(SortKernelsTest, KeysKeepTheOrderAndRoundTrip) {
  using T = TypeParam;
  TANDEM_SEEDED_RNG(rng);
  std::vector<T> v;
  for (int i = 0; i < 4000; ++i) v.push_back(i % 2 ? special_value<T>(rng) : random_value<T>(rng));
  for (T a : v) {
    if (a != a) continue;
    EXPECT_EQ(bits_of(from_radix_key<T>(to_radix_key(a))), bits_of(a));
    for (int j = 0; j < 8; ++j) {
      const T b = v[rng() % v.size()];
      if (b != b) continue;
      if (a < b) {
        EXPECT_LT(to_radix_key(a), to_radix_key(b)) << +a << " " << +b;
      } else if (b < a) {
        EXPECT_GT(to_radix_key(a), to_radix_key(b)) << +a << " " << +b;
      } else if (bits_of(a) == bits_of(b)) {
        EXPECT_EQ(to_radix_key(a), to_radix_key(b));
      }
    }
  }
  if constexpr (std::is_floating_point_v<T>) {
    // -0.0 just below +0.0; -Inf first and +Inf last among the non-NaN values.
    EXPECT_EQ(to_radix_key(T(-0.0)) + 1, to_radix_key(T(0.0)));
    EXPECT_EQ(to_radix_key(-std::numeric_limits<T>::infinity()),
              to_radix_key(std::numeric_limits<T>::lowest()) - 1);
    EXPECT_EQ(to_radix_key(std::numeric_limits<T>::infinity()),
              to_radix_key(std::numeric_limits<T>::max()) + 1);
  } else {
    EXPECT_EQ(to_radix_key(std::numeric_limits<T>::min()), 0u);
    EXPECT_EQ(to_radix_key(std::numeric_limits<T>::max()),
              std::numeric_limits<decltype(to_radix_key(T{}))>::max());
  }
}

TYPED_TEST(SortKernelsTest, NanLastLessIsNumpysOrder) {
  using T = TypeParam;
  const NanLastLess less;
  EXPECT_TRUE(less(T(1), T(2)));
  EXPECT_FALSE(less(T(2), T(1)));
  EXPECT_FALSE(less(T(2), T(2)));
  if constexpr (std::is_floating_point_v<T>) {
    const T nan = std::numeric_limits<T>::quiet_NaN();
    const T inf = std::numeric_limits<T>::infinity();
    EXPECT_TRUE(less(inf, nan));
    EXPECT_TRUE(less(-inf, -nan));
    EXPECT_FALSE(less(nan, inf));
    EXPECT_FALSE(less(nan, -nan));
    EXPECT_FALSE(less(T(-0.0), T(0.0)));
    EXPECT_FALSE(less(T(0.0), T(-0.0)));
  }
}

TYPED_TEST(SortKernelsTest, RadixSortMatchesTheOracle) {
  using T = TypeParam;
  TANDEM_SEEDED_RNG(rng);
  for (std::size_t n : kernel_sizes()) {
    for (const auto& c : sort_cases<T>(rng, n)) {
      for (int threads : kThreads) {
        SCOPED_TRACE(c.name + " n=" + std::to_string(n) + " threads=" + std::to_string(threads));
        std::vector<T> x = c.values;
        std::vector<T> scratch(n);
        const std::int64_t m = partition_nans(x.data(), static_cast<std::int64_t>(n));
        tandem::detail::radix_sort(x.data(), scratch.data(), m, threads);
        ASSERT_TRUE(is_sorted_of(x, c.values));
      }
    }
  }
}

TYPED_TEST(SortKernelsTest, RadixSortWithElevenBitDigits) {
  using T = TypeParam;
  TANDEM_SEEDED_RNG(rng);
  for (std::size_t n : {std::size_t{0}, std::size_t{5}, std::size_t{4097}, std::size_t{70001}}) {
    for (const auto& c : sort_cases<T>(rng, n)) {
      SCOPED_TRACE(c.name + " n=" + std::to_string(n));
      std::vector<T> x = c.values;
      std::vector<T> scratch(n);
      const std::int64_t m = partition_nans(x.data(), static_cast<std::int64_t>(n));
      tandem::detail::radix_sort<T, 11>(x.data(), scratch.data(), m, 3);
      ASSERT_TRUE(is_sorted_of(x, c.values));
    }
  }
}

TYPED_TEST(SortKernelsTest, MergeSortMatchesTheOracle) {
  using T = TypeParam;
  TANDEM_SEEDED_RNG(rng);
  for (std::size_t n : kernel_sizes()) {
    for (const auto& c : sort_cases<T>(rng, n)) {
      for (int threads : kThreads) {
        SCOPED_TRACE(c.name + " n=" + std::to_string(n) + " threads=" + std::to_string(threads));
        std::vector<T> x = c.values;
        std::vector<T> scratch(n);
        // The NaN-last order directly (no partition first).
        tandem::detail::merge_sort(x.data(), scratch.data(), static_cast<std::int64_t>(n), threads,
                                   NanLastLess{});
        ASSERT_TRUE(is_sorted_of(x, c.values));
      }
    }
  }
}

TYPED_TEST(SortKernelsTest, ParallelSortMatchesTheOracle) {
  using T = TypeParam;
  TANDEM_SEEDED_RNG(rng);
  for (std::size_t n : kernel_sizes()) {
    for (const auto& c : sort_cases<T>(rng, n)) {
      for (int threads : {1, 3}) {
        SCOPED_TRACE(c.name + " n=" + std::to_string(n) + " threads=" + std::to_string(threads));
        std::vector<T> x = c.values;
        tandem::detail::parallel_sort(x.data(), static_cast<std::int64_t>(n), threads);
        ASSERT_TRUE(is_sorted_of(x, c.values));
      }
    }
  }
}

TEST(SortKernels, MergeCoRankSplitsAStableMerge) {
  const std::vector<int> a{1, 2, 2, 4, 7};
  const std::vector<int> b{2, 3, 5};
  const std::int64_t want[] = {0, 1, 2, 3, 3, 3, 4, 4, 5};  // ties: a first
  for (std::int64_t k = 0; k <= 8; ++k) {
    EXPECT_EQ(tandem::detail::merge_co_rank(k, a.data(), 5, b.data(), 3, std::less<int>{}), want[k])
        << "k=" << k;
  }
}

}  // namespace
