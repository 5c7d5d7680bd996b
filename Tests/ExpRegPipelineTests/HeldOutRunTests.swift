import ExpRegTestSupport
import Foundation
import GRDB
import Testing

/// `expreg run` with a held-out csv through the real binary, a real archive and the real templates.
@Suite(.serialized)
struct HeldOutRunTests {
    /// `x1..x4,y` rows of points on a curve (normalised by the loader), y = sin(3 x1).
    static func csv(points: Int, phase: Double) -> String {
        var text = "x1,x2,x3,x4,y\n"
        for i in 0..<points {
            let t = Double(i) * 0.7 + phase
            let x = [cos(t), sin(t), cos(2.3 * t) + 0.5, sin(1.7 * t)]
            let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
            text += (x.map { "\($0)" } + ["\(sin(3 * x[0] / norm))"]).joined(separator: ",") + "\n"
        }
        return text
    }

    static let manifest = """
        name: heldout-e2e
        defaults:
          data: {source: csv, path: data/train.csv, test_path: data/test.csv}
          model: {activation: exp, init_scale: 0.5}
          train: {steps: 120, learning_rate: auto, target_loss: 1.0e-8, log_every: 20, spectrum_every: 0}
        experiments:
          - name: exp
            sweep: {model.width: [64, 256], seed: [0, 1]}
          - name: relu
            model: {activation: relu}
            sweep: {model.width: [64, 256]}
        """

    @Test func heldOutErrorsAreArchivedReportedAndSummarised() throws {
        let dir = TemporaryDirectory()
        let data = dir.url.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try Self.csv(points: 20, phase: 0).write(
            to: data.appendingPathComponent("train.csv"), atomically: true, encoding: .utf8)
        try Self.csv(points: 30, phase: 0.31).write(
            to: data.appendingPathComponent("test.csv"), atomically: true, encoding: .utf8)
        let manifest = try writeManifest(Self.manifest, in: dir.url)
        let result = try ExpRegProcess.run(
            ["run", manifest, "--output", "out", "--db", "out/archive.sqlite"], in: dir.url)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let folder = dir.url.appendingPathComponent("out/latest").resolvingSymlinksInPath()

        // results.json: the contract, and the three test MSEs of every run.
        let json = try JSONValue.parse(Data(contentsOf: folder.appendingPathComponent("results.json")))
        try ResultsContract.validate(json)
        let runs = try #require(json["runs"]?.array)
        #expect(runs.count == 6)
        for run in runs {
            for field in ["train_mse", "test_mse", "kernel_test_mse", "ntk_test_mse"] {
                #expect((run[field]?.number ?? -1) >= 0, "\(field) missing in \(run["experiment"] ?? .null)")
            }
            #expect(run["params"]?["data.test_n"] == .number(30))
        }
        // The NTK interpolant depends only on the data and the activation: one value per activation,
        // computed by the same code from the same inputs (bitwise, not a tolerance).
        for activation in ["exp", "relu"] {
            let values = Set(
                runs.filter { $0["params"]?["model.activation"] == .string(activation) }
                    .compactMap { $0["ntk_test_mse"]?.number })
            #expect(values.count == 1, "\(activation): \(values)")
        }

        // The archive holds them (v2-heldout columns).
        let db = dir.url.appendingPathComponent("out/archive.sqlite").path
        #expect(
            try scalar(
                Int.self, db,
                "SELECT count(*) FROM diagnostics WHERE test_mse IS NOT NULL "
                    + "AND kernel_test_mse IS NOT NULL AND ntk_test_mse IS NOT NULL AND train_mse IS NOT NULL") == 6)

        // export --format csv carries the four columns.
        let csv = try ExpRegProcess.run(["export", "--db", "out/archive.sqlite", "--format", "csv"], in: dir.url)
        #expect(csv.status == 0)
        let header = csv.stdout.split(separator: "\n").first.map { $0.split(separator: ",").map(String.init) } ?? []
        for column in ["train_mse", "test_mse", "kernel_test_mse", "ntk_test_mse"] {
            #expect(header.contains(column), "\(column)")
        }

        // Report section, figure and summary.
        let report = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("## 汎化(テストデータ)"))
        #expect(report.contains("](plots/generalization.png)"))
        let html = try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("<h2>汎化(テストデータ)</h2>"))
        #expect(html.contains("id=\"figure-generalization\""))
        for file in ["generalization.png", "generalization.svg"] {
            #expect(
                FileManager.default.fileExists(atPath: folder.appendingPathComponent("plots/\(file)").path), "\(file)")
        }
        let summary = try String(contentsOf: folder.appendingPathComponent("summary.ja.md"), encoding: .utf8)
        #expect(!summary.contains("未知データへの汎化性能は評価していません"))
        #expect(summary.contains("テストデータ(30 点)"))
        #expect(summary.contains("定理の対象外"))
        #expect(summary.contains("カーネル理論の予測"))
    }
}
