#pragma once
/// tandem::dist: tandem's workloads over the ranks of an MPI communicator.
///
/// Link tandem::dist (find_package(tandem COMPONENTS dist)); the core library never uses MPI.
/// Every function is collective: all ranks of `comm` call it, in the same order, with their own
/// part of the data. Each rank's local work runs on that rank's backend (Options as given, the
/// automatic backend by default).
///
/// **Same bits as one node.** mse, sum and mean return on every rank exactly what single-node
/// tandem::mse / sum / mean on the openmp backend return for the concatenation of the ranks'
/// parts (in rank order), for any number of ranks and any split (empty parts included): the
/// pairwise tree over blocks of 8192 terms depends on the global n only, and the ranks compute
/// its subtrees and combine their roots in the tree's own order. Integer sums wrap modulo 2^64.
/// min and max are exact; a NaN anywhere gives NaN.
///
/// **Errors are collective.** A bad argument or a failure on one rank (a local exception, ranks
/// that disagree on shapes or on which call they make) throws the same typed tandem error, with
/// the failing rank's message, on every rank; no rank is left waiting. An MPI call that fails
/// throws tandem::device_error. MPI must be initialised; tandem::dist works on its own
/// duplicate of `comm` (created once per communicator, freed with it), so its messages never
/// meet yours. A rank that cannot reach the others (MPI not initialised, MPI_COMM_NULL, an
/// intercommunicator) throws tandem::invalid_argument alone.
///
/// **Example** (the notebook's distributed MSE; run with `mpirun -np 4 ./app`):
///   MPI_Init(&argc, &argv);
///   auto [begin, end] = tandem::dist::block(n, MPI_COMM_WORLD);  // this rank's share of n
///   std::vector<double> errors = load_errors(begin, end);
///   double m = tandem::dist::mse(errors, MPI_COMM_WORLD);        // the same on every rank
///   MPI_Finalize();
#include <mpi.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tandem/dist_export.hpp"
#include "tandem/options.hpp"
#include "tandem/views.hpp"

#if __has_include(<tandem/word_count.hpp>)
#include <tandem/word_count.hpp>  // tandem::WordCount, the single-node word count's result
#else
namespace tandem {
/// One word and how often it occurs (word_count's result, sorted by count desc then word asc).
struct WordCount {
  std::string word;
  std::int64_t count = 0;
  friend bool operator==(const WordCount&, const WordCount&) = default;
};
}  // namespace tandem
#endif

namespace tandem::dist {

/// Mean squared error of the distributed sequence (mean(e[i]^2)), or of a - b (each rank's
/// a and b the same size). The whole sequence must not be empty.
#define TANDEM_DIST_DECLARE_MSE_(T)                                                        \
  TANDEM_DIST_EXPORT double mse(std::span<const T> local, MPI_Comm comm,                   \
                                const Options& options = {});                              \
  TANDEM_DIST_EXPORT double mse(std::span<const T> a, std::span<const T> b, MPI_Comm comm, \
                                const Options& options = {});
TANDEM_DIST_DECLARE_MSE_(float)
TANDEM_DIST_DECLARE_MSE_(double)
#undef TANDEM_DIST_DECLARE_MSE_

/// Sum of the distributed sequence: pairwise in double for f32/f64 (0 for an empty sequence),
/// wrapping int64 for i32/i64.
TANDEM_DIST_EXPORT double sum(std::span<const float> local, MPI_Comm comm,
                              const Options& options = {});
TANDEM_DIST_EXPORT double sum(std::span<const double> local, MPI_Comm comm,
                              const Options& options = {});
TANDEM_DIST_EXPORT std::int64_t sum(std::span<const std::int32_t> local, MPI_Comm comm,
                                    const Options& options = {});
TANDEM_DIST_EXPORT std::int64_t sum(std::span<const std::int64_t> local, MPI_Comm comm,
                                    const Options& options = {});

/// sum / n as a double. The whole sequence must not be empty.
#define TANDEM_DIST_DECLARE_STATS_(T)                                                             \
  TANDEM_DIST_EXPORT double mean(std::span<const T> local, MPI_Comm comm,                         \
                                 const Options& options = {});                                    \
  TANDEM_DIST_EXPORT T min(std::span<const T> local, MPI_Comm comm, const Options& options = {}); \
  TANDEM_DIST_EXPORT T max(std::span<const T> local, MPI_Comm comm, const Options& options = {});
TANDEM_DIST_DECLARE_STATS_(float)
TANDEM_DIST_DECLARE_STATS_(double)
TANDEM_DIST_DECLARE_STATS_(std::int32_t)
TANDEM_DIST_DECLARE_STATS_(std::int64_t)
#undef TANDEM_DIST_DECLARE_STATS_

/// C = A·B with A, B and C in bands of rows, in rank order (band sizes may differ, some may be
/// empty): this rank's c_rows = a_rows · B, where a_rows is m_r x k, B (k x n) is the
/// concatenation of every rank's b_rows and c_rows is m_r x n. B's bands travel around the
/// ring of ranks while each rank multiplies by the band it holds, so no rank holds all of B.
/// Integers wrap; floating-point results round as the local matmul with a split k does.
#define TANDEM_DIST_DECLARE_MATMUL_(T)                                                   \
  TANDEM_DIST_EXPORT void matmul(MatrixView<const T> a_rows, MatrixView<const T> b_rows, \
                                 MatrixView<T> c_rows, MPI_Comm comm,                    \
                                 const Options& options = {});
TANDEM_DIST_DECLARE_MATMUL_(float)
TANDEM_DIST_DECLARE_MATMUL_(double)
TANDEM_DIST_DECLARE_MATMUL_(std::int32_t)
TANDEM_DIST_DECLARE_MATMUL_(std::int64_t)
#undef TANDEM_DIST_DECLARE_MATMUL_

/// This rank's part of the globally sorted sequence (ascending; NaNs last): rank r receives
/// the elements of global sorted positions block(n, comm) would give it, so parts are in rank
/// order and their sizes differ by at most one.
#define TANDEM_DIST_DECLARE_SORT_(T)                                              \
  TANDEM_DIST_EXPORT std::vector<T> sort(std::span<const T> local, MPI_Comm comm, \
                                         const Options& options = {});
TANDEM_DIST_DECLARE_SORT_(float)
TANDEM_DIST_DECLARE_SORT_(double)
TANDEM_DIST_DECLARE_SORT_(std::int32_t)
TANDEM_DIST_DECLARE_SORT_(std::int64_t)
#undef TANDEM_DIST_DECLARE_SORT_

/// Word counts of the text of all ranks (each rank passes its own text; a word does not span
/// ranks). A word is a maximal run of ASCII letters, digits and bytes >= 0x80, ASCII
/// lower-cased. Every rank receives all the counts, sorted by count (descending) then word.
TANDEM_DIST_EXPORT std::vector<WordCount> word_count(std::string_view local_text, MPI_Comm comm,
                                                     const Options& options = {});

/// This rank's block [begin, end) of [0, total): ranks 0..total%P-1 get one more than the
/// others. E.g. its parameter sets of a polynomial grid. total must be >= 0 and the same on
/// every rank.
TANDEM_DIST_EXPORT std::pair<std::int64_t, std::int64_t> block(std::int64_t total, MPI_Comm comm);

}  // namespace tandem::dist
