// Internal declarations shared by the exp kernels (not part of the module's public header).
#ifndef EXPREG_EXP_INTERNAL_H
#define EXPREG_EXP_INTERNAL_H

#include <stdint.h>
#include "CExpRegKernels.h"
#include <string.h>

/// Table size N: exp(x) = 2^(k/N) * exp(r), |r| <= ln2 / (2N).
#define EXPREG_EXP_N 128
#define EXPREG_EXP_TABLE_BITS 7

// EXPREG_EXP_FAST_LIMIT (the table path's range) is in the public header.

extern const double expreg_exp_inv_ln2_n;
extern const double expreg_exp_neg_ln2_hi_n;
extern const double expreg_exp_neg_ln2_lo_n;
extern const uint64_t expreg_exp_table[2 * EXPREG_EXP_N];
extern const double expreg_exp16_inv_ln2_n;
extern const double expreg_exp16_neg_ln2_hi_n;
extern const double expreg_exp16_neg_ln2_lo_n;
extern const uint64_t expreg_exp16_scale_bits[16];
extern const uint64_t expreg_exp16_tail_bits[16];

/// Round-to-integer shifter: z + 1.5*2^52 holds round(z) in its low mantissa bits.
#define EXPREG_EXP_SHIFT 0x1.8p52
/// Polynomial for exp(r) - 1 - r on |r| <= ln2/256 (glibc / ARM optimized-routines, N = 128).
#define EXPREG_EXP_C2 0x1.ffffffffffdbdp-2
#define EXPREG_EXP_C3 0x1.555555555543cp-3
#define EXPREG_EXP_C4 0x1.55555cf172b91p-5
#define EXPREG_EXP_C5 0x1.1111167a4d017p-7

static inline uint64_t expreg_as_u64(double x) { uint64_t u; memcpy(&u, &x, sizeof u); return u; }
static inline double expreg_as_f64(uint64_t u) { double x; memcpy(&x, &u, sizeof x); return x; }

/// Portable kernels (plain C, any ISA).
void expreg_exp_portable(double *values, long count);

#if defined(__x86_64__)
/// AVX2 + FMA kernels; call only when the CPU has both.
void expreg_exp_avx2(double *values, long count);
/// AVX-512F kernels (16-entry register table, no gathers); call only when the CPU has AVX-512F.
void expreg_exp_avx512(double *values, long count);
/// Fused forward block kernels (see expreg_exp_forward_block in CExpRegKernels.h).
void expreg_exp_forward_block_avx2(double *block, long rows, long cols, long ld, const double *a,
                                   double *sums, double *max_abs);
void expreg_exp_forward_block_avx512(double *block, long rows, long cols, long ld, const double *a,
                                     double *sums, double *max_abs);
#endif

#endif
