// tandem_word_count_bench: word count of a deterministic text (default 50 MB, a Zipf-like
// vocabulary: the notebook's "counting words" exercise), on every available backend and on
// automatic, next to the plain C++ a user would write (a serial std::unordered_map counter).
// bench/word_count_peers.py runs the Python peers (collections.Counter over re.findall, and the
// exercise as a multiprocessing map-reduce) on the same text in the same run.
//
// Usage: tandem_word_count_bench [--mb N] [--repeats N] [--text-out FILE]
//   --mb        text size in MB (10^6 bytes), default 50
//   --repeats   best of N wall times after one warm-up, default 5
//   --text-out  also write the text there (for the Python peers)
// Prints one JSON object on stdout: the rows (seconds, MB/s), the result's checksum (distinct
// words, total words, the 10 most frequent) and every backend's agreement with serial.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tandem/tandem.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using Counts = std::vector<tandem::WordCount>;

std::uint64_t splitmix(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// `bytes` bytes of text: words drawn from a 50,000-word vocabulary with Zipf (s = 1) ranks,
/// about one in ten capitalised, some with UTF-8 letters, separated by spaces, commas, full
/// stops and newlines. Deterministic (splitmix64 from a fixed seed).
std::string zipf_text(std::size_t bytes) {
  std::uint64_t seed = 20261130;
  constexpr std::size_t kVocabulary = 50000;
  std::vector<std::string> vocabulary(kVocabulary);
  for (std::string& w : vocabulary) {
    const std::size_t len = 1 + splitmix(seed) % 7 + splitmix(seed) % 6;
    for (std::size_t k = 0; k < len; ++k) w += static_cast<char>('a' + splitmix(seed) % 26);
    if (splitmix(seed) % 20 == 0) w += "\xC3\xA9";  // é
  }
  std::vector<double> cdf(kVocabulary);
  double total = 0;
  for (std::size_t r = 0; r < kVocabulary; ++r) cdf[r] = total += 1.0 / static_cast<double>(r + 1);
  std::string text;
  text.reserve(bytes + 32);
  while (text.size() < bytes) {
    const double u = static_cast<double>(splitmix(seed) >> 11) * 0x1.0p-53 * total;
    const auto rank =
        static_cast<std::size_t>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
    std::string_view w = vocabulary[std::min(rank, kVocabulary - 1)];
    const std::uint64_t r = splitmix(seed);
    if (r % 10 == 0) {
      text += static_cast<char>(w[0] - 'a' + 'A');
      w.remove_prefix(1);
    }
    text += w;
    const std::uint64_t sep = (r >> 8) % 100;
    text += sep < 85 ? " " : sep < 93 ? ", " : sep < 98 ? ". " : ".\n";
  }
  text.resize(bytes);
  return text;
}

/// The counter a C++ user writes by hand: lower-case each word into a std::string and count it
/// in a std::unordered_map, then sort (same word definition and order as tandem's).
Counts unordered_map_count(std::string_view text) {
  std::unordered_map<std::string, std::int64_t> counts;
  std::string word;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const auto c = i < text.size() ? static_cast<unsigned char>(text[i]) : 0;
    if (i < text.size() && (static_cast<unsigned>((c | 0x20) - 'a') < 26 ||
                            static_cast<unsigned>(c - '0') < 10 || c >= 0x80)) {
      word += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    } else if (!word.empty()) {
      ++counts[word];
      word.clear();
    }
  }
  Counts out;
  out.reserve(counts.size());
  for (auto& [w, n] : counts) out.push_back({w, n});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.count != b.count ? a.count > b.count : a.word < b.word;
  });
  return out;
}

struct Row {
  std::string name;
  double seconds = 0;
  Counts result;
  tandem::Stats stats;
};

template <class F>
Row measure(const std::string& name, int repeats, F&& f) {
  Row row{name, 1e300, f(), {}};  // the warm-up's result is the one checked
  for (int i = 0; i < repeats; ++i) {
    const auto t = Clock::now();
    Counts c = f();
    row.seconds = std::min(row.seconds, std::chrono::duration<double>(Clock::now() - t).count());
  }
  return row;
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x80) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);  // bytes as code points (as latin-1)
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  double mb = 50;
  int repeats = 5;
  std::string text_out;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--mb" && i + 1 < argc) {
      mb = std::atof(argv[++i]);
    } else if (a == "--repeats" && i + 1 < argc) {
      repeats = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--text-out" && i + 1 < argc) {
      text_out = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: tandem_word_count_bench [--mb N] [--repeats N] [--text-out F]\n");
      return 2;
    }
  }
  const std::string text = zipf_text(static_cast<std::size_t>(mb * 1e6));
  if (!text_out.empty()) std::ofstream(text_out, std::ios::binary) << text;

  std::vector<Row> rows;
  rows.push_back(measure("std::unordered_map (serial C++)", repeats,
                         [&] { return unordered_map_count(text); }));
  const auto backends = tandem::available_backends();
  for (tandem::Backend b : backends) {
    tandem::Stats stats;
    Row r = measure("tandem " + std::string(tandem::to_string(b)), repeats,
                    [&] { return tandem::word_count(text, {.backend = b, .stats = &stats}); });
    r.stats = stats;
    rows.push_back(std::move(r));
  }
  {
    tandem::Stats stats;
    Row r = measure("tandem automatic", repeats,
                    [&] { return tandem::word_count(text, {.stats = &stats}); });
    r.stats = stats;
    rows.push_back(std::move(r));
  }

  const Counts& want = rows[1].result;  // tandem serial
  bool all_agree = true;
  std::int64_t total = 0;
  for (const auto& w : want) total += w.count;
  std::printf(
      "{\n  \"bytes\": %zu,\n  \"repeats\": %d,\n  \"distinct\": %zu,\n  \"total\": %lld,\n",
      text.size(), repeats, want.size(), static_cast<long long>(total));
  std::printf("  \"top\": [");
  for (std::size_t k = 0; k < std::min<std::size_t>(10, want.size()); ++k) {
    std::printf("%s[%s, %lld]", k > 0 ? ", " : "", json_string(want[k].word).c_str(),
                static_cast<long long>(want[k].count));
  }
  std::printf("],\n  \"rows\": [\n");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    const bool agrees = r.result == want;
    all_agree = all_agree && agrees;
    std::printf("    {\"name\": %s, \"seconds\": %.6f, \"mb_per_s\": %.1f, \"agrees\": %s",
                json_string(r.name).c_str(), r.seconds,
                static_cast<double>(text.size()) / 1e6 / r.seconds, agrees ? "true" : "false");
    if (i > 0) {
      std::printf(", \"backend\": \"%s\", \"threads\": %d",
                  std::string(tandem::to_string(r.stats.backend)).c_str(), r.stats.threads);
    }
    std::printf("}%s\n", i + 1 < rows.size() ? "," : "");
  }
  std::printf("  ],\n  \"all_agree\": %s\n}\n", all_agree ? "true" : "false");
  return all_agree ? 0 : 1;
}
