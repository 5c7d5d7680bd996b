import ExpRegCore
import ExpRegTestSupport
import Foundation
import Testing

/// `expreg probe` end to end with the real binary: the JSON document's shape and its agreement with
/// the crossing rule, the table, dry runs, and the exit codes of bad input.
@Suite(.tags(.slow), .skippedWhenFast)
struct ProbeCommandTests {
    /// relu crosses within a few thousand neurons at n = 8 and 16 (about a second in all, debug build).
    static let manifest = """
        name: probe-small
        defaults:
          seed: 0
          data: {source: sphere, n: 8, d: 4, labels: random, seed: 0}
          model: {activation: relu, width: 1024, init_scale: 1.0}
        experiments:
          - name: relu-n
            sweep:
              data.n: [8, 16]
              model.width: [64, 128]
              seed: [0, 1, 2]
          - name: same-data
            sweep:
              seed: [0]
        """

    func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("--json: one document with every probe's curve, crossing and the n-law fit")
    func jsonDocument() throws {
        let dir = TemporaryDirectory()
        let path = try writeManifest(Self.manifest, in: dir.url)
        let result = try ExpRegProcess.run(["probe", path, "--json", "--threads", "2"], in: dir.url)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let document = try json(result.stdout)
        let probes = try #require(document["probes"] as? [[String: Any]])
        // 2 n × 3 seeds (model.width does not make a new probe) + the other experiment's probe.
        #expect(probes.count == 7)
        #expect(probes.map { $0["experiment"] as? String } == Array(repeating: "relu-n", count: 6) + ["same-data"])
        for probe in probes {
            for key in ["experiment", "activation", "n", "d", "seed", "lambda_star", "crossing_width", "curve"] {
                #expect(probe.keys.contains(key), "missing \(key)")
            }
            let lambdaStar = try #require(probe["lambda_star"] as? Double)
            let curve = try #require(probe["curve"] as? [[String: Any]])
            let widths = curve.compactMap { $0["width"] as? Int }
            let distances = curve.compactMap { $0["gram_distance"] as? Double }
            #expect(widths == Array(ProbeGrid.widths(upTo: widths.last ?? 0)))
            #expect(distances.count == widths.count)
            // The crossing recomputed from the curve alone: the start of the final run below λ*/4.
            let holds = distances.map { $0 <= lambdaStar / 4 }
            let expected = holds.last == true ? widths[(holds.lastIndex(of: false) ?? -1) + 1] : nil
            #expect(probe["crossing_width"] as? Int == expected)
            #expect(expected != nil, "relu at n ≤ 16 crosses well below the default maximum")
            #expect(probe["stop"] as? String == "margin")
            #expect(holds.suffix(9).allSatisfy { $0 })  // the default margin: 2 octaves = 9 checkpoints
        }
        // The same probe in two experiments: computed once, the same numbers.
        #expect((probes[0]["curve"] as? NSArray) == (probes[6]["curve"] as? NSArray))
        #expect(result.stderr.components(separatedBy: "crossing at width").count - 1 == 6)
        let fits = try #require(document["fits"] as? [[String: Any]])
        #expect(fits.count == 1)
        let fit = fits[0]
        #expect(fit["activation"] as? String == "relu")
        #expect(fit["experiment"] as? String == "relu-n")
        #expect((fit["exponent"] as? Double)?.isFinite == true)
        let interval = try #require(fit["interval"] as? [Double])
        #expect(interval.count == 2 && interval[0] <= interval[1])
        #expect(fit["points"] as? Int == 6)
        #expect(fit["d"] as? Int == 4)
        #expect(document["stream"] as? String == "probe-w0-1")
        #expect(document["max_width"] as? Int == ProbeOptions.defaultMaxWidth)
    }

    @Test("a maximum below the crossing: crossing_width is null, the stop says why, the table says so")
    func notReached() throws {
        let dir = TemporaryDirectory()
        let path = try writeManifest(Self.manifest, in: dir.url)
        let capped = try ExpRegProcess.run(
            ["probe", path, "--json", "--max-width", "40", "--set", "data.n=16", "--set", "model.activation=exp"],
            in: dir.url)
        #expect(capped.status == 0, "stderr: \(capped.stderr)")
        let document = try json(capped.stdout)
        let probes = try #require(document["probes"] as? [[String: Any]])
        #expect(probes.count == 4)
        for probe in probes {
            #expect(probe.keys.contains("crossing_width") && probe["crossing_width"] is NSNull)
            #expect(probe["stop"] as? String == "max_width")
            #expect((probe["curve"] as? [Any])?.count == 6)  // 16 … 38
        }
        #expect((document["fits"] as? [Any])?.isEmpty == true)
        let table = try ExpRegProcess.run(
            ["probe", path, "--max-width", "40", "--set", "data.n=16", "--set", "model.activation=exp"], in: dir.url)
        #expect(table.status == 0)
        #expect(table.stdout.contains("crossing m_c") && table.stdout.contains("not reached"))
        #expect(table.stdout.contains("Fits m_c ≈ c·n^e: none"))
        #expect(table.stderr.contains("not reached by width 38"))
    }

    @Test("--dry-run estimates flops, time and memory and probes nothing")
    func dryRun() throws {
        let dir = TemporaryDirectory()
        let path = try writeManifest(Self.manifest, in: dir.url)
        let text = try ExpRegProcess.run(["probe", path, "--dry-run"], in: dir.url)
        #expect(text.status == 0, "stderr: \(text.stderr)")
        #expect(text.stdout.contains("Probe plan for \(path): 7 probes (6 distinct)"))
        #expect(text.stdout.contains("same probe as #0"))
        #expect(text.stdout.contains("GFLOP/s"))
        #expect(text.stdout.contains("Memory: peak per probe"))
        #expect(!text.stderr.contains("crossing at width"))
        let limited = try ExpRegProcess.run(
            ["probe", path, "--dry-run", "--json"], in: dir.url, extraEnvironment: ["EXPREG_MEMORY_LIMIT": "100M"])
        #expect(limited.status == 0)
        let document = try json(limited.stdout)
        #expect(document["dry_run"] as? Bool == true)
        #expect(document["fits_memory"] as? Bool == false)
        let probes = try #require(document["probes"] as? [[String: Any]])
        let bytes = ProbeMemory.bytes(n: 16, d: 4, threads: 2)
        #expect(
            probes.contains { $0["memory_bytes"] as? Int == bytes } || ProcessInfo.processInfo.activeProcessorCount != 2
        )
        #expect(probes.allSatisfy { ($0["seconds_upper_bound"] as? Double).map { $0 >= 0 } == true })
    }

    @Test("bad input exits 2 with the reason; nothing is printed on stdout")
    func badInput() throws {
        let dir = TemporaryDirectory()
        let good = try writeManifest(Self.manifest, in: dir.url)
        let broken = try writeManifest(
            "name: broken\nexperiments:\n  - name: a\n    model: {activation: tanh}\n", named: "bad.yaml", in: dir.url)
        let cases: [([String], [String: String], String)] = [
            (["probe", broken], [:], "bad.yaml:4:"),
            (["probe", "missing.yaml"], [:], "cannot read the manifest"),
            (["probe", good, "--max-width", "8"], [:], "--max-width must be at least 16"),
            (["probe", good, "--margin=-1"], [:], "--margin must be at least 0"),
            (["probe", good, "--threads", "0"], [:], "--threads must be at least 1"),
            (["probe", good, "--set", "data.n=0"], [:], "data.n"),
            (["probe", good], ["EXPREG_MEMORY_LIMIT": "100M"], "nothing was probed"),
            (["probe", good], ["EXPREG_KERNELS": "sse9"], "EXPREG_KERNELS=sse9"),
        ]
        for (arguments, environment, message) in cases {
            let result = try ExpRegProcess.run(arguments, in: dir.url, extraEnvironment: environment)
            #expect(result.status == 2, "\(arguments): exit \(result.status), stderr: \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(arguments): \(result.stdout)")
            #expect(!result.stderr.contains("Fatal error"))
        }
    }

    @Test("SIGINT stops a probe: exit 130, nothing on stdout")
    func interrupted() throws {
        let dir = TemporaryDirectory()
        let path = try writeManifest(Self.manifest, in: dir.url)
        // exp at n = 256 with --margin 20 runs for minutes in a debug build.
        let running = try ExpRegProcess.start(
            ["probe", path, "--json", "--set", "data.n=256", "--set", "model.activation=exp", "--margin", "20"],
            in: dir.url)
        usleep(1_500_000)
        kill(running.pid, SIGINT)
        let result = running.wait(timeout: 120)
        #expect(result.status == 130, "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("interrupted during [1/4]"))
    }

    @Test("validate shows what expreg probe would cost on the same manifest")
    func validateLine() throws {
        let dir = TemporaryDirectory()
        let path = try writeManifest(Self.manifest, in: dir.url)
        let result = try ExpRegProcess.run(["validate", path], in: dir.url)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("Probe (expreg probe, widths up to 67,108,864): 7 probes (6 distinct), ≤ "))
        #expect(result.stdout.split(separator: "\n").last?.hasPrefix("Memory limit:") == true)
    }

    @Test("csv data as run trains on it; sphere labels do not change the points, so not the probe")
    func dataSources() throws {
        let dir = TemporaryDirectory()
        // Six rows of dimension 3, normalised by the loader (normalize: true).
        let rows = ["x1,x2,x3,y", "3,0,4,1", "0,2,0,0", "1,1,1,2", "-1,2,0.5,1", "0,-3,1,0", "2,-1,-2,1"]
        try (rows.joined(separator: "\n") + "\n").write(
            to: dir.url.appendingPathComponent("points.csv"), atomically: true, encoding: .utf8)
        let path = try writeManifest(
            """
            name: probe-data
            defaults:
              seed: 3
              data: {source: sphere, n: 12, d: 3, labels: random, seed: 4}
              model: {activation: relu, width: 64, init_scale: 1.0}
            experiments:
              - name: from-csv
                data: {source: csv, path: points.csv, normalize: true}
              - name: random-labels
              - name: teacher-labels
                data: {labels: teacher}
            """, in: dir.url)
        let result = try ExpRegProcess.run(["probe", path, "--json", "--max-width", "4096"], in: dir.url)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let probes = try #require(try json(result.stdout)["probes"] as? [[String: Any]])
        #expect(probes.count == 3)
        #expect(probes[0]["data_source"] as? String == "csv")
        #expect(probes[0]["data_path"] as? String == "points.csv")
        #expect(probes[0]["n"] as? Int == 6 && probes[0]["d"] as? Int == 3)
        #expect(probes[0]["labels"] is NSNull && probes[0]["data_seed"] is NSNull)
        #expect(probes[1]["labels"] as? String == "random" && probes[2]["labels"] as? String == "teacher")
        // Two distinct probes by data config, but the same points (labels are drawn after X): equal curves.
        #expect((probes[1]["curve"] as? NSArray) == (probes[2]["curve"] as? NSArray))
        #expect((probes[0]["curve"] as? NSArray) != (probes[1]["curve"] as? NSArray))
    }
}
