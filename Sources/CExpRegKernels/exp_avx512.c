// AVX-512F exp, 8 doubles per iteration, without gathers: a 16-entry table held in two registers
// (vpermt2pd), |r| <= ln2/32 and a degree-7 Taylor polynomial (truncation < 2^-59 relative).
#if defined(__x86_64__)
#include "exp_avx512_inline.h"

EXPREG_AVX512 void expreg_exp_avx512(double *values, long count) {
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512d a = _mm512_loadu_pd(values + i), b = _mm512_loadu_pd(values + i + 8);
        _mm512_storeu_pd(values + i, expreg_exp8(a));
        _mm512_storeu_pd(values + i + 8, expreg_exp8(b));
    }
    for (; i < count; i += 8) {
        long rest = count - i < 8 ? count - i : 8;
        __mmask8 mask = (__mmask8)((1u << rest) - 1);
        __m512d v = _mm512_maskz_loadu_pd(mask, values + i);
        _mm512_mask_storeu_pd(values + i, mask, expreg_exp8(v));
    }
}

/// Fused forward block (see expreg_exp_forward_block), 16 lanes per iteration.
EXPREG_AVX512 void expreg_exp_forward_block_avx512(double *block, long rows, long cols, long ld,
                                                   const double *a, double *sums, double *max_abs) {
    __m512d mx = _mm512_setzero_pd();
    __mmask8 nan_seen = 0;
    for (long i = 0; i < rows; i++) {
        double *row = block + i * ld;
        __m512d s0 = _mm512_setzero_pd(), s1 = _mm512_setzero_pd();
        long j = 0;
        for (; j + 16 <= cols; j += 16) {
            __m512d z0 = _mm512_loadu_pd(row + j), z1 = _mm512_loadu_pd(row + j + 8);
            nan_seen |= _mm512_cmp_pd_mask(z0, z1, _CMP_UNORD_Q);
            mx = _mm512_max_pd(mx, _mm512_max_pd(_mm512_abs_pd(z0), _mm512_abs_pd(z1)));
            __m512d e0 = expreg_exp8(z0), e1 = expreg_exp8(z1);
            __m512d a0 = _mm512_loadu_pd(a + j), a1 = _mm512_loadu_pd(a + j + 8);
            s0 = _mm512_fmadd_pd(a0, e0, s0);
            s1 = _mm512_fmadd_pd(a1, e1, s1);
            _mm512_storeu_pd(row + j, _mm512_mul_pd(e0, a0));
            _mm512_storeu_pd(row + j + 8, _mm512_mul_pd(e1, a1));
        }
        for (; j < cols; j += 8) {
            long rest = cols - j < 8 ? cols - j : 8;
            __mmask8 mask = (__mmask8)((1u << rest) - 1);
            __m512d z0 = _mm512_maskz_loadu_pd(mask, row + j);
            nan_seen |= _mm512_cmp_pd_mask(z0, z0, _CMP_UNORD_Q);
            mx = _mm512_max_pd(mx, _mm512_abs_pd(z0));
            __m512d e0 = expreg_exp8(z0);
            __m512d a0 = _mm512_maskz_loadu_pd(mask, a + j);
            s0 = _mm512_fmadd_pd(a0, e0, s0);
            _mm512_mask_storeu_pd(row + j, mask, _mm512_mul_pd(e0, a0));
        }
        sums[i] += _mm512_reduce_add_pd(_mm512_add_pd(s0, s1));
    }
    double m = _mm512_reduce_max_pd(mx);
    if (*max_abs > m) m = *max_abs;
    if (nan_seen != 0 || *max_abs != *max_abs) m = NAN;
    *max_abs = m;
}
#endif
