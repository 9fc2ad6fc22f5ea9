// libFuzzer target: tandem::polynomial_grid with an explicit table or a CartesianGrid, into out
// or allocating, with any shapes, leading dimensions, offsets (out may overlap table or x), null
// data, dtypes, options and any bit patterns as values (Horner's rule rounds alike everywhere).
#include "fuzz_common.hpp"

using namespace tandem_fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  with_dtype(fdp, [&]<class T>() {
    constexpr std::size_t E = sizeof(T);
    Pool pool;
    pool.fill<T>(fdp, Values::raw);
    const bool cartesian = fdp.ConsumeBool();
    ViewSpec table{};
    std::vector<std::vector<T>> axes;
    if (cartesian) {
      const int naxes = fdp.ConsumeIntegralInRange<int>(0, 6);
      for (int k = 0; k < naxes; ++k) {
        std::vector<T> axis(fdp.ConsumeIntegralInRange<std::size_t>(0, 4));
        for (auto& v : axis) {
          const auto bits = fdp.ConsumeIntegral<std::uint64_t>();
          std::memcpy(&v, &bits, sizeof(T));
        }
        axes.push_back(std::move(axis));
      }
    } else {
      table = consume_view(fdp, E, 12);
    }
    const tandem::CartesianGrid<T> grid(axes);
    const ViewSpec x = consume_span(fdp, E, 40);
    const bool allocating = fdp.ConsumeIntegralInRange<int>(0, 7) == 0;
    const ViewSpec out = consume_view(fdp, E, 40);
    const OptionSpec o = consume_options(fdp);

    std::int64_t sets = 1;
    if (cartesian) {
      for (const auto& axis : axes) sets *= static_cast<std::int64_t>(axis.size());
    } else {
      sets = table.rows;
    }
    bool reject = !valid_span(x, E) ||
                  (cartesian ? axes.empty() : !valid(table, E) || table.cols == 0);
    if (!allocating) reject = reject || !valid(out, E) || out.rows != sets || out.cols != x.cols;
    const bool fits = in_pool(x, E) && (cartesian || in_pool(table, E)) &&
                      (allocating || in_pool(out, E));
    if (!reject && !fits) return;
    if (!reject && !allocating) {
      reject = overlap(out, E, x, E) || (!cartesian && overlap(out, E, table, E));
    }

    const auto call = [&](Pool& p, const tandem::Options& options, tandem::Matrix<T>* result) {
      const std::span<const T> xs(pointer<T>(p, x), static_cast<std::size_t>(x.cols));
      const tandem::MatrixView<const T> tv(pointer<T>(p, table), table.rows, table.cols,
                                           table.ld);
      const tandem::MatrixView<T> ov(pointer<T>(p, out), out.rows, out.cols, out.ld);
      if (allocating) {
        *result = cartesian ? tandem::polynomial_grid(grid, xs, options)
                            : tandem::polynomial_grid(tv, xs, options);
      } else if (cartesian) {
        tandem::polynomial_grid(grid, xs, ov, options);
      } else {
        tandem::polynomial_grid(tv, xs, ov, options);
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
      TANDEM_FUZZ_CHECK(got.rows() == sets && got.cols() == x.cols);
      for (std::size_t i = 0; i < got.values().size(); ++i) {
        TANDEM_FUZZ_CHECK(same_value(got.values()[i], want.values()[i]));
      }
    } else {
      check_outputs<T>(out, before, pool.bytes, oracle.bytes);
    }
  });
  return 0;
}
