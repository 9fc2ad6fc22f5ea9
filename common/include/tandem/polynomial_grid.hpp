#pragma once
/// polynomial_grid: a polynomial evaluated for every parameter set of a grid at every x.
///
/// out(r, j) = p_r(x[j]) where p_r has the coefficients of parameter set r, highest degree
/// first (numpy.polyval order; the notebook's a*x^3 + b*x^2 + c*x + d is {a, b, c, d}).
/// Any degree (at least one coefficient), evaluated with Horner's rule. The grid is either
///  - an explicit table, one parameter set per row (like the notebook's CSV), or
///  - a CartesianGrid: one axis of values per coefficient, every combination taken in
///    itertools.product order (last axis fastest), never materialised.
///
/// **Example** (the notebook: cubic, 10 values per coefficient in [0,1], 50 x in [-2,2]):
///   auto y = tandem::polynomial_grid(tandem::CartesianGrid(4, tandem::linspace(0.0, 1.0, 10)),
///                                    tandem::linspace(-2.0, 2.0, 50));  // 10^4 x 50
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <new>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "tandem/device.hpp"
#include "tandem/dtype.hpp"
#include "tandem/export.hpp"
#include "tandem/options.hpp"
#include "tandem/views.hpp"

namespace tandem {

/// The Cartesian product of one axis per coefficient (highest degree first). Owns its axes.
template <class T>
class CartesianGrid {
 public:
  /// One axis per coefficient.
  explicit CartesianGrid(std::vector<std::vector<T>> axes) : axes_(std::move(axes)) {}
  CartesianGrid(std::initializer_list<std::vector<T>> axes) : axes_(axes) {}
  /// The same axis for each of `coefficients` coefficients.
  CartesianGrid(std::size_t coefficients, const std::vector<T>& axis) : axes_(coefficients, axis) {}

  /// Number of coefficients per parameter set (degree + 1).
  std::int64_t coefficients() const noexcept { return static_cast<std::int64_t>(axes_.size()); }
  const std::vector<std::vector<T>>& axes() const noexcept { return axes_; }

 private:
  std::vector<std::vector<T>> axes_;
};

/// `num` evenly spaced values from start to stop inclusive, as numpy.linspace (num >= 0).
/// Values are computed in double as start + i * step; for integer T they are rounded toward
/// minus infinity, as numpy does since 1.20 (linspace<int>(-5, 5, 4) is {-5, -2, 1, 5}).
/// Throws tandem::invalid_argument for num < 0 and tandem::out_of_memory when `num` values
/// cannot be allocated.
template <class T>
std::vector<T> linspace(T start, T stop, std::int64_t num) {
  if (num < 0) {
    throw invalid_argument("tandem::linspace: num is " + std::to_string(num) + " (must be >= 0)");
  }
  std::vector<T> v;
  try {
    if (static_cast<std::uint64_t>(num) > v.max_size()) throw std::bad_alloc();
    v.resize(static_cast<std::size_t>(num));
  } catch (const std::bad_alloc&) {
    throw out_of_memory("tandem::linspace: cannot allocate " + std::to_string(num) + " values");
  }
  if (num == 1) v[0] = start;
  if (num < 2) return v;
  const double step =
      (static_cast<double>(stop) - static_cast<double>(start)) / static_cast<double>(num - 1);
  for (std::int64_t i = 0; i < num - 1; ++i) {
    double value = static_cast<double>(start) + static_cast<double>(i) * step;
    if constexpr (std::is_integral_v<T>) {
      // Floor, then keep within [lo, hi]: rounding near the extremes of a 64-bit range could
      // give a double just outside T, whose conversion would be undefined.
      const T lo = start < stop ? start : stop;
      const T hi = start < stop ? stop : start;
      value = std::floor(value);
      if (!(value > static_cast<double>(lo))) {
        v[static_cast<std::size_t>(i)] = lo;
        continue;
      }
      if (!(value < static_cast<double>(hi))) {
        v[static_cast<std::size_t>(i)] = hi;
        continue;
      }
    }
    v[static_cast<std::size_t>(i)] = static_cast<T>(value);
  }
  v.back() = stop;
  return v;
}

/// out(r, j) = polynomial with coefficients table(r, :) at x[j].
/// out must be table.rows x x.size() and must not overlap table or x.
/// The allocating overloads return a new Matrix of that shape.
#define TANDEM_DECLARE_POLYNOMIAL_GRID_(T, name)                                              \
  TANDEM_EXPORT void polynomial_grid(MatrixView<const T> table, std::span<const T> x,         \
                                     MatrixView<T> out, const Options& options = {});         \
  TANDEM_EXPORT void polynomial_grid(const CartesianGrid<T>& grid, std::span<const T> x,      \
                                     MatrixView<T> out, const Options& options = {});         \
  TANDEM_EXPORT Matrix<T> polynomial_grid(MatrixView<const T> table, std::span<const T> x,    \
                                          const Options& options = {});                       \
  TANDEM_EXPORT Matrix<T> polynomial_grid(const CartesianGrid<T>& grid, std::span<const T> x, \
                                          const Options& options = {});
TANDEM_FOR_EACH_DTYPE(TANDEM_DECLARE_POLYNOMIAL_GRID_)
#undef TANDEM_DECLARE_POLYNOMIAL_GRID_

// ---- on data in GPU memory (tandem/device.hpp) ----

/// out(r, j) = polynomial r of the grid at x[j], with x and out on the GPU. The table form
/// reads the parameter sets from a device matrix; the CartesianGrid form keeps its (small)
/// axes on the host and never materialises the grid.
TANDEM_EXPORT void polynomial_grid(ConstDeviceMatrix table, const DeviceBuffer& x, DeviceMatrix out,
                                   const Options& options = {});
#define TANDEM_DECLARE_DEVICE_GRID_(T, name)                                              \
  TANDEM_EXPORT void polynomial_grid(const CartesianGrid<T>& grid, const DeviceBuffer& x, \
                                     DeviceMatrix out, const Options& options = {});
TANDEM_FOR_EACH_DTYPE(TANDEM_DECLARE_DEVICE_GRID_)
#undef TANDEM_DECLARE_DEVICE_GRID_

}  // namespace tandem
