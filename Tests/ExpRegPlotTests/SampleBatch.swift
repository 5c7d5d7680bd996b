import ExpRegCore
import ExpRegTestSupport
import Foundation

/// Deterministic batches for plot tests, built from the NumPy reference trainer output
/// (Tests/Fixtures/reference) plus synthetic curves for the extra widths and seeds.
///
/// exp: widths 512 (seed 0 = the real `small-exp` run), 1024, 2048; relu: widths 16 (seed 0 =
/// the real `tiny-relu` run), 64, 256; three seeds each. Synthetic seeds/widths scale the real
/// curves by smooth deterministic factors, so they look like plausible spreads.
enum SampleBatch {
    struct ReferenceRun {
        let activation: Activation
        let width: Int
        let loss: [CurvePoint]
        let kernel: [CurvePoint]
        let hStar: [Double]
        let hInit: [Double]
        let hFinal: [Double]
        let scalars: [String: Double]
    }

    static func reference(_ name: String) throws -> ReferenceRun {
        let folder = Fixtures.referenceCase(name)
        func curve(_ file: String) throws -> [CurvePoint] {
            try readNumericCSV(folder.appendingPathComponent(file), header: true)
                .map { CurvePoint(step: Int($0[0]), value: $0[1]) }
        }
        func row(_ file: String) throws -> [Double] {
            try readNumericCSV(folder.appendingPathComponent(file), header: false).first ?? []
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("case.json")))
        let object = json as? [String: Any] ?? [:]
        var scalars: [String: Double] = [:]
        for (key, value) in object {
            if let number = value as? NSNumber, !(value is Bool) { scalars[key] = number.doubleValue }
        }
        return ReferenceRun(
            activation: (object["activation"] as? String) == "relu" ? .relu : .exp,
            width: Int(scalars["width"] ?? 0), loss: try curve("loss.csv"),
            kernel: try curve("kernel_prediction.csv"), hStar: try row("eig_hstar.csv"),
            hInit: try row("eig_h_init.csv"), hFinal: try row("eig_h_final.csv"), scalars: scalars)
    }

    /// A full sample batch: exp (3 widths) and relu (3 widths), three seeds each.
    static func make(
        id: String = "20261129T043000Z-nightly-exp", startedAt: Date = Date(timeIntervalSince1970: 1_795_926_600),
        lossFactor: Double = 1
    ) throws -> BatchSnapshot {
        let exp = try reference("small-exp")
        let relu = try reference("tiny-relu")
        var runs: [RunRecord] = []
        for (ref, widths) in [(exp, [512, 1024, 2048]), (relu, [16, 64, 256])] {
            for (j, width) in widths.enumerated() {
                for seed in 0..<3 {
                    runs.append(
                        run(ref, width: width, widthRank: j, seed: seed, index: runs.count, lossFactor: lossFactor))
                }
            }
        }
        return snapshot(id: id, startedAt: startedAt, runs: runs)
    }

    /// `batch` with 128 held-out points per run: test MSE falling with the width towards a
    /// seed-dependent kernel prediction, one NTK value per activation.
    static func withHeldOut(_ batch: BatchSnapshot) -> BatchSnapshot {
        var batch = batch
        for index in batch.runs.indices {
            let config = batch.runs[index].spec.config
            let base = config.model.activation == .exp ? 0.61 : 0.47
            let kernel = base * (1 + 0.04 * Double(config.seed))
            batch.runs[index].spec.config.data.testN = 128
            batch.runs[index].outcome.heldOut = HeldOutErrors(
                trainMSE: 1e-7, testMSE: kernel * (1 + 30 / Double(config.model.width)), kernelTestMSE: kernel,
                ntkTestMSE: base * 0.9)
        }
        return batch
    }

    static func snapshot(id: String, startedAt: Date, runs: [RunRecord]) -> BatchSnapshot {
        let info = BatchInfo(
            id: id, manifestName: "nightly-exp", title: "夜間検証", manifestPath: "nightly.yaml",
            manifestText: "name: nightly-exp\n", manifestSHA256: String(repeating: "0", count: 64),
            toolVersion: "test", gitCommit: nil, host: "test", startedAt: startedAt,
            finishedAt: startedAt.addingTimeInterval(60), status: .completed, plannedRuns: runs.count)
        return BatchSnapshot(
            info: info, runs: runs, gates: [], gateConfig: GateConfig(), judgement: .judge(runs: runs, rules: .current))
    }

    /// One run: the reference run itself for (widthRank 0, seed 0), else a smooth deterministic variant.
    static func run(
        _ ref: ReferenceRun, width: Int, widthRank: Int, seed: Int, index: Int,
        lossFactor: Double = 1
    ) -> RunRecord {
        let real = widthRank == 0 && seed == 0
        // Wider nets converge a little faster; seeds spread the curves by up to ±30 %.
        let exponent = 1 + 0.08 * Double(widthRank)
        let seedScale = 1 + 0.3 * sin(Double(seed) * 2.1)
        func vary(_ curve: [CurvePoint]) -> [CurvePoint] {
            guard !real else { return curve.map { CurvePoint(step: $0.step, value: $0.value * lossFactor) } }
            let start = curve.first?.value ?? 1
            return curve.map { p in
                let ratio = p.value / start
                return CurvePoint(
                    step: p.step, value: lossFactor * start * pow(ratio, exponent) * (p.step == 0 ? 1 : seedScale))
            }
        }
        let shrink = 1 / sqrt(Double(1 << widthRank))  // finite-width error ∝ m^(-1/2)
        func perturb(_ eigenvalues: [Double]) -> [Double] {
            guard !real else { return eigenvalues }
            return eigenvalues.enumerated().map { i, v in
                v * (1 + 0.08 * shrink * sin(Double(i + 1) * 1.7 + Double(seed)))
            }.sorted()
        }
        let s = ref.scalars
        let steps = Int(s["steps_run"] ?? 0)
        // Wider nets stay closer to λ*: the drift of λ_min shrinks with the width; seeds spread it.
        let lambdaInit = (s["lambda_min_init"] ?? 0) * (real ? 1 : 1 + 0.05 * shrink * Double(seed - 1))
        let drift = ((s["lambda_min_final"] ?? 0) - (s["lambda_min_init"] ?? 0)) * shrink
        let lambdaFinal = real ? (s["lambda_min_final"] ?? 0) : lambdaInit + drift * (1 + 0.1 * Double(seed - 1))
        let lambdaCurve = stride(from: 0, through: steps, by: max(1, steps / 4)).map { k in
            CurvePoint(step: k, value: lambdaInit + (lambdaFinal - lambdaInit) * Double(k) / Double(max(1, steps)))
        }
        let loss = vary(ref.loss)
        let lossInitial = loss.first?.value
        let lossFinal = loss.last?.value
        let observed =
            real
            ? s["observed_rate"] : lossFinal.flatMap { f in lossInitial.map { pow(f / $0, 1 / Double(max(1, steps))) } }
        let gramDistance = (s["gram_distance_init"] ?? 1) * shrink * (real ? 1 : 1 + 0.1 * sin(Double(seed) * 1.3))
        let diagnostics = TheoryDiagnostics(
            lambdaStar: s["lambda_star"], lambdaMaxStar: s["lambda_max_star"], lambdaMinInit: lambdaInit,
            lambdaMinFinal: lambdaFinal, gramDistanceInit: gramDistance, gramDistanceFinal: s["gram_distance_final"],
            predictedRate: s["predicted_rate"], observedRate: observed, envelopeViolations: 0,
            kernelPredictionFinalLoss: s["kernel_prediction_final_loss"],
            widthConditionMet: gramDistance <= (s["lambda_star"] ?? 0) / 4,
            maxWeightMovement: s["max_weight_movement"], maxPreactivation: s["max_preactivation"])
        let outcome = RunOutcome(
            status: .completed, stepsRun: steps, eta: s["eta"], lossInitial: lossInitial, lossFinal: lossFinal,
            lossCurve: loss, kernelPrediction: ref.kernel, lambdaMinCurve: lambdaCurve,
            spectra: [
                Spectrum(step: 0, kind: .hStar, eigenvalues: ref.hStar),
                Spectrum(step: 0, kind: .hW, eigenvalues: perturb(ref.hInit)),
                Spectrum(step: steps, kind: .hW, eigenvalues: perturb(ref.hFinal)),
            ],
            diagnostics: diagnostics)
        let config = RunConfig(
            seed: UInt64(seed), data: DataConfig(n: Int(s["n"] ?? 8), d: Int(s["d"] ?? 4)),
            model: ModelConfig(activation: ref.activation, width: width, initScale: s["sigma"] ?? 1),
            train: TrainConfig(steps: steps, learningRate: .fixed(s["eta"] ?? 0.1)))
        let spec = RunSpec(
            index: index, experiment: "\(ref.activation.rawValue)-sweep",
            runKey: String(format: "%064x", index), config: config,
            params: [
                Param(key: "model.activation", value: .string(ref.activation.rawValue)),
                Param(key: "model.width", value: .int(width)), Param(key: "seed", value: .int(seed)),
            ],
            sweptKeys: ["model.width", "seed"])
        return RunRecord(
            spec: spec, outcome: outcome, startedAt: Date(timeIntervalSince1970: 1_795_926_600), wallSeconds: 1)
    }

    /// Headlines of `count` nightly batches ending with `batch`'s night (oldest first).
    static func trend(count: Int) throws -> [BatchHeadline] {
        try (0..<count).map { night in
            let start = Date(timeIntervalSince1970: 1_795_926_600 - Double(count - 1 - night) * 86_400)
            return BatchHeadline(
                snapshot: try make(
                    id: "night-\(night)", startedAt: start,
                    lossFactor: 1 + 0.5 * sin(Double(night))))
        }
    }
}
