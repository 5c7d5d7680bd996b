import Foundation
import Testing

@testable import ExpRegCore

/// A record of one run with the numbers the width analysis and the verdict read.
private func record(
    experiment: String = "w", activation: Activation = .exp, n: Int = 16, d: Int = 4, width: Int,
    seed: UInt64, gram: Double?, lambdaStar: Double = 0.5, status: RunStatus = .converged,
    steps: Int = 100, violations: Int? = 0, secondsPerStep: Double? = nil
) -> RunRecord {
    let config = RunConfig(
        seed: seed, data: DataConfig(n: n, d: d), model: ModelConfig(activation: activation, width: width),
        train: TrainConfig())
    let params = [
        Param(key: "data.d", value: .int(d)), Param(key: "data.n", value: .int(n)),
        Param(key: "model.activation", value: .string(activation.rawValue)),
        Param(key: "model.width", value: .int(width)), Param(key: "seed", value: .int(Int(seed))),
    ]
    let spec = RunSpec(
        index: 0, experiment: experiment, runKey: "\(experiment)-\(n)-\(width)-\(seed)", config: config,
        params: params, sweptKeys: ["model.width", "seed"])
    let diagnostics = TheoryDiagnostics(
        lambdaStar: lambdaStar, gramDistanceInit: gram, envelopeViolations: violations,
        widthConditionMet: gram.map { $0 <= lambdaStar / 4 })
    let outcome = RunOutcome(
        status: status, stepsRun: steps, diagnostics: diagnostics,
        memoryBytes: TrainingMemory.bytes(n: n, d: d, m: width))
    return RunRecord(
        spec: spec, outcome: outcome, startedAt: Date(timeIntervalSinceReferenceDate: 0), wallSeconds: 1,
        trainingSeconds: secondsPerStep.map { $0 * Double(steps) }, spectraSeconds: nil)
}

@Suite("Width cost: verdicts, memory, flops, width analysis")
struct WidthCostTests {
    @Test("each verdict follows its rule, checked in order failed, diverged, violated, within, consistent")
    func verdicts() {
        func verdict(_ status: RunStatus, met: Bool?, violations: Int?) -> RunVerdict {
            RunVerdict(
                outcome: RunOutcome(
                    status: status,
                    diagnostics: TheoryDiagnostics(
                        envelopeViolations: violations,
                        widthConditionMet: met)))
        }
        #expect(verdict(.failed, met: true, violations: 0) == .failed)
        #expect(verdict(.diverged, met: true, violations: 0) == .diverged)
        #expect(verdict(.converged, met: true, violations: 2) == .violated)
        #expect(verdict(.completed, met: false, violations: 1) == .violated)
        #expect(verdict(.converged, met: true, violations: 0) == .withinGuarantee)
        #expect(verdict(.converged, met: false, violations: 0) == .consistent)
        #expect(verdict(.converged, met: nil, violations: 0) == .consistent)
        #expect(verdict(.converged, met: true, violations: nil) == .consistent)
        #expect(verdict(.completed, met: true, violations: 0) == .consistent)
        #expect(
            RunVerdict.allCases.map(\.rawValue) == ["within_guarantee", "consistent", "violated", "diverged", "failed"])
    }

    @Test("the memory estimate is the documented formula, saturates, and shares the one n·m buffer rule")
    func memoryFormula() {
        let (n, d, m) = (64, 16, 1024)
        let values = n * m + 2 * m * d + 2 * m + 2 * n * d + 2 * n + 4 * n * n
        #expect(TrainingMemory.bytes(n: n, d: d, m: m) == 8 * values)
        // (128, 16, 3.16M): the activations alone are 3.2 GB.
        #expect(TrainingMemory.bytes(n: 128, d: 16, m: 3_160_000, path: .materializing) > 128 * 3_160_000 * 8)
        #expect(TrainingMemory.bytes(n: 1 << 40, d: 1 << 40, m: 1 << 40) == Int.max)
        #expect(TrainingMemory.fitsOneBuffer(1, Int(Int32.max)))
        #expect(!TrainingMemory.fitsOneBuffer(2, 1 << 30))
        #expect(!TrainingMemory.fitsOneBuffer(Int.max, 2))
    }

    @Test(
        "a trained run reports the formula's memory, flops counted per phase, and phase changes",
        arguments: Activation.allCases)
    func trainedRunCost(activation: Activation) throws {
        let config = RunConfig(
            seed: 0, data: DataConfig(n: 10, d: 4, labels: .teacher, seed: 1),
            model: ModelConfig(activation: activation, width: 64),
            train: TrainConfig(steps: 30, targetLoss: 0, logEvery: 10, spectrumEvery: 0))
        let data = SphereData.generate(n: 10, d: 4, labels: .teacher, seed: 1)
        var phases: [TrainingPhase] = []
        let outcome = try Trainer.train(config, on: data, options: testOptions, phases: { phases.append($0) })
        #expect(outcome.status == .completed && outcome.stepsRun == 30)
        #expect(outcome.memoryBytes == TrainingMemory.bytes(n: 10, d: 4, m: 64))
        // H* (eigenvectors), H(W(0)) and H(W(T)) (eigenvalues), ‖H − H*‖ at both ends.
        let expected = TrainingFlops.run(n: 10, d: 4, m: 64, steps: 30, gramBuilds: 2, eigenSolves: 4, vectorSolves: 1)
        #expect(outcome.flops == expected)
        #expect(phases.first == .training && phases.last == .training)
        #expect(phases.filter { $0 == .spectra }.count == 5)
        // The same run without an observer gives the same numbers.
        #expect(try Trainer.train(config, on: data, options: testOptions) == outcome)
    }

    @Test("an exact C/√m law: free slope −1/2, condition width (4C/λ*)², projection by the memory formula")
    func exactLaw() throws {
        let c = 3.0
        let lambdaStar = 0.5
        let perStep = 2e-7
        var runs: [RunRecord] = []
        for width in [256, 1024, 4096] {
            for seed: UInt64 in [0, 1] {
                runs.append(
                    record(
                        width: width, seed: seed, gram: c / Double(width).squareRoot(),
                        lambdaStar: lambdaStar, steps: width == 4096 ? 120 : 150,
                        secondsPerStep: perStep * Double(width)))
            }
        }
        let analysis = BatchJudgement.judge(runs: runs, rules: .current).analysis
        #expect(analysis.widthScaling.count == 1)
        let g = try #require(analysis.widthScaling.first)
        #expect(g.widths == [256, 1024, 4096] && g.runs == 6)
        #expect(abs(try #require(g.gramDistanceSlope) + 0.5) < 1e-12)
        #expect(abs(try #require(g.gramDistanceConstantTheorySlope) / c - 1) < 1e-12)
        let expectedWidth = pow(4 * c / lambdaStar, 2)  // 576
        #expect(abs(try #require(g.conditionWidth) / expectedWidth - 1) < 1e-12)
        #expect(abs(try #require(g.conditionWidthFreeSlope) / expectedWidth - 1) < 1e-9)
        #expect(g.conditionMetFromWidth == 1024)
        #expect(abs(try #require(g.secondsPerStepExponent) - 1) < 1e-9)
        #expect(abs(try #require(g.memoryExponent) - 1) < 0.2)
        let p = try #require(g.projection)
        #expect(p.width == 576)
        #expect(p.memoryBytes == TrainingMemory.bytes(n: 16, d: 4, m: 576))
        #expect(p.steps == 120)
        #expect(abs(try #require(p.secondsPerRun) / (perStep * 576 * 120) - 1) < 1e-9)
        #expect(
            g.fixedParams["data.n"] == .int(16) && g.fixedParams["model.width"] == nil && g.fixedParams["seed"] == nil)
        #expect(analysis.conditionWidthVsN.isEmpty)
    }

    @Test("a shallower free slope projects further than the theory slope, and is reported beside it")
    func shallowSlope() throws {
        // 6·m^−0.4 with λ*/4 = 0.125: unmet at every tested width; C½ = 6·1024^0.1 = 12 ⇒ 96² = 9,216,
        // while the free slope reaches 0.125 only at 48^2.5 ≈ 15,963.
        let runs = [256, 1024, 4096].map { record(width: $0, seed: 0, gram: 6.0 * pow(Double($0), -0.4)) }
        let g = try #require(BatchJudgement.judge(runs: runs, rules: .current).analysis.widthScaling.first)
        #expect(abs(try #require(g.gramDistanceSlope) + 0.4) < 1e-12)
        #expect(abs(try #require(g.conditionWidth) / 9216 - 1) < 1e-9)
        #expect(abs(try #require(g.conditionWidthFreeSlope) / pow(48, 2.5) - 1) < 1e-9)
        #expect(g.conditionMetFromWidth == nil)
    }

    @Test("groups split by everything but width and seed; one width or no distance is not fitted")
    func grouping() {
        var runs = [256, 1024].map { record(experiment: "a", width: $0, seed: 0, gram: 1 / Double($0).squareRoot()) }
        runs += [256, 1024].map { record(experiment: "a", activation: .relu, width: $0, seed: 0, gram: 1 / Double($0)) }
        runs.append(record(experiment: "single", width: 512, seed: 0, gram: 0.1))
        runs += [256, 1024].map { record(experiment: "none", width: $0, seed: 0, gram: nil) }
        let groups = BatchJudgement.judge(runs: runs, rules: .current).analysis.widthScaling
        #expect(groups.map(\.experiment) == ["a", "a"])
        #expect(groups.map(\.activation) == ["exp", "relu"])
    }

    @Test("sweeping n: the condition width is fitted against n (C ∝ n gives exponent 2)")
    func againstN() throws {
        var runs: [RunRecord] = []
        for n in [8, 16, 32] {
            for width in [256, 1024] {
                runs.append(record(n: n, width: width, seed: 0, gram: 0.1 * Double(n) / Double(width).squareRoot()))
            }
        }
        let analysis = BatchJudgement.judge(runs: runs, rules: .current).analysis
        #expect(analysis.widthScaling.count == 3)
        let fit = try #require(analysis.conditionWidthVsN.first)
        #expect(analysis.conditionWidthVsN.count == 1)
        #expect(abs(fit.exponent - 2) < 1e-9)
        #expect(fit.points.map { $0[0] } == [8, 16, 32])
    }

    @Test("results.json carries the verdict, the cost and the analysis (schema_version 2)")
    func resultsDocument() throws {
        let runs = [256, 1024].map {
            record(width: $0, seed: 0, gram: 3 / Double($0).squareRoot(), secondsPerStep: 1e-6)
        }
        let info = BatchInfo(
            id: "b", manifestName: "m", title: nil, manifestPath: "m.yaml", manifestText: "",
            manifestSHA256: "0", toolVersion: "t", gitCommit: nil, host: "h",
            startedAt: Date(timeIntervalSinceReferenceDate: 0), plannedRuns: 2)
        let doc = ResultsDocument(
            snapshot: BatchSnapshot(
                info: info, runs: runs, gates: [], gateConfig: GateConfig(),
                judgement: .judge(runs: runs, rules: .current)))
        let json = try #require(try JSONSerialization.jsonObject(with: doc.encoded()) as? [String: Any])
        #expect(json["schema_version"] as? Int == 2)
        let run = try #require((json["runs"] as? [[String: Any]])?.first)
        #expect(run["verdict"] as? String == "consistent")
        #expect(run["memory_bytes"] as? Int == TrainingMemory.bytes(n: 16, d: 4, m: 256))
        #expect(abs((run["training_seconds"] as? Double ?? 0) / 1e-4 - 1) < 1e-12)  // 100 steps × 1e-6 s, rounded
        #expect(run["spectra_seconds"] is NSNull && run["flops"] is NSNull)
        let analysis = try #require(json["analysis"] as? [String: Any])
        let group = try #require((analysis["width_scaling"] as? [[String: Any]])?.first)
        for key in [
            "experiment", "activation", "fixed_params", "gram_distance_slope", "gram_distance_constant",
            "condition_width", "condition_width_free_slope", "seconds_per_step_exponent", "memory_exponent",
            "projection",
        ] {
            #expect(group[key] != nil, "missing \(key)")
        }
        let projection = try #require(group["projection"] as? [String: Any])
        #expect(Set(projection.keys) == ["width", "seconds_per_run", "memory_bytes", "steps"])
        #expect(analysis["condition_width_vs_n"] as? [Any] != nil)
    }

    @Test("the slope agreement follows the rules it is judged by; the projection lies on the time model")
    func rulesAndCostModel() throws {
        // ‖H(W0) − H*‖ = 3·m^−0.45: 0.05 from the theory's −1/2.
        let runs = [256, 1024, 4096].map {
            record(width: $0, seed: 0, gram: 3 * pow(Double($0), -0.45), secondsPerStep: 1e-9 * Double($0))
        }
        let loose = BatchJudgement.judge(runs: runs, rules: .current)
        var strict = JudgementRules.current
        strict.slopeTolerance = 0.01
        let tight = BatchJudgement.judge(runs: runs, rules: strict)
        #expect(loose.analysis.widthScaling.first?.slopeAgreesWithTheory == true)
        #expect(tight.analysis.widthScaling.first?.slopeAgreesWithTheory == false)
        #expect(tight.rules == strict && loose.rules == .current)
        // The projection's seconds are the group's time model at the projected width.
        let g = try #require(loose.analysis.widthScaling.first)
        let p = try #require(g.projection)
        let modelled = try #require(g.costModel.secondsPerRun(width: Double(p.width)))
        #expect(try #require(p.secondsPerRun) == modelled)
        #expect(g.costModel.steps == p.steps)
        #expect(abs(try #require(g.costModel.secondsPerStep?.exponent) - 1) < 1e-9)
    }

    @Test("rules archived by an older build read a threshold they lack as its legacy value")
    func rulesDecodeWithLegacyDefaults() throws {
        let decoded = try JSONDecoder().decode(JudgementRules.self, from: Data(#"{"slope_tolerance": 0.2}"#.utf8))
        #expect(decoded.slopeTolerance == 0.2)
        #expect(decoded.kernelAgreementBand == JudgementRules.legacy.kernelAgreementBand)
        #expect(decoded.unchangedBand == JudgementRules.legacy.unchangedBand)
    }
}
