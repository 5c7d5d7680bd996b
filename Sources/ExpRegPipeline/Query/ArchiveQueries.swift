import ExpRegCore
import ExpRegStore
import Foundation

/// Read-only commands over the archive: `history`, `export`, and batch selection for `report`.
public enum ArchiveQueries {
    /// A reader session on an existing archive (never changing its bytes; immutable on a read-only
    /// mount); a missing file or a bad `--db` is invalid input (exit 2). Keep the session while its
    /// archive is used; close it when done.
    public static func openExisting(_ path: String) throws -> ArchiveSession {
        try ArchiveAccess.existing(path)
    }

    /// The session of `expreg report`: a writer (to record the rebuilt files' checksums) only when
    /// the report goes to the archive's own output root, file and folder are writable and no other
    /// process writes the archive; a reader otherwise (`--output` elsewhere, a read-only mount, an
    /// `expreg run` in progress), never changing it. An output root owned by another archive is
    /// refused (exit 2).
    public static func openForReport(_ path: String, outputRoot: String) throws -> ArchiveSession {
        let layout = OutputLayout(root: URL(fileURLWithPath: outputRoot))
        try ArchivePathCheck.validate(path)
        let real = realPath(path)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let ownRoot =
            (realPath(folder) != nil && realPath(folder) == realPath(outputRoot))
            || ((try? layout.owner()) ?? nil).map { $0 == real } == true
        let writable = access(path, W_OK) == 0 && access(folder, W_OK) == 0
        return try ArchiveAccess.existing(
            path, access: ownRoot && writable ? .writeWhenFree : .read, output: .check(layout))
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Resolves `latest` or an id to an archived batch id.
    public static func resolveBatch(_ selector: String, in archive: Archive) throws -> String {
        if selector == "latest" {
            guard let id = try archive.latestBatchID() else {
                throw PipelineError.invalid("the archive has no batches yet")
            }
            return id
        }
        guard try archive.snapshot(batchID: selector) != nil else {
            throw PipelineError.invalid(
                "no batch '\(selector)' in archive \(archive.path) (see `expreg history --db \(shellQuoted(archive.path))`)"
            )
        }
        return selector
    }

    /// Headlines of the newest `limit` batches, newest first.
    ///
    /// Uses the archive's per-manifest headline query (status, losses, λ*, gates only) rather than
    /// loading every batch's curves and spectra.
    public static func history(_ archive: Archive, limit: Int?) throws -> [BatchHeadline] {
        let listed = try archive.batches(limit: limit)
        var byID: [String: BatchHeadline] = [:]
        for name in Set(listed.map(\.manifestName)) {
            for headline in try archive.headlines(manifestName: name) { byID[headline.batchID] = headline }
        }
        return listed.compactMap { byID[$0.id] }
    }

    /// Gates are evaluated once every run of a batch is archived, when it becomes `completed`; a
    /// running, partial or failed batch has no gate results (shown `-`, never `pass`).
    static func gatesEvaluated(_ headline: BatchHeadline) -> Bool {
        headline.status == .completed
    }

    /// Ids of completed batches whose reports were not all written (see
    /// ``Archive/unpublishedBatchIDs()``): history shows them `unpublished`, not `completed`.
    public static func unpublished(_ archive: Archive) throws -> Set<String> {
        Set(try archive.unpublishedBatchIDs())
    }

    /// The status shown for a batch: its archived status, or `unpublished` for a completed batch
    /// whose reports were cut short.
    static func shownStatus(_ headline: BatchHeadline, unpublished: Set<String>) -> String {
        headline.status == .completed && unpublished.contains(headline.batchID)
            ? "unpublished" : headline.status.rawValue
    }

    /// A fixed-width text table of headlines.
    public static func historyTable(_ headlines: [BatchHeadline], unpublished: Set<String> = []) -> String {
        var rows = [
            [
                "batch", "status", "runs", "converged", "diverged", "gates", "median loss exp", "median loss relu",
                "lambda* exp", "lambda* relu",
            ]
        ]
        for h in headlines {
            rows.append([
                h.batchID, shownStatus(h, unpublished: unpublished), String(h.runs), String(h.converged),
                String(h.broken),
                !gatesEvaluated(h) ? "-" : h.gatesPassed ? "pass" : "FAIL",
                h.medianFinalLoss["exp"].map { formatScientific($0, digits: 2) } ?? "-",
                h.medianFinalLoss["relu"].map { formatScientific($0, digits: 2) } ?? "-",
                h.lambdaStar["exp"].map { formatScientific($0, digits: 3) } ?? "-",
                h.lambdaStar["relu"].map { formatScientific($0, digits: 3) } ?? "-",
            ])
        }
        let widths = (0..<rows[0].count).map { col in rows.map { $0[col].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
    }

    /// JSON lines-free array of headlines (stable keys).
    public static func historyJSON(_ headlines: [BatchHeadline], unpublished: Set<String> = []) throws -> Data {
        // swift-format-ignore: AlwaysUseLowerCamelCase
        // The property names are the JSON keys of `history --json`.
        struct Row: Encodable {
            var batch_id: String, manifest_name: String, started_at: String, status: String, published: Bool
            var runs: Int, converged: Int, diverged: Int, gates_evaluated: Bool, gates_passed: Bool
            var median_final_loss: [String: Double], lambda_star: [String: Double]
        }
        let rows = headlines.map {
            Row(
                batch_id: $0.batchID, manifest_name: $0.manifestName,
                started_at: ResultsDocument.timestamp($0.startedAt), status: $0.status.rawValue,
                published: $0.status == .completed && !unpublished.contains($0.batchID), runs: $0.runs,
                converged: $0.converged, diverged: $0.broken, gates_evaluated: gatesEvaluated($0),
                gates_passed: gatesEvaluated($0) && $0.gatesPassed,
                median_final_loss: $0.medianFinalLoss, lambda_star: $0.lambdaStar)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(rows) + Data("\n".utf8)
    }

    /// `export --format csv`: one row per run with its params and every diagnostic.
    public static func exportCSV(_ snapshot: BatchSnapshot) -> String {
        let document = ResultsDocument(snapshot: snapshot)
        let paramKeys = Array(Set(document.runs.flatMap { $0.params.keys })).sorted()
        let diagnostics = DiagnosticField.allCases
        let fixed =
            [
                "batch_id", "run_key", "experiment", "status", "steps_run", "eta", "loss_initial", "loss_final",
            ] + diagnostics.map(\.rawValue) + [
                "train_mse", "test_mse", "kernel_test_mse", "ntk_test_mse", "wall_seconds", "error",
            ]
        var lines = [(fixed + paramKeys).map(csvField).joined(separator: ",")]
        for run in document.runs {
            func num(_ v: Double?) -> String { v.map { "\($0)" } ?? "" }
            func field(_ value: DiagnosticValue) -> String {
                switch value {
                case .real(let v): num(v)
                case .count(let v): v.map(String.init) ?? ""
                case .flag(let v): v.map { $0 ? "true" : "false" } ?? ""
                }
            }
            var fields = [
                document.batch.id, run.runKey, run.experiment, run.status, String(run.stepsRun),
                num(run.eta), num(run.lossInitial), num(run.lossFinal),
            ]
            fields += diagnostics.map { field(run.diagnostics[$0]) }
            fields += [
                num(run.trainMSE), num(run.testMSE), num(run.kernelTestMSE), num(run.ntkTestMSE), "\(run.wallSeconds)",
                run.error ?? "",
            ]
            fields += paramKeys.map { run.params[$0]?.description ?? "" }
            lines.append(fields.map(csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// RFC 4180 quoting when needed.
    static func csvField(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
