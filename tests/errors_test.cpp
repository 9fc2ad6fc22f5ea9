// Error paths of map (both forms) and mse, plus the view/linspace helpers and the error types:
// exact exception type, a message naming the function (and values), outputs and Stats
// untouched. Matmul and polynomial_grid are in errors_matrix_test.cpp.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

#include "backend_fixture.hpp"
#include "error_checks.hpp"
#include "tandem/tandem.hpp"
#include "test_util.hpp"

namespace {

using tandem::backend_unavailable;
using tandem::invalid_argument;
using tandem::MapOp;
using tandem::Options;
using namespace tandem_test;

class ErrorsTest : public BackendTest {};

template <class T>
void check_map_errors(tandem::Backend backend) {
  const Options o = with(backend);
  std::vector<T> x(17, T(3));
  std::vector<T> y(17, sentinel<T>());
  const auto y_untouched = [&] { return all_equal(y, sentinel<T>()); };
  const auto run = [&](std::span<const T> xs, std::span<T> ys, const MapOp& op) {
    return [xs, ys, op](const Options& opts) { tandem::map(xs, ys, op, opts); };
  };
  const std::span<const T> sx(x);
  const std::span<T> sy(y);
  const MapOp op = MapOp::scale(2);

  expect_rejected<invalid_argument>("null x", o, run(null_span<const T>(17), sy, op), y_untouched,
                                    {"tandem::map"});
  expect_rejected<invalid_argument>("null y", o, run(sx, null_span<T>(17), op), y_untouched,
                                    {"tandem::map"});
  expect_rejected<invalid_argument>("sizes differ", o, run(sx.first(16), sy, op), y_untouched,
                                    {"tandem::map", "16", "17"});
  expect_rejected<invalid_argument>("no coefficients", o, run(sx, sy, MapOp::polynomial({})),
                                    y_untouched, {"tandem::map"});
  expect_rejected<invalid_argument>("negative threads", with(backend, -3), run(sx, sy, op),
                                    y_untouched, {"tandem::map", "threads", "-3"});

  // Partial overlap of x and y in one buffer: nothing may change.
  std::vector<T> buf(12);
  for (std::size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<T>(i + 1);
  const std::vector<T> before = buf;
  const auto buf_untouched = [&] { return ::testing::AssertionResult(buf == before); };
  expect_rejected<invalid_argument>(
      "y starts inside x", o,
      run(std::span<const T>(buf.data(), 8), std::span<T>(buf.data() + 2, 8), op), buf_untouched,
      {"tandem::map"});
  expect_rejected<invalid_argument>(
      "x starts inside y", o,
      run(std::span<const T>(buf.data() + 3, 8), std::span<T>(buf.data(), 8), op), buf_untouched,
      {"tandem::map"});

  // Parameters that the element type cannot represent.
  if constexpr (std::is_integral_v<T>) {
    expect_rejected<invalid_argument>("scale 2.5", o, run(sx, sy, MapOp::scale(2.5)), y_untouched,
                                      {"tandem::map", "2.5"});
    expect_rejected<invalid_argument>("affine b 0.5", o, run(sx, sy, MapOp::affine(1, 0.5)),
                                      y_untouched, {"tandem::map"});
    expect_rejected<invalid_argument>("polynomial 0.25", o,
                                      run(sx, sy, MapOp::polynomial({1, 0.25, 3})), y_untouched,
                                      {"tandem::map"});
    expect_rejected<invalid_argument>(
        "uint64 max", o, run(sx, sy, MapOp::scale(std::numeric_limits<std::uint64_t>::max())),
        y_untouched, {"tandem::map"});
    if constexpr (sizeof(T) == 4) {
      expect_rejected<invalid_argument>("scale 2^40", o,
                                        run(sx, sy, MapOp::scale(std::int64_t{1} << 40)),
                                        y_untouched, {"tandem::map"});
      expect_rejected<invalid_argument>("affine a -2^31-1", o,
                                        run(sx, sy, MapOp::affine(std::int64_t{INT32_MIN} - 1, 0)),
                                        y_untouched, {"tandem::map"});
    }
  } else if constexpr (sizeof(T) == 4) {
    expect_rejected<invalid_argument>("scale 1e300", o, run(sx, sy, MapOp::scale(1e300)),
                                      y_untouched, {"tandem::map"});
    expect_rejected<invalid_argument>("affine b -1e300", o, run(sx, sy, MapOp::affine(1, -1e300)),
                                      y_untouched, {"tandem::map"});
  }
}

TEST_P(ErrorsTest, MapRejectsBadArguments) {
  for_each_dtype([&]<class T>(std::type_identity<T>) { check_map_errors<T>(backend()); });
}

TEST_P(ErrorsTest, MapAcceptsWhatFits) {
  // In-place is allowed; empty spans are fine; a value exactly representable is accepted.
  std::vector<std::int32_t> v{1, -2, 3};
  tandem::map(std::span<const std::int32_t>(v), std::span<std::int32_t>(v), MapOp::scale(2.0),
              with(backend()));
  EXPECT_EQ(v, (std::vector<std::int32_t>{2, -4, 6}));
  std::vector<std::int32_t> w(3);
  tandem::map(std::span<const std::int32_t>(v), std::span<std::int32_t>(w),
              MapOp::affine(std::int64_t{INT32_MAX}, std::int64_t{INT32_MIN}), with(backend()));
  EXPECT_EQ(w[0], wrap_add(wrap_mul(INT32_MAX, 2), INT32_MIN));
  std::vector<double> d{1.0};
  tandem::map(std::span<const double>(d), std::span<double>(d), MapOp::scale(1e300),
              with(backend()));
  EXPECT_EQ(d[0], 1e300);
  EXPECT_NO_THROW(
      tandem::map(std::span<const float>(), std::span<float>(), MapOp::square(), with(backend())));
}

TEST_P(ErrorsTest, CallableMapRejectsBadArguments) {
  const Options o = with(backend());
  std::vector<double> x(17, 1.0);
  std::vector<double> y(17, sentinel<double>());
  const auto y_untouched = [&] { return all_equal(y, sentinel<double>()); };
  const auto twice = [](double v) { return 2 * v; };
  expect_rejected<invalid_argument>(
      "null x", o,
      [&](const Options& opts) { tandem::map(null_span<const double>(17), y, twice, opts); },
      y_untouched, {"tandem::map"});
  expect_rejected<invalid_argument>(
      "null y", o, [&](const Options& opts) { tandem::map(x, null_span<double>(17), twice, opts); },
      y_untouched, {"tandem::map"});
  expect_rejected<invalid_argument>("sizes differ", o,
                                    [&](const Options& opts) {
                                      tandem::map(std::span<const double>(x).first(16), y, twice,
                                                  opts);
                                    },
                                    y_untouched, {"tandem::map", "16", "17"});
  expect_rejected<invalid_argument>("negative threads", with(backend(), -1),
                                    [&](const Options& opts) { tandem::map(x, y, twice, opts); },
                                    y_untouched, {"tandem::map", "threads"});
  std::vector<double> buf(12, 5.0);
  const std::vector<double> before = buf;
  expect_rejected<invalid_argument>(
      "partial overlap", o,
      [&](const Options& opts) {
        tandem::map(std::span<double>(buf.data(), 8), std::span<double>(buf.data() + 1, 8), twice,
                    opts);
      },
      [&] { return ::testing::AssertionResult(buf == before); }, {"tandem::map"});
}

template <class T>
void check_mse_errors(tandem::Backend backend) {
  const Options o = with(backend);
  std::vector<T> a(17, T(1));
  std::vector<T> b(23, T(2));
  const auto nothing = [] { return ::testing::AssertionSuccess(); };
  const std::span<const T> sa(a);
  expect_rejected<invalid_argument>(
      "null errors", o, [](const Options& opts) { (void)tandem::mse(null_span<const T>(5), opts); },
      nothing, {"tandem::mse"});
  expect_rejected<invalid_argument>(
      "empty", o, [](const Options& opts) { (void)tandem::mse(std::span<const T>(), opts); },
      nothing, {"tandem::mse"});
  expect_rejected<invalid_argument>("empty pair", o,
                                    [](const Options& opts) {
                                      (void)tandem::mse(std::span<const T>(), std::span<const T>(),
                                                        opts);
                                    },
                                    nothing, {"tandem::mse"});
  expect_rejected<invalid_argument>(
      "sizes differ", o,
      [&](const Options& opts) { (void)tandem::mse(sa, std::span<const T>(b), opts); }, nothing,
      {"tandem::mse", "17", "23"});
  expect_rejected<invalid_argument>(
      "null a", o,
      [&](const Options& opts) { (void)tandem::mse(null_span<const T>(17), sa, opts); }, nothing,
      {"tandem::mse"});
  expect_rejected<invalid_argument>(
      "null b", o,
      [&](const Options& opts) { (void)tandem::mse(sa, null_span<const T>(17), opts); }, nothing,
      {"tandem::mse"});
  expect_rejected<invalid_argument>("negative threads", with(backend, -2),
                                    [&](const Options& opts) { (void)tandem::mse(sa, opts); },
                                    nothing, {"tandem::mse", "threads"});
}

TEST_P(ErrorsTest, MseRejectsBadArguments) {
  for_each_float_dtype([&]<class T>(std::type_identity<T>) { check_mse_errors<T>(backend()); });
}

TANDEM_INSTANTIATE_FOR_BACKENDS(ErrorsTest);

// ---- an explicitly requested backend that cannot run ---------------------------------------

TEST(UnavailableBackend, EveryEntryPointThrowsWithTheReason) {
  if (!cuda_unavailable()) GTEST_SKIP() << "cuda is available here";
  const std::string reason = tandem::backend_info(tandem::Backend::cuda).reason;
  EXPECT_FALSE(reason.empty());
  const Options o = with(tandem::Backend::cuda);
  std::vector<double> x(9, 2.0);
  std::vector<double> y(9, sentinel<double>());
  const auto y_untouched = [&] { return all_equal(y, sentinel<double>()); };
  const std::string_view why = expected_cuda_reason();
  expect_rejected<backend_unavailable>("map", o,
                                       [&](const Options& opts) {
                                         tandem::map(std::span<const double>(x),
                                                     std::span<double>(y), MapOp::square(), opts);
                                       },
                                       y_untouched, {"cuda", why});
  expect_rejected<backend_unavailable>("callable map", o,
                                       [&](const Options& opts) {
                                         tandem::map(
                                             x, y, [](double v) { return v; }, opts);
                                       },
                                       y_untouched, {"cuda", why});
  expect_rejected<backend_unavailable>(
      "mse", o, [&](const Options& opts) { (void)tandem::mse(std::span<const double>(x), opts); },
      y_untouched, {"tandem::mse", why});
  expect_rejected<backend_unavailable>("mse pair", o,
                                       [&](const Options& opts) {
                                         (void)tandem::mse(std::span<const double>(x),
                                                           std::span<const double>(x), opts);
                                       },
                                       y_untouched, {"tandem::mse", why});
  tandem::Matrix<double> A(3, 3, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  tandem::Matrix<double> C(3, 3, std::vector<double>(9, sentinel<double>()));
  const auto c_untouched = [&] { return all_equal(C.values(), sentinel<double>()); };
  expect_rejected<backend_unavailable>(
      "matmul", o, [&](const Options& opts) { tandem::matmul(A.view(), A.view(), C.view(), opts); },
      c_untouched, {"tandem::matmul", why});
  expect_rejected<backend_unavailable>(
      "matmul allocating", o,
      [&](const Options& opts) { (void)tandem::matmul(A.view(), A.view(), opts); }, c_untouched,
      {"tandem::matmul", why});
  const std::vector<double> xs{1, 2, 3};
  expect_rejected<backend_unavailable>("polynomial_grid", o,
                                       [&](const Options& opts) {
                                         tandem::polynomial_grid(std::as_const(A).view(),
                                                                 std::span<const double>(xs),
                                                                 C.view(), opts);
                                       },
                                       c_untouched, {"tandem::polynomial_grid", why});
  expect_rejected<backend_unavailable>("polynomial_grid grid", o,
                                       [&](const Options& opts) {
                                         (void)tandem::polynomial_grid(
                                             tandem::CartesianGrid<double>{{1, 2}, {3}},
                                             std::span<const double>(xs), opts);
                                       },
                                       c_untouched, {"tandem::polynomial_grid", why});
  EXPECT_TRUE(throws<backend_unavailable>(
      [] { tandem::set_default_backend(tandem::Backend::cuda); }, {why}));
}

// ---- helpers and the error types ------------------------------------------------------------

TEST(HelperErrors, SubmatrixOutOfRange) {
  tandem::Matrix<double> M(4, 6);
  const auto v = M.view();
  EXPECT_TRUE(throws<invalid_argument>([&] { (void)v.submatrix(3, 0, 2, 1); },
                                       {"tandem::MatrixView::submatrix"}));
  EXPECT_TRUE(throws<invalid_argument>([&] { (void)v.submatrix(0, 4, 1, 3); }));
  EXPECT_TRUE(throws<invalid_argument>([&] { (void)v.submatrix(-1, 0, 1, 1); }));
  EXPECT_TRUE(throws<invalid_argument>([&] { (void)v.submatrix(0, 0, 1, -1); }));
  const auto inner = v.submatrix(1, 2, 3, 4);
  EXPECT_EQ(inner.ld, 6);
  EXPECT_EQ(inner.data, M.data() + 8);
  EXPECT_TRUE(throws<invalid_argument>([&] { (void)inner.submatrix(0, 0, 4, 1); }));
}

TEST(HelperErrors, MatrixAndLinspace) {
  EXPECT_TRUE(throws<invalid_argument>(
      [] {
        tandem::Matrix<double>(2, 2, {1, 2, 3});
      },
      {"tandem::Matrix", "3"}));
  EXPECT_TRUE(throws<invalid_argument>([] { tandem::Matrix<float>(-1, 2); }, {"tandem::Matrix"}));
  EXPECT_TRUE(throws<invalid_argument>([] { (void)tandem::linspace(0.0, 1.0, -1); },
                                       {"tandem::linspace", "-1"}));
  EXPECT_TRUE(tandem::linspace(0.0, 1.0, 0).empty());
  EXPECT_EQ(tandem::linspace(2.0, 5.0, 1), std::vector<double>{2.0});
  EXPECT_EQ(tandem::linspace(0.0, 1.0, 5), (std::vector<double>{0.0, 0.25, 0.5, 0.75, 1.0}));
}

TEST(HelperErrors, ErrorTypesAndCodes) {
  EXPECT_TRUE(throws<invalid_argument>(
      [] { tandem::throw_error(tandem::errc::invalid_argument, "m1"); }, {"m1"}));
  EXPECT_TRUE(throws<backend_unavailable>(
      [] { tandem::throw_error(tandem::errc::backend_unavailable, "m2"); }, {"m2"}));
  EXPECT_TRUE(throws<tandem::device_error>(
      [] { tandem::throw_error(tandem::errc::device_error, "m3"); }, {"m3"}));
  EXPECT_TRUE(throws<tandem::out_of_memory>(
      [] { tandem::throw_error(tandem::errc::out_of_memory, "m4"); }, {"m4"}));
  // Every tandem error is a tandem::error and a std::runtime_error.
  try {
    (void)tandem::parse_backend("gpu");
    ADD_FAILURE() << "no exception";
  } catch (const tandem::error& e) {
    EXPECT_EQ(e.code(), tandem::errc::invalid_argument);
    EXPECT_NE(dynamic_cast<const std::runtime_error*>(&e), nullptr);
  }
}

}  // namespace
