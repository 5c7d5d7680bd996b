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
        let x = points(count: n, d: d, rng: &rng)
        let y: [Double]
        switch labels {
        case .teacher:
            // The draw right after the n points: ``teacherDirection(d:afterPoints:seed:)`` without redrawing them.
            y = teacherLabels(x: x, count: n, d: d, direction: unitVector(d: d, rng: &rng))
        case .random:
            y = (0..<n).map { _ in rng.nextNormal() }
        }
        return dataset(n: n, d: d, x: x, y: y)
    }

    /// Held-out points from the same distribution as ``generate(n:d:labels:seed:)`` with the same
    /// `seed`, independent of its training points (`data.test_n`).
    ///
    /// Draw order (fixed; part of the data contract): the generator seeded with `seed` is advanced
    /// by 2¹²⁸ draws (``SeededGenerator/jumped()``), a stream that never meets the training draws;
    /// from it, X_test row by row exactly as the training points, then for `random` labels
    /// y ~ N(0, 1), `testCount` more normals. `teacher` labels use the training teacher direction v
    /// (``teacherDirection(d:afterPoints:seed:)`` after `trainingCount` points), so the test labels
    /// are y = sin(3 ⟨v, x⟩) of the same function. Adding or resizing a test set never changes the
    /// training data.
    /// - Precondition: testCount ≥ 1, trainingCount ≥ 1, d ≥ 1.
    /// - Complexity: O((testCount + trainingCount)·d).
    public static func heldOut(
        testCount: Int, trainingCount: Int, d: Int, labels: LabelKind,
        seed: UInt64
    ) -> Dataset {
        precondition(
            testCount >= 1 && trainingCount >= 1 && d >= 1,
            "SphereData.heldOut: testCount = \(testCount), trainingCount = \(trainingCount), d = \(d) must be >= 1")
        var rng = SeededGenerator(seed: seed).jumped()
        let x = points(count: testCount, d: d, rng: &rng)
        let y: [Double]
        switch labels {
        case .teacher:
            y = teacherLabels(
                x: x, count: testCount, d: d,
                direction: teacherDirection(d: d, afterPoints: trainingCount, seed: seed))
        case .random:
            y = (0..<testCount).map { _ in rng.nextNormal() }
        }
        return dataset(n: testCount, d: d, x: x, y: y)
    }

    /// `count` points uniform on S^(d-1), row-major (count × d), drawn one after another from `rng`.
    private static func points(count: Int, d: Int, rng: inout SeededGenerator) -> [Double] {
        var x = [Double](repeating: 0, count: count * d)
        for i in 0..<count {
            let point = unitVector(d: d, rng: &rng)
            for j in 0..<d { x[i * d + j] = point[j] }
        }
        return x
    }

    /// y_i = sin(3 ⟨v, x_i⟩) for the `count` rows of `x` (dot product summed in index order).
    private static func teacherLabels(x: [Double], count: Int, d: Int, direction v: [Double]) -> [Double] {
        (0..<count).map { i in
            var dot = 0.0
            for j in 0..<d { dot += v[j] * x[i * d + j] }
            return PortableMath.sin(3 * dot)
        }
    }

    /// The dataset of generated rows (unit norm and finite by construction, so it cannot be invalid).
    private static func dataset(n: Int, d: Int, x: [Double], y: [Double]) -> Dataset {
        do {
            return try Dataset(n: n, d: d, x: x, y: y)
        } catch {
            preconditionFailure("SphereData produced an invalid dataset: \(error)")
        }
    }

    /// The teacher direction v of ``generate(n:d:labels:seed:)``: the unit vector drawn right after
    /// the `afterPoints` data points from the generator seeded with `seed`.
    package static func teacherDirection(d: Int, afterPoints n: Int, seed: UInt64) -> [Double] {
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
