// libFuzzer target: tandem::mse(errors) and mse(a, b) with any sizes, offsets, null data,
// f32/f64, options, and values with NaN, +-Inf and -0 placed in them (finite values bounded so
// every summation order is exact and equal to the serial oracle).
#include "fuzz_common.hpp"

using namespace tandem_fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  const auto body = [&]<class T>() {
    constexpr std::size_t E = sizeof(T);
    Pool pool;
    pool.fill<T>(fdp, Values::bounded, false);
    const bool two = fdp.ConsumeBool();
    const ViewSpec a = consume_span(fdp, E, 2000);
    const ViewSpec b = two ? consume_span(fdp, E, 2000) : ViewSpec{};
    const OptionSpec o = consume_options(fdp);
    bool reject = !valid_span(a, E) || a.cols == 0;
    if (two) reject = reject || !valid_span(b, E) || a.cols != b.cols;
    if (!reject && !(in_pool(a, E) && (!two || in_pool(b, E)))) return;

    const auto call = [&](Pool& p, const tandem::Options& options) {
      const std::span<const T> sa(pointer<T>(p, a), static_cast<std::size_t>(a.cols));
      if (!two) return tandem::mse(sa, options);
      return tandem::mse(sa, std::span<const T>(pointer<T>(p, b), static_cast<std::size_t>(b.cols)),
                         options);
    };
    const std::vector<unsigned char> before = pool.bytes;
    double want = 0, got = 0;
    tandem::Options serial;
    serial.backend = tandem::Backend::serial;
    const Outcome oracle = outcome_of([&] { want = call(pool, serial); });
    if (reject) TANDEM_FUZZ_CHECK(oracle == Outcome::invalid_argument);
    tandem::Stats stats = marked_stats();
    tandem::Options options = o.options;
    options.stats = &stats;
    const Outcome outcome = outcome_of([&] { got = call(pool, options); });
    check_outcome({reject, oracle, outcome}, o, stats, before, pool.bytes);
    TANDEM_FUZZ_CHECK(pool.bytes == before);  // mse writes nothing
    if (outcome == Outcome::ok && oracle == Outcome::ok) TANDEM_FUZZ_CHECK(same_value(got, want));
  };
  if (fdp.ConsumeBool()) {
    body.template operator()<float>();
  } else {
    body.template operator()<double>();
  }
  return 0;
}
