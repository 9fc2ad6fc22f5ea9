#pragma once
/// word_count: how often each word occurs in a text, on every backend.
///
/// A word is a maximal run of bytes that are ASCII letters, ASCII digits or >= 0x80 (so a UTF-8
/// sequence stays whole); every other byte separates words. ASCII letters count lower-cased;
/// bytes >= 0x80 are kept as they are. The result is sorted by count descending, then by word
/// ascending (bytewise, unsigned), and is the same on every backend (exact: no hashing decides
/// which words are equal). Empty text, or text without a word, gives an empty result.
///
/// **Example** (the notebook's "counting words" exercise):
///   for (const auto& [word, count] : tandem::word_count(text)) std::cout << word << ' ' << count;
///   auto top = tandem::word_count(text, {.backend = tandem::Backend::openmp});  // top[0]: most
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tandem/export.hpp"
#include "tandem/options.hpp"

namespace tandem {

/// One distinct word (lower-cased as described above) and how often it occurs.
struct WordCount {
  std::string word;
  std::int64_t count;
  friend bool operator==(const WordCount&, const WordCount&) = default;
};

/// The words of `text` with their counts, most frequent first. text.data() may be null only
/// when text is empty.
TANDEM_EXPORT std::vector<WordCount> word_count(std::string_view text, const Options& options = {});

}  // namespace tandem
