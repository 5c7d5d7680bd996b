import ExpRegManifest
import Testing

@testable import ExpRegCore

/// `validate` (the manifest) and the trainer apply one size rule, ``TrainingMemory/fitsBuffers(n:d:m:)``:
/// a manifest that validates never fails in training for its size, and one the trainer cannot run
/// never validates.
@Suite struct LimitAgreementTests {
    /// (n, d, m) on both sides of n·m = 2^31 − 1 and d·m = 2^31 − 1, within the other manifest limits.
    static let cases: [(Int, Int, Int)] = [
        (127, 2, 1 << 24), (128, 2, 1 << 24),  // n·m = 2^31 − 2^24 | 2^31
        (2, 127, 1 << 24), (2, 128, 1 << 24),  // d·m likewise
        (8192, 4, 262_143), (8192, 4, 262_144),  // n·m = 2^31 − 8192 | 2^31
        (1, 2, 1 << 24),
    ]

    @Test("validate rejects exactly the n, d, m that the trainer cannot run", arguments: cases)
    func validateAgreesWithTrainer(size: (Int, Int, Int)) throws {
        let (n, d, m) = size
        var manifestError: ManifestError?
        do {
            _ = try ManifestFixtures.load(
                "valid/minimal.yaml",
                overrides: ["data.n=\(n)", "data.d=\(d)", "model.width=\(m)"])
        } catch {
            manifestError = error
        }
        let config = RunConfig(
            seed: 0, data: DataConfig(n: n, d: d, labels: .teacher, seed: 1),
            model: ModelConfig(activation: .exp, width: m, initScale: 1),
            train: TrainConfig(
                steps: 1, learningRate: .auto, targetLoss: 0, logEvery: 1,
                spectrumEvery: 0))
        let dataset = SphereData.generate(n: n, d: d, labels: .teacher, seed: 1)
        var trainerAccepts = true
        do { try Trainer.validate(config, dataset: dataset) } catch { trainerAccepts = false }

        let fits = TrainingMemory.fitsBuffers(n: n, d: d, m: m)
        #expect((manifestError == nil) == fits, "\(manifestError.map { "\($0)" } ?? "validated")")
        #expect(trainerAccepts == fits)
        if let manifestError {
            #expect("\(manifestError)".contains("exceeds the limit of 2147483647"))
        }
    }
}
