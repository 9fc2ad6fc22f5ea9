// word_count: known values (case, digits, punctuation, UTF-8, ordering of ties), texts without
// words, a single 100 MB word, every way a short text can be cut between threads, random texts
// against a reference written here, every backend against the serial oracle, and the errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "backend_fixture.hpp"
#include "error_checks.hpp"
#include "tandem/tandem.hpp"
#include "test_util.hpp"

namespace {

using namespace tandem_test;
using tandem::WordCount;
using Counts = std::vector<WordCount>;

/// The definition, written as plainly as possible (std::map: no hashing, no cleverness).
Counts reference(std::string_view text) {
  const auto word_byte = [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
  };
  std::map<std::string, std::int64_t> counts;
  std::string word;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const unsigned char c = i < text.size() ? static_cast<unsigned char>(text[i]) : 0;
    if (i < text.size() && word_byte(c)) {
      word.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    } else if (!word.empty()) {
      ++counts[word];
      word.clear();
    }
  }
  Counts out;
  for (auto& [w, n] : counts) out.push_back(WordCount{w, n});
  std::stable_sort(out.begin(), out.end(),
                   [](const WordCount& a, const WordCount& b) { return a.count > b.count; });
  return out;
}

std::string show(const Counts& c) {
  std::string s;
  for (const auto& w : c) {
    s += "'" + (w.word.size() > 40 ? w.word.substr(0, 40) + "..." : w.word) +
         "':" + std::to_string(w.count) + " ";
  }
  return s;
}

class WordCountTest : public BackendThreadsTest {
 protected:
  Counts count(std::string_view text) { return tandem::word_count(text, options()); }
  /// The backend's result equals `want` and the serial oracle's.
  void expect_counts(std::string_view text, const Counts& want) {
    SCOPED_TRACE("text: '" + std::string(text.substr(0, 60)) + "'");
    const Counts got = count(text);
    EXPECT_EQ(got, want) << "got " << show(got) << "\nwant " << show(want);
    EXPECT_EQ(tandem::word_count(text, serial_options()), want);
  }
};

TEST_P(WordCountTest, CaseIsFoldedAndStatsReported) {
  tandem::Stats stats;
  const Counts got = tandem::word_count("The cat saw THE other Cat; the end.", options(&stats));
  expect_stats(stats, backend(), GetParam().threads);
  EXPECT_EQ(got, (Counts{{"the", 3}, {"cat", 2}, {"end", 1}, {"other", 1}, {"saw", 1}}));
}

TEST_P(WordCountTest, DigitsAndPunctuation) {
  // Digits are word bytes; every other ASCII byte separates (apostrophes and hyphens too).
  expect_counts("abc123 x-y 4,5 don't 007 x_y x\ty\nz\r\n", Counts{{"x", 3},
                                                                   {"y", 3},
                                                                   {"007", 1},
                                                                   {"4", 1},
                                                                   {"5", 1},
                                                                   {"abc123", 1},
                                                                   {"don", 1},
                                                                   {"t", 1},
                                                                   {"z", 1}});
  // All 128 ASCII bytes: 62 make words, the other 66 separate.
  std::string ascii;
  for (int c = 0; c < 128; ++c) ascii += static_cast<char>(c);
  expect_counts(ascii, Counts{{"abcdefghijklmnopqrstuvwxyz", 2}, {"0123456789", 1}});
}

TEST_P(WordCountTest, Utf8StaysWholeAndIsNotLowerCased) {
  // "Café" and "café" are one word; "CAFÉ" keeps its É (0xC3 0x89): bytes >= 0x80 are never
  // folded. The em dash (E2 80 94) is made of bytes >= 0x80, so it joins its neighbours.
  expect_counts("Café café CAFÉ naïve\xE2\x80\x94word 日本語 日本語",
                Counts{{"caf\xC3\xA9", 2},
                       {"日本語", 2},
                       {"caf\xC3\x89", 1},
                       {"na\xC3\xAFve\xE2\x80\x94word", 1}});
  // Bytes 0xC0-0xDA look like upper-case letters shifted by 0x80: still not folded; 0xFF and
  // lone continuation bytes are word bytes too.
  expect_counts("\xC1\xDA \xE1\xFA \xFF\x80 \xC1\xDA",
                Counts{{"\xC1\xDA", 2}, {"\xE1\xFA", 1}, {"\xFF\x80", 1}});
}

TEST_P(WordCountTest, TiesAreInBytewiseWordOrder) {
  // Equal counts: ascending bytes, a prefix first, bytes >= 0x80 after ASCII, digits before
  // letters; then the lower counts.
  expect_counts(
      "b a ab \xC3\xA9 9 z B A AB \xC3\xA9 9 Z c",
      Counts{{"9", 2}, {"a", 2}, {"ab", 2}, {"b", 2}, {"z", 2}, {"\xC3\xA9", 2}, {"c", 1}});
}

TEST_P(WordCountTest, NoWords) {
  expect_counts("", Counts{});
  expect_counts(std::string_view(), Counts{});
  expect_counts(" ", Counts{});
  std::string separators;
  for (int i = 0; i < 100000; ++i) separators += " \t\n.,;:!?-_'\"()[]{}<>/\\|@#$%^&*+=~`"[i % 36];
  separators += std::string(1000, '\0');
  expect_counts(separators, Counts{});
}

TEST_P(WordCountTest, OneWordOfAHundredMegabytes) {
  std::string text(100u << 20, 'Q');
  const Counts got = count(text);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].count, 1);
  EXPECT_EQ(got[0].word.size(), text.size());
  EXPECT_EQ(got[0].word.find_first_not_of('q'), std::string::npos);
  // Cut in two between separators: two words of about 50 MB, once each; the shorter is a
  // prefix of the longer, so it comes first.
  text[0] = ' ';
  text[text.size() / 2] = ' ';
  text.back() = '.';
  const Counts two = count(text);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].word.size(), text.size() / 2 - 2);
  EXPECT_EQ(two[1].word.size(), text.size() / 2 - 1);
  EXPECT_EQ(two[0].count, 1);
  EXPECT_EQ(two[1].count, 1);
}

TEST_P(WordCountTest, EveryCutOfShortTexts) {
  // Every text of up to 7 bytes over {a, B, space}: with 2, 3 and 7 threads the parts' cuts fall
  // at every position of one of them, inside words and between.
  const char alphabet[] = {'a', 'B', ' '};
  for (int len = 0; len <= 7; ++len) {
    int total = 1;
    for (int i = 0; i < len; ++i) total *= 3;
    for (int code = 0; code < total; ++code) {
      std::string text;
      for (int i = 0, c = code; i < len; ++i, c /= 3) text += alphabet[c % 3];
      const Counts got = count(text);
      const Counts want = reference(text);
      ASSERT_EQ(got, want) << "text '" << text << "': got " << show(got) << " want " << show(want);
    }
  }
}

TEST_P(WordCountTest, WordsStraddlingEveryCutOfALongerText) {
  // A 4099-byte text of one long word among short ones, moved over every position: whatever
  // the thread count, a cut falls inside it somewhere.
  for (std::size_t start = 0; start + 300 <= 4099; start += 37) {
    std::string text(4099, ' ');
    for (std::size_t i = 0; i < text.size(); i += 4) text.replace(i, 3, i % 8 == 0 ? "Ab1" : "ab1");
    text.replace(start, 300, std::string(300, 'W'));
    ASSERT_EQ(count(text), reference(text)) << "word at " << start;
  }
}

TEST_P(WordCountTest, RandomTextsMatchTheReference) {
  TANDEM_SEEDED_RNG(rng);
  const std::vector<std::string> pieces{"a",  "A", "b", "zz", "Zz", "é", "É", "\xFF", "0",
                                        "42", " ", " ", ".",  "\n", "-", "'", "\t"};
  for (int round = 0; round < 40; ++round) {
    std::string text;
    const std::size_t pieces_in_text = rng() % (round < 30 ? 200 : 20000);
    for (std::size_t i = 0; i < pieces_in_text; ++i) text += pieces[rng() % pieces.size()];
    const Counts want = reference(text);
    ASSERT_EQ(count(text), want) << "round " << round;
    ASSERT_EQ(tandem::word_count(text, serial_options()), want) << "round " << round;
  }
}

TEST_P(WordCountTest, ZipfTextMatchesSerial) {
  // A larger text with a skewed vocabulary: every distinct word seen by several threads.
  TANDEM_SEEDED_RNG(rng);
  std::vector<std::string> vocabulary;
  for (int i = 0; i < 5000; ++i) {
    std::string w;
    for (std::size_t k = 0, len = 1 + rng() % 10; k < len; ++k)
      w += "abcdeFGHIJ\xC3\xA9"[rng() % 12];
    vocabulary.push_back(w);
  }
  std::string text;
  while (text.size() < 3000000) {
    const std::size_t rank = static_cast<std::size_t>(
        std::pow(static_cast<double>(vocabulary.size()), std::generate_canonical<double, 53>(rng)));
    text += vocabulary[rank - 1];
    text += rng() % 8 == 0 ? ", " : " ";
  }
  EXPECT_EQ(count(text), tandem::word_count(text, serial_options()));
}

TEST_P(WordCountTest, VerifiedAgainstSerial) {
  tandem::Stats stats;
  tandem::Options o = options(&stats);
  o.verify = true;
  const std::string text = "to be or not to be, that is the question: To BE";
  EXPECT_EQ(tandem::word_count(text, o), (Counts{{"be", 3},
                                                 {"to", 3},
                                                 {"is", 1},
                                                 {"not", 1},
                                                 {"or", 1},
                                                 {"question", 1},
                                                 {"that", 1},
                                                 {"the", 1}}));
  EXPECT_EQ(stats.verified, backend() != tandem::Backend::serial) << stats.reason;
}

TEST_P(WordCountTest, Errors) {
  const auto nothing_to_touch = [] { return true; };  // word_count writes no argument
  const std::string_view text("abc def");
  expect_rejected<tandem::invalid_argument>(
      "null text", options(),
      [](const tandem::Options& o) { tandem::word_count(std::string_view(nullptr, 3), o); },
      nothing_to_touch, {"tandem::word_count", "text.data() is null but text.size() is 3"});
  for (const int threads : {-1, tandem::max_threads + 1}) {
    tandem::Options o = options();
    o.threads = threads;
    expect_rejected<tandem::invalid_argument>(
        "threads", o, [&](const tandem::Options& opt) { tandem::word_count(text, opt); },
        nothing_to_touch, {"tandem::word_count", "options.threads is"});
  }
  tandem::Options bad = options();
  bad.backend = static_cast<tandem::Backend>(99);
  expect_rejected<tandem::invalid_argument>(
      "backend", bad, [&](const tandem::Options& opt) { tandem::word_count(text, opt); },
      nothing_to_touch, {"tandem::word_count", "options.backend is 99"});
  if (cuda_unavailable()) {
    expect_rejected<tandem::backend_unavailable>(
        "cuda", with(tandem::Backend::cuda),
        [&](const tandem::Options& opt) { tandem::word_count(text, opt); }, nothing_to_touch,
        {"cuda", expected_cuda_reason()});
  }
  // An empty view may have null data.
  EXPECT_TRUE(tandem::word_count(std::string_view(nullptr, 0), options()).empty());
}

TANDEM_INSTANTIATE_FOR_BACKEND_THREADS(WordCountTest);

}  // namespace
