/// The parameters of the two-layer network F(W, x) = (1/√m) Σ_r a_r act(⟨w_r, x⟩).
///
/// Only W is trained; the output signs a_r stay fixed.
public struct ModelParameters: Sendable, Equatable {
    /// Width m (number of hidden neurons).
    public let width: Int
    /// Input dimension d.
    public let d: Int
    /// Output weights a_r, length m (±1 for the random initialisation).
    public var a: [Double]
    /// Hidden weights W, row-major m × d: w_r is `w[r*d ..< (r+1)*d]`.
    public var w: [Double]

    /// Wraps given weights (e.g. loaded from a reference file).
    /// - Precondition: `a.count == width`, `w.count == width · d`, width ≥ 1, d ≥ 1.
    public init(width: Int, d: Int, a: [Double], w: [Double]) {
        precondition(width >= 1 && d >= 1, "ModelParameters: width = \(width), d = \(d) must be >= 1")
        precondition(
            a.count == width && w.count == width * d,
            "ModelParameters: a has \(a.count) (expected \(width)), w has \(w.count) (expected \(width * d))")
        self.width = width
        self.d = d
        self.a = a
        self.w = w
    }

    /// The random initialisation from the **run** seed: a_r uniform random signs, w_r(0) ~ N(0, σ² I).
    ///
    /// Draw order from ``SeededGenerator`` seeded with `seed` (fixed; part of the run contract):
    /// first m signs (``SeededGenerator/nextSign()``, r = 0…m−1), then the m·d normals of W in
    /// row-major order, each multiplied by σ. Bitwise reproducible on every machine.
    /// - Precondition: width ≥ 1, d ≥ 1.
    /// - Complexity: O(m·d).
    public static func random(width: Int, d: Int, sigma: Double, seed: UInt64) -> ModelParameters {
        precondition(width >= 1 && d >= 1, "ModelParameters.random: width = \(width), d = \(d) must be >= 1")
        var rng = SeededGenerator(seed: seed)
        let a = signs(width: width, from: &rng)
        var w = [Double](repeating: 0, count: width * d)
        for k in 0..<(width * d) { w[k] = sigma * rng.nextNormal() }
        return ModelParameters(width: width, d: d, a: a, w: w)
    }

    /// The a of ``random(width:d:sigma:seed:)`` alone (the first m draws of the same stream), for
    /// callers that make W(0) only when they need it.
    /// - Complexity: O(m).
    public static func randomSigns(width: Int, seed: UInt64) -> [Double] {
        var rng = SeededGenerator(seed: seed)
        return signs(width: width, from: &rng)
    }

    private static func signs(width: Int, from rng: inout SeededGenerator) -> [Double] {
        (0..<width).map { _ in rng.nextSign() }
    }
}
