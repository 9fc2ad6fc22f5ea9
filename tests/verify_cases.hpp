#pragma once
// Verified calls of every workload on one backend, checked against the serial backend run
// separately: shared by verify_test.cpp (every available backend) and verify_fault_test.cpp (the
// cuda backend over a module that is right, or deliberately wrong).
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace tandem_test {

/// Stats after a successful verified call that ran on `stats.backend`.
inline ::testing::AssertionResult verified_stats(const tandem::Stats& s) {
  const bool serial = s.backend == tandem::Backend::serial;
  const std::string want =
      serial ? "; verification skipped: the backend is serial" : "; verified against serial (";
  if (s.verified == serial || s.reason.find(want) == std::string::npos) {
    return ::testing::AssertionFailure() << "backend " << s.backend << ", verified=" << s.verified
                                         << ", reason '" << s.reason << "'";
  }
  return ::testing::AssertionSuccess();
}

template <class T>
bool same_value(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::memcmp(&a, &b, sizeof(T)) == 0 || (std::isnan(a) && std::isnan(b));
  } else {
    return a == b;
  }
}

/// Every workload and dtype with Options::verify on `backend` (host data): results as serial's
/// (exactly, or within the GEMM bound for f32/f64 matmul), outputs outside the result untouched,
/// Stats marked.
inline void expect_verified_workloads(tandem::Backend backend, std::mt19937_64& rng) {
  SCOPED_TRACE("backend=" + std::string(tandem::to_string(backend)));
  const tandem::Options serial{.backend = tandem::Backend::serial};
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    tandem::Stats stats;
    const tandem::Options verify{.backend = backend, .stats = &stats, .verify = true};
    const double lo = std::is_floating_point_v<T> ? -1.0 : -100.0;
    const double hi = -lo;
    {  // map, into y and in place
      const auto x = random_vector<T>(rng, 1009, lo, hi);
      std::vector<T> y(x.size(), sentinel<T>()), want(x.size());
      const auto op = tandem::MapOp::affine(3, 2);
      tandem::map(std::span<const T>(x), std::span<T>(y), op, verify);
      EXPECT_TRUE(verified_stats(stats));
      tandem::map(std::span<const T>(x), std::span<T>(want), op, serial);
      for (std::size_t i = 0; i < x.size(); ++i) ASSERT_TRUE(same_value(y[i], want[i])) << i;
      std::vector<T> z = x;
      tandem::map(std::span<const T>(z), std::span<T>(z), tandem::MapOp::polynomial({2, -1, 3}),
                  verify);
      tandem::map(std::span<const T>(x), std::span<T>(want), tandem::MapOp::polynomial({2, -1, 3}),
                  serial);
      for (std::size_t i = 0; i < x.size(); ++i) ASSERT_TRUE(same_value(z[i], want[i])) << i;
    }
    {  // matmul: A a block of a wider buffer, C a block of a larger one with sentinels around
      const std::int64_t m = 13, k = 37, n = 11;
      auto abuf = random_vector<T>(rng, static_cast<std::size_t>(m * (k + 5)), lo, hi);
      const tandem::MatrixView<const T> A(abuf.data() + 2, m, k, k + 5);
      tandem::Matrix<T> B(k, n, random_vector<T>(rng, static_cast<std::size_t>(k * n), lo, hi));
      tandem::Matrix<T> big(m + 3, n + 4, std::vector<T>((m + 3) * (n + 4), sentinel<T>()));
      const auto C = big.view().submatrix(1, 2, m, n);
      tandem::matmul(A, B.view(), C, verify);
      EXPECT_TRUE(verified_stats(stats));
      const tandem::Matrix<T> want = tandem::matmul(A, B.view(), serial);
      for (std::int64_t i = 0; i < m + 3; ++i) {
        for (std::int64_t j = 0; j < n + 4; ++j) {
          const bool inside = i >= 1 && i < m + 1 && j >= 2 && j < n + 2;
          if (!inside) {
            ASSERT_EQ(big(i, j), sentinel<T>()) << i << "," << j;
            continue;
          }
          const T got = big(i, j), w = want(i - 1, j - 2);
          if constexpr (std::is_floating_point_v<T>) {
            double absab = 0;
            for (std::int64_t p = 0; p < k; ++p) {
              absab += std::fabs(double(A(i - 1, p))) * std::fabs(double(B(p, j - 2)));
            }
            ASSERT_LE(std::fabs(double(got) - double(w)),
                      double(k) * std::numeric_limits<T>::epsilon() * absab)
                << i << "," << j;
          } else {
            ASSERT_EQ(got, w) << i << "," << j;
          }
        }
      }
    }
    {  // polynomial_grid: a table into a block with ld, and a CartesianGrid allocated
      const auto x = random_vector<T>(rng, 17, lo, hi);
      tandem::Matrix<T> table(9, 4, random_vector<T>(rng, 36, lo, hi));
      tandem::Matrix<T> out(9, 20, std::vector<T>(180, sentinel<T>()));
      const auto block = out.view().submatrix(0, 1, 9, 17);
      tandem::polynomial_grid(table.view(), std::span<const T>(x), block, verify);
      EXPECT_TRUE(verified_stats(stats));
      const auto want = tandem::polynomial_grid(table.view(), std::span<const T>(x), serial);
      for (std::int64_t r = 0; r < 9; ++r) {
        ASSERT_EQ(out(r, 0), sentinel<T>());
        ASSERT_EQ(out(r, 18), sentinel<T>());
        for (std::int64_t j = 0; j < 17; ++j) ASSERT_TRUE(same_value(block(r, j), want(r, j)));
      }
      const tandem::CartesianGrid<T> grid({random_vector<T>(rng, 3, lo, hi),
                                           random_vector<T>(rng, 4, lo, hi),
                                           random_vector<T>(rng, 2, lo, hi)});
      const auto got = tandem::polynomial_grid(grid, std::span<const T>(x), verify);
      EXPECT_TRUE(verified_stats(stats));
      const auto cart = tandem::polynomial_grid(grid, std::span<const T>(x), serial);
      for (std::size_t i = 0; i < cart.values().size(); ++i) {
        ASSERT_TRUE(same_value(got.values()[i], cart.values()[i])) << i;
      }
    }
  });
  for_each_float_dtype([&]<class T>(std::type_identity<T>) {
    tandem::Stats stats;
    const tandem::Options verify{.backend = backend, .stats = &stats, .verify = true};
    const auto a = random_vector<T>(rng, 100003);
    const auto b = random_vector<T>(rng, 100003);
    const double one = tandem::mse(std::span<const T>(a), verify);
    EXPECT_TRUE(verified_stats(stats));
    const double two = tandem::mse(std::span<const T>(a), std::span<const T>(b), verify);
    EXPECT_TRUE(verified_stats(stats));
    if (stats.backend != tandem::Backend::serial) {
      EXPECT_NE(stats.reason.find("within bound"), std::string::npos) << stats.reason;
    }
    const double beta = 2 * (std::log2(100003.0) + 24) * 0x1p-53;
    const double want_one = tandem::mse(std::span<const T>(a), serial);
    const double want_two = tandem::mse(std::span<const T>(a), std::span<const T>(b), serial);
    EXPECT_LE(std::fabs(one - want_one), beta * want_one);
    EXPECT_LE(std::fabs(two - want_two), beta * want_two);
  });
}

}  // namespace tandem_test
