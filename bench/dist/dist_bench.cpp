// tandem::dist's overhead against problem size and rank count. Run under mpirun -np P; rank 0
// prints one JSON object per line:
//   {"kind":"pingpong","ranks":P,"bytes":B,"seconds":t}   one-way time, rank 0 <-> rank 1
//   {"kind":"op","op":"mse","mode":"strong|weak","ranks":P,"n":N,"per_rank":n,
//    "seconds":t,"local_seconds":t0}
// seconds: the slowest rank's best time of the distributed call; local_seconds: the same
// rank-local work on one node's library (tandem::mse on the rank's part, the local sort, ...)
// so seconds - local_seconds is what distribution costs.
// Usage: dist_bench [--quick] [--repeats R]
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "tandem/dist.hpp"
#include "tandem/tandem.hpp"

namespace {

int g_rank = 0;
int g_size = 1;
int g_repeats = 10;

// Best over repeats of the slowest rank's time of f(): at least g_repeats runs, more (up to 50)
// while they take under 0.2 s in all, so short calls get enough tries on a busy machine. The
// loop's condition uses the all-reduced time, the same on every rank.
double time_collective(const std::function<void()>& f) {
  double best = 1e300;
  double spent = 0;
  for (int k = 0; k < g_repeats || (k < 50 && spent < 0.2); ++k) {
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = MPI_Wtime();
    f();
    double t = MPI_Wtime() - t0;
    double slowest = 0;
    MPI_Allreduce(&t, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    best = std::min(best, slowest);
    spent += slowest;
  }
  return best;
}

void pingpong(bool quick) {
  if (g_size < 2) return;
  std::vector<char> buf(std::size_t{1} << 24);
  for (std::size_t bytes = 8; bytes <= buf.size(); bytes *= quick ? 16 : 4) {
    const int iters = bytes < (1 << 16) ? 200 : 20;
    double best = 1e300;
    for (int k = 0; k < 3; ++k) {
      MPI_Barrier(MPI_COMM_WORLD);
      const double t0 = MPI_Wtime();
      for (int i = 0; i < iters; ++i) {
        if (g_rank == 0) {
          MPI_Send(buf.data(), static_cast<int>(bytes), MPI_CHAR, 1, 0, MPI_COMM_WORLD);
          MPI_Recv(buf.data(), static_cast<int>(bytes), MPI_CHAR, 1, 0, MPI_COMM_WORLD,
                   MPI_STATUS_IGNORE);
        } else if (g_rank == 1) {
          MPI_Recv(buf.data(), static_cast<int>(bytes), MPI_CHAR, 0, 0, MPI_COMM_WORLD,
                   MPI_STATUS_IGNORE);
          MPI_Send(buf.data(), static_cast<int>(bytes), MPI_CHAR, 0, 0, MPI_COMM_WORLD);
        }
      }
      best = std::min(best, (MPI_Wtime() - t0) / (2.0 * iters));
    }
    if (g_rank == 0) {
      std::printf("{\"kind\":\"pingpong\",\"ranks\":%d,\"bytes\":%zu,\"seconds\":%.9g}\n", g_size,
                  bytes, best);
    }
  }
}

void row(const char* op, const char* mode, std::int64_t n, std::int64_t per_rank, double t,
         double local) {
  if (g_rank == 0) {
    std::printf(
        "{\"kind\":\"op\",\"op\":\"%s\",\"mode\":\"%s\",\"ranks\":%d,\"n\":%lld,"
        "\"per_rank\":%lld,\"seconds\":%.9g,\"local_seconds\":%.9g}\n",
        op, mode, g_size, static_cast<long long>(n), static_cast<long long>(per_rank), t, local);
    std::fflush(stdout);
  }
}

std::vector<double> values(std::int64_t count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> d;
  std::vector<double> v(static_cast<std::size_t>(count));
  for (auto& x : v) x = d(rng);
  return v;
}

std::string text_of(std::int64_t bytes, std::uint64_t seed) {
  static const char* const words[] = {"the",    "of",  "and",  "tandem", "rank",  "node", "mpi",
                                      "reduce", "map", "sort", "word",   "count", "a",    "is"};
  std::mt19937_64 rng(seed);
  std::string t;
  t.reserve(static_cast<std::size_t>(bytes) + 16);
  while (static_cast<std::int64_t>(t.size()) < bytes) {
    const auto w = rng() % 64;
    if (w < std::size(words)) {
      t += words[w];
    } else {
      t.append("w").append(std::to_string(rng() % 5000));  // a long tail of distinct words
    }
    t += ' ';
  }
  return t;
}

void mse_case(const char* mode, std::int64_t n) {
  const auto [b, e] = tandem::dist::block(n, MPI_COMM_WORLD);
  const std::vector<double> x = values(e - b, 1 + g_rank);
  const tandem::Options o{.backend = tandem::Backend::openmp};
  const double t = time_collective([&] { tandem::dist::mse(x, MPI_COMM_WORLD, o); });
  const double l = time_collective([&] { tandem::mse(x, o); });
  row("mse", mode, n, e - b, t, l);
}

void sort_case(const char* mode, std::int64_t n) {
  const auto [b, e] = tandem::dist::block(n, MPI_COMM_WORLD);
  const std::vector<double> x = values(e - b, 7 + g_rank);
  const double t =
      time_collective([&] { tandem::dist::sort(std::span<const double>(x), MPI_COMM_WORLD); });
  const double l = time_collective([&] {
    std::vector<double> y = x;
    std::sort(y.begin(), y.end());
  });
  row("sort", mode, n, e - b, t, l);
}

void word_count_case(const char* mode, std::int64_t bytes) {
  const auto [b, e] = tandem::dist::block(bytes, MPI_COMM_WORLD);
  const std::string text = text_of(e - b, 11 + g_rank);
  const double t = time_collective([&] { tandem::dist::word_count(text, MPI_COMM_WORLD); });
  const double l = time_collective([&] { tandem::dist::word_count(text, MPI_COMM_SELF); });
  row("word_count", mode, bytes, e - b, t, l);
}

// Square N x N: A and C in row bands, B in row bands; local reference: the rank's band of A
// times all of B on one node.
void matmul_case(const char* mode, std::int64_t N) {
  const auto [b, e] = tandem::dist::block(N, MPI_COMM_WORLD);
  tandem::Matrix<double> A(e - b, N), B(e - b, N), C(e - b, N), Bfull(N, N), Cl(e - b, N);
  const std::vector<double> va = values((e - b) * N, 3 + g_rank);
  std::copy(va.begin(), va.end(), A.values().begin());
  std::copy(va.begin(), va.end(), B.values().begin());
  const tandem::Options o{.backend = tandem::Backend::openmp};
  const double t = time_collective(
      [&] { tandem::dist::matmul(A.view(), B.view(), C.view(), MPI_COMM_WORLD, o); });
  const double l = time_collective([&] { tandem::matmul(A.view(), Bfull.view(), Cl.view(), o); });
  row("matmul", mode, N, e - b, t, l);
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) quick = true;
    if (std::strcmp(argv[i], "--repeats") == 0 && i + 1 < argc) g_repeats = std::atoi(argv[++i]);
  }
  if (quick) g_repeats = std::min(g_repeats, 5);
  pingpong(quick);
  const std::int64_t P = g_size;
  // Strong scaling: fixed totals; weak: fixed work per rank.
  const std::vector<std::int64_t> mse_sizes =
      quick ? std::vector<std::int64_t>{10'000, 1'000'000}
            : std::vector<std::int64_t>{1'000, 10'000, 100'000, 1'000'000, 10'000'000};
  for (const auto n : mse_sizes) mse_case("strong", n);
  for (const auto n : mse_sizes) mse_case("weak", n * P);
  const std::vector<std::int64_t> sort_sizes =
      quick ? std::vector<std::int64_t>{100'000} : std::vector<std::int64_t>{10'000, 1'000'000};
  for (const auto n : sort_sizes) sort_case("strong", n);
  for (const auto n : sort_sizes) sort_case("weak", n * P);
  const std::vector<std::int64_t> text_sizes =
      quick ? std::vector<std::int64_t>{1 << 20} : std::vector<std::int64_t>{1 << 16, 1 << 22};
  for (const auto n : text_sizes) word_count_case("strong", n);
  for (const auto n : text_sizes) word_count_case("weak", n * P);
  const std::vector<std::int64_t> mm_sizes =
      quick ? std::vector<std::int64_t>{256} : std::vector<std::int64_t>{128, 512, 1024};
  for (const auto n : mm_sizes) matmul_case("strong", n);
  MPI_Finalize();
  return 0;
}
