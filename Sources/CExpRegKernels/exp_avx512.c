// AVX-512F exp, 8 doubles per iteration, without gathers: a 16-entry table held in two registers
// (vpermt2pd), |r| <= ln2/32 and a degree-7 Taylor polynomial (truncation < 2^-59 relative).
#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>
#include "exp_internal.h"

#define EXPREG_AVX512 __attribute__((target("avx512f")))

/// exp of 8 lanes; lanes with |x| >= EXPREG_EXP_FAST_LIMIT or NaN are redone with libm's exp.
EXPREG_AVX512 static inline __m512d expreg_exp8(__m512d x) {
    const __m512d shift = _mm512_set1_pd(EXPREG_EXP_SHIFT);
    const __m512i scale_lo = _mm512_loadu_si512((const void *)expreg_exp16_scale_bits);
    const __m512i scale_hi = _mm512_loadu_si512((const void *)(expreg_exp16_scale_bits + 8));
    const __m512d tail_lo = _mm512_loadu_pd((const double *)expreg_exp16_tail_bits);
    const __m512d tail_hi = _mm512_loadu_pd((const double *)(expreg_exp16_tail_bits + 8));

    __m512d kd = _mm512_fmadd_pd(_mm512_set1_pd(expreg_exp16_inv_ln2_n), x, shift);
    __m512i ki = _mm512_castpd_si512(kd);
    kd = _mm512_sub_pd(kd, shift);
    __m512d r = _mm512_fmadd_pd(kd, _mm512_set1_pd(expreg_exp16_neg_ln2_hi_n), x);
    r = _mm512_fmadd_pd(kd, _mm512_set1_pd(expreg_exp16_neg_ln2_lo_n), r);
    // vpermt2pd/q read the low 4 index bits: bit 3 picks the second register.
    __m512d tail = _mm512_permutex2var_pd(tail_lo, ki, tail_hi);
    __m512i sbits = _mm512_permutex2var_epi64(scale_lo, ki, scale_hi);
    sbits = _mm512_add_epi64(sbits, _mm512_slli_epi64(ki, 48));
    // exp(r) - 1 = r + r^2 (1/2 + r/6 + r^2 (1/24 + r/120) + r^4 (1/720 + r/5040)), Estrin form
    __m512d r2 = _mm512_mul_pd(r, r);
    __m512d r4 = _mm512_mul_pd(r2, r2);
    __m512d p23 = _mm512_fmadd_pd(r, _mm512_set1_pd(1.0 / 6), _mm512_set1_pd(0.5));
    __m512d p45 = _mm512_fmadd_pd(r, _mm512_set1_pd(1.0 / 120), _mm512_set1_pd(1.0 / 24));
    __m512d p67 = _mm512_fmadd_pd(r, _mm512_set1_pd(1.0 / 5040), _mm512_set1_pd(1.0 / 720));
    __m512d q = _mm512_fmadd_pd(r4, p67, _mm512_fmadd_pd(r2, p45, p23));
    __m512d tmp = _mm512_fmadd_pd(r2, q, _mm512_add_pd(tail, r));
    __m512d scale = _mm512_castsi512_pd(sbits);
    __m512d y = _mm512_fmadd_pd(scale, tmp, scale);

    __m512d ax = _mm512_abs_pd(x);
    __mmask8 ok = _mm512_cmp_pd_mask(ax, _mm512_set1_pd(EXPREG_EXP_FAST_LIMIT), _CMP_LT_OQ);
    if (__builtin_expect(ok != 0xFF, 0)) {
        double xs[8], ys[8];
        _mm512_storeu_pd(xs, x);
        _mm512_storeu_pd(ys, y);
        for (int l = 0; l < 8; l++) {
            if (!(fabs(xs[l]) < EXPREG_EXP_FAST_LIMIT)) ys[l] = exp(xs[l]);
        }
        y = _mm512_loadu_pd(ys);
    }
    return y;
}

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

EXPREG_AVX512 double expreg_exp_rowdot_avx512(double *row, long count, const double *weights) {
    __m512d s0 = _mm512_setzero_pd(), s1 = _mm512_setzero_pd();
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512d a = expreg_exp8(_mm512_loadu_pd(row + i)), b = expreg_exp8(_mm512_loadu_pd(row + i + 8));
        _mm512_storeu_pd(row + i, a);
        _mm512_storeu_pd(row + i + 8, b);
        s0 = _mm512_fmadd_pd(_mm512_loadu_pd(weights + i), a, s0);
        s1 = _mm512_fmadd_pd(_mm512_loadu_pd(weights + i + 8), b, s1);
    }
    for (; i < count; i += 8) {
        long rest = count - i < 8 ? count - i : 8;
        __mmask8 mask = (__mmask8)((1u << rest) - 1);
        __m512d a = expreg_exp8(_mm512_maskz_loadu_pd(mask, row + i));
        _mm512_mask_storeu_pd(row + i, mask, a);
        s1 = _mm512_fmadd_pd(_mm512_maskz_loadu_pd(mask, weights + i), a, s1);
    }
    return _mm512_reduce_add_pd(_mm512_add_pd(s0, s1));
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
