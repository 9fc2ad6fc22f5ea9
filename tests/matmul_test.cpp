// matmul: hand-computed products, random shapes against a reference computed here (exact with
// wraparound for integers, long double within k*eps*sum|a||b| for floats) and against the
// serial oracle, sub-matrix views with ld > cols, k == 0, empty m or n, disjoint blocks of one
// buffer.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "backend_fixture.hpp"
#include "tandem/tandem.hpp"
#include "test_util.hpp"

namespace {

using tandem::Matrix;
using tandem::MatrixView;
using namespace tandem_test;

template <class T>
std::vector<T> matmul_input(std::mt19937_64& rng, std::size_t n, bool full_range) {
  if constexpr (std::is_integral_v<T>) {
    if (full_range) return full_range_vector<T>(rng, n);
  }
  (void)full_range;
  return random_vector<T>(rng, n, -10.0, 10.0);
}

struct Shape {
  std::int64_t m, k, n;
};

class MatmulTest : public BackendThreadsTest {};

TEST_P(MatmulTest, HandComputed) {
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    const Matrix<T> A(2, 2, {1, 2, 3, 4});
    const Matrix<T> B(2, 2, {5, 6, 7, 8});
    Matrix<T> C(2, 2, {sentinel<T>(), sentinel<T>(), sentinel<T>(), sentinel<T>()});
    tandem::matmul(A, B, C, options());
    EXPECT_EQ(C, Matrix<T>(2, 2, {19, 22, 43, 50}));

    const Matrix<T> P(2, 3, {1, 2, 3, 4, 5, 6});
    const Matrix<T> Q(3, 2, {7, 8, 9, 10, 11, 12});
    const Matrix<T> R = tandem::matmul(P.view(), Q.view(), options());
    EXPECT_EQ(R, Matrix<T>(2, 2, {58, 64, 139, 154}));
    const Matrix<T> S = tandem::matmul(Q.view(), P.view(), options());
    EXPECT_EQ(S, Matrix<T>(3, 3, {39, 54, 69, 49, 68, 87, 59, 82, 105}));

    // Negative entries and a 1x3 . 3x1 dot product.
    const Matrix<T> u(1, 3, {-1, 2, -3});
    const Matrix<T> v(3, 1, {4, -5, 6});
    EXPECT_EQ(tandem::matmul(u.view(), v.view(), options()), Matrix<T>(1, 1, {-32}));
  });
}

TEST_P(MatmulTest, IntegerProductsWrapLikeNumpy) {
  using i32 = std::int32_t;
  using i64 = std::int64_t;
  const Matrix<i32> A(1, 2, {std::numeric_limits<i32>::max(), 65536});
  const Matrix<i32> B(2, 1, {2, 65536});
  EXPECT_EQ(tandem::matmul(A.view(), B.view(), options()), Matrix<i32>(1, 1, {-2}));
  const Matrix<i64> A64(1, 2, {std::numeric_limits<i64>::max(), i64{1} << 32});
  const Matrix<i64> B64(2, 1, {2, i64{1} << 32});
  EXPECT_EQ(tandem::matmul(A64.view(), B64.view(), options()), Matrix<i64>(1, 1, {-2}));
}

TEST_P(MatmulTest, RandomShapesMatchReferenceAndSerialOracle) {
  TANDEM_SEEDED_RNG(rng);
  const std::vector<Shape> shapes{{1, 1, 1},    {2, 3, 4},    {7, 13, 5},    {13, 1, 7},
                                  {1, 1009, 1}, {64, 64, 64}, {67, 129, 31}, {130, 70, 257}};
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    for (const Shape& s : shapes) {
      for (bool full_range : {false, true}) {
        SCOPED_TRACE("m=" + std::to_string(s.m) + " k=" + std::to_string(s.k) +
                     " n=" + std::to_string(s.n) + (full_range ? " full range" : ""));
        const Matrix<T> A(s.m, s.k,
                          matmul_input<T>(rng, static_cast<std::size_t>(s.m * s.k), full_range));
        const Matrix<T> B(s.k, s.n,
                          matmul_input<T>(rng, static_cast<std::size_t>(s.k * s.n), full_range));
        Matrix<T> C(s.m, s.n, std::vector<T>(static_cast<std::size_t>(s.m * s.n), sentinel<T>()));
        tandem::matmul(A, B, C, options());
        EXPECT_TRUE(product_matches<T>(A, B, C));
        const Matrix<T> oracle = tandem::matmul(A.view(), B.view(), serial_options());
        if constexpr (std::is_integral_v<T>) {
          EXPECT_EQ(C, oracle);
        } else {
          EXPECT_TRUE(product_matches<T>(A, B, oracle));
        }
        const Matrix<T> allocated = tandem::matmul(A.view(), B.view(), options());
        EXPECT_EQ(allocated.rows(), s.m);
        EXPECT_EQ(allocated.cols(), s.n);
        EXPECT_TRUE(product_matches<T>(A, B, allocated));
      }
    }
  });
}

TEST_P(MatmulTest, SubmatrixViewsWithLeadingDimension) {
  TANDEM_SEEDED_RNG(rng);
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    for (const Shape& s : std::vector<Shape>{{1, 1, 1}, {5, 7, 3}, {33, 17, 65}}) {
      SCOPED_TRACE("m=" + std::to_string(s.m) + " k=" + std::to_string(s.k) +
                   " n=" + std::to_string(s.n));
      Matrix<T> big_a(
          s.m + 4, s.k + 9,
          random_vector<T>(rng, static_cast<std::size_t>((s.m + 4) * (s.k + 9)), -10, 10));
      Matrix<T> big_b(
          s.k + 3, s.n + 5,
          random_vector<T>(rng, static_cast<std::size_t>((s.k + 3) * (s.n + 5)), -10, 10));
      Matrix<T> big_c(
          s.m + 6, s.n + 11,
          std::vector<T>(static_cast<std::size_t>((s.m + 6) * (s.n + 11)), sentinel<T>()));
      const MatrixView<const T> A = big_a.view().submatrix(2, 3, s.m, s.k);
      const MatrixView<const T> B = big_b.view().submatrix(1, 4, s.k, s.n);
      const MatrixView<T> C = big_c.view().submatrix(3, 5, s.m, s.n);
      tandem::matmul(A, B, C, options());
      EXPECT_TRUE(product_matches<T>(A, B, C));
      for (std::int64_t i = 0; i < big_c.rows(); ++i) {
        for (std::int64_t j = 0; j < big_c.cols(); ++j) {
          const bool inside = i >= 3 && i < 3 + s.m && j >= 5 && j < 5 + s.n;
          if (!inside) {
            ASSERT_EQ(big_c(i, j), sentinel<T>()) << "outside C at " << i << ", " << j;
          }
        }
      }
      // The allocating overload reads strided views as well.
      EXPECT_TRUE(product_matches<T>(A, B, tandem::matmul(A, B, options())));
    }
  });
}

TEST_P(MatmulTest, InnerDimensionZeroGivesZeros) {
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    std::vector<T> dummy(4, T(1));
    const MatrixView<const T> A(dummy.data(), 3, 0);
    const MatrixView<const T> B(dummy.data(), 0, 4);
    Matrix<T> big(5, 6, std::vector<T>(30, sentinel<T>()));
    const MatrixView<T> C = big.view().submatrix(1, 1, 3, 4);
    tandem::matmul(A, B, C, options());
    for (std::int64_t i = 0; i < 5; ++i) {
      for (std::int64_t j = 0; j < 6; ++j) {
        const bool inside = i >= 1 && i < 4 && j >= 1 && j < 5;
        EXPECT_EQ(big(i, j), inside ? T(0) : sentinel<T>()) << i << ", " << j;
      }
    }
    const Matrix<T> D = tandem::matmul(A, B, options());
    EXPECT_EQ(D, Matrix<T>(3, 4));
  });
}

TEST_P(MatmulTest, EmptyRowsOrColumnsAreANoOp) {
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    std::vector<T> a(15, T(2));
    std::vector<T> c(15, sentinel<T>());
    // m == 0
    EXPECT_NO_THROW(tandem::matmul(MatrixView<const T>(a.data(), 0, 5),
                                   MatrixView<const T>(a.data(), 5, 3),
                                   MatrixView<T>(c.data(), 0, 3), options()));
    // n == 0
    EXPECT_NO_THROW(tandem::matmul(MatrixView<const T>(a.data(), 3, 5),
                                   MatrixView<const T>(a.data(), 5, 0),
                                   MatrixView<T>(c.data(), 3, 0), options()));
    EXPECT_TRUE(all_equal(c, sentinel<T>()));
    const Matrix<T> R = tandem::matmul(MatrixView<const T>(a.data(), 0, 5),
                                       MatrixView<const T>(a.data(), 5, 3), options());
    EXPECT_EQ(R.rows(), 0);
    EXPECT_EQ(R.cols(), 3);
    const Matrix<T> S = tandem::matmul(MatrixView<const T>(a.data(), 3, 5),
                                       MatrixView<const T>(a.data(), 5, 0), options());
    EXPECT_EQ(S.rows(), 3);
    EXPECT_EQ(S.cols(), 0);
  });
}

// The overlap check is exact: two column halves of one buffer interleave in memory but share
// no element, so C may be one half while A (or B) is the other.
TEST_P(MatmulTest, DisjointColumnHalvesOfOneBufferAreAccepted) {
  TANDEM_SEEDED_RNG(rng);
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    Matrix<T> buf(6, 8, random_vector<T>(rng, 48, -10, 10));
    const Matrix<T> B(4, 4, random_vector<T>(rng, 16, -10, 10));
    const MatrixView<const T> A = buf.view().submatrix(0, 0, 6, 4);
    const MatrixView<T> C = buf.view().submatrix(0, 4, 6, 4);
    const std::vector<T> a_before = block_values(A);
    ASSERT_NO_THROW(tandem::matmul(A, B.view(), C, options()));
    EXPECT_EQ(block_values(A), a_before);
    const Matrix<T> a_copy(6, 4, a_before);
    EXPECT_TRUE(product_matches<T>(a_copy, B, C));

    // C left, B right: C = A2 (6x4) . B2 (4x4) where B2 is the right half of a 4x8 buffer.
    Matrix<T> buf2(6, 8, std::vector<T>(48, sentinel<T>()));
    for (std::int64_t i = 0; i < 4; ++i) {
      for (std::int64_t j = 4; j < 8; ++j) buf2(i, j) = static_cast<T>(i - j + 1);
    }
    const MatrixView<const T> B2 = buf2.view().submatrix(0, 4, 4, 4);
    const MatrixView<T> C2 = buf2.view().submatrix(0, 0, 6, 4);
    const std::vector<T> b_before = block_values(B2);
    ASSERT_NO_THROW(tandem::matmul(a_copy.view(), B2, C2, options()));
    const Matrix<T> b_copy(4, 4, b_before);
    EXPECT_EQ(block_values(B2), b_before);
    EXPECT_TRUE(product_matches<T>(a_copy, b_copy, C2));
  });
}

TEST_P(MatmulTest, StatsReportTheBackendThatRan) {
  const Matrix<double> A(3, 2, {1, 2, 3, 4, 5, 6});
  const Matrix<double> B(2, 1, {1, -1});
  tandem::Stats stats;
  const Matrix<double> C = tandem::matmul(A.view(), B.view(), options(&stats));
  EXPECT_EQ(C, Matrix<double>(3, 1, {-1, -1, -1}));
  expect_stats(stats, backend(), GetParam().threads);
}

TANDEM_INSTANTIATE_FOR_BACKEND_THREADS(MatmulTest);

}  // namespace
