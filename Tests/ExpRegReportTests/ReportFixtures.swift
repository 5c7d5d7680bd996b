import ExpRegCore
import ExpRegReport
import ExpRegTestSupport
import Foundation

/// Crafted batches for the report tests. Every value is fixed (dates, numbers), so rendered
/// documents are stable and golden files only change when templates or rules change.
enum ReportFixtures {
    static let templates = Fixtures.repositoryRoot.appendingPathComponent("templates")
    static let directory = Fixtures.directory.appendingPathComponent("report")
    static let goldenDirectory = directory.appendingPathComponent("golden")

    /// 2026-11-29T04:30:00Z and the night before.
    static let tonight = Date(timeIntervalSince1970: 1_795_926_600)
    static let lastNight = tonight.addingTimeInterval(-86_400)

    static let manifestText = """
        name: nightly-exp
        title: 指数活性化ネットワークの夜間検証
        defaults:
          data: {source: sphere, n: 64, d: 16, labels: random, seed: 1}
          train: {steps: 2000, learning_rate: auto, target_loss: 1.0e-6}
        experiments:
          - name: exp-width
            model: {activation: exp}
            sweep:
              model.width: [256, 1024, 4096]
              seed: [0, 1]
          - name: relu-width
            model: {activation: relu}
            sweep:
              model.width: [1024, 4096]
              seed: [0, 1]
        gates:
          max_final_loss: 1.0e-4
          max_diverged: 0
          max_regression: 2.0
        """

    /// What a crafted run should look like.
    struct RunShape {
        var experiment: String
        var activation: Activation
        var width: Int
        var seed: UInt64
        var status: RunStatus = .converged
        var steps: Int = 300
        var lossFinal: Double? = 9.5e-7
        var violations: Int? = 0
        var conditionMet: Bool? = false
        var reason: String? = nil
        /// Held-out points (nil: no test set, no held-out errors).
        var testN: Int? = nil
        /// A note on missing kernel values (only with a test set).
        var heldOutNote: String? = nil
    }

    static func run(_ s: RunShape, index: Int) -> RunRecord {
        let config = RunConfig(
            seed: s.seed, data: DataConfig(testN: s.testN),
            model: ModelConfig(activation: s.activation, width: s.width, initScale: 1.0),
            train: TrainConfig(steps: 2000, learningRate: .auto, targetLoss: 1e-6))
        let params: [Param] =
            [
                Param(key: "data.n", value: .int(64)), Param(key: "data.d", value: .int(16)),
                Param(key: "model.activation", value: .string(s.activation.rawValue)),
                Param(key: "model.width", value: .int(s.width)), Param(key: "seed", value: .int(Int(s.seed))),
                Param(key: "train.target_loss", value: .double(1e-6)),
            ] + (s.testN.map { [Param(key: "data.test_n", value: .int($0))] } ?? [])
        let runKey = fakeRunKey("\(s.experiment)-w\(s.width)-s\(s.seed)")
        let lambdaStar = s.activation == .exp ? 1.5792 : 0.0312
        let seedJitter = 1.0 + 0.05 * Double(s.seed)
        let gram = (s.activation == .exp ? 310.0 : 6.4) * seedJitter / Double(s.width).squareRoot()
        let eta = s.activation == .exp ? 0.0031 : 0.41
        let finished = s.status.isFinished
        let lossInitial = 31.7 + Double(s.seed)
        let observed = finished ? s.lossFinal.map { Foundation.pow($0 / lossInitial, 1 / Double(s.steps)) } : nil
        let diagnostics = TheoryDiagnostics(
            lambdaStar: lambdaStar, lambdaMaxStar: lambdaStar * 80, lambdaMinInit: lambdaStar * 0.93,
            lambdaMinFinal: finished ? lambdaStar * 0.91 : nil, gramDistanceInit: gram,
            gramDistanceFinal: finished ? gram * 1.02 : nil, predictedRate: 1 - eta * lambdaStar / 2,
            observedRate: observed, envelopeViolations: s.violations,
            kernelPredictionFinalLoss: finished ? (s.lossFinal ?? 0) * 0.8 : nil,
            widthConditionMet: s.conditionMet, maxWeightMovement: 0.8 / Double(s.width).squareRoot(),
            maxPreactivation: finished ? 4.1 : 712.3)
        let outcome = RunOutcome(
            status: s.status, reason: s.reason, stepsRun: s.steps, eta: eta, lossInitial: lossInitial,
            lossFinal: finished ? s.lossFinal : nil,
            lossCurve: [CurvePoint(step: 0, value: lossInitial)]
                + (finished ? [CurvePoint(step: s.steps, value: s.lossFinal ?? 0)] : []),
            diagnostics: diagnostics, heldOut: heldOut(s, lossFinal: finished ? s.lossFinal : nil))
        let spec = RunSpec(
            index: index, experiment: s.experiment, runKey: runKey, config: config,
            params: params, sweptKeys: ["model.width", "seed"])
        return RunRecord(
            spec: spec, outcome: outcome, startedAt: tonight.addingTimeInterval(Double(index) * 60),
            wallSeconds: 12.5 + Double(index))
    }

    /// Crafted held-out errors: the network's test MSE falls with the width towards the kernel
    /// prediction (which depends on the seed, not the width), the NTK interpolant's is fixed.
    static func heldOut(_ s: RunShape, lossFinal: Double?) -> HeldOutErrors {
        let trainMSE = lossFinal.map { 2 * $0 / 64 }
        guard s.testN != nil else { return HeldOutErrors(trainMSE: trainMSE) }
        let base = s.activation == .exp ? 0.8123 : 0.6931
        let kernel = s.heldOutNote == nil ? base * (1 + 0.03 * Double(s.seed)) : nil
        let ntk = s.heldOutNote == nil ? base * 0.9 : nil
        return HeldOutErrors(
            trainMSE: trainMSE, testMSE: base * (1 + 0.03 * Double(s.seed)) * (1 + 9 / Double(s.width)),
            kernelTestMSE: kernel, ntkTestMSE: ntk, note: s.heldOutNote)
    }

    /// A stable 64-hex-digit stand-in for a run_key (FNV-1a chained; not SHA-256, tests only).
    static func fakeRunKey(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var out = ""
        for round in 0..<4 {
            for byte in Array(text.utf8) + [UInt8(round)] {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            }
            out += String(format: "%016llx", hash)
        }
        return out
    }

    static func batch(
        _ shapes: [RunShape], at date: Date = tonight, name: String = "nightly-exp",
        title: String? = "指数活性化ネットワークの夜間検証",
        gates: GateConfig = GateConfig(maxFinalLoss: 1e-4, maxDiverged: 0, maxRegression: 2.0),
        previous: BatchSnapshot? = nil, status: BatchStatus = .completed
    ) -> BatchSnapshot {
        let runs = shapes.enumerated().map { run($1, index: $0) }
        let id = "\(ReportFormat.date(date).replacingOccurrences(of: "-", with: ""))T043000Z-\(name)"
        let info = BatchInfo(
            id: id, manifestName: name, title: title, manifestPath: "manifests/\(name).yaml",
            manifestText: manifestText,
            manifestSHA256: "3f2a9c1d0e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29",
            toolVersion: "0.1.0", gitCommit: "cff9ffe", host: "ci-runner-1", startedAt: date,
            finishedAt: date.addingTimeInterval(1_234), status: status, exitCode: nil, overrides: [],
            plannedRuns: shapes.count, kernelPath: "avx512", cpuModel: "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz",
            blasCore: "SkylakeX")
        let gateResults = Gates.evaluate(gates, runs: runs, previous: previous?.runs ?? [])
        return BatchSnapshot(
            info: info, runs: runs, gates: gateResults, gateConfig: gates,
            judgement: .judge(runs: runs, rules: .current, isProvisional: status == .running))
    }

    /// `batch` judged again after a test changed its runs (as the archive judges a batch once it
    /// has its runs).
    static func rejudged(_ batch: BatchSnapshot) -> BatchSnapshot {
        var batch = batch
        batch.judgement = .judge(runs: batch.runs, rules: batch.judgement.rules)
        return batch
    }

    /// exp at 256, 1024, 4096 and relu at 1024, 4096, two seeds each: all converged.
    static func healthyShapes(expSteps: Int = 310, reluSteps: Int = 540, loss: Double = 9.5e-7) -> [RunShape] {
        var shapes: [RunShape] = []
        for width in [256, 1024, 4096] {
            for seed: UInt64 in [0, 1] {
                shapes.append(
                    RunShape(
                        experiment: "exp-width", activation: .exp, width: width, seed: seed,
                        steps: expSteps + (width == 256 ? 40 : 0) + Int(seed) * 10,
                        lossFinal: loss, violations: width == 256 && seed == 1 ? 3 : 0))
            }
        }
        for width in [1024, 4096] {
            for seed: UInt64 in [0, 1] {
                shapes.append(
                    RunShape(
                        experiment: "relu-width", activation: .relu, width: width, seed: seed,
                        steps: reluSteps + Int(seed) * 20, lossFinal: loss * 0.9,
                        conditionMet: width == 4096))
            }
        }
        return shapes
    }

    /// Last night: all converged; the exp runs at width 1,024 ended higher (tonight improved there).
    static var previousNight: BatchSnapshot {
        var shapes = healthyShapes()
        shapes[2].lossFinal = 2.1e-6
        shapes[2].status = .completed
        shapes[2].steps = 2000
        shapes[3].lossFinal = 1.4e-6
        shapes[3].status = .completed
        shapes[3].steps = 2000
        return batch(shapes, at: lastNight)
    }

    /// Tonight, all healthy, compared with last night.
    static var allConverged: BatchSnapshot {
        batch(healthyShapes(), previous: previousNight)
    }

    /// Tonight with two diverged exp runs at width 256 and a regression at 4096 (x3.2).
    static var troubled: BatchSnapshot {
        var shapes = healthyShapes()
        shapes[0].status = .diverged
        shapes[0].reason = "loss is NaN at step 12"
        shapes[0].steps = 12
        shapes[1].status = .diverged
        shapes[1].reason = "loss > 1e6 x initial at step 40"
        shapes[1].steps = 40
        shapes[4].lossFinal = 2.56e-6
        shapes[4].status = .completed
        shapes[4].steps = 2000
        return batch(shapes, previous: previousNight)
    }

    /// Tonight, all healthy, with 256 held-out points; the relu run at 1,024, seed 1 has a
    /// singular H* (no kernel values).
    static var withHeldOut: BatchSnapshot {
        var shapes = healthyShapes()
        for index in shapes.indices { shapes[index].testN = 256 }
        shapes[7].heldOutNote =
            "H* is numerically singular (its Cholesky factorisation broke down); kernel_test_mse and ntk_test_mse are not computed"
        return batch(shapes)
    }

    /// The figures the golden reports embed (a small hand-written SVG, as Cairo would emit it).
    static var figures: [ReportFigure] {
        get throws {
            let svg = try String(contentsOf: directory.appendingPathComponent("loss-curves.svg"), encoding: .utf8)
            return [
                ReportFigure(
                    name: "loss-curves", title: "損失曲線(実測とカーネル予測)",
                    pngRelativePath: "plots/loss-curves.png", svg: svg)
            ]
        }
    }
}
