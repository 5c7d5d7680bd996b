import struct Foundation.Date

/// The headline numbers of one batch, for `expreg history` and the nightly trend plot.
public struct BatchHeadline: Sendable, Equatable, Codable {
    public var batchID: String
    public var manifestName: String
    public var startedAt: Date
    public var status: BatchStatus
    public var runs: Int
    public var converged: Int
    /// Runs that ended `diverged` or `failed` (``RunStatus/isBroken``, as the `max_diverged` gate
    /// counts them); `history` shows them under `diverged`.
    public var broken: Int
    /// Median final loss of finished runs per activation (`exp`, `relu`); absent when none finished.
    public var medianFinalLoss: [String: Double]
    /// Median lambda_star = lambda_min(H*) per activation (`exp`, `relu`): H* differs by activation,
    /// so the two are never mixed; absent when no run of that activation has it.
    public var lambdaStar: [String: Double]
    public var gatesPassed: Bool

    public init(snapshot: BatchSnapshot) {
        self.init(info: snapshot.info, runs: snapshot.runs, gates: snapshot.gates)
    }

    /// The headline of a batch from its provenance, runs (status, activation, final loss and λ*
    /// suffice) and gate results.
    public init(info: BatchInfo, runs records: [RunRecord], gates: [GateResult]) {
        batchID = info.id
        manifestName = info.manifestName
        startedAt = info.startedAt
        status = info.status
        runs = records.count
        converged = records.filter { $0.status == .converged }.count
        broken = records.filter(\.status.isBroken).count
        var perActivation: [String: Double] = [:]
        for activation in Activation.allCases {
            let losses =
                records
                .filter { $0.spec.config.model.activation == activation && $0.status.isFinished }
                .compactMap(\.outcome.lossFinal)
            if let m = median(losses) { perActivation[activation.rawValue] = m }
        }
        medianFinalLoss = perActivation
        var stars: [String: Double] = [:]
        for activation in Activation.allCases {
            let values = records.filter { $0.spec.config.model.activation == activation }
                .compactMap(\.outcome.diagnostics.lambdaStar)
            if let m = median(values) { stars[activation.rawValue] = m }
        }
        lambdaStar = stars
        gatesPassed = gates.allSatisfy(\.passed)
    }
}

/// Median of the finite values (mean of the middle two for an even count); nil when none.
public func median(_ values: [Double]) -> Double? {
    let sorted = values.filter(\.isFinite).sorted()
    guard !sorted.isEmpty else { return nil }
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
