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

#include "tandem/callable.hpp"
#include "tandem/device.hpp"
#include "tandem/dtype.hpp"
#include "tandem/export.hpp"
#include "tandem/map_op.hpp"
#include "tandem/options.hpp"

namespace tandem {

/// y[i] = op(x[i]) for i < x.size(). y.size() must equal x.size(); y may be x itself.
#define TANDEM_DECLARE_MAP_(T, name)                                            \
  TANDEM_EXPORT void map(std::span<const T> x, std::span<T> y, const MapOp& op, \
                         const Options& options = {});
TANDEM_FOR_EACH_DTYPE(TANDEM_DECLARE_MAP_)
#undef TANDEM_DECLARE_MAP_

namespace detail {
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

// ---- on data in GPU memory (tandem/device.hpp) ----

/// y[i] = op(x[i]) on the GPU. Same rules as the host overloads: equal sizes and dtypes; y may
/// be x itself.
TANDEM_EXPORT void map(const DeviceBuffer& x, DeviceBuffer& y, const MapOp& op,
                       const Options& options = {});

}  // namespace tandem
