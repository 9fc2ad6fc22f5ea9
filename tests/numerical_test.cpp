// Numerics: the mse accuracy bound against an exact reference (long double, compensated) on
// adversarial inputs and up to n = 1e8; NaN and Inf propagating as IEEE says through every
// workload; bitwise identical results run to run on one backend and thread count; integer
// wraparound at the extremes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <vector>

#include "backend_fixture.hpp"
#include "tandem/tandem.hpp"
#include "test_util.hpp"

namespace {

using tandem::Backend;
using namespace tandem_test;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Values of random sign with magnitudes 10^U(lo, hi): squares span 10^(2 lo) ... 10^(2 hi).
template <class T>
std::vector<T> wide_range(std::mt19937_64& rng, std::size_t n, double lo, double hi) {
  std::uniform_real_distribution<double> exponent(lo, hi);
  std::vector<T> v(n);
  for (auto& e : v) e = static_cast<T>((rng() & 1 ? -1.0 : 1.0) * std::pow(10.0, exponent(rng)));
  return v;
}

using MseAccuracyTest = BackendThreadsTest;

// The documented bound (log2(n) + 24) * 2^-53, relative to the exact mean of the given values,
// as long as no square underflows or overflows double.
TEST_P(MseAccuracyTest, WithinTheBoundOnAdversarialInputs) {
  TANDEM_SEEDED_RNG(rng);
  for (std::size_t n : {1ul, 2ul, 1000ul, 8193ul, 1000003ul}) {
    SCOPED_TRACE("n=" + std::to_string(n));
    {
      SCOPED_TRACE("huge dynamic range");  // squares from 1e-280 to 1e280
      const auto e = wide_range<double>(rng, n, -140, 140);
      EXPECT_TRUE(mse_within_bound(tandem::mse(std::span<const double>(e), options()),
                                   reference_mse<double>(e), n));
    }
    {
      SCOPED_TRACE("a few huge terms among many tiny ones");
      auto e = wide_range<double>(rng, n, -30, -20);
      for (std::size_t i = 0; i < n; i += 997) e[i] = 1e150;
      EXPECT_TRUE(mse_within_bound(tandem::mse(std::span<const double>(e), options()),
                                   reference_mse<double>(e), n));
    }
    {
      SCOPED_TRACE("cancellation in a - b");  // a and b agree in their leading digits
      const auto small = wide_range<double>(rng, n, -3, 1);
      std::vector<double> a(n), b(n);
      for (std::size_t i = 0; i < n; ++i) {
        b[i] = 1e15 + static_cast<double>(i % 1000);
        a[i] = b[i] + small[i];
      }
      EXPECT_TRUE(mse_within_bound(
          tandem::mse(std::span<const double>(a), std::span<const double>(b), options()),
          reference_mse<double>(a, b), n));
    }
    {
      SCOPED_TRACE("f32, full f32 range");
      const auto e = wide_range<float>(rng, n, -37, 38);
      EXPECT_TRUE(mse_within_bound(tandem::mse(std::span<const float>(e), options()),
                                   reference_mse<float>(e), n));
    }
  }
}

// n = 1e8 (400 MB of f32): the bound holds where the summation tree is deepest.
TEST(MseAccuracy, HundredMillionValues) {
  TANDEM_SEEDED_RNG(rng);
  constexpr std::size_t n = 100'000'000;
  std::vector<float> e(n);
  std::uniform_real_distribution<float> dist(-1000.0f, 1000.0f);
  for (auto& v : e) v = dist(rng) + 1e-3f;
  const long double exact = reference_mse<float>(e);
  for (Backend b : tandem::available_backends()) {
    SCOPED_TRACE(std::string(tandem::to_string(b)));
    EXPECT_TRUE(mse_within_bound(tandem::mse(std::span<const float>(e), {.backend = b}), exact, n));
  }
}

using IeeeTest = BackendTest;

TEST_P(IeeeTest, MseOfNanOrInfIsNanOrInf) {
  std::vector<double> e(20000, 1.25);
  e[17] = kInf;
  EXPECT_EQ(tandem::mse(std::span<const double>(e), options()), kInf);
  e[12345] = -kInf;
  EXPECT_EQ(tandem::mse(std::span<const double>(e), options()), kInf);  // (-Inf)^2 = +Inf
  e[9000] = kNaN;
  EXPECT_TRUE(std::isnan(tandem::mse(std::span<const double>(e), options())));
  // Inf - Inf is NaN.
  std::vector<double> a(3000, 2.0), b(3000, 1.0);
  a[2999] = kInf;
  b[2999] = kInf;
  EXPECT_TRUE(std::isnan(
      tandem::mse(std::span<const double>(a), std::span<const double>(b), options())));
  std::vector<float> f(5000, 3.0f);
  f[4999] = std::numeric_limits<float>::infinity();
  EXPECT_EQ(tandem::mse(std::span<const float>(f), options()), kInf);
  // Finite f32 values whose squares overflow f32 but not the double accumulator.
  std::vector<float> big(4097, 3e38f);
  EXPECT_NEAR(tandem::mse(std::span<const float>(big), options()), 9e76, 9e76 * 1e-6);
}

TEST_P(IeeeTest, MapPropagatesNanAndInf) {
  const std::vector<double> x{kNaN, kInf, -kInf, -0.0, 2.0};
  std::vector<double> y(x.size());
  const auto run = [&](const tandem::MapOp& op) {
    tandem::map(std::span<const double>(x), std::span<double>(y), op, options());
  };
  run(tandem::MapOp::square());
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_EQ(y[1], kInf);
  EXPECT_EQ(y[2], kInf);
  EXPECT_EQ(y[3], 0.0);
  run(tandem::MapOp::scale(0));  // 0 * Inf is NaN
  EXPECT_TRUE(std::isnan(y[0]) && std::isnan(y[1]) && std::isnan(y[2]));
  EXPECT_EQ(y[4], 0.0);
  run(tandem::MapOp::abs());
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_EQ(y[2], kInf);
  EXPECT_FALSE(std::signbit(y[3]));
  run(tandem::MapOp::affine(1, -kInf));  // Inf + -Inf is NaN
  EXPECT_TRUE(std::isnan(y[1]));
  EXPECT_EQ(y[2], -kInf);
}

TEST_P(IeeeTest, MatmulPropagatesNanAndInf) {
  // Row 0 of A holds a NaN, row 1 a +Inf, row 2 a +Inf and a -Inf; B is positive.
  tandem::Matrix<double> A(4, 3, {1, kNaN, 2, kInf, 1, 1, kInf, -kInf, 1, 1, 2, 3});
  tandem::Matrix<double> B(3, 2, {1, 2, 3, 4, 5, 6});
  const auto C = tandem::matmul(A, B, options());
  EXPECT_TRUE(std::isnan(C(0, 0)) && std::isnan(C(0, 1)));
  EXPECT_EQ(C(1, 0), kInf);
  EXPECT_EQ(C(1, 1), kInf);
  EXPECT_TRUE(std::isnan(C(2, 0)) && std::isnan(C(2, 1)));
  EXPECT_EQ(C(3, 0), 22.0);
  EXPECT_EQ(C(3, 1), 28.0);
}

TEST_P(IeeeTest, PolynomialGridPropagatesNanAndInf) {
  // x^2 + x + 1, x^2 - x, and 0 x^2 + x (whose Horner step 0 * Inf is NaN).
  const tandem::Matrix<double> table(3, 3, {1, 1, 1, 1, -1, 0, 0, 1, 0});
  const std::vector<double> x{kNaN, kInf, -kInf, 2.0};
  const auto out = tandem::polynomial_grid(table, std::span<const double>(x), options());
  for (std::int64_t r = 0; r < 3; ++r) EXPECT_TRUE(std::isnan(out(r, 0)));
  EXPECT_EQ(out(0, 1), kInf);
  EXPECT_EQ(out(0, 2), kInf);  // (-Inf + 1) * -Inf + 1
  EXPECT_EQ(out(0, 3), 7.0);
  EXPECT_EQ(out(1, 1), kInf);  // (Inf - 1) * Inf + 0
  EXPECT_EQ(out(1, 2), kInf);
  EXPECT_EQ(out(1, 3), 2.0);
  EXPECT_TRUE(std::isnan(out(2, 1)));
  EXPECT_TRUE(std::isnan(out(2, 2)));
  EXPECT_EQ(out(2, 3), 2.0);
}

// The same call twice on one backend and thread count gives the same bits, for every workload.
using RunToRunTest = BackendThreadsTest;

template <class T>
bool same_bits(std::span<const T> a, std::span<const T> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

TEST_P(RunToRunTest, IdenticalBits) {
  TANDEM_SEEDED_RNG(rng);
  const auto x = random_vector<double>(rng, 100003);
  std::vector<double> y1(x.size()), y2(x.size());
  const auto op = tandem::MapOp::polynomial({0.5, -1.25, 3.0, 0.1});
  tandem::map(std::span<const double>(x), std::span<double>(y1), op, options());
  tandem::map(std::span<const double>(x), std::span<double>(y2), op, options());
  EXPECT_TRUE(same_bits<double>(y1, y2));

  const tandem::Matrix<float> A(97, 131, random_vector<float>(rng, 97 * 131, -1, 1));
  const tandem::Matrix<float> B(131, 67, random_vector<float>(rng, 131 * 67, -1, 1));
  const auto C1 = tandem::matmul(A, B, options());
  const auto C2 = tandem::matmul(A, B, options());
  EXPECT_TRUE(same_bits(C1.values(), C2.values()));

  const tandem::CartesianGrid<double> grid(4, random_vector<double>(rng, 9, -1, 1));
  const auto px = random_vector<double>(rng, 31, -2, 2);
  const auto G1 = tandem::polynomial_grid(grid, std::span<const double>(px), options());
  const auto G2 = tandem::polynomial_grid(grid, std::span<const double>(px), options());
  EXPECT_TRUE(same_bits(G1.values(), G2.values()));

  const auto e = wide_range<double>(rng, 300001, -5, 5);
  const double m1 = tandem::mse(std::span<const double>(e), options());
  const double m2 = tandem::mse(std::span<const double>(e), options());
  EXPECT_EQ(std::memcmp(&m1, &m2, sizeof m1), 0);
}

// Integer arithmetic wraps modulo 2^bits at the extremes, as documented (no UB: the ubsan
// preset would report signed overflow).
using WrapTest = BackendTest;

TEST_P(WrapTest, ExtremesWrapModulo2PowBits) {
  constexpr std::int64_t lo = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t hi = std::numeric_limits<std::int64_t>::max();
  const std::vector<std::int64_t> x{lo, hi, -1, 3};
  std::vector<std::int64_t> y(x.size());
  tandem::map(std::span<const std::int64_t>(x), std::span<std::int64_t>(y),
              tandem::MapOp::polynomial({hi, lo, hi}), options());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const std::int64_t want = wrap_add(wrap_mul(wrap_add(wrap_mul(hi, x[i]), lo), x[i]), hi);
    EXPECT_EQ(y[i], want) << "x=" << x[i];
  }
  const tandem::Matrix<std::int32_t> A(1, 2, {INT32_MAX, INT32_MIN});
  const tandem::Matrix<std::int32_t> B(2, 1, {INT32_MAX, INT32_MIN});
  const auto C = tandem::matmul(A, B, options());
  EXPECT_EQ(C(0, 0), wrap_add(wrap_mul<std::int32_t>(INT32_MAX, INT32_MAX),
                              wrap_mul<std::int32_t>(INT32_MIN, INT32_MIN)));
}

TANDEM_INSTANTIATE_FOR_BACKEND_THREADS(MseAccuracyTest);
TANDEM_INSTANTIATE_FOR_BACKENDS(IeeeTest);
TANDEM_INSTANTIATE_FOR_BACKEND_THREADS(RunToRunTest);
TANDEM_INSTANTIATE_FOR_BACKENDS(WrapTest);

}  // namespace
