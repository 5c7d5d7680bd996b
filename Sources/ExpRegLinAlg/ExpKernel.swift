internal import CExpRegKernels

/// An implementation of the element-wise exponential (see ``VectorMath``).
public enum ExpKernel: String, Sendable, CaseIterable, Codable {
    /// Scalar loop over `Foundation.exp` (glibc's exp): the reference, ~6–10 ns per element.
    case libm
    /// The table kernel in portable C, one element at a time (any CPU).
    case portable
    /// The table kernel on 4 lanes with AVX2 + FMA (x86-64 with both features; 128-entry table read by gathers).
    case avx2FMA = "avx2-fma"
    /// 8 lanes with AVX-512F: a 16-entry table held in registers (no gathers) and a degree-7
    /// polynomial; about 2.5× the AVX2 kernel's speed in cache.
    case avx512 = "avx512"

    init(cKernel: expreg_exp_kernel) {
        switch cKernel {
        case EXPREG_EXP_KERNEL_AVX512: self = .avx512
        case EXPREG_EXP_KERNEL_AVX2_FMA: self = .avx2FMA
        default: self = .portable
        }
    }

    /// The C kernel id; ``libm`` has none and maps to the portable one.
    var cKernel: expreg_exp_kernel {
        switch self {
        case .avx512: return EXPREG_EXP_KERNEL_AVX512
        case .avx2FMA: return EXPREG_EXP_KERNEL_AVX2_FMA
        case .libm, .portable: return EXPREG_EXP_KERNEL_PORTABLE
        }
    }

    /// Whether this CPU can run the kernel (``libm`` and ``portable`` always can).
    public var isAvailable: Bool {
        self == .libm || expreg_exp_kernel_available(cKernel) != 0
    }
}
