#pragma once
// The CPU backends' hot loops over one range of the work, each compiled for several ISA levels
// (multiversion.hpp). The openmp backend calls them on per-thread ranges.
#include <cstdint>

#include "dispatch/backend_impl.hpp"

namespace tandem::detail {

/// y[i] = op(x[i]) for i in [begin, end).
void map_range(const MapArgs& args, std::int64_t begin, std::int64_t end);

/// Pairwise sum (pairwise.hpp) of the squared errors in [lo, hi), hi - lo <= kSumBlock.
double mse_block_sum(const MseArgs& args, std::int64_t lo, std::int64_t hi);

/// Rows [r0, r1) of a polynomial grid. `coef` holds args.ncoef elements of the dtype and
/// `idx` args.ncoef indices, both scratch space of the caller.
void polynomial_grid_rows(const PolynomialGridArgs& args, std::int64_t r0, std::int64_t r1,
                          void* coef, std::int64_t* idx);

/// Coefficients of parameter set r, written to c (ncoef values). For a Cartesian grid, idx
/// (ncoef values) receives the axis indices of r.
template <class T>
void grid_coefficients(const PolynomialGridArgs& g, std::int64_t r, T* c, std::int64_t* idx) {
  if (g.table != nullptr) {
    const T* row = static_cast<const T*>(g.table) + r * g.ldt;
    for (std::int64_t k = 0; k < g.ncoef; ++k) c[k] = row[k];
    return;
  }
  for (std::int64_t k = g.ncoef - 1; k >= 0; --k) {  // last axis varies fastest
    idx[k] = r % g.axis_sizes[k];
    r /= g.axis_sizes[k];
    c[k] = static_cast<const T*>(g.axes[k])[idx[k]];
  }
}

/// Per-thread packing space for gemm_block, in elements of the product's dtype.
std::int64_t gemm_workspace_elems(const MatmulArgs& args);

/// C[i0:i1, j0:j1] = A[i0:i1, :] · B[:, j0:j1], cache-blocked with packed panels.
/// `work` holds gemm_workspace_elems(args) elements of the dtype.
void gemm_block(const MatmulArgs& args, std::int64_t i0, std::int64_t i1, std::int64_t j0,
                std::int64_t j1, void* work);

}  // namespace tandem::detail
