import ExpRegCore
import Testing

@Suite("Held-out sphere data")
struct HeldOutDataTests {
    /// First outputs after xoshiro256**'s jump(), from the independent Python implementation in
    /// Tests/Fixtures/heldout/xoshiro_jump_reference.py.
    @Test(
        "jumped() matches the published jump polynomial",
        arguments: [
            (UInt64(0), [UInt64(0x3762_15ed_c846_d62c), 0x57c0_611d_e835_0ca7, 0xbc46_a351_5afe_e385]),
            (UInt64(1), [UInt64(0x3328_02f8_1eaa_e9d0), 0x02d1_8d77_49b8_4f96, 0xc372_9a52_7851_f63d]),
            (UInt64(12345), [UInt64(0x3ed5_7528_3f05_94e6), 0x4b77_bcfa_88a7_9146, 0x6336_cf02_3aa5_cafe]),
        ])
    func jumpedStream(seed: UInt64, expected: [UInt64]) {
        var rng = SeededGenerator(seed: seed).jumped()
        #expect((0..<3).map { _ in rng.next() } == expected)
    }

    @Test("held-out points are new points of the same distribution, with the training teacher")
    func teacherTestSet() throws {
        let training = SphereData.generate(n: 16, d: 5, labels: .teacher, seed: 4)
        let test = SphereData.heldOut(testCount: 32, trainingCount: 16, d: 5, labels: .teacher, seed: 4)
        #expect(test.n == 32 && test.d == 5)
        // No test point equals a training point.
        for i in 0..<test.n {
            for k in 0..<training.n {
                #expect(Array(test.x[(i * 5)..<(i * 5 + 5)]) != Array(training.x[(k * 5)..<(k * 5 + 5)]))
            }
        }
        // Labels are sin(3 <v, x>) with the training data's teacher v (same summation order: exact).
        let v = SphereData.teacherDirection(d: 5, afterPoints: 16, seed: 4)
        for i in 0..<test.n {
            var dot = 0.0
            for j in 0..<5 { dot += v[j] * test.x[i * 5 + j] }
            #expect(test.y[i] == PortableMath.sin(3 * dot))
        }
        // Deterministic from the seed, and the training data does not depend on the test set.
        #expect(SphereData.heldOut(testCount: 32, trainingCount: 16, d: 5, labels: .teacher, seed: 4) == test)
        #expect(SphereData.generate(n: 16, d: 5, labels: .teacher, seed: 4) == training)
        // A longer test set extends the shorter one (same stream).
        let longer = SphereData.heldOut(testCount: 40, trainingCount: 16, d: 5, labels: .teacher, seed: 4)
        #expect(Array(longer.x.prefix(32 * 5)) == test.x)
    }

    @Test("random labels of held-out points come from the jumped stream")
    func randomLabels() {
        let test = SphereData.heldOut(testCount: 8, trainingCount: 4, d: 3, labels: .random, seed: 2)
        var rng = SeededGenerator(seed: 2).jumped()
        for _ in 0..<8 {
            // Three normals per point (no zero-norm redraw happens in practice).
            _ = (rng.nextNormal(), rng.nextNormal(), rng.nextNormal())
        }
        #expect(test.y == (0..<8).map { _ in rng.nextNormal() })
    }
}
