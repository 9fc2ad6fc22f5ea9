// libFuzzer target: tandem::map with a built-in MapOp (any kind, any parameters as integer or
// floating Scalars, 0 to 6 polynomial coefficients) and with C++ callables (same element type,
// f32 -> f64, and one that throws), with any sizes, offsets (y may be x, overlap it partly, or
// lie apart), null data, dtypes, options and any bit patterns as values.
#include <atomic>

#include "fuzz_common.hpp"

using namespace tandem_fuzz;

namespace {

struct Boom {};

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
      std::vector<tandem::Scalar> c(fdp.ConsumeIntegralInRange<std::size_t>(0, 6), 0);
      for (auto& v : c) v = consume_scalar(fdp);
      return tandem::MapOp::polynomial(std::move(c));
    }
  }
}

// Whether an integer dtype must accept the op's parameters: integers within its range are
// always representable (the harness's own rule, checked against the library's).
template <class T>
bool params_fit(const tandem::MapOp& op) {
  if (op.kind() == tandem::MapKind::polynomial && op.params().empty()) return false;
  for (const tandem::Scalar& s : op.params()) {
    if constexpr (std::is_integral_v<T>) {
      if (!s.is_integer() || s.integer() < std::numeric_limits<T>::min() ||
          s.integer() > std::numeric_limits<T>::max()) {
        return false;
      }
    } else if (!s.is_integer()) {
      return false;  // the harness does not model float range checks: the oracle decides
    }
  }
  return true;
}

template <class T>
T wrap_square(T v) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(v) * static_cast<U>(v)));
  } else {
    return v * v;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  const int form = fdp.ConsumeIntegralInRange<int>(0, 3);  // 0-1 MapOp, 2 callable, 3 f32->f64
  if (form < 3) {
    with_dtype(fdp, [&]<class T>() {
      constexpr std::size_t E = sizeof(T);
      Pool pool;
      pool.fill<T>(fdp, Values::raw);
      const ViewSpec x = consume_span(fdp, E);
      const ViewSpec y = fdp.ConsumeIntegralInRange<int>(0, 3) == 0 ? x : consume_span(fdp, E);
      const tandem::MapOp op = form < 2 ? consume_op(fdp) : tandem::MapOp::square();
      const std::size_t throw_at = fdp.ConsumeIntegralInRange<std::size_t>(0, 400);
      const bool throwing = form == 2 && fdp.ConsumeBool();
      const OptionSpec o = consume_options(fdp);
      bool reject = !valid_span(x, E) || !valid_span(y, E) || x.cols != y.cols;
      if (!reject && !(in_pool(x, E) && in_pool(y, E))) return;
      const bool in_place = !x.null && !y.null && x.offset == y.offset;
      if (!reject && !in_place) reject = overlap(x, E, y, E);

      std::atomic<std::size_t> calls{0};
      bool armed = false;  // the oracle's run does not throw
      const auto f = [&](const T& v) {
        if (armed && calls.fetch_add(1) == throw_at) throw Boom{};
        return wrap_square(v);
      };
      const auto call = [&](Pool& p, const tandem::Options& options) {
        const std::span<const T> xs(pointer<T>(p, x), static_cast<std::size_t>(x.cols));
        const std::span<T> ys(pointer<T>(p, y), static_cast<std::size_t>(y.cols));
        if (form < 2) {
          tandem::map(xs, ys, op, options);
        } else {
          tandem::map(xs, ys, f, options);
        }
      };
      const std::vector<unsigned char> before = pool.bytes;
      Pool oracle = pool;
      tandem::Options serial;
      serial.backend = tandem::Backend::serial;
      const Outcome oracle_outcome = outcome_of([&] { call(oracle, serial); });
      if (reject) TANDEM_FUZZ_CHECK(oracle_outcome == Outcome::invalid_argument);
      if (!reject && form < 2 && params_fit<T>(op)) TANDEM_FUZZ_CHECK(oracle_outcome == Outcome::ok);

      tandem::Stats stats = marked_stats();
      tandem::Options options = o.options;
      options.stats = &stats;
      calls = 0;
      armed = throwing;
      bool boom = false;
      const Outcome outcome = outcome_of([&] {
        try {
          call(pool, options);
        } catch (const Boom&) {
          boom = true;
        }
      });
      const bool expect_boom = throwing && !reject && o.valid && runnable(o.options) &&
                               static_cast<std::size_t>(x.cols) > throw_at;
      TANDEM_FUZZ_CHECK(boom == expect_boom);
      if (boom) return;  // y may be partly written: documented for throwing callables
      check_outcome({reject, oracle_outcome, outcome}, o, stats, before, pool.bytes);
      if (outcome == Outcome::ok && oracle_outcome == Outcome::ok) {
        check_outputs<T>(y, before, pool.bytes, oracle.bytes);
      }
    });
    return 0;
  }
  // f32 in, f64 out: a callable over two element types sharing the pool (overlap is bytewise).
  Pool pool;
  pool.fill<float>(fdp, Values::raw);
  const ViewSpec x = consume_span(fdp, sizeof(float));
  ViewSpec y = consume_span(fdp, sizeof(double));
  const OptionSpec o = consume_options(fdp);
  bool reject = !valid_span(x, sizeof(float)) || !valid_span(y, sizeof(double)) || x.cols != y.cols;
  if (!reject && !(in_pool(x, sizeof(float)) && in_pool(y, sizeof(double)))) return 0;
  if (!reject) reject = overlap(x, sizeof(float), y, sizeof(double));
  const std::vector<unsigned char> before = pool.bytes;
  tandem::Stats stats = marked_stats();
  tandem::Options options = o.options;
  options.stats = &stats;
  const Outcome outcome = outcome_of([&] {
    const std::span<const float> xs(pointer<float>(pool, x), static_cast<std::size_t>(x.cols));
    const std::span<double> ys(pointer<double>(pool, y), static_cast<std::size_t>(y.cols));
    tandem::map(xs, ys, [](float v) { return static_cast<double>(v) * 0.5; }, options);
  });
  check_outcome({reject, reject ? Outcome::invalid_argument : Outcome::ok, outcome}, o, stats,
                before, pool.bytes);
  if (outcome != Outcome::ok) return 0;
  // Independent reference: y[i] = x[i] / 2 in double, everything else unchanged.
  const auto mask = bytes_of(y, sizeof(double));
  for (std::size_t i = 0; i < kPoolBytes; ++i) {
    if (!mask[i]) TANDEM_FUZZ_CHECK(pool.bytes[i] == before[i]);
  }
  for (std::int64_t i = 0; i < x.cols; ++i) {
    float v;
    double w;
    std::memcpy(&v, before.data() + (x.offset + i) * 4, 4);
    std::memcpy(&w, pool.bytes.data() + (y.offset + i) * 8, 8);
    TANDEM_FUZZ_CHECK(same_value(w, static_cast<double>(v) * 0.5));
  }
  return 0;
}
