// tandem::word_count: validate, dispatch, verify; what word_count is for the cost model, the
// calibration and the command-line tool. Its work is the text's bytes. It has no element type:
// it is described as f64, its only dtype (the tool's default, which every workload takes).
#include <algorithm>
#include <cmath>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "checks/escape.hpp"
#include "checks/validate.hpp"
#include "checks/verify_tools.hpp"
#include "dispatch/dispatch.hpp"
#include "tandem/word_count.hpp"
#include "workloads/workload_traits.hpp"

namespace tandem {

namespace detail {
namespace {

constexpr const char* kWordCount = "tandem::word_count";

/// The emit callback's side: collects the words; never throws (it may be called from the
/// cuda module), a failed allocation is reported after the backend returns.
struct Collector {
  std::vector<WordCount> words;
  bool failed = false;

  static void emit(void* ctx, const char* word, std::size_t size, std::int64_t count) noexcept {
    auto& c = *static_cast<Collector*>(ctx);
    if (c.failed) return;
    try {
      c.words.push_back(WordCount{std::string(word, size), count});
    } catch (...) {
      c.failed = true;
    }
  }
};

std::vector<WordCount> count_on(BackendImpl& backend, const Exec& exec, std::string_view text) {
  Collector c;
  WordCountArgs args{text.data(), static_cast<std::int64_t>(text.size()), &Collector::emit, &c};
  run_on<tandem::Workload::word_count>(backend, args, exec);
  if (c.failed) throw std::bad_alloc();  // run() reports it as tandem::out_of_memory
  return std::move(c.words);
}

std::string shown(const std::vector<WordCount>& r, std::size_t k) {
  if (k >= r.size()) return "(no word: " + std::to_string(r.size()) + " words in all)";
  std::string w = r[k].word.size() > 60 ? r[k].word.substr(0, 60) + "..." : r[k].word;
  return "'" + escape_printable(w) + "' x " + std::to_string(r[k].count);
}

// The backend's result and serial's must be equal (exact: words, counts and order).
std::vector<WordCount> verified_word_count(BackendImpl& backend, const Exec& exec,
                                           std::string_view text, Verification& v) {
  std::vector<WordCount> got = timed(v, [&] { return count_on(backend, exec, text); });
  const std::vector<WordCount> want = count_on(serial_backend(), serial_exec(), text);
  v.compared = static_cast<std::int64_t>(std::max(got.size(), want.size()));
  v.exact = true;
  const auto diff = std::mismatch(got.begin(), got.end(), want.begin(), want.end());
  if (diff.first != got.end() || diff.second != want.end()) {
    const auto k = static_cast<std::size_t>(diff.first - got.begin());
    throw verification_error(std::string(kWordCount) +
                             ": verification against serial failed: the " +
                             std::string(to_string(backend.kind())) + " backend's word " +
                             std::to_string(k + 1) + " is " + shown(got, k) + " but serial's is " +
                             shown(want, k) + " (" + std::to_string(got.size()) + " vs " +
                             std::to_string(want.size()) + " distinct words; they must be equal)");
  }
  return got;
}

Problem word_count_problem(std::int64_t n) {
  const auto bytes = static_cast<double>(n);
  return Problem{tandem::Workload::word_count, DType::f64, bytes, bytes};
}

std::uint64_t splitmix(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// n bytes of deterministic text: words of a 2,000-word vocabulary with Zipf-like ranks (the
/// rank a power of a uniform draw), one in ten capitalised, separated by spaces and punctuation.
std::string sample_text(std::int64_t n) {
  std::uint64_t seed = 7;
  std::vector<std::string> vocabulary(2000);
  for (std::string& w : vocabulary) {
    const std::uint64_t len = 1 + splitmix(seed) % 9;
    for (std::uint64_t k = 0; k < len; ++k) w += static_cast<char>('a' + splitmix(seed) % 26);
  }
  std::string text;
  text.reserve(static_cast<std::size_t>(n) + 16);
  while (static_cast<std::int64_t>(text.size()) < n) {
    const double u = static_cast<double>(splitmix(seed) >> 11) * 0x1.0p-53;
    const auto rank = static_cast<std::size_t>(std::pow(2000.0, u)) - 1;
    std::string w = vocabulary[std::min<std::size_t>(rank, vocabulary.size() - 1)];
    const std::uint64_t r = splitmix(seed);
    if (r % 10 == 0) w[0] = static_cast<char>(w[0] - 'a' + 'A');
    text += w;
    text += (r >> 8) % 10 == 0 ? ", " : " ";
  }
  text.resize(static_cast<std::size_t>(n));
  return text;
}

}  // namespace
}  // namespace detail

std::vector<WordCount> word_count(std::string_view text, const Options& options) {
  const auto start = std::chrono::steady_clock::now();
  detail::check_options(detail::kWordCount, options);
  detail::check_span(detail::kWordCount, "text", text.data(), text.size(), 1);
  const detail::Call call{detail::kWordCount,
                          detail::word_count_problem(static_cast<std::int64_t>(text.size()))};
  return detail::run(
      call, options, start,
      [&](detail::BackendImpl& be, const detail::Exec& e) { return detail::count_on(be, e, text); },
      [&](detail::BackendImpl& be, const detail::Exec& e, detail::Verification& v) {
        return detail::verified_word_count(be, e, text, v);
      });
}

// ---- what word_count is: cost-model defaults, calibration sizes, sample call ----------------

namespace detail {

template <>
const WorkloadTraits& traits_of<tandem::Workload::word_count>() {
  static const WorkloadTraits t{
      .has_dtype = [](DType d) noexcept { return d == DType::f64; },
      .problem = [](DType, const WorkloadSize& s) { return word_count_problem(s.n); },
      .input_fraction = 1.0,  // the text goes in; the counts that come back are small
      // Per byte of text, on 2 cores (bench/word_count_peers.py): serial about 50 MB/s,
      // openmp about 250 MB/s; the GPU sorts about one word index per 6 bytes.
      .serial_default =
          [](DType) {
            return Default{1e-6, 20e-9};
          },
      .openmp_default =
          [](DType) {
            return Default{30e-6, 4e-9};
          },
      .cuda_default =
          [](DType) {
            return Default{10 * kCudaOverhead, 0.3e-9};
          },
      .cpu_sizes =
          [](bool quick) {
            std::vector<std::int64_t> v{1024, 16384, 262144, 1 << 20};
            if (!quick) v.push_back(1 << 23);
            return v;
          },
      .gpu_sizes =
          [] {
            return std::vector<std::int64_t>{1 << 22, 1 << 24, 1 << 26};
          },
      .sample_bytes = [](DType, const WorkloadSize& s) { return static_cast<double>(s.n); },
      .sample =
          [](DType, const WorkloadSize& s) {
            auto text = std::make_shared<const std::string>(sample_text(s.n));
            auto result = std::make_shared<std::vector<WordCount>>();
            return SampleCall{
                word_count_problem(s.n),
                [text, result](const Options& o) { *result = tandem::word_count(*text, o); },
                [result] {
                  // Counts weighted by rank plus the words' bytes: equal results
                  // give equal sums.
                  double sum = 0;
                  for (std::size_t k = 0; k < result->size(); ++k) {
                    sum += static_cast<double>((*result)[k].count) * static_cast<double>(k + 1) +
                           static_cast<double>((*result)[k].word.size());
                  }
                  return sum;
                }};
          },
      .cli = {std::int64_t{1} << 20, kMaxSampleElements, false, false,
              "word count of N bytes of generated text"},
  };
  return t;
}

}  // namespace detail

}  // namespace tandem
