/// Synthetic data on the unit sphere, bitwise reproducible from a seed (see ``SeededGenerator``).
public enum SphereData {
    /// n points uniform on S^(d-1) with `labels`, from a portable seeded generator.
    ///
    /// Draw order from ``SeededGenerator`` seeded with `seed` (fixed; part of the data contract):
    /// 1. X, row by row: g ~ N(0, I_d) (d normals), x_i = g / ‖g‖₂ (redrawn in the measure-zero
    ///    case ‖g‖ = 0);
    /// 2. `teacher`: v = g / ‖g‖₂ from d more normals, then y_i = sin(3 ⟨v, x_i⟩) with the dot product
    ///    summed in index order and ``PortableMath/sin(_:)``;
    ///    `random`: y_i ~ N(0, 1), n more normals.
    /// Only IEEE arithmetic is used, so the numbers are identical on every machine.
    /// - Precondition: n ≥ 1, d ≥ 1 (the manifest validates these).
    /// - Complexity: O(n·d).
    public static func generate(n: Int, d: Int, labels: LabelKind, seed: UInt64) -> Dataset {
        precondition(n >= 1 && d >= 1, "SphereData.generate: n = \(n), d = \(d) must be >= 1")
        var rng = SeededGenerator(seed: seed)
        var x = [Double](repeating: 0, count: n * d)
        for i in 0..<n {
            let point = unitVector(d: d, rng: &rng)
            for j in 0..<d { x[i * d + j] = point[j] }
        }
        var y = [Double](repeating: 0, count: n)
        switch labels {
        case .teacher:
            // The draw right after the n points: ``teacherDirection(d:afterPoints:seed:)`` without redrawing them.
            let v = unitVector(d: d, rng: &rng)
            for i in 0..<n {
                var dot = 0.0
                for j in 0..<d { dot += v[j] * x[i * d + j] }
                y[i] = PortableMath.sin(3 * dot)
            }
        case .random:
            for i in 0..<n { y[i] = rng.nextNormal() }
        }
        do {
            return try Dataset(n: n, d: d, x: x, y: y)
        } catch {
            // Unreachable: rows are normalised and finite by construction.
            preconditionFailure("SphereData produced an invalid dataset: \(error)")
        }
    }

    /// The teacher direction v of ``generate(n:d:labels:seed:)``: the unit vector drawn right after
    /// the `afterPoints` data points from the generator seeded with `seed`.
    public static func teacherDirection(d: Int, afterPoints n: Int, seed: UInt64) -> [Double] {
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<n { _ = unitVector(d: d, rng: &rng) }
        return unitVector(d: d, rng: &rng)
    }

    private static func unitVector(d: Int, rng: inout SeededGenerator) -> [Double] {
        while true {
            var g = [Double](repeating: 0, count: d)
            var sumSquares = 0.0
            for j in 0..<d {
                g[j] = rng.nextNormal()
                sumSquares += g[j] * g[j]
            }
            guard sumSquares > 0 else { continue }
            let norm = sumSquares.squareRoot()
            for j in 0..<d { g[j] /= norm }
            return g
        }
    }
}
