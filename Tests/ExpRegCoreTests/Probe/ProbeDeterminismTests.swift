import ExpRegCore
import ExpRegLinAlg
import ExpRegTestSupport
import Testing

/// A probe's numbers depend on its kernel path only: bitwise the same for 1, 2 and 3 threads, and a
/// width's value is the same whatever the maximum width (the sums run in a fixed order).
@Suite("Condition probe determinism")
struct ProbeDeterminismTests {
    /// n = 40, d = 3 (chunks of 16,384 neurons), up to 131,072 neurons: the widths past 16,384 are
    /// accumulated in several chunks per grid step, the early ones in one partial chunk each.
    static let data = SphereData.generate(n: 40, d: 3, labels: .random, seed: 5)

    static func probe(_ activation: Activation, threads: Int, maxWidth: Int, path: KernelPath) throws -> ProbeResult {
        try ConditionProbe.measure(
            dataset: data, activation: activation, sigma: 0.8, seed: 9,
            options: ProbeOptions(maxWidth: maxWidth, marginOctaves: 100, threads: threads, kernels: path))
    }

    static func identicalForAnyThreadCount(path: KernelPath) throws {
        for activation in [Activation.exp, .relu] {
            let one = try probe(activation, threads: 1, maxWidth: 131_072, path: path)
            #expect(one.curve.count == ProbeGrid.widths(upTo: 131_072).count)
            for threads in [2, 3] {
                let other = try probe(activation, threads: threads, maxWidth: 131_072, path: path)
                // Exact equality: one path with itself (docs/theory.md, "Condition probe").
                #expect(other == one, "\(activation) with \(threads) threads differs from 1 thread")
            }
            let short = try probe(activation, threads: 2, maxWidth: 5000, path: path)
            #expect(short.curve == Array(one.curve.prefix(short.curve.count)), "\(activation): prefix differs")
            #expect(short.curve.last?.width == 4864)  // 19 · 2^8, the largest grid width ≤ 5000
        }
    }

    @Test("avx512: bitwise the same for 1, 2, 3 threads and any maximum", .runsOn(.avx512))
    func avx512() throws { try Self.identicalForAnyThreadCount(path: .avx512) }
    @Test("avx2: bitwise the same for 1, 2, 3 threads and any maximum", .runsOn(.avx2))
    func avx2() throws { try Self.identicalForAnyThreadCount(path: .avx2) }
    @Test("generic: bitwise the same for 1, 2, 3 threads and any maximum", .runsOn(.generic))
    func generic() throws { try Self.identicalForAnyThreadCount(path: .generic) }

    @Test("the probe stops once the condition has held for the margin")
    func stopsAfterTheMargin() throws {
        // relu at n = 8 crosses within a few thousand neurons.
        let data = SphereData.generate(n: 8, d: 4, labels: .random, seed: 1)
        for margin in [0, 1, 2] {
            let result = try ConditionProbe.measure(
                dataset: data, activation: .relu, sigma: 1, seed: 0,
                options: ProbeOptions(maxWidth: 1 << 24, marginOctaves: margin, threads: 2, kernels: TestKernels.path))
            #expect(result.stop == .margin)
            let holds = result.curve.map(\.conditionMet)
            let window = 4 * margin + 1
            #expect(ConditionCrossing.heldForLast(window, of: holds))
            #expect(!ConditionCrossing.heldForLast(window, of: Array(holds.dropLast())))
            let crossing = try #require(result.crossing.width)
            #expect(crossing <= result.curve[result.curve.count - window].width)
            #expect(result.curve.allSatisfy { ($0.gramDistance <= result.threshold) == $0.conditionMet })
        }
    }

    @Test("a singular or overflowing H* is refused before any neuron is drawn")
    func failures() throws {
        let data = SphereData.generate(n: 8, d: 4, labels: .random, seed: 1)
        // Two identical points: H* is singular, so the condition can never hold.
        let row = Array(data.x.prefix(4))
        let twins = try Dataset(n: 3, d: 4, x: row + row + Array(data.x[4..<8]), y: [0, 0, 0])
        #expect(throws: ProbeError.self) {
            try ConditionProbe.measure(
                dataset: twins, activation: .relu, sigma: 1, seed: 0,
                options: ProbeOptions(maxWidth: 64, threads: 1, kernels: TestKernels.path))
        }
        // exp with σ = 30: H*'s diagonal e^(2σ²) = e^1800 overflows. (For unit-norm data H_m(W0) stays
        // finite whenever H* does, since max |⟨w_r, x⟩| ≪ σ²; the probe's not-finite stop is a guard.)
        #expect(throws: ProbeError.self) {
            try ConditionProbe.measure(
                dataset: data, activation: .exp, sigma: 30, seed: 0,
                options: ProbeOptions(maxWidth: 64, threads: 1, kernels: TestKernels.path))
        }
    }

    @Test("a cancelled probe throws")
    func cancellation() {
        let data = SphereData.generate(n: 8, d: 4, labels: .random, seed: 1)
        var calls = 0
        #expect(throws: ProbeError.cancelled) {
            try ConditionProbe.measure(
                dataset: data, activation: .exp, sigma: 1, seed: 0,
                options: ProbeOptions(maxWidth: 1 << 20, threads: 1, kernels: TestKernels.path),
                progress: { _ in
                    calls += 1
                    return calls < 5
                })
        }
        #expect(calls == 5)
    }
}
