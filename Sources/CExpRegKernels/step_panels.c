// The two GEMMs of a gradient-descent step, written for this problem's shapes, with the activation
// fused into the forward GEMM's epilogue. D = act'(Z) ∘ a lives in panels of 24 neurons
// (see expreg_forward_panels_avx512 in CExpRegKernels.h), which the update then reads contiguously.
//
// Micro-tile of both GEMMs: 8 rows × 24 columns = 24 zmm accumulators; per step of the inner
// dimension, 3 vector loads of the 24-wide operand, 8 broadcasts of the 8-wide one, 24 FMAs.
#include <string.h>
#include "CExpRegKernels.h"

void expreg_pack_tiles8(const double *src, long rows, long cols, long row_stride, long col_stride, double *out) {
    const long tiles = (rows + 7) / 8;
    for (long t = 0; t < tiles; t++) {
        for (long c = 0; c < cols; c++) {
            for (long ii = 0; ii < 8; ii++) {
                const long row = t * 8 + ii;
                out[(t * cols + c) * 8 + ii] = row < rows ? src[row * row_stride + c * col_stride] : 0.0;
            }
        }
    }
}

void expreg_transpose_panels(const double *src, long src_rows, long first, long end, long n, double *dst,
                             long first_point_panel, long end_point_panel) {
    const long w = EXPREG_PANEL_WIDTH, dst_rows = (end - first) * w;
    for (long pp = first_point_panel; pp < end_point_panel; pp++) {
        const long i0 = pp * w, points = n - i0 < w ? n - i0 : w;
        double *panel = dst + pp * dst_rows * w;
        for (long p = first; p < end; p++) {
            // A 24 × 24 block: 24 points' rows of 24 neurons, contiguous in src and in dst.
            const double *block = src + (p * src_rows + i0) * w;
            double *out = panel + (p - first) * w * w;
            for (long c = 0; c < w; c++) {
                for (long ii = 0; ii < points; ii++) out[c * w + ii] = block[ii * w + c];
                for (long ii = points; ii < w; ii++) out[c * w + ii] = 0.0;
            }
        }
    }
}

long expreg_claim(long *counter, long step) {
    return __atomic_fetch_add(counter, step, __ATOMIC_RELAXED);
}

int expreg_step_panels_available(void) {
    return expreg_exp_kernel_available(EXPREG_EXP_KERNEL_AVX512);
}

#if defined(__x86_64__)
#include "exp_avx512_inline.h"

static inline __mmask8 expreg_lanes_below(long count) {
    return count >= 8 ? (__mmask8)0xFF : count <= 0 ? (__mmask8)0 : (__mmask8)((1u << count) - 1);
}

#define EXPREG_TILE_ZERO(r) \
    __m512d c##r##0 = _mm512_setzero_pd(), c##r##1 = _mm512_setzero_pd(), c##r##2 = _mm512_setzero_pd();
#define EXPREG_TILE_FMA(r, s)                                   \
    {                                                           \
        __m512d s_ = _mm512_set1_pd((s)[r]);                    \
        c##r##0 = _mm512_fmadd_pd(s_, b0, c##r##0);             \
        c##r##1 = _mm512_fmadd_pd(s_, b1, c##r##1);             \
        c##r##2 = _mm512_fmadd_pd(s_, b2, c##r##2);             \
    }
#define EXPREG_TILE_FMA2(r, s)                                  \
    {                                                           \
        __m512d s_ = _mm512_set1_pd((s)[r]);                    \
        c##r##0 = _mm512_fmadd_pd(s_, b0, c##r##0);             \
        c##r##1 = _mm512_fmadd_pd(s_, b1, c##r##1);             \
    }
#define EXPREG_TILE_FMA1(r, s) c##r##0 = _mm512_fmadd_pd(_mm512_set1_pd((s)[r]), b0, c##r##0);
#define EXPREG_TILE_ALL(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7)
#define EXPREG_TILE_FMA2_S(r) EXPREG_TILE_FMA2(r, s)
#define EXPREG_TILE_FMA1_S(r) EXPREG_TILE_FMA1(r, s)
/// The same as EXPREG_TILE_LOOP over the first 16 (LOOP16) or 8 (LOOP8) columns of b only.
#define EXPREG_TILE_LOOP16(s_start, s_step, b_start, b_step, count)                \
    {                                                                              \
        const double *s = (s_start), *b = (b_start);                               \
        for (long q_ = 0; q_ < (count); q_++) {                                    \
            const __m512d b0 = _mm512_load_pd(b), b1 = _mm512_load_pd(b + 8);     \
            EXPREG_TILE_ALL(EXPREG_TILE_FMA2_S)                                    \
            s += (s_step);                                                         \
            b += (b_step);                                                         \
        }                                                                          \
    }
#define EXPREG_TILE_LOOP8(s_start, s_step, b_start, b_step, count)                 \
    {                                                                              \
        const double *s = (s_start), *b = (b_start);                               \
        for (long q_ = 0; q_ < (count); q_++) {                                    \
            const __m512d b0 = _mm512_load_pd(b);                                  \
            EXPREG_TILE_ALL(EXPREG_TILE_FMA1_S)                                    \
            s += (s_step);                                                         \
            b += (b_step);                                                         \
        }                                                                          \
    }
#define EXPREG_TILE_FMA_S(r) EXPREG_TILE_FMA(r, s)
/// acc[8 × 24] += Σ_{q < count} s[q·s_step + r] · b[q·b_step + 0…23] (b 64-byte aligned).
#define EXPREG_TILE_LOOP(s_start, s_step, b_start, b_step, count)                                        \
    {                                                                                                    \
        const double *s = (s_start), *b = (b_start);                                                     \
        for (long q_ = 0; q_ < (count); q_++) {                                                          \
            const __m512d b0 = _mm512_load_pd(b), b1 = _mm512_load_pd(b + 8), b2 = _mm512_load_pd(b + 16); \
            EXPREG_TILE_ALL(EXPREG_TILE_FMA_S)                                                           \
            s += (s_step);                                                                               \
            b += (b_step);                                                                               \
        }                                                                                                \
    }

/// relu' of 8 lanes, weighted: a where z > 0, else 0; NaN where z is NaN.
EXPREG_AVX512 static inline __m512d expreg_relu_derivative8(__m512d z, __m512d a) {
    const __mmask8 positive = _mm512_cmp_pd_mask(z, _mm512_setzero_pd(), _CMP_GT_OQ);
    return _mm512_mask_mov_pd(_mm512_maskz_mov_pd(positive, a), _mm512_cmp_pd_mask(z, z, _CMP_UNORD_Q), z);
}

/// 24 doubles of a panel row to `out` (64-byte aligned); non-temporal when `stream`.
EXPREG_AVX512 static inline void expreg_store_row24(double *out, __m512d d0, __m512d d1, __m512d d2, int stream) {
    if (stream) {
        _mm512_stream_pd(out, d0);
        _mm512_stream_pd(out + 8, d1);
        _mm512_stream_pd(out + 16, d2);
    } else {
        _mm512_store_pd(out, d0);
        _mm512_store_pd(out + 8, d1);
        _mm512_store_pd(out + 16, d2);
    }
}

/// One panel row of the forward epilogue: act of z0..z2 (8 lanes each), D to `out` (24 doubles),
/// the row's a-weighted activations added to `lane` (8 doubles).
EXPREG_AVX512 static inline void expreg_forward_epilogue_row(int relu, __m512d z0, __m512d z1, __m512d z2,
                                                            __m512d a0, __m512d a1, __m512d a2, double *out,
                                                            int stream, double *lane, __m512d *mx,
                                                            __mmask8 *nan_seen) {
    *nan_seen |= _mm512_cmp_pd_mask(z0, z1, _CMP_UNORD_Q) | _mm512_cmp_pd_mask(z2, z2, _CMP_UNORD_Q);
    *mx = _mm512_max_pd(*mx, _mm512_max_pd(_mm512_abs_pd(z0), _mm512_max_pd(_mm512_abs_pd(z1), _mm512_abs_pd(z2))));
    __m512d d0, d1, d2, s;
    if (!relu) {
        d0 = _mm512_mul_pd(expreg_exp8(z0), a0);
        d1 = _mm512_mul_pd(expreg_exp8(z1), a1);
        d2 = _mm512_mul_pd(expreg_exp8(z2), a2);
        s = _mm512_add_pd(_mm512_add_pd(d0, d1), d2);
    } else {
        // D = a where z > 0, else 0, NaN where z is NaN; the row sum adds a·max(z, 0) (NaN stays).
        const __m512d zero = _mm512_setzero_pd();
        __mmask8 p0 = _mm512_cmp_pd_mask(z0, zero, _CMP_GT_OQ), p1 = _mm512_cmp_pd_mask(z1, zero, _CMP_GT_OQ),
                 p2 = _mm512_cmp_pd_mask(z2, zero, _CMP_GT_OQ);
        __mmask8 u0 = _mm512_cmp_pd_mask(z0, z0, _CMP_UNORD_Q), u1 = _mm512_cmp_pd_mask(z1, z1, _CMP_UNORD_Q),
                 u2 = _mm512_cmp_pd_mask(z2, z2, _CMP_UNORD_Q);
        d0 = expreg_relu_derivative8(z0, a0);
        d1 = expreg_relu_derivative8(z1, a1);
        d2 = expreg_relu_derivative8(z2, a2);
        __m512d v0 = _mm512_mask_mov_pd(_mm512_maskz_mul_pd(p0, z0, a0), u0, z0);
        __m512d v1 = _mm512_mask_mov_pd(_mm512_maskz_mul_pd(p1, z1, a1), u1, z1);
        __m512d v2 = _mm512_mask_mov_pd(_mm512_maskz_mul_pd(p2, z2, a2), u2, z2);
        s = _mm512_add_pd(_mm512_add_pd(v0, v1), v2);
    }
    expreg_store_row24(out, d0, d1, d2, stream);
    _mm512_store_pd(lane, _mm512_add_pd(_mm512_load_pd(lane), s));
}

EXPREG_AVX512 void expreg_forward_panels_avx512(int relu, const double *xp, long n, long d, const double *wt,
                                                long ldw, long m, const double *a, long first_panel,
                                                long end_panel, double *panels, int stream, double *sums,
                                                double *max_abs, double *lanes, double *bp) {
    const long rows = (n + 7) & ~7L, tiles = rows / 8;
    const int plain = sums == NULL;  // D = act'(z) only: no a, row sums or maximum (H(W)'s D_bᵀ)
    if (!plain) memset(lanes, 0, (size_t)rows * 8 * sizeof(double));
    __m512d mx = _mm512_setzero_pd();
    __mmask8 nan_seen = 0;
    double tile[8 * 24] __attribute__((aligned(64)));
    for (long p = first_panel; p < end_panel; p++) {
        const long j0 = p * EXPREG_PANEL_WIDTH, width = m - j0;
        const __mmask8 m0 = expreg_lanes_below(width), m1 = expreg_lanes_below(width - 8),
                       m2 = expreg_lanes_below(width - 16);
        for (long k = 0; k < d; k++) {  // the panel of Wᵀ, zero past column m
            const double *src = wt + k * ldw + j0;
            _mm512_store_pd(bp + k * 24, _mm512_maskz_loadu_pd(m0, src));
            _mm512_store_pd(bp + k * 24 + 8, _mm512_maskz_loadu_pd(m1, src + 8));
            _mm512_store_pd(bp + k * 24 + 16, _mm512_maskz_loadu_pd(m2, src + 16));
        }
        // a is 0 past column m, so padded columns hold D = 0 and add nothing to u.
        const __m512d a0 = plain ? _mm512_setzero_pd() : _mm512_maskz_loadu_pd(m0, a + j0),
                      a1 = plain ? _mm512_setzero_pd() : _mm512_maskz_loadu_pd(m1, a + j0 + 8),
                      a2 = plain ? _mm512_setzero_pd() : _mm512_maskz_loadu_pd(m2, a + j0 + 16);
        double *panel = panels + p * rows * EXPREG_PANEL_WIDTH;
        for (long t = 0; t < tiles; t++) {
            EXPREG_TILE_ALL(EXPREG_TILE_ZERO)
            EXPREG_TILE_LOOP(xp + t * d * 8, 8, bp, 24, d)
            // Through an L1 tile: the 24 accumulators free their registers for the exp.
#define EXPREG_FORWARD_SPILL(r)                       \
    _mm512_store_pd(tile + (r) * 24, c##r##0);        \
    _mm512_store_pd(tile + (r) * 24 + 8, c##r##1);    \
    _mm512_store_pd(tile + (r) * 24 + 16, c##r##2);
            EXPREG_TILE_ALL(EXPREG_FORWARD_SPILL)
#undef EXPREG_FORWARD_SPILL
            double *out = panel + t * 8 * EXPREG_PANEL_WIDTH;
            if (plain) {  // columns past m hold act'(0) here: the caller reads only j < m
                for (int r = 0; r < 8; r++) {
                    __m512d z0 = _mm512_load_pd(tile + r * 24), z1 = _mm512_load_pd(tile + r * 24 + 8),
                            z2 = _mm512_load_pd(tile + r * 24 + 16);
                    if (!relu) {
                        z0 = expreg_exp8(z0);
                        z1 = expreg_exp8(z1);
                        z2 = expreg_exp8(z2);
                    } else {
                        const __m512d one = _mm512_set1_pd(1.0);
                        z0 = expreg_relu_derivative8(z0, one);
                        z1 = expreg_relu_derivative8(z1, one);
                        z2 = expreg_relu_derivative8(z2, one);
                    }
                    expreg_store_row24(out + r * EXPREG_PANEL_WIDTH, z0, z1, z2, stream);
                }
                continue;
            }
            double *lane = lanes + t * 8 * 8;
            for (int r = 0; r < 8; r++) {
                expreg_forward_epilogue_row(relu, _mm512_load_pd(tile + r * 24), _mm512_load_pd(tile + r * 24 + 8),
                                            _mm512_load_pd(tile + r * 24 + 16), a0, a1, a2,
                                            out + r * EXPREG_PANEL_WIDTH, stream, lane + r * 8, &mx, &nan_seen);
            }
        }
    }
    if (stream) _mm_sfence();  // streamed stores become visible before the caller's threads join
    if (plain) return;
    for (long i = 0; i < n; i++) sums[i] += _mm512_reduce_add_pd(_mm512_load_pd(lanes + i * 8));
    double largest = _mm512_reduce_max_pd(mx);
    if (*max_abs > largest) largest = *max_abs;
    if (nan_seen != 0 || *max_abs != *max_abs) largest = NAN;
    *max_abs = largest;
}

EXPREG_AVX512 void expreg_update_panels_avx512(const double *rp, long n, long d, const double *panels,
                                               double alpha, double *wt, long ldw, long m, long first_panel,
                                               long end_panel) {
    const long rows = (n + 7) & ~7L, column_tiles = (d + 7) / 8;
    const __m512d scale = _mm512_set1_pd(alpha);
    for (long p = first_panel; p < end_panel; p++) {
        const long j0 = p * EXPREG_PANEL_WIDTH, width = m - j0;
        const __mmask8 m0 = expreg_lanes_below(width), m1 = expreg_lanes_below(width - 8),
                       m2 = expreg_lanes_below(width - 16);
        const double *panel = panels + p * rows * EXPREG_PANEL_WIDTH;
        for (long kt = 0; kt < column_tiles; kt++) {
            EXPREG_TILE_ALL(EXPREG_TILE_ZERO)
            EXPREG_TILE_LOOP(rp + kt * n * 8, 8, panel, 24, n)
            const long k_rows = d - kt * 8;
            double *c = wt + kt * 8 * ldw + j0;
#define EXPREG_UPDATE_STORE(r)                                                                               \
    if ((r) < k_rows) {                                                                                      \
        double *cr = c + (r) * ldw;                                                                          \
        _mm512_mask_storeu_pd(cr, m0, _mm512_fmadd_pd(scale, c##r##0, _mm512_maskz_loadu_pd(m0, cr)));      \
        _mm512_mask_storeu_pd(cr + 8, m1, _mm512_fmadd_pd(scale, c##r##1, _mm512_maskz_loadu_pd(m1, cr + 8))); \
        _mm512_mask_storeu_pd(cr + 16, m2,                                                                   \
                              _mm512_fmadd_pd(scale, c##r##2, _mm512_maskz_loadu_pd(m2, cr + 16)));          \
    }
            EXPREG_TILE_ALL(EXPREG_UPDATE_STORE)
#undef EXPREG_UPDATE_STORE
        }
    }
}
EXPREG_AVX512 void expreg_gram_panels_avx512(const double *panels, long rows, long k, long n, double *c, long ldc,
                                             long first_tile, long end_tile, int accumulate) {
    const long panel_count = (n + EXPREG_PANEL_WIDTH - 1) / EXPREG_PANEL_WIDTH, tiles = (n + 7) / 8;
    if (end_tile > tiles) end_tile = tiles;
    // Row tiles outer: the 8-wide slice (k · 64 bytes) stays in L1 while the column panels stream
    // from L2 (about 5 % faster than columns outer at n = 1024, k = 512). Each tile computes only
    // the 8-column groups of its panel that hold some j >= i and j < n (24, 16 or 8 columns): the
    // diagonal panel starts at column i0, the last panel may be narrow (16 of 24 at n = 1024).
    for (long t = first_tile; t < end_tile; t++) {
        const long i0 = 8 * t;
        const double *row_slice = panels + (i0 / EXPREG_PANEL_WIDTH) * rows * EXPREG_PANEL_WIDTH + i0 % EXPREG_PANEL_WIDTH;
        for (long q = i0 / EXPREG_PANEL_WIDTH; q < panel_count; q++) {  // the panels holding some j >= i
            const long j0 = q * EXPREG_PANEL_WIDTH;
            const long skip = j0 < i0 ? i0 - j0 : 0;  // 0, 8 or 16 columns below the diagonal tile
            const long first_column = j0 + skip, width = n - first_column;
            const long columns = width < EXPREG_PANEL_WIDTH - skip ? width : EXPREG_PANEL_WIDTH - skip;
            const __mmask8 m0 = expreg_lanes_below(width), m1 = columns > 8 ? expreg_lanes_below(width - 8) : 0,
                           m2 = columns > 16 ? expreg_lanes_below(width - 16) : 0;
            const double *column_panel = panels + q * rows * EXPREG_PANEL_WIDTH + skip;
            EXPREG_TILE_ALL(EXPREG_TILE_ZERO)
            if (columns > 16) {
                EXPREG_TILE_LOOP(row_slice, EXPREG_PANEL_WIDTH, column_panel, EXPREG_PANEL_WIDTH, k)
            } else if (columns > 8) {
                EXPREG_TILE_LOOP16(row_slice, EXPREG_PANEL_WIDTH, column_panel, EXPREG_PANEL_WIDTH, k)
            } else {
                EXPREG_TILE_LOOP8(row_slice, EXPREG_PANEL_WIDTH, column_panel, EXPREG_PANEL_WIDTH, k)
            }
            const long i_rows = n - i0;
            double *ct = c + i0 * ldc + first_column;
            // accumulate = 0: the masks are cleared for the loads, so nothing is read.
            const __mmask8 l0 = accumulate ? m0 : 0, l1 = accumulate ? m1 : 0, l2 = accumulate ? m2 : 0;
#define EXPREG_GRAM_STORE(r)                                                                                  \
    if ((r) < i_rows) {                                                                                       \
        double *cr = ct + (r) * ldc;                                                                          \
        _mm512_mask_storeu_pd(cr, m0, _mm512_add_pd(c##r##0, _mm512_maskz_loadu_pd(l0, cr)));                \
        _mm512_mask_storeu_pd(cr + 8, m1, _mm512_add_pd(c##r##1, _mm512_maskz_loadu_pd(l1, cr + 8)));        \
        _mm512_mask_storeu_pd(cr + 16, m2, _mm512_add_pd(c##r##2, _mm512_maskz_loadu_pd(l2, cr + 16)));      \
    }
            EXPREG_TILE_ALL(EXPREG_GRAM_STORE)
#undef EXPREG_GRAM_STORE
        }
    }
}
#else
#include <stdlib.h>
// Never called: expreg_step_panels_available() is 0 off x86-64.
void expreg_forward_panels_avx512(int relu, const double *xp, long n, long d, const double *wt, long ldw, long m,
                                  const double *a, long first_panel, long end_panel, double *panels, int stream,
                                  double *sums, double *max_abs, double *lanes, double *bp) {
    abort();
}
void expreg_update_panels_avx512(const double *rp, long n, long d, const double *panels, double alpha,
                                 double *wt, long ldw, long m, long first_panel, long end_panel) {
    abort();
}
void expreg_gram_panels_avx512(const double *panels, long rows, long k, long n, double *c, long ldc,
                               long first_tile, long end_tile, int accumulate) {
    abort();
}
#endif
