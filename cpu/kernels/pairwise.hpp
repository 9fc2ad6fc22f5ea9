#pragma once
// Blocked pairwise summation with a shape fixed by n alone, so any split of the blocks across
// threads gives the same bits. Leaves of kLeaf terms are summed in 8 interleaved lanes (which
// vectorises without reassociation), leaves and blocks are combined as a binary counter does:
// perfect binary trees, then the remainders folded from the right.
#include <cstdint>

namespace tandem::detail {

inline constexpr std::int64_t kSumLeaf = 128;    // terms per leaf
inline constexpr std::int64_t kSumBlock = 8192;  // terms per block (a unit of parallel work)

/// Pairwise sum of values v(0), ..., v(count - 1) (count >= 1): binary-counter order.
template <class V>
double pairwise_fold(std::int64_t count, V&& v) {
  double stack[64];
  int depth = 0;
  for (std::int64_t i = 0; i < count; ++i) {
    double s = v(i);
    for (std::int64_t c = i; c & 1; c >>= 1) s = stack[--depth] + s;
    stack[depth++] = s;
  }
  double r = stack[--depth];
  while (depth > 0) r = stack[--depth] + r;
  return r;
}

/// Sum of term(i) for i in [lo, hi), hi - lo <= kSumLeaf, in 8 lanes.
template <class Term>
inline double leaf_sum(std::int64_t lo, std::int64_t hi, Term&& term) {
  double acc[8] = {};
  std::int64_t i = lo;
  for (; i + 8 <= hi; i += 8) {
    for (int l = 0; l < 8; ++l) acc[l] += term(i + l);
  }
  double tail = 0.0;
  for (; i < hi; ++i) tail += term(i);
  return (((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))) + tail;
}

/// Pairwise sum of term(i) over one block [lo, hi), hi - lo <= kSumBlock.
template <class Term>
inline double block_sum(std::int64_t lo, std::int64_t hi, Term&& term) {
  const std::int64_t leaves = (hi - lo + kSumLeaf - 1) / kSumLeaf;
  return pairwise_fold(leaves, [&](std::int64_t j) {
    const std::int64_t a = lo + j * kSumLeaf;
    return leaf_sum(a, a + kSumLeaf < hi ? a + kSumLeaf : hi, term);
  });
}

}  // namespace tandem::detail
