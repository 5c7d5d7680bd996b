import ExpRegCore
import ExpRegLinAlg
import ExpRegTestSupport
import Foundation
import RealModule
import Testing

/// A small sphere run; override what a test needs.
private func config(
    activation: Activation = .exp, width: Int = 64, sigma: Double = 1, steps: Int = 50,
    eta: LearningRate = .auto, target: Double = 0, logEvery: Int = 10, spectrumEvery: Int = 20,
    seed: UInt64 = 0
) -> RunConfig {
    RunConfig(
        seed: seed, data: DataConfig(n: 10, d: 4, labels: .teacher, seed: 1),
        model: ModelConfig(activation: activation, width: width, initScale: sigma),
        train: TrainConfig(
            steps: steps, learningRate: eta, targetLoss: target, logEvery: logEvery,
            spectrumEvery: spectrumEvery))
}

private func data(_ config: RunConfig) -> Dataset {
    SphereData.generate(n: config.data.n, d: config.data.d, labels: config.data.labels, seed: config.data.seed)
}

/// True when every Double of the outcome is finite: JSONEncoder refuses NaN and ±inf by default.
private func allFinite(_ outcome: RunOutcome) -> Bool {
    (try? JSONEncoder().encode(outcome)) != nil
}

@Suite("Trainer")
struct TrainerTests {
    @Test("same seed ⇒ bitwise-identical outcome; another seed differs", arguments: Activation.allCases)
    func determinism(activation: Activation) throws {
        let c = config(activation: activation)
        let first = try Trainer.train(c, on: data(c), options: testOptions)
        let second = try Trainer.train(c, on: data(c), options: testOptions)
        #expect(first == second)
        #expect(first.lossCurve.map(\.value.bitPattern) == second.lossCurve.map(\.value.bitPattern))
        var other = c
        other.seed = 1
        let third = try Trainer.train(other, on: data(other), options: testOptions)
        #expect(third.lossCurve.map(\.value) != first.lossCurve.map(\.value))
    }

    @Test(
        "1, 2 and 3 threads give bitwise-identical outcomes (η from λ_max, every loss, spectrum and diagnostic)",
        arguments: Activation.allCases, TestKernels.paths)
    func threadCountInvariance(activation: Activation, path: KernelPath) throws {
        // n = 150 spans two 128-row tiles of X Xᵀ and width 800 several neuron blocks of the step,
        // so the threads really split the work; H*, H(W) and η go through OpenBLAS/LAPACK too.
        var c = config(activation: activation, width: 800, steps: 12, logEvery: 1, spectrumEvery: 5)
        c.data = DataConfig(n: 150, d: 8, labels: .teacher, seed: 1)
        let dataset = data(c)
        func outcome(threads: Int) throws -> (RunOutcome, Data) {
            let result = try Trainer.train(c, on: dataset, options: TrainingOptions(threads: threads, kernels: path))
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys  // dictionaries would otherwise come out in any order
            return (result, try encoder.encode(result))
        }
        let (one, oneBytes) = try outcome(threads: 1)
        #expect(one.status == .completed && one.eta != nil && one.spectra.count >= 3)
        for threads in [2, 3] {
            let (other, otherBytes) = try outcome(threads: threads)
            #expect(other.eta?.bitPattern == one.eta?.bitPattern, "\(path) η with \(threads) threads")
            #expect(
                other.lossCurve.map(\.value.bitPattern) == one.lossCurve.map(\.value.bitPattern),
                "\(path) losses with \(threads) threads")
            #expect(other.spectra == one.spectra, "\(path) spectra with \(threads) threads")
            #expect(other == one, "\(path) outcome with \(threads) threads")
            #expect(otherBytes == oneBytes, "\(path) every number's text with \(threads) threads")
        }
    }

    @Test(
        "the seeded run (W(0) regenerated, not held) equals training from the same ModelParameters",
        arguments: Activation.allCases)
    func seededEqualsExplicitInitial(activation: Activation) throws {
        let c = config(activation: activation, width: 90)
        let seeded = try Trainer.train(c, on: data(c), options: testOptions)
        let initial = ModelParameters.random(width: 90, d: 4, sigma: 1, seed: c.seed)
        let explicit = try Trainer.train(c, on: data(c), from: initial, options: testOptions)
        #expect(seeded == explicit)
        #expect(seeded.diagnostics.maxWeightMovement != nil)
    }

    @Test("curves and spectra follow log_every and spectrum_every, with step 0 and the last step")
    func cadence() throws {
        let c = config(steps: 45, logEvery: 10, spectrumEvery: 20)
        let outcome = try Trainer.train(c, on: data(c), options: testOptions)
        #expect(outcome.status == .completed && outcome.stepsRun == 45)
        #expect(outcome.lossCurve.map(\.step) == [0, 10, 20, 30, 40, 45])
        #expect(outcome.kernelPrediction.map(\.step) == [0, 10, 20, 30, 40, 45])
        #expect(outcome.lambdaMinCurve.map(\.step) == [0, 20, 40, 45])
        #expect(outcome.spectra.filter { $0.kind == .hStar }.map(\.step) == [0])
        #expect(outcome.spectra.filter { $0.kind == .hW }.map(\.step) == [0, 20, 40, 45])
        #expect(outcome.spectra.allSatisfy { $0.eigenvalues.count == 10 && $0.eigenvalues == $0.eigenvalues.sorted() })
        #expect(outcome.lossCurve.first?.value == outcome.lossInitial)
        #expect(outcome.lossCurve.last?.value == outcome.lossFinal)
        #expect(allFinite(outcome))
        let g = outcome.diagnostics
        for value in [
            g.lambdaStar, g.lambdaMaxStar, g.lambdaMinInit, g.lambdaMinFinal, g.gramDistanceInit,
            g.gramDistanceFinal, g.predictedRate, g.observedRate, g.kernelPredictionFinalLoss,
            g.maxWeightMovement, g.maxPreactivation,
        ] {
            #expect(value != nil)
        }
        #expect(g.envelopeViolations != nil && g.widthConditionMet != nil)
    }

    @Test("spectrum_every 0 records only the start and the end")
    func spectrumAtEnds() throws {
        let c = config(steps: 30, spectrumEvery: 0)
        let outcome = try Trainer.train(c, on: data(c), options: testOptions)
        #expect(outcome.spectra.filter { $0.kind == .hW }.map(\.step) == [0, 30])
    }

    @Test("target_loss stops early with status converged")
    func converged() throws {
        let c = config(steps: 5000, target: 1e-3)
        let outcome = try Trainer.train(c, on: data(c), options: testOptions)
        #expect(outcome.status == .converged)
        let final = try #require(outcome.lossFinal)
        #expect(final <= 1e-3)
        #expect(outcome.stepsRun < 5000)
        #expect(outcome.lossCurve.last?.step == outcome.stepsRun)
        // The previous logged loss (a step before) was still above the target.
        #expect(outcome.lossCurve.dropLast().allSatisfy { $0.value > 1e-3 })
    }

    @Test("η far too large ends diverged with its step and reason, all numbers finite", arguments: Activation.allCases)
    func divergesWithHugeEta(activation: Activation) throws {
        let c = config(activation: activation, steps: 500, eta: .fixed(1e3))
        let outcome = try Trainer.train(c, on: data(c), options: testOptions)
        #expect(outcome.status == .diverged)
        #expect(outcome.stepsRun > 0 && outcome.stepsRun < 500)
        let reason = try #require(outcome.reason)
        #expect(reason.contains("at step \(outcome.stepsRun)"), "\(reason)")
        #expect(allFinite(outcome))
        #expect(outcome.eta == 1e3)
    }

    @Test("σ large enough to overflow exp at W(0) ends diverged at step 0 with a clear reason")
    func overflowAtStart() throws {
        let c = config(sigma: 400, steps: 10)
        let outcome = try Trainer.train(c, on: data(c), options: testOptions)
        #expect(outcome.status == .diverged)
        #expect(outcome.stepsRun == 0)
        let reason = try #require(outcome.reason)
        #expect(reason.hasPrefix("exp overflow at W(0): max preactivation "), "\(reason)")
        #expect(reason.contains("> 709.78"))
        #expect(outcome.lossInitial == nil && outcome.lossFinal == nil && outcome.lossCurve.isEmpty)
        #expect((outcome.diagnostics.maxPreactivation ?? 0) > 709.78)
        #expect(allFinite(outcome))
    }

    @Test("the progress closure sees every logged step and can cancel")
    func progressAndCancel() throws {
        let c = config(steps: 30, logEvery: 10)
        var seen: [Int] = []
        _ = try Trainer.train(c, on: data(c), options: testOptions) { progress in
            seen.append(progress.step)
            #expect(progress.totalSteps == 30 && progress.loss.isFinite)
            return true
        }
        #expect(seen == [0, 10, 20, 30])
        #expect(throws: TrainingError.cancelled(step: 10)) {
            _ = try Trainer.train(c, on: data(c), options: testOptions) { $0.step < 10 }
        }
    }

    @Test(
        "an invalid configuration throws instead of crashing",
        arguments: [
            config(width: 0), config(sigma: -1), config(sigma: .nan), config(steps: -1), config(eta: .fixed(0)),
            config(eta: .fixed(.infinity)), config(logEvery: 0), config(spectrumEvery: -1), config(target: .nan),
        ])
    func invalid(c: RunConfig) {
        #expect(throws: TrainingError.self) { _ = try Trainer.train(c, on: data(config()), options: testOptions) }
    }

    @Test("zero steps: the initial point only")
    func zeroSteps() throws {
        let c = config(steps: 0)
        let outcome = try Trainer.train(c, on: data(c), options: testOptions)
        #expect(outcome.status == .completed && outcome.stepsRun == 0)
        #expect(outcome.lossCurve.map(\.step) == [0])
        #expect(outcome.diagnostics.observedRate == nil)
        #expect(outcome.diagnostics.maxWeightMovement == 0)
    }
}
