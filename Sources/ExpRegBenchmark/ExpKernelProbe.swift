import ExpRegLinAlg
import Foundation

/// Times one exp kernel per element (a benchmark, not a test).
public enum ExpKernelProbe {
    /// Median ns per element of `VectorMath.expInPlace(_:kernel:)` over 7 runs on `count`
    /// inputs uniform in [−20, 20] (refilled before every run; the refill is not timed).
    ///
    /// A `count` of 2^20 (8 MiB) measures the kernel streaming from memory as in a GD step;
    /// 2^12 measures it in cache.
    /// - Complexity: O(count).
    public static func nanosecondsPerElement(kernel: ExpKernel, count: Int) -> Double {
        precondition(count >= 1, "ExpKernelProbe: count must be >= 1")
        var source = [Double](repeating: 0, count: count)
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        for i in 0..<count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            source[i] = -20 + 40 * (Double(state >> 11) * 0x1p-53)
        }
        var values = source
        let clock = ContinuousClock()
        var samples: [Double] = []
        let repetitions = max(1, min(7, (1 << 24) / count)) * (count < 1 << 16 ? 64 : 1)
        for _ in 0..<7 {
            var total = Duration.zero
            for _ in 0..<repetitions {
                values.withUnsafeMutableBufferPointer { buffer in
                    source.withUnsafeBufferPointer { _ = buffer.update(fromContentsOf: $0) }
                }
                total += clock.measure {
                    values.withUnsafeMutableBufferPointer { VectorMath.expInPlace($0, kernel: kernel) }
                }
            }
            samples.append(Benchmark.milliseconds(total) * 1e6 / Double(count * repetitions))
        }
        return samples.sorted()[samples.count / 2]
    }
}
