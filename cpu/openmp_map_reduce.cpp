// map_reduce on openmp. Float sums: the fixed pairwise tree of kernels/blocked_sum.hpp (mse's),
// so every thread count gives the same bits.
// Integer sums (wrapping) and min/max (exact) are order-free: one static range per thread,
// partial results combined once. A call of at most one block, or on one thread, runs on the
// calling thread without a parallel region. The loops (kernels/reduce.hpp) are multiversioned.
#include <omp.h>

#include <cstdint>
#include <type_traits>
#include <vector>

#include "kernels/blocked_sum.hpp"
#include "kernels/multiversion.hpp"
#include "kernels/partition.hpp"
#include "kernels/reduce.hpp"
#include "openmp_backend.hpp"

namespace tandem::detail::openmp {

namespace {

using ReduceArgs = Args<tandem::Workload::map_reduce>;

/// A partial result: `value` for floating point (a min/max exactly), `integer` for integers
/// (a wrapping sum or a min/max).
struct Partial {
  double value = 0.0;
  std::int64_t integer = 0;
};

// Calls f(x, op) with the typed input and the map's functor.
template <class T, class F>
decltype(auto) with_map(const ReduceArgs& a, F&& f) {
  return visit_map<T>(a.mapped, a.kind, static_cast<const T*>(a.params), a.nparams,
                      [&](auto op) { return f(static_cast<const T*>(a.x), op); });
}

// The pairwise sum of block [lo, hi) of a floating point input.
TANDEM_MULTIVERSION
double float_block_sum(const ReduceArgs& a, std::int64_t lo, std::int64_t hi) {
  return visit_float_dtype(a.dtype, [&]<class T>() {
    return with_map<T>(a, [&](const T* x, auto op) { return mapped_block_sum(x, lo, hi, op); });
  });
}

// The wrapping sum, or the min/max, of [lo, hi) (hi > lo for min/max).
TANDEM_MULTIVERSION
Partial range_reduce(const ReduceArgs& a, std::int64_t lo, std::int64_t hi) {
  return visit_dtype(a.dtype, [&]<class T>() {
    return with_map<T>(a, [&](const T* x, auto op) {
      Partial p;
      if constexpr (std::is_integral_v<T>) {
        if (a.reduce == ReduceKind::sum) {
          p.integer = static_cast<std::int64_t>(mapped_int_sum(x, lo, hi, op));
        } else if (a.reduce == ReduceKind::max) {
          p.integer = mapped_extreme<true>(x, lo, hi, op);
        } else {
          p.integer = mapped_extreme<false>(x, lo, hi, op);
        }
      } else if (a.reduce == ReduceKind::max) {
        p.value = static_cast<double>(mapped_extreme<true>(x, lo, hi, op));
      } else {
        p.value = static_cast<double>(mapped_extreme<false>(x, lo, hi, op));
      }
      return p;
    });
  });
}

Partial combine(const ReduceArgs& a, Partial x, Partial y) {
  switch (a.reduce) {
    case ReduceKind::sum:
      x.integer = static_cast<std::int64_t>(static_cast<std::uint64_t>(x.integer) +
                                            static_cast<std::uint64_t>(y.integer));
      return x;
    case ReduceKind::min:
      return {combine_extreme<false>(x.value, y.value),
              combine_extreme<false>(x.integer, y.integer)};
    case ReduceKind::max:
      break;
  }
  return {combine_extreme<true>(x.value, y.value), combine_extreme<true>(x.integer, y.integer)};
}

bool is_float(DType d) { return d == DType::f32 || d == DType::f64; }

}  // namespace

void map_reduce(ReduceArgs& a, const Exec& exec) {
  a.value = 0.0;
  a.integer = 0;
  if (a.n == 0) return;  // an empty sum (min/max of nothing never gets here)
  const bool sequential = exec.threads == 1 || a.n <= kSumBlock;
  if (a.reduce == ReduceKind::sum && is_float(a.dtype)) {
    a.value = blocked_pairwise_sum(
        a.n, sequential ? 1 : exec.threads,
        [&](std::int64_t lo, std::int64_t hi) { return float_block_sum(a, lo, hi); });
    return;
  }
  Partial result;
  if (sequential) {
    result = range_reduce(a, 0, a.n);
  } else {
    std::vector<Partial> parts(static_cast<std::size_t>(exec.threads));
    std::vector<char> done(static_cast<std::size_t>(exec.threads), 0);
#pragma omp parallel num_threads(exec.threads)
    {
      const int t = omp_get_thread_num();
      const auto [lo, hi] = static_range(a.n, omp_get_num_threads(), t, kSumBlock);
      if (lo < hi) {
        parts[static_cast<std::size_t>(t)] = range_reduce(a, lo, hi);
        done[static_cast<std::size_t>(t)] = 1;
      }
    }
    bool first = true;
    for (std::size_t t = 0; t < parts.size(); ++t) {
      if (!done[t]) continue;
      result = first ? parts[t] : combine(a, result, parts[t]);
      first = false;
    }
  }
  a.value = result.value;
  a.integer = result.integer;
}

}  // namespace tandem::detail::openmp
