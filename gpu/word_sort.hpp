#pragma once
// word_count on the device, exact (no hashing): mark where words start and end, sort the words'
// indices by their folded bytes, reduce_by_key runs of equal words into counts, then order the
// distinct words by count (stable, so ties stay in word order). What comes back per distinct
// word is its count and where its first occurrence lies in the text; the host builds the words
// from its own copy of the text.
//
// No CUDA header: the real module runs it with thrust::cuda::par_nosync on the call's stream,
// the emulated module with Thrust's OpenMP system on the host.
#include <thrust/copy.h>
#include <thrust/count.h>
#include <thrust/functional.h>
#include <thrust/iterator/constant_iterator.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/reduce.h>
#include <thrust/sequence.h>
#include <thrust/sort.h>
#include <thrust/transform.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "device_ops.hpp"
#include "dispatch/backend_impl.hpp"
#include "kernels/word_bytes.hpp"

namespace tandem::cuda {

/// Position i starts a word (I: the index type, wide enough for the text's size).
template <class I>
struct WordStartsAt {
  const unsigned char* text;
  TANDEM_HD bool operator()(I i) const {
    return detail::words::is_word_byte(text[i]) &&
           (i == 0 || !detail::words::is_word_byte(text[i - 1]));
  }
};
/// Position i is the last byte of a word.
template <class I>
struct WordEndsAt {
  const unsigned char* text;
  I n;
  TANDEM_HD bool operator()(I i) const {
    return detail::words::is_word_byte(text[i]) &&
           (i + 1 == n || !detail::words::is_word_byte(text[i + 1]));
  }
};

/// Compares words a and b (indices into start/last) by their folded bytes: <0, 0, >0.
template <class I>
TANDEM_HD inline int compare_words(const unsigned char* text, const I* start, const I* last, I a,
                                   I b) {
  const unsigned char* pa = text + start[a];
  const unsigned char* pb = text + start[b];
  const I na = last[a] - start[a] + 1;
  const I nb = last[b] - start[b] + 1;
  const I n = na < nb ? na : nb;
  for (I k = 0; k < n; ++k) {
    const unsigned char ca = detail::words::fold(pa[k]);
    const unsigned char cb = detail::words::fold(pb[k]);
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  return na == nb ? 0 : (na < nb ? -1 : 1);
}
template <class I>
struct WordLess {
  const unsigned char* text;
  const I* start;
  const I* last;
  TANDEM_HD bool operator()(I a, I b) const { return compare_words(text, start, last, a, b) < 0; }
};
template <class I>
struct WordEqual {
  const unsigned char* text;
  const I* start;
  const I* last;
  TANDEM_HD bool operator()(I a, I b) const { return compare_words(text, start, last, a, b) == 0; }
};
/// A word's length from its first and last byte.
template <class I>
struct LengthOf {
  TANDEM_HD I operator()(I start, I last) const { return last - start + 1; }
};
/// table[w] (a gather).
template <class I>
struct Lookup {
  const I* table;
  TANDEM_HD I operator()(I w) const { return table[w]; }
};

/// Device buffers of count_words_sorted, each of one element per word of the text.
template <class I>
struct WordBuffers {
  I* start;  // where word w starts; then, per distinct word, its length
  I* last;   // its last byte; then (per word) its length
  I* order;  // word indices, sorted by word; then, per distinct word, its first byte
  I* first;  // per distinct word, one of its occurrences (a word index)
  std::int64_t* count;
};

/// How many words text[0..n) (device memory) holds.
template <class Policy, class I>
I count_word_starts(Policy&& policy, const unsigned char* text, I n) {
  const thrust::counting_iterator<I> first(0);
  return static_cast<I>(thrust::count_if(policy, first, first + n, WordStartsAt<I>{text}));
}

/// Counts the `words` words (> 0) of text[0..n) (device memory); returns the number of distinct
/// words u and leaves, for k < u in word_count's order (count descending, then word ascending), the
/// count in b.count[k], the first byte of an occurrence in b.order[k] and the length in b.start[k].
template <class Policy, class I>
std::int64_t count_words_sorted(Policy&& policy, const unsigned char* text, I n, I words,
                                const WordBuffers<I>& b) {
  const thrust::counting_iterator<I> first(0);
  thrust::copy_if(policy, first, first + n, b.start, WordStartsAt<I>{text});
  thrust::copy_if(policy, first, first + n, b.last, WordEndsAt<I>{text, n});
  thrust::sequence(policy, b.order, b.order + words);
  thrust::sort(policy, b.order, b.order + words, WordLess<I>{text, b.start, b.last});
  const auto ends = thrust::reduce_by_key(policy, b.order, b.order + words,
                                          thrust::constant_iterator<std::int64_t>(1), b.first,
                                          b.count, WordEqual<I>{text, b.start, b.last});
  const std::int64_t distinct = ends.second - b.count;
  // Distinct words are in word order: a stable sort by count descending keeps ties that way.
  thrust::stable_sort_by_key(policy, b.count, b.count + distinct, b.first,
                             thrust::greater<std::int64_t>());
  // Element-wise in place, then gathers into buffers nothing reads any more.
  thrust::transform(policy, b.start, b.start + words, b.last, b.last, LengthOf<I>{});
  thrust::transform(policy, b.first, b.first + distinct, b.order, Lookup<I>{b.start});
  thrust::transform(policy, b.first, b.first + distinct, b.start, Lookup<I>{b.last});
  return distinct;
}

/// word_count's whole call on the module's Call: the host text staged in, its words counted
/// (buffers sized once the words are counted: up to 24 bytes a word), the counts and where each
/// distinct word occurs brought back, and the words built from the host text (folded) and given
/// to emit(ctx, word, size, count) in order, on the calling thread.
template <class Call, class I>
void word_count_flow(const unsigned char* host_text, std::int64_t n,
                     void (*emit)(void*, const char*, std::size_t, std::int64_t), void* ctx,
                     detail::Breakdown* timing) {
  Call call(timing);
  call.prepare_staging();
  unsigned char* text = call.template scratch_for<unsigned char>(n);
  const auto bytes = static_cast<std::size_t>(n);
  call.upload(text, host_text, 1, bytes, bytes);
  call.compute_begin();
  const I words = count_word_starts(call.policy(), text, static_cast<I>(n));
  std::int64_t distinct = 0;
  WordBuffers<I> b{};
  if (words > 0) {
    const auto w = static_cast<std::int64_t>(words);
    b = WordBuffers<I>{call.template scratch_for<I>(w), call.template scratch_for<I>(w),
                       call.template scratch_for<I>(w), call.template scratch_for<I>(w),
                       call.template scratch_for<std::int64_t>(w)};
    distinct = count_words_sorted(call.policy(), text, static_cast<I>(n), words, b);
  }
  call.launched();
  call.compute_end();
  std::vector<std::int64_t> counts(static_cast<std::size_t>(distinct));
  std::vector<I> starts(counts.size()), lengths(counts.size());
  if (distinct > 0) {
    call.download(counts.data(), counts.size() * sizeof(std::int64_t), b.count, 1,
                  counts.size() * sizeof(std::int64_t));
    call.download(starts.data(), starts.size() * sizeof(I), b.order, 1, starts.size() * sizeof(I));
    call.download(lengths.data(), lengths.size() * sizeof(I), b.start, 1,
                  lengths.size() * sizeof(I));
  }
  call.finish();
  std::string word;
  for (std::size_t k = 0; k < counts.size(); ++k) {
    word.assign(reinterpret_cast<const char*>(host_text) + starts[k],
                static_cast<std::size_t>(lengths[k]));
    for (char& c : word) c = static_cast<char>(detail::words::fold(static_cast<unsigned char>(c)));
    emit(ctx, word.data(), word.size(), counts[k]);
  }
}

/// word_count_flow with 32-bit indices where the text allows (half the memory, faster sorts).
template <class Call>
void count_words_on(const char* host_text, std::int64_t n,
                    void (*emit)(void*, const char*, std::size_t, std::int64_t), void* ctx,
                    detail::Breakdown* timing) {
  if (n == 0) return;
  const auto* text = reinterpret_cast<const unsigned char*>(host_text);
  if (n < static_cast<std::int64_t>(UINT32_MAX)) {
    word_count_flow<Call, std::uint32_t>(text, n, emit, ctx, timing);
  } else {
    word_count_flow<Call, std::uint64_t>(text, n, emit, ctx, timing);
  }
}

}  // namespace tandem::cuda
