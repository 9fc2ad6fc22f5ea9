#pragma once
// What a word is, byte by byte, for every backend of word_count: a word is a maximal run of
// bytes that are ASCII letters, ASCII digits or >= 0x80 (so a UTF-8 sequence stays whole), and
// ASCII letters count lower-cased. constexpr, so device code may call it under
// --expt-relaxed-constexpr, and so the CPU's tables are built at compile time.
#include <array>
#include <cstdint>

namespace tandem::detail::words {

/// True for the bytes words are made of.
constexpr bool is_word_byte(unsigned char c) noexcept {
  return static_cast<unsigned char>((c | 0x20) - 'a') < 26 ||
         static_cast<unsigned char>(c - '0') < 10 || c >= 0x80;
}

/// The byte as it counts in a word: ASCII 'A'-'Z' lower-cased, every other byte itself.
constexpr unsigned char fold(unsigned char c) noexcept {
  return static_cast<unsigned char>(c - 'A') < 26 ? static_cast<unsigned char>(c + 0x20) : c;
}

/// fold(c) for a word byte, 0 for a separator (no word byte folds to 0): the CPU scanners'
/// one table lookup per byte.
inline constexpr std::array<unsigned char, 256> kFoldOrZero = [] {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const auto b = static_cast<unsigned char>(c);
    t[static_cast<std::size_t>(c)] = is_word_byte(b) ? fold(b) : 0;
  }
  return t;
}();

}  // namespace tandem::detail::words
