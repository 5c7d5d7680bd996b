// AVX2 + FMA table exp, 4 doubles per iteration (same scheme and constants as exp_portable.c).
#if defined(__x86_64__)
#include "exp_avx2_inline.h"

/// Loads the last count (< 4) elements padded with zeros.
EXPREG_AVX2 static inline __m256d expreg_load_partial(const double *p, long count) {
    double buf[4] = {0, 0, 0, 0};
    for (long l = 0; l < count; l++) buf[l] = p[l];
    return _mm256_loadu_pd(buf);
}

EXPREG_AVX2 static inline void expreg_store_partial(double *p, __m256d v, long count) {
    double buf[4];
    _mm256_storeu_pd(buf, v);
    for (long l = 0; l < count; l++) p[l] = buf[l];
}

EXPREG_AVX2 void expreg_exp_avx2(double *values, long count) {
    long i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256d a = _mm256_loadu_pd(values + i);
        __m256d b = _mm256_loadu_pd(values + i + 4);
        _mm256_storeu_pd(values + i, expreg_exp4(a));
        _mm256_storeu_pd(values + i + 4, expreg_exp4(b));
    }
    for (; i + 4 <= count; i += 4) {
        _mm256_storeu_pd(values + i, expreg_exp4(_mm256_loadu_pd(values + i)));
    }
    if (i < count) {
        long rest = count - i;
        expreg_store_partial(values + i, expreg_exp4(expreg_load_partial(values + i, rest)), rest);
    }
}

/// Fused block kernel (see expreg_exp_forward_block in CExpRegKernels.h), 8 lanes per iteration.
EXPREG_AVX2 void expreg_exp_forward_block_avx2(double *block, long rows, long cols, long ld,
                                               const double *a, double *sums, double *max_abs) {
    const __m256d abs_mask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffLL));
    __m256d mx = _mm256_setzero_pd();
    __m256d nan_seen = _mm256_setzero_pd();
    for (long i = 0; i < rows; i++) {
        double *row = block + i * ld;
        __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
        long j = 0;
        for (; j + 8 <= cols; j += 8) {
            __m256d z0 = _mm256_loadu_pd(row + j), z1 = _mm256_loadu_pd(row + j + 4);
            __m256d m0 = _mm256_and_pd(z0, abs_mask), m1 = _mm256_and_pd(z1, abs_mask);
            nan_seen = _mm256_or_pd(nan_seen, _mm256_cmp_pd(z0, z1, _CMP_UNORD_Q));
            mx = _mm256_max_pd(mx, _mm256_max_pd(m0, m1));
            __m256d e0 = expreg_exp4(z0), e1 = expreg_exp4(z1);
            __m256d a0 = _mm256_loadu_pd(a + j), a1 = _mm256_loadu_pd(a + j + 4);
            s0 = _mm256_fmadd_pd(a0, e0, s0);
            s1 = _mm256_fmadd_pd(a1, e1, s1);
            _mm256_storeu_pd(row + j, _mm256_mul_pd(e0, a0));
            _mm256_storeu_pd(row + j + 4, _mm256_mul_pd(e1, a1));
        }
        for (; j < cols; j += 4) {
            long rest = cols - j < 4 ? cols - j : 4;
            __m256d z0 = expreg_load_partial(row + j, rest);
            nan_seen = _mm256_or_pd(nan_seen, _mm256_cmp_pd(z0, z0, _CMP_UNORD_Q));
            mx = _mm256_max_pd(mx, _mm256_and_pd(z0, abs_mask));
            __m256d e0 = expreg_exp4(z0);
            __m256d a0 = expreg_load_partial(a + j, rest);  // zero weights in the padding lanes
            s0 = _mm256_fmadd_pd(a0, e0, s0);
            expreg_store_partial(row + j, _mm256_mul_pd(e0, a0), rest);
        }
        double lanes[4];
        _mm256_storeu_pd(lanes, _mm256_add_pd(s0, s1));
        sums[i] += (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    }
    double lanes[4];
    _mm256_storeu_pd(lanes, mx);
    double m = *max_abs;
    for (int l = 0; l < 4; l++) m = lanes[l] > m ? lanes[l] : m;
    if (_mm256_movemask_pd(nan_seen) != 0 || m != m) m = NAN;
    *max_abs = m;
}
#endif
