// The update of the memory-lean GD step: D = act'(Z) ∘ a is recomputed one panel of 24 neurons at a
// time and used at once, so it never leaves L1 and no n × m matrix exists.
#include "CExpRegKernels.h"

#if defined(__x86_64__)
#include "step_tiles_avx512.h"

EXPREG_AVX512 void expreg_lean_update_panels_avx512(int relu, const double *xp, const double *rp, long n, long d,
                                                    const double *a, double alpha, double *wt, long ldw, long m,
                                                    long first_panel, long end_panel, int covered, double *panel,
                                                    double *bp) {
    const long rows = (n + 7) & ~7L, tiles = rows / 8;
    const __m512d scale = _mm512_set1_pd(alpha);
    double tile[8 * 24] __attribute__((aligned(64)));
    for (long p = first_panel; p < end_panel; p++) {
        const long j0 = p * EXPREG_PANEL_WIDTH, width = m - j0;
        const __mmask8 m0 = expreg_lanes_below(width), m1 = expreg_lanes_below(width - 8),
                       m2 = expreg_lanes_below(width - 16);
        expreg_load_wt_panel(wt, ldw, j0, d, m0, m1, m2, bp);
        // a is 0 past column m, so padded columns hold D = 0 and change nothing.
        const __m512d a0 = _mm512_maskz_loadu_pd(m0, a + j0), a1 = _mm512_maskz_loadu_pd(m1, a + j0 + 8),
                      a2 = _mm512_maskz_loadu_pd(m2, a + j0 + 16);
        for (long t = 0; t < tiles; t++) {
            expreg_forward_tile(xp + t * d * 8, d, bp, tile);
            double *out = panel + t * 8 * EXPREG_PANEL_WIDTH;
            if (covered) {  // the forward pass saw every |z| < EXPREG_EXP_FAST_LIMIT and no NaN
                expreg_forward_epilogue_tile(relu, tile, a0, a1, a2, out, 0, NULL, 0);
            } else {
                expreg_forward_epilogue_tile_checked(relu, tile, a0, a1, a2, out, 0, NULL);
            }
        }
        expreg_update_panel(rp, n, d, panel, scale, wt + j0, ldw, m0, m1, m2);
    }
}
#else
#include <stdlib.h>
// Never called: expreg_step_panels_available() is 0 off x86-64.
void expreg_lean_update_panels_avx512(int relu, const double *xp, const double *rp, long n, long d,
                                      const double *a, double alpha, double *wt, long ldw, long m,
                                      long first_panel, long end_panel, int covered, double *panel, double *bp) {
    abort();
}
#endif
