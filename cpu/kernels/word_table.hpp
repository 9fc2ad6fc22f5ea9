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

/// The hash of a folded word read from a buffer padded with zeros to a multiple of 8 bytes,
/// eight bytes at a time (words are short: a few multiplies each); the top 32 bits of a 64-bit
/// mix.
inline std::uint32_t hash_padded(const unsigned char* p, std::size_t n) noexcept {
  std::uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xC2B2AE3D27D4EB4Full);
  for (std::size_t k = 0; k < n; k += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + k, 8);
    h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 29;
  }
  h *= 0xD6E8FEB86659FD93ull;
  return static_cast<std::uint32_t>(h >> 32);
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
  struct Slot {
    std::int64_t count;  // 0: empty
    std::uint32_t hash;
    std::uint32_t small;  // the size when <= kInlineWord, else kInlineWord + 1
    union {
      unsigned char bytes[kInlineWord];
      struct {
        const unsigned char* data;
        std::size_t size;
      } large;
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
    if (2 * (used_ + 1) > slots_.size()) grow();
    const std::size_t mask = slots_.size() - 1;
    const auto small = static_cast<std::uint32_t>(std::min(n, kInlineWord + 1));
    std::uint64_t w0 = 0, w1 = 0;
    if (n <= kInlineWord) {
      std::memcpy(&w0, w, 8);
      std::memcpy(&w1, w + 8, 8);
    }
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

/// Counts the words of p[0..n) into `table` (new long words' bytes into `arena`); n ends at a
/// word boundary. Words are folded and hashed a batch at a time, their slots prefetched, then
/// counted: the table's cache misses overlap instead of following one another. `fold_buffer`
/// is grow-only scratch for a batch of folded, zero-padded words.
inline void count_words(const unsigned char* p, std::size_t n, WordTable& table, Arena& arena,
                        std::vector<unsigned char>& fold_buffer) {
  constexpr std::size_t kBatch = 16;
  struct Pending {
    std::size_t offset;
    std::size_t size;
    std::uint32_t hash;
  };
  Pending pending[kBatch];
  const unsigned char* f = kFoldOrZero.data();
  std::size_t i = 0;
  while (i < n) {
    std::size_t batch = 0;
    std::size_t used = 0;  // bytes of fold_buffer taken by this batch
    while (batch < kBatch) {
      while (i < n && f[p[i]] == 0) ++i;
      if (i == n) break;
      std::size_t end = i + 1;
      while (end < n && f[p[end]] != 0) ++end;
      const std::size_t len = end - i;
      // The word, then zeros up to the next multiple of 8 and at least kInlineWord of them.
      const std::size_t padded = (len + kInlineWord + 7) / 8 * 8;
      if (used + padded > fold_buffer.size()) {
        fold_buffer.resize(std::max(used + padded, 2 * fold_buffer.size()));
      }
      unsigned char* b = fold_buffer.data() + used;
      for (std::size_t k = 0; k < len; ++k) b[k] = f[p[i + k]];
      std::memset(b + len, 0, padded - len);
      const std::uint32_t h = hash_padded(b, len);
      table.prefetch(h);
      pending[batch++] = Pending{used, len, h};
      used += padded;
      i = end;
    }
    for (std::size_t k = 0; k < batch; ++k) {
      table.add(fold_buffer.data() + pending[k].offset, pending[k].size, pending[k].hash, 1,
                &arena);
    }
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
