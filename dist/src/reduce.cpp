// mse, sum, mean, min and max over ranks, bit for bit the openmp backend's single-node result.
//
// The single-node sum is a tree fixed by the global n (cpu/kernels/pairwise.hpp): blocks of
// kSumBlock terms of the global index space, each summed by block_sum, then the block sums
// folded in binary-counter order (perfect trees over aligned power-of-two runs of blocks, then
// their roots folded from the right). Here:
//   1. one Allgather of the ranks' sizes (with the error flags) gives every rank all offsets;
//   2. block b belongs to the rank that holds its first term. A rank whose part starts inside
//      a block sends the terms it holds of that block (< kSumBlock doubles) to the block's
//      owner, so every block is summed whole, by the same kernel, on one rank;
//   3. each rank folds its run of block sums into the maximal aligned perfect subtrees it
//      contains (nodes of the global tree), and one Allgatherv gives every rank all the roots
//      (O(P log n) doubles);
//   4. every rank combines the roots exactly as pairwise_fold would, top down.
#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <vector>

#if TANDEM_HAS_OPENMP
#include <omp.h>
#endif

#include "comm.hpp"
#include "kernels/multiversion.hpp"
#include "kernels/pairwise.hpp"
#include "tandem/dist.hpp"

namespace tandem::dist::detail {
namespace {

using tandem::detail::block_sum;
using tandem::detail::kSumBlock;
using tandem::detail::pairwise_fold;

constexpr int kTermsTag = 11;

// One aligned perfect subtree of the block tree: blocks [start, start + 2^level).
struct Node {
  std::int64_t start;
  int level;
};

// Maximal aligned power-of-two runs covering [lo, hi), left to right.
std::vector<Node> decompose(std::int64_t lo, std::int64_t hi) {
  std::vector<Node> nodes;
  while (lo < hi) {
    int level = lo == 0 ? 62 : std::countr_zero(static_cast<std::uint64_t>(lo));
    while ((std::int64_t{1} << level) > hi - lo) --level;
    nodes.push_back({lo, level});
    lo += std::int64_t{1} << level;
  }
  return nodes;
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// The block kernels, multiversioned like the core's (cpu/kernels/cpu_kernels.cpp): block_sum of
// the terms over local indices [lo, hi). Every ISA level rounds alike (no contraction, no
// reassociation), so these are the core's mse_block_sum bit for bit.
template <class T>
TANDEM_MULTIVERSION double squares_block(const T* a, const T* b, std::int64_t lo, std::int64_t hi) {
  if (b == nullptr) {
    return block_sum(lo, hi, [a](std::int64_t i) {
      const double d = static_cast<double>(a[i]);
      return d * d;
    });
  }
  return block_sum(lo, hi, [a, b](std::int64_t i) {
    const double d = static_cast<double>(a[i]) - static_cast<double>(b[i]);
    return d * d;
  });
}
template <class T>
TANDEM_MULTIVERSION double values_block(const T* a, std::int64_t lo, std::int64_t hi) {
  return block_sum(lo, hi, [a](std::int64_t i) { return static_cast<double>(a[i]); });
}
TANDEM_MULTIVERSION double buffer_block_sum(const double* t, std::int64_t count) {
  return block_sum(0, count, [t](std::int64_t i) { return t[i]; });
}

// Block sums of whole blocks [b0, b1) lying inside this rank's part (local indices from `off`).
template <class BlockSum>
void local_block_sums(std::int64_t b0, std::int64_t b1, std::int64_t off, std::int64_t n,
                      const BlockSum& bsum, double* sums, int threads) {
  const auto one = [&](std::int64_t b) {
    sums[b - b0] = bsum(b * kSumBlock - off, std::min((b + 1) * kSumBlock, n) - off);
  };
#if TANDEM_HAS_OPENMP
  if (threads != 1 && b1 - b0 > 1) {
    const int team = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(static) num_threads(team)
    for (std::int64_t b = b0; b < b1; ++b) one(b);
    return;
  }
#else
  (void)threads;
#endif
  for (std::int64_t b = b0; b < b1; ++b) one(b);
}

// The openmp backend's pairwise sum of term(i) over the concatenation of the ranks' parts.
// offs: the ranks' offsets (P + 1 values); term(i) and bsum(lo, hi) take local indices.
template <class Term, class BlockSum>
double tree_sum(const Comm& c, const std::vector<std::int64_t>& offs, const Term& term,
                const BlockSum& bsum, int threads) {
  const int P = c.size();
  const int r = c.rank();
  const std::int64_t n = offs[P];
  if (n == 0) return 0.0;
  const std::int64_t nblocks = ceil_div(n, kSumBlock);
  // Blocks owned by rank s: those whose first term it holds.
  const auto owned = [&](int s) -> std::pair<std::int64_t, std::int64_t> {
    if (offs[s + 1] == offs[s]) return {0, 0};
    return {ceil_div(offs[s], kSumBlock), ceil_div(offs[s + 1], kSumBlock)};
  };
  const auto owner_of = [&](std::int64_t index) {  // the rank holding global index `index`
    return static_cast<int>(std::upper_bound(offs.begin(), offs.end(), index) - offs.begin()) - 1;
  };
  const std::int64_t off = offs[r];
  const std::int64_t end = offs[r + 1];
  const auto [lo, hi] = owned(r);

  // Step 2: the head (terms before this rank's first block boundary) goes to its block's owner;
  // the tail of this rank's last block comes from the ranks after it.
  std::vector<MPI_Request> requests;
  std::vector<double> head;
  if (end > off && off % kSumBlock != 0) {
    const std::int64_t head_end = std::min(end, ceil_div(off, kSumBlock) * kSumBlock);
    head.resize(static_cast<std::size_t>(head_end - off));
    for (std::int64_t i = 0; i < head_end - off; ++i) head[static_cast<std::size_t>(i)] = term(i);
    requests.emplace_back();
    c.check(
        MPI_Isend(head.data(), static_cast<int>(head.size()), MPI_DOUBLE,
                  owner_of((off / kSumBlock) * kSumBlock), kTermsTag, c.get(), &requests.back()),
        "MPI_Isend");
  }
  std::vector<double> last;  // this rank's last block when it continues on later ranks
  const std::int64_t last_end = hi > lo ? std::min(hi * kSumBlock, n) : 0;
  const bool partial_last = hi > lo && last_end > end;
  if (partial_last) {
    const std::int64_t last_lo = (hi - 1) * kSumBlock;
    last.resize(static_cast<std::size_t>(last_end - last_lo));
    std::int64_t at = end - last_lo;
    for (int s = r + 1; s < P && offs[s] < last_end; ++s) {
      const std::int64_t count = std::min(offs[s + 1], last_end) - offs[s];
      if (count == 0) continue;
      requests.emplace_back();
      c.check(MPI_Irecv(last.data() + at, static_cast<int>(count), MPI_DOUBLE, s, kTermsTag,
                        c.get(), &requests.back()),
              "MPI_Irecv");
      at += count;
    }
  }

  // Step 3 (overlapped with the exchange): the whole blocks, then the last one.
  std::vector<double> sums(static_cast<std::size_t>(hi - lo));
  const std::int64_t whole_hi = partial_last ? hi - 1 : hi;
  local_block_sums(lo, whole_hi, off, n, bsum, sums.data(), threads);
  if (!requests.empty()) {
    c.check(MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE),
            "MPI_Waitall");
  }
  if (partial_last) {
    const std::int64_t last_lo = (hi - 1) * kSumBlock;
    for (std::int64_t i = last_lo; i < end; ++i) {
      last[static_cast<std::size_t>(i - last_lo)] = term(i - off);
    }
    sums.back() = buffer_block_sum(last.data(), static_cast<std::int64_t>(last.size()));
  }

  // This rank's subtree roots, then everyone's.
  const std::vector<Node> mine = decompose(lo, hi);
  std::vector<double> roots(mine.size());
  for (std::size_t k = 0; k < mine.size(); ++k) {
    const double* s = sums.data() + (mine[k].start - lo);
    roots[k] =
        pairwise_fold(std::int64_t{1} << mine[k].level, [s](std::int64_t j) { return s[j]; });
  }
  std::vector<int> counts(static_cast<std::size_t>(P));
  std::vector<int> displs(static_cast<std::size_t>(P));
  std::vector<Node> nodes;
  for (int s = 0; s < P; ++s) {
    const auto [slo, shi] = owned(s);
    const std::vector<Node> theirs = decompose(slo, shi);
    displs[s] = static_cast<int>(nodes.size());
    counts[s] = static_cast<int>(theirs.size());
    nodes.insert(nodes.end(), theirs.begin(), theirs.end());
  }
  std::vector<double> all(nodes.size());
  c.check(MPI_Allgatherv(roots.data(), static_cast<int>(roots.size()), MPI_DOUBLE, all.data(),
                         counts.data(), displs.data(), MPI_DOUBLE, c.get()),
          "MPI_Allgatherv");

  // Step 4: pairwise_fold's tree over all blocks, its subtrees looked up where a rank gave one.
  std::map<std::int64_t, std::size_t> at_start;  // block -> index in nodes
  for (std::size_t k = 0; k < nodes.size(); ++k) at_start.emplace(nodes[k].start, k);
  const auto subtree = [&](auto&& self, std::int64_t start, int level) -> double {
    const auto it = at_start.find(start);
    if (it != at_start.end() && nodes[it->second].level == level) return all[it->second];
    if (level == 0) throw device_error("tandem::dist: the ranks' subtrees do not cover the blocks");
    const std::int64_t half = std::int64_t{1} << (level - 1);
    return self(self, start, level - 1) + self(self, start + half, level - 1);
  };
  std::vector<double> tops;  // binary-counter stack: one perfect tree per set bit, largest first
  std::int64_t start = 0;
  for (int level = 62; level >= 0; --level) {
    if ((nblocks >> level) & 1) {
      tops.push_back(subtree(subtree, start, level));
      start += std::int64_t{1} << level;
    }
  }
  double total = tops.back();
  for (std::size_t k = tops.size() - 1; k-- > 0;) total = tops[k] + total;
  return total;
}

std::vector<std::int64_t> offsets_of(const std::vector<Status>& all) {
  std::vector<std::int64_t> offs(all.size() + 1, 0);
  for (std::size_t s = 0; s < all.size(); ++s) offs[s + 1] = offs[s] + all[s].v[0];
  return offs;
}

int threads_of(const Options& options) {
  return options.backend == Backend::serial ? 1 : options.threads;
}

// Options::stats of a reduction: the tree runs on openmp's threads (one for serial); integer
// sums and extremes are one loop per rank.
void report(const Options& options, std::chrono::steady_clock::time_point start, int threads,
            const char* what) {
  if (options.stats == nullptr) return;
  Stats s;
  s.requested = options.backend.value_or(Backend::automatic);
  s.backend = threads == 1 ? Backend::serial : Backend::openmp;
#if TANDEM_HAS_OPENMP
  s.threads = threads > 0 ? threads : omp_get_max_threads();
#else
  s.threads = 1;
  s.backend = Backend::serial;
#endif
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  s.compute_seconds = s.seconds;
  s.reason = what;
  *options.stats = s;
}

constexpr const char* kTreeReason =
    "tandem::dist: the openmp backend's pairwise tree over the ranks (same bits as one node)";

template <class T>
void check_span(const char* fn, const char* name, std::span<const T> s) {
  if (s.data() == nullptr && !s.empty()) {
    (void)fn;  // the collective error names the function and the rank
    throw invalid_argument(std::string(name) + " has " + std::to_string(s.size()) +
                           " elements but a null data pointer");
  }
}

// Sum of the float terms over all ranks: the opening exchange (carrying this rank's `error` from
// its local checks, if any), then the tree.
template <class Term, class BlockSum>
double float_sum(const Comm& c, Op op, std::int64_t dtype, std::int64_t local_n,
                 const Options& options, std::exception_ptr error, const Term& term,
                 const BlockSum& bsum, std::int64_t* total_n) {
  const std::int64_t v[4] = {local_n, 0, 0, 0};
  const std::vector<Status> all = c.open(op, dtype, v, error);
  const std::vector<std::int64_t> offs = offsets_of(all);
  *total_n = offs.back();
  if ((op == Op::mse || op == Op::mse2 || op == Op::mean) && *total_n == 0) {
    c.fail_all(errc::invalid_argument,
               "the data is empty on every rank (the mean of nothing is undefined)");
  }
  return tree_sum(c, offs, term, bsum, threads_of(options));
}

template <class T>
double mse_impl(std::span<const T> a, const std::span<const T>* b, MPI_Comm comm,
                const Options& options) {
  constexpr const char* kFn = "tandem::dist::mse";
  const auto start = std::chrono::steady_clock::now();
  const Comm c(kFn, comm);
  std::exception_ptr error;
  try {
    check_threads(kFn, options.threads);
    check_span(kFn, b != nullptr ? "a" : "errors", a);
    if (b != nullptr) {
      check_span(kFn, "b", *b);
      if (a.size() != b->size()) {
        throw invalid_argument("a.size() is " + std::to_string(a.size()) + " but b.size() is " +
                               std::to_string(b->size()) + " (they must be equal on each rank)");
      }
    }
  } catch (...) {
    error = std::current_exception();
  }
  std::int64_t n = 0;
  double total = 0.0;
  const Op op = b != nullptr ? Op::mse2 : Op::mse;
  const auto local_n = static_cast<std::int64_t>(a.size());
  if (b == nullptr) {
    const T* x = a.data();
    total = float_sum(
        c, op, dtype_code<T>(), local_n, options, error,
        [x](std::int64_t i) {
          const double d = static_cast<double>(x[i]);
          return d * d;
        },
        [x](std::int64_t lo, std::int64_t hi) { return squares_block<T>(x, nullptr, lo, hi); }, &n);
  } else {
    const T* x = a.data();
    const T* y = b->data();
    total = float_sum(
        c, op, dtype_code<T>(), local_n, options, error,
        [x, y](std::int64_t i) {
          const double d = static_cast<double>(x[i]) - static_cast<double>(y[i]);
          return d * d;
        },
        [x, y](std::int64_t lo, std::int64_t hi) { return squares_block<T>(x, y, lo, hi); }, &n);
  }
  report(options, start, threads_of(options), kTreeReason);
  return total / static_cast<double>(n);
}

template <class T>
double float_sum_impl(const char* fn, Op op, std::span<const T> x, MPI_Comm comm,
                      const Options& options, std::int64_t* n) {
  const auto start = std::chrono::steady_clock::now();
  const Comm c(fn, comm);
  std::exception_ptr error;
  try {
    check_threads(fn, options.threads);
    check_span(fn, "local", x);
  } catch (...) {
    error = std::current_exception();
  }
  const T* p = x.data();
  const double total = float_sum(
      c, op, dtype_code<T>(), static_cast<std::int64_t>(x.size()), options, error,
      [p](std::int64_t i) { return static_cast<double>(p[i]); },
      [p](std::int64_t lo, std::int64_t hi) { return values_block<T>(p, lo, hi); }, n);
  report(options, start, threads_of(options), kTreeReason);
  return total;
}

// Integer sum: local wrapping sum, exchanged in the opening Allgather and added in rank order.
template <class T>
std::int64_t int_sum_impl(const char* fn, Op op, std::span<const T> x, MPI_Comm comm,
                          const Options& options, std::int64_t* n) {
  const auto start = std::chrono::steady_clock::now();
  const Comm c(fn, comm);
  std::exception_ptr error;
  std::uint64_t local = 0;
  try {
    check_threads(fn, options.threads);
    check_span(fn, "local", x);
    for (const T v : x) local += static_cast<std::uint64_t>(static_cast<std::int64_t>(v));
  } catch (...) {
    error = std::current_exception();
  }
  const std::int64_t v[4] = {static_cast<std::int64_t>(x.size()), static_cast<std::int64_t>(local),
                             0, 0};
  const std::vector<Status> all = c.open(op, dtype_code<T>(), v, error);
  std::uint64_t total = 0;
  *n = 0;
  for (const Status& s : all) {
    total += static_cast<std::uint64_t>(s.v[1]);
    *n += s.v[0];
  }
  if (op == Op::mean && *n == 0) {
    c.fail_all(errc::invalid_argument,
               "the data is empty on every rank (the mean of nothing is undefined)");
  }
  report(options, start, 1, "tandem::dist: wrapping int64 sum of the ranks' sums");
  return static_cast<std::int64_t>(total);
}

// min or max: each rank's extreme (as f64 bits, or the integer) travels in the opening exchange.
template <class T, bool kMax>
T extreme_impl(std::span<const T> x, MPI_Comm comm, const Options& options) {
  const char* fn = kMax ? "tandem::dist::max" : "tandem::dist::min";
  const auto start = std::chrono::steady_clock::now();
  const Comm c(fn, comm);
  std::exception_ptr error;
  T best{};
  bool nan = false;
  try {
    check_threads(fn, options.threads);
    check_span(fn, "local", x);
    if (!x.empty()) {
      best = x[0];
      for (const T v : x) {
        if constexpr (std::is_floating_point_v<T>) {
          if (std::isnan(v)) {
            nan = true;
            break;
          }
        }
        best = kMax ? std::max(best, v) : std::min(best, v);
      }
    }
  } catch (...) {
    error = std::current_exception();
  }
  std::int64_t bits = 0;
  if constexpr (std::is_floating_point_v<T>) {
    bits = std::bit_cast<std::int64_t>(static_cast<double>(best));
  } else {
    bits = static_cast<std::int64_t>(best);
  }
  const std::int64_t v[4] = {static_cast<std::int64_t>(x.size()), bits, nan ? 1 : 0, 0};
  const std::vector<Status> all = c.open(kMax ? Op::max : Op::min, dtype_code<T>(), v, error);
  bool any = false;
  T result{};
  for (const Status& s : all) {
    if (s.v[0] == 0) continue;
    if (s.v[2] != 0) {
      if constexpr (std::is_floating_point_v<T>) {
        report(options, start, 1, "tandem::dist: the ranks' extremes");
        return std::numeric_limits<T>::quiet_NaN();
      }
    }
    T value;
    if constexpr (std::is_floating_point_v<T>) {
      value = static_cast<T>(std::bit_cast<double>(s.v[1]));
    } else {
      value = static_cast<T>(s.v[1]);
    }
    result = !any ? value : (kMax ? std::max(result, value) : std::min(result, value));
    any = true;
  }
  if (!any) {
    c.fail_all(errc::invalid_argument, std::string("the data is empty on every rank (the ") +
                                           (kMax ? "max" : "min") + " of nothing is undefined)");
  }
  report(options, start, 1, "tandem::dist: the ranks' extremes");
  return result;
}

}  // namespace
}  // namespace tandem::dist::detail

namespace tandem::dist {

#define TANDEM_DIST_DEFINE_MSE_(T)                                                                \
  double mse(std::span<const T> local, MPI_Comm comm, const Options& options) {                   \
    return detail::mse_impl<T>(local, nullptr, comm, options);                                    \
  }                                                                                               \
  double mse(std::span<const T> a, std::span<const T> b, MPI_Comm comm, const Options& options) { \
    return detail::mse_impl<T>(a, &b, comm, options);                                             \
  }
TANDEM_DIST_DEFINE_MSE_(float)
TANDEM_DIST_DEFINE_MSE_(double)
#undef TANDEM_DIST_DEFINE_MSE_

double sum(std::span<const float> local, MPI_Comm comm, const Options& options) {
  std::int64_t n = 0;
  return detail::float_sum_impl("tandem::dist::sum", detail::Op::sum, local, comm, options, &n);
}
double sum(std::span<const double> local, MPI_Comm comm, const Options& options) {
  std::int64_t n = 0;
  return detail::float_sum_impl("tandem::dist::sum", detail::Op::sum, local, comm, options, &n);
}
std::int64_t sum(std::span<const std::int32_t> local, MPI_Comm comm, const Options& options) {
  std::int64_t n = 0;
  return detail::int_sum_impl("tandem::dist::sum", detail::Op::sum, local, comm, options, &n);
}
std::int64_t sum(std::span<const std::int64_t> local, MPI_Comm comm, const Options& options) {
  std::int64_t n = 0;
  return detail::int_sum_impl("tandem::dist::sum", detail::Op::sum, local, comm, options, &n);
}

#define TANDEM_DIST_DEFINE_STATS_(T)                                                               \
  double mean(std::span<const T> local, MPI_Comm comm, const Options& options) {                   \
    std::int64_t n = 0;                                                                            \
    if constexpr (std::is_floating_point_v<T>) {                                                   \
      const double s = detail::float_sum_impl("tandem::dist::mean", detail::Op::mean, local, comm, \
                                              options, &n);                                        \
      return s / static_cast<double>(n);                                                           \
    } else {                                                                                       \
      const std::int64_t s =                                                                       \
          detail::int_sum_impl("tandem::dist::mean", detail::Op::mean, local, comm, options, &n);  \
      return static_cast<double>(s) / static_cast<double>(n);                                      \
    }                                                                                              \
  }                                                                                                \
  T min(std::span<const T> local, MPI_Comm comm, const Options& options) {                         \
    return detail::extreme_impl<T, false>(local, comm, options);                                   \
  }                                                                                                \
  T max(std::span<const T> local, MPI_Comm comm, const Options& options) {                         \
    return detail::extreme_impl<T, true>(local, comm, options);                                    \
  }
TANDEM_DIST_DEFINE_STATS_(float)
TANDEM_DIST_DEFINE_STATS_(double)
TANDEM_DIST_DEFINE_STATS_(std::int32_t)
TANDEM_DIST_DEFINE_STATS_(std::int64_t)
#undef TANDEM_DIST_DEFINE_STATS_

}  // namespace tandem::dist
