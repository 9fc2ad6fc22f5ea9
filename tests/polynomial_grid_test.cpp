// polynomial_grid: hand-computed values, the notebook's cubic grid, random tables against a
// reference computed here and against the serial oracle, CartesianGrid against the table it
// stands for, and strided views.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "backend_fixture.hpp"
#include "tandem/tandem.hpp"
#include "test_util.hpp"

namespace {

using tandem::CartesianGrid;
using tandem::Matrix;
using tandem::MatrixView;
using namespace tandem_test;

/// Success when out(r, j) is the polynomial table(r, :) at x[j]: exact (wrapping) for
/// integers, within the Horner error bound of the long double value for floats.
template <class T>
::testing::AssertionResult grid_matches(MatrixView<const T> table, std::span<const T> x,
                                        MatrixView<const T> out) {
  const auto nx = static_cast<std::int64_t>(x.size());
  if (out.rows != table.rows || out.cols != nx) {
    return ::testing::AssertionFailure() << "out is " << out.rows << "x" << out.cols;
  }
  std::vector<long double> want;
  std::vector<long double> tol;
  std::vector<T> got;
  for (std::int64_t r = 0; r < table.rows; ++r) {
    for (std::int64_t j = 0; j < nx; ++j) {
      const T v = x[static_cast<std::size_t>(j)];
      got.push_back(out(r, j));
      if constexpr (std::is_integral_v<T>) {
        T h = table(r, 0);
        for (std::int64_t c = 1; c < table.cols; ++c) h = wrap_add(wrap_mul(h, v), table(r, c));
        if (out(r, j) != h) {
          return ::testing::AssertionFailure()
                 << "out(" << r << ", " << j << ") is " << out(r, j) << ", want " << h;
        }
      } else {
        long double h = table(r, 0);
        long double mag = std::fabs(static_cast<long double>(table(r, 0)));
        for (std::int64_t c = 1; c < table.cols; ++c) {
          h = h * v + table(r, c);
          mag = mag * std::fabs(static_cast<long double>(v)) +
                std::fabs(static_cast<long double>(table(r, c)));
        }
        want.push_back(h);
        tol.push_back(2 * static_cast<long double>(table.cols) * epsilon<T>() * mag);
      }
    }
  }
  if constexpr (std::is_integral_v<T>) {
    return ::testing::AssertionSuccess();
  } else {
    return all_near<T>(got, want, tol);
  }
}

/// The table a CartesianGrid stands for: itertools.product order, last axis fastest.
template <class T>
Matrix<T> materialise(const CartesianGrid<T>& grid) {
  const auto& axes = grid.axes();
  std::int64_t sets = 1;
  for (const auto& a : axes) sets *= static_cast<std::int64_t>(a.size());
  Matrix<T> table(sets, grid.coefficients());
  for (std::int64_t r = 0; r < sets; ++r) {
    std::int64_t rest = r;
    for (std::size_t c = axes.size(); c-- > 0;) {
      const auto size = static_cast<std::int64_t>(axes[c].size());
      table(r, static_cast<std::int64_t>(c)) = axes[c][static_cast<std::size_t>(rest % size)];
      rest /= size;
    }
  }
  return table;
}

template <class T>
std::vector<T> grid_input(std::mt19937_64& rng, std::size_t n, double lo, double hi) {
  if constexpr (std::is_integral_v<T>) {
    (void)lo;
    (void)hi;
    return full_range_vector<T>(rng, n);
  } else {
    return random_vector<T>(rng, n, lo, hi);
  }
}

class PolynomialGridTest : public BackendThreadsTest {};

TEST_P(PolynomialGridTest, HandComputed) {
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    // 2x^3 - x + 1 and x^3.
    const Matrix<T> table(2, 4, {2, 0, -1, 1, 1, 0, 0, 0});
    const T last = std::is_integral_v<T> ? T(1) : T(1.5);
    const std::vector<T> x{T(-2), T(0), last};
    Matrix<T> out(2, 3, std::vector<T>(6, sentinel<T>()));
    tandem::polynomial_grid(table.view(), std::span<const T>(x), out.view(), options());
    const T cube = std::is_integral_v<T> ? T(1) : T(3.375);
    EXPECT_EQ(
        out,
        Matrix<T>(2, 3, {T(-13), T(1), std::is_integral_v<T> ? T(2) : T(6.25), T(-8), T(0), cube}));

    // a*x + b for (a, b) in product({1, 2}, {10, 20, 30}).
    const CartesianGrid<T> grid{{1, 2}, {10, 20, 30}};
    const std::vector<T> x2{T(0), T(1), T(-1)};
    const Matrix<T> y = tandem::polynomial_grid(grid, std::span<const T>(x2), options());
    EXPECT_EQ(
        y, Matrix<T>(6, 3, {10, 11, 9, 20, 21, 19, 30, 31, 29, 10, 12, 8, 20, 22, 18, 30, 32, 28}));

    // A constant polynomial (one coefficient).
    const Matrix<T> constant(1, 1, {7});
    const Matrix<T> c = tandem::polynomial_grid(constant.view(), std::span<const T>(x2), options());
    EXPECT_EQ(c, Matrix<T>(1, 3, {7, 7, 7}));
  });
}

// The notebook: a*x^3 + b*x^2 + c*x + d, 10 values per coefficient in [0, 1], 50 x in [-2, 2].
TEST_P(PolynomialGridTest, NotebookCubicGrid) {
  const std::vector<double> axis = tandem::linspace(0.0, 1.0, 10);
  const std::vector<double> x = tandem::linspace(-2.0, 2.0, 50);
  ASSERT_EQ(axis.size(), 10u);
  EXPECT_EQ(axis[0], 0.0);
  EXPECT_EQ(axis[9], 1.0);
  EXPECT_EQ(x[0], -2.0);
  EXPECT_EQ(x[49], 2.0);
  const CartesianGrid<double> grid(4, axis);
  const Matrix<double> y = tandem::polynomial_grid(grid, std::span<const double>(x), options());
  ASSERT_EQ(y.rows(), 10000);
  ASSERT_EQ(y.cols(), 50);
  for (std::int64_t r : {0, 1, 10, 999, 1234, 5678, 9001, 9999}) {
    SCOPED_TRACE("row " + std::to_string(r));
    const auto at = [&](std::int64_t digit) { return axis[static_cast<std::size_t>(digit)]; };
    const double a = at(r / 1000);
    const double b = at(r / 100 % 10);
    const double c = at(r / 10 % 10);
    const double d = at(r % 10);
    for (std::int64_t j = 0; j < 50; ++j) {
      const double v = x[static_cast<std::size_t>(j)];
      const double want = a * v * v * v + b * v * v + c * v + d;
      EXPECT_NEAR(y(r, j), want, 1e-13) << "x=" << v;
    }
  }
  const Matrix<double> oracle =
      tandem::polynomial_grid(grid, std::span<const double>(x), serial_options());
  const Matrix<double> table = materialise(grid);
  EXPECT_TRUE(grid_matches<double>(table, x, y));
  EXPECT_TRUE(grid_matches<double>(table, x, oracle));
}

TEST_P(PolynomialGridTest, RandomTablesMatchReferenceAndSerialOracle) {
  TANDEM_SEEDED_RNG(rng);
  struct Case {
    std::int64_t sets, ncoef, nx;
  };
  const std::vector<Case> cases{{1, 1, 1},    {7, 3, 13},  {13, 5, 1009},
                                {1009, 4, 7}, {64, 2, 65}, {3, 9, 131}};
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    for (const Case& k : cases) {
      SCOPED_TRACE("sets=" + std::to_string(k.sets) + " ncoef=" + std::to_string(k.ncoef) +
                   " nx=" + std::to_string(k.nx));
      const Matrix<T> table(k.sets, k.ncoef,
                            grid_input<T>(rng, static_cast<std::size_t>(k.sets * k.ncoef), -2, 2));
      const auto x = grid_input<T>(rng, static_cast<std::size_t>(k.nx), -1.5, 1.5);
      Matrix<T> out(k.sets, k.nx,
                    std::vector<T>(static_cast<std::size_t>(k.sets * k.nx), sentinel<T>()));
      tandem::polynomial_grid(table.view(), std::span<const T>(x), out.view(), options());
      EXPECT_TRUE(grid_matches<T>(table, x, out));
      const Matrix<T> oracle =
          tandem::polynomial_grid(table.view(), std::span<const T>(x), serial_options());
      if constexpr (std::is_integral_v<T>) {
        EXPECT_EQ(out, oracle);
      } else {
        EXPECT_TRUE(grid_matches<T>(table, x, oracle));
      }
    }
  });
}

TEST_P(PolynomialGridTest, CartesianGridMatchesItsTable) {
  TANDEM_SEEDED_RNG(rng);
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    const CartesianGrid<T> grid{grid_input<T>(rng, 3, -2, 2), grid_input<T>(rng, 1, -2, 2),
                                grid_input<T>(rng, 4, -2, 2), grid_input<T>(rng, 7, -2, 2)};
    ASSERT_EQ(grid.coefficients(), 4);
    const auto x = grid_input<T>(rng, 13, -1.5, 1.5);
    const Matrix<T> table = materialise(grid);
    ASSERT_EQ(table.rows(), 84);
    Matrix<T> out(84, 13, std::vector<T>(84 * 13, sentinel<T>()));
    tandem::polynomial_grid(grid, std::span<const T>(x), out.view(), options());
    EXPECT_TRUE(grid_matches<T>(table, x, out));
    const Matrix<T> allocated = tandem::polynomial_grid(grid, std::span<const T>(x), options());
    EXPECT_TRUE(grid_matches<T>(table, x, allocated));
    const Matrix<T> from_table =
        tandem::polynomial_grid(table.view(), std::span<const T>(x), options());
    if constexpr (std::is_integral_v<T>) {
      EXPECT_EQ(allocated, from_table);
    }
  });
}

TEST_P(PolynomialGridTest, SubmatrixViewsWithLeadingDimension) {
  TANDEM_SEEDED_RNG(rng);
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    const Matrix<T> big_table(20, 9, grid_input<T>(rng, 180, -2, 2));
    const MatrixView<const T> table = big_table.view().submatrix(3, 2, 13, 4);
    const auto x = grid_input<T>(rng, 17, -1.5, 1.5);
    Matrix<T> big_out(16, 25, std::vector<T>(400, sentinel<T>()));
    const MatrixView<T> out = big_out.view().submatrix(2, 5, 13, 17);
    tandem::polynomial_grid(table, std::span<const T>(x), out, options());
    EXPECT_TRUE(grid_matches<T>(table, x, out));
    for (std::int64_t i = 0; i < big_out.rows(); ++i) {
      for (std::int64_t j = 0; j < big_out.cols(); ++j) {
        if (!(i >= 2 && i < 15 && j >= 5 && j < 22)) {
          ASSERT_EQ(big_out(i, j), sentinel<T>()) << "outside out at " << i << ", " << j;
        }
      }
    }
    EXPECT_TRUE(grid_matches<T>(table, x,
                                tandem::polynomial_grid(table, std::span<const T>(x), options())));
  });
}

TEST_P(PolynomialGridTest, EmptyXOrNoParameterSets) {
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    const Matrix<T> table(3, 2, {1, 2, 3, 4, 5, 6});
    const std::vector<T> none;
    const Matrix<T> a = tandem::polynomial_grid(table.view(), std::span<const T>(none), options());
    EXPECT_EQ(a.rows(), 3);
    EXPECT_EQ(a.cols(), 0);
    const std::vector<T> x{1, 2};
    const Matrix<T> no_sets(0, 2);
    const Matrix<T> b = tandem::polynomial_grid(no_sets.view(), std::span<const T>(x), options());
    EXPECT_EQ(b.rows(), 0);
    EXPECT_EQ(b.cols(), 2);
  });
}

TEST_P(PolynomialGridTest, StatsReportTheBackendThatRan) {
  const CartesianGrid<double> grid{{1, 2}, {3}};
  const std::vector<double> x{2};
  tandem::Stats stats;
  const Matrix<double> y =
      tandem::polynomial_grid(grid, std::span<const double>(x), options(&stats));
  EXPECT_EQ(y, Matrix<double>(2, 1, {5, 7}));
  expect_stats(stats, backend(), GetParam().threads);
}

TANDEM_INSTANTIATE_FOR_BACKEND_THREADS(PolynomialGridTest);

}  // namespace
