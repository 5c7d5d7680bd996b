// The AVX2 + FMA exp of 4 lanes (128-entry table, gathers), shared by the exp kernels (exp_avx2.c)
// and the fused GD-step kernels (step_tiles_avx2.h). Same scheme and constants as exp_portable.c.
// Include only inside `#if defined(__x86_64__)`: it needs <immintrin.h> and <math.h>.
#ifndef EXPREG_EXP_AVX2_INLINE_H
#define EXPREG_EXP_AVX2_INLINE_H
#include <immintrin.h>
#include <math.h>
#include "exp_internal.h"

#define EXPREG_AVX2 __attribute__((target("avx2,fma")))

/// exp of 4 lanes by the table path alone: exact to the kernel's accuracy only where every lane has
/// |x| < EXPREG_EXP_FAST_LIMIT (no NaN); the caller checks that (or uses expreg_exp4).
EXPREG_AVX2 static inline __m256d expreg_exp4_unchecked(__m256d x) {
    const __m256d inv_ln2_n = _mm256_set1_pd(expreg_exp_inv_ln2_n);
    const __m256d neg_hi = _mm256_set1_pd(expreg_exp_neg_ln2_hi_n);
    const __m256d neg_lo = _mm256_set1_pd(expreg_exp_neg_ln2_lo_n);
    const __m256d shift = _mm256_set1_pd(EXPREG_EXP_SHIFT);
    const __m256d c2 = _mm256_set1_pd(EXPREG_EXP_C2), c3 = _mm256_set1_pd(EXPREG_EXP_C3);
    const __m256d c4 = _mm256_set1_pd(EXPREG_EXP_C4), c5 = _mm256_set1_pd(EXPREG_EXP_C5);

    __m256d kd = _mm256_fmadd_pd(inv_ln2_n, x, shift);
    __m256i ki = _mm256_castpd_si256(kd);
    kd = _mm256_sub_pd(kd, shift);
    __m256d r = _mm256_fmadd_pd(kd, neg_hi, x);
    r = _mm256_fmadd_pd(kd, neg_lo, r);
    __m256i idx = _mm256_slli_epi64(_mm256_and_si256(ki, _mm256_set1_epi64x(EXPREG_EXP_N - 1)), 1);
    __m256i top = _mm256_slli_epi64(ki, 52 - EXPREG_EXP_TABLE_BITS);
    const long long *table = (const long long *)expreg_exp_table;
    __m256d tail = _mm256_castsi256_pd(_mm256_i64gather_epi64(table, idx, 8));
    __m256i sbits = _mm256_add_epi64(_mm256_i64gather_epi64(table + 1, idx, 8), top);
    __m256d r2 = _mm256_mul_pd(r, r);
    __m256d p23 = _mm256_fmadd_pd(r, c3, c2);
    __m256d p45 = _mm256_fmadd_pd(r, c5, c4);
    __m256d tmp = _mm256_add_pd(tail, r);
    tmp = _mm256_fmadd_pd(r2, p23, tmp);
    tmp = _mm256_fmadd_pd(_mm256_mul_pd(r2, r2), p45, tmp);
    __m256d scale = _mm256_castsi256_pd(sbits);
    return _mm256_fmadd_pd(scale, tmp, scale);
}

/// Lanes of `x` with |x| >= EXPREG_EXP_FAST_LIMIT or NaN redone with libm's exp in `y` (out of line:
/// the rare path keeps the callers' registers free).
EXPREG_AVX2 __attribute__((noinline, cold)) static __m256d expreg_exp4_fix_lanes(__m256d x, __m256d y) {
    double xs[4], ys[4];
    _mm256_storeu_pd(xs, x);
    _mm256_storeu_pd(ys, y);
    for (int l = 0; l < 4; l++) {
        if (!(fabs(xs[l]) < EXPREG_EXP_FAST_LIMIT)) ys[l] = exp(xs[l]);
    }
    return _mm256_loadu_pd(ys);
}

/// exp of 4 lanes; lanes with |x| >= EXPREG_EXP_FAST_LIMIT or NaN are redone with libm's exp.
EXPREG_AVX2 static inline __m256d expreg_exp4(__m256d x) {
    const __m256d abs_mask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffLL));
    __m256d y = expreg_exp4_unchecked(x);
    __m256d ok = _mm256_cmp_pd(_mm256_and_pd(x, abs_mask), _mm256_set1_pd(EXPREG_EXP_FAST_LIMIT), _CMP_LT_OQ);
    if (__builtin_expect(_mm256_movemask_pd(ok) != 0xF, 0)) y = expreg_exp4_fix_lanes(x, y);
    return y;
}

#endif
