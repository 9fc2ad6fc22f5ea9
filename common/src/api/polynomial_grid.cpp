// tandem::polynomial_grid entry points: validate the grid, x and out, dispatch.
#include <memory>
#include <vector>

#include "checks/device_checks.hpp"
#include "checks/validate.hpp"
#include "checks/verify_tools.hpp"
#include "dispatch/dispatch.hpp"
#include "tandem/polynomial_grid.hpp"
#include "workloads/sample_data.hpp"
#include "workloads/workload_traits.hpp"

namespace tandem {

namespace detail {
namespace {

// Runs the backend into scratch, serial on the same inputs, and commits the backend's result
// once the two agree within the bound (checks/verify.hpp).
void verified_polynomial_grid(const char* function, BackendImpl& backend, const Exec& exec,
                              const PolynomialGridArgs& args, Verification& v) {
  if (args.sets <= 0 || args.nx <= 0) return;  // nothing to compute (as the unverified call)
  visit_dtype(args.dtype, [&]<class T>() {
    const auto cells = static_cast<std::size_t>(args.sets) * static_cast<std::size_t>(args.nx);
    const HostCopy table =
        host_operand(function, args.table, args.sets, args.ncoef, args.ldt, sizeof(T), exec.device);
    const HostCopy x = host_operand(function, args.x, 1, args.nx, args.nx, sizeof(T), exec.device);
    Scratch out(function, cells * sizeof(T), exec.device);
    PolynomialGridArgs b = args;
    b.out = out.data();
    b.ldo = args.nx;
    timed(v, [&] { run_on<tandem::Workload::polynomial_grid>(backend, b, exec); });
    std::vector<T> want(cells);
    PolynomialGridArgs s = args;  // the axes of a CartesianGrid are host memory already
    s.table = table.data;
    s.x = x.data;
    s.out = want.data();
    s.ldo = args.nx;
    run_on<tandem::Workload::polynomial_grid>(serial_backend(), s, serial_exec());
    const T* got = reinterpret_cast<const T*>(out.host());
    const Worst w = compare<T>(
        got, want.data(), args.sets, args.nx, [](auto, auto) { return 0.0; }, true, v);
    if (w.mismatches > 0) {
      mismatch(function, backend.kind(), "polynomial_grid", args.dtype,
               at_cell("out", w.row, w.col), w, v.compared, "exact: every backend rounds alike");
    }
    commit(function, args.out, args.ldo, reinterpret_cast<const std::byte*>(got), args.sets,
           args.nx, sizeof(T), exec.device);
  });
}

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
  PolynomialGridArgs args{dtype_of<T>,
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
  const Call call{
      kGrid, Problem::polynomial_grid(dtype_of<T>, g.sets, nx, g.ncoef, g.table.data != nullptr)};
  // An empty result needs no backend work: skipping it spares the per-thread coefficient
  // scratch, whose size follows the declared table width even when the table has no rows.
  run(
      call, options, start,
      [&](BackendImpl& b, const Exec& e) {
        if (args.sets > 0 && args.nx > 0) run_on<tandem::Workload::polynomial_grid>(b, args, e);
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
  PolynomialGridArgs args{dtype,
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
  const Call call{kGrid,
                  on_device(Problem::polynomial_grid(dtype, sets, nx, ncoef, table != nullptr))};
  run(
      call, options, start,
      [&](BackendImpl& b, const Exec& e) { run_on<tandem::Workload::polynomial_grid>(b, args, e); },
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

// ---- what polynomial_grid is: its Problem, cost-model defaults, calibration sizes, sample ----

Problem Problem::polynomial_grid(DType dtype, std::int64_t sets, std::int64_t nx,
                                 std::int64_t ncoef, bool table) {
  const auto ds = static_cast<double>(sets), dx = static_cast<double>(nx),
             dc = static_cast<double>(ncoef);
  return {Workload::polynomial_grid, dtype, ds * dx * dc,
          ((table ? ds * dc : 0.0) + dx + ds * dx) *
              detail::checked_size("tandem::Problem::polynomial_grid", dtype)};
}

namespace detail {

template <>
const WorkloadTraits& traits_of<tandem::Workload::polynomial_grid>() {
  static const WorkloadTraits t{
      .has_dtype = any_dtype,
      .problem =
          [](DType d, const WorkloadSize& s) {
            return Problem::polynomial_grid(d, s.n, s.nx, s.ncoef);
          },
      .input_fraction = 0.1,  // x (and a table) in, the grid of values out
      // Serial and openmp: 2 cores of an AVX-512 Xeon (bench/results/).
      .serial_default =
          [](DType) {
            return Default{0.5e-6, 0.6e-9};
          },
      .openmp_default =
          [](DType) {
            return Default{2.5e-6, 0.06e-9};
          },
      .cuda_default =
          [](DType d) {
            return Default{kCudaOverhead, size_of(d) == 4 ? 1e-12 : 2e-12};
          },
      // k^4 sets: balanced Cartesian grids of 4 axes, as the notebook's 10^4.
      .cpu_sizes =
          [](bool quick) {
            std::vector<std::int64_t> v{1, 2, 4, 16, 81, 256, 625, 1296, 4096, 10000};
            if (!quick) v.push_back(28561);
            return v;
          },
      .gpu_sizes =
          [] {
            return std::vector<std::int64_t>{50625, 160000, 1048576};
          },
      .sample_bytes =
          [](DType d, const WorkloadSize& s) {
            const auto n = static_cast<double>(s.n), nx = static_cast<double>(s.nx);
            return (n * nx + n + nx + static_cast<double>(s.ncoef)) *  // out, axes, x
                   static_cast<double>(size_of(d));
          },
      .sample =
          [](DType d, const WorkloadSize& s) {
            return visit_dtype(d, [&]<class T>() {
              // n parameter sets as a grid of axes as equal as n's divisors allow (10^4: 10 per
              // axis).
              std::vector<std::vector<T>> axes;
              unsigned seed = 4 + static_cast<unsigned>(s.ncoef);
              for (std::int64_t size : balanced_axes(s.n, s.ncoef)) {
                axes.push_back(sample_values<T>(size, seed--));
              }
              auto g = std::make_shared<const CartesianGrid<T>>(std::move(axes));
              auto x = std::make_shared<const std::vector<T>>(linspace(T(-2), T(2), s.nx));
              auto out = std::make_shared<Matrix<T>>(s.n, s.nx);
              return SampleCall{
                  Problem::polynomial_grid(d, s.n, s.nx, s.ncoef),
                  [g, x, out](const Options& o) {
                    tandem::polynomial_grid(*g, std::span<const T>(*x), out->view(), o);
                  },
                  [out] { return sample_checksum(out->data(), out->rows() * out->cols()); }};
            });
          },
      .cli = {10000, kMaxSampleElements, true, false,
              "N parameter sets of a Cartesian grid at X points"},
  };
  return t;
}

}  // namespace detail

}  // namespace tandem
