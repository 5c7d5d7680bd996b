// Runtime choice of the exp kernel (CPU features are read once).
#include "CExpRegKernels.h"
#include "exp_internal.h"

static expreg_exp_kernel expreg_detect_kernel(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return EXPREG_EXP_KERNEL_AVX2_FMA;
#endif
    return EXPREG_EXP_KERNEL_PORTABLE;
}

expreg_exp_kernel expreg_exp_selected_kernel(void) {
    // A benign race: every thread computes the same value; the int store is atomic on all targets we build for.
    static volatile int cached = -1;
    int k = cached;
    if (k < 0) {
        k = (int)expreg_detect_kernel();
        cached = k;
    }
    return (expreg_exp_kernel)k;
}

static expreg_exp_kernel expreg_usable(expreg_exp_kernel kernel) {
    if (kernel == EXPREG_EXP_KERNEL_AVX2_FMA && expreg_exp_selected_kernel() == EXPREG_EXP_KERNEL_AVX2_FMA) {
        return kernel;
    }
    return EXPREG_EXP_KERNEL_PORTABLE;
}

void expreg_exp_inplace_with(expreg_exp_kernel kernel, double *values, long count) {
    if (count <= 0) return;
#if defined(__x86_64__)
    if (expreg_usable(kernel) == EXPREG_EXP_KERNEL_AVX2_FMA) { expreg_exp_avx2(values, count); return; }
#endif
    (void)kernel;
    expreg_exp_portable(values, count);
}

void expreg_exp_inplace(double *values, long count) {
    expreg_exp_inplace_with(expreg_exp_selected_kernel(), values, count);
}

void expreg_exp_rowdot_with(expreg_exp_kernel kernel, double *block, long rows, long cols, long ld,
                            const double *weights, double *out) {
    if (rows <= 0) return;
    int use_avx2 = 0;
#if defined(__x86_64__)
    use_avx2 = expreg_usable(kernel) == EXPREG_EXP_KERNEL_AVX2_FMA;
#endif
    for (long i = 0; i < rows; i++) {
        double *row = block + i * ld;
#if defined(__x86_64__)
        if (use_avx2) { out[i] = expreg_exp_rowdot_avx2(row, cols, weights); continue; }
#endif
        (void)use_avx2;
        out[i] = expreg_exp_rowdot_portable(row, cols, weights);
    }
}

void expreg_exp_rowdot(double *block, long rows, long cols, long ld, const double *weights, double *out) {
    expreg_exp_rowdot_with(expreg_exp_selected_kernel(), block, rows, cols, ld, weights, out);
}
