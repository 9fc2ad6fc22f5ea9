#pragma once
// Escaping of text that reaches a message or a terminal: bytes a predicate rejects become \xNN.
// Header-only and free of the library's state, so the command-line tool shares it.
#include <string>
#include <string_view>

namespace tandem::detail {

/// `text` with every byte for which keep(byte) is false written as \xNN (two lower-case hex
/// digits).
template <class Keep>
std::string escape_bytes(std::string_view text, Keep keep) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (keep(c)) {
      out += ch;
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

/// Printable ASCII other than the backslash is kept: a NUL cannot cut a message, a newline or
/// an escape sequence cannot forge a line, and an escaped text reads back unambiguously.
inline std::string escape_printable(std::string_view text) {
  return escape_bytes(text, [](unsigned char c) { return c >= 0x20 && c < 0x7f && c != '\\'; });
}

/// Control bytes only (UTF-8 and backslashes kept): for text that is already escaped where it
/// came from, so that it stays one line.
inline std::string escape_controls(std::string_view text) {
  return escape_bytes(text, [](unsigned char c) { return c >= 0x20 && c != 0x7f; });
}

}  // namespace tandem::detail
