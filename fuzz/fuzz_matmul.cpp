// libFuzzer target: tandem::matmul (into C, and the allocating overload) with any shapes,
// leading dimensions, offsets (so C may overlap A or B), null data, dtypes and options.
// Float inputs are bounded (fuzz_common.hpp) so BLAS and the serial loops agree exactly.
#include "fuzz_common.hpp"

using namespace tandem_fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  with_dtype(fdp, [&]<class T>() {
    constexpr std::size_t E = sizeof(T);
    Pool pool;
    pool.fill<T>(fdp, Values::bounded, false);
    const ViewSpec a = consume_view(fdp, E);
    const ViewSpec b = consume_view(fdp, E);
    const bool allocating = fdp.ConsumeIntegralInRange<int>(0, 7) == 0;
    ViewSpec c = consume_view(fdp, E);
    const OptionSpec o = consume_options(fdp);
    bool reject = !valid(a, E) || !valid(b, E) || a.cols != b.rows;
    if (!allocating) {
      reject = reject || !valid(c, E) || c.rows != a.rows || c.cols != b.cols;
    }
    const bool fits = in_pool(a, E) && in_pool(b, E) && (allocating || in_pool(c, E));
    if (!reject && !fits) return;  // a valid view beyond the pool: the harness cannot own it
    // Empty A and B (k = 0) may declare any m x n: a valid but huge result to zero-fill.
    if (!reject && allocating && static_cast<__int128>(a.rows) * b.cols > (1 << 16)) return;
    if (!reject && !allocating) reject = overlap(c, E, a, E) || overlap(c, E, b, E);

    const auto view = [](Pool& p, const ViewSpec& v) {
      return tandem::MatrixView<T>(pointer<T>(p, v), v.rows, v.cols, v.ld);
    };
    const auto call = [&](Pool& p, const tandem::Options& options, tandem::Matrix<T>* result) {
      const tandem::MatrixView<const T> A = view(p, a), B = view(p, b);
      if (allocating) {
        *result = tandem::matmul(A, B, options);
      } else {
        tandem::matmul(A, B, view(p, c), options);
      }
    };
    const std::vector<unsigned char> before = pool.bytes;
    Pool oracle = pool;
    tandem::Matrix<T> want, got;
    tandem::Options serial;
    serial.backend = tandem::Backend::serial;
    const Outcome oracle_outcome = outcome_of([&] { call(oracle, serial, &want); });
    if (reject) TANDEM_FUZZ_CHECK(oracle_outcome == Outcome::invalid_argument);

    tandem::Stats stats = marked_stats();
    tandem::Options options = o.options;
    options.stats = &stats;
    const Outcome outcome = outcome_of([&] { call(pool, options, &got); });
    check_outcome({reject, oracle_outcome, outcome}, o, stats, before, pool.bytes);
    if (outcome != Outcome::ok || oracle_outcome != Outcome::ok) return;
    if (allocating) {
      TANDEM_FUZZ_CHECK(pool.bytes == before);
      TANDEM_FUZZ_CHECK(got.rows() == a.rows && got.cols() == b.cols);
      for (std::size_t i = 0; i < got.values().size(); ++i) {
        TANDEM_FUZZ_CHECK(same_value(got.values()[i], want.values()[i]));
      }
    } else {
      check_outputs<T>(c, before, pool.bytes, oracle.bytes);
    }
  });
  return 0;
}
