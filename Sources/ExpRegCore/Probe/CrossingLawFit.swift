import Foundation

/// The width law m_c ≈ c · n^e fitted to measured crossings over a `data.n` sweep, with a bootstrap
/// confidence interval over seeds.
///
/// - Points: one per probe with a crossing, (n, m_c). Probes without a crossing (not reached by
///   the maximum width, or failed) are kept in ``perN`` as `unreached` and left out of the least
///   squares (their m_c is only known to exceed the widths probed); the exponent is reported as
///   measured, never adjusted.
/// - Fit: ordinary least squares of log m_c = log c + e · log n over every point
///   (``PowerLawFit``); needs crossings at ≥ 2 distinct n.
/// - Interval (95 %): the percentile bootstrap over seeds within each n: ``resamples`` times, the
///   crossings of every n are resampled with replacement (as many as it has) and refitted; the
///   interval is the 2.5 % and 97.5 % nearest-rank quantiles of the refitted exponents (ranks
///   ⌈0.025·B⌉ and ⌈0.975·B⌉ of B sorted values). The resampling draws come from
///   ``SeededGenerator`` seeded with ``bootstrapSeed``, n groups in ascending n, so the interval is
///   deterministic. nil when some fitted n has a single crossing (the bootstrap would treat it as
///   exact).
public struct CrossingLawFit: Sendable, Equatable {
    /// Bootstrap resamples B.
    public static let resamples = 2000
    /// Seed of the resampling draws.
    public static let bootstrapSeed: UInt64 = 25
    /// Coverage of ``interval``: the 2.5 % and 97.5 % quantiles.
    public static let confidence = 0.95

    /// The probes at one n.
    public struct Group: Sendable, Equatable {
        public var n: Int
        /// The crossings m_c of the probes that reached one, in probe order.
        public var crossings: [Int]
        /// Probes at this n without a crossing.
        public var unreached: Int
        /// The median λ* = λ_min(H*) over the probes at this n.
        public var lambdaStar: Double?

        public init(n: Int, crossings: [Int], unreached: Int, lambdaStar: Double?) {
            self.n = n
            self.crossings = crossings
            self.unreached = unreached
            self.lambdaStar = lambdaStar
        }
    }

    /// The fitted exponent e.
    public var exponent: Double
    /// The fitted coefficient c.
    public var coefficient: Double
    /// The 95 % bootstrap interval of e; nil when some fitted n has a single crossing.
    public var interval: ClosedRange<Double>?
    /// Crossings in the fit.
    public var points: Int
    /// Probes without a crossing (not in the fit).
    public var unreached: Int
    /// Every n probed, ascending, with or without crossings.
    public var perN: [Group]

    /// The fit of `groups` (one per n, any order; n ≥ 1); nil when fewer than two distinct n have a crossing.
    public init?(groups: [Group]) {
        let sorted = groups.sorted { $0.n < $1.n }
        let fitted = sorted.filter { !$0.crossings.isEmpty }
        guard fitted.count >= 2, let fit = Self.leastSquares(fitted.map { ($0.n, $0.crossings) }) else { return nil }
        exponent = fit.slope
        coefficient = fit.coefficient
        points = fitted.reduce(0) { $0 + $1.crossings.count }
        unreached = sorted.reduce(0) { $0 + $1.unreached }
        perN = sorted
        interval = fitted.allSatisfy { $0.crossings.count >= 2 } ? Self.bootstrap(fitted) : nil
    }

    /// OLS on log–log over every crossing of every group.
    private static func leastSquares(_ groups: [(n: Int, crossings: [Int])]) -> PowerLawFit? {
        var x: [Double] = []
        var y: [Double] = []
        for group in groups {
            for crossing in group.crossings {
                x.append(Double(group.n))
                y.append(Double(crossing))
            }
        }
        return PowerLawFit(x: x, y: y)
    }

    /// The percentile bootstrap interval of the exponent (see the type's documentation).
    private static func bootstrap(_ fitted: [Group]) -> ClosedRange<Double>? {
        var generator = SeededGenerator(seed: bootstrapSeed)
        var exponents: [Double] = []
        exponents.reserveCapacity(resamples)
        for _ in 0..<resamples {
            let resampled = fitted.map { group in
                let count = group.crossings.count
                let draws = (0..<count).map { _ in
                    group.crossings[min(count - 1, Int(generator.nextUniform() * Double(count)))]
                }
                return (group.n, draws)
            }
            if let fit = leastSquares(resampled) { exponents.append(fit.slope) }
        }
        guard !exponents.isEmpty else { return nil }
        exponents.sort()
        // Nearest rank ⌈p·B⌉ in integers (p in thousandths), so no rounding of p·B can move it.
        let rank = { (perMille: Int) in min(exponents.count, max(1, (exponents.count * perMille + 999) / 1000)) }
        return exponents[rank(25) - 1]...exponents[rank(975) - 1]
    }
}
