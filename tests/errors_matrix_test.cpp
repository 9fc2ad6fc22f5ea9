// Error paths of matmul and polynomial_grid (both forms, both overloads): null data, shapes,
// negative extents, ld < cols, extents that overflow, overlap, options. Each must throw
// tandem::invalid_argument naming the function and leave every output untouched.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "backend_fixture.hpp"
#include "error_checks.hpp"
#include "tandem/tandem.hpp"
#include "test_util.hpp"

namespace {

using tandem::CartesianGrid;
using tandem::invalid_argument;
using tandem::Matrix;
using tandem::MatrixView;
using tandem::Options;
using namespace tandem_test;

constexpr std::int64_t kHuge = std::numeric_limits<std::int64_t>::max() / 2;

class ErrorsMatrixTest : public BackendTest {};

template <class T>
void check_matmul_errors(tandem::Backend backend) {
  const Options o = with(backend);
  std::vector<T> a(64, T(1));  // room for every A and B below
  std::vector<T> c(64, sentinel<T>());
  const auto c_untouched = [&] { return all_equal(c, sentinel<T>()); };
  using CV = MatrixView<const T>;
  using V = MatrixView<T>;
  const T* pa = a.data();
  T* pc = c.data();
  // C = A·B into c, and the allocating overload (which has no C to check).
  const auto into = [](CV A, CV B, V C) {
    return [=](const Options& opts) { tandem::matmul(A, B, C, opts); };
  };
  const auto alloc = [](CV A, CV B) {
    return [=](const Options& opts) { (void)tandem::matmul(A, B, opts); };
  };
  const CV A(pa, 3, 4);
  const CV B(pa, 4, 2);
  const V C(pc, 3, 2);
  const char* f = "tandem::matmul";

  expect_rejected<invalid_argument>("null A", o, into(CV(nullptr, 3, 4), B, C), c_untouched, {f});
  expect_rejected<invalid_argument>("null B", o, into(A, CV(nullptr, 4, 2), C), c_untouched, {f});
  expect_rejected<invalid_argument>("null C", o, into(A, B, V(nullptr, 3, 2)), c_untouched, {f});
  expect_rejected<invalid_argument>("A.cols != B.rows", o, into(A, CV(pa, 5, 2), C), c_untouched,
                                    {f, "3x4", "5x2"});
  expect_rejected<invalid_argument>("C rows", o, into(A, B, V(pc, 4, 2)), c_untouched, {f, "4x2"});
  expect_rejected<invalid_argument>("C cols", o, into(A, B, V(pc, 3, 3)), c_untouched, {f, "3x3"});
  expect_rejected<invalid_argument>("negative rows", o, into(CV(pa, -1, 4), B, V(pc, -1, 2)),
                                    c_untouched, {f, "-1"});
  expect_rejected<invalid_argument>("negative cols", o, into(CV(pa, 3, -2), CV(pa, -2, 2), C),
                                    c_untouched, {f, "-2"});
  expect_rejected<invalid_argument>("A ld < cols", o, into(CV(pa, 3, 4, 3), B, C), c_untouched,
                                    {f});
  expect_rejected<invalid_argument>("B ld < cols", o, into(A, CV(pa, 4, 2, 1), C), c_untouched,
                                    {f});
  expect_rejected<invalid_argument>("C ld < cols", o, into(A, B, V(pc, 3, 2, 1)), c_untouched, {f});
  expect_rejected<invalid_argument>("extent overflows", o,
                                    into(CV(pa, kHuge, 4), B, V(pc, kHuge, 2)), c_untouched, {f});
  expect_rejected<invalid_argument>("ld overflows", o, into(CV(pa, 3, 4, kHuge), B, C), c_untouched,
                                    {f});
  expect_rejected<invalid_argument>("negative threads", with(backend, -1), into(A, B, C),
                                    c_untouched, {f, "threads"});

  const auto nothing = [] { return ::testing::AssertionSuccess(); };
  expect_rejected<invalid_argument>("alloc: null A", o, alloc(CV(nullptr, 3, 4), B), nothing, {f});
  expect_rejected<invalid_argument>("alloc: null B", o, alloc(A, CV(nullptr, 4, 2)), nothing, {f});
  expect_rejected<invalid_argument>("alloc: A.cols != B.rows", o, alloc(A, CV(pa, 5, 2)), nothing,
                                    {f, "3x4", "5x2"});
  expect_rejected<invalid_argument>("alloc: negative", o, alloc(CV(pa, -1, 4), B), nothing, {f});
  expect_rejected<invalid_argument>("alloc: ld < cols", o, alloc(CV(pa, 3, 4, 2), B), nothing, {f});
  expect_rejected<invalid_argument>("alloc: overflow", o, alloc(CV(pa, kHuge, 4), B), nothing, {f});
  expect_rejected<invalid_argument>("alloc: threads", with(backend, -1), alloc(A, B), nothing, {f});

  // C overlapping A or B in one buffer (including C exactly A): nothing may change.
  std::vector<T> buf(40);
  for (std::size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<T>(i % 7 + 1);
  const std::vector<T> before = buf;
  const auto buf_untouched = [&] { return ::testing::AssertionResult(buf == before); };
  T* pb = buf.data();
  expect_rejected<invalid_argument>("C overlaps A", o, into(CV(pb, 3, 4), B, V(pb + 5, 3, 2)),
                                    buf_untouched, {f});
  expect_rejected<invalid_argument>("C overlaps B", o, into(A, CV(pb, 4, 2), V(pb + 7, 3, 2)),
                                    buf_untouched, {f});
  expect_rejected<invalid_argument>("C is A", o, into(CV(pb, 3, 3), CV(pa, 3, 3), V(pb, 3, 3)),
                                    buf_untouched, {f});
  // Strided: C's rows fall between A's rows except one shared element.
  expect_rejected<invalid_argument>(
      "strided overlap", o, into(CV(pb, 3, 4, 10), B, V(pb + 13, 3, 2, 10)), buf_untouched, {f});
}

TEST_P(ErrorsMatrixTest, MatmulRejectsBadArguments) {
  for_each_dtype([&]<class T>(std::type_identity<T>) { check_matmul_errors<T>(backend()); });
}

template <class T>
void check_polynomial_grid_errors(tandem::Backend backend) {
  const Options o = with(backend);
  std::vector<T> t(64, T(1));
  std::vector<T> c(64, sentinel<T>());
  const std::vector<T> xv(5, T(2));
  const auto c_untouched = [&] { return all_equal(c, sentinel<T>()); };
  const auto nothing = [] { return ::testing::AssertionSuccess(); };
  using CV = MatrixView<const T>;
  using V = MatrixView<T>;
  using X = std::span<const T>;
  const T* pt = t.data();
  T* pc = c.data();
  const auto table_into = [](CV table, X x, V out) {
    return [=](const Options& opts) { tandem::polynomial_grid(table, x, out, opts); };
  };
  const auto grid_into = [](CartesianGrid<T> grid, X x, V out) {
    return [=](const Options& opts) { tandem::polynomial_grid(grid, x, out, opts); };
  };
  const auto table_alloc = [](CV table, X x) {
    return [=](const Options& opts) { (void)tandem::polynomial_grid(table, x, opts); };
  };
  const auto grid_alloc = [](CartesianGrid<T> grid, X x) {
    return [=](const Options& opts) { (void)tandem::polynomial_grid(grid, x, opts); };
  };
  const CV table(pt, 3, 4);
  const X x(xv);
  const V out(pc, 3, 5);
  const CartesianGrid<T> grid{{1, 2, 3}, {4}};  // 3 sets of 2 coefficients
  const CartesianGrid<T> no_axes(std::vector<std::vector<T>>{});
  const char* f = "tandem::polynomial_grid";

  expect_rejected<invalid_argument>("null table", o, table_into(CV(nullptr, 3, 4), x, out),
                                    c_untouched, {f});
  expect_rejected<invalid_argument>("null x", o, table_into(table, null_span<const T>(5), out),
                                    c_untouched, {f});
  expect_rejected<invalid_argument>("null out", o, table_into(table, x, V(nullptr, 3, 5)),
                                    c_untouched, {f});
  expect_rejected<invalid_argument>("out rows", o, table_into(table, x, V(pc, 2, 5)), c_untouched,
                                    {f, "2x5"});
  expect_rejected<invalid_argument>("out cols", o, table_into(table, x, V(pc, 3, 4)), c_untouched,
                                    {f, "3x4"});
  expect_rejected<invalid_argument>("no coefficients", o, table_into(CV(pt, 3, 0), x, out),
                                    c_untouched, {f});
  expect_rejected<invalid_argument>("negative rows", o, table_into(CV(pt, -3, 4), x, V(pc, -3, 5)),
                                    c_untouched, {f, "-3"});
  expect_rejected<invalid_argument>("table ld < cols", o, table_into(CV(pt, 3, 4, 2), x, out),
                                    c_untouched, {f});
  expect_rejected<invalid_argument>("out ld < cols", o, table_into(table, x, V(pc, 3, 5, 4)),
                                    c_untouched, {f});
  expect_rejected<invalid_argument>(
      "extent overflows", o, table_into(CV(pt, kHuge, 4), x, V(pc, kHuge, 5)), c_untouched, {f});
  expect_rejected<invalid_argument>("ld overflows", o, table_into(table, x, V(pc, 3, 5, kHuge)),
                                    c_untouched, {f});
  expect_rejected<invalid_argument>("negative threads", with(backend, -4),
                                    table_into(table, x, out), c_untouched, {f, "threads"});

  expect_rejected<invalid_argument>("grid: no axes", o, grid_into(no_axes, x, V(pc, 1, 5)),
                                    c_untouched, {f});
  expect_rejected<invalid_argument>("grid: null x", o, grid_into(grid, null_span<const T>(5), out),
                                    c_untouched, {f});
  expect_rejected<invalid_argument>("grid: out rows", o, grid_into(grid, x, V(pc, 4, 5)),
                                    c_untouched, {f, "4x5"});
  expect_rejected<invalid_argument>("grid: out cols", o, grid_into(grid, x, V(pc, 3, 6)),
                                    c_untouched, {f});
  expect_rejected<invalid_argument>("grid: null out", o, grid_into(grid, x, V(nullptr, 3, 5)),
                                    c_untouched, {f});
  expect_rejected<invalid_argument>("grid: threads", with(backend, -1), grid_into(grid, x, out),
                                    c_untouched, {f});

  expect_rejected<invalid_argument>("alloc: null table", o, table_alloc(CV(nullptr, 3, 4), x),
                                    nothing, {f});
  expect_rejected<invalid_argument>("alloc: no coefficients", o, table_alloc(CV(pt, 3, 0), x),
                                    nothing, {f});
  expect_rejected<invalid_argument>("alloc: null x", o, table_alloc(table, null_span<const T>(5)),
                                    nothing, {f});
  expect_rejected<invalid_argument>("alloc: ld < cols", o, table_alloc(CV(pt, 3, 4, 1), x), nothing,
                                    {f});
  expect_rejected<invalid_argument>("alloc: grid no axes", o, grid_alloc(no_axes, x), nothing, {f});
  expect_rejected<invalid_argument>("alloc: grid null x", o,
                                    grid_alloc(grid, null_span<const T>(5)), nothing, {f});
  expect_rejected<invalid_argument>("alloc: threads", with(backend, -1), grid_alloc(grid, x),
                                    nothing, {f});

  // out overlapping x or the table: nothing may change.
  std::vector<T> buf(60);
  for (std::size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<T>(i % 5 + 1);
  const std::vector<T> before = buf;
  const auto buf_untouched = [&] { return ::testing::AssertionResult(buf == before); };
  T* pb = buf.data();
  expect_rejected<invalid_argument>(
      "out overlaps x", o, table_into(table, X(pb + 4, 5), V(pb, 3, 5)), buf_untouched, {f});
  expect_rejected<invalid_argument>(
      "out overlaps table", o, table_into(CV(pb, 3, 4), x, V(pb + 10, 3, 5)), buf_untouched, {f});
  expect_rejected<invalid_argument>(
      "grid: out overlaps x", o, grid_into(grid, X(pb + 14, 5), V(pb, 3, 5)), buf_untouched, {f});
}

TEST_P(ErrorsMatrixTest, PolynomialGridRejectsBadArguments) {
  for_each_dtype(
      [&]<class T>(std::type_identity<T>) { check_polynomial_grid_errors<T>(backend()); });
}

// Blocks of one buffer that share no element are not an overlap.
TEST_P(ErrorsMatrixTest, DisjointBlocksOfOneBufferAreAccepted) {
  std::vector<double> buf(48, 1.0);
  const MatrixView<double> whole(buf.data(), 6, 8);
  // polynomial_grid: table in the left columns, out in the right ones, interleaved rows.
  const MatrixView<double> table = whole.submatrix(0, 0, 6, 2);
  for (std::int64_t i = 0; i < 6; ++i) {
    table(i, 0) = static_cast<double>(i);
    table(i, 1) = 1.0;
  }
  const MatrixView<double> out = whole.submatrix(0, 3, 6, 5);
  const std::vector<double> x{0, 1, 2, 3, 4};
  ASSERT_NO_THROW(tandem::polynomial_grid(MatrixView<const double>(table),
                                          std::span<const double>(x), out, with(backend())));
  for (std::int64_t i = 0; i < 6; ++i) {
    for (std::int64_t j = 0; j < 5; ++j) {
      EXPECT_EQ(out(i, j), static_cast<double>(i) * x[static_cast<std::size_t>(j)] + 1.0);
    }
    EXPECT_EQ(whole(i, 2), 1.0) << "column between the blocks was written";
  }
}

// The overlap check is exact: random views into one buffer are rejected exactly when they
// share an element (found here by brute force), and are computed correctly otherwise.
TEST_P(ErrorsMatrixTest, OverlapCheckIsExactOnRandomViews) {
  TANDEM_SEEDED_RNG(rng);
  std::uniform_int_distribution<std::int64_t> dim(1, 5);
  std::uniform_int_distribution<std::int64_t> pad(0, 4);
  std::uniform_int_distribution<std::int64_t> offset(0, 60);
  int rejected = 0;
  int accepted = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const bool grid = trial % 2 == 1;  // odd trials: polynomial_grid table vs out
    const std::int64_t m = dim(rng), k = dim(rng), n = dim(rng);
    const std::int64_t lda = k + pad(rng), ldc = n + pad(rng);
    const std::int64_t oa = offset(rng), oc = offset(rng);
    std::vector<double> buf(128);
    for (std::size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<double>(i % 11) - 5.0;
    const std::vector<double> before = buf;
    const MatrixView<const double> A(buf.data() + oa, m, k, lda);
    const MatrixView<double> C(buf.data() + oc, m, n, ldc);
    const Matrix<double> B(k, n,
                           random_vector<double>(rng, static_cast<std::size_t>(k * n), -3, 3));
    std::vector<double> x(static_cast<std::size_t>(n));
    for (std::size_t j = 0; j < x.size(); ++j) x[j] = static_cast<double>(j) - 1.0;
    std::vector<char> in_a(buf.size()), in_c(buf.size());
    for (std::int64_t i = 0; i < m; ++i) {
      for (std::int64_t j = 0; j < k; ++j) in_a[static_cast<std::size_t>(oa + i * lda + j)] = 1;
      for (std::int64_t j = 0; j < n; ++j) in_c[static_cast<std::size_t>(oc + i * ldc + j)] = 1;
    }
    bool overlap = false;
    for (std::size_t i = 0; i < buf.size(); ++i) overlap = overlap || (in_a[i] && in_c[i]);
    SCOPED_TRACE("trial " + std::to_string(trial) + (grid ? " polynomial_grid" : " matmul") +
                 ": A at " + std::to_string(oa) + " " + std::to_string(m) + "x" +
                 std::to_string(k) + " ld " + std::to_string(lda) + ", C at " + std::to_string(oc) +
                 " " + std::to_string(m) + "x" + std::to_string(n) + " ld " + std::to_string(ldc) +
                 (overlap ? " (overlap)" : " (disjoint)"));
    const auto call = [&] {
      if (grid) {
        tandem::polynomial_grid(A, std::span<const double>(x), C, with(backend()));
      } else {
        tandem::matmul(A, B.view(), C, with(backend()));
      }
    };
    if (overlap) {
      ++rejected;
      EXPECT_TRUE(throws<invalid_argument>(call));
      EXPECT_EQ(buf, before);
      continue;
    }
    ++accepted;
    const Matrix<double> a_copy(m, k, [&] {
      std::vector<double> v;
      for (std::int64_t i = 0; i < m; ++i) {
        for (std::int64_t j = 0; j < k; ++j) v.push_back(A(i, j));
      }
      return v;
    }());
    ASSERT_NO_THROW(call());
    if (grid) {
      // tandem's own Horner kernel (no FMA contraction): the serial oracle's exact bits.
      const Matrix<double> want =
          tandem::polynomial_grid(a_copy.view(), std::span<const double>(x), serial_options());
      for (std::int64_t i = 0; i < m; ++i) {
        for (std::int64_t j = 0; j < n; ++j) ASSERT_EQ(C(i, j), want(i, j)) << i << ", " << j;
      }
    } else {
      // f64 matmul may run in BLAS, whose kernel (and summation order) depends on the CPU:
      // within the GEMM error bound, never bit for bit.
      ASSERT_TRUE(product_matches<double>(a_copy.view(), B.view(), C));
    }
    for (std::size_t i = 0; i < buf.size(); ++i) {
      if (!in_c[i]) {
        ASSERT_EQ(buf[i], before[i]) << "element " << i << " outside C was written";
      }
    }
  }
  EXPECT_GT(rejected, 20);
  EXPECT_GT(accepted, 20);
}

TANDEM_INSTANTIATE_FOR_BACKENDS(ErrorsMatrixTest);

}  // namespace
