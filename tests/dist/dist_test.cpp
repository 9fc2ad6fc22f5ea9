// tandem::dist under mpirun -np 1..4: every rank builds the same global data (one seed,
// broadcast from rank 0), takes its part under several splits (uneven, empty parts, all on one
// rank) and compares with the single-node result on the concatenation; errors on one rank must
// reach every rank as the same typed error.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "kernels/pairwise.hpp"
#include "tandem/dist.hpp"
#include "tandem/tandem.hpp"
#if __has_include(<tandem/reduce.hpp>)
#include "tandem/reduce.hpp"
#endif

namespace {

std::uint64_t g_seed = 0;

int rank_of() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}
int size_of() {
  int p = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &p);
  return p;
}

// Cut points (P + 1 offsets) of n elements over P ranks, by pattern.
std::vector<std::int64_t> split(std::int64_t n, int P, int pattern, std::mt19937_64& rng) {
  std::vector<std::int64_t> offs(static_cast<std::size_t>(P) + 1, 0);
  offs[P] = n;
  constexpr std::int64_t K = tandem::detail::kSumBlock;
  for (int s = 1; s < P; ++s) {
    switch (pattern) {
      case 0:  // even blocks
        offs[s] = n * s / P;
        break;
      case 1:  // everything on the last rank
        offs[s] = 0;
        break;
      case 2:  // everything on rank 0
        offs[s] = n;
        break;
      case 3:  // random cuts
        offs[s] = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(n + 1));
        break;
      case 4:  // cuts just off block boundaries; every other rank empty
        offs[s] = std::clamp<std::int64_t>((s / 2 * 2) * K + (s % 3) - 1, 0, n);
        break;
      default:  // a few elements per rank, so one block spans several ranks
        offs[s] = std::min(n, static_cast<std::int64_t>(s) * 7 + 8190);
        break;
    }
  }
  std::sort(offs.begin(), offs.end());
  return offs;
}
constexpr int kPatterns = 6;

template <class T>
std::vector<T> random_values(std::int64_t n, std::mt19937_64& rng) {
  std::vector<T> v(static_cast<std::size_t>(n));
  std::normal_distribution<double> d(0.0, 3.0);
  for (auto& x : v) x = static_cast<T>(d(rng) * std::exp(d(rng)));
  return v;
}

template <class T>
std::span<const T> part(const std::vector<T>& v, const std::vector<std::int64_t>& offs) {
  const int r = rank_of();
  return std::span<const T>(v).subspan(static_cast<std::size_t>(offs[r]),
                                       static_cast<std::size_t>(offs[r + 1] - offs[r]));
}

// The single-node openmp sum contract: blocks of kSumBlock terms by block_sum, folded pairwise.
double reference_sum(const std::vector<double>& v) {
  const auto n = static_cast<std::int64_t>(v.size());
  if (n == 0) return 0.0;
  using namespace tandem::detail;
  const std::int64_t blocks = (n + kSumBlock - 1) / kSumBlock;
  std::vector<double> sums(static_cast<std::size_t>(blocks));
  for (std::int64_t b = 0; b < blocks; ++b) {
    sums[b] = block_sum(b * kSumBlock, std::min(n, (b + 1) * kSumBlock),
                        [&](std::int64_t i) { return v[i]; });
  }
  return pairwise_fold(blocks, [&](std::int64_t b) { return sums[b]; });
}

const std::int64_t kSizes[] = {1, 7, 8191, 8192, 8193, 3 * 8192 + 5, 17 * 8192, 41 * 8192 + 17};

template <class T>
class DistFloat : public ::testing::Test {};
using FloatTypes = ::testing::Types<float, double>;
TYPED_TEST_SUITE(DistFloat, FloatTypes);

TYPED_TEST(DistFloat, MseIsBitwiseTheOpenmpResultForEverySplit) {
  using T = TypeParam;
  std::mt19937_64 rng(g_seed);
  const tandem::Options omp{.backend = tandem::Backend::openmp};
  for (const std::int64_t n : kSizes) {
    const std::vector<T> a = random_values<T>(n, rng);
    const std::vector<T> b = random_values<T>(n, rng);
    const double want1 = tandem::mse(std::span<const T>(a), omp);
    const double want2 = tandem::mse(std::span<const T>(a), std::span<const T>(b), omp);
    for (int pattern = 0; pattern < kPatterns; ++pattern) {
      const auto offs = split(n, size_of(), pattern, rng);
      SCOPED_TRACE("n=" + std::to_string(n) + " pattern=" + std::to_string(pattern) +
                   " seed=" + std::to_string(g_seed));
      const double got1 = tandem::dist::mse(part(a, offs), MPI_COMM_WORLD);
      const double got2 = tandem::dist::mse(part(a, offs), part(b, offs), MPI_COMM_WORLD);
      EXPECT_EQ(std::bit_cast<std::uint64_t>(got1), std::bit_cast<std::uint64_t>(want1))
          << got1 << " vs " << want1;
      EXPECT_EQ(std::bit_cast<std::uint64_t>(got2), std::bit_cast<std::uint64_t>(want2))
          << got2 << " vs " << want2;
    }
  }
}

TYPED_TEST(DistFloat, SumAndMeanFollowTheOneNodeTree) {
  using T = TypeParam;
  std::mt19937_64 rng(g_seed + 1);
  for (const std::int64_t n : kSizes) {
    const std::vector<T> x = random_values<T>(n, rng);
#if __has_include(<tandem/reduce.hpp>)  // the core's sum, once it exists
    const double want = tandem::sum(std::span<const T>(x), {.backend = tandem::Backend::openmp});
    ASSERT_EQ(std::bit_cast<std::uint64_t>(want),
              std::bit_cast<std::uint64_t>(reference_sum(std::vector<double>(x.begin(), x.end()))));
#else
    const double want = reference_sum(std::vector<double>(x.begin(), x.end()));
#endif
    for (int pattern = 0; pattern < kPatterns; ++pattern) {
      const auto offs = split(n, size_of(), pattern, rng);
      SCOPED_TRACE("n=" + std::to_string(n) + " pattern=" + std::to_string(pattern));
      EXPECT_EQ(std::bit_cast<std::uint64_t>(tandem::dist::sum(part(x, offs), MPI_COMM_WORLD)),
                std::bit_cast<std::uint64_t>(want));
      EXPECT_EQ(std::bit_cast<std::uint64_t>(tandem::dist::mean(part(x, offs), MPI_COMM_WORLD)),
                std::bit_cast<std::uint64_t>(want / static_cast<double>(n)));
    }
  }
}

// The sum of the squares (as doubles) over n is the core's mse of the values, bit for bit.
TEST(DistSum, SumOfSquaresOverNIsTheCoreMse) {
  std::mt19937_64 rng(g_seed + 2);
  const std::int64_t n = 29 * 8192 + 3;
  const std::vector<double> e = random_values<double>(n, rng);
  std::vector<double> sq(e.size());
  for (std::size_t i = 0; i < e.size(); ++i) sq[i] = e[i] * e[i];
  const double want = tandem::mse(std::span<const double>(e), {.backend = tandem::Backend::openmp});
  const auto offs = split(n, size_of(), 3, rng);
  const double got = tandem::dist::sum(part(sq, offs), MPI_COMM_WORLD) / static_cast<double>(n);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(got), std::bit_cast<std::uint64_t>(want));
}

TEST(DistSum, ThreadsAndSerialGiveTheSameBits) {
  std::mt19937_64 rng(g_seed + 3);
  const std::int64_t n = 12 * 8192 + 1;
  const std::vector<double> e = random_values<double>(n, rng);
  const auto offs = split(n, size_of(), 0, rng);
  const double a = tandem::dist::mse(part(e, offs), MPI_COMM_WORLD, {.threads = 1});
  const double b = tandem::dist::mse(part(e, offs), MPI_COMM_WORLD, {.threads = 3});
  tandem::Stats stats;
  const double c = tandem::dist::mse(part(e, offs), MPI_COMM_WORLD,
                                     {.backend = tandem::Backend::serial, .stats = &stats});
  EXPECT_EQ(stats.backend, tandem::Backend::serial);
  EXPECT_EQ(stats.threads, 1);
  EXPECT_NE(stats.reason.find("tandem::dist"), std::string::npos) << stats.reason;
  EXPECT_EQ(std::bit_cast<std::uint64_t>(a), std::bit_cast<std::uint64_t>(b));
  EXPECT_EQ(std::bit_cast<std::uint64_t>(a), std::bit_cast<std::uint64_t>(c));
}

TEST(DistSum, IntegersWrapAndFloatSumOfNothingIsZero) {
  const int P = size_of();
  const std::int64_t big = std::numeric_limits<std::int64_t>::max();
  const std::vector<std::int64_t> mine{big, big, static_cast<std::int64_t>(rank_of())};
  std::uint64_t want = 0;
  for (int s = 0; s < P; ++s)
    want += 2 * static_cast<std::uint64_t>(big) + static_cast<std::uint64_t>(s);
  EXPECT_EQ(tandem::dist::sum(std::span<const std::int64_t>(mine), MPI_COMM_WORLD),
            static_cast<std::int64_t>(want));
  const std::vector<std::int32_t> ints{-3, 5};
  EXPECT_EQ(tandem::dist::sum(std::span<const std::int32_t>(ints), MPI_COMM_WORLD), 2 * P);
  EXPECT_EQ(tandem::dist::mean(std::span<const std::int32_t>(ints), MPI_COMM_WORLD), 1.0);
  EXPECT_EQ(tandem::dist::sum(std::span<const double>(), MPI_COMM_WORLD), 0.0);
}

TEST(DistMinMax, ExactWithEmptyPartsAndNaN) {
  const int r = rank_of();
  const int P = size_of();
  std::vector<double> mine;
  if (r % 2 == 0) mine = {static_cast<double>(r), -static_cast<double>(r) - 0.5};
  EXPECT_EQ(tandem::dist::min(std::span<const double>(mine), MPI_COMM_WORLD),
            -static_cast<double>((P - 1) / 2 * 2) - 0.5);
  EXPECT_EQ(tandem::dist::max(std::span<const double>(mine), MPI_COMM_WORLD),
            static_cast<double>((P - 1) / 2 * 2));
  std::vector<float> f{1.0f, 2.0f};
  if (r == P - 1) f.push_back(std::numeric_limits<float>::quiet_NaN());
  EXPECT_TRUE(std::isnan(tandem::dist::min(std::span<const float>(f), MPI_COMM_WORLD)));
  EXPECT_TRUE(std::isnan(tandem::dist::max(std::span<const float>(f), MPI_COMM_WORLD)));
  const std::vector<std::int64_t> ints{std::numeric_limits<std::int64_t>::min() + r, 4 * r};
  EXPECT_EQ(tandem::dist::min(std::span<const std::int64_t>(ints), MPI_COMM_WORLD),
            std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(tandem::dist::max(std::span<const std::int64_t>(ints), MPI_COMM_WORLD), 4 * (P - 1));
}

// ---- matmul -----------------------------------------------------------------------------------

template <class T>
void check_matmul(std::int64_t m, std::int64_t k, std::int64_t n, int pattern_a, int pattern_b,
                  std::mt19937_64& rng) {
  tandem::Matrix<T> A(m, k), B(k, n);
  for (auto& x : A.values()) x = static_cast<T>(static_cast<int>(rng() % 19) - 9);
  for (auto& x : B.values()) x = static_cast<T>(static_cast<int>(rng() % 19) - 9);
  const tandem::Matrix<T> want =
      tandem::matmul(A.view(), B.view(), {.backend = tandem::Backend::serial});
  const auto ra = split(m, size_of(), pattern_a, rng);
  const auto rb = split(k, size_of(), pattern_b, rng);
  const int r = rank_of();
  const std::int64_t mr = ra[r + 1] - ra[r];
  const auto a_rows = A.view().submatrix(ra[r], 0, mr, k);
  const auto b_rows = B.view().submatrix(rb[r], 0, rb[r + 1] - rb[r], n);
  tandem::Matrix<T> C(mr, n);
  std::fill(C.values().begin(), C.values().end(), T(77));
  tandem::dist::matmul(tandem::MatrixView<const T>(a_rows), tandem::MatrixView<const T>(b_rows),
                       C.view(), MPI_COMM_WORLD);
  for (std::int64_t i = 0; i < mr; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      // Small integers: every float sum is exact, so the comparison is exact too.
      ASSERT_EQ(C(i, j), want(ra[r] + i, j))
          << "C(" << ra[r] + i << ", " << j << ") m=" << m << " k=" << k << " n=" << n;
    }
  }
}

TEST(DistMatmul, BandsOfAnySizeGiveTheOneNodeProduct) {
  std::mt19937_64 rng(g_seed + 4);
  for (int pa = 0; pa < kPatterns; ++pa) {
    check_matmul<std::int32_t>(37, 29, 23, pa, (pa + 3) % kPatterns, rng);
    check_matmul<double>(19, 41, 13, (pa + 1) % kPatterns, pa, rng);
  }
  check_matmul<std::int64_t>(5, 0, 3, 0, 0, rng);  // k = 0: C = 0
  check_matmul<float>(0, 6, 4, 0, 3, rng);         // no rows of C anywhere
  check_matmul<std::int64_t>(8, 9, 0, 3, 0, rng);  // no columns
}

TEST(DistMatmul, IntegersWrap) {
  const int r = rank_of();
  const std::int32_t big = std::numeric_limits<std::int32_t>::max();
  // A = [big big ... big] (1 x P), B = all ones (P x 1, one row per rank): C = P * big, wrapped.
  tandem::Matrix<std::int32_t> A(r == 0 ? 1 : 0, size_of());
  if (r == 0) std::fill(A.values().begin(), A.values().end(), big);
  const tandem::Matrix<std::int32_t> B(1, 1, {1});
  tandem::Matrix<std::int32_t> C(r == 0 ? 1 : 0, 1);
  tandem::dist::matmul(A.view(), B.view(), C.view(), MPI_COMM_WORLD);
  if (r == 0) {
    EXPECT_EQ(C(0, 0), static_cast<std::int32_t>(static_cast<std::uint32_t>(big) *
                                                 static_cast<std::uint32_t>(size_of())));
  }
}

// ---- sort -------------------------------------------------------------------------------------

template <class T>
void check_sort(std::int64_t n, int pattern, int distinct, std::mt19937_64& rng) {
  std::vector<T> x(static_cast<std::size_t>(n));
  for (auto& v : x) v = static_cast<T>(static_cast<std::int64_t>(rng() % distinct) - distinct / 3);
  if constexpr (std::is_floating_point_v<T>) {
    if (n > 3) x[static_cast<std::size_t>(n / 2)] = std::numeric_limits<T>::quiet_NaN();
  }
  const auto offs = split(n, size_of(), pattern, rng);
  const std::vector<T> got = tandem::dist::sort(part(x, offs), MPI_COMM_WORLD);
  const auto [begin, end] = tandem::dist::block(n, MPI_COMM_WORLD);
  ASSERT_EQ(static_cast<std::int64_t>(got.size()), end - begin) << "n=" << n;
  std::vector<T> want = x;
  std::sort(want.begin(), want.end(), [](T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
      return a < b || (!std::isnan(a) && std::isnan(b));
    } else {
      return a < b;
    }
  });
  for (std::int64_t i = begin; i < end; ++i) {
    const T w = want[static_cast<std::size_t>(i)];
    const T g = got[static_cast<std::size_t>(i - begin)];
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(w)) {
        ASSERT_TRUE(std::isnan(g)) << "position " << i;
        continue;
      }
    }
    ASSERT_EQ(g, w) << "position " << i << " n=" << n << " pattern=" << pattern;
  }
}

TEST(DistSort, PartsAreTheGlobalOrderInBalancedBlocks) {
  std::mt19937_64 rng(g_seed + 5);
  for (int pattern = 0; pattern < kPatterns; ++pattern) {
    check_sort<double>(20000, pattern, 1 << 30, rng);
    check_sort<std::int32_t>(5001, pattern, 3, rng);  // heavy duplicates
    check_sort<float>(3, pattern, 10, rng);
    check_sort<std::int64_t>(0, pattern, 10, rng);
  }
}

// ---- word count -------------------------------------------------------------------------------

TEST(DistWordCount, EveryRankGetsTheGlobalCounts) {
  const int r = rank_of();
  const int P = size_of();
  std::string text = "The cat, the DOG; the caf\xc3\xa9 ";
  text.append("rank").append(std::to_string(r)).append(" x");
  text.append(static_cast<std::size_t>(r), 'y');
  if (r == 1) text.clear();  // an empty part
  const std::vector<tandem::WordCount> got = tandem::dist::word_count(text, MPI_COMM_WORLD);
  std::map<std::string, std::int64_t> want;
  for (int s = 0; s < P; ++s) {
    if (s == 1) continue;
    want["the"] += 3;
    want["cat"] += 1;
    want["dog"] += 1;
    want["caf\xc3\xa9"] += 1;
    want[std::string("rank").append(std::to_string(s))] += 1;
    want[std::string("x").append(static_cast<std::size_t>(s), 'y')] += 1;
  }
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].count, want[got[i].word]) << got[i].word;
    if (i > 0) {
      EXPECT_TRUE(got[i - 1].count > got[i].count ||
                  (got[i - 1].count == got[i].count && got[i - 1].word < got[i].word));
    }
  }
}

TEST(DistBlock, BlocksTileTheRange) {
  const int r = rank_of();
  const int P = size_of();
  for (const std::int64_t total : {0, 1, 5, 1000003}) {
    const auto [b, e] = tandem::dist::block(total, MPI_COMM_WORLD);
    EXPECT_EQ(b, total / P * r + std::min<std::int64_t>(r, total % P));
    EXPECT_EQ(e - b, total / P + (r < total % P ? 1 : 0));
  }
}

// ---- collective errors ------------------------------------------------------------------------

template <class E, class F>
void expect_everywhere(F&& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "no exception on rank " << rank_of();
  } catch (const E& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception on rank " << rank_of() << ": " << e.what();
  }
  // The communicator is still usable afterwards (nothing left in flight).
  const std::vector<double> one{2.0};
  EXPECT_EQ(tandem::dist::mse(std::span<const double>(one), MPI_COMM_WORLD), 4.0);
}

TEST(DistErrors, AMismatchOnOneRankIsTheSameErrorEverywhere) {
  const int r = rank_of();
  const int last = size_of() - 1;
  const std::vector<double> a(10, 1.0);
  const std::vector<double> b(r == last ? 9 : 10, 0.0);
  expect_everywhere<tandem::invalid_argument>(
      [&] {
        tandem::dist::mse(std::span<const double>(a), std::span<const double>(b), MPI_COMM_WORLD);
      },
      "b.size() is 9");
  expect_everywhere<tandem::invalid_argument>(
      [&] {
        tandem::dist::sum(std::span<const double>(a), MPI_COMM_WORLD,
                          {.threads = r == last ? -1 : 0});
      },
      "options.threads is -1");
}

TEST(DistErrors, RanksThatDisagreeOnTheCallFailInsteadOfHanging) {
  if (size_of() < 2) GTEST_SKIP() << "needs two ranks";
  const std::vector<double> d{1.0};
  const std::vector<float> f{1.0f};
  expect_everywhere<tandem::invalid_argument>(
      [&] {
        if (rank_of() == 1) {
          tandem::dist::sum(std::span<const float>(f), MPI_COMM_WORLD);
        } else {
          tandem::dist::sum(std::span<const double>(d), MPI_COMM_WORLD);
        }
      },
      "the ranks disagree on the call");
  expect_everywhere<tandem::invalid_argument>(
      [&] { tandem::dist::block(rank_of() == 1 ? 7 : 8, MPI_COMM_WORLD); },
      "must be the same on every rank");
}

TEST(DistErrors, EmptyEverywhereAndBadShapes) {
  expect_everywhere<tandem::invalid_argument>(
      [] { tandem::dist::mse(std::span<const double>(), MPI_COMM_WORLD); }, "empty on every rank");
  expect_everywhere<tandem::invalid_argument>(
      [] { tandem::dist::max(std::span<const std::int32_t>(), MPI_COMM_WORLD); },
      "empty on every rank");
  // a_rows.cols must be the total rows of B.
  const int r = rank_of();
  tandem::Matrix<double> A(2, 3), B(r == 0 ? 2 : 0, 4), C(2, 4);
  expect_everywhere<tandem::invalid_argument>(
      [&] { tandem::dist::matmul(A.view(), B.view(), C.view(), MPI_COMM_WORLD); },
      "a_rows has 3 columns");
  // A bad c_rows on the last rank only reaches everyone.
  tandem::Matrix<double> A2(2, 2), B2(r == 0 ? 2 : 0, 2), C2(r == size_of() - 1 ? 3 : 2, 2);
  expect_everywhere<tandem::invalid_argument>(
      [&] { tandem::dist::matmul(A2.view(), B2.view(), C2.view(), MPI_COMM_WORLD); },
      "c_rows is 3x2");
}

// A local product that fails inside the ring (here: the last rank asks for a backend this
// machine lacks) is the same error everywhere, and no rank's c_rows is written.
TEST(DistErrors, AFailureInsideTheRingLeavesEveryCRowsAsItWas) {
  if (tandem::backend_info(tandem::Backend::cuda).available) {
    GTEST_SKIP() << "needs a backend that is unavailable here (cuda is available)";
  }
  const int r = rank_of();
  const int P = size_of();
  tandem::Matrix<double> A(3, 2 * P), B(2, 5), C(3, 5);
  std::fill(A.values().begin(), A.values().end(), 1.0);
  std::fill(B.values().begin(), B.values().end(), 2.0);
  std::fill(C.values().begin(), C.values().end(), 77.0);
  tandem::Options o;
  if (r == P - 1) o.backend = tandem::Backend::cuda;
  expect_everywhere<tandem::error>(
      [&] { tandem::dist::matmul(A.view(), B.view(), C.view(), MPI_COMM_WORLD, o); }, "cuda");
  for (double v : C.values()) ASSERT_EQ(v, 77.0) << "rank " << r;
}

// Calls on sub-communicators use their own duplicates; freeing a communicator frees its
// duplicate (the attribute's delete callback), and a new one works again.
TEST(DistComm, SubCommunicatorsAndNull) {
  const int r = rank_of();
  std::mt19937_64 rng(g_seed + 6);
  const std::vector<double> e = random_values<double>(3 * 8192 + 11, rng);
  const double want = tandem::mse(std::span<const double>(e), {.backend = tandem::Backend::openmp});
  for (int round = 0; round < 2; ++round) {
    MPI_Comm half = MPI_COMM_NULL;
    ASSERT_EQ(MPI_Comm_split(MPI_COMM_WORLD, r % 2, r, &half), MPI_SUCCESS);
    int hr = 0;
    int hp = 1;
    MPI_Comm_rank(half, &hr);
    MPI_Comm_size(half, &hp);
    const auto offs = split(static_cast<std::int64_t>(e.size()), hp, 3 + round, rng);
    const auto mine = std::span<const double>(e).subspan(
        static_cast<std::size_t>(offs[hr]), static_cast<std::size_t>(offs[hr + 1] - offs[hr]));
    EXPECT_EQ(std::bit_cast<std::uint64_t>(tandem::dist::mse(mine, half)),
              std::bit_cast<std::uint64_t>(want));
    MPI_Comm_free(&half);
  }
  EXPECT_THROW(tandem::dist::sum(std::span<const double>(e), MPI_COMM_NULL),
               tandem::invalid_argument);
}

// Only rank 0 prints progress; every rank prints its failures (mpirun fails if any rank does).
class FailuresOnly : public ::testing::EmptyTestEventListener {
 public:
  explicit FailuresOnly(int rank) : rank_(rank) {}
  void OnTestPartResult(const ::testing::TestPartResult& result) override {
    if (result.failed()) {
      std::fprintf(stderr, "[rank %d] %s:%d: %s\n", rank_, result.file_name(), result.line_number(),
                   result.summary());
    }
  }

 private:
  int rank_;
};

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  const int r = rank_of();
  unsigned long long seed = 0;
  if (r == 0) {
    const char* s = std::getenv("TANDEM_TEST_SEED");
    seed = s != nullptr && *s != '\0' ? std::stoull(s, nullptr, 0) : std::random_device{}();
    std::printf("tandem dist tests: %d ranks, seed=%llu (set TANDEM_TEST_SEED to repeat)\n",
                size_of(), seed);
  }
  MPI_Bcast(&seed, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
  g_seed = seed;
  if (r != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new FailuresOnly(r));
  }
  const int rc = RUN_ALL_TESTS();
  MPI_Finalize();
  return rc;
}
