internal import CExpRegKernels

/// An implementation of the element-wise exponential (see ``VectorMath``).
public enum ExpKernel: String, Sendable, CaseIterable, Codable {
    /// Scalar loop over `Foundation.exp` (glibc's exp): the reference, ~6–10 ns per element.
    case libm
    /// The table kernel in portable C, one element at a time (any CPU).
    case portable
    /// The table kernel on 4 lanes with AVX2 + FMA (x86-64 with both features).
    case avx2FMA = "avx2-fma"

    init(cKernel: expreg_exp_kernel) {
        self = cKernel == EXPREG_EXP_KERNEL_AVX2_FMA ? .avx2FMA : .portable
    }

    /// The C kernel id; ``libm`` has none and maps to the portable one.
    var cKernel: expreg_exp_kernel {
        self == .avx2FMA ? EXPREG_EXP_KERNEL_AVX2_FMA : EXPREG_EXP_KERNEL_PORTABLE
    }
}
