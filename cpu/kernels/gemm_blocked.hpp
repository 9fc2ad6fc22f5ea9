#pragma once
// tandem's own GEMM: C = A·B for any element type, cache-blocked with packed panels and an
// MR x NR register tile. Integers are multiplied and summed in the unsigned type, so results
// wrap modulo 2^bits with no UB. Used by the openmp backend for integers, and for f32/f64
// when no BLAS was found.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "arith.hpp"
#include "dispatch/backend_impl.hpp"

namespace tandem::detail {

template <class T>
struct GemmBlocking {
  static constexpr int MR = 6;                                 // rows of the register tile
  static constexpr int NR = static_cast<int>(64 / sizeof(T));  // one cache line of columns
  static constexpr std::int64_t MC = 96;                       // rows of A per packed panel
  static constexpr std::int64_t KC = 256;                      // depth per packed panel
  static constexpr std::int64_t NC = 256;                      // columns of B per packed panel

  static std::int64_t round_up(std::int64_t v, std::int64_t to) { return (v + to - 1) / to * to; }
  /// Elements one thread packs into, for this problem.
  static std::int64_t workspace(const MatmulArgs& a) {
    const std::int64_t kc = std::clamp<std::int64_t>(a.k, 1, KC);
    return round_up(std::min(a.m, MC), MR) * kc + round_up(std::min(a.n, NC), NR) * kc;
  }
};

// acc = a_panel (MR x kc, packed p-major) · b_panel (kc x NR, packed p-major).
// NR elements are one 64-byte vector: with GNU vector extensions the accumulators stay in
// registers as whole vectors (zmm, 2 ymm or 4 xmm, by the clone's ISA).
template <class U, int MR, int NR>
inline void gemm_micro(std::int64_t kc, const U* __restrict a, const U* __restrict b,
                       U (&acc)[MR][NR]) {
#if defined(__GNUC__) || defined(__clang__)
  static_assert(NR * sizeof(U) == 64);
  typedef U V __attribute__((vector_size(64)));
  V c[MR];
  for (int r = 0; r < MR; ++r) c[r] = V{};
  for (std::int64_t p = 0; p < kc; ++p) {
    V bv;
    std::memcpy(&bv, b + p * NR, sizeof(V));
    for (int r = 0; r < MR; ++r) c[r] += a[p * MR + r] * bv;
  }
  std::memcpy(acc, c, sizeof(c));
#else
  for (int r = 0; r < MR; ++r) {
    for (int col = 0; col < NR; ++col) acc[r][col] = U{0};
  }
  for (std::int64_t p = 0; p < kc; ++p) {
    for (int r = 0; r < MR; ++r) {
      for (int col = 0; col < NR; ++col) acc[r][col] += a[p * MR + r] * b[p * NR + col];
    }
  }
#endif
}

/// C[i0:i1, j0:j1] = A[i0:i1, :] · B[:, j0:j1]; i1 - i0 <= MC is not required (rows are
/// walked in MC panels). `work` holds GemmBlocking<T>::workspace(args) elements.
template <class T>
void gemm_blocked(const MatmulArgs& g, std::int64_t i0, std::int64_t i1, std::int64_t j0,
                  std::int64_t j1, arith_t<T>* work) {
  using U = arith_t<T>;
  using B = GemmBlocking<T>;
  constexpr int MR = B::MR;
  constexpr int NR = B::NR;
  const T* A = static_cast<const T*>(g.a);
  const T* Bm = static_cast<const T*>(g.b);
  T* C = static_cast<T*>(g.c);
  if (g.k == 0) {
    for (std::int64_t i = i0; i < i1; ++i) std::fill(C + i * g.ldc + j0, C + i * g.ldc + j1, T{0});
    return;
  }
  const std::int64_t kc_max = std::min(g.k, B::KC);
  U* bp = work + B::round_up(std::min(g.m, B::MC), MR) * kc_max;  // after the A panel
  U* ap = work;
  for (std::int64_t jc = j0; jc < j1; jc += B::NC) {
    const std::int64_t nc = std::min(B::NC, j1 - jc);
    for (std::int64_t pc = 0; pc < g.k; pc += B::KC) {
      const std::int64_t kc = std::min(B::KC, g.k - pc);
      // Pack B[pc:pc+kc, jc:jc+nc] in NR-column strips, zero-padded.
      for (std::int64_t s = 0; s < nc; s += NR) {
        U* dst = bp + s * kc;
        const std::int64_t w = std::min<std::int64_t>(NR, nc - s);
        for (std::int64_t p = 0; p < kc; ++p) {
          const T* src = Bm + (pc + p) * g.ldb + jc + s;
          if (w == NR) {  // a full strip: T and U share size and bits
            std::memcpy(dst + p * NR, src, NR * sizeof(T));
          } else {
            for (int c = 0; c < NR; ++c) dst[p * NR + c] = c < w ? to_arith(src[c]) : U{0};
          }
        }
      }
      for (std::int64_t ic = i0; ic < i1; ic += B::MC) {
        const std::int64_t mc = std::min(B::MC, i1 - ic);
        // Pack A[ic:ic+mc, pc:pc+kc] in MR-row strips, zero-padded.
        for (std::int64_t t = 0; t < mc; t += MR) {
          U* dst = ap + t * kc;
          const std::int64_t h = std::min<std::int64_t>(MR, mc - t);
          for (int r = 0; r < MR; ++r) {
            if (r < h) {
              const T* src = A + (ic + t + r) * g.lda + pc;
              for (std::int64_t p = 0; p < kc; ++p) dst[p * MR + r] = to_arith(src[p]);
            } else {
              for (std::int64_t p = 0; p < kc; ++p) dst[p * MR + r] = U{0};
            }
          }
        }
        for (std::int64_t s = 0; s < nc; s += NR) {
          const std::int64_t w = std::min<std::int64_t>(NR, nc - s);
          for (std::int64_t t = 0; t < mc; t += MR) {
            const std::int64_t h = std::min<std::int64_t>(MR, mc - t);
            U acc[MR][NR];
            gemm_micro<U, MR, NR>(kc, ap + t * kc, bp + s * kc, acc);
            for (std::int64_t r = 0; r < h; ++r) {
              T* crow = C + (ic + t + r) * g.ldc + jc + s;
              for (std::int64_t c = 0; c < w; ++c) {
                crow[c] = pc == 0 ? from_arith<T>(acc[r][c])
                                  : from_arith<T>(static_cast<U>(to_arith(crow[c]) + acc[r][c]));
              }
            }
          }
        }
      }
    }
  }
}

}  // namespace tandem::detail
