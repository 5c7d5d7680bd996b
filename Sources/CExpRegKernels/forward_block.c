// Fused forward-pass kernels over a block of pre-activations Z (rows x cols, leading dimension ld):
// one pass that does max |z|, the activation, the a-weighted row sums and the scaling by a.
#include <math.h>
#include "CExpRegKernels.h"
#include "exp_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define EXPREG_AVX2 __attribute__((target("avx2,fma")))
EXPREG_AVX2 void expreg_exp_forward_block_avx2(double *block, long rows, long cols, long ld,
                                               const double *a, double *sums, double *max_abs);
#endif

static void expreg_exp_forward_block_portable(double *block, long rows, long cols, long ld,
                                              const double *a, double *sums, double *max_abs) {
    double mx = *max_abs;
    for (long i = 0; i < rows; i++) {
        double *row = block + i * ld;
        double s = 0;
        for (long j = 0; j < cols; j++) {
            double z = row[j];
            double az = fabs(z);
            if (!(az <= mx)) mx = az;  // NaN sticks: once mx is NaN, no compare succeeds
            double e = z;
            expreg_exp_portable(&e, 1);
            s += a[j] * e;
            row[j] = e * a[j];
        }
        sums[i] += s;
    }
    *max_abs = mx;
}

void expreg_exp_forward_block(double *block, long rows, long cols, long ld, const double *a, double *sums,
                              double *max_abs) {
    if (rows <= 0 || cols <= 0) return;
#if defined(__x86_64__)
    if (expreg_exp_selected_kernel() == EXPREG_EXP_KERNEL_AVX2_FMA) {
        expreg_exp_forward_block_avx2(block, rows, cols, ld, a, sums, max_abs);
        return;
    }
#endif
    expreg_exp_forward_block_portable(block, rows, cols, ld, a, sums, max_abs);
}

void expreg_relu_forward_block(double *block, long rows, long cols, long ld, const double *a, double *sums,
                               double *max_abs) {
    double mx = *max_abs;
    for (long i = 0; i < rows; i++) {
        double *row = block + i * ld;
        double s = 0;
        for (long j = 0; j < cols; j++) {
            double z = row[j];
            double az = fabs(z);
            mx = az > mx ? az : mx;
            if (z > 0) {
                s += z * a[j];
                row[j] = a[j];
            } else if (z != z) {
                s = z;  // NaN weights must not vanish into relu's zero branch
                row[j] = z;
            } else {
                row[j] = 0;
            }
        }
        sums[i] += s;
        if (s != s) mx = s;
    }
    *max_abs = mx;
}
