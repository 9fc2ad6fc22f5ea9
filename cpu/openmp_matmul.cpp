#include <omp.h>

#include <algorithm>
#include <vector>

#include "kernels/blas.hpp"
#include "kernels/cpu_kernels.hpp"
#include "kernels/gemm_blocked.hpp"
#include "openmp_backend.hpp"

namespace tandem::detail::openmp {

// f32/f64 go to BLAS when one was found; integers (and floats without BLAS) to tandem's
// blocked kernel. C is split into one row band per thread times NC-column tiles, shared out
// statically: each thread packs a B panel once for its whole band, not once per MC rows.
void matmul(MatmulArgs& g, const Exec& exec) {
  if (g.m == 0 || g.n == 0) return;
  if (blas_gemm(g, exec.threads)) return;
  visit_dtype(g.dtype, [&]<class T>() {
    using B = GemmBlocking<T>;
    const std::int64_t col_tiles = (g.n + B::NC - 1) / B::NC;
    const std::int64_t band = B::round_up((g.m + exec.threads - 1) / exec.threads, B::MR);
    const std::int64_t row_tiles = (g.m + band - 1) / band;
    const std::int64_t tiles = row_tiles * col_tiles;
    const std::int64_t per = B::workspace(g);
    std::vector<arith_t<T>> work(static_cast<std::size_t>(per * exec.threads));
    const auto tile = [&](std::int64_t t, arith_t<T>* mine) {
      const std::int64_t i0 = (t / col_tiles) * band;
      const std::int64_t j0 = (t % col_tiles) * B::NC;
      gemm_block(g, i0, std::min(g.m, i0 + band), j0, std::min(g.n, j0 + B::NC), mine);
    };
    if (exec.threads == 1) {
      for (std::int64_t t = 0; t < tiles; ++t) tile(t, work.data());
      return;
    }
#pragma omp parallel num_threads(exec.threads)
    {
      arith_t<T>* mine = work.data() + per * omp_get_thread_num();
#pragma omp for schedule(static)
      for (std::int64_t t = 0; t < tiles; ++t) tile(t, mine);
    }
  });
}

}  // namespace tandem::detail::openmp
