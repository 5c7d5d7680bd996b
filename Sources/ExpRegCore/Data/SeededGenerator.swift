/// A portable, seeded pseudo-random generator: the same seed gives the same numbers on every
/// machine, OS and Swift version.
///
/// Algorithm (fixed; changing it changes every run's numbers and must bump
/// ``Trainer/algorithmVersion``):
/// - **Seeding**: SplitMix64 (Steele, Lea, Flood 2014; constants `0x9E3779B97F4A7C15`,
///   `0xBF58476D1CE4E5B9`, `0x94D049BB133111EB`) run from `seed` produces the four state words
///   s0…s3 of xoshiro256** in that order. SplitMix64 never yields an all-zero state in 4 outputs.
/// - **Stream**: xoshiro256** 1.0 (Blackman, Vigna 2018): `result = rotl(s1 · 5, 7) · 9`, then the
///   standard xorshift/rotate state update (`t = s1 << 17`, rotl(s3, 45)).
/// - **Uniform doubles**: `(next() >> 11) · 2⁻⁵³`, exactly representable, in [0, 1).
/// - **Normals**: Marsaglia's polar method. u, v = 2U − 1 (two uniforms, u first); reject when
///   s = u² + v² ≥ 1 or s = 0; f = sqrt(−2 ln(s) / s); return u·f and keep v·f as the next value.
///   ln is ``PortableMath/log(_:)`` (only IEEE +, −, ×, ÷ — no platform libm), so the normals are
///   bitwise portable too.
///
/// It conforms to `RandomNumberGenerator`, but the project's own draws use only the methods
/// documented here (Swift's `random(in:)` algorithms are not guaranteed stable across versions).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64
    private var spareNormal: Double?

    /// The seed this generator was created with.
    public let seed: UInt64

    /// A generator whose state is four SplitMix64 outputs started from `seed`.
    public init(seed: UInt64) {
        self.seed = seed
        var sm = seed
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix()
        s1 = splitMix()
        s2 = splitMix()
        s3 = splitMix()
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// A uniform double in [0, 1): the top 53 bits of ``next()`` times 2⁻⁵³.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A standard normal N(0, 1) sample (Marsaglia polar method, pairs cached as documented above).
    public mutating func nextNormal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        while true {
            let u = 2 * nextUniform() - 1
            let v = 2 * nextUniform() - 1
            let s = u * u + v * v
            if s >= 1 || s == 0 { continue }
            let f = (-2 * PortableMath.log(s) / s).squareRoot()
            spareNormal = v * f
            return u * f
        }
    }

    /// The same generator advanced by 2¹²⁸ draws of ``next()`` (xoshiro256**'s standard `jump()`
    /// polynomial `0x180EC6D33CFD0ABA, 0xD5A61266F0C9392C, 0xA9582618E03FC9AA, 0x39ABDC4529B1661C`),
    /// with no cached normal: a second stream from the same seed that cannot overlap the first
    /// within 2¹²⁸ draws (used for held-out data, independent of the training points).
    /// - Complexity: O(256) steps of the state update.
    public func jumped() -> SeededGenerator {
        let polynomial: [UInt64] = [
            0x180E_C6D3_3CFD_0ABA, 0xD5A6_1266_F0C9_392C,
            0xA958_2618_E03F_C9AA, 0x39AB_DC45_29B1_661C,
        ]
        var stepper = self
        stepper.spareNormal = nil
        var t0: UInt64 = 0
        var t1: UInt64 = 0
        var t2: UInt64 = 0
        var t3: UInt64 = 0
        for word in polynomial {
            for bit in 0..<64 {
                if word & (1 << UInt64(bit)) != 0 {
                    t0 ^= stepper.s0
                    t1 ^= stepper.s1
                    t2 ^= stepper.s2
                    t3 ^= stepper.s3
                }
                _ = stepper.next()
            }
        }
        stepper.s0 = t0
        stepper.s1 = t1
        stepper.s2 = t2
        stepper.s3 = t3
        return stepper
    }

    /// A random sign: +1 when the top bit of ``next()`` is 0, else −1.
    public mutating func nextSign() -> Double {
        next() >> 63 == 0 ? 1 : -1
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}
