// tandem::polynomial_grid entry points: validate the grid, x and out, dispatch.
#include <vector>

#include "checks/device_checks.hpp"
#include "dispatch/dispatch.hpp"
#include "tandem/polynomial_grid.hpp"
#include "checks/validate.hpp"

namespace tandem {

namespace detail {
namespace {

constexpr const char* kGrid = "tandem::polynomial_grid";

// The grid as the backends see it; for a CartesianGrid, the axis pointers and sizes.
template <class T>
struct GridDesc {
  std::int64_t sets = 0;
  std::int64_t ncoef = 0;
  MatrixView<const T> table{};
  std::vector<const void*> axes;
  std::vector<std::int64_t> sizes;
};

template <class T>
GridDesc<T> describe(MatrixView<const T> table) {
  check_matrix(kGrid, "table", raw(table));
  if (table.cols == 0) {
    fail(kGrid, "table is " + shape(raw(table)) +
                    ": a parameter set needs at least 1 coefficient (table.cols >= 1)");
  }
  GridDesc<T> g;
  g.sets = table.rows;
  g.ncoef = table.cols;
  g.table = table;
  return g;
}

template <class T>
GridDesc<T> describe(const CartesianGrid<T>& grid) {
  GridDesc<T> g;
  g.ncoef = grid.coefficients();
  if (g.ncoef == 0) fail(kGrid, "grid has 0 axes (a parameter set needs at least 1 coefficient)");
  g.sets = 1;
  for (const auto& axis : grid.axes()) {
    const auto n = static_cast<std::int64_t>(axis.size());
    if (__builtin_mul_overflow(g.sets, n, &g.sets)) {
      fail(kGrid, "grid has more parameter sets than fit in 64 bits (" + std::to_string(g.ncoef) +
                      " axes)");
    }
    g.axes.push_back(axis.data());
    g.sizes.push_back(n);
  }
  return g;
}

template <class T>
void check_x(std::span<const T> x) {
  check_span(kGrid, "x", x.data(), x.size(), sizeof(T));
}

template <class T>
void run_grid(const GridDesc<T>& g, std::span<const T> x, MatrixView<T> out, const Options& options,
              std::chrono::steady_clock::time_point start) {
  check_matrix(kGrid, "out", raw(out));
  const auto nx = static_cast<std::int64_t>(x.size());
  if (out.rows != g.sets || out.cols != nx) {
    fail(kGrid, "out is " + shape(raw(out)) + " but the grid has " + std::to_string(g.sets) +
                    " parameter sets and x has " + std::to_string(nx) +
                    " values (out must be sets x x.size())");
  }
  check_disjoint(kGrid, "out", raw(out), "x", raw_span(x.data(), x.size(), sizeof(T)));
  if (g.table.data != nullptr) check_disjoint(kGrid, "out", raw(out), "table", raw(g.table));
  const PolynomialGridArgs args{dtype_of<T>,
                                g.sets,
                                g.ncoef,
                                g.table.data,
                                g.table.ld,
                                g.axes.empty() ? nullptr : g.axes.data(),
                                g.sizes.empty() ? nullptr : g.sizes.data(),
                                x.data(),
                                nx,
                                out.data,
                                out.ld};
  const double work =
      static_cast<double>(g.sets) * static_cast<double>(nx) * static_cast<double>(g.ncoef);
  const double table_values =
      g.table.data != nullptr ? static_cast<double>(g.sets) * static_cast<double>(g.ncoef) : 0.0;
  const double bytes = (table_values + static_cast<double>(nx) +
                        static_cast<double>(g.sets) * static_cast<double>(nx)) *
                       sizeof(T);
  const Call call{kGrid, Workload::polynomial_grid, dtype_of<T>, work, bytes};
  // An empty result needs no backend work: skipping it spares the per-thread coefficient
  // scratch, whose size follows the declared table width even when the table has no rows.
  run(
      call, options, start,
      [&](BackendImpl& b, const Exec& e) {
        if (args.sets > 0 && args.nx > 0) b.polynomial_grid(args, e);
      },
      [&](BackendImpl& b, const Exec& e, Verification& v) {
        verified_polynomial_grid(kGrid, b, e, args, v);
      });
}

template <class T, class Grid>
void grid_into(const Grid& grid, std::span<const T> x, MatrixView<T> out, const Options& options) {
  const auto start = std::chrono::steady_clock::now();
  check_options(kGrid, options);
  const GridDesc<T> g = describe(grid);
  check_x(x);
  run_grid(g, x, out, options, start);
}

template <class T, class Grid>
Matrix<T> grid_alloc(const Grid& grid, std::span<const T> x, const Options& options) {
  const auto start = std::chrono::steady_clock::now();
  check_options(kGrid, options);
  const GridDesc<T> g = describe(grid);
  check_x(x);
  Matrix<T> out = allocate_matrix<T>(kGrid, g.sets, static_cast<std::int64_t>(x.size()));
  run_grid<T>(g, x, out, options, start);
  return out;
}

// The device forms: x and out (and a table) in GPU memory; a CartesianGrid's axes stay on the host.
void run_device_grid(DType dtype, std::int64_t sets, std::int64_t ncoef, const RawMatrix* table,
                     const std::vector<const void*>* axes, const std::vector<std::int64_t>* sizes,
                     const DeviceBuffer& x, DeviceMatrix out, const Options& options,
                     std::chrono::steady_clock::time_point start) {
  check_dtype(kGrid, "x", x, dtype);
  const RawMatrix o = device_raw(kGrid, "out", out);
  check_dtype(kGrid, "out.buffer", *out.buffer, dtype);
  const std::int64_t nx = x.size();
  if (o.rows != sets || o.cols != nx) {
    fail(kGrid, "out is " + shape(o) + " but the grid has " + std::to_string(sets) +
                    " parameter sets and x has " + std::to_string(nx) +
                    " values (out must be sets x x.size())");
  }
  check_disjoint(kGrid, "out", o, "x", device_raw(x));
  if (table != nullptr) check_disjoint(kGrid, "out", o, "table", *table);
  const PolynomialGridArgs args{dtype,
                                sets,
                                ncoef,
                                table != nullptr ? table->data : nullptr,
                                table != nullptr ? table->ld : 0,
                                axes != nullptr ? axes->data() : nullptr,
                                sizes != nullptr ? sizes->data() : nullptr,
                                x.data(),
                                nx,
                                const_cast<void*>(o.data),  // out.buffer's memory: writable
                                o.ld};
  const double elem = static_cast<double>(dtype_size(dtype));
  const double work =
      static_cast<double>(sets) * static_cast<double>(nx) * static_cast<double>(ncoef);
  const double table_values =
      table != nullptr ? static_cast<double>(sets) * static_cast<double>(ncoef) : 0.0;
  const double bytes = (table_values + static_cast<double>(nx) +
                        static_cast<double>(sets) * static_cast<double>(nx)) *
                       elem;
  const Call call{kGrid, Workload::polynomial_grid, dtype, work, bytes, true};
  run(
      call, options, start, [&](BackendImpl& b, const Exec& e) { b.polynomial_grid(args, e); },
      [&](BackendImpl& b, const Exec& e, Verification& v) {
        verified_polynomial_grid(kGrid, b, e, args, v);
      });
}

void grid_device(ConstDeviceMatrix table, const DeviceBuffer& x, DeviceMatrix out,
                 const Options& options) {
  const auto start = std::chrono::steady_clock::now();
  check_options(kGrid, options);
  const RawMatrix t = device_raw(kGrid, "table", table);
  if (t.cols == 0) {
    fail(kGrid, "table is " + shape(t) +
                    ": a parameter set needs at least 1 coefficient (table.cols >= 1)");
  }
  run_device_grid(table.buffer->dtype(), t.rows, t.cols, &t, nullptr, nullptr, x, out, options,
                  start);
}

template <class T>
void grid_device(const CartesianGrid<T>& grid, const DeviceBuffer& x, DeviceMatrix out,
                 const Options& options) {
  const auto start = std::chrono::steady_clock::now();
  check_options(kGrid, options);
  const GridDesc<T> g = describe(grid);
  run_device_grid(dtype_of<T>, g.sets, g.ncoef, nullptr, &g.axes, &g.sizes, x, out, options, start);
}

}  // namespace
}  // namespace detail

#define TANDEM_DEFINE_GRID_(T, name)                                                             \
  void polynomial_grid(MatrixView<const T> table, std::span<const T> x, MatrixView<T> out,       \
                       const Options& o) {                                                       \
    detail::grid_into<T>(table, x, out, o);                                                      \
  }                                                                                              \
  void polynomial_grid(const CartesianGrid<T>& grid, std::span<const T> x, MatrixView<T> out,    \
                       const Options& o) {                                                       \
    detail::grid_into<T>(grid, x, out, o);                                                       \
  }                                                                                              \
  Matrix<T> polynomial_grid(MatrixView<const T> table, std::span<const T> x, const Options& o) { \
    return detail::grid_alloc<T>(table, x, o);                                                   \
  }                                                                                              \
  Matrix<T> polynomial_grid(const CartesianGrid<T>& grid, std::span<const T> x,                  \
                            const Options& o) {                                                  \
    return detail::grid_alloc<T>(grid, x, o);                                                    \
  }
TANDEM_FOR_EACH_DTYPE(TANDEM_DEFINE_GRID_)
#undef TANDEM_DEFINE_GRID_

void polynomial_grid(ConstDeviceMatrix table, const DeviceBuffer& x, DeviceMatrix out,
                     const Options& o) {
  detail::grid_device(table, x, out, o);
}
#define TANDEM_DEFINE_DEVICE_GRID_(T, name)                                                   \
  void polynomial_grid(const CartesianGrid<T>& grid, const DeviceBuffer& x, DeviceMatrix out, \
                       const Options& o) {                                                    \
    detail::grid_device<T>(grid, x, out, o);                                                  \
  }
TANDEM_FOR_EACH_DTYPE(TANDEM_DEFINE_DEVICE_GRID_)
#undef TANDEM_DEFINE_DEVICE_GRID_

}  // namespace tandem
