internal import CExpRegKernels
import Foundation

/// Element-wise exponential over contiguous doubles, vectorised.
///
/// The kernels use glibc's table method exp(x) = 2^(k/N) · exp(r): with AVX-512F, N = 16 held in
/// two registers, |r| ≤ ln2/32, degree-7 polynomial, 8 lanes; with AVX2 + FMA, N = 128 (gathers),
/// |r| ≤ ln2/256, degree-5 polynomial (ARM optimized-routines constants), 4 lanes; else the N = 128
/// scheme element by element in portable C. The best one for the CPU is chosen once at run time.
/// Lanes with |x| ≥ 708, ±inf or NaN are computed by libm's `exp`, so overflow, underflow to
/// subnormals and zero, and NaN are exactly libm's.
///
/// Accuracy: within 1 ulp of glibc's `exp` (measured by `VectorExpAccuracyTests` over a few
/// million inputs spread over [−745, 710] and log-uniform magnitudes; the contract is ≤ 2 ulp).
public enum VectorMath {
    /// The kernel ``expInPlace(_:)`` uses on this CPU.
    public static var selectedExpKernel: ExpKernel {
        ExpKernel(cKernel: expreg_exp_selected_kernel())
    }

    /// Replaces every element x by exp(x), in place, with the best kernel for this CPU.
    ///
    /// Contract: within 2 ulp of glibc's `exp` for every finite input; exp(x) = +inf for
    /// x > 709.782712893384, +0 (or a subnormal) for very negative x, NaN stays NaN, exp(-inf) = 0.
    /// - Complexity: O(count).
    public static func expInPlace(_ values: UnsafeMutableBufferPointer<Double>) {
        guard let base = values.baseAddress, values.count > 0 else { return }
        expreg_exp_inplace(base, values.count)
    }

    /// Replaces every element x by exp(x) with a chosen kernel (for tests and benchmarks).
    ///
    /// A kernel the CPU cannot run (see ``ExpKernel/isAvailable``) falls back to
    /// ``ExpKernel/portable``; ``ExpKernel/libm`` is the scalar `Foundation.exp` loop.
    /// - Complexity: O(count).
    public static func expInPlace(_ values: UnsafeMutableBufferPointer<Double>, kernel: ExpKernel) {
        guard let base = values.baseAddress, values.count > 0 else { return }
        switch kernel {
        case .libm:
            for i in values.indices { values[i] = Foundation.exp(values[i]) }
        case .portable, .avx2FMA, .avx512:
            expreg_exp_inplace_with(kernel.cKernel, base, values.count)
        }
    }

    /// Replaces every element x of an array by exp(x) (see ``expInPlace(_:)``).
    /// - Complexity: O(count).
    public static func expInPlace(_ values: inout [Double]) {
        values.withUnsafeMutableBufferPointer { expInPlace($0) }
    }
}
