// The two GEMMs of a gradient-descent step on AVX2 + FMA, with the activation fused into the forward
// GEMM's epilogue: the same panel layout of D as the AVX-512 kernels (step_panels.c), 8 × 6 register
// tiles (step_tiles_avx2.h) and the 4-lane table exp of exp_avx2.c.
#include <string.h>
#include "CExpRegKernels.h"

#if defined(__x86_64__)
#include "step_tiles_avx2.h"

EXPREG_AVX2 void expreg_forward_panels_avx2(int relu, const double *xp, long n, long d, const double *wt, long ldw,
                                            long m, const double *a, long first_panel, long end_panel,
                                            double *panels, int stream, double *sums, double *max_abs,
                                            double *lanes, double *bp) {
    const long rows = (n + 7) & ~7L, tiles = rows / 8;
    memset(lanes, 0, (size_t)rows * 4 * sizeof(double));
    __m256d mx = _mm256_setzero_pd(), nan_seen = _mm256_setzero_pd();
    double tile[8 * 24] __attribute__((aligned(64)));
    double av[24] __attribute__((aligned(64)));
    for (long p = first_panel; p < end_panel; p++) {
        const long j0 = p * EXPREG_PANEL_WIDTH, width = m - j0;
        expreg_load_wt_panel_avx2(wt, ldw, j0, d, width, bp);
        expreg_load_a_panel(a, j0, width, av);
        double *panel = panels == NULL ? NULL : panels + p * rows * EXPREG_PANEL_WIDTH;
        for (long t = 0; t < tiles; t++) {
            expreg_forward_tile_avx2(xp + t * d * 8, d, bp, tile);
            double *out = panel == NULL ? NULL : panel + t * 8 * EXPREG_PANEL_WIDTH;
            double *lane = lanes + t * 8 * 4;
            if (__builtin_expect(expreg_scan_tile_avx2(tile, &mx, &nan_seen), 1)) {
                expreg_forward_epilogue_tile_avx2(relu, tile, av, out, stream, lane, 0);
            } else {
                expreg_forward_epilogue_tile_avx2_checked(relu, tile, av, out, stream, lane);
            }
        }
    }
    if (stream) _mm_sfence();  // streamed stores become visible before the caller's threads join
    for (long i = 0; i < n; i++) {
        const double *l = lanes + i * 4;
        sums[i] += (l[0] + l[1]) + (l[2] + l[3]);
    }
    double m4[4];
    _mm256_storeu_pd(m4, mx);
    double largest = *max_abs;
    for (int l = 0; l < 4; l++) largest = m4[l] > largest ? m4[l] : largest;
    if (_mm256_movemask_pd(nan_seen) != 0 || *max_abs != *max_abs) largest = NAN;
    *max_abs = largest;
}

EXPREG_AVX2 void expreg_update_panels_avx2(const double *rp, long n, long d, const double *panels, double alpha,
                                           double *wt, long ldw, long m, long first_panel, long end_panel) {
    const long rows = (n + 7) & ~7L;
    for (long p = first_panel; p < end_panel; p++) {
        const long j0 = p * EXPREG_PANEL_WIDTH;
        expreg_update_panel_avx2(rp, n, d, panels + p * rows * EXPREG_PANEL_WIDTH, alpha, wt + j0, ldw, m - j0);
    }
}
#else
#include <stdlib.h>
// Never called: the avx2 kernel path is unavailable off x86-64.
void expreg_forward_panels_avx2(int relu, const double *xp, long n, long d, const double *wt, long ldw, long m,
                                const double *a, long first_panel, long end_panel, double *panels, int stream,
                                double *sums, double *max_abs, double *lanes, double *bp) {
    abort();
}
void expreg_update_panels_avx2(const double *rp, long n, long d, const double *panels, double alpha, double *wt,
                               long ldw, long m, long first_panel, long end_panel) {
    abort();
}
#endif
