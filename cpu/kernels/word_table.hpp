#pragma once
// word_count's CPU kernel: an open-addressing table of folded words (word_bytes.hpp) that
// allocates nothing per word in the hot loop (a word is folded into a grow-only buffer, hashed
// eight bytes at a time, and stored the first time it is seen: in its slot when short, else in
// a block arena), and the
// parallel count built from it: the text split at word boundaries, one table per part, each
// table cut by hash into P shards, shard s of every table merged by part s (no lock: each key
// belongs to exactly one shard), each merged shard sorted, the sorted shards merged.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <vector>

#include "kernels/word_bytes.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tandem::detail::words {

/// A counted word: its folded bytes (kept alive by whoever made it) and its count.
struct WordRef {
  const unsigned char* data;
  std::size_t size;
  std::int64_t count;
};

/// word_count's order: count descending, then word ascending bytewise (unsigned bytes; a prefix
/// before the longer word).
inline bool word_before(const WordRef& a, const WordRef& b) noexcept {
  if (a.count != b.count) return a.count > b.count;
  const int c = std::memcmp(a.data, b.data, std::min(a.size, b.size));
  return c != 0 ? c < 0 : a.size < b.size;
}

/// The hash of a folded word: a 64-bit mix over its bytes read eight at a time, zero-padded to
/// a multiple of 8 (words are short: a few multiplies each), keeping the top 32 bits.
/// hash_padded reads a padded buffer; hash_small takes a word of up to 16 bytes as two words
/// (the same value for the same word).
inline std::uint64_t hash_start(std::size_t n) noexcept {
  return 0x9E3779B97F4A7C15ull ^ (n * 0xC2B2AE3D27D4EB4Full);
}
inline std::uint64_t hash_round(std::uint64_t h, std::uint64_t w) noexcept {
  h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
  return h ^ (h >> 29);
}
inline std::uint32_t hash_end(std::uint64_t h) noexcept {
  return static_cast<std::uint32_t>((h * 0xD6E8FEB86659FD93ull) >> 32);
}
inline std::uint32_t hash_padded(const unsigned char* p, std::size_t n) noexcept {
  std::uint64_t h = hash_start(n);
  for (std::size_t k = 0; k < n; k += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + k, 8);
    h = hash_round(h, w);
  }
  return hash_end(h);
}
inline std::uint32_t hash_small(std::uint64_t w0, std::uint64_t w1, std::size_t n) noexcept {
  std::uint64_t h = hash_round(hash_start(n), w0);
  if (n > 8) h = hash_round(h, w1);
  return hash_end(h);
}

/// Append-only storage of word bytes in blocks: what it returns stays where it is.
class Arena {
 public:
  const unsigned char* store(const unsigned char* w, std::size_t n) {
    if (n > left_) {
      const std::size_t block = std::max(n, kBlock);
      blocks_.push_back(std::make_unique<unsigned char[]>(block));
      next_ = blocks_.back().get();
      left_ = block;
    }
    unsigned char* out = next_;
    std::memcpy(out, w, n);
    next_ += n;
    left_ -= n;
    return out;
  }

 private:
  static constexpr std::size_t kBlock = std::size_t{1} << 20;
  std::vector<std::unique_ptr<unsigned char[]>> blocks_;
  unsigned char* next_ = nullptr;
  std::size_t left_ = 0;
};

/// Words of up to this many bytes live in the table's slot itself (one cache access per word).
inline constexpr std::size_t kInlineWord = 16;

/// Open addressing (linear probing, load <= 1/2) from a folded word to its count, 32 bytes a
/// slot. A word of up to kInlineWord bytes is kept in its slot, zero-padded; a longer one is a
/// pointer into an Arena: the table's own (counting) or another table's (merging).
class WordTable {
 public:
  /// A word longer than kInlineWord: where its bytes are.
  struct Large {
    const unsigned char* data;
    std::size_t size;
  };
  struct Slot {
    std::int64_t count;  // 0: empty
    std::uint32_t hash;
    std::uint32_t small;  // the size when <= kInlineWord, else kInlineWord + 1
    union {
      unsigned char bytes[kInlineWord];
      Large large;
    };
    const unsigned char* data() const noexcept { return small <= kInlineWord ? bytes : large.data; }
    std::size_t size() const noexcept { return small <= kInlineWord ? small : large.size; }
  };
  static_assert(sizeof(Slot) == 32);

  explicit WordTable(std::size_t expected = 512) {
    std::size_t capacity = 1024;
    while (capacity < 2 * expected) capacity *= 2;
    slots_.resize(capacity);
    for (Slot& s : slots_) s.count = 0;
  }

  /// Adds `count` to word w[0..n) (folded, hash h). A word of up to kInlineWord bytes must be
  /// readable and zero-padded to kInlineWord bytes. A new longer word's bytes are copied into
  /// `arena` when it is given, else the table points to w itself.
  void add(const unsigned char* w, std::size_t n, std::uint32_t h, std::int64_t count,
           Arena* arena) {
    std::uint64_t w0 = 0, w1 = 0;
    if (n <= kInlineWord) {
      std::memcpy(&w0, w, 8);
      std::memcpy(&w1, w + 8, 8);
    }
    add(w0, w1, w, n, h, count, arena);
  }
  /// add() for a word of up to kInlineWord bytes given as two zero-padded words.
  void add_small(std::uint64_t w0, std::uint64_t w1, std::size_t n, std::uint32_t h) {
    static constexpr unsigned char kUnused[1] = {0};  // the bytes are w0, w1
    add(w0, w1, kUnused, n, h, 1, nullptr);
  }

  const std::vector<Slot>& slots() const noexcept { return slots_; }
  std::size_t size() const noexcept { return used_; }
  /// A hint: the slot where a word of hash h is looked up first will soon be read.
  void prefetch(std::uint32_t h) const noexcept {
#if defined(__GNUC__)
    __builtin_prefetch(&slots_[h & (slots_.size() - 1)]);
#else
    (void)h;
#endif
  }

 private:
  void add(std::uint64_t w0, std::uint64_t w1, const unsigned char* w, std::size_t n,
           std::uint32_t h, std::int64_t count, Arena* arena) {
    if (2 * (used_ + 1) > slots_.size()) grow();
    const std::size_t mask = slots_.size() - 1;
    const auto small = static_cast<std::uint32_t>(std::min(n, kInlineWord + 1));
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.count == 0) {
        s.count = count;
        s.hash = h;
        s.small = small;
        if (n <= kInlineWord) {
          std::memcpy(s.bytes, &w0, 8);
          std::memcpy(s.bytes + 8, &w1, 8);
        } else {
          s.large.data = arena != nullptr ? arena->store(w, n) : w;
          s.large.size = n;
        }
        ++used_;
        return;
      }
      if (s.hash != h || s.small != small) continue;
      if (n <= kInlineWord) {
        std::uint64_t s0, s1;
        std::memcpy(&s0, s.bytes, 8);
        std::memcpy(&s1, s.bytes + 8, 8);
        if (s0 != w0 || s1 != w1) continue;
      } else if (s.large.size != n || std::memcmp(s.large.data, w, n) != 0) {
        continue;
      }
      s.count += count;
      return;
    }
  }

  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    for (Slot& s : old) s.count = 0;
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.count == 0) continue;
      std::size_t i = s.hash & mask;
      while (slots_[i].count != 0) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  std::size_t used_ = 0;
};

#if defined(__SSE2__)
/// The 16 bytes at p as a bit mask of word bytes (bit k: p[k]), and folded (ASCII upper case
/// plus 0x20). Unsigned ranges as signed compares after an offset that moves the range's first
/// value to -128.
inline unsigned word_mask(__m128i v) noexcept {
  const __m128i letter =
      _mm_cmplt_epi8(_mm_add_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8(0x80 - 'a')),
                     _mm_set1_epi8(-128 + 26));
  const __m128i digit =
      _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(0x80 - '0')), _mm_set1_epi8(-128 + 10));
  const __m128i high = _mm_cmplt_epi8(v, _mm_setzero_si128());
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), high)));
}
inline __m128i fold16(__m128i v) noexcept {
  const __m128i upper =
      _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(0x80 - 'A')), _mm_set1_epi8(-128 + 26));
  return _mm_add_epi8(v, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
}
#endif

/// Counts the words of p[0..n) into `table` (new long words' bytes into `arena`); n ends at a
/// word boundary. With SSE2, a word of under 16 bytes is found, folded and zero-padded 16
/// bytes at a time and never copied; its slot is prefetched and it is counted a batch later,
/// so the table's cache misses overlap. Longer words and the last 16 bytes go byte by byte
/// through `fold_buffer` (grow-only scratch).
inline void count_words(const unsigned char* p, std::size_t n, WordTable& table, Arena& arena,
                        std::vector<unsigned char>& fold_buffer) {
  constexpr std::size_t kBatch = 16;
  struct Pending {
    std::uint64_t w0, w1;
    std::size_t size;
    std::uint32_t hash;
  };
  Pending pending[kBatch];
  std::size_t batch = 0;
  const unsigned char* f = kFoldOrZero.data();
  std::size_t i = 0;
  for (;;) {
#if defined(__SSE2__)
    for (; i + 16 <= n; i += 16) {  // to the next word byte
      const unsigned m = word_mask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)));
      if (m != 0) {
        i += static_cast<std::size_t>(__builtin_ctz(m));
        break;
      }
    }
#endif
    while (i < n && f[p[i]] == 0) ++i;
    if (i == n) break;
#if defined(__SSE2__)
    if (i + 16 <= n) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      const unsigned m = word_mask(v);
      if (m != 0xFFFF) {
        const auto len = static_cast<std::size_t>(__builtin_ctz(~m));  // >= 1: p[i] is one
        const __m128i keep =
            _mm_cmplt_epi8(_mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                           _mm_set1_epi8(static_cast<char>(len)));
        const __m128i w = _mm_and_si128(fold16(v), keep);
        const auto w0 = static_cast<std::uint64_t>(_mm_cvtsi128_si64(w));
        const auto w1 = static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(w, w)));
        const std::uint32_t h = hash_small(w0, w1, len);
        table.prefetch(h);
        pending[batch++] = Pending{w0, w1, len, h};
        if (batch == kBatch) {
          for (const Pending& q : pending) table.add_small(q.w0, q.w1, q.size, q.hash);
          batch = 0;
        }
        i += len;
        continue;
      }
    }
#endif
    std::size_t end = i + 1;
    while (end < n && f[p[end]] != 0) ++end;
    const std::size_t len = end - i;
    // The word, then zeros up to the next multiple of 8 and at least kInlineWord of them.
    const std::size_t padded = (len + kInlineWord + 7) / 8 * 8;
    if (padded > fold_buffer.size()) fold_buffer.resize(std::max(padded, 2 * fold_buffer.size()));
    unsigned char* b = fold_buffer.data();
    for (std::size_t k = 0; k < len; ++k) b[k] = f[p[i + k]];
    std::memset(b + len, 0, padded - len);
    table.add(b, len, hash_padded(b, len), 1, &arena);
    i = end;
  }
  for (std::size_t k = 0; k < batch; ++k) {
    table.add_small(pending[k].w0, pending[k].w1, pending[k].size, pending[k].hash);
  }
}

/// The first position at or after x that is not inside a word (0 < x < n between two word
/// bytes is inside).
inline std::size_t word_boundary_at_or_after(const unsigned char* p, std::size_t n,
                                             std::size_t x) noexcept {
  while (x > 0 && x < n && is_word_byte(p[x - 1]) && is_word_byte(p[x])) ++x;
  return x;
}

/// Which of `shards` shards a hash belongs to (its high bits: the tables index by the low ones).
inline std::size_t shard_of(std::uint32_t h, std::size_t shards) noexcept {
  return static_cast<std::size_t>((std::uint64_t{h} * shards) >> 32);
}

/// The words of text[0..n) counted on `parts` parts (1 to 4096), sorted by word_before, each
/// given to emit(const unsigned char* word, std::size_t size, std::int64_t count) in order.
/// `parallel_for(count, body)` runs body(i) for i < count, concurrently or not, and returns when
/// all are done; body does not throw.
template <class ParallelFor, class Emit>
void count_words_sharded(const unsigned char* text, std::size_t n, std::size_t parts,
                         ParallelFor&& parallel_for, Emit&& emit) {
  if (n == 0) return;
  struct Part {
    WordTable table;
    Arena arena;
    std::vector<std::vector<std::size_t>> shards;  // slot indices of `table`, by shard
    std::vector<WordRef> merged;                   // shard i of every table, sorted
    std::exception_ptr error;
  };
  std::vector<Part> part(parts);
  std::vector<WordTable> merged_tables(parts);  // the merged shards' short words live here
  const auto guarded = [&part](std::size_t i, auto&& body) {
    try {
      body();
    } catch (...) {
      part[i].error = std::current_exception();
    }
  };
  const auto rethrow = [&part] {
    for (const Part& p : part) {
      if (p.error) std::rethrow_exception(p.error);
    }
  };
  // Count each part's text, then cut its table into shards.
  parallel_for(parts, [&](std::size_t i) {
    guarded(i, [&] {
      const std::size_t begin = word_boundary_at_or_after(text, n, i * n / parts);
      const std::size_t end = word_boundary_at_or_after(text, n, (i + 1) * n / parts);
      Part& me = part[i];
      std::vector<unsigned char> fold_buffer(256);
      if (end > begin) count_words(text + begin, end - begin, me.table, me.arena, fold_buffer);
      me.shards.resize(parts);
      const auto& slots = me.table.slots();
      for (std::size_t s = 0; s < slots.size(); ++s) {
        if (slots[s].count != 0) me.shards[shard_of(slots[s].hash, parts)].push_back(s);
      }
    });
  });
  rethrow();
  // Part i merges shard i of every table (keys stay in the counting part's arena) and sorts it.
  parallel_for(parts, [&](std::size_t i) {
    guarded(i, [&] {
      std::size_t total = 0;
      for (const Part& p : part) total += p.shards[i].size();
      WordTable& merged = merged_tables[i];
      merged = WordTable(total);
      for (const Part& p : part) {
        const auto& slots = p.table.slots();
        for (std::size_t s : p.shards[i]) {
          const WordTable::Slot& slot = slots[s];
          merged.add(slot.data(), slot.size(), slot.hash, slot.count, nullptr);
        }
      }
      std::vector<WordRef>& out = part[i].merged;
      out.reserve(merged.size());
      for (const WordTable::Slot& slot : merged.slots()) {
        if (slot.count != 0) out.push_back(WordRef{slot.data(), slot.size(), slot.count});
      }
      std::sort(out.begin(), out.end(), word_before);
    });
  });
  rethrow();
  // The sorted shards merged pairwise (log2(parts) passes), then emitted.
  std::vector<std::vector<WordRef>> runs;
  runs.reserve(parts);
  for (Part& p : part) runs.push_back(std::move(p.merged));
  while (runs.size() > 1) {
    std::vector<std::vector<WordRef>> next((runs.size() + 1) / 2);
    for (std::size_t r = 0; r + 1 < runs.size(); r += 2) {
      next[r / 2].resize(runs[r].size() + runs[r + 1].size());
      std::merge(runs[r].begin(), runs[r].end(), runs[r + 1].begin(), runs[r + 1].end(),
                 next[r / 2].begin(), word_before);
      std::vector<WordRef>().swap(runs[r]);
      std::vector<WordRef>().swap(runs[r + 1]);
    }
    if (runs.size() % 2 == 1) next.back() = std::move(runs.back());
    runs.swap(next);
  }
  for (const WordRef& w : runs.front()) emit(w.data, w.size, w.count);
}

}  // namespace tandem::detail::words
