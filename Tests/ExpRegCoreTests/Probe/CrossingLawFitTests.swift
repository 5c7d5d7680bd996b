import ExpRegCore
import Foundation
import RealModule
import Testing

/// The n-law fit m_c ≈ c·n^e and its bootstrap interval on synthetic crossings with a known exponent.
@Suite("Crossing law fit")
struct CrossingLawFitTests {
    let ns = [8, 16, 32, 64, 128, 256]

    @Test("exact power law: the exponent and coefficient come back, the interval collapses on them")
    func exact() throws {
        let groups = ns.map { n in
            CrossingLawFit.Group(
                n: n, crossings: Array(repeating: 3 * n * n, count: 3), unreached: 0, lambdaStar: 0.1)
        }
        let fit = try #require(CrossingLawFit(groups: groups))
        // OLS on exact logs: rounding of log only (~1e-15).
        #expect(fit.exponent.isApproximatelyEqual(to: 2, relativeTolerance: 1e-12))
        #expect(fit.coefficient.isApproximatelyEqual(to: 3, relativeTolerance: 1e-12))
        let interval = try #require(fit.interval)
        #expect(interval.lowerBound.isApproximatelyEqual(to: 2, relativeTolerance: 1e-12))
        #expect(interval.upperBound.isApproximatelyEqual(to: 2, relativeTolerance: 1e-12))
        #expect(fit.points == 18 && fit.unreached == 0)
    }

    /// Crossings c·n^e·u with u log-uniform in [1/1.5, 1.5] from a fixed generator, 5 seeds per n.
    static func noisy(exponent: Double, seeds: Int = 5, ns: [Int]) -> [CrossingLawFit.Group] {
        var generator = SeededGenerator(seed: 77)
        return ns.map { n in
            let crossings = (0..<seeds).map { _ in
                let noise = Foundation.exp((2 * generator.nextUniform() - 1) * Foundation.log(1.5))
                return Int((40 * Foundation.pow(Double(n), exponent) * noise).rounded())
            }
            return CrossingLawFit.Group(n: n, crossings: crossings, unreached: 0, lambdaStar: nil)
        }
    }

    @Test("noisy crossings: the interval holds the true exponent and is deterministic", arguments: [2.0, 2.6])
    func noisy(exponent: Double) throws {
        let groups = Self.noisy(exponent: exponent, ns: ns)
        let fit = try #require(CrossingLawFit(groups: groups))
        let interval = try #require(fit.interval)
        #expect(interval.contains(exponent), "\(interval) misses \(exponent)")
        #expect(interval.contains(fit.exponent))
        // With noise of ±log 1.5 over five octaves of n, the exponent is known to about ±0.1.
        #expect(abs(fit.exponent - exponent) < 0.1)
        #expect(interval.upperBound - interval.lowerBound < 0.3 && interval.upperBound > interval.lowerBound)
        #expect(CrossingLawFit(groups: groups) == fit)
    }

    @Test("probes without a crossing are counted, not fitted; one crossing at some n leaves no interval")
    func unreachedAndSingles() throws {
        var groups = Self.noisy(exponent: 2, ns: [8, 16, 32])
        groups.append(CrossingLawFit.Group(n: 64, crossings: [], unreached: 3, lambdaStar: 0.01))
        groups[0].unreached = 1
        let fit = try #require(CrossingLawFit(groups: groups))
        #expect(fit.unreached == 4)
        #expect(fit.points == 15)
        #expect(fit.perN.map(\.n) == [8, 16, 32, 64])
        #expect(fit.interval != nil)
        groups[1].crossings = [groups[1].crossings[0]]
        let single = try #require(CrossingLawFit(groups: groups))
        #expect(single.interval == nil)
        #expect(single.exponent.isFinite)
    }

    @Test("fewer than two n with crossings: no fit")
    func tooFew() {
        #expect(CrossingLawFit(groups: []) == nil)
        #expect(CrossingLawFit(groups: [.init(n: 8, crossings: [100, 120], unreached: 0, lambdaStar: nil)]) == nil)
        #expect(
            CrossingLawFit(groups: [
                .init(n: 8, crossings: [100], unreached: 0, lambdaStar: nil),
                .init(n: 16, crossings: [], unreached: 2, lambdaStar: nil),
            ]) == nil)
    }

    @Test("laws group probes by experiment and activation and keep d and λ* beside the exponent")
    func laws() throws {
        func record(_ experiment: String, _ activation: Activation, n: Int, seed: UInt64, crossing: Int?) -> ProbeRecord
        {
            let holds = crossing != nil
            let curve = [
                ProbeCheckpoint(
                    width: crossing ?? 16, gramDistance: holds ? 0.01 : 1, lambdaMin: 0.1, conditionMet: holds)
            ]
            let result = ProbeResult(
                lambdaStar: 0.2 / Double(n), lambdaMaxStar: 1, curve: curve, stop: holds ? .margin : .maxWidth, flops: 1
            )
            return ProbeRecord(
                experiment: experiment, activation: activation, sigma: 1, seed: seed,
                data: DataConfig(n: n, d: 16), n: n, d: 16, result: result, error: nil)
        }
        var records: [ProbeRecord] = []
        for n in [8, 16, 32] {
            for seed: UInt64 in 0..<3 {
                records.append(record("e", .exp, n: n, seed: seed, crossing: 10 * n * n + Int(seed)))
                records.append(record("e", .relu, n: n, seed: seed, crossing: n == 32 ? nil : 5 * n))
            }
        }
        let laws = ConditionLaw.fits(of: records)
        #expect(laws.map(\.activation) == [.exp, .relu])
        #expect(laws.allSatisfy { $0.d == 16 && $0.experiment == "e" })
        #expect(abs(laws[0].fit.exponent - 2) < 0.01)
        #expect(laws[1].fit.unreached == 3)
        #expect(laws[1].fit.perN.map(\.n) == [8, 16, 32])
        #expect(laws[0].fit.perN[0].lambdaStar == 0.2 / 8)
    }
}
