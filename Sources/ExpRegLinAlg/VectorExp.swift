import Foundation

/// Element-wise exponential over contiguous doubles.
///
/// INTERFACE STUB (scalar libm loop) — the vectorised kernel is the speed work (issue 6).
public enum VectorMath {
    /// Replaces every element x by exp(x), in place.
    ///
    /// Contract: within 2 ulp of glibc's `exp` for every finite input; exp(x) = +inf for
    /// x > 709.782712893384, +0 (or a subnormal) for very negative x, NaN stays NaN, exp(-inf) = 0.
    /// - Complexity: O(count).
    public static func expInPlace(_ values: UnsafeMutableBufferPointer<Double>) {
        for i in values.indices { values[i] = Foundation.exp(values[i]) }
    }
}
