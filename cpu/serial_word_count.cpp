// word_count, serial: the oracle. Each word lower-cased into a std::string and counted in a
// std::unordered_map, then sorted: count descending, word ascending (std::string compares
// bytes as unsigned char).
#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include "kernels/word_bytes.hpp"
#include "serial_backend.hpp"

namespace tandem::detail::serial {

void word_count(WordCountArgs& a, const Exec&) {
  std::unordered_map<std::string, std::int64_t> counts;
  std::string word;
  const auto* text = reinterpret_cast<const unsigned char*>(a.text);
  for (std::int64_t i = 0; i <= a.n; ++i) {
    if (i < a.n && words::is_word_byte(text[i])) {
      word += static_cast<char>(words::fold(text[i]));
    } else if (!word.empty()) {
      ++counts[word];
      word.clear();
    }
  }
  std::vector<std::pair<std::string, std::int64_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& x, const auto& y) {
    return x.second != y.second ? x.second > y.second : x.first < y.first;
  });
  for (const auto& [w, c] : sorted) a.emit(a.ctx, w.data(), w.size(), c);
}

}  // namespace tandem::detail::serial
