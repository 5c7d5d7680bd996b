public import ExpRegLinAlg
import Foundation

/// The JSON document of `expreg probe --json` (docs/cli.md, "expreg probe"): the settings, one entry
/// per probe with its curve, and the n-law fits. Numbers are JSON numbers; what was not measured or
/// not reached is `null` (never absent). Encoding is deterministic (sorted keys).
public struct ProbeDocument: Sendable, Encodable {
    public static let schemaVersion = 1

    public var records: [ProbeRecord]
    public var laws: [ConditionLaw]
    public var maxWidth: Int
    public var marginOctaves: Int
    public var kernels: KernelPath
    public var manifest: String
    public var manifestSHA256: String
    public var overrides: [String]

    public init(
        records: [ProbeRecord], laws: [ConditionLaw], options: ProbeOptions, manifest: String,
        manifestSHA256: String, overrides: [String]
    ) {
        self.records = records
        self.laws = laws
        maxWidth = options.maxWidth
        marginOctaves = options.marginOctaves
        kernels = options.kernels
        self.manifest = manifest
        self.manifestSHA256 = manifestSHA256
        self.overrides = overrides
    }

    enum Keys: String, CodingKey {
        case schemaVersion = "schema_version"
        case manifest
        case manifestSHA256 = "manifest_sha256"
        case overrides
        case stream
        case grid
        case maxWidth = "max_width"
        case marginOctaves = "margin_octaves"
        case condition
        case kernelPath = "kernel_path"
        case probes
        case fits
    }

    enum GridKeys: String, CodingKey {
        case pointsPerOctave = "points_per_octave"
        case mantissas
        case smallestWidth = "smallest_width"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(Self.schemaVersion, forKey: .schemaVersion)
        try c.encode(manifest, forKey: .manifest)
        try c.encode(manifestSHA256, forKey: .manifestSHA256)
        try c.encode(overrides, forKey: .overrides)
        try c.encode(ProbeStream.version, forKey: .stream)
        var grid = c.nestedContainer(keyedBy: GridKeys.self, forKey: .grid)
        try grid.encode(ProbeGrid.pointsPerOctave, forKey: .pointsPerOctave)
        try grid.encode(ProbeGrid.mantissas, forKey: .mantissas)
        try grid.encode(ProbeGrid.smallestWidth, forKey: .smallestWidth)
        try c.encode(maxWidth, forKey: .maxWidth)
        try c.encode(marginOctaves, forKey: .marginOctaves)
        try c.encode("gram_distance <= lambda_star / 4", forKey: .condition)
        try c.encode(kernels.rawValue, forKey: .kernelPath)
        try c.encode(records.map(ProbeEntry.init), forKey: .probes)
        try c.encode(laws.map(FitEntry.init), forKey: .fits)
    }

    /// Pretty-printed UTF-8 JSON with sorted keys and a trailing newline.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }
}

/// One element of `probes`.
private struct ProbeEntry: Encodable {
    let record: ProbeRecord

    enum Keys: String, CodingKey {
        case experiment, activation, n, d, sigma, seed, curve, stop, flops, error, seconds
        case dataSource = "data_source"
        case labels
        case dataSeed = "data_seed"
        case dataPath = "data_path"
        case lambdaStar = "lambda_star"
        case lambdaMaxStar = "lambda_max_star"
        case threshold
        case crossingWidth = "crossing_width"
        case firstCrossingWidth = "first_crossing_width"
        case crossingsBack = "crossings_back"
        case widthReached = "width_reached"
        case accumulationSeconds = "accumulation_seconds"
        case checkpointSeconds = "checkpoint_seconds"
    }

    enum PointKeys: String, CodingKey {
        case width
        case gramDistance = "gram_distance"
        case lambdaMin = "lambda_min"
        case conditionMet = "condition_met"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        let result = record.result
        try c.encode(record.experiment, forKey: .experiment)
        try c.encode(record.activation.rawValue, forKey: .activation)
        try c.encode(record.n, forKey: .n)
        try c.encode(record.d, forKey: .d)
        try c.encode(record.sigma, forKey: .sigma)
        try c.encode(record.seed, forKey: .seed)
        try c.encode(record.data.source.rawValue, forKey: .dataSource)
        try c.encode(record.data.source == .sphere ? record.data.labels.rawValue : nil, forKey: .labels)
        try c.encode(record.data.source == .sphere ? record.data.seed : nil, forKey: .dataSeed)
        try c.encode(record.data.source == .csv ? record.data.path : nil, forKey: .dataPath)
        try c.encode(result.map(\.lambdaStar), forKey: .lambdaStar)
        try c.encode(result.map(\.lambdaMaxStar), forKey: .lambdaMaxStar)
        try c.encode(result.map(\.threshold), forKey: .threshold)
        try c.encode(result?.crossing.width, forKey: .crossingWidth)
        try c.encode(result?.crossing.firstWidth, forKey: .firstCrossingWidth)
        try c.encode(result?.crossing.crossingsBack, forKey: .crossingsBack)
        try c.encode(result?.widthReached, forKey: .widthReached)
        try c.encode(result?.stop.rawValue, forKey: .stop)
        try c.encode(result.map(\.flops), forKey: .flops)
        try c.encode(record.error, forKey: .error)
        try c.encode(record.seconds, forKey: .seconds)
        try c.encode(record.accumulationSeconds, forKey: .accumulationSeconds)
        try c.encode(record.checkpointSeconds, forKey: .checkpointSeconds)
        var curve = c.nestedUnkeyedContainer(forKey: .curve)
        for point in result?.curve ?? [] {
            var p = curve.nestedContainer(keyedBy: PointKeys.self)
            try p.encode(point.width, forKey: .width)
            try p.encode(point.gramDistance, forKey: .gramDistance)
            try p.encode(point.lambdaMin, forKey: .lambdaMin)
            try p.encode(point.conditionMet, forKey: .conditionMet)
        }
    }
}

/// One element of `fits`.
private struct FitEntry: Encodable {
    let law: ConditionLaw

    enum Keys: String, CodingKey {
        case experiment, activation, d, sigma, labels, exponent, coefficient, interval, confidence, points
        case unreached, resamples
        case dataSource = "data_source"
        case bootstrapSeed = "bootstrap_seed"
        case perN = "per_n"
    }

    enum GroupKeys: String, CodingKey {
        case n, unreached
        case crossingWidths = "crossing_widths"
        case lambdaStar = "lambda_star"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        let fit = law.fit
        try c.encode(law.experiment, forKey: .experiment)
        try c.encode(law.activation.rawValue, forKey: .activation)
        try c.encode(law.d, forKey: .d)
        try c.encode(law.sigma, forKey: .sigma)
        try c.encode(law.source.rawValue, forKey: .dataSource)
        try c.encode(law.source == .sphere ? law.labels.rawValue : nil, forKey: .labels)
        try c.encode(fit.exponent, forKey: .exponent)
        try c.encode(fit.coefficient, forKey: .coefficient)
        try c.encode(fit.interval.map { [$0.lowerBound, $0.upperBound] }, forKey: .interval)
        try c.encode(CrossingLawFit.confidence, forKey: .confidence)
        try c.encode(fit.points, forKey: .points)
        try c.encode(fit.unreached, forKey: .unreached)
        try c.encode(CrossingLawFit.resamples, forKey: .resamples)
        try c.encode(CrossingLawFit.bootstrapSeed, forKey: .bootstrapSeed)
        var groups = c.nestedUnkeyedContainer(forKey: .perN)
        for group in fit.perN {
            var g = groups.nestedContainer(keyedBy: GroupKeys.self)
            try g.encode(group.n, forKey: .n)
            try g.encode(group.crossings, forKey: .crossingWidths)
            try g.encode(group.unreached, forKey: .unreached)
            try g.encode(group.lambdaStar, forKey: .lambdaStar)
        }
    }
}
