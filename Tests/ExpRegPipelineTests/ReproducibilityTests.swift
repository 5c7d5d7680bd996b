import ExpRegLinAlg
import ExpRegTestSupport
import Foundation
import GRDB
import Testing

/// The reproducibility contract end to end through the real binary: on one kernel path, every
/// number of results.json is bitwise the same whatever the thread count, `--parallel` or the
/// cores the process may use. `make test` runs this suite again under `EXPREG_KERNELS=generic`
/// (the child inherits the variable), so the fallback path is checked on every machine.
@Suite(.serialized)
struct ReproducibilityTests {
    /// n = 150 spans two 128-row tiles of X Xᵀ and width 2000 several neuron blocks, so the runs'
    /// threads really split the work; `auto` makes η = 1/λ_max(H(W(0))) go through LAPACK.
    static let manifest = """
        name: repro
        defaults:
          data: {source: sphere, n: 150, d: 8, labels: random, seed: 5}
          model: {activation: exp, width: 2000, init_scale: 1.0}
          train: {steps: 40, learning_rate: auto, target_loss: 0, log_every: 5, spectrum_every: 20}
        experiments:
          - name: exp
            sweep:
              model.width: [600, 2000]
          - name: relu
            model: {activation: relu}
        """

    /// This machine's `model name` from /proc/cpuinfo, read independently of the binary.
    static let cpuModel: String? = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
            let colon = line.firstIndex(of: ":")
        else { return nil }
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }()

    /// The run entries of a batch's results.json without their wall times (which are the only
    /// fields allowed to differ), and the batch entry.
    func runEntries(_ folder: URL) throws -> (runs: [JSONValue], batch: JSONValue) {
        let json = try JSONValue.parse(Data(contentsOf: folder.appendingPathComponent("latest/results.json")))
        let runs = try #require(json["runs"]?.array).map { run -> JSONValue in
            guard case .object(var fields) = run else { return run }
            for timing in ResultsContract.timingFields { fields[timing] = nil }
            return .object(fields)
        }
        return (runs, try #require(json["batch"]))
    }

    @Test(.tags(.slow), .skippedWhenFast) func resultsAreBitwiseIdenticalByDefaultWithParallel2AndOnOneCore() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(Self.manifest, in: dir.url)
        let variants: [(name: String, arguments: [String], launcher: [String])] = [
            ("default", [], []),
            ("parallel-2", ["--parallel", "2"], []),
            ("taskset-0", [], ["/usr/bin/taskset", "-c", "0"]),
        ]
        var entries: [(name: String, runs: [JSONValue])] = []
        for variant in variants {
            let result = try ExpRegProcess.run(
                [
                    "run", manifest, "--output", variant.name, "--db", "\(variant.name)/a.sqlite",
                    "--quiet",
                ] + variant.arguments, in: dir.url, launcher: variant.launcher)
            #expect(result.status == 0, "\(variant.name): \(result.stderr)")
            guard result.status == 0 else { return }
            let (runs, batch) = try runEntries(dir.url.appendingPathComponent(variant.name))
            #expect(runs.count == 3)
            #expect(runs.allSatisfy { $0["status"] == .string("completed") && $0["eta"]?.number != nil })
            #expect(batch["kernel_path"] == .string(TestKernels.path.rawValue), "\(variant.name)")
            #expect(batch["cpu_model"] == Self.cpuModel.map(JSONValue.string) ?? .null)
            #expect((batch["blas_core"]?.string ?? "").isEmpty == false, "blas_core is recorded")
            let archive = dir.url.appendingPathComponent("\(variant.name)/a.sqlite").path
            #expect(try scalar(String.self, archive, "SELECT kernel_path FROM batches") == TestKernels.path.rawValue)
            #expect(try scalar(String.self, archive, "SELECT blas_core FROM batches") == batch["blas_core"]?.string)
            entries.append((variant.name, runs))
        }
        // JSON numbers are written in the shortest form that reads back to the same Double, so
        // equal parsed values mean equal bits.
        for other in entries.dropFirst() {
            for (a, b) in zip(entries[0].runs, other.runs) {
                #expect(a == b, "\(other.name) differs from default in run \(a["run_key"]?.string?.prefix(12) ?? "?")")
            }
        }
    }

    @Test func anUnknownKernelPathExits2WithAClearMessage() throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(Self.manifest, in: dir.url)
        let unknown = try ExpRegProcess.run(
            ["run", manifest, "--output", "out", "--db", "out/a.sqlite", "--quiet"],
            in: dir.url, extraEnvironment: ["EXPREG_KERNELS": "sse9"])
        #expect(unknown.status == 2)
        #expect(
            unknown.stderr.contains("EXPREG_KERNELS=sse9 is not a kernel path; use auto, avx512, avx2 or generic"),
            "stderr: \(unknown.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("out/a.sqlite").path))
    }

    /// A kernel path this CPU lacks (where the CPU has every path there is none to ask for).
    static let missingPath = [KernelPath.avx512, .avx2].first { !$0.isAvailable }

    @Test(.skipped(because: missingPath == nil ? "this CPU runs every kernel path: none to refuse" : nil))
    func aKernelPathThisCPULacksExits2WithAClearMessage() throws {
        let missing = try #require(Self.missingPath).rawValue
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(Self.manifest, in: dir.url)
        let unavailable = try ExpRegProcess.run(
            ["run", manifest, "--output", "out", "--db", "out/a.sqlite", "--quiet"],
            in: dir.url, extraEnvironment: ["EXPREG_KERNELS": missing])
        #expect(unavailable.status == 2)
        #expect(unavailable.stderr.contains("which this CPU lacks"), "stderr: \(unavailable.stderr)")
    }
}
