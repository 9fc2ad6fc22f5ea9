#pragma once
/// map: y[i] = op(x[i]) elementwise.
///
/// Two forms:
///  - a built-in operation chosen at run time (MapOp), for f32, f64, i32 and i64, on any backend;
///  - any C++ callable (header template), on the CPU backends (serial, openmp).
/// In-place (y is x) is allowed; partial overlap of x and y is an error.
/// Integer arithmetic wraps modulo 2^bits, as numpy's does.
///
/// **Example** (the notebooks' 2x and x*x):
///   tandem::map(x, y, tandem::MapOp::scale(2));
///   tandem::map(x, y, [](double v) { return v * v; }, {.backend = tandem::Backend::openmp});
#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <initializer_list>
#include <ranges>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "tandem/dtype.hpp"
#include "tandem/export.hpp"
#include "tandem/options.hpp"

namespace tandem {

/// A parameter of a MapOp: keeps an integer exactly (int64) or a floating value (double).
/// It is converted to the element type of each call; a value that does not fit
/// (2.5 for an int32 map, 1e300 for f32) is a tandem::invalid_argument.
class Scalar {
 public:
  // clang-format off
  template <class V>
    requires std::is_integral_v<V>
  constexpr Scalar(V v) noexcept  // NOLINT(google-explicit-constructor)
      : is_integer_(!(std::is_unsigned_v<V> && sizeof(V) >= sizeof(std::int64_t) &&
                      static_cast<std::uint64_t>(v) > static_cast<std::uint64_t>(INT64_MAX))),
        integer_(is_integer_ ? static_cast<std::int64_t>(v) : 0),
        floating_(static_cast<double>(v)) {}
  template <class V>
    requires std::is_floating_point_v<V>
  constexpr Scalar(V v) noexcept  // NOLINT(google-explicit-constructor)
      : is_integer_(false), integer_(0), floating_(static_cast<double>(v)) {}
  // clang-format on

  constexpr bool is_integer() const noexcept { return is_integer_; }
  constexpr std::int64_t integer() const noexcept { return integer_; }
  constexpr double floating() const noexcept { return floating_; }

 private:
  bool is_integer_;
  std::int64_t integer_;
  double floating_;
};

/// The built-in elementwise operations.
enum class MapKind {
  scale,       ///< a*x
  affine,      ///< a*x + b
  square,      ///< x*x
  abs,         ///< |x| (for integers, |INT_MIN| wraps to INT_MIN as in numpy)
  polynomial,  ///< c[0]*x^(d) + ... + c[d], coefficients highest degree first (numpy.polyval)
};

/// A built-in operation with its parameters, chosen at run time.
class MapOp {
 public:
  static MapOp scale(Scalar a) { return MapOp(MapKind::scale, {a}); }
  static MapOp affine(Scalar a, Scalar b) { return MapOp(MapKind::affine, {a, b}); }
  static MapOp square() { return MapOp(MapKind::square, {}); }
  static MapOp abs() { return MapOp(MapKind::abs, {}); }
  /// Coefficients highest degree first, as numpy.polyval: {1, 0, -2} is x^2 - 2.
  /// At least one coefficient (checked when the op is used).
  static MapOp polynomial(std::vector<Scalar> coefficients) {
    return MapOp(MapKind::polynomial, std::move(coefficients));
  }
  static MapOp polynomial(std::initializer_list<Scalar> coefficients) {
    return MapOp(MapKind::polynomial, std::vector<Scalar>(coefficients));
  }

  MapKind kind() const noexcept { return kind_; }
  /// {a} for scale, {a, b} for affine, the coefficients for polynomial, else empty.
  std::span<const Scalar> params() const noexcept { return params_; }

 private:
  MapOp(MapKind kind, std::vector<Scalar> params) : kind_(kind), params_(std::move(params)) {}
  MapKind kind_;
  std::vector<Scalar> params_;
};

/// "scale", "affine", "square", "abs", "polynomial".
TANDEM_EXPORT std::string_view to_string(MapKind kind) noexcept;

/// y[i] = op(x[i]) for i < x.size(). y.size() must equal x.size(); y may be x itself.
#define TANDEM_DECLARE_MAP_(T, name)                                            \
  TANDEM_EXPORT void map(std::span<const T> x, std::span<T> y, const MapOp& op, \
                         const Options& options = {});
TANDEM_FOR_EACH_DTYPE(TANDEM_DECLARE_MAP_)
#undef TANDEM_DECLARE_MAP_

namespace detail {
/// Runs fn(ctx, begin, end) over chunks covering [0, n) on a CPU backend chosen as for any call.
using ChunkFn = void (*)(void* ctx, std::int64_t begin, std::int64_t end);
TANDEM_EXPORT void parallel_for(const char* function, std::int64_t n, ChunkFn fn, void* ctx,
                                const Options& options);
/// Checks the spans of a callable map (null data, sizes, overlap); throws invalid_argument.
TANDEM_EXPORT void validate_callable_map(const void* x, std::size_t x_size, std::size_t x_elem,
                                         const void* y, std::size_t y_size, std::size_t y_elem,
                                         bool same_type);
}  // namespace detail

/// y[i] = f(x[i]) with any callable, on the CPU backends (serial or openmp; automatic picks
/// between them). x and y are contiguous ranges (std::vector, std::span, arrays...).
/// y may be x itself when the element types match. f is called concurrently from several
/// threads on the openmp backend, so it must not mutate shared state. If f throws, the first
/// exception is rethrown after all chunks stop; y may then be partly written.
// clang-format 14 cannot lay out requires-clauses:
// clang-format off
template <class X, class Y, class F>
  requires std::ranges::contiguous_range<X> && std::ranges::sized_range<X> &&
           std::ranges::contiguous_range<Y> && std::ranges::sized_range<Y> &&
           (!std::is_same_v<std::remove_cvref_t<F>, MapOp>) &&
           std::invocable<F&, const std::ranges::range_value_t<X>&> &&
           std::is_assignable_v<std::ranges::range_reference_t<Y>,
                                std::invoke_result_t<F&, const std::ranges::range_value_t<X>&>>
void map(X&& x, Y&& y, F&& f, const Options& options = {}) {
  // clang-format on
  using In = std::ranges::range_value_t<X>;
  using Out = std::ranges::range_value_t<Y>;
  const In* xp = std::ranges::data(x);
  Out* yp = std::ranges::data(y);
  const auto n = std::ranges::size(x);
  detail::validate_callable_map(xp, n, sizeof(In), yp, std::ranges::size(y), sizeof(Out),
                                std::is_same_v<In, Out>);
  struct Context {
    const In* x;
    Out* y;
    std::remove_reference_t<F>* f;
    std::atomic<bool> failed{false};
    std::exception_ptr error{};
  } ctx{xp, yp, &f};
  detail::parallel_for(
      "tandem::map", static_cast<std::int64_t>(n),
      [](void* c, std::int64_t begin, std::int64_t end) {
        auto& k = *static_cast<Context*>(c);
        try {
          for (std::int64_t i = begin; i < end; ++i) k.y[i] = std::invoke(*k.f, k.x[i]);
        } catch (...) {
          if (!k.failed.exchange(true)) k.error = std::current_exception();
        }
      },
      &ctx, options);
  if (ctx.error) std::rethrow_exception(ctx.error);
}

}  // namespace tandem
