// ExpReg's own small C kernels: a vectorised exp with runtime CPU dispatch.
#ifndef CEXPREGKERNELS_H
#define CEXPREGKERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// Which exp implementation `expreg_exp_inplace` uses on this CPU.
typedef enum {
    EXPREG_EXP_KERNEL_PORTABLE = 0, ///< plain C table kernel (any CPU)
    EXPREG_EXP_KERNEL_AVX2_FMA = 1, ///< x86-64 AVX2 + FMA, 4 lanes
} expreg_exp_kernel;

/// The kernel chosen for this CPU (decided once, thread-safe).
expreg_exp_kernel expreg_exp_selected_kernel(void);

/// values[i] = exp(values[i]) for 0 <= i < count, with the given kernel (any value is
/// accepted; an unavailable kernel falls back to the portable one).
/// Within 1 ulp of glibc's exp; |x| >= 708, +-inf and NaN lanes are computed by libm's exp.
void expreg_exp_inplace_with(expreg_exp_kernel kernel, double *values, long count);

/// values[i] = exp(values[i]) with the best kernel for this CPU.
void expreg_exp_inplace(double *values, long count);

/// Fused exp + weighted reduction over a row-major rows x cols block with leading dimension ld:
/// block[i][j] = exp(block[i][j]) in place and out[i] = sum_j weights[j] * block[i][j] (new values).
/// The sum is accumulated in 4 (or more) partial sums, so it may differ from a left-to-right
/// sum by rounding. NaN/inf propagate as in IEEE arithmetic.
void expreg_exp_rowdot(double *block, long rows, long cols, long ld,
                       const double *weights, double *out);

/// The same with an explicit kernel (for tests and benchmarks).
void expreg_exp_rowdot_with(expreg_exp_kernel kernel, double *block, long rows, long cols, long ld,
                            const double *weights, double *out);

#ifdef __cplusplus
}
#endif

#endif
