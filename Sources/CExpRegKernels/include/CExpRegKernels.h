// ExpReg's own small C kernels: a vectorised exp with runtime CPU dispatch.
#ifndef CEXPREGKERNELS_H
#define CEXPREGKERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// Which exp implementation `expreg_exp_inplace` uses on this CPU.
typedef enum {
    EXPREG_EXP_KERNEL_PORTABLE = 0, ///< plain C table kernel (any CPU)
    EXPREG_EXP_KERNEL_AVX2_FMA = 1, ///< x86-64 AVX2 + FMA, 4 lanes, 128-entry table (gathers)
    EXPREG_EXP_KERNEL_AVX512 = 2,   ///< x86-64 AVX-512F, 8 lanes, 16-entry table in registers
} expreg_exp_kernel;

/// The kernel chosen for this CPU (decided once, thread-safe): AVX-512F, else AVX2 + FMA, else portable.
expreg_exp_kernel expreg_exp_selected_kernel(void);

/// 1 when this CPU can run `kernel`, else 0 (the portable kernel always runs).
int expreg_exp_kernel_available(expreg_exp_kernel kernel);

/// values[i] = exp(values[i]) for 0 <= i < count, with the given kernel (any value is
/// accepted; an unavailable kernel falls back to the portable one).
/// Within 1 ulp of glibc's exp (measured); |x| >= 708, +-inf and NaN lanes are computed by libm's exp.
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

/// Fused forward pass of F(W, x) = sum_r a_r exp(z_r) over a block of pre-activations z
/// (rows x cols, row-major, leading dimension ld), one pass over memory. For every element:
///   max_abs = max(max_abs, |z|) (NaN if any z is NaN), e = exp(z) (as expreg_exp_inplace),
///   sums[i] += sum_j a[j] * e[i][j] (lane-wise partial sums), block[i][j] = a[j] * e[i][j].
/// `max_abs` and `sums` are read and updated, so blocks of columns can be accumulated.
void expreg_exp_forward_block(double *block, long rows, long cols, long ld, const double *a,
                              double *sums, double *max_abs);

/// The same with an explicit kernel (for tests and benchmarks; unavailable ones fall back to portable).
void expreg_exp_forward_block_with(expreg_exp_kernel kernel, double *block, long rows, long cols, long ld,
                                   const double *a, double *sums, double *max_abs);

/// The same for relu: sums[i] += sum_j a[j] * max(z, 0); block[i][j] = a[j] if z > 0, else 0;
/// a NaN z makes sums[i] and max_abs NaN and stays in the block.
void expreg_relu_forward_block(double *block, long rows, long cols, long ld, const double *a,
                               double *sums, double *max_abs);

#ifdef __cplusplus
}
#endif

#endif
