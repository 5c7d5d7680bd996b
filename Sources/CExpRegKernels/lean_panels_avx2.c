// The update of the memory-lean GD step on AVX2 + FMA: D = act'(Z) ∘ a is recomputed one panel of 24
// neurons at a time and used at once, so it never leaves L1 and no n × m matrix exists. The same
// arithmetic as expreg_forward_panels_avx2 and expreg_update_panels_avx2 (step_tiles_avx2.h).
#include "CExpRegKernels.h"

#if defined(__x86_64__)
#include "step_tiles_avx2.h"

EXPREG_AVX2 void expreg_lean_update_panels_avx2(int relu, const double *xp, const double *rp, long n, long d,
                                                const double *a, double alpha, double *wt, long ldw, long m,
                                                long first_panel, long end_panel, int covered, double *panel,
                                                double *bp) {
    const long rows = (n + 7) & ~7L, tiles = rows / 8;
    double tile[8 * 24] __attribute__((aligned(64)));
    double av[24] __attribute__((aligned(64)));
    for (long p = first_panel; p < end_panel; p++) {
        const long j0 = p * EXPREG_PANEL_WIDTH, width = m - j0;
        expreg_load_wt_panel_avx2(wt, ldw, j0, d, width, bp);
        expreg_load_a_panel(a, j0, width, av);
        for (long t = 0; t < tiles; t++) {
            expreg_forward_tile_avx2(xp + t * d * 8, d, bp, tile);
            double *out = panel + t * 8 * EXPREG_PANEL_WIDTH;
            if (covered) {  // the forward pass saw every |z| < EXPREG_EXP_FAST_LIMIT and no NaN
                expreg_forward_epilogue_tile_avx2(relu, tile, av, out, 0, NULL, 0);
            } else {
                expreg_forward_epilogue_tile_avx2_checked(relu, tile, av, out, 0, NULL);
            }
        }
        expreg_update_panel_avx2(rp, n, d, panel, alpha, wt + j0, ldw, width);
    }
}
#else
#include <stdlib.h>
// Never called: the avx2 kernel path is unavailable off x86-64.
void expreg_lean_update_panels_avx2(int relu, const double *xp, const double *rp, long n, long d, const double *a,
                                    double alpha, double *wt, long ldw, long m, long first_panel, long end_panel,
                                    int covered, double *panel, double *bp) {
    abort();
}
#endif
