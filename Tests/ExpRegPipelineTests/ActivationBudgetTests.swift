import ExpRegCore
import ExpRegTestSupport
import Foundation
import GRDB
import Testing

/// `EXPREG_ACTIVATION_BUDGET` through the real binary: a run that fits only memory-lean is
/// estimated lean by `validate` and not refused by `run`; a run under the budget materialises.
@Suite(.serialized)
struct ActivationBudgetTests {
    /// n = 64, d = 4, width 2^22: the n × m activations alone are 2 GiB, W is 128 MiB.
    static let wide = """
        name: lean
        defaults:
          data: {source: sphere, n: 64, d: 4, labels: random, seed: 1}
          train: {steps: 5, learning_rate: auto, target_loss: 0, log_every: 1, spectrum_every: 0}
        experiments:
          - name: exp-wide
            model: {activation: exp, width: 4194304}
        """

    @Test func validateEstimatesAWideRunLeanAndTheBudgetMovesTheLine() throws {
        let dir = TemporaryDirectory()
        let path = try writeManifest(Self.wide, in: dir.url)
        let lean = try ExpRegProcess.run(
            ["validate", path], in: dir.url, extraEnvironment: ["EXPREG_MEMORY_LIMIT": "1G"])
        #expect(lean.status == 0, "stderr: \(lean.stderr)")
        let leanMiB = Int(
            (Double(TrainingMemory.bytes(n: 64, d: 4, m: 4_194_304, path: .lean)) / 1_048_576).rounded(.up))
        #expect(lean.stdout.contains("Memory: estimated peak per run up to \(leanMiB) MiB"), "\(lean.stdout)")
        #expect(lean.stdout.contains("every run fits") || !lean.stdout.contains("(EXPREG_MEMORY_LIMIT)"))
        #expect(!lean.stdout.contains("would refuse"))

        let full = try ExpRegProcess.run(
            ["validate", path], in: dir.url,
            extraEnvironment: ["EXPREG_MEMORY_LIMIT": "1G", "EXPREG_ACTIVATION_BUDGET": "4G"])
        #expect(full.status == 0, "stderr: \(full.stderr)")
        let fullMiB = Int(
            (Double(TrainingMemory.bytes(n: 64, d: 4, m: 4_194_304, path: .materializing)) / 1_048_576)
                .rounded(.up))
        #expect(full.stdout.contains("Memory: estimated peak per run up to \(fullMiB) MiB"), "\(full.stdout)")
        #expect(full.stdout.contains("`expreg run` would refuse: run #0"))
    }

    @Test func aMalformedBudgetIsAUsageErrorAndNothingIsTrained() throws {
        let dir = TemporaryDirectory()
        let path = try writeManifest(Self.wide, in: dir.url)
        for bad in ["lots", "-1G", "12X"] {
            let result = try ExpRegProcess.run(
                ["run", path, "--output", "out", "--db", "out/archive.sqlite"],
                in: dir.url, extraEnvironment: ["EXPREG_ACTIVATION_BUDGET": bad])
            #expect(result.status == 2, "\(bad): \(result.stderr)")
            #expect(result.stderr.contains("EXPREG_ACTIVATION_BUDGET=\(bad) is not a size"))
            #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("out/archive.sqlite").path))
        }
    }

    @Test func aBudgetOfZeroTrainsLeanAndArchivesTheLeanEstimate() throws {
        let dir = TemporaryDirectory()
        let small = Self.wide.replacingOccurrences(of: "4194304", with: "2048")
        let path = try writeManifest(small, in: dir.url)
        let db = dir.url.appendingPathComponent("out/archive.sqlite").path
        let run = try ExpRegProcess.run(
            ["run", path, "--output", "out", "--db", db], in: dir.url,
            extraEnvironment: ["EXPREG_ACTIVATION_BUDGET": "0"])
        #expect(run.status == 0 || run.status == 3, "stderr: \(run.stderr)")
        let bytes = try #require(try scalar(Int.self, db, "SELECT memory_bytes FROM runs"))
        // The archived cost counts one worker's block buffers, whatever the thread count.
        #expect(bytes == TrainingMemory.bytes(n: 64, d: 4, m: 2048, path: .lean, threads: 1))
        #expect(bytes != TrainingMemory.bytes(n: 64, d: 4, m: 2048, path: .materializing))
    }
}
