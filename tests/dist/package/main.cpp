// Uses the installed tandem::dist: the notebook's distributed MSE, each rank its block.
#include <mpi.h>

#include <cstdio>
#include <tandem/dist.hpp>
#include <tandem/tandem.hpp>
#include <vector>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  const std::int64_t n = 100001;
  const auto [begin, end] = tandem::dist::block(n, MPI_COMM_WORLD);
  std::vector<double> errors;
  for (std::int64_t i = begin; i < end; ++i) errors.push_back(static_cast<double>(i % 7) - 3.0);
  const double m = tandem::dist::mse(errors, MPI_COMM_WORLD);
  std::vector<double> all;
  for (std::int64_t i = 0; i < n; ++i) all.push_back(static_cast<double>(i % 7) - 3.0);
  const double one = tandem::mse(all, {.backend = tandem::Backend::openmp});
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int rc = 0;
  if (m != one) {
    std::fprintf(stderr, "rank %d: dist::mse %.17g but one node %.17g\n", rank, m, one);
    rc = 1;
  } else if (rank == 0) {
    std::printf("tandem dist consumer: ok (mse %.17g)\n", m);
  }
  MPI_Finalize();
  return rc;
}
