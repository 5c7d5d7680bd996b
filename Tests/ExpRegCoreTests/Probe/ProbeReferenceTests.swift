import ExpRegCore
import ExpRegLinAlg
import ExpRegTestSupport
import Foundation
import RealModule
import Testing

/// The probe's curve against the independent NumPy computation of the same W0 stream
/// (Tests/Fixtures/reference/probe/make_probe_reference.py: the streams reimplemented in Python,
/// H_m formed directly per width, LAPACK through NumPy), on every kernel path this CPU runs.
@Suite("Condition probe against NumPy")
struct ProbeReferenceTests {
    struct Case: Sendable {
        let name: String
        let activation: Activation
        let dataset: Dataset
        let sigma: Double
        let seed: UInt64
        let maxWidth: Int
        let lambdaStar: Double
        let lambdaMaxStar: Double
        /// (width, gram_distance, lambda_min)
        let curve: [(Int, Double, Double)]
        let firstRow: [Double]
        let lastRow: [Double]
    }

    static let cases: [Case] = {
        let url = Fixtures.referenceCase("probe").appendingPathComponent("probe_reference.json")
        guard let data = try? Data(contentsOf: url),
            let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let cases = root["cases"] as? [[String: Any]]
        else { return [] }
        return cases.compactMap { c in
            guard let name = c["name"] as? String,
                let activation = (c["activation"] as? String).flatMap(Activation.init),
                let n = c["n"] as? Int, let d = c["d"] as? Int,
                let labels = (c["labels"] as? String).flatMap(LabelKind.init),
                let dataSeed = c["data_seed"] as? Int, let seed = c["seed"] as? Int,
                let sigma = (c["sigma"] as? NSNumber)?.doubleValue, let maxWidth = c["max_width"] as? Int,
                let lambdaStar = (c["lambda_star"] as? NSNumber)?.doubleValue,
                let lambdaMaxStar = (c["lambda_max_star"] as? NSNumber)?.doubleValue,
                let points = c["curve"] as? [[String: Any]],
                let firstRow = (c["w0_first_row"] as? [NSNumber])?.map(\.doubleValue),
                let lastRow = (c["w0_last_row"] as? [NSNumber])?.map(\.doubleValue)
            else { return nil }
            let curve = points.compactMap { p -> (Int, Double, Double)? in
                guard let w = p["width"] as? Int, let g = (p["gram_distance"] as? NSNumber)?.doubleValue,
                    let l = (p["lambda_min"] as? NSNumber)?.doubleValue
                else { return nil }
                return (w, g, l)
            }
            return Case(
                name: name, activation: activation,
                dataset: SphereData.generate(n: n, d: d, labels: labels, seed: UInt64(dataSeed)), sigma: sigma,
                seed: UInt64(seed), maxWidth: maxWidth, lambdaStar: lambdaStar, lambdaMaxStar: lambdaMaxStar,
                curve: curve, firstRow: firstRow, lastRow: lastRow)
        }
    }()

    @Test("the fixture holds three cases with full curves") func fixtureIsComplete() {
        #expect(Self.cases.map(\.name) == ["exp-n16-d5", "relu-n24-d4", "exp-n12-d3"])
        for c in Self.cases { #expect(c.curve.map(\.0) == ProbeGrid.widths(upTo: c.maxWidth)) }
    }

    @Test("the W0 stream is the run seed's normals, row by row, no signs", arguments: [0, 1, 2])
    func stream(index: Int) throws {
        let c = try #require(Self.cases.dropFirst(index).first)
        let w = ProbeStream.weights(count: c.maxWidth, seed: c.seed, d: c.dataset.d, sigma: c.sigma)
        let d = c.dataset.d
        // 4e-15 relative: Python's math.log and ExpReg's portable log (a few ulp from the correctly
        // rounded value) differ by up to ~4 ulp in ln s, which f = √(−2 ln s / s) halves.
        for (value, expected) in zip(w.prefix(d), c.firstRow) {
            #expect(value.isApproximatelyEqual(to: expected, relativeTolerance: 4e-15), "\(c.name)")
        }
        for (value, expected) in zip(w.suffix(d), c.lastRow) {
            #expect(value.isApproximatelyEqual(to: expected, relativeTolerance: 4e-15), "\(c.name)")
        }
    }

    /// Every checkpoint of every case on `path`. Tolerances: ‖H_m − H*‖₂ to 1e-10 relative (both sides
    /// sum the same terms in different orders, ~√m·ε of ‖H‖ ≲ 1e-12 of the distances here, and the
    /// two eigen-solvers are backward stable); λ* and λ_min(H_m), which may be near 0 (m < n), to
    /// 1e-10 of ‖H*‖ + ‖H_m − H*‖ ≥ ‖H_m‖ (eigenvalues are accurate to n·ε·‖H‖ absolutely).
    static func matchesNumPy(path: KernelPath) throws {
        #expect(cases.count == 3)
        for c in cases {
            let options = ProbeOptions(maxWidth: c.maxWidth, marginOctaves: 100, threads: 2, kernels: path)
            let result = try ConditionProbe.measure(
                dataset: c.dataset, activation: c.activation, sigma: c.sigma, seed: c.seed, options: options)
            #expect(result.stop == .maxWidth)
            #expect(
                result.lambdaStar.isApproximatelyEqual(to: c.lambdaStar, absoluteTolerance: 1e-10 * c.lambdaMaxStar))
            #expect(result.lambdaMaxStar.isApproximatelyEqual(to: c.lambdaMaxStar, relativeTolerance: 1e-10))
            #expect(result.curve.map(\.width) == c.curve.map(\.0), "\(c.name)")
            for (point, (width, distance, lambdaMin)) in zip(result.curve, c.curve) {
                #expect(
                    point.gramDistance.isApproximatelyEqual(to: distance, relativeTolerance: 1e-10),
                    "\(c.name) m=\(width): \(point.gramDistance) vs \(distance)")
                let scale = c.lambdaMaxStar + distance
                #expect(
                    point.lambdaMin.isApproximatelyEqual(to: lambdaMin, absoluteTolerance: 1e-10 * scale),
                    "\(c.name) m=\(width): λ_min \(point.lambdaMin) vs \(lambdaMin)")
                #expect(point.conditionMet == (distance <= c.lambdaStar / 4))
            }
        }
    }

    @Test("avx512: every checkpoint matches NumPy", .runsOn(.avx512)) func avx512() throws {
        try Self.matchesNumPy(path: .avx512)
    }
    @Test("avx2: every checkpoint matches NumPy", .runsOn(.avx2)) func avx2() throws {
        try Self.matchesNumPy(path: .avx2)
    }
    @Test("generic: every checkpoint matches NumPy", .runsOn(.generic)) func generic() throws {
        try Self.matchesNumPy(path: .generic)
    }
}
