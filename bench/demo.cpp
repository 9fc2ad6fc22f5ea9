// tandem_demo: the notebooks' four jobs at the notebooks' sizes, on every available backend,
// with the result, the best-of-N wall time and the speedup over serial.
// Usage: tandem_demo [repeats=3]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "tandem/tandem.hpp"

namespace {

struct Job {
  std::string name;
  std::string size;
  // Runs once on the given options; returns a checksum of the result.
  std::function<double(const tandem::Options&)> run;
};

double best_of(int repeats, const Job& job, tandem::Backend b, double* checksum) {
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) {
    tandem::Stats stats;
    *checksum = job.run({.backend = b, .stats = &stats});
    best = std::min(best, stats.seconds);
  }
  return best;
}

template <class T>
double sum(std::span<const T> v) {
  double s = 0;
  for (T x : v) s += static_cast<double>(x);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  std::printf("tandem %s demo: the notebooks' jobs on every available backend (best of %d)\n\n",
              tandem::version(), repeats);
  for (tandem::Backend b :
       {tandem::Backend::serial, tandem::Backend::openmp, tandem::Backend::cuda}) {
    const tandem::BackendInfo info = tandem::backend_info(b);
    std::printf("  %-7s %s\n", info.name.c_str(),
                info.available ? info.device.c_str() : ("unavailable: " + info.reason).c_str());
  }
  std::printf("\n");

  std::mt19937_64 rng(42);
  // map: the joblib notebook's f(k) = 2k over 2,000,000 values.
  std::vector<std::int64_t> k(2'000'000), k2(k.size());
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::int64_t>(i);
  // matmul: 1000x1000 int matrices of values in [0, 10).
  std::uniform_int_distribution<std::int32_t> digit(0, 9);
  tandem::Matrix<std::int32_t> A(1000, 1000), B(1000, 1000), C(1000, 1000);
  for (auto& v : A.values()) v = digit(rng);
  for (auto& v : B.values()) v = digit(rng);
  // polynomial grid: cubic, 10 values per coefficient in [0, 1], 50 x in [-2, 2].
  const tandem::CartesianGrid grid(4, tandem::linspace(0.0, 1.0, 10));
  const auto x = tandem::linspace(-2.0, 2.0, 50);
  tandem::Matrix<double> P(10'000, 50);
  // MSE: 1e7 standard normal errors.
  std::normal_distribution<double> normal;
  std::vector<double> errors(10'000'000);
  for (auto& e : errors) e = normal(rng);

  const std::vector<Job> jobs = {
      {"map 2x", "n=2e6 int64",
       [&](const tandem::Options& o) {
         tandem::map(k, k2, tandem::MapOp::scale(2), o);
         return sum<std::int64_t>(k2);
       }},
      {"matmul", "1000^3 int32",
       [&](const tandem::Options& o) {
         tandem::matmul(A, B, C, o);
         return sum<std::int32_t>(C.values());
       }},
      {"polynomial grid", "10^4 sets x 50 x",
       [&](const tandem::Options& o) {
         tandem::polynomial_grid(grid, x, P, o);
         return sum<double>(P.values());
       }},
      {"mse", "n=1e7 f64", [&](const tandem::Options& o) { return tandem::mse(errors, o); }},
  };

  std::printf("%-16s %-18s %-10s %12s %9s  %s\n", "workload", "size", "backend", "time [ms]",
              "speedup", "result");
  for (const Job& job : jobs) {
    double serial_time = 0;
    for (tandem::Backend b : tandem::available_backends()) {
      double checksum = 0;
      const double t = best_of(repeats, job, b, &checksum);
      if (b == tandem::Backend::serial) serial_time = t;
      std::printf("%-16s %-18s %-10s %12.3f %8.2fx  %.10g\n", job.name.c_str(), job.size.c_str(),
                  std::string(tandem::to_string(b)).c_str(), t * 1e3, serial_time / t, checksum);
    }
  }
  return 0;
}
