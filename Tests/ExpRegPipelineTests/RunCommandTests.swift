import ExpRegCore
import ExpRegTestSupport
import Foundation
import GRDB
import Testing

/// End-to-end tests of `expreg run` through the real binary, a real SQLite file and real templates.
@Suite(.serialized)
struct RunCommandTests {
    static let tinyManifest = """
        name: tiny
        title: 小さな検証
        defaults:
          data: {source: sphere, n: 12, d: 4, labels: teacher, seed: 3}
          model: {activation: exp, width: 64, init_scale: 0.7}
          train: {steps: 150, learning_rate: auto, target_loss: 1.0e-4, log_every: 10, spectrum_every: 50}
        experiments:
          - name: exp-width
            sweep:
              model.width: [32, 128]
              seed: [0, 1]
          - name: relu
            model: {activation: relu}
            sweep:
              model.width: [32, 128]
        gates:
          max_diverged: 0
        """

    @Test func runWritesArchiveResultsPlotsAndReports() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(Self.tinyManifest, in: dir.url)
        let result = try ExpRegProcess.run(
            [
                "run", manifest, "--output", "out", "--db", "out/archive.sqlite",
                "--set", "train.log_every=5",
            ], in: dir.url)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let latest = dir.url.appendingPathComponent("out/latest")
        let folder = latest.resolvingSymlinksInPath()
        for file in ["results.json", "report.md", "report.html", "summary.ja.md"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), "\(file) missing")
        }
        #expect(result.stdout.contains("report: "))
        #expect(result.stdout.contains("report.html"))
        let plots = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("plots").path)
        #expect(plots.contains { $0.hasSuffix(".png") })
        #expect(plots.contains { $0.hasSuffix(".svg") })

        // results.json follows the contract, and --set is applied and recorded.
        let json = try JSONValue.parse(Data(contentsOf: folder.appendingPathComponent("results.json")))
        try ResultsContract.validate(json)
        let runs = try #require(json["runs"]?.array)
        #expect(runs.count == 6)
        for run in runs {
            #expect(run["params"]?["train.log_every"] == .number(5))
        }
        #expect(json["batch"]?["status"] == .string("completed"))
        #expect(json["batch"]?["overrides"] == .array([.string("train.log_every=5")]))
        // Every trained run has its cost: working set, flops, and wall time split by phase.
        for run in runs {
            let width = try #require(run["params"]?["model.width"]?.number)
            #expect(run["memory_bytes"]?.number == Double(TrainingMemory.bytes(n: 12, d: 4, m: Int(width))))
            #expect((run["flops"]?.number ?? 0) > 0)
            let training = try #require(run["training_seconds"]?.number)
            let spectra = try #require(run["spectra_seconds"]?.number)
            #expect(training > 0 && spectra > 0 && training + spectra <= (run["wall_seconds"]?.number ?? 0))
        }
        // The width analysis: one group per experiment here (exp-width over 2 seeds, relu over 1).
        let groups = try #require(json["analysis"]?["width_scaling"]?.array)
        #expect(groups.map { $0["experiment"]?.string } == ["exp-width", "relu"])
        #expect(groups.first?["widths"] == .array([.number(32), .number(128)]))
        #expect(
            try scalar(
                Int.self, dir.url.appendingPathComponent("out/archive.sqlite").path,
                "SELECT count(*) FROM width_scaling") == 2)

        // The archive is sound and holds the overrides.
        #expect(
            try scalar(
                String.self, dir.url.appendingPathComponent("out/archive.sqlite").path,
                "PRAGMA integrity_check") == "ok")
    }

    @Test(.tags(.slow), .skippedWhenFast) func reportIsRebuiltByteIdenticalFromTheArchive() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(Self.tinyManifest, in: dir.url)
        let first = try ExpRegProcess.run(
            ["run", manifest, "--output", "out", "--db", "out/a.sqlite", "--quiet"], in: dir.url)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let folder = dir.url.appendingPathComponent("out/latest").resolvingSymlinksInPath()
        let names = ["results.json", "report.md", "report.html", "summary.ja.md"]
        let before = try names.map { try Data(contentsOf: folder.appendingPathComponent($0)) }
        let again = try ExpRegProcess.run(["report", "--db", "out/a.sqlite", "--output", "out"], in: dir.url)
        #expect(again.status == 0, "stderr: \(again.stderr)")
        let after = try names.map { try Data(contentsOf: folder.appendingPathComponent($0)) }
        for (name, (a, b)) in zip(names, zip(before, after)) {
            #expect(a == b, "\(name) changed when re-reported")
        }
        // history and export read the same archive.
        let history = try ExpRegProcess.run(["history", "--db", "out/a.sqlite", "--json"], in: dir.url)
        #expect(history.status == 0)
        #expect(try JSONValue.parse(Data(history.stdout.utf8)).array?.count == 1)
        let csv = try ExpRegProcess.run(["export", "--db", "out/a.sqlite", "--format", "csv"], in: dir.url)
        #expect(csv.status == 0)
        #expect(csv.stdout.split(separator: "\n").count == 7)
        let exported = try ExpRegProcess.run(["export", "--db", "out/a.sqlite", "--format", "json"], in: dir.url)
        #expect(Data(exported.stdout.utf8) == before[0])
    }

    @Test func divergingRunIsArchivedAndTheGateFailsWithExit3() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(
            """
            name: blowup
            defaults:
              data: {source: sphere, n: 8, d: 4, seed: 2}
              model: {activation: exp, width: 32}
              train: {steps: 100, learning_rate: 0.01, log_every: 5, spectrum_every: 0}
            experiments:
              - name: sane
              - name: eta-too-large
                train: {learning_rate: 1000.0}
            gates:
              max_diverged: 0
            """, in: dir.url)
        let result = try ExpRegProcess.run(["run", manifest, "--output", "out", "--db", "out/a.sqlite"], in: dir.url)
        #expect(result.status == 3, "stderr: \(result.stderr)")
        let folder = dir.url.appendingPathComponent("out/latest").resolvingSymlinksInPath()
        let json = try JSONValue.parse(Data(contentsOf: folder.appendingPathComponent("results.json")))
        let runs = try #require(json["runs"]?.array)
        let statuses = Dictionary(
            uniqueKeysWithValues: runs.map { ($0["experiment"]?.string ?? "", $0["status"]?.string ?? "") })
        #expect(statuses["eta-too-large"] == "diverged")
        #expect(statuses["sane"] == "converged" || statuses["sane"] == "completed")
        let diverged = try #require(runs.first { $0["experiment"]?.string == "eta-too-large" })
        #expect(diverged["error"]?.string?.isEmpty == false)
        let gates = try #require(json["gates"]?.array)
        #expect(gates.contains { $0["name"]?.string == "max_diverged" && $0["passed"]?.bool == false })
    }

    @Test func csvDataRelativeToTheManifestTrainsEndToEnd() throws {
        let dir = TemporaryDirectory()
        let manifest = Fixtures.directory.appendingPathComponent("manifests/valid/csv.yaml").path
        let result = try ExpRegProcess.run(
            ["run", manifest, "--output", "out", "--db", "out/a.sqlite", "--quiet"], in: dir.url)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let folder = dir.url.appendingPathComponent("out/latest").resolvingSymlinksInPath()
        let json = try JSONValue.parse(Data(contentsOf: folder.appendingPathComponent("results.json")))
        try ResultsContract.validate(json)
        let runs = try #require(json["runs"]?.array)
        #expect(runs.count == 2)
        #expect(
            runs.allSatisfy { $0["params"]?["data.source"] == .string("csv") && $0["status"]?.string == "converged" })
    }

    @Test func helpDocumentsEveryCommandAndTheExitCodes() throws {
        let dir = TemporaryDirectory()
        let help = try ExpRegProcess.run(["--help"], in: dir.url)
        #expect(help.status == 0)
        for word in ["run", "validate", "report", "history", "export", "bench", "Exit codes", "130", "--resume"] {
            #expect(help.stdout.contains(word), "help lacks \(word)")
        }
    }

    @Test func usageErrorsExit2() throws {
        let dir = TemporaryDirectory()
        let noManifest = try ExpRegProcess.run(["run"], in: dir.url)
        #expect(noManifest.status == 2)
        let badFlag = try ExpRegProcess.run(["history", "--limit", "0"], in: dir.url)
        #expect(badFlag.status == 2)
        let missingArchive = try ExpRegProcess.run(["history", "--db", "nope.sqlite"], in: dir.url)
        #expect(missingArchive.status == 2)
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("nope.sqlite").path))
        let badRepeats = try ExpRegProcess.run(["bench", "--gram-repeats", "0"], in: dir.url)
        #expect(badRepeats.status == 2 && badRepeats.stderr.contains("--gram-repeats"))
    }
}
