import ExpRegLinAlg
import ExpRegTestSupport
import Foundation
import Testing

@testable import ExpRegCore

/// The memory-lean stepper (no n × m matrix) against the materialising one, and its thread split.
@Suite("Lean training")
struct LeanTrainingTests {
    /// n = 40, d = 6, m = 700: 30 panels of 24, one panel per block, so the lean path runs 30 blocks.
    private static let data = SphereData.generate(n: 40, d: 6, labels: .random, seed: 8)
    private static let model = ModelParameters.random(width: 700, d: 6, sigma: 1, seed: 9)

    /// Largest |a_r act(z_ir)|/√m summed over r, over i: the scale of u's rounding.
    private static func outputScale(_ gd: GradientDescent) -> Double {
        let w = gd.weights
        var largest = 0.0
        for i in 0..<data.n {
            var sum = 0.0
            for r in 0..<model.a.count {
                var z = 0.0
                for j in 0..<data.d { z += data.x[i * data.d + j] * w[r * data.d + j] }
                sum += gd.activation == .exp ? Foundation.exp(z) : max(z, 0)
            }
            largest = max(largest, sum / Double(model.a.count).squareRoot())
        }
        return largest
    }

    /// Lean equals materialising to rounding: losses, residuals, gradient, H(W) and weights over 4 steps.
    func agreesWithMaterialising(activation: Activation, path: KernelPath) throws {
        let (data, model) = (Self.data, Self.model)
        let full = GradientDescent(dataset: data, activation: activation, a: model.a, w: model.w, path: path)
        let lean = GradientDescent(
            dataset: data, activation: activation, a: model.a, w: model.w, path: path,
            lean: true)
        #expect(lean.isLean && !full.isLean)
        let blocks = Double(StepPanels.panelCount(width: 700) / StepPanels.defaultPanelsPerBlock(width: 700))
        for step in 0..<4 {
            // Bound: D and each update column are the same kernel calls on the same operands; u is a sum
            // of m terms added over at most `blocks` block columns, so any reordering moves u_i by at
            // most (blocks + 2)·ε·Σ_r|a_r act(z_ir)|/√m. Residuals and the loss inherit it; one step moves
            // W by η·Δr·|D|·|x|, far below 1e-12 here.
            let uTolerance = (blocks + 2) * Double.ulpOfOne * Self.outputScale(full)
            let (rf, rl) = (full.residuals(), lean.residuals())
            for i in rf.indices { #expect(abs(rf[i] - rl[i]) <= uTolerance, "\(path) r[\(i)] at step \(step)") }
            let (lf, ll) = (full.loss(), lean.loss())
            #expect(
                abs(lf - ll) <= uTolerance * rf.map(abs).reduce(0, +) + 4 * Double.ulpOfOne * lf,
                "\(path) loss at step \(step)")
            #expect(full.maxPreactivation == lean.maxPreactivation, "\(path) max |z| (same GEMM per panel)")
            let (gf, gl) = (full.gradient(), lean.gradient())
            let gScale = gf.map(abs).max() ?? 1
            for k in gf.indices { #expect(abs(gf[k] - gl[k]) <= 1e-12 * gScale, "\(path) ∇[\(k)] at step \(step)") }
            // H(W): the same products summed in another block order: 1e-13 of max|H| is hundreds of ulps.
            let (hf, hl) = (try #require(full.empiricalGram()), try #require(lean.empiricalGram()))
            let hScale = hf.map(abs).max() ?? 1
            for k in hf.indices { #expect(abs(hf[k] - hl[k]) <= 1e-13 * hScale, "\(path) H[\(k)] at step \(step)") }
            full.step(eta: 0.05)
            lean.step(eta: 0.05)
        }
        let (wf, wl) = (full.weights, lean.weights)
        for k in wf.indices { #expect(abs(wf[k] - wl[k]) <= 1e-12 * max(1, abs(wf[k])), "\(path) w[\(k)]") }
    }

    /// Lean: 1, 2 and 3 threads give bitwise-identical losses, weights and H(W).
    func threadCountInvariance(activation: Activation, path: KernelPath) throws {
        let (data, model) = (Self.data, Self.model)
        func run(threads: Int) throws -> (losses: [UInt64], weights: [UInt64], gram: [UInt64]) {
            let gd = GradientDescent(
                dataset: data, activation: activation, a: model.a, w: model.w, path: path,
                threads: threads, lean: true)
            let losses = (0..<4).map { _ in gd.step(eta: 0.05).bitPattern }
            return (losses, gd.weights.map(\.bitPattern), try #require(gd.empiricalGram()).map(\.bitPattern))
        }
        let one = try run(threads: 1)
        for threads in [2, 3] {
            let other = try run(threads: threads)
            #expect(other.losses == one.losses, "\(path) losses with \(threads) threads")
            #expect(other.weights == one.weights, "\(path) weights with \(threads) threads")
            #expect(other.gram == one.gram, "\(path) H(W) with \(threads) threads")
        }
    }

    /// A run over the activation budget trains lean: same outcome to rounding, bitwise for 1, 2, 3 threads.
    func trainerForcedLean(path: KernelPath) throws {
        let c = RunConfig(
            seed: 0, data: DataConfig(n: 40, d: 6, labels: .teacher, seed: 1),
            model: ModelConfig(activation: .exp, width: 700, initScale: 1),
            train: TrainConfig(
                steps: 12, learningRate: .auto, targetLoss: 0, logEvery: 1,
                spectrumEvery: 5))
        let dataset = SphereData.generate(n: 40, d: 6, labels: .teacher, seed: 1)
        #expect(TrainingPath.chosen(n: 40, m: 700, activationBudgetBytes: 40 * 700 * 8) == .materializing)
        #expect(TrainingPath.chosen(n: 40, m: 700, activationBudgetBytes: 40 * 700 * 8 - 1) == .lean)
        let full = try Trainer.train(c, on: dataset, options: TrainingOptions(threads: 2, kernels: path))
        func lean(threads: Int) throws -> RunOutcome {
            try Trainer.train(
                c, on: dataset,
                options: TrainingOptions(
                    threads: threads, kernels: path,
                    activationBudgetBytes: 1024))
        }
        let one = try lean(threads: 1)
        #expect(full.memoryBytes == TrainingMemory.bytes(n: 40, d: 6, m: 700, path: .materializing, threads: 1))
        #expect(one.memoryBytes == TrainingMemory.bytes(n: 40, d: 6, m: 700, path: .lean, threads: 1))
        #expect(one.status == full.status && one.stepsRun == full.stepsRun)
        // The per-step bound of the stepper test, compounded over 12 steps: 1e-10 relative is ~10⁶ ulps.
        #expect(one.lossCurve.count == full.lossCurve.count)
        for (a, b) in zip(one.lossCurve, full.lossCurve) {
            #expect(abs(a.value - b.value) <= 1e-10 * b.value, "\(path) loss at step \(b.step)")
        }
        let (ea, eb) = (try #require(one.eta), try #require(full.eta))
        #expect(abs(ea - eb) <= 1e-12 * eb, "\(path) η = 1/λ_max(H(W(0)))")
        for threads in [2, 3] {
            let other = try lean(threads: threads)
            // Everything, memory_bytes included (it counts one worker's block buffers), is bitwise the same.
            #expect(other == one, "\(path) lean outcome with \(threads) threads")
        }
    }

    /// Pre-activations past the exp table's range (|z| ≥ 708) take libm's exp on both paths: gradient and step as the reference.
    func preactivationsPastTheTableRange(path: KernelPath) throws {
        // Three points in the first quadrant of S¹; neuron 0 has z = −565.7, −565.7, −800 (exp(−800)
        // underflows to 0, which the table path alone would not give), neuron 1 has z = −720 at x₁
        // (a subnormal exp), the others are ordinary. The forward pass sees max |z| = 800, so the
        // lean update must take the checked exp; both paths must match libm.
        let s = 0.5.squareRoot()
        let data = try Dataset(n: 3, d: 2, x: [1, 0, 0, 1, s, s], y: [0.3, -0.2, 0.1])
        let m = 30
        var w = ModelParameters.random(width: m, d: 2, sigma: 1, seed: 4).w
        (w[0], w[1]) = (-800 * s, -800 * s)
        (w[2], w[3]) = (-720, 0.5)
        let a = (0..<m).map { $0 % 2 == 0 ? 1.0 : -1.0 }
        let steppers = [false, true].map { lean in
            GradientDescent(dataset: data, activation: .exp, a: a, w: w, path: path, lean: lean)
        }
        // Reference: r = u − y and ∇_r = (a_r/√m) Σ_i r_i e^{z_ir} x_i with libm's exp.
        func z(_ i: Int, _ r: Int) -> Double { data.x[2 * i] * w[2 * r] + data.x[2 * i + 1] * w[2 * r + 1] }
        let scale = 1 / Double(m).squareRoot()
        let residual = (0..<3).map { i in
            (0..<m).reduce(0.0) { $0 + a[$1] * Foundation.exp(z(i, $1)) } * scale - data.y[i]
        }
        for stepper in steppers {
            let label = "\(path) \(stepper.isLean ? "lean" : "materializing")"
            #expect(stepper.loss().isFinite, "\(label)")
            #expect(abs(stepper.maxPreactivation - 800) < 1e-9, "\(label) max |z|")
            let gradient = stepper.gradient()
            for r in 0..<m {
                for j in 0..<2 {
                    let terms = (0..<3).map { i in
                        a[r] * scale * residual[i] * Foundation.exp(z(i, r)) * data.x[2 * i + j]
                    }
                    let expected = terms.reduce(0, +)
                    // The table path is within 2 ulp of libm; 16 ulp of Σ|terms| covers it and the sums.
                    let tolerance = 16 * Double.ulpOfOne * terms.map(abs).reduce(0, +)
                    #expect(abs(gradient[2 * r + j] - expected) <= tolerance, "\(label) ∇[\(r)][\(j)]")
                }
            }
            stepper.step(eta: 0.1)
        }
        // The update takes the same D on both paths: the weights agree to rounding of u (see above).
        let (wf, wl) = (steppers[0].weights, steppers[1].weights)
        for k in wf.indices { #expect(abs(wf[k] - wl[k]) <= 1e-12 * max(1, abs(wf[k])), "\(path) w[\(k)]") }
        // Neuron 0's gradient is about 1e-246: its weights do not move at all (a wrong exp would move them).
        #expect(wf[0] == w[0] && wf[1] == w[1] && wl[0] == w[0] && wl[1] == w[1], "\(path) neuron 0 stays")
    }

    @Test("memory accounting: lean at (128, 16, 3,162,278) fits 1.5 GiB with W; chosen only over the budget")
    func leanMemory() {
        let (n, d, m) = (128, 16, 3_162_278)
        #expect(TrainingPath.chosen(n: n, m: m) == .lean)
        #expect(TrainingPath.chosen(n: n, m: 1 << 20) == .materializing)  // exactly 1 GiB
        let lean = TrainingMemory.bytes(n: n, d: d, m: m, threads: 2)
        #expect(lean == TrainingMemory.bytes(n: n, d: d, m: m, path: .lean, threads: 2))
        #expect(lean >= 2 * m * d * 8)  // Wᵀ and W(0)
        #expect(lean < 2 * m * d * 8 + (64 << 20))
        #expect(lean + TrainingMemory.processOverheadBytes <= 3 << 29)
        let full = TrainingMemory.bytes(n: n, d: d, m: m, path: .materializing)
        #expect(full - lean > n * m * 8 - (64 << 20))
        #expect(TrainingMemory.bytes(n: n, d: d, m: m, activationBudgetBytes: Int.max) == full)
    }
}

/// The checks above on each kernel path; a path this CPU lacks, or that `EXPREG_KERNELS` does not
/// select, is reported as skipped with the reason.
extension LeanTrainingTests {
    @Suite("avx512", .runsOn(.avx512)) struct OnAVX512 {
        @Test("avx512: lean training, agrees with materialising", arguments: [Activation.exp, .relu])
        func agreesWithMaterialising(activation: Activation) throws {
            try LeanTrainingTests().agreesWithMaterialising(activation: activation, path: .avx512)
        }
        @Test("avx512: lean training, thread count invariance", arguments: [Activation.exp, .relu])
        func threadCountInvariance(activation: Activation) throws {
            try LeanTrainingTests().threadCountInvariance(activation: activation, path: .avx512)
        }
        @Test("avx512: lean training, trainer forced lean") func trainerForcedLean() throws {
            try LeanTrainingTests().trainerForcedLean(path: .avx512)
        }
        @Test("avx512: lean training, past the table range") func pastTheTableRange() throws {
            try LeanTrainingTests().preactivationsPastTheTableRange(path: .avx512)
        }
    }

    @Suite("avx2", .runsOn(.avx2)) struct OnAVX2 {
        @Test("avx2: lean training, agrees with materialising", arguments: [Activation.exp, .relu])
        func agreesWithMaterialising(activation: Activation) throws {
            try LeanTrainingTests().agreesWithMaterialising(activation: activation, path: .avx2)
        }
        @Test("avx2: lean training, thread count invariance", arguments: [Activation.exp, .relu])
        func threadCountInvariance(activation: Activation) throws {
            try LeanTrainingTests().threadCountInvariance(activation: activation, path: .avx2)
        }
        @Test("avx2: lean training, trainer forced lean") func trainerForcedLean() throws {
            try LeanTrainingTests().trainerForcedLean(path: .avx2)
        }
        @Test("avx2: lean training, past the table range") func pastTheTableRange() throws {
            try LeanTrainingTests().preactivationsPastTheTableRange(path: .avx2)
        }
    }

    @Suite("generic", .runsOn(.generic)) struct OnGeneric {
        @Test("generic: lean training, agrees with materialising", arguments: [Activation.exp, .relu])
        func agreesWithMaterialising(activation: Activation) throws {
            try LeanTrainingTests().agreesWithMaterialising(activation: activation, path: .generic)
        }
        @Test("generic: lean training, thread count invariance", arguments: [Activation.exp, .relu])
        func threadCountInvariance(activation: Activation) throws {
            try LeanTrainingTests().threadCountInvariance(activation: activation, path: .generic)
        }
        @Test("generic: lean training, trainer forced lean") func trainerForcedLean() throws {
            try LeanTrainingTests().trainerForcedLean(path: .generic)
        }
        @Test("generic: lean training, past the table range") func pastTheTableRange() throws {
            try LeanTrainingTests().preactivationsPastTheTableRange(path: .generic)
        }
    }
}
