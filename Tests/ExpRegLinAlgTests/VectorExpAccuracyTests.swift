import ExpRegTestSupport
import Foundation
import Testing

@testable import ExpRegLinAlg

/// Accuracy of the vectorised exp against glibc's `exp` (Foundation.exp on Linux), in ulps.
@Suite("VectorMath.expInPlace accuracy")
struct VectorExpAccuracyTests {
    /// Special values: ±0, ±inf, NaN, overflow threshold, subnormal and zero underflow.
    func specialValues(path: KernelPath) {
        let kernel = path.expKernel
        let inputs: [Double] = [
            0, -0.0, .infinity, -.infinity, .nan, -.nan, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
            .leastNormalMagnitude, 1, -1, 0x1p-54, -0x1p-54,
            709.782712893384, 709.7827128933841, 709.79, 710, 1e300, .greatestFiniteMagnitude,
            -708.3964185322641, -708.4, -740, -745.13, -745.1332191019411, -745.1332191019412, -745.14, -1e300,
            707.999999, 708, -708, -707.999999,
        ]
        var values = inputs
        values.withUnsafeMutableBufferPointer { VectorMath.expInPlace($0, kernel: kernel) }
        for (x, got) in zip(inputs, values) {
            let want = Foundation.exp(x)
            if want.isNaN {
                #expect(got.isNaN, "exp(\(x)) should be NaN, got \(got)")
            } else {
                // Outside the table path (|x| ≥ 708, ±inf) the kernel calls libm itself: 0 ulp.
                let limit: Int64 = abs(x) >= 708 ? 0 : 1
                #expect(ulpDistance(got, want) <= limit, "exp(\(x)): got \(got), libm \(want)")
            }
        }
        #expect(values[0] == 1 && values[1] == 1)
        #expect(values[2] == .infinity && values[3] == 0 && values[3].sign == .plus)
        #expect(values[14] == .infinity, "exp overflows just above 709.782712893384")
        #expect(values[13].isFinite && values[13] > 1.79e308)
        #expect(values[22].isSubnormal && values[22] > 0, "exp(-745.13) is the smallest subnormal")
        #expect(values[25] == 0 && values[25].sign == .plus, "exp(-745.14) underflows to +0")
    }

    /// Max ulp vs glibc over random inputs on [-745, 710] and log-uniform magnitudes.
    func randomInputs(path: KernelPath) {
        let kernel = path.expKernel
        let count = 1 << 21  // 2,097,152 inputs per kernel: half uniform, half log-uniform magnitudes
        var generator = SplitMix64(seed: 0x5EED_0E79)
        let logSmallest = Foundation.log(1e-300)
        let logLargest = Foundation.log(745.0)
        var inputs = [Double](repeating: 0, count: count)
        for i in 0..<count {
            if i.isMultiple(of: 2) {
                inputs[i] = -745 + 1455 * generator.nextUnit()
            } else {
                let magnitude = Foundation.exp(logSmallest + (logLargest - logSmallest) * generator.nextUnit())
                inputs[i] = generator.next() & 1 == 0 ? -magnitude : min(magnitude, 709.78)
            }
        }
        var values = inputs
        values.withUnsafeMutableBufferPointer { VectorMath.expInPlace($0, kernel: kernel) }
        var maxUlp: Int64 = 0
        var worst = 0.0
        for i in 0..<count {
            let distance = ulpDistance(values[i], Foundation.exp(inputs[i]))
            if distance > maxUlp {
                maxUlp = distance
                worst = inputs[i]
            }
        }
        // Contract ≤ 2 ulp. Both glibc and this kernel are within ~0.51 ulp of the true value,
        // so at most 1 ulp apart: a 2 would already mean a regression of the kernel.
        #expect(maxUlp <= 1, "kernel \(kernel): max \(maxUlp) ulp at x = \(worst)")
    }

    /// Every length 0...19 at unaligned starts gives the values of one long call.
    func tailsAndOffsets(path: KernelPath) {
        let kernel = path.expKernel
        var generator = SplitMix64(seed: 7)
        let source = (0..<40).map { _ in -30 + 60 * generator.nextUnit() }
        var reference = source
        reference.withUnsafeMutableBufferPointer { VectorMath.expInPlace($0, kernel: kernel) }
        for offset in 0..<3 {
            for length in 0...19 {
                var values = source
                values.withUnsafeMutableBufferPointer { buffer in
                    VectorMath.expInPlace(
                        UnsafeMutableBufferPointer(rebasing: buffer[offset..<(offset + length)]), kernel: kernel)
                }
                #expect(Array(values[offset..<(offset + length)]) == Array(reference[offset..<(offset + length)]))
                #expect(
                    Array(values[(offset + length)...]) == Array(source[(offset + length)...]), "wrote past the end")
                #expect(Array(values[..<offset]) == Array(source[..<offset]), "wrote before the start")
            }
        }
    }

    @Test("the default entry point uses the selected kernel")
    func defaultKernel() {
        var a = (0..<37).map { Double($0) * 0.37 - 6 }
        var b = a
        VectorMath.expInPlace(&a)
        b.withUnsafeMutableBufferPointer { VectorMath.expInPlace($0, kernel: VectorMath.selectedExpKernel) }
        #expect(a == b)
        // The default entry point runs the fastest kernel of this CPU (EXPREG_KERNELS never changes
        // it: a run passes its kernel path down explicitly).
        #expect(VectorMath.selectedExpKernel == KernelPath.best.expKernel)
    }
}

/// The checks above on each kernel path's exp; a path this CPU lacks, or that `EXPREG_KERNELS`
/// does not select, is reported as skipped with the reason.
extension VectorExpAccuracyTests {
    @Suite("avx512", .runsOn(.avx512)) struct OnAVX512 {
        @Test("avx512: exp accuracy, special values") func specialValues() {
            VectorExpAccuracyTests().specialValues(path: .avx512)
        }
        @Test("avx512: exp accuracy, random inputs") func randomInputs() {
            VectorExpAccuracyTests().randomInputs(path: .avx512)
        }
        @Test("avx512: exp accuracy, tails and offsets") func tailsAndOffsets() {
            VectorExpAccuracyTests().tailsAndOffsets(path: .avx512)
        }
    }

    @Suite("avx2", .runsOn(.avx2)) struct OnAVX2 {
        @Test("avx2: exp accuracy, special values") func specialValues() {
            VectorExpAccuracyTests().specialValues(path: .avx2)
        }
        @Test("avx2: exp accuracy, random inputs") func randomInputs() {
            VectorExpAccuracyTests().randomInputs(path: .avx2)
        }
        @Test("avx2: exp accuracy, tails and offsets") func tailsAndOffsets() {
            VectorExpAccuracyTests().tailsAndOffsets(path: .avx2)
        }
    }

    @Suite("generic", .runsOn(.generic)) struct OnGeneric {
        @Test("generic: exp accuracy, special values") func specialValues() {
            VectorExpAccuracyTests().specialValues(path: .generic)
        }
        @Test("generic: exp accuracy, random inputs") func randomInputs() {
            VectorExpAccuracyTests().randomInputs(path: .generic)
        }
        @Test("generic: exp accuracy, tails and offsets") func tailsAndOffsets() {
            VectorExpAccuracyTests().tailsAndOffsets(path: .generic)
        }
    }
}

/// Distance in units in the last place between two doubles (0 for two NaNs; .max for NaN vs number).
func ulpDistance(_ a: Double, _ b: Double) -> Int64 {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN ? 0 : .max }
    func ordered(_ x: Double) -> Int64 {
        let bits = Int64(bitPattern: x.bitPattern)
        return bits < 0 ? Int64.min &- bits : bits
    }
    let difference = ordered(a).subtractingReportingOverflow(ordered(b))
    return difference.overflow ? .max : abs(difference.partialValue)
}

/// SplitMix64 (Steele, Lea, Flood 2014): a small seeded generator for reproducible test inputs.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1) with 53 random bits.
    mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }
}
