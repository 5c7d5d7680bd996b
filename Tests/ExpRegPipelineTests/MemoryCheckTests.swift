import ExpRegCore
import ExpRegTestSupport
import Foundation
import GRDB
import Testing

/// The memory estimate before training, through the real binary: `validate` shows it, `run`
/// refuses (exit 2, estimate and limit in the message) a run that cannot fit, before the archive
/// is touched, so no batch is left `running`.
@Suite(.serialized)
struct MemoryCheckTests {
    /// One small run and one whose n × m activations alone are 512 MiB (n = 64, width 2^20).
    static let manifest = """
        name: wide
        defaults:
          data: {source: sphere, n: 64, d: 4, labels: random, seed: 1}
          train: {steps: 5, learning_rate: auto, target_loss: 0, log_every: 1, spectrum_every: 0}
        experiments:
          - name: exp-width
            model: {activation: exp}
            sweep:
              model.width: [64, 1048576]
        """
    static var wideBytes: Int { TrainingMemory.bytes(n: 64, d: 4, m: 1_048_576) }

    @Test func validateShowsThePeakPerRunAndInTotal() throws {
        let dir = TemporaryDirectory()
        let path = try writeManifest(Self.manifest, in: dir.url)
        let fits = try ExpRegProcess.run(
            ["validate", path], in: dir.url, extraEnvironment: ["EXPREG_MEMORY_LIMIT": "64G"])
        #expect(fits.status == 0, "stderr: \(fits.stderr)")
        let mib = Int((Double(Self.wideBytes) / 1_048_576).rounded(.up))
        #expect(
            fits.stdout.contains("Memory: estimated peak per run up to \(mib) MiB (run #1: n=64, d=4, width=1048576)"))
        #expect(fits.stdout.contains("sum over runs"))
        #expect(fits.stdout.contains("  ~\(mib) MiB\n"))
        #expect(
            fits.stdout.contains("Memory limit: 64.00 GiB (EXPREG_MEMORY_LIMIT); every run fits")
                || !fits.stdout.contains("(EXPREG_MEMORY_LIMIT)"))  // a smaller machine limit wins
        let tight = try ExpRegProcess.run(
            ["validate", path], in: dir.url, extraEnvironment: ["EXPREG_MEMORY_LIMIT": "300M"])
        #expect(tight.status == 0)
        #expect(
            tight.stdout.contains("Memory limit: 0.29 GiB (EXPREG_MEMORY_LIMIT); `expreg run` would refuse: run #1"))
    }

    @Test func runRefusesARunThatCannotFitBeforeTouchingTheArchive() throws {
        let dir = TemporaryDirectory()
        let path = try writeManifest(Self.manifest, in: dir.url)
        let db = dir.url.appendingPathComponent("out/archive.sqlite").path
        // A first batch that fits (the wide run is overridden away), so the archive exists.
        let small = try ExpRegProcess.run(
            ["run", path, "--output", "out", "--db", db, "--set", "model.width=64"],
            in: dir.url, extraEnvironment: ["EXPREG_MEMORY_LIMIT": "300M"])
        #expect(small.status == 0, "stderr: \(small.stderr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: db))

        let refused = try ExpRegProcess.run(
            ["run", path, "--output", "out", "--db", db], in: dir.url,
            extraEnvironment: ["EXPREG_MEMORY_LIMIT": "300M"])
        #expect(refused.status == 2, "stderr: \(refused.stderr)")
        #expect(
            refused.stderr.contains("run #1 of experiment 'exp-width' (n=64, d=4, width=1048576) needs an estimated"))
        #expect(refused.stderr.contains("but the memory limit is 0.29 GiB (EXPREG_MEMORY_LIMIT); nothing was trained"))
        #expect(refused.stderr.contains("the widest run that fits is about width"))
        #expect(!refused.stderr.contains("Fatal error"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        #expect(try scalar(Int.self, db, "SELECT count(*) FROM batches") == 1)
        #expect(try scalar(Int.self, db, "SELECT count(*) FROM batches WHERE status = 'running'") == 0)

        // Two runs at once need twice the working set: refused with a hint about --parallel.
        let limit = String(Self.wideBytes + TrainingMemory.processOverheadBytes + (64 << 20))
        let one = try ExpRegProcess.run(
            ["validate", path], in: dir.url, extraEnvironment: ["EXPREG_MEMORY_LIMIT": limit])
        #expect(one.stdout.contains("every run fits") || !one.stdout.contains("(EXPREG_MEMORY_LIMIT)"))
        let parallel = try ExpRegProcess.run(
            ["run", path, "--output", "out", "--db", db, "--parallel", "2"],
            in: dir.url, extraEnvironment: ["EXPREG_MEMORY_LIMIT": limit])
        #expect(parallel.status == 2, "stderr: \(parallel.stderr)")
        #expect(parallel.stderr.contains("with 2 runs at once") && parallel.stderr.contains("--parallel"))
        #expect(try scalar(Int.self, db, "SELECT count(*) FROM batches") == 1)
    }

    @Test func aFreshArchiveIsNotEvenCreatedAndAMalformedLimitIsAUsageError() throws {
        let dir = TemporaryDirectory()
        let path = try writeManifest(Self.manifest, in: dir.url)
        let refused = try ExpRegProcess.run(
            ["run", path, "--output", "out", "--db", "out/archive.sqlite"], in: dir.url,
            extraEnvironment: ["EXPREG_MEMORY_LIMIT": "100M"])
        #expect(refused.status == 2, "stderr: \(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("out/archive.sqlite").path))
        for bad in ["lots", "-1G", "0", "12X"] {
            let result = try ExpRegProcess.run(
                ["run", path, "--output", "out", "--db", "out/archive.sqlite"],
                in: dir.url, extraEnvironment: ["EXPREG_MEMORY_LIMIT": bad])
            #expect(result.status == 2, "\(bad): \(result.stderr)")
            #expect(result.stderr.contains("EXPREG_MEMORY_LIMIT=\(bad) is not a size"))
        }
    }

    /// The process limit (ulimit -v) counts too: the child runs under /bin/sh with RLIMIT_AS set.
    @Test func theProcessAddressSpaceLimitIsRespected() throws {
        let dir = TemporaryDirectory()
        let path = try writeManifest(Self.manifest.replacingOccurrences(of: "1048576", with: "4194304"), in: dir.url)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // 1.5 GiB of address space: enough to start, far below the 2+ GiB the wide run needs.
        process.arguments = [
            "-c", "ulimit -v 1572864 && exec \"$0\" run \"$1\" --output out --db out/a.sqlite",
            ExpRegProcess.binary.path, path,
        ]
        process.currentDirectoryURL = dir.url
        // Materialise every run (a huge activation budget): the lean path would fit this width.
        process.environment = ExpRegProcess.environment.merging(["EXPREG_ACTIVATION_BUDGET": "1T"]) { $1 }
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2, "stderr: \(stderr)")
        #expect(stderr.contains("(RLIMIT_AS (ulimit -v))") && stderr.contains("nothing was trained"))
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("out/a.sqlite").path))
    }
}
