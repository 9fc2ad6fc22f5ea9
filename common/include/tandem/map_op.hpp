#pragma once
/// The built-in elementwise operations, chosen at run time (MapOp), and their parameters
/// (Scalar): what the elementwise workloads apply on every backend.
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "tandem/export.hpp"

namespace tandem {

/// A parameter of a MapOp: keeps an integer exactly (int64) or a floating value (double).
/// It is converted to the element type of each call; a value that does not fit
/// (2.5 for an int32 operation, 1e300 for f32) is a tandem::invalid_argument.
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

}  // namespace tandem
