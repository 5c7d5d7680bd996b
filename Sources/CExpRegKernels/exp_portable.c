// Portable table exp (glibc / ARM optimized-routines algorithm, N = 128), element by element.
#include <math.h>
#include "exp_internal.h"

/// exp(x) for |x| < EXPREG_EXP_FAST_LIMIT; error <= 0.51 ulp (glibc's bound for the same scheme).
static inline double expreg_exp_fast(double x) {
    double z = expreg_exp_inv_ln2_n * x;
    double kd = z + EXPREG_EXP_SHIFT;
    uint64_t ki = expreg_as_u64(kd);
    kd -= EXPREG_EXP_SHIFT;
    double r = x + kd * expreg_exp_neg_ln2_hi_n + kd * expreg_exp_neg_ln2_lo_n;
    uint64_t idx = 2 * (ki % EXPREG_EXP_N);
    uint64_t top = ki << (52 - EXPREG_EXP_TABLE_BITS);
    double tail = expreg_as_f64(expreg_exp_table[idx]);
    uint64_t sbits = expreg_exp_table[idx + 1] + top;
    double r2 = r * r;
    double tmp = tail + r + r2 * (EXPREG_EXP_C2 + r * EXPREG_EXP_C3)
               + r2 * r2 * (EXPREG_EXP_C4 + r * EXPREG_EXP_C5);
    double scale = expreg_as_f64(sbits);
    return scale + scale * tmp;
}

static inline double expreg_exp_one(double x) {
    return fabs(x) < EXPREG_EXP_FAST_LIMIT ? expreg_exp_fast(x) : exp(x);
}

void expreg_exp_portable(double *values, long count) {
    for (long i = 0; i < count; i++) values[i] = expreg_exp_one(values[i]);
}
