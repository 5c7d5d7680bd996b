// Building blocks of the AVX2 + FMA GD-step kernels (step_panels_avx2.c, lean_panels_avx2.c): the
// 8 × 6 register tile of both GEMMs and the activation epilogues. The panel layout of D, the
// packing of X and R and the 8 × 24 tile of Z between the GEMM and the epilogue are those of the
// AVX-512 kernels (step_tiles_avx512.h). Internal: include only inside `#if defined(__x86_64__)`.
//
// Micro-tile of both GEMMs: 8 × 6 = 12 ymm accumulators; per step of the inner dimension, 2 vector
// loads of the 8-wide packed operand (X's rows, R's columns), 6 broadcasts of the other (Wᵀ's
// panel, D's row), 12 FMAs; 15 registers, so nothing spills. An 8 × 24 tile is four such tiles.
#ifndef EXPREG_STEP_TILES_AVX2_H
#define EXPREG_STEP_TILES_AVX2_H
#include "CExpRegKernels.h"
#include "exp_avx2_inline.h"

/// All bits set in lanes l < count of 4 (for maskload / maskstore).
EXPREG_AVX2 static inline __m256i expreg_lanes_below4(long count) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(count), _mm256_set_epi64x(3, 2, 1, 0));
}

/// The 8 × 6 register tile of both GEMMs: per step, u_j += dr[j] · (r0, r1) for j < 6 (one FMA per
/// lane, 12 accumulators u_j0, u_j1); the caller names the broadcast source `dr`, the two vectors
/// `r0`, `r1` and, for the spill, the 6 × 8 destination `sums` (32-byte aligned).
#define EXPREG_U6_ZERO(j) __m256d u##j##0 = _mm256_setzero_pd(), u##j##1 = _mm256_setzero_pd();
#define EXPREG_U6_FMA(j)                                        \
    {                                                           \
        const __m256d x_ = _mm256_broadcast_sd(dr + (j));       \
        u##j##0 = _mm256_fmadd_pd(x_, r0, u##j##0);             \
        u##j##1 = _mm256_fmadd_pd(x_, r1, u##j##1);             \
    }
#define EXPREG_U6_SPILL(j)                      \
    _mm256_store_pd(sums + (j) * 8, u##j##0);   \
    _mm256_store_pd(sums + (j) * 8 + 4, u##j##1);
#define EXPREG_U6_ALL(M) M(0) M(1) M(2) M(3) M(4) M(5)

/// Z of one 8 × 24 tile, tile[r·24 + c] = Σ_k xt[k·8 + r] bp[k·24 + c] (one FMA per k, k = 0 … d − 1
/// in order, from 0; xt: 8 rows of X packed by expreg_pack_tiles8, bp: a panel of Wᵀ, 32-byte
/// aligned). Register tile: 8 rows (two vectors of xt) × 6 columns (broadcasts of bp), 12
/// accumulators, 2 loads and 6 broadcasts per k, no spill (a 4 × 12 tile needs all 16 registers and
/// the compiler spills one per step: 30 against 42 GFLOP/s in L1 here). The 24 × 8 result is then
/// transposed into the row-major tile, 4 × 4 blocks at a time.
EXPREG_AVX2 static inline void expreg_forward_tile_avx2(const double *xt, long d, const double *bp, double *tile) {
    double columns[24 * 8] __attribute__((aligned(32)));  // columns[c·8 + r] = z[r][c]
    for (int j0 = 0; j0 < 24; j0 += 6) {
        EXPREG_U6_ALL(EXPREG_U6_ZERO)
        const double *xk = xt, *dr = bp + j0;
        for (long k = 0; k < d; k++) {
            const __m256d r0 = _mm256_load_pd(xk), r1 = _mm256_load_pd(xk + 4);
            EXPREG_U6_ALL(EXPREG_U6_FMA)
            xk += 8;
            dr += 24;
        }
        double *sums = columns + j0 * 8;
        EXPREG_U6_ALL(EXPREG_U6_SPILL)
    }
    for (int rb = 0; rb < 8; rb += 4) {
        for (int cb = 0; cb < 24; cb += 4) {
            const double *src = columns + cb * 8 + rb;
            const __m256d c0 = _mm256_load_pd(src), c1 = _mm256_load_pd(src + 8), c2 = _mm256_load_pd(src + 16),
                          c3 = _mm256_load_pd(src + 24);
            const __m256d t0 = _mm256_unpacklo_pd(c0, c1), t1 = _mm256_unpackhi_pd(c0, c1),
                          t2 = _mm256_unpacklo_pd(c2, c3), t3 = _mm256_unpackhi_pd(c2, c3);
            double *dst = tile + rb * 24 + cb;
            _mm256_store_pd(dst, _mm256_permute2f128_pd(t0, t2, 0x20));
            _mm256_store_pd(dst + 24, _mm256_permute2f128_pd(t1, t3, 0x20));
            _mm256_store_pd(dst + 48, _mm256_permute2f128_pd(t0, t2, 0x31));
            _mm256_store_pd(dst + 72, _mm256_permute2f128_pd(t1, t3, 0x31));
        }
    }
}

/// The panel of Wᵀ at columns j0 … j0 + 23 into bp (d × 24, 32-byte aligned), 0 past column
/// j0 + width (width = m − j0).
EXPREG_AVX2 static inline void expreg_load_wt_panel_avx2(const double *wt, long ldw, long j0, long d, long width,
                                                        double *bp) {
    const int full = width >= 24;
    const __m256i k0 = expreg_lanes_below4(width), k1 = expreg_lanes_below4(width - 4),
                  k2 = expreg_lanes_below4(width - 8), k3 = expreg_lanes_below4(width - 12),
                  k4 = expreg_lanes_below4(width - 16), k5 = expreg_lanes_below4(width - 20);
    for (long k = 0; k < d; k++) {
        const double *src = wt + k * ldw + j0;
        double *dst = bp + k * 24;
        // The panel after next: d rows far apart, each its own stream (hint only; past the end of a
        // row it reads nothing).
        _mm_prefetch((const char *)(src + 48), _MM_HINT_T0);
        _mm_prefetch((const char *)(src + 56), _MM_HINT_T0);
        _mm_prefetch((const char *)(src + 64), _MM_HINT_T0);
        if (full) {
            _mm256_store_pd(dst, _mm256_loadu_pd(src));
            _mm256_store_pd(dst + 4, _mm256_loadu_pd(src + 4));
            _mm256_store_pd(dst + 8, _mm256_loadu_pd(src + 8));
            _mm256_store_pd(dst + 12, _mm256_loadu_pd(src + 12));
            _mm256_store_pd(dst + 16, _mm256_loadu_pd(src + 16));
            _mm256_store_pd(dst + 20, _mm256_loadu_pd(src + 20));
        } else {
            _mm256_store_pd(dst, _mm256_maskload_pd(src, k0));
            _mm256_store_pd(dst + 4, _mm256_maskload_pd(src + 4, k1));
            _mm256_store_pd(dst + 8, _mm256_maskload_pd(src + 8, k2));
            _mm256_store_pd(dst + 12, _mm256_maskload_pd(src + 12, k3));
            _mm256_store_pd(dst + 16, _mm256_maskload_pd(src + 16, k4));
            _mm256_store_pd(dst + 20, _mm256_maskload_pd(src + 20, k5));
        }
    }
}

/// a[j0 … j0 + 23] into av (24 doubles, 32-byte aligned), 0 past j0 + width: padded columns then
/// hold D = 0 and add nothing to u.
static inline void expreg_load_a_panel(const double *a, long j0, long width, double *av) {
    for (long c = 0; c < 24; c++) av[c] = c < width ? a[j0 + c] : 0.0;
}

/// max |z| of an 8 × 24 tile (row r at tile + 24 r) into `mx`, its NaN lanes into `nan_seen`; returns
/// 1 when the exp's table path covers every lane of the tile (no NaN, every |z| < EXPREG_EXP_FAST_LIMIT).
EXPREG_AVX2 static inline int expreg_scan_tile_avx2(const double *tile, __m256d *mx, __m256d *nan_seen) {
    const __m256d abs_mask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffLL));
    __m256d largest = _mm256_setzero_pd(), unordered = _mm256_setzero_pd();
    for (int r = 0; r < 8; r++) {
        const double *row = tile + r * 24;
        const __m256d z0 = _mm256_load_pd(row), z1 = _mm256_load_pd(row + 4), z2 = _mm256_load_pd(row + 8),
                      z3 = _mm256_load_pd(row + 12), z4 = _mm256_load_pd(row + 16), z5 = _mm256_load_pd(row + 20);
        unordered = _mm256_or_pd(unordered, _mm256_or_pd(_mm256_cmp_pd(z0, z1, _CMP_UNORD_Q),
                                                         _mm256_or_pd(_mm256_cmp_pd(z2, z3, _CMP_UNORD_Q),
                                                                      _mm256_cmp_pd(z4, z5, _CMP_UNORD_Q))));
        const __m256d m01 = _mm256_max_pd(_mm256_and_pd(z0, abs_mask), _mm256_and_pd(z1, abs_mask));
        const __m256d m23 = _mm256_max_pd(_mm256_and_pd(z2, abs_mask), _mm256_and_pd(z3, abs_mask));
        const __m256d m45 = _mm256_max_pd(_mm256_and_pd(z4, abs_mask), _mm256_and_pd(z5, abs_mask));
        largest = _mm256_max_pd(largest, _mm256_max_pd(m01, _mm256_max_pd(m23, m45)));
    }
    *mx = _mm256_max_pd(*mx, largest);
    *nan_seen = _mm256_or_pd(*nan_seen, unordered);
    const __m256d inside = _mm256_cmp_pd(largest, _mm256_set1_pd(EXPREG_EXP_FAST_LIMIT), _CMP_LT_OQ);
    return _mm256_movemask_pd(unordered) == 0 && _mm256_movemask_pd(inside) == 0xF;
}

/// exp of 4 lanes: the table path alone when `checked` is 0 (every |z| < EXPREG_EXP_FAST_LIMIT, no
/// NaN: the caller knows), else expreg_exp4. The same values either way.
EXPREG_AVX2 static inline __m256d expreg_exp4_if(__m256d z, int checked) {
    return checked ? expreg_exp4(z) : expreg_exp4_unchecked(z);
}

/// D of 4 lanes and their term of u: exp: D = e^z·a, term D; relu: D = a where z > 0, else 0, term
/// a·z where z > 0, else 0; a NaN z stays NaN in both.
EXPREG_AVX2 static inline __m256d expreg_epilogue4(int relu, __m256d z, __m256d a, int checked, __m256d *term) {
    if (!relu) {
        const __m256d d = _mm256_mul_pd(expreg_exp4_if(z, checked), a);
        *term = d;
        return d;
    }
    const __m256d positive = _mm256_cmp_pd(z, _mm256_setzero_pd(), _CMP_GT_OQ);
    const __m256d unordered = _mm256_cmp_pd(z, z, _CMP_UNORD_Q);
    *term = _mm256_blendv_pd(_mm256_and_pd(positive, _mm256_mul_pd(z, a)), z, unordered);
    return _mm256_blendv_pd(_mm256_and_pd(positive, a), z, unordered);
}

/// The epilogue of a whole 8 × 24 tile: row r (tile + 24 r) gets D = a act'(z) into out + 24 r
/// (nothing is stored when out is NULL; non-temporal when `stream`) and adds its six 4-lane terms
/// t0 … t5 (columns 0–3, …, 20–23) as ((t0 + t1) + t2) + ((t3 + t4) + t5) to lanes + 4 r (when lanes
/// is not NULL). `av`: the panel's 24 weights (expreg_load_a_panel). Callers pass a constant
/// `checked`, so each use compiles to a loop without the other's branches.
EXPREG_AVX2 static inline void expreg_forward_epilogue_tile_avx2(int relu, const double *tile, const double *av,
                                                                double *out, int stream, double *lanes,
                                                                int checked) {
    for (int r = 0; r < 8; r++) {
        const double *row = tile + r * 24;
        __m256d t[6], d[6];
        for (int v = 0; v < 6; v++) {
            d[v] = expreg_epilogue4(relu, _mm256_load_pd(row + 4 * v), _mm256_load_pd(av + 4 * v), checked, &t[v]);
        }
        if (out != NULL) {
            double *o = out + r * EXPREG_PANEL_WIDTH;
            for (int v = 0; v < 6; v++) {
                if (stream) {
                    _mm256_stream_pd(o + 4 * v, d[v]);
                } else {
                    _mm256_store_pd(o + 4 * v, d[v]);
                }
            }
        }
        if (lanes != NULL) {
            const __m256d s = _mm256_add_pd(_mm256_add_pd(_mm256_add_pd(t[0], t[1]), t[2]),
                                            _mm256_add_pd(_mm256_add_pd(t[3], t[4]), t[5]));
            _mm256_store_pd(lanes + 4 * r, _mm256_add_pd(_mm256_load_pd(lanes + 4 * r), s));
        }
    }
}

/// expreg_forward_epilogue_tile_avx2 with the exp's range check, out of line: a tile holding a large
/// |z| or a NaN is rare, and keeping its calls to libm out of the hot loop keeps that loop's registers.
EXPREG_AVX2 __attribute__((noinline, cold)) static void expreg_forward_epilogue_tile_avx2_checked(
    int relu, const double *tile, const double *av, double *out, int stream, double *lanes) {
    expreg_forward_epilogue_tile_avx2(relu, tile, av, out, stream, lanes, 1);
}

/// c[k][j] += alpha · Σ_{i<n} R[i][k] D[i][j] for one panel: k < d, j < min(width, 24), c = Wᵀ at the
/// panel's first column (row stride ldw), R packed by expreg_pack_tiles8 as columns, D = `panel`
/// (rows × 24, 32-byte aligned). The sum runs over i = 0 … n − 1 in order (one FMA per term, from 0),
/// then c ← fma(alpha, sum, c).
///
/// Register tile: 8 k (two vectors of R's packed columns) × 6 j (broadcasts of D), 12 accumulators,
/// 2 loads and 6 broadcasts per i, no spill (a 4 × 12 tile with 3 loads needs all 16 registers
/// and the compiler spills one per step: 30 against 42 GFLOP/s in L1 here). The 8 × 6 sums are then
/// added to Wᵀ transposed, one scalar fma each (the same rounding as a vector FMA).
EXPREG_AVX2 static inline void expreg_update_panel_avx2(const double *rp, long n, long d, const double *panel,
                                                       double alpha, double *c0, long ldw, long width) {
    const long column_tiles = (d + 7) / 8;
    const long columns = width < EXPREG_PANEL_WIDTH ? width : EXPREG_PANEL_WIDTH;
    double sums[6 * 8] __attribute__((aligned(32)));
    for (long kt = 0; kt < column_tiles; kt++) {
        const long k_rows = d - kt * 8 < 8 ? d - kt * 8 : 8;
        for (long j0 = 0; j0 < columns; j0 += 6) {
            EXPREG_U6_ALL(EXPREG_U6_ZERO)
            const double *rr = rp + kt * n * 8, *dr = panel + j0;
            for (long i = 0; i < n; i++) {
                const __m256d r0 = _mm256_load_pd(rr), r1 = _mm256_load_pd(rr + 4);
                EXPREG_U6_ALL(EXPREG_U6_FMA)
                rr += 8;
                dr += EXPREG_PANEL_WIDTH;
            }
            EXPREG_U6_ALL(EXPREG_U6_SPILL)
            const long group = columns - j0 < 6 ? columns - j0 : 6;
            for (long k = 0; k < k_rows; k++) {
                double *cr = c0 + (kt * 8 + k) * ldw + j0;
                for (long j = 0; j < group; j++) cr[j] = fma(alpha, sums[j * 8 + k], cr[j]);
            }
        }
    }
}

#endif
