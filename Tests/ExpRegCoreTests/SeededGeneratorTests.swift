import ExpRegCore
import Foundation
import RealModule
import Testing

@Suite("SeededGenerator and PortableMath")
struct SeededGeneratorTests {
    /// Golden outputs of SplitMix64-seeded xoshiro256**, computed with an independent Python
    /// implementation of the published algorithms (Vigna's reference C code transcribed).
    @Test(
        "bit stream matches the published algorithms",
        arguments: [
            (UInt64(0), [UInt64(0x99ec_5f36_cb75_f2b4), 0xbf6e_1f78_4956_452a, 0x1a5f_849d_4933_e6e0]),
            (UInt64(42), [UInt64(0x1578_0b2e_0c2e_c716), 0x6104_d986_6d11_3a7e, 0xae17_5332_39e4_99a1]),
        ])
    func goldenStream(seed: UInt64, expected: [UInt64]) {
        var rng = SeededGenerator(seed: seed)
        #expect((0..<3).map { _ in rng.next() } == expected)
    }

    @Test("uniforms are in [0, 1) and normals have mean 0, variance 1")
    func distributions() {
        var rng = SeededGenerator(seed: 7)
        let count = 100_000
        var sum = 0.0
        var sumSquares = 0.0
        for _ in 0..<count {
            let u = rng.nextUniform()
            #expect(u >= 0 && u < 1)
            let z = rng.nextNormal()
            sum += z
            sumSquares += z * z
        }
        let mean = sum / Double(count)
        let variance = sumSquares / Double(count) - mean * mean
        // 5 standard errors: SE(mean) = 1/√N ≈ 0.0032, SE(variance) = √(2/N) ≈ 0.0045.
        #expect(abs(mean) < 5 / Double(count).squareRoot())
        #expect(abs(variance - 1) < 5 * (2 / Double(count)).squareRoot())
    }

    @Test("signs are ±1 and both occur")
    func signs() {
        var rng = SeededGenerator(seed: 3)
        let signs = (0..<1000).map { _ in rng.nextSign() }
        #expect(signs.allSatisfy { $0 == 1 || $0 == -1 })
        #expect(signs.contains(1) && signs.contains(-1))
    }

    @Test("PortableMath.log is within 2 ulp of libm and handles edge cases")
    func log() {
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<20_000 {
            // Spread over many binades: 2^(-60 … 60) · (1 + U).
            let x = Foundation.pow(2, Double(Int(rng.next() % 121) - 60)) * (1 + rng.nextUniform())
            let expected = Foundation.log(x)
            #expect(
                abs(PortableMath.log(x) - expected) <= 2 * max(expected.ulp, Double.leastNormalMagnitude),
                "log(\(x))")
        }
        #expect(PortableMath.log(1) == 0)
        #expect(PortableMath.log(0) == -.infinity)
        #expect(PortableMath.log(-1).isNaN)
        #expect(PortableMath.log(.nan).isNaN)
        #expect(PortableMath.log(.infinity) == .infinity)
    }

    @Test("PortableMath.sin is within 2 ulp (plus 1e-300) of libm on [-4, 4]")
    func sin() {
        var rng = SeededGenerator(seed: 12)
        for _ in 0..<20_000 {
            let x = 8 * rng.nextUniform() - 4
            let expected = Foundation.sin(x)
            #expect(abs(PortableMath.sin(x) - expected) <= 2 * expected.ulp + 1e-300, "sin(\(x))")
        }
        #expect(PortableMath.sin(0) == 0)
        #expect(PortableMath.sin(.nan).isNaN)
        #expect(PortableMath.sin(.infinity).isNaN)
    }
}
