// The AVX-512F exp of 8 lanes, shared by the exp kernels and the fused GD-step kernels.
// Include only inside `#if defined(__x86_64__)`: it needs <immintrin.h> and <math.h>.
#ifndef EXPREG_EXP_AVX512_INLINE_H
#define EXPREG_EXP_AVX512_INLINE_H
#include <immintrin.h>
#include <math.h>
#include "exp_internal.h"

#define EXPREG_AVX512 __attribute__((target("avx512f")))

/// exp of 8 lanes by the table path alone: exact to the kernel's accuracy only where every lane has
/// |x| < EXPREG_EXP_FAST_LIMIT (no NaN); the caller checks that (or uses expreg_exp8).
EXPREG_AVX512 static inline __m512d expreg_exp8_unchecked(__m512d x) {
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
    return _mm512_fmadd_pd(scale, tmp, scale);
}

/// Lanes of `x` with |x| >= EXPREG_EXP_FAST_LIMIT or NaN redone with libm's exp in `y` (out of line:
/// the rare path keeps the callers' registers free).
EXPREG_AVX512 __attribute__((noinline, cold)) static __m512d expreg_exp8_fix_lanes(__m512d x, __m512d y) {
    double xs[8], ys[8];
    _mm512_storeu_pd(xs, x);
    _mm512_storeu_pd(ys, y);
    for (int l = 0; l < 8; l++) {
        if (!(fabs(xs[l]) < EXPREG_EXP_FAST_LIMIT)) ys[l] = exp(xs[l]);
    }
    return _mm512_loadu_pd(ys);
}

/// exp of 8 lanes; lanes with |x| >= EXPREG_EXP_FAST_LIMIT or NaN are redone with libm's exp.
EXPREG_AVX512 static inline __m512d expreg_exp8(__m512d x) {
    __m512d y = expreg_exp8_unchecked(x);
    __m512d ax = _mm512_abs_pd(x);
    __mmask8 ok = _mm512_cmp_pd_mask(ax, _mm512_set1_pd(EXPREG_EXP_FAST_LIMIT), _CMP_LT_OQ);
    if (__builtin_expect(ok != 0xFF, 0)) y = expreg_exp8_fix_lanes(x, y);
    return y;
}

#endif
