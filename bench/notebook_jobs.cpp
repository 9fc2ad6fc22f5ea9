// tandem_notebook_jobs: tandem's equivalents of the two teaching notebooks' jobs, at the
// notebooks' sizes and dtypes, on every available backend and on automatic. Prints one JSON
// object on stdout; bench/notebooks.py runs the notebooks' own code (numpy, joblib,
// multiprocessing) in the same run, merges these rows and prints the ratios.
//
// Usage: tandem_notebook_jobs [--repeats N]   (best of N wall times, default 5; see kBudget)
//
// Two times per row, each the best of N after one warm-up call: "seconds", the call writing into
// an output allocated once (tandem's own form: map(x, y, op), matmul(A, B, C)...), and
// "seconds_fresh_output", allocating the output inside each timed call as numpy's expressions
// do (uninitialised for map, a zeroed Matrix as the allocating overloads return). Each row
// carries a checksum of its output, built so that the script can check it without tandem's data:
//   map 2k           sum of 2k over k < 2e6: exactly 2e6 * (2e6 - 1);
//   map x*x          x = arange(n) / n, sum of x*x (numpy's to ~1e-12);
//   matmul int       A, B from hash_digit() below; sum(C) = A.sum(0) @ B.sum(1), exact;
//   polynomial grid  the sum of all 10^4 x 50 entries (numpy broadcasting's to ~1e-12);
//   mse              errors ~ N(0, 1) from a fixed seed: the mse itself, 1 +- a few sqrt(2/n);
//   mean             the same errors averaged: 0 +- a few 1/sqrt(n).
//   sort             sort_input() below (reproducible in numpy): sum of s[i] * i / n over the
//                    sorted values, which only the sorted order gives.
// The sort job also has C++ peers in the same run: std::sort, and std::sort(std::execution::par)
// where the standard library has parallel algorithms (libstdc++: only with TBB).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#if defined(TANDEM_BENCH_HAS_PAR_SORT)
#include <execution>
#endif

#include "tandem/tandem.hpp"

namespace {

using Clock = std::chrono::steady_clock;

/// Timed runs of one job on one backend stop early once they have taken this long in all.
constexpr double kBudget = 3.0;

/// One measurement: best wall times, the checksum of the output, and what ran.
struct Row {
  double seconds = 0.0;        ///< writing into an output allocated once, outside the clock
  double seconds_fresh = 0.0;  ///< allocating a fresh output in each timed call, as numpy does
  double checksum = 0.0;
  int runs = 0;
  tandem::Stats stats;
};

/// A notebook job at one size: measures itself on a backend, best of `repeats`.
struct Job {
  std::string name;
  std::string size;
  std::function<Row(tandem::Backend, int repeats)> measure;
};

/// Best wall time of `call` over up to `repeats` calls, stopping after kBudget seconds in all.
/// What a call returns is kept until just before the next one starts, so that releasing an
/// output is never timed. Counts the calls in `runs`.
template <class Call>
double best_of(int repeats, Call call, int& runs) {
  double best = std::numeric_limits<double>::infinity();
  double spent = 0.0;
  [[maybe_unused]] decltype(call()) kept{};
  for (runs = 0; runs < repeats && spent < kBudget; ++runs) {
    kept = {};
    const auto start = Clock::now();
    kept = call();
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    best = std::min(best, s);
    spent += s;
  }
  return best;
}

/// Builds a Job from `make` (allocates an output), `call` (one tandem call into an output) and
/// `sum` (the checksum of an output). One untimed warm-up call, then both timings.
template <class Make, class Call, class Sum>
Job make_job(std::string name, std::string size, Make make, Call call, Sum sum) {
  return {std::move(name), std::move(size), [make, call, sum](tandem::Backend backend, int n) {
            Row row;
            const tandem::Options options{.backend = backend, .stats = &row.stats};
            auto out = make();
            call(options, out);  // warm-up
            row.seconds = best_of(
                n,
                [&] {
                  call(options, out);
                  return 0;
                },
                row.runs);
            row.seconds_fresh = best_of(
                n,
                [&] {
                  auto fresh = make();
                  call(options, fresh);
                  return fresh;
                },
                row.runs);
            row.checksum = sum(out);
            return row;
          }};
}

/// Sum of the values, accumulated in long double (exact for the integer jobs here).
template <class T>
double total(std::span<const T> v) {
  long double s = 0;
  for (T x : v) s += static_cast<long double>(x);
  return static_cast<double>(s);
}

/// The matmul inputs: a digit in [0, 10) for flat index i, reproducible in numpy as
/// ((i * 2654435761) & 0xFFFFFFFF) >> 16) % 10 on uint64. A takes i < n*n, B the next n*n.
std::int64_t hash_digit(std::uint64_t i) {
  return static_cast<std::int64_t>(((i * 2654435761U) & 0xFFFFFFFFU) >> 16U) % 10;
}

template <class T>
tandem::Matrix<T> digits(std::int64_t n, std::uint64_t offset) {
  tandem::Matrix<T> m(n, n);
  std::uint64_t i = offset;
  for (T& v : m.values()) v = static_cast<T>(hash_digit(i++));
  return m;
}

/// A map job; a fresh output is allocated without initialising it, as numpy's is.
template <class T>
Job map_job(std::string name, std::string size, const std::vector<T>& x, tandem::MapOp op) {
  const std::size_t n = x.size();
  return make_job(
      std::move(name), std::move(size), [n] { return std::make_unique_for_overwrite<T[]>(n); },
      [&x, n, op](const tandem::Options& o, std::unique_ptr<T[]>& y) {
        tandem::map(std::span<const T>(x), std::span<T>(y.get(), n), op, o);
      },
      [n](const std::unique_ptr<T[]>& y) { return total(std::span<const T>(y.get(), n)); });
}

/// The matmul job; a fresh C is a zeroed Matrix, as the allocating overload makes.
template <class T>
Job matmul_job(std::string size, const tandem::Matrix<T>& A, const tandem::Matrix<T>& B) {
  return make_job(
      "matmul int", std::move(size), [&A] { return tandem::Matrix<T>(A.rows(), A.cols()); },
      [&A, &B](const tandem::Options& o, tandem::Matrix<T>& C) { tandem::matmul(A, B, C, o); },
      [](const tandem::Matrix<T>& C) { return total(C.values()); });
}

/// The sort job's values: splitmix64 of i + 1, top 53 bits, as a double in [-0.5, 0.5); numpy
/// computes the same (bench/notebooks.py, sort_input).
std::vector<double> sort_input(std::size_t n) {
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t z = (i + 1) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    v[i] = static_cast<double>(z >> 11) * 0x1p-53 - 0.5;
  }
  return v;
}

/// Sum of s[i] * i / n: checks the order as well as the values.
double order_checksum(std::span<const double> s) {
  long double total = 0;
  const auto n = static_cast<long double>(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    total += static_cast<long double>(s[i]) * (static_cast<long double>(i) / n);
  }
  return static_cast<double>(total);
}

/// The sort job: each call copies the input into the output and sorts it there, as np.sort(x)
/// returns a sorted copy.
Job sort_job(std::string size, const std::vector<double>& x) {
  const std::size_t n = x.size();
  return make_job(
      "sort", std::move(size), [n] { return std::make_unique_for_overwrite<double[]>(n); },
      [&x, n](const tandem::Options& o, std::unique_ptr<double[]>& y) {
        std::copy(x.begin(), x.end(), y.get());
        tandem::sort(std::span<double>(y.get(), n), o);
      },
      [n](const std::unique_ptr<double[]>& y) {
        return order_checksum(std::span<const double>(y.get(), n));
      });
}

/// A C++ peer of the sort job (a copy, then `sort` in place): a Row like tandem's.
template <class Sort>
Row sort_peer(const std::vector<double>& x, int repeats, Sort sort) {
  Row row;
  std::vector<double> y(x.size());
  const auto once = [&] {
    std::copy(x.begin(), x.end(), y.begin());
    sort(y.data(), y.data() + y.size());
    return 0;
  };
  once();  // warm-up
  row.seconds = best_of(repeats, once, row.runs);
  row.seconds_fresh = best_of(
      repeats,
      [&] {
        std::vector<double> fresh(x);
        sort(fresh.data(), fresh.data() + fresh.size());
        return fresh;
      },
      row.runs);
  row.checksum = order_checksum(y);
  return row;
}

/// JSON string literal (the names and device descriptions here are plain, but be safe).
std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

int parse_repeats(int argc, char** argv) {
  int repeats = 5;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--repeats" && i + 1 < argc) {
      repeats = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: tandem_notebook_jobs [--repeats N]  (got '%s')\n", argv[i]);
      std::exit(2);
    }
  }
  return std::max(1, repeats);
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = parse_repeats(argc, argv);

  // Inputs, built once. map 2k: the joblib notebook's f(k) = 2k for k < BIG = 2,000,000.
  std::vector<std::int64_t> k(2'000'000);
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::int64_t>(i);
  // map x*x: the multiprocessing notebook's f(x) = x * x, on 1e6 doubles arange(n) / n.
  std::vector<double> xs(1'000'000);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    xs[i] = static_cast<double>(i) / static_cast<double>(xs.size());
  }
  // matmul: 1000x1000 digits, int64 (numpy's default int) and int32.
  constexpr std::int64_t n = 1000;
  const auto A64 = digits<std::int64_t>(n, 0), B64 = digits<std::int64_t>(n, n * n);
  const auto A32 = digits<std::int32_t>(n, 0), B32 = digits<std::int32_t>(n, n * n);
  // polynomial grid: cubic, 10 values per coefficient in [0, 1], 50 x in [-2, 2].
  const tandem::CartesianGrid grid(4, tandem::linspace(0.0, 1.0, 10));
  const auto x = tandem::linspace(-2.0, 2.0, 50);
  // mse: N(0, 1) errors; the smaller sizes are prefixes of the 1e7 ones.
  std::mt19937_64 rng(42);
  std::normal_distribution<double> normal;
  std::vector<double> errors(10'000'000);
  for (double& e : errors) e = normal(rng);

  std::vector<Job> jobs = {
      map_job("map 2k", "2e6 i64", k, tandem::MapOp::scale(2)),
      map_job("map x*x", "1e6 f64", xs, tandem::MapOp::square()),
      matmul_job("1000^3 i64", A64, B64),
      matmul_job("1000^3 i32", A32, B32),
      make_job(
          "polynomial grid", "10^4x50 f64", [] { return tandem::Matrix<double>(10'000, 50); },
          [&](const tandem::Options& o, tandem::Matrix<double>& P) {
            tandem::polynomial_grid(grid, std::span<const double>(x), P, o);
          },
          [](const tandem::Matrix<double>& P) { return total(P.values()); }),
  };
  for (const auto& [size, count] : {std::pair{"1e5 f64", 100'000}, std::pair{"1e6 f64", 1'000'000},
                                    std::pair{"1e7 f64", 10'000'000}}) {
    const std::span<const double> e(errors.data(), static_cast<std::size_t>(count));
    jobs.push_back(make_job(
        "mse", size, [] { return 0.0; },
        [e](const tandem::Options& o, double& m) { m = tandem::mse(e, o); },
        [](double m) { return m; }));
    jobs.push_back(make_job(
        "mean", size, [] { return 0.0; },
        [e](const tandem::Options& o, double& m) { m = tandem::mean(e, o); },
        [](double m) { return m; }));
  }

  // sort: 1e6 and 1e7 values in [-0.5, 0.5).
  const std::vector<double> sort_1e6 = sort_input(1'000'000);
  const std::vector<double> sort_1e7 = sort_input(10'000'000);
  jobs.push_back(sort_job("1e6 f64", sort_1e6));
  jobs.push_back(sort_job("1e7 f64", sort_1e7));

  std::vector<tandem::Backend> backends = tandem::available_backends();
  backends.push_back(tandem::Backend::automatic);

  std::printf("{\n  \"tandem_version\": %s,\n  \"repeats\": %d,\n  \"backends\": [",
              quoted(tandem::version()).c_str(), repeats);
  for (std::size_t i = 0; i < backends.size(); ++i) {
    const tandem::BackendInfo info = tandem::backend_info(backends[i]);
    std::printf("%s\n    {\"name\": %s, \"threads\": %d, \"device\": %s}", i ? "," : "",
                quoted(info.name).c_str(), info.threads, quoted(info.device).c_str());
  }
  std::printf("\n  ],\n  \"rows\": [");
  const char* sep = "";
  for (const Job& job : jobs) {
    for (tandem::Backend b : backends) {
      const Row row = job.measure(b, repeats);
      std::printf(
          "%s\n    {\"job\": %s, \"size\": %s, \"tool\": %s, \"seconds\": %.9g, "
          "\"seconds_fresh_output\": %.9g, \"checksum\": %.17g, \"runs\": %d, "
          "\"ran\": %s, \"threads\": %d}",
          sep, quoted(job.name).c_str(), quoted(job.size).c_str(),
          quoted("tandem " + std::string(tandem::to_string(b))).c_str(), row.seconds,
          row.seconds_fresh, row.checksum, row.runs,
          quoted(tandem::to_string(row.stats.backend)).c_str(), row.stats.threads);
      std::fflush(stdout);
      sep = ",";
    }
  }
  // The sort job's C++ peers (tools that are not tandem: the script takes them as baselines).
  for (const auto& [size, input] :
       {std::pair{"1e6 f64", &sort_1e6}, std::pair{"1e7 f64", &sort_1e7}}) {
    const auto peer = [&](const char* tool, const Row& row) {
      std::printf(
          "%s\n    {\"job\": \"sort\", \"size\": %s, \"tool\": %s, \"seconds\": %.9g, "
          "\"seconds_fresh_output\": %.9g, \"checksum\": %.17g, \"runs\": %d}",
          sep, quoted(size).c_str(), quoted(tool).c_str(), row.seconds, row.seconds_fresh,
          row.checksum, row.runs);
      std::fflush(stdout);
      sep = ",";
    };
    peer("std::sort", sort_peer(*input, repeats, [](double* b, double* e) { std::sort(b, e); }));
#if defined(TANDEM_BENCH_HAS_PAR_SORT)
    peer("std::sort(par)", sort_peer(*input, repeats, [](double* b, double* e) {
           std::sort(std::execution::par, b, e);
         }));
#endif
  }
  std::printf("\n  ]\n}\n");
  return 0;
}
