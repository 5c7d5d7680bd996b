import ExpRegCore
import ExpRegStore
import Foundation

/// Read-only commands over the archive: `history`, `export`, and batch selection for `report`.
public enum ArchiveQueries {
    /// Opens an existing archive for reading; a missing file is invalid input (exit 2).
    public static func openExisting(_ path: String) throws -> Archive {
        guard FileManager.default.fileExists(atPath: path) else {
            throw PipelineError.invalid("no archive at \(path) (run `expreg run` first, or pass --db)")
        }
        return try openArchive(path)
    }

    /// Resolves `latest` or an id to an archived batch id.
    public static func resolveBatch(_ selector: String, in archive: Archive) throws -> String {
        if selector == "latest" {
            guard let id = try archive.latestBatchID() else { throw PipelineError.invalid("the archive has no batches yet") }
            return id
        }
        guard try archive.snapshot(batchID: selector) != nil else {
            throw PipelineError.invalid("no batch '\(selector)' in the archive (see `expreg history`)")
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

    /// A fixed-width text table of headlines.
    public static func historyTable(_ headlines: [BatchHeadline]) -> String {
        var rows = [["batch", "status", "runs", "converged", "diverged", "gates", "median loss exp", "median loss relu", "lambda* exp", "lambda* relu"]]
        for h in headlines {
            rows.append([
                h.batchID, h.status.rawValue, String(h.runs), String(h.converged), String(h.diverged),
                h.gatesPassed ? "pass" : "FAIL",
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
    public static func historyJSON(_ headlines: [BatchHeadline]) throws -> Data {
        struct Row: Encodable {
            var batch_id: String, manifest_name: String, started_at: String, status: String
            var runs: Int, converged: Int, diverged: Int, gates_passed: Bool
            var median_final_loss: [String: Double], lambda_star: [String: Double]
        }
        let rows = headlines.map {
            Row(batch_id: $0.batchID, manifest_name: $0.manifestName,
                started_at: ResultsDocument.timestamp($0.startedAt), status: $0.status.rawValue, runs: $0.runs,
                converged: $0.converged, diverged: $0.diverged, gates_passed: $0.gatesPassed,
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
        let fixed = ["batch_id", "run_key", "experiment", "status", "steps_run", "eta", "loss_initial", "loss_final",
                     "lambda_star", "lambda_max_star", "lambda_min_init", "lambda_min_final", "gram_distance_init",
                     "gram_distance_final", "predicted_rate", "observed_rate", "envelope_violations",
                     "kernel_prediction_final_loss", "width_condition_met", "max_weight_movement",
                     "max_preactivation", "train_mse", "test_mse", "kernel_test_mse", "ntk_test_mse",
                     "wall_seconds", "error"]
        var lines = [(fixed + paramKeys).map(csvField).joined(separator: ",")]
        for run in document.runs {
            func num(_ v: Double?) -> String { v.map { "\($0)" } ?? "" }
            var fields = [document.batch.id, run.runKey, run.experiment, run.status, String(run.stepsRun),
                          num(run.eta), num(run.lossInitial), num(run.lossFinal), num(run.lambdaStar),
                          num(run.lambdaMaxStar), num(run.lambdaMinInit), num(run.lambdaMinFinal),
                          num(run.gramDistanceInit), num(run.gramDistanceFinal), num(run.predictedRate),
                          num(run.observedRate), run.envelopeViolations.map(String.init) ?? "",
                          num(run.kernelPredictionFinalLoss), run.widthConditionMet.map { $0 ? "true" : "false" } ?? "",
                          num(run.maxWeightMovement), num(run.maxPreactivation), num(run.trainMSE), num(run.testMSE),
                          num(run.kernelTestMSE), num(run.ntkTestMSE), "\(run.wallSeconds)", run.error ?? ""]
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
