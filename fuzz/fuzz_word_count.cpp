// libFuzzer target: tandem::word_count(text) on any bytes (all 256 values: UTF-8, invalid
// sequences, NUL, separators), sometimes a null view, with any options; the serial result must
// equal a plain reference (std::map) and every backend must equal serial exactly. Sometimes the
// text is repeated to cross the openmp backend's part boundaries with longer words.
#include <algorithm>
#include <map>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"

using namespace tandem_fuzz;

namespace {

std::vector<tandem::WordCount> reference(std::string_view text) {
  std::map<std::string, std::int64_t> counts;
  std::string word;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const unsigned char c = i < text.size() ? static_cast<unsigned char>(text[i]) : 0;
    const bool letter = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    if (i < text.size() && (letter || (c >= '0' && c <= '9') || c >= 0x80)) {
      word.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    } else if (!word.empty()) {
      ++counts[word];
      word.clear();
    }
  }
  std::vector<tandem::WordCount> out;
  for (auto& [w, n] : counts) out.push_back({w, n});
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.count > b.count; });
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  const OptionSpec o = consume_options(fdp);
  const bool null_view = fdp.ConsumeIntegralInRange<int>(0, 31) == 0;
  const int repeat = fdp.ConsumeIntegralInRange<int>(1, 64);
  const std::string piece = fdp.ConsumeRemainingBytesAsString();
  std::string text;
  for (int i = 0; i < repeat; ++i) text += piece;
  const std::string_view view = null_view ? std::string_view(nullptr, text.size()) : text;
  const bool reject = null_view && !text.empty();

  std::vector<tandem::WordCount> want, got;
  tandem::Options serial;
  serial.backend = tandem::Backend::serial;
  const Outcome oracle = outcome_of([&] { want = tandem::word_count(view, serial); });
  if (reject) {
    TANDEM_FUZZ_CHECK(oracle == Outcome::invalid_argument);
  } else if (oracle == Outcome::ok) {
    TANDEM_FUZZ_CHECK(want == reference(text));
  }
  tandem::Stats stats = marked_stats();
  tandem::Options options = o.options;
  options.stats = &stats;
  const Outcome outcome = outcome_of([&] { got = tandem::word_count(view, options); });
  const std::vector<unsigned char> nothing;  // word_count writes no argument
  check_outcome({reject, oracle, outcome}, o, stats, nothing, nothing);
  if (outcome == Outcome::ok && oracle == Outcome::ok) TANDEM_FUZZ_CHECK(got == want);
  return 0;
}
