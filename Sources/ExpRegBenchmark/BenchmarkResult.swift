import Foundation

/// The timings of one benchmark size; `expreg bench --json` prints one per line (docs/cli.md "expreg bench").
///
/// JSON keys (snake_case, stable): `n`, `d`, `width`, `activation`, `steps`, `step_ms_median`,
/// `step_ms_min`, `gflops`, `gram_build_ms`, `eigen_ms`, `threads`; extra keys (compatible
/// additions): `exp_kernel`, `exp_ns_per_element`, `exp_libm_ns_per_element`, `peak_rss_mb`,
/// `activation_mb`, `loss_first`, `loss_last`, `training_path` (`materializing` or `lean`).
public struct BenchmarkResult: Codable, Sendable, Equatable {
    public var n: Int
    public var d: Int
    public var width: Int
    /// `exp` or `relu`.
    public var activation: String
    /// Timed steps (warm-up excluded).
    public var steps: Int
    /// Median and minimum wall time of one GD step (forward, gradient, update), milliseconds.
    public var stepMsMedian: Double
    public var stepMsMin: Double
    /// GEMM rate of the median step: 4·n·d·m flops / median time, in GFLOP/s.
    public var gflops: Double
    /// Building H(W(0)) (n × n) and its eigenvalues (`dsyevd`), milliseconds, each the median over
    /// ``BenchmarkConfig/gramRepeats`` timed repetitions; `nil` when skipped.
    public var gramBuildMs: Double?
    public var eigenMs: Double?
    /// Worker threads of the step and of H(W) (OpenBLAS itself runs on one thread).
    public var threads: Int
    /// The exp kernel in use: `avx512`, `avx2-fma` or `portable` (``ExpKernel``).
    public var expKernel: String
    /// ns per element of `VectorMath.expInPlace` and of the scalar libm loop (1 thread); `nil` when skipped.
    public var expNsPerElement: Double?
    public var expLibmNsPerElement: Double?
    /// Peak resident memory of the process so far (getrusage), MiB.
    public var peakRssMb: Double
    /// MiB of the n × m activation matrix plus W, the memory budget's unit.
    public var activationMb: Double
    /// Loss before the first and before the last timed step (a sanity check that the steps train).
    public var lossFirst: Double
    public var lossLast: Double
    /// How the step held the activations: `materializing` (the n × m matrix) or `lean` (blocks).
    public var trainingPath = "materializing"

    enum CodingKeys: String, CodingKey {
        case n, d, width, activation, steps, threads
        case stepMsMedian = "step_ms_median"
        case stepMsMin = "step_ms_min"
        case gflops
        case gramBuildMs = "gram_build_ms"
        case eigenMs = "eigen_ms"
        case expKernel = "exp_kernel"
        case expNsPerElement = "exp_ns_per_element"
        case expLibmNsPerElement = "exp_libm_ns_per_element"
        case peakRssMb = "peak_rss_mb"
        case activationMb = "activation_mb"
        case lossFirst = "loss_first"
        case lossLast = "loss_last"
        case trainingPath = "training_path"
    }

    /// Encodes all keys, including `null` for skipped timings (so every object has the same keys).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(n, forKey: .n)
        try c.encode(d, forKey: .d)
        try c.encode(width, forKey: .width)
        try c.encode(activation, forKey: .activation)
        try c.encode(steps, forKey: .steps)
        try c.encode(stepMsMedian, forKey: .stepMsMedian)
        try c.encode(stepMsMin, forKey: .stepMsMin)
        try c.encode(gflops, forKey: .gflops)
        try c.encode(gramBuildMs, forKey: .gramBuildMs)
        try c.encode(eigenMs, forKey: .eigenMs)
        try c.encode(threads, forKey: .threads)
        try c.encode(expKernel, forKey: .expKernel)
        try c.encode(expNsPerElement, forKey: .expNsPerElement)
        try c.encode(expLibmNsPerElement, forKey: .expLibmNsPerElement)
        try c.encode(peakRssMb, forKey: .peakRssMb)
        try c.encode(activationMb, forKey: .activationMb)
        try c.encode(lossFirst.isFinite ? lossFirst : nil, forKey: .lossFirst)
        try c.encode(lossLast.isFinite ? lossLast : nil, forKey: .lossLast)
        try c.encode(trainingPath, forKey: .trainingPath)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        n = try c.decode(Int.self, forKey: .n)
        d = try c.decode(Int.self, forKey: .d)
        width = try c.decode(Int.self, forKey: .width)
        activation = try c.decode(String.self, forKey: .activation)
        steps = try c.decode(Int.self, forKey: .steps)
        stepMsMedian = try c.decode(Double.self, forKey: .stepMsMedian)
        stepMsMin = try c.decode(Double.self, forKey: .stepMsMin)
        gflops = try c.decode(Double.self, forKey: .gflops)
        gramBuildMs = try c.decodeIfPresent(Double.self, forKey: .gramBuildMs)
        eigenMs = try c.decodeIfPresent(Double.self, forKey: .eigenMs)
        threads = try c.decode(Int.self, forKey: .threads)
        expKernel = try c.decodeIfPresent(String.self, forKey: .expKernel) ?? "unknown"
        expNsPerElement = try c.decodeIfPresent(Double.self, forKey: .expNsPerElement)
        expLibmNsPerElement = try c.decodeIfPresent(Double.self, forKey: .expLibmNsPerElement)
        peakRssMb = try c.decodeIfPresent(Double.self, forKey: .peakRssMb) ?? 0
        activationMb = try c.decodeIfPresent(Double.self, forKey: .activationMb) ?? 0
        lossFirst = try c.decodeIfPresent(Double.self, forKey: .lossFirst) ?? .nan
        lossLast = try c.decodeIfPresent(Double.self, forKey: .lossLast) ?? .nan
        trainingPath = try c.decodeIfPresent(String.self, forKey: .trainingPath) ?? "materializing"
    }

    /// Memberwise initialiser.
    public init(
        n: Int, d: Int, width: Int, activation: String, steps: Int, stepMsMedian: Double, stepMsMin: Double,
        gflops: Double, gramBuildMs: Double?, eigenMs: Double?, threads: Int, expKernel: String,
        expNsPerElement: Double?, expLibmNsPerElement: Double?, peakRssMb: Double, activationMb: Double,
        lossFirst: Double, lossLast: Double
    ) {
        self.n = n
        self.d = d
        self.width = width
        self.activation = activation
        self.steps = steps
        self.stepMsMedian = stepMsMedian
        self.stepMsMin = stepMsMin
        self.gflops = gflops
        self.gramBuildMs = gramBuildMs
        self.eigenMs = eigenMs
        self.threads = threads
        self.expKernel = expKernel
        self.expNsPerElement = expNsPerElement
        self.expLibmNsPerElement = expLibmNsPerElement
        self.peakRssMb = peakRssMb
        self.activationMb = activationMb
        self.lossFirst = lossFirst
        self.lossLast = lossLast
    }

    /// One line of compact JSON with sorted keys (what `--json` prints per size).
    public func jsonLine() -> String { Benchmark.jsonLine(self) }

    /// A one-line human summary (what `expreg bench` prints without `--json`).
    public var summary: String {
        func ms(_ value: Double?) -> String { value.map { String(format: "%.1f ms", $0) } ?? "skipped" }
        var text = String(
            format: "n=%d d=%d m=%d %@: step median %.2f ms (min %.2f) %.1f GFLOP/s, threads %d",
            n, d, width, activation, stepMsMedian, stepMsMin, gflops, threads)
        if trainingPath != "materializing" { text += " (\(trainingPath) step)" }
        text += "; H(W) \(ms(gramBuildMs)), eigenvalues \(ms(eigenMs))"
        if let fast = expNsPerElement, let libm = expLibmNsPerElement {
            text += String(format: "; exp %.2f ns/elem (%@) vs libm %.2f", fast, expKernel, libm)
        }
        text += String(format: "; peak RSS %.0f MiB (activations+W %.0f MiB)", peakRssMb, activationMb)
        return text
    }
}
