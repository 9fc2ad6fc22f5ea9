#include <omp.h>

#include <algorithm>
#include <vector>

#include "kernels/blas.hpp"
#include "kernels/cpu_kernels.hpp"
#include "kernels/gemm_blocked.hpp"
#include "openmp_backend.hpp"

namespace tandem::detail {

// f32/f64 go to BLAS when one was found; integers (and floats without BLAS) to tandem's
// blocked kernel, with C split into row x column tiles shared out statically.
void OpenmpBackend::matmul(const MatmulArgs& g, const Exec& exec) {
  if (g.m == 0 || g.n == 0) return;
  if (blas_gemm(g, exec.threads)) return;
  visit_dtype(g.dtype, [&]<class T>() {
    using B = GemmBlocking<T>;
    // Tiles of mc rows x NC columns; shrink mc until every thread has work (or mc == MR).
    std::int64_t mc = B::MC;
    const std::int64_t col_tiles = (g.n + B::NC - 1) / B::NC;
    while (mc > B::MR && ((g.m + mc - 1) / mc) * col_tiles < 2 * exec.threads) {
      mc = std::max<std::int64_t>(B::MR, B::round_up(mc / 2, B::MR));
    }
    const std::int64_t row_tiles = (g.m + mc - 1) / mc;
    const std::int64_t tiles = row_tiles * col_tiles;
    const std::int64_t per = B::workspace(g);
    std::vector<arith_t<T>> work(static_cast<std::size_t>(per * exec.threads));
#pragma omp parallel num_threads(exec.threads)
    {
      arith_t<T>* mine = work.data() + per * omp_get_thread_num();
#pragma omp for schedule(static)
      for (std::int64_t t = 0; t < tiles; ++t) {
        const std::int64_t i0 = (t / col_tiles) * mc;
        const std::int64_t j0 = (t % col_tiles) * B::NC;
        gemm_block(g, i0, std::min(g.m, i0 + mc), j0, std::min(g.n, j0 + B::NC), mine);
      }
    }
  });
}

}  // namespace tandem::detail
