import ExpRegCore
import ExpRegTestSupport
import Foundation

@testable import ExpRegStore

/// Builders of realistic batches for the store tests (values chosen to exercise every column:
/// nil diagnostics, ±infinity, non-integral and integral doubles, sub-microsecond dates).
enum StoreSamples {
    static let manifestText = """
        name: nightly-exp
        title: 指数活性化ネットワークの夜間検証
        experiments:
          - name: width-sweep
            sweep: {model.width: [256, 1024]}
        """

    /// A date with sub-microsecond digits, to prove timestamps round-trip exactly.
    static func date(_ offsetSeconds: Double) -> Date {
        Date(timeIntervalSinceReferenceDate: 817_622_672.157_202_8 + offsetSeconds)
    }

    static func spec(
        index: Int, activation: Activation = .exp, width: Int = 256,
        experiment: String = "width-sweep", key: String? = nil
    ) -> RunSpec {
        let config = RunConfig(
            seed: UInt64.max - UInt64(index),  // beyond Int64: the JSON must keep all 64 bits
            data: DataConfig(n: 8, d: 4, labels: .teacher, seed: 7),
            model: ModelConfig(activation: activation, width: width, initScale: 1.0),
            train: TrainConfig(
                steps: 100, learningRate: index % 2 == 0 ? .auto : .fixed(0.125),
                targetLoss: 1e-6, logEvery: 10, spectrumEvery: 50))
        let params = [
            Param(key: "model.activation", value: .string(activation.rawValue)),
            Param(key: "model.init_scale", value: .double(1.0)),  // integral double: must stay .double
            Param(key: "model.width", value: .int(width)),
            Param(key: "data.normalize", value: .bool(true)),
            Param(key: "train.target_loss", value: .double(1e-6)),
        ]
        return RunSpec(
            index: index, experiment: experiment, runKey: key ?? String(format: "%064x", index + 1),
            config: config, params: params, sweptKeys: ["model.width"])
    }

    static func outcome(status: RunStatus = .converged, lossFinal: Double? = 3.5e-7, n: Int = 8) -> RunOutcome {
        let loss = (0...10).map { CurvePoint(step: $0 * 10, value: 0.75 * pow(0.25, Double($0))) }
        let kernel = (0...10).map { CurvePoint(step: $0 * 10, value: 0.75 * pow(0.3, Double($0))) }
        let lambdaMin = [
            CurvePoint(step: 0, value: 0.0123), CurvePoint(step: 50, value: 0.0119),
            CurvePoint(step: 100, value: 0.0118),
        ]
        let eigen = (0..<n).map { 0.01 * Double($0 + 1) * 1.000_000_1 }
        let spectra = [
            Spectrum(step: 0, kind: .hStar, eigenvalues: eigen),
            Spectrum(step: 0, kind: .hW, eigenvalues: eigen.map { $0 * 1.01 }),
            Spectrum(step: 100, kind: .hW, eigenvalues: eigen.map { $0 * 1.02 }),
        ]
        let diagnostics = TheoryDiagnostics(
            lambdaStar: 0.01, lambdaMaxStar: 0.08, lambdaMinInit: 0.0123, lambdaMinFinal: 0.0118,
            gramDistanceInit: 0.004, gramDistanceFinal: nil, predictedRate: 1 - 0.125 * 0.01 / 2,
            observedRate: 0.7, envelopeViolations: 0, kernelPredictionFinalLoss: 4.4e-6,
            widthConditionMet: false, maxWeightMovement: 0.031, maxPreactivation: .infinity)
        return RunOutcome(
            status: status, reason: status == .diverged ? "loss is +inf at step 12" : nil,
            stepsRun: 100, eta: 0.125, lossInitial: 0.75, lossFinal: lossFinal,
            lossCurve: loss, kernelPrediction: kernel, lambdaMinCurve: lambdaMin,
            spectra: spectra, diagnostics: diagnostics)
    }

    static func record(
        _ spec: RunSpec, status: RunStatus = .converged, lossFinal: Double? = 3.5e-7,
        start: Double = 1
    ) -> RunRecord {
        RunRecord(
            spec: spec, outcome: outcome(status: status, lossFinal: lossFinal),
            startedAt: date(start), wallSeconds: 0.123_456_789)
    }

    static func plan(name: String = "nightly-exp", runs: Int = 3) -> Plan {
        Plan(
            name: name, title: "指数活性化ネットワークの夜間検証",
            runs: (0..<runs).map { spec(index: $0, activation: $0 == 2 ? .relu : .exp, width: 256 << $0) },
            gates: GateConfig(maxFinalLoss: 1e-4, maxDiverged: 0, maxRegression: 2.0), compareWith: .previous,
            overrides: ["train.steps=100"])
    }

    static func info(id: String, name: String = "nightly-exp", start: Double = 0, planned: Int = 3) -> BatchInfo {
        BatchInfo(
            id: id, manifestName: name, title: "指数活性化ネットワークの夜間検証",
            manifestPath: "manifests/nightly.yaml", manifestText: manifestText,
            manifestSHA256: String(repeating: "ab", count: 32), toolVersion: "0.1.0",
            gitCommit: "0123456789abcdef0123456789abcdef01234567", host: "ci-runner",
            startedAt: date(start), overrides: ["train.steps=100"], plannedRuns: planned)
    }

    /// Writes a whole batch (begin, every run of the plan, gates, finish) and returns what was written.
    @discardableResult
    static func writeBatch(
        _ archive: Archive, id: String, name: String = "nightly-exp", start: Double = 0,
        status: BatchStatus = .completed, lossFinal: Double = 3.5e-7
    ) throws -> BatchSnapshot {
        let plan = plan(name: name)
        var info = info(id: id, name: name, start: start, planned: plan.runs.count)
        try archive.beginBatch(info, plan: plan)
        let runs = plan.runs.map { record($0, lossFinal: lossFinal * Double($0.index + 1), start: start + 1) }
        for run in runs { try archive.recordRun(run, batchID: id) }
        let gates = Gates.evaluate(plan.gates, runs: runs, previous: [])
        try archive.recordGates(gates, batchID: id)
        info.status = status
        info.finishedAt = date(start + 30)
        info.exitCode = status == .completed ? 0 : 1
        try archive.finishBatch(id: id, status: status, finishedAt: date(start + 30), exitCode: info.exitCode ?? 1)
        return BatchSnapshot(
            info: info, runs: runs, gates: gates, gateConfig: plan.gates,
            judgement: .judge(runs: runs, rules: .current, isProvisional: status == .running))
    }
}

/// A fresh archive file in its own temporary folder (kept alive with the archive).
struct ArchiveFixture {
    let folder = TemporaryDirectory(prefix: "expreg-store")
    var path: String { folder.url.appendingPathComponent("expreg.sqlite").path }

    func open() throws -> Archive { try Archive(path: path) }
}
