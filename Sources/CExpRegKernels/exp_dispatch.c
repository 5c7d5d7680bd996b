// Runtime choice of the exp kernel (CPU features are read once).
#include "CExpRegKernels.h"
#include "exp_internal.h"

int expreg_exp_kernel_available(expreg_exp_kernel kernel) {
    switch (kernel) {
    case EXPREG_EXP_KERNEL_PORTABLE:
        return 1;
#if defined(__x86_64__)
    case EXPREG_EXP_KERNEL_AVX2_FMA:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case EXPREG_EXP_KERNEL_AVX512:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    default:
        return 0;
    }
}

static expreg_exp_kernel expreg_detect_kernel(void) {
    if (expreg_exp_kernel_available(EXPREG_EXP_KERNEL_AVX512)) return EXPREG_EXP_KERNEL_AVX512;
    if (expreg_exp_kernel_available(EXPREG_EXP_KERNEL_AVX2_FMA)) return EXPREG_EXP_KERNEL_AVX2_FMA;
    return EXPREG_EXP_KERNEL_PORTABLE;
}

expreg_exp_kernel expreg_exp_selected_kernel(void) {
    // Every thread computes the same value, so relaxed atomics suffice (no lock, no data race): a
    // thread that still sees -1 detects the kernel itself and stores the same number.
    static int cached = -1;
    int k = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (k < 0) {
        k = (int)expreg_detect_kernel();
        __atomic_store_n(&cached, k, __ATOMIC_RELAXED);
    }
    return (expreg_exp_kernel)k;
}

static expreg_exp_kernel expreg_usable(expreg_exp_kernel kernel) {
    return expreg_exp_kernel_available(kernel) ? kernel : EXPREG_EXP_KERNEL_PORTABLE;
}

void expreg_exp_inplace_with(expreg_exp_kernel kernel, double *values, long count) {
    if (count <= 0) return;
    switch (expreg_usable(kernel)) {
#if defined(__x86_64__)
    case EXPREG_EXP_KERNEL_AVX512: expreg_exp_avx512(values, count); return;
    case EXPREG_EXP_KERNEL_AVX2_FMA: expreg_exp_avx2(values, count); return;
#endif
    default: expreg_exp_portable(values, count); return;
    }
}

void expreg_exp_inplace(double *values, long count) {
    expreg_exp_inplace_with(expreg_exp_selected_kernel(), values, count);
}
