// Fused forward-pass kernels over a block of pre-activations Z (rows x cols, leading dimension ld):
// one pass that does max |z|, the activation, the a-weighted row sums and the scaling by a.
#include <math.h>
#include "CExpRegKernels.h"
#include "exp_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define EXPREG_AVX2 __attribute__((target("avx2,fma")))
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
            if (az > mx || az != az) mx = az;  // NaN sticks: once mx is NaN, no compare succeeds
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
    expreg_exp_forward_block_with(expreg_exp_selected_kernel(), block, rows, cols, ld, a, sums, max_abs);
}

void expreg_exp_forward_block_with(expreg_exp_kernel kernel, double *block, long rows, long cols, long ld,
                                   const double *a, double *sums, double *max_abs) {
    if (rows <= 0 || cols <= 0) return;
    if (!expreg_exp_kernel_available(kernel)) kernel = EXPREG_EXP_KERNEL_PORTABLE;
#if defined(__x86_64__)
    if (kernel == EXPREG_EXP_KERNEL_AVX512) {
        expreg_exp_forward_block_avx512(block, rows, cols, ld, a, sums, max_abs);
        return;
    }
    if (kernel == EXPREG_EXP_KERNEL_AVX2_FMA) {
        expreg_exp_forward_block_avx2(block, rows, cols, ld, a, sums, max_abs);
        return;
    }
#endif
    expreg_exp_forward_block_portable(block, rows, cols, ld, a, sums, max_abs);
}

/// One element of the relu forward pass: *slot holds z and gets relu'(z)·a (a where z > 0, 0
/// elsewhere, z itself when NaN); returns the row sum s plus a·max(z, 0) (NaN once z is NaN).
static inline double expreg_relu_element(double *slot, double a, double s) {
    const double z = *slot;
    if (z > 0) {
        *slot = a;
        return s + z * a;
    }
    if (z != z) {
        *slot = z;
        return z;  // NaN weights must not vanish into relu's zero branch
    }
    *slot = 0;
    return s;
}

static void expreg_relu_forward_block_portable(double *block, long rows, long cols, long ld, const double *a,
                                               double *sums, double *max_abs) {
    double mx = *max_abs;
    for (long i = 0; i < rows; i++) {
        double *row = block + i * ld;
        double s = 0;
        for (long j = 0; j < cols; j++) {
            double az = fabs(row[j]);
            mx = az > mx ? az : mx;
            s = expreg_relu_element(row + j, a[j], s);
        }
        sums[i] += s;
        if (s != s) mx = s;
    }
    *max_abs = mx;
}

#if defined(__x86_64__)
/// AVX2 relu block: 4 lanes; a row holding a NaN keeps the NaN in place and gets sum NaN and
/// max_abs NaN, as the portable loop gives (nothing is redone).
EXPREG_AVX2 static void expreg_relu_forward_block_avx2(double *block, long rows, long cols, long ld,
                                                       const double *a, double *sums, double *max_abs) {
    const __m256d abs_mask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffLL));
    const __m256d zero = _mm256_setzero_pd();
    double mx_scalar = *max_abs;
    __m256d mx = _mm256_setzero_pd();
    for (long i = 0; i < rows; i++) {
        double *row = block + i * ld;
        __m256d s0 = _mm256_setzero_pd(), nan_seen = _mm256_setzero_pd();
        long j = 0;
        for (; j + 4 <= cols; j += 4) {
            __m256d z = _mm256_loadu_pd(row + j);
            __m256d unordered = _mm256_cmp_pd(z, z, _CMP_UNORD_Q);
            nan_seen = _mm256_or_pd(nan_seen, unordered);
            mx = _mm256_max_pd(mx, _mm256_and_pd(z, abs_mask));
            __m256d av = _mm256_loadu_pd(a + j);
            __m256d pos = _mm256_cmp_pd(z, zero, _CMP_GT_OQ);
            s0 = _mm256_fmadd_pd(_mm256_and_pd(pos, z), av, s0);
            // a where z > 0, the NaN itself where z is NaN, else 0
            _mm256_storeu_pd(row + j, _mm256_blendv_pd(_mm256_and_pd(pos, av), z, unordered));
        }
        double lanes[4];
        _mm256_storeu_pd(lanes, s0);
        double s = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
        double tail_max = 0;
        for (; j < cols; j++) {
            double az = fabs(row[j]);
            tail_max = az > tail_max ? az : tail_max;
            s = expreg_relu_element(row + j, a[j], s);
        }
        if (tail_max > mx_scalar) mx_scalar = tail_max;
        if (_mm256_movemask_pd(nan_seen) != 0) {
            s = NAN;
            mx_scalar = NAN;
        }
        sums[i] += s;
    }
    double lanes[4];
    _mm256_storeu_pd(lanes, mx);
    for (int l = 0; l < 4; l++) mx_scalar = lanes[l] > mx_scalar ? lanes[l] : mx_scalar;
    *max_abs = mx_scalar;
}
#endif

void expreg_relu_forward_block(double *block, long rows, long cols, long ld, const double *a, double *sums,
                               double *max_abs) {
    if (rows <= 0 || cols <= 0) return;
#if defined(__x86_64__)
    if (expreg_exp_kernel_available(EXPREG_EXP_KERNEL_AVX2_FMA)) {
        expreg_relu_forward_block_avx2(block, rows, cols, ld, a, sums, max_abs);
        return;
    }
#endif
    expreg_relu_forward_block_portable(block, rows, cols, ld, a, sums, max_abs);
}
