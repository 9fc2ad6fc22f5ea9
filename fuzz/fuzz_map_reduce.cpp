// libFuzzer target: tandem::sum, mean, min, max and map_reduce (a built-in MapOp of any kind
// and parameters, each ReduceOp; and the callable form) with any sizes, offsets, null data,
// dtypes, options, and values with NaN, +-Inf, -0, subnormals and the largest finite value
// placed in them. Results are compared with the serial oracle: integers and min/max exactly,
// float sums within the documented bound of sum |term| (both NaN when a term is NaN or terms of
// both infinite signs meet; not compared when the finite terms' magnitudes overflow, where the
// order decides between Inf and NaN).
#include <cmath>

#include "fuzz_common.hpp"

using namespace tandem_fuzz;

namespace {

tandem::Scalar consume_scalar(FuzzedDataProvider& fdp) {
  switch (fdp.ConsumeIntegralInRange<int>(0, 3)) {
    case 0:
      return tandem::Scalar(fdp.ConsumeIntegralInRange<std::int64_t>(-3, 3));
    case 1:
      return tandem::Scalar(fdp.ConsumeIntegral<std::int64_t>());
    case 2:
      return tandem::Scalar(fdp.ConsumeIntegral<std::uint64_t>());
    default:
      return tandem::Scalar(fdp.ConsumeFloatingPoint<double>());
  }
}

tandem::MapOp consume_op(FuzzedDataProvider& fdp) {
  switch (fdp.ConsumeIntegralInRange<int>(0, 4)) {
    case 0:
      return tandem::MapOp::scale(consume_scalar(fdp));
    case 1: {
      const tandem::Scalar a = consume_scalar(fdp);
      return tandem::MapOp::affine(a, consume_scalar(fdp));
    }
    case 2:
      return tandem::MapOp::square();
    case 3:
      return tandem::MapOp::abs();
    default: {
      std::vector<tandem::Scalar> c(fdp.ConsumeIntegralInRange<std::size_t>(0, 10), 0);
      for (auto& v : c) v = consume_scalar(fdp);
      return tandem::MapOp::polynomial(std::move(c));
    }
  }
}

/// Whether two float sums of the same terms agree as documented.
template <class T>
bool sums_agree(double got, double want, const T* terms, std::int64_t n) {
  double magnitude = 0.0;
  bool nan = false, pos_inf = false, neg_inf = false;
  for (std::int64_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(terms[i]);
    nan = nan || std::isnan(t);
    pos_inf = pos_inf || t == std::numeric_limits<double>::infinity();
    neg_inf = neg_inf || t == -std::numeric_limits<double>::infinity();
    magnitude += std::fabs(t);
  }
  if (nan || (pos_inf && neg_inf)) return std::isnan(got) && std::isnan(want);
  if (!std::isfinite(magnitude)) return true;  // overflow: the order decides
  const double beta = (std::log2(static_cast<double>(n < 2 ? 2 : n)) + 24.0) * 0x1p-53;
  return std::fabs(got - want) <= 2.0 * beta * magnitude + 1e-300;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  // 0 sum, 1 mean, 2 min, 3 max, 4-6 map_reduce (sum, min, max), 7 the callable form.
  const int form = fdp.ConsumeIntegralInRange<int>(0, 7);
  with_dtype(fdp, [&]<class T>() {
    constexpr std::size_t E = sizeof(T);
    Pool pool;
    pool.fill<T>(fdp, Values::bounded, true);
    const ViewSpec x = consume_span(fdp, E, 2000);
    const tandem::MapOp op = form >= 4 ? consume_op(fdp) : tandem::MapOp::square();
    const OptionSpec o = consume_options(fdp);
    const bool needs_elements = form == 1 || form == 2 || form == 3 || form == 5 || form == 6;
    const bool reject =
        !valid_span(x, E) || (needs_elements && x.cols == 0) ||
        (form >= 4 && form <= 6 && op.kind() == tandem::MapKind::polynomial && op.params().empty());
    if (!reject && !in_pool(x, E)) return;

    // Every form's result as a double (min/max of T: exact), or an integer.
    struct Result {
      double value = 0.0;
      std::int64_t integer = 0;
    };
    const auto call = [&](Pool& p, const tandem::Options& options) {
      const std::span<const T> s(pointer<T>(p, x), static_cast<std::size_t>(x.cols));
      Result r;
      const auto keep = [&](auto v) {
        if constexpr (std::is_floating_point_v<decltype(v)>) {
          r.value = static_cast<double>(v);
        } else {
          r.integer = static_cast<std::int64_t>(v);
        }
      };
      switch (form) {
        case 0:
          keep(tandem::sum(s, options));
          break;
        case 1:
          r.value = tandem::mean(s, options);
          break;
        case 2:
          keep(tandem::min(s, options));
          break;
        case 3:
          keep(tandem::max(s, options));
          break;
        case 4:
          keep(tandem::map_reduce(s, op, tandem::ReduceOp::sum(), options));
          break;
        case 5:
          keep(tandem::map_reduce(s, op, tandem::ReduceOp::min(), options));
          break;
        case 6:
          keep(tandem::map_reduce(s, op, tandem::ReduceOp::max(), options));
          break;
        default:  // wrapping sum of the elements' low bits: exact in any grouping
          r.integer = tandem::map_reduce(
              s,
              [](T v) {
                std::int64_t bits = 0;
                std::memcpy(&bits, &v, sizeof(T));
                return bits & 0xFFFF;
              },
              [](std::int64_t a, std::int64_t b) {
                return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) +
                                                 static_cast<std::uint64_t>(b));
              },
              std::int64_t{0}, options);
          break;
      }
      return r;
    };
    const std::vector<unsigned char> before = pool.bytes;
    Result want, got;
    tandem::Options serial;
    serial.backend = tandem::Backend::serial;
    const Outcome oracle = outcome_of([&] { want = call(pool, serial); });
    if (reject) TANDEM_FUZZ_CHECK(oracle == Outcome::invalid_argument);
    tandem::Stats stats = marked_stats();
    tandem::Options options = o.options;
    options.stats = &stats;
    Outcome outcome = outcome_of([&] { got = call(pool, options); });
    if (form == 7 && outcome == Outcome::backend_unavailable && o.valid && oracle == Outcome::ok) {
      // A callable on cuda: the CPU backends only.
      TANDEM_FUZZ_CHECK(untouched(stats));
      return;
    }
    check_outcome({reject, oracle, outcome}, o, stats, before, pool.bytes);
    TANDEM_FUZZ_CHECK(pool.bytes == before);  // reductions write nothing
    if (outcome != Outcome::ok || oracle != Outcome::ok) return;
    TANDEM_FUZZ_CHECK(got.integer == want.integer);
    const bool float_sum = std::is_floating_point_v<T> && (form == 0 || form == 1 || form == 4);
    if (!float_sum) {
      TANDEM_FUZZ_CHECK(same_value(got.value, want.value));
      return;
    }
    // The terms of the sum: the elements, or their map on serial (the map's own oracle).
    std::vector<T> terms(static_cast<std::size_t>(x.cols));
    const std::span<const T> s(pointer<T>(pool, x), terms.size());
    if (form == 4) {
      tandem::map(s, std::span<T>(terms), op, serial);
    } else {
      terms.assign(s.begin(), s.end());
    }
    const auto n = static_cast<std::int64_t>(terms.size());
    if (form == 1) {  // mean = sum / n on every backend
      const double sum_got = got.value * static_cast<double>(n);
      const double sum_want = want.value * static_cast<double>(n);
      TANDEM_FUZZ_CHECK(sums_agree(sum_got, sum_want, terms.data(), n) ||
                        same_value(got.value, want.value));
    } else {
      TANDEM_FUZZ_CHECK(sums_agree(got.value, want.value, terms.data(), n));
    }
  });
  return 0;
}
