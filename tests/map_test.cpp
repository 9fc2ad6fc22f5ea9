// map: every built-in op for every dtype against a reference computed here (exact, wrapping
// integers; long double with an error bound for floats) and against the serial oracle; hand
// computed values; integer wraparound; in-place; the callable form.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <vector>

#include "backend_fixture.hpp"
#include "tandem/tandem.hpp"
#include "test_util.hpp"

namespace {

using tandem::MapKind;
using tandem::MapOp;
using namespace tandem_test;

constexpr std::array<MapKind, 5> kAllKinds{MapKind::scale, MapKind::affine, MapKind::square,
                                           MapKind::abs, MapKind::polynomial};

/// Parameters of each op kind, as element values (so the test knows them exactly).
template <class T>
std::vector<T> params_for(MapKind kind) {
  constexpr bool fp = std::is_floating_point_v<T>;
  switch (kind) {
    case MapKind::scale:
      return {fp ? T(2.5) : T(-7)};
    case MapKind::affine:
      return {fp ? T(-1.5) : T(5), fp ? T(2.25) : T(-11)};
    case MapKind::polynomial:
      return fp ? std::vector<T>{T(0.5), T(-1.25), T(2), T(3)} : std::vector<T>{3, -2, 0, 7};
    default:
      return {};
  }
}

template <class T>
MapOp make_op(MapKind kind, const std::vector<T>& p) {
  switch (kind) {
    case MapKind::scale:
      return MapOp::scale(p[0]);
    case MapKind::affine:
      return MapOp::affine(p[0], p[1]);
    case MapKind::square:
      return MapOp::square();
    case MapKind::abs:
      return MapOp::abs();
    case MapKind::polynomial:
      break;
  }
  return MapOp::polynomial(std::vector<tandem::Scalar>(p.begin(), p.end()));
}

/// Inputs: full range for integers (so everything wraps), moderate values for floats.
template <class T>
std::vector<T> map_input(std::mt19937_64& rng, std::size_t n) {
  if constexpr (std::is_integral_v<T>) {
    auto x = full_range_vector<T>(rng, n);
    if (n > 2) x[1] = std::numeric_limits<T>::min();
    if (n > 3) x[2] = std::numeric_limits<T>::max();
    return x;
  } else {
    return random_vector<T>(rng, n, -100.0, 100.0);
  }
}

/// Success when y == op(x) elementwise: exact for integers and for the single-rounding float
/// ops; within the Horner / two-rounding error bound for affine and polynomial on floats.
template <class T>
::testing::AssertionResult matches_reference(std::span<const T> x, std::span<const T> y,
                                             MapKind kind, const std::vector<T>& p) {
  if (x.size() != y.size()) return ::testing::AssertionFailure() << "size mismatch";
  if constexpr (std::is_integral_v<T>) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      T want{};
      switch (kind) {
        case MapKind::scale:
          want = wrap_mul(p[0], x[i]);
          break;
        case MapKind::affine:
          want = wrap_add(wrap_mul(p[0], x[i]), p[1]);
          break;
        case MapKind::square:
          want = wrap_mul(x[i], x[i]);
          break;
        case MapKind::abs:
          want = x[i] < 0 ? wrap_neg(x[i]) : x[i];
          break;
        case MapKind::polynomial:
          want = p[0];
          for (std::size_t c = 1; c < p.size(); ++c) want = wrap_add(wrap_mul(want, x[i]), p[c]);
          break;
      }
      if (y[i] != want) {
        return ::testing::AssertionFailure() << to_string(kind) << " at " << i << " of x=" << x[i]
                                             << ": got " << y[i] << ", want " << want;
      }
    }
    return ::testing::AssertionSuccess();
  } else {
    std::vector<long double> want(x.size());
    std::vector<long double> tol(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      const long double v = x[i];
      switch (kind) {
        case MapKind::scale:
          want[i] = static_cast<T>(p[0] * x[i]);
          break;
        case MapKind::square:
          want[i] = static_cast<T>(x[i] * x[i]);
          break;
        case MapKind::abs:
          want[i] = std::fabs(x[i]);
          break;
        case MapKind::affine:
          want[i] = p[0] * v + p[1];
          tol[i] = 2 * epsilon<T>() * (std::fabs(p[0] * v) + std::fabs(p[1]));
          break;
        case MapKind::polynomial: {
          long double h = p[0];
          long double magnitude = std::fabs(static_cast<long double>(p[0]));
          for (std::size_t c = 1; c < p.size(); ++c) {
            h = h * v + p[c];
            magnitude = magnitude * std::fabs(v) + std::fabs(static_cast<long double>(p[c]));
          }
          want[i] = h;
          tol[i] = 2 * static_cast<long double>(p.size()) * epsilon<T>() * magnitude;
          break;
        }
      }
    }
    return all_near<T>(y, want, tol);
  }
}

class MapTest : public BackendThreadsTest {
 protected:
  /// A C++ callable runs on the CPU backends only; elsewhere it is backend_unavailable.
  bool skip_callable() {
    if (backend() == tandem::Backend::serial || backend() == tandem::Backend::openmp) {
      return false;
    }
    std::vector<double> v(3, 1.0);
    EXPECT_TRUE(throws<tandem::backend_unavailable>([&] {
      tandem::map(
          v, v, [](double e) { return e; }, options());
    }));
    return true;
  }
};

TEST_P(MapTest, EveryOpMatchesReferenceAndSerialOracle) {
  TANDEM_SEEDED_RNG(rng);
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    for (MapKind kind : kAllKinds) {
      SCOPED_TRACE(std::string("op=") + std::string(to_string(kind)));
      const auto p = params_for<T>(kind);
      const MapOp op = make_op<T>(kind, p);
      for (std::size_t n : test_sizes()) {
        SCOPED_TRACE("n=" + std::to_string(n));
        const auto x = map_input<T>(rng, n);
        std::vector<T> y(n, sentinel<T>());
        std::vector<T> oracle(n, sentinel<T>());
        tandem::map(std::span<const T>(x), std::span<T>(y), op, options());
        tandem::map(std::span<const T>(x), std::span<T>(oracle), op, serial_options());
        EXPECT_TRUE(matches_reference<T>(x, y, kind, p));
        if (std::is_integral_v<T> || kind == MapKind::scale || kind == MapKind::square ||
            kind == MapKind::abs) {
          EXPECT_EQ(y, oracle);
        } else {
          EXPECT_TRUE(matches_reference<T>(x, oracle, kind, p));
        }
      }
    }
  });
}

TEST_P(MapTest, HandComputedValues) {
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    const std::vector<T> x{T(-3), T(0), T(5)};
    std::vector<T> y(3);
    auto run = [&](const MapOp& op) {
      std::fill(y.begin(), y.end(), sentinel<T>());
      tandem::map(std::span<const T>(x), std::span<T>(y), op, options());
      return y;
    };
    EXPECT_EQ(run(MapOp::scale(2)), (std::vector<T>{T(-6), T(0), T(10)}));
    EXPECT_EQ(run(MapOp::affine(2, 1)), (std::vector<T>{T(-5), T(1), T(11)}));
    EXPECT_EQ(run(MapOp::square()), (std::vector<T>{T(9), T(0), T(25)}));
    EXPECT_EQ(run(MapOp::abs()), (std::vector<T>{T(3), T(0), T(5)}));
    EXPECT_EQ(run(MapOp::polynomial({1, 0, -2})), (std::vector<T>{T(7), T(-2), T(23)}));
    EXPECT_EQ(run(MapOp::polynomial({42})), (std::vector<T>{T(42), T(42), T(42)}));

    // 2x^3 - x + 1 (numpy.polyval order: highest degree first).
    const std::vector<T> xs{T(-2), T(0), std::is_integral_v<T> ? T(1) : T(1.5)};
    std::vector<T> ys(3, sentinel<T>());
    tandem::map(std::span<const T>(xs), std::span<T>(ys), MapOp::polynomial({2, 0, -1, 1}),
                options());
    EXPECT_EQ(ys, (std::vector<T>{T(-13), T(1), std::is_integral_v<T> ? T(2) : T(6.25)}));
  });
}

TEST_P(MapTest, FloatParametersAndNegativeZero) {
  const std::vector<double> x{-0.0, 0.25, -8.0};
  std::vector<double> y(3, sentinel<double>());
  tandem::map(std::span<const double>(x), std::span<double>(y), MapOp::abs(), options());
  EXPECT_FALSE(std::signbit(y[0]));
  EXPECT_EQ(y, (std::vector<double>{0.0, 0.25, 8.0}));
  tandem::map(std::span<const double>(x), std::span<double>(y), MapOp::scale(-0.5), options());
  EXPECT_EQ(y, (std::vector<double>{0.0, -0.125, 4.0}));
  const std::vector<float> xf{1.0f, -2.0f};
  std::vector<float> yf(2, sentinel<float>());
  tandem::map(std::span<const float>(xf), std::span<float>(yf), MapOp::affine(0.75, -0.5),
              options());
  EXPECT_EQ(yf, (std::vector<float>{0.25f, -2.0f}));
}

TEST_P(MapTest, IntegerArithmeticWrapsLikeNumpy) {
  using i32 = std::int32_t;
  using i64 = std::int64_t;
  constexpr i32 max32 = std::numeric_limits<i32>::max();
  constexpr i32 min32 = std::numeric_limits<i32>::min();
  constexpr i64 max64 = std::numeric_limits<i64>::max();
  constexpr i64 min64 = std::numeric_limits<i64>::min();
  auto run32 = [&](std::vector<i32> x, const MapOp& op) {
    std::vector<i32> y(x.size(), sentinel<i32>());
    tandem::map(std::span<const i32>(x), std::span<i32>(y), op, options());
    return y;
  };
  auto run64 = [&](std::vector<i64> x, const MapOp& op) {
    std::vector<i64> y(x.size(), sentinel<i64>());
    tandem::map(std::span<const i64>(x), std::span<i64>(y), op, options());
    return y;
  };
  EXPECT_EQ(run32({max32, min32}, MapOp::scale(2)), (std::vector<i32>{-2, 0}));
  EXPECT_EQ(run32({65536, 46341}, MapOp::square()), (std::vector<i32>{0, -2147479015}));
  EXPECT_EQ(run32({min32, -5, max32}, MapOp::abs()), (std::vector<i32>{min32, 5, max32}));
  EXPECT_EQ(run32({max32}, MapOp::affine(1, 1)), (std::vector<i32>{min32}));
  EXPECT_EQ(run32({min32}, MapOp::scale(-1)), (std::vector<i32>{min32}));
  EXPECT_EQ(run32({65536}, MapOp::polynomial({1, 0, 5})), (std::vector<i32>{5}));
  EXPECT_EQ(run64({max64, min64}, MapOp::scale(2)), (std::vector<i64>{-2, 0}));
  EXPECT_EQ(run64({i64{1} << 32}, MapOp::square()), (std::vector<i64>{0}));
  EXPECT_EQ(run64({min64, -5}, MapOp::abs()), (std::vector<i64>{min64, 5}));
  EXPECT_EQ(run64({max64}, MapOp::affine(1, 1)), (std::vector<i64>{min64}));
  // A parameter beyond int32 is fine for int64 data.
  EXPECT_EQ(run64({3}, MapOp::scale(i64{1} << 40)), (std::vector<i64>{i64{3} << 40}));
}

TEST_P(MapTest, InPlace) {
  TANDEM_SEEDED_RNG(rng);
  for_each_dtype([&]<class T>(std::type_identity<T>) {
    for (MapKind kind : kAllKinds) {
      SCOPED_TRACE(std::string("op=") + std::string(to_string(kind)));
      const auto p = params_for<T>(kind);
      const auto x = map_input<T>(rng, 1009);
      std::vector<T> buffer = x;
      tandem::map(std::span<const T>(buffer), std::span<T>(buffer), make_op<T>(kind, p), options());
      EXPECT_TRUE(matches_reference<T>(x, buffer, kind, p));
    }
  });
}

TEST_P(MapTest, StatsReportTheBackendThatRan) {
  std::vector<double> x(1009, 1.5);
  std::vector<double> y(x.size());
  tandem::Stats stats;
  tandem::map(std::span<const double>(x), std::span<double>(y), MapOp::square(), options(&stats));
  expect_stats(stats, backend(), GetParam().threads);
  EXPECT_TRUE(all_equal(y, 2.25));
}

// ---- the callable form ----------------------------------------------------------------------

TEST_P(MapTest, CallableMatchesLoop) {
  if (skip_callable()) GTEST_SKIP() << "a C++ callable runs on the CPU backends only";
  TANDEM_SEEDED_RNG(rng);
  for (std::size_t n : test_sizes()) {
    SCOPED_TRACE("n=" + std::to_string(n));
    const auto x = random_vector<double>(rng, n);
    std::vector<double> y(n, sentinel<double>());
    tandem::map(
        x, y, [](double v) { return v * v - 3.0; }, options());
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(y[i], x[i] * x[i] - 3.0) << "at " << i;
  }
}

TEST_P(MapTest, CallableChangesType) {
  if (skip_callable()) GTEST_SKIP() << "a C++ callable runs on the CPU backends only";
  TANDEM_SEEDED_RNG(rng);
  const auto x = random_vector<std::int32_t>(rng, 65537, -1000000, 1000000);
  std::vector<double> y(x.size(), sentinel<double>());
  tandem::map(
      x, y, [](std::int32_t v) { return static_cast<double>(v) * 0.5; }, options());
  for (std::size_t i = 0; i < x.size(); ++i) ASSERT_EQ(y[i], x[i] * 0.5) << "at " << i;

  std::array<float, 7> in{1, 2, 3, 4, 5, 6, 7};
  std::vector<std::int64_t> out(7, sentinel<std::int64_t>());
  tandem::map(
      in, out, [](float v) { return static_cast<std::int64_t>(v) * 3; }, options());
  EXPECT_EQ(out, (std::vector<std::int64_t>{3, 6, 9, 12, 15, 18, 21}));
}

TEST_P(MapTest, CallableInPlaceAndEachElementOnce) {
  if (skip_callable()) GTEST_SKIP() << "a C++ callable runs on the CPU backends only";
  std::vector<std::int64_t> v(65537);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::int64_t>(i);
  std::atomic<std::int64_t> calls{0};
  tandem::map(
      v, v,
      [&calls](std::int64_t e) {
        calls.fetch_add(1, std::memory_order_relaxed);
        return 2 * e + 1;
      },
      options());
  EXPECT_EQ(calls.load(), 65537);
  for (std::size_t i = 0; i < v.size(); ++i) {
    ASSERT_EQ(v[i], 2 * static_cast<std::int64_t>(i) + 1) << "at " << i;
  }
}

TEST_P(MapTest, CallableEmptyIsANoOp) {
  if (skip_callable()) GTEST_SKIP() << "a C++ callable runs on the CPU backends only";
  std::vector<double> x;
  std::vector<double> y;
  int calls = 0;
  EXPECT_NO_THROW(tandem::map(
      x, y,
      [&calls](double v) {
        ++calls;
        return v;
      },
      options()));
  EXPECT_EQ(calls, 0);
  EXPECT_NO_THROW(
      tandem::map(std::span<const double>(x), std::span<double>(y), MapOp::square(), options()));
}

struct Boom : std::runtime_error {
  explicit Boom(std::int64_t at) : std::runtime_error("boom"), index(at) {}
  std::int64_t index;
};

TEST_P(MapTest, CallableExceptionPropagates) {
  if (skip_callable()) GTEST_SKIP() << "a C++ callable runs on the CPU backends only";
  std::vector<std::int64_t> x(1009);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<std::int64_t>(i);
  std::vector<std::int64_t> y(x.size());
  // One element throws.
  try {
    tandem::map(
        x, y,
        [](std::int64_t v) -> std::int64_t {
          if (v == 500) throw Boom(v);
          return v;
        },
        options());
    ADD_FAILURE() << "no exception";
  } catch (const Boom& e) {
    EXPECT_EQ(e.index, 500);
  }
  // Many throw (from several threads on openmp): one of them comes out, with its type.
  try {
    tandem::map(
        x, y,
        [](std::int64_t v) -> std::int64_t {
          if (v % 10 == 3) throw Boom(v);
          return v;
        },
        options());
    ADD_FAILURE() << "no exception";
  } catch (const Boom& e) {
    EXPECT_EQ(e.index % 10, 3);
  }
  // The library still works afterwards.
  tandem::map(
      x, y, [](std::int64_t v) { return -v; }, options());
  EXPECT_EQ(y[1008], -1008);
}

TANDEM_INSTANTIATE_FOR_BACKEND_THREADS(MapTest);

}  // namespace
