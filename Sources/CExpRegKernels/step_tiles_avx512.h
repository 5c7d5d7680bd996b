// Building blocks of the GD-step kernels (step_panels.c, lean_panels.c): the 8 × 24 register tile
// of both GEMMs and the activation epilogues. Internal: include only inside `#if defined(__x86_64__)`.
//
// Micro-tile of both GEMMs: 8 rows × 24 columns = 24 zmm accumulators; per step of the inner
// dimension, 3 vector loads of the 24-wide operand, 8 broadcasts of the 8-wide one, 24 FMAs.
#ifndef EXPREG_STEP_TILES_AVX512_H
#define EXPREG_STEP_TILES_AVX512_H
#include "CExpRegKernels.h"
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

/// exp of 8 lanes: the table path alone when `checked` is 0 (every |z| < EXPREG_EXP_FAST_LIMIT, no
/// NaN: the caller knows), else expreg_exp8. The same values either way.
EXPREG_AVX512 static inline __m512d expreg_exp8_if(__m512d z, int checked) {
    return checked ? expreg_exp8(z) : expreg_exp8_unchecked(z);
}

/// max |z| of an 8 × 24 tile (row r at tile + 24 r) into `mx`, its NaN lanes into `nan_seen`; returns 1
/// when the exp's table path covers every lane of the tile (no NaN, every |z| < EXPREG_EXP_FAST_LIMIT).
EXPREG_AVX512 static inline int expreg_scan_tile(const double *tile, __m512d *mx, __mmask8 *nan_seen) {
    __m512d largest = _mm512_setzero_pd();
    __mmask8 unordered = 0;
    for (int r = 0; r < 8; r++) {
        const __m512d z0 = _mm512_load_pd(tile + r * 24), z1 = _mm512_load_pd(tile + r * 24 + 8),
                      z2 = _mm512_load_pd(tile + r * 24 + 16);
        unordered |= _mm512_cmp_pd_mask(z0, z1, _CMP_UNORD_Q) | _mm512_cmp_pd_mask(z2, z2, _CMP_UNORD_Q);
        largest = _mm512_max_pd(largest, _mm512_max_pd(_mm512_abs_pd(z0),
                                                       _mm512_max_pd(_mm512_abs_pd(z1), _mm512_abs_pd(z2))));
    }
    *mx = _mm512_max_pd(*mx, largest);
    *nan_seen |= unordered;
    return unordered == 0 &&
           _mm512_cmp_pd_mask(largest, _mm512_set1_pd(EXPREG_EXP_FAST_LIMIT), _CMP_LT_OQ) == (__mmask8)0xFF;
}

/// One panel row of the forward epilogue: D = a act'(z) of z0..z2 (8 lanes each) to `out` (24
/// doubles; nothing is stored when `out` is NULL), the row's a-weighted activations added to `lane`
/// (8 doubles). `checked` as in expreg_exp8_if.
EXPREG_AVX512 static inline void expreg_forward_epilogue_row(int relu, __m512d z0, __m512d z1, __m512d z2,
                                                            __m512d a0, __m512d a1, __m512d a2, double *out,
                                                            int stream, double *lane, int checked) {
    __m512d d0, d1, d2, s;
    if (!relu) {
        d0 = _mm512_mul_pd(expreg_exp8_if(z0, checked), a0);
        d1 = _mm512_mul_pd(expreg_exp8_if(z1, checked), a1);
        d2 = _mm512_mul_pd(expreg_exp8_if(z2, checked), a2);
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
    if (out != NULL) expreg_store_row24(out, d0, d1, d2, stream);
    if (lane != NULL) _mm512_store_pd(lane, _mm512_add_pd(_mm512_load_pd(lane), s));
}

/// The epilogue of a whole 8 × 24 tile (row r: tile + 24 r, D to out + 24 r, sums to lanes + 8 r;
/// out or lanes may be NULL). Callers pass a constant `checked`, so each use compiles to a loop
/// without the other's branches.
EXPREG_AVX512 static inline void expreg_forward_epilogue_tile(int relu, const double *tile, __m512d a0, __m512d a1,
                                                             __m512d a2, double *out, int stream, double *lanes,
                                                             int checked) {
    for (int r = 0; r < 8; r++) {
        expreg_forward_epilogue_row(relu, _mm512_load_pd(tile + r * 24), _mm512_load_pd(tile + r * 24 + 8),
                                    _mm512_load_pd(tile + r * 24 + 16), a0, a1, a2,
                                    out == NULL ? NULL : out + r * EXPREG_PANEL_WIDTH, stream,
                                    lanes == NULL ? NULL : lanes + r * 8, checked);
    }
}

/// expreg_forward_epilogue_tile with the exp's range check, out of line: a tile holding a large |z|
/// or a NaN is rare, and keeping its calls to libm out of the hot loop keeps that loop's registers.
EXPREG_AVX512 __attribute__((noinline, cold)) static void expreg_forward_epilogue_tile_checked(
    int relu, const double *tile, __m512d a0, __m512d a1, __m512d a2, double *out, int stream, double *lanes) {
    expreg_forward_epilogue_tile(relu, tile, a0, a1, a2, out, stream, lanes, 1);
}

/// The panel of Wᵀ at columns j0 … j0 + 23 into bp (d × 24, 64-byte aligned), 0 past column m
/// (m0…m2: the lanes below m of each third).
EXPREG_AVX512 static inline void expreg_load_wt_panel(const double *wt, long ldw, long j0, long d, __mmask8 m0,
                                                     __mmask8 m1, __mmask8 m2, double *bp) {
    for (long k = 0; k < d; k++) {
        const double *src = wt + k * ldw + j0;
        // The panel after next: d rows far apart, each its own stream, which the hardware prefetcher
        // loses at every 4 KiB page (hint only; past the end of a row it reads nothing).
        _mm_prefetch((const char *)(src + 48), _MM_HINT_T0);
        _mm_prefetch((const char *)(src + 56), _MM_HINT_T0);
        _mm_prefetch((const char *)(src + 64), _MM_HINT_T0);
        _mm512_store_pd(bp + k * 24, _mm512_maskz_loadu_pd(m0, src));
        _mm512_store_pd(bp + k * 24 + 8, _mm512_maskz_loadu_pd(m1, src + 8));
        _mm512_store_pd(bp + k * 24 + 16, _mm512_maskz_loadu_pd(m2, src + 16));
    }
}

/// Z of one 8 × 24 tile, tile[r·24 + c] = Σ_k xt[k·8 + r] bp[k·24 + c] (xt: 8 rows of X packed by
/// expreg_pack_tiles8, bp: a panel of Wᵀ), through L1: the 24 accumulators free their registers
/// for the epilogue.
EXPREG_AVX512 static inline void expreg_forward_tile(const double *xt, long d, const double *bp, double *tile) {
    EXPREG_TILE_ALL(EXPREG_TILE_ZERO)
    EXPREG_TILE_LOOP(xt, 8, bp, 24, d)
#define EXPREG_FORWARD_SPILL(r)                    \
    _mm512_store_pd(tile + (r) * 24, c##r##0);     \
    _mm512_store_pd(tile + (r) * 24 + 8, c##r##1); \
    _mm512_store_pd(tile + (r) * 24 + 16, c##r##2);
    EXPREG_TILE_ALL(EXPREG_FORWARD_SPILL)
#undef EXPREG_FORWARD_SPILL
}

/// c[k][j] += alpha · Σ_{i<n} R[i][k] D[i][j] for one panel: k < d, j < 24 within the masks m0…m2,
/// c = Wᵀ at the panel's first column (row stride ldw), R packed by expreg_pack_tiles8 as columns,
/// D = `panel` (rows × 24, 64-byte aligned).
EXPREG_AVX512 static inline void expreg_update_panel(const double *rp, long n, long d, const double *panel,
                                                    __m512d scale, double *c0, long ldw, __mmask8 m0,
                                                    __mmask8 m1, __mmask8 m2) {
    const long column_tiles = (d + 7) / 8;
    for (long kt = 0; kt < column_tiles; kt++) {
        EXPREG_TILE_ALL(EXPREG_TILE_ZERO)
        EXPREG_TILE_LOOP(rp + kt * n * 8, 8, panel, 24, n)
        const long k_rows = d - kt * 8;
        double *c = c0 + kt * 8 * ldw;
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

#endif
