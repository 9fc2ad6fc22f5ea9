// libFuzzer target: tandem::sort with any sizes, offsets, null data, dtypes, options and any bit
// patterns as values (NaNs of both signs and any payload, +-Inf, -0, subnormals): the result
// must equal the serial oracle's as values (NaN matches NaN, -0 matches +0), be a permutation
// of the input's bits, and nothing outside the span may change. The openmp backend's kernels
// (radix sort, merge sort) also run directly on the span, at 1 to 4 threads: through the entry
// point spans this short take std::sort.
#include <algorithm>

#include "fuzz_common.hpp"
#include "kernels/merge_sort.hpp"
#include "kernels/radix_sort.hpp"
#include "kernels/sort_keys.hpp"

using namespace tandem_fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  with_dtype(fdp, [&]<class T>() {
    constexpr std::size_t E = sizeof(T);
    Pool pool;
    pool.fill<T>(fdp, Values::raw);
    const ViewSpec x = consume_span(fdp, E, 2000);
    const OptionSpec o = consume_options(fdp);
    const bool reject = !valid_span(x, E);
    if (!reject && !in_pool(x, E)) return;

    const auto call = [&](Pool& p, const tandem::Options& options) {
      tandem::sort(std::span<T>(pointer<T>(p, x), static_cast<std::size_t>(x.cols)), options);
    };
    const std::vector<unsigned char> before = pool.bytes;
    Pool oracle_pool = pool;
    tandem::Options serial;
    serial.backend = tandem::Backend::serial;
    const Outcome oracle = outcome_of([&] { call(oracle_pool, serial); });
    if (reject) TANDEM_FUZZ_CHECK(oracle == Outcome::invalid_argument);
    tandem::Stats stats = marked_stats();
    tandem::Options options = o.options;
    options.stats = &stats;
    const Outcome outcome = outcome_of([&] { call(pool, options); });
    check_outcome({reject, oracle, outcome}, o, stats, before, pool.bytes);
    if (outcome != Outcome::ok || oracle != Outcome::ok) return;
    check_outputs<T>(x, before, pool.bytes, oracle_pool.bytes);
    if (x.cols == 0) return;
    // The serial oracle itself: ascending, NaNs last.
    const T* s = pointer<T>(oracle_pool, x);
    for (std::int64_t i = 1; i < x.cols; ++i) {
      const bool nan_before_value = s[i - 1] != s[i - 1] && s[i] == s[i];
      TANDEM_FUZZ_CHECK(!nan_before_value && !(s[i] < s[i - 1]));
    }
    // A permutation of the input's bytes, element by element.
    const auto elements = [&](const std::vector<unsigned char>& bytes) {
      std::vector<std::vector<unsigned char>> e(static_cast<std::size_t>(x.cols));
      for (std::int64_t i = 0; i < x.cols; ++i) {
        const auto at = bytes.begin() + (x.offset + i) * static_cast<std::int64_t>(E);
        e[static_cast<std::size_t>(i)].assign(at, at + static_cast<std::int64_t>(E));
      }
      std::sort(e.begin(), e.end());
      return e;
    };
    TANDEM_FUZZ_CHECK(elements(pool.bytes) == elements(before));
    // The kernels on the input, against the oracle's values.
    const int threads = fdp.ConsumeIntegralInRange<int>(1, 4);
    // The input is in `before` (the pool holds the sorted result by now).
    std::vector<T> values(static_cast<std::size_t>(x.cols));
    std::memcpy(values.data(), before.data() + x.offset * static_cast<std::int64_t>(E),
                values.size() * E);
    std::vector<T> radix = values;
    std::vector<T> merged = values;
    std::vector<T> scratch(values.size());
    const std::int64_t m = tandem::detail::partition_nans(radix.data(), x.cols);
    tandem::detail::radix_sort(radix.data(), scratch.data(), m, threads);
    tandem::detail::merge_sort(merged.data(), scratch.data(), x.cols, threads,
                               tandem::detail::NanLastLess{});
    for (std::int64_t i = 0; i < x.cols; ++i) {
      TANDEM_FUZZ_CHECK(same_value(radix[static_cast<std::size_t>(i)], s[i]));
      TANDEM_FUZZ_CHECK(same_value(merged[static_cast<std::size_t>(i)], s[i]));
    }
  });
  return 0;
}
