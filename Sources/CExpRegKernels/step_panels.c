// The two GEMMs of a gradient-descent step, written for this problem's shapes, with the activation
// fused into the forward GEMM's epilogue. D = act'(Z) ∘ a lives in panels of 24 neurons
// (see expreg_forward_panels_avx512 in CExpRegKernels.h), which the update then reads contiguously.
// The register tile and the epilogues live in step_tiles_avx512.h.
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
#include "step_tiles_avx512.h"

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
        expreg_load_wt_panel(wt, ldw, j0, d, m0, m1, m2, bp);
        // a is 0 past column m, so padded columns hold D = 0 and add nothing to u.
        const __m512d a0 = plain ? _mm512_setzero_pd() : _mm512_maskz_loadu_pd(m0, a + j0),
                      a1 = plain ? _mm512_setzero_pd() : _mm512_maskz_loadu_pd(m1, a + j0 + 8),
                      a2 = plain ? _mm512_setzero_pd() : _mm512_maskz_loadu_pd(m2, a + j0 + 16);
        double *panel = panels == NULL ? NULL : panels + p * rows * EXPREG_PANEL_WIDTH;
        for (long t = 0; t < tiles; t++) {
            expreg_forward_tile(xp + t * d * 8, d, bp, tile);
            double *out = panel == NULL ? NULL : panel + t * 8 * EXPREG_PANEL_WIDTH;
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
            if (__builtin_expect(expreg_scan_tile(tile, &mx, &nan_seen), 1)) {
                expreg_forward_epilogue_tile(relu, tile, a0, a1, a2, out, stream, lane, 0);
            } else {
                expreg_forward_epilogue_tile_checked(relu, tile, a0, a1, a2, out, stream, lane);
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
    const long rows = (n + 7) & ~7L;
    const __m512d scale = _mm512_set1_pd(alpha);
    for (long p = first_panel; p < end_panel; p++) {
        const long j0 = p * EXPREG_PANEL_WIDTH, width = m - j0;
        expreg_update_panel(rp, n, d, panels + p * rows * EXPREG_PANEL_WIDTH, scale, wt + j0, ldw,
                            expreg_lanes_below(width), expreg_lanes_below(width - 8),
                            expreg_lanes_below(width - 16));
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
