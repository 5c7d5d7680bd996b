import ExpRegCore
import Foundation

/// What a webhook is told about a batch: Slack/Mattermost-compatible `{"text": …}` plus ExpReg's
/// own fields, all at the top level of one JSON object (keys sorted):
///
/// ```json
/// {"batch_id": "20261130T020000Z-nightly-exp", "conclusion": "結論: 全24件が…", "exit_code": 3,
///  "failed_gates": [{"detail": "2 runs diverged (limit 0)", "name": "max_diverged"}],
///  "manifest": "nightly-exp", "report": "/srv/expreg/output/20261130T020000Z-nightly-exp/report.html",
///  "status": "completed", "text": "ExpReg nightly-exp: gate failed (exit 3) …"}
/// ```
/// `conclusion` is the summary's 結論 sentence as rendered when the batch was published
/// (``RenderedReport/conclusion``, from the templates); it and `report` are null when the batch
/// has no report (interrupted, or publishing failed).
public struct BatchNotice: Sendable, Equatable, Encodable {
    public struct FailedGate: Sendable, Equatable, Encodable {
        public var name: String
        public var detail: String
    }

    public var batchID: String
    public var manifest: String
    /// The archived batch status (`completed`, `partial`, …).
    public var status: String
    public var exitCode: Int32
    public var conclusion: String?
    public var failedGates: [FailedGate]
    /// Absolute path of the batch's report.html, when it exists.
    public var report: String?

    /// One line per fact: verdict, conclusion, failed gates, report path.
    public var text: String {
        var lines = ["ExpReg \(manifest): \(Self.verdict(exitCode)) (exit \(exitCode)), batch \(batchID)"]
        if let conclusion { lines.append(conclusion) }
        if !failedGates.isEmpty {
            lines.append("failed gates: " + failedGates.map { "\($0.name) (\($0.detail))" }.joined(separator: ", "))
        }
        if let report { lines.append("report: \(report)") }
        return lines.joined(separator: "\n")
    }

    /// `passed`, `gate failed`, `interrupted` or `failed`, from the exit code.
    static func verdict(_ exitCode: Int32) -> String {
        switch ExitStatus(rawValue: exitCode) {
        case .success: return "passed"
        case .gateFailed: return "gate failed"
        case .interrupted, .terminated: return "interrupted"
        default: return "failed"
        }
    }

    enum CodingKeys: String, CodingKey {
        case text
        case batchID = "batch_id"
        case manifest, status
        case exitCode = "exit_code"
        case conclusion
        case failedGates = "failed_gates"
        case report
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(text, forKey: .text)
        try container.encode(batchID, forKey: .batchID)
        try container.encode(manifest, forKey: .manifest)
        try container.encode(status, forKey: .status)
        try container.encode(exitCode, forKey: .exitCode)
        try container.encode(conclusion, forKey: .conclusion)
        try container.encode(failedGates, forKey: .failedGates)
        try container.encode(report, forKey: .report)
    }

    /// The UTF-8 JSON body.
    public func jsonBody() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// The notice of an archived batch: its gates from the snapshot, the conclusion its publication
    /// rendered (nil when it was not published), its report path from the batch folder.
    init(snapshot: BatchSnapshot, exitCode: Int32, conclusion: String?, layout: OutputLayout) {
        let reportURL = layout.batchFolder(snapshot.info.id).appendingPathComponent("report.html")
        self.init(
            batchID: snapshot.info.id, manifest: snapshot.info.manifestName,
            status: snapshot.info.status.rawValue, exitCode: exitCode, conclusion: conclusion,
            failedGates: snapshot.gates.filter { !$0.passed }.map {
                FailedGate(name: $0.name.rawValue, detail: $0.detail)
            },
            report: FileManager.default.fileExists(atPath: reportURL.path) ? reportURL.standardizedFileURL.path : nil)
    }

    init(
        batchID: String, manifest: String, status: String, exitCode: Int32, conclusion: String?,
        failedGates: [FailedGate], report: String?
    ) {
        self.batchID = batchID
        self.manifest = manifest
        self.status = status
        self.exitCode = exitCode
        self.conclusion = conclusion
        self.failedGates = failedGates
        self.report = report
    }
}
