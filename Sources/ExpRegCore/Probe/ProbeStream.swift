/// The hidden weights W0 of a condition probe, drawn neuron by neuron so that no m × d matrix is ever
/// held and one pass yields every width of ``ProbeGrid``.
///
/// Stream order (fixed; part of the probe contract, version ``version``): ``SeededGenerator``
/// seeded with the run's `seed`; neuron r = 0, 1, 2, … takes the next d normals
/// (``SeededGenerator/nextNormal()``), w_r = σ · (g_{r·d}, …, g_{r·d+d−1}). No output signs are
/// drawn (H(W) does not depend on a), so W0 at width m is the first m rows of the stream and W0 at
/// 2m extends it.
///
/// This is a different draw of the same distribution as the trained run's W(0)
/// (``ModelParameters/random(width:d:sigma:seed:)`` draws m signs first, then m·d normals, so its
/// W(0) at width m is not a prefix of the one at 2m): a probe measures the width condition for
/// w_r ~ N(0, σ² I) i.i.d., not for the very weights a run with the same seed trains.
public struct ProbeStream: Sendable {
    /// Names this stream order; it changes whenever the order or the arithmetic of the draws does.
    public static let version = "probe-w0-1"

    private var generator: SeededGenerator
    /// Input dimension d.
    public let d: Int
    /// The initialisation scale σ.
    public let sigma: Double
    /// Neurons drawn so far.
    public private(set) var drawn = 0

    /// The stream of the run seed `seed` for inputs of dimension `d` and scale σ.
    /// - Precondition: d ≥ 1.
    public init(seed: UInt64, d: Int, sigma: Double) {
        precondition(d >= 1, "ProbeStream: d = \(d) must be >= 1")
        generator = SeededGenerator(seed: seed)
        self.d = d
        self.sigma = sigma
    }

    /// The next `count` neurons, row-major count × d, into `w[0 ..< count·d]`.
    /// - Precondition: `w` holds at least count·d values.
    /// - Complexity: O(count·d).
    public mutating func draw(_ count: Int, into w: UnsafeMutableBufferPointer<Double>) {
        precondition(count >= 0 && w.count >= count * d, "ProbeStream.draw: \(count) rows do not fit \(w.count) values")
        for k in 0..<(count * d) { w[k] = sigma * generator.nextNormal() }
        drawn += count
    }

    /// The first `count` neurons of the stream (row-major count × d): the probe's W0 at width
    /// `count` as one matrix, for tests and small references.
    public static func weights(count: Int, seed: UInt64, d: Int, sigma: Double) -> [Double] {
        var stream = ProbeStream(seed: seed, d: d, sigma: sigma)
        return [Double](unsafeUninitializedCapacity: count * d) { buffer, initialized in
            stream.draw(count, into: buffer)
            initialized = count * d
        }
    }
}
