#pragma once
/// Reductions: sum, mean, min, max, and map_reduce (a map, then a reduction), for f32, f64, i32
/// and i64, on every backend.
///
///  - Floating point sums are computed in double (f32 input is widened first): pairwise on
///    openmp, the same pairwise tree as the mean squared error's, so every thread count gives the
///    same bits; compensated on serial and cuda. The error is at most (log2(n) +
///    24)·2^-53·sum(|x[i]|). The sum of nothing is 0.
///  - Integer sums are int64, wrapping modulo 2^64 (exact, in any order).
///  - mean(x) = sum(x) / n in double; the mean of nothing is a tandem::invalid_argument.
///  - min and max are exact and return the element type; a NaN anywhere makes the result NaN (as
///    numpy's np.min and np.max); -0.0 and +0.0 are equal (either may be returned). Empty input
///    is a tandem::invalid_argument.
///  - map_reduce(x, op, reduce) applies a built-in MapOp in the element type exactly as
///    tandem::map does, then reduces the mapped values as above: in double for floating point
///    (min/max: the mapped value, exactly), in wrapping int64 for integers. So
///    map_reduce(x, op, ReduceOp::sum()) is sum(map(x, op)) without the temporary.
///  - map_reduce(x, map, reduce, init) takes any C++ callables, on the CPU backends.
///
/// **Example** (the notebooks' "averaging numbers", and a sum of squares):
///   std::vector<double> x = ...;
///   double average = tandem::mean(x);
///   double squares = tandem::map_reduce(std::span<const double>(x), tandem::MapOp::square(),
///                                       tandem::ReduceOp::sum());
///   double biggest = tandem::map_reduce(std::span<const double>(x),
///                                       [](double v) { return std::abs(v); },
///                                       [](double a, double b) { return a < b ? b : a; }, 0.0);
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <ranges>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "tandem/callable.hpp"
#include "tandem/dtype.hpp"
#include "tandem/export.hpp"
#include "tandem/map_op.hpp"
#include "tandem/options.hpp"

namespace tandem {

/// The built-in reductions.
enum class ReduceKind {
  sum,  ///< sum in double (floating point) or wrapping int64 (integers)
  min,  ///< the smallest value; NaN if any is NaN
  max,  ///< the largest value; NaN if any is NaN
};

/// A built-in reduction, chosen at run time.
class ReduceOp {
 public:
  static constexpr ReduceOp sum() noexcept { return ReduceOp(ReduceKind::sum); }
  static constexpr ReduceOp min() noexcept { return ReduceOp(ReduceKind::min); }
  static constexpr ReduceOp max() noexcept { return ReduceOp(ReduceKind::max); }
  constexpr ReduceKind kind() const noexcept { return kind_; }

 private:
  constexpr explicit ReduceOp(ReduceKind kind) noexcept : kind_(kind) {}
  ReduceKind kind_;
};

/// "sum", "min", "max".
TANDEM_EXPORT std::string_view to_string(ReduceKind kind) noexcept;

/// What a sum or a map_reduce of T returns: double for f32/f64, int64 for i32/i64.
template <class T>
using reduce_result_t = std::conditional_t<std::is_floating_point_v<T>, double, std::int64_t>;

#define TANDEM_DECLARE_REDUCE_(T, name)                                                    \
  /** Sum of x (0 when empty). */                                                          \
  TANDEM_EXPORT reduce_result_t<T> sum(std::span<const T> x, const Options& options = {}); \
  /** sum(x) / x.size() in double; x must not be empty. */                                 \
  TANDEM_EXPORT double mean(std::span<const T> x, const Options& options = {});            \
  /** Smallest element (NaN if any is NaN); x must not be empty. */                        \
  TANDEM_EXPORT T min(std::span<const T> x, const Options& options = {});                  \
  /** Largest element (NaN if any is NaN); x must not be empty. */                         \
  TANDEM_EXPORT T max(std::span<const T> x, const Options& options = {});                  \
  /** reduce(map(x)): see the header's comment. min and max of nothing are errors. */      \
  TANDEM_EXPORT reduce_result_t<T> map_reduce(std::span<const T> x, const MapOp& map,      \
                                              ReduceOp reduce, const Options& options = {});
TANDEM_FOR_EACH_DTYPE(TANDEM_DECLARE_REDUCE_)
#undef TANDEM_DECLARE_REDUCE_

namespace detail {
/// Checks the span of a callable map_reduce (null data with a size, size overflow); throws
/// invalid_argument.
TANDEM_EXPORT void validate_callable_reduce(const void* x, std::size_t size, std::size_t elem);
}  // namespace detail

/// init ⊕ map(x[0]) ⊕ map(x[1]) ⊕ ... with any callables, on the CPU backends (serial or
/// openmp; automatic picks between them); init when x is empty. x is a contiguous range
/// (std::vector, std::span, arrays...).
///
/// On openmp each thread reduces its own contiguous part (starting from its first mapped
/// element), and the parts are then reduced into init in order: `reduce` must be associative
/// (a floating point `+` is, up to rounding: the result may then depend on the thread count).
/// `map` and `reduce` are called concurrently from several threads, so they must not mutate
/// shared state. If either throws, the first exception is rethrown after all parts stop.
// clang-format 14 cannot lay out requires-clauses:
// clang-format off
template <class X, class Map, class Reduce, class R>
  requires std::ranges::contiguous_range<X> && std::ranges::sized_range<X> &&
           (!std::is_same_v<std::remove_cvref_t<Map>, MapOp>) &&
           (!std::is_same_v<std::remove_cvref_t<Reduce>, ReduceOp>) &&
           std::invocable<Map&, const std::ranges::range_value_t<X>&> &&
           std::convertible_to<std::invoke_result_t<Map&, const std::ranges::range_value_t<X>&>,
                               R> &&
           std::invocable<Reduce&, R, R> &&
           std::is_assignable_v<R&, std::invoke_result_t<Reduce&, R, R>> &&
           std::movable<R>
R map_reduce(X&& x, Map map, Reduce reduce, R init, const Options& options = {}) {
  // clang-format on
  using In = std::ranges::range_value_t<X>;
  const In* xp = std::ranges::data(x);
  const auto n = std::ranges::size(x);
  detail::validate_callable_reduce(xp, n, sizeof(In));
  struct Context {
    const In* x;
    Map* map;
    Reduce* reduce;
    std::mutex lock{};
    std::vector<std::pair<std::int64_t, R>> parts{};
    std::atomic<bool> failed{false};
    std::exception_ptr error{};
  } ctx{xp, &map, &reduce};
  detail::parallel_for(
      "tandem::map_reduce", static_cast<std::int64_t>(n),
      [](void* c, std::int64_t begin, std::int64_t end) {
        auto& k = *static_cast<Context*>(c);
        try {
          R part(std::invoke(*k.map, k.x[begin]));
          for (std::int64_t i = begin + 1; i < end && !k.failed.load(std::memory_order_relaxed);
               ++i) {
            part = std::invoke(*k.reduce, std::move(part), R(std::invoke(*k.map, k.x[i])));
          }
          const std::lock_guard<std::mutex> guard(k.lock);
          k.parts.emplace_back(begin, std::move(part));
        } catch (...) {
          if (!k.failed.exchange(true)) k.error = std::current_exception();
        }
      },
      &ctx, options);
  if (ctx.error) std::rethrow_exception(ctx.error);
  std::sort(ctx.parts.begin(), ctx.parts.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& part : ctx.parts) init = std::invoke(reduce, std::move(init), std::move(part.second));
  return init;
}

}  // namespace tandem
