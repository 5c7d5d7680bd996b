import ExpRegCore
import Foundation

/// Everything the templates show: facts and preformatted strings, no prose.
///
/// Built from a batch, its previous batch and the figures; rendered by the three templates.
/// Strings that come from the manifest (title, names, manifest text) are plain text here; the
/// HTML template escapes them (`{{…}}`), and no template uses a triple mustache.
public struct ReportViewModel: Sendable, Equatable {
    /// One provenance row (label is a fixed field name, value is data).
    public struct ProvenanceRow: Sendable, Equatable {
        /// Fixed field name.
        public var label: String
        /// The value (may be a manifest or command-line string).
        public var value: String
        /// Shown as code (ids, hashes, paths).
        public var isCode: Bool
    }

    /// One row of the theory-check table.
    public struct TheoryRow: Sendable, Equatable {
        /// Experiment name and the run's sweep values (`model.width=1024, seed=0`).
        public var experiment: String
        public var label: String
        /// Activation, width, seed, status and steps_run.
        public var activation: String
        public var width: String
        public var seed: String
        public var status: String
        public var steps: String
        /// Diagnostics as in results.json, each with its ``ReportFormat`` rule (`—` when null).
        public var lambdaStar: String
        public var lambdaMinInit: String
        public var gramDistanceInit: String
        public var eta: String
        public var predictedRate: String
        public var observedRate: String
        public var envelopeViolations: String
        public var widthCondition: String
        public var lossFinal: String
        public var kernelPredictionFinalLoss: String
        /// ``RunVerdict`` flags (exactly one is true; results.json `verdict`).
        public var verdictWithinGuarantee: Bool
        public var verdictConsistent: Bool
        public var verdictViolated: Bool
        public var verdictDiverged: Bool
        public var verdictFailed: Bool
        /// `consistent` because the run stopped short of its target (not because of the condition).
        public var verdictNotConverged: Bool
    }

    /// One row of the held-out (generalization) table: a run with a test set.
    public struct HeldOutRow: Sendable, Equatable {
        /// Experiment name and the run's sweep values.
        public var experiment: String
        public var label: String
        /// Number of test points (`data.test_n`, or the rows of `data.test_path`).
        public var testPoints: String
        /// results.json `train_mse`, `test_mse`, `kernel_test_mse`, `ntk_test_mse`
        /// (``ReportFormat/loss(_:)``, `—` when null).
        public var trainMSE: String
        public var testMSE: String
        public var kernelTestMSE: String
        public var ntkTestMSE: String
        /// Why the kernel values are missing (English, from Core), empty when nothing is missing.
        public var hasNote: Bool
        public var note: String
    }

    /// One figure: Markdown links the PNG, HTML embeds the SVG as a data URI.
    public struct FigureView: Sendable, Equatable {
        /// Identifier (used in the HTML element id) and caption.
        public var name: String
        public var title: String
        /// PNG path relative to the batch folder.
        public var pngPath: String
        /// `data:image/svg+xml;base64,…` (only base64 characters after the comma).
        public var svgDataURI: String
    }

    /// One row of the comparison with the previous batch.
    public struct ComparisonRow: Sendable, Equatable {
        /// Experiment name and sweep values.
        public var experiment: String
        public var label: String
        /// The first 12 hex digits of the run_key.
        public var runKey: String
        /// Final loss then and now (``ReportFormat/loss(_:)``), now/then (``ReportFormat/ratio(_:)``).
        public var lossBefore: String
        public var lossNow: String
        public var ratio: String
        /// Beyond the manifest's `max_regression` (a missing loss now counts as beyond, as in Core).
        public var flagged: Bool
    }

    /// One gate row.
    public struct GateRow: Sendable, Equatable {
        /// Manifest key, result, Core's English detail.
        public var name: String
        public var passed: Bool
        public var detail: String
    }

    /// The executive summary's facts (first section of both reports; summary.ja.md alone).
    public var summary: ExecutiveSummary
    /// Manifest title, or its name when there is no title.
    public var heading: String
    /// The manifest has a title (then the heading is the whole title line; a name alone gets
    /// 「— 検証レポート」 after it, from the templates).
    public var titled: Bool
    public var batchID: String
    /// Provenance table rows.
    public var provenance: [ProvenanceRow]
    /// Gate table rows.
    public var gates: [GateRow]
    public var hasGates: Bool
    /// Theory-check table rows, in plan order.
    public var theoryRows: [TheoryRow]
    public var hasRuns: Bool
    /// Figures in display order (without `generalization`, which the held-out section shows).
    public var figures: [FigureView]
    public var hasFigures: Bool
    /// Held-out table rows (runs with a test set, plan order) and the `generalization` figure.
    public var heldOutRows: [HeldOutRow]
    public var hasHeldOut: Bool
    public var heldOutFigures: [FigureView]
    /// The 「幅のコスト」 rows (one per width group) and the cost figure, when rendered.
    public var costRows: [CostRow]
    public var hasCostRows: Bool
    public var hasCostFigure: Bool
    public var costFigure: FigureView?
    /// The condition width against n, when `data.n` is swept.
    public var pointsRows: [PointsRow]
    public var hasPointsRows: Bool
    /// The previous batch's id and the per-run_key comparison rows.
    public var hasPrevious: Bool
    public var previousID: String
    public var comparisonRows: [ComparisonRow]
    public var hasComparisonRows: Bool
    /// The `max_regression` threshold (``ReportFormat/gateRatio(_:)``).
    public var regressionLimit: String
    public var hasRegressionLimit: Bool
    /// Manifest path as given on the command line.
    public var manifestPath: String
    /// The manifest's text without trailing newlines (the appendix closes its block right after it).
    public var manifestText: String
    /// A backtick fence longer than any backtick run in the manifest (Markdown appendix).
    public var manifestFence: String
    /// The stylesheet (templates/report.css), inlined by report.html.
    public var css: String
    /// The one-pager's header facts: ``heading`` on one line (its markup is line based), the start
    /// (``ReportFormat/timestamp(_:)``), the batch status, runs done and planned (``ReportFormat/count(_:)``).
    public var singleLineHeading: String
    public var startedAt: String
    public var batchStatus: String
    public var runsDone: String
    public var runsPlanned: String

    /// A planned run no shard has delivered yet (a partial `expreg merge`).
    public struct MissingRunView: Sendable, Equatable {
        public var planIndex: String
        /// I of the shard I/N that trains it.
        public var shard: String
        public var experiment: String
        public var label: String
        public var runKey: String
    }

    /// Planned runs missing from a partially merged batch, in plan order (empty otherwise).
    public var missingRuns: [MissingRunView] = []
    public var hasMissingRuns = false
    /// How many, and the shard indices they belong to (`1, 3`).
    public var missingCount = ""
    public var missingShards = ""

    /// Lists `runs` as missing; each belongs to shard `plan index % shardCount`.
    public mutating func setMissingRuns(_ runs: [RunSpec], shardCount: Int) {
        let count = max(1, shardCount)
        missingRuns = runs.map { spec in
            MissingRunView(
                planIndex: String(spec.index), shard: String(spec.index % count), experiment: spec.experiment,
                label: spec.sweepLabel,
                runKey: String(spec.runKey.prefix(12)))
        }
        hasMissingRuns = !runs.isEmpty
        missingCount = ReportFormat.count(runs.count)
        missingShards = Set(runs.map { $0.index % count }).sorted().map(String.init).joined(separator: ", ")
    }

    /// Builds the view model.
    /// - Parameters:
    ///   - batch: the batch to report.
    ///   - previous: the previous batch of the same manifest (nil: none).
    ///   - figures: the plots, in display order.
    ///   - css: the stylesheet text to inline.
    public init(batch: BatchSnapshot, previous: BatchSnapshot?, figures: [ReportFigure], css: String) {
        let info = batch.info
        summary = ExecutiveSummary(batch: batch, previous: previous)
        heading = (info.title ?? "").isEmpty ? info.manifestName : (info.title ?? "")
        titled = !(info.title ?? "").isEmpty
        batchID = info.id
        let duration = info.finishedAt.map { ReportFormat.duration($0.timeIntervalSince(info.startedAt)) }
        provenance = [
            ProvenanceRow(label: "batch", value: info.id, isCode: true),
            ProvenanceRow(label: "manifest", value: info.manifestPath, isCode: true),
            ProvenanceRow(label: "manifest name", value: info.manifestName, isCode: true),
            ProvenanceRow(label: "manifest SHA-256", value: info.manifestSHA256, isCode: true),
            ProvenanceRow(
                label: "overrides (--set)",
                value: info.overrides.isEmpty
                    ? ReportFormat.missing
                    : info.overrides.joined(separator: " "), isCode: !info.overrides.isEmpty),
            ProvenanceRow(label: "tool version", value: info.toolVersion, isCode: true),
            ProvenanceRow(
                label: "git commit", value: info.gitCommit ?? ReportFormat.missing,
                isCode: info.gitCommit != nil),
            ProvenanceRow(label: "host", value: info.host, isCode: true),
            ProvenanceRow(
                label: "kernel path (EXPREG_KERNELS)", value: info.kernelPath ?? ReportFormat.missing,
                isCode: info.kernelPath != nil),
            ProvenanceRow(label: "CPU", value: info.cpuModel ?? ReportFormat.missing, isCode: false),
            ProvenanceRow(
                label: "BLAS core (OpenBLAS)", value: info.blasCore ?? ReportFormat.missing,
                isCode: info.blasCore != nil),
            ProvenanceRow(label: "started", value: ReportFormat.timestamp(info.startedAt), isCode: false),
            ProvenanceRow(
                label: "finished", value: ReportFormat.optional(info.finishedAt, ReportFormat.timestamp),
                isCode: false),
            ProvenanceRow(label: "duration", value: duration ?? ReportFormat.missing, isCode: false),
            ProvenanceRow(label: "status", value: info.status.rawValue, isCode: true),
            ProvenanceRow(
                label: "runs (done / planned)",
                value: "\(ReportFormat.count(batch.runs.count)) / \(ReportFormat.count(info.plannedRuns))",
                isCode: false),
        ]
        gates = batch.gates.map { GateRow(name: $0.name.rawValue, passed: $0.passed, detail: $0.detail) }
        hasGates = !gates.isEmpty
        theoryRows = batch.runs.map { Self.theoryRow($0, verdict: batch.judgement.verdict(of: $0)) }
        hasRuns = !theoryRows.isEmpty
        let views = figures.map {
            FigureView(
                name: $0.name, title: $0.title, pngPath: $0.pngRelativePath,
                svgDataURI: SVGEmbedding.dataURI($0.svg))
        }
        // The held-out and cost figures are shown in their own sections, not again in the list.
        self.figures = views.filter { $0.name != Self.heldOutFigureName && $0.name != Self.costFigureName }
        hasFigures = !self.figures.isEmpty
        heldOutRows = batch.runs.filter(\.spec.config.data.hasTestSet).map(Self.heldOutRow)
        hasHeldOut = !heldOutRows.isEmpty
        heldOutFigures = views.filter { $0.name == Self.heldOutFigureName }
        costRows = Self.costRows(batch)
        hasCostRows = !costRows.isEmpty
        costFigure = views.first { $0.name == Self.costFigureName }
        hasCostFigure = costFigure != nil
        pointsRows = Self.pointsRows(batch)
        hasPointsRows = !pointsRows.isEmpty
        hasPrevious = previous != nil
        previousID = previous?.info.id ?? ""
        let limit = batch.gateConfig.maxRegression
        regressionLimit = limit.map(ReportFormat.gateRatio) ?? ""
        hasRegressionLimit = limit != nil
        let byKey = Dictionary(batch.runs.map { ($0.spec.runKey, $0) }, uniquingKeysWith: { a, _ in a })
        comparisonRows =
            previous.map { prev in
                RegressionComparison.compare(current: batch.runs, previous: prev.runs).map { c in
                    ComparisonRow(
                        experiment: c.experiment, label: byKey[c.runKey]?.sweepLabel ?? "",
                        runKey: String(c.runKey.prefix(12)),
                        lossBefore: ReportFormat.optional(c.lossBefore, ReportFormat.loss),
                        lossNow: ReportFormat.optional(c.lossNow, ReportFormat.loss),
                        ratio: ReportFormat.optional(c.ratio, ReportFormat.ratio),
                        flagged: limit.map(c.isBeyond) ?? false)
                }
            } ?? []
        hasComparisonRows = !comparisonRows.isEmpty
        manifestPath = info.manifestPath
        manifestText = Self.trimmingTrailingNewlines(info.manifestText)
        manifestFence = Self.fence(for: info.manifestText)
        self.css = css
        singleLineHeading = heading.split(whereSeparator: \.isNewline).joined(separator: " ")
        startedAt = ReportFormat.timestamp(info.startedAt)
        batchStatus = info.status.rawValue
        runsDone = ReportFormat.count(batch.runs.count)
        runsPlanned = ReportFormat.count(info.plannedRuns)
    }

    /// One row of the theory table; `verdict` is the run's archived verdict.
    static func theoryRow(_ run: RunRecord, verdict: RunVerdict?) -> TheoryRow {
        let o = run.outcome
        let g = o.diagnostics
        return TheoryRow(
            experiment: run.spec.experiment, label: run.sweepLabel, activation: run.activation.rawValue,
            width: ReportFormat.width(run.width), seed: String(run.seed), status: run.status.rawValue,
            steps: ReportFormat.count(o.stepsRun),
            lambdaStar: ReportFormat.diagnostic(.lambdaStar, of: g),
            lambdaMinInit: ReportFormat.diagnostic(.lambdaMinInit, of: g),
            gramDistanceInit: ReportFormat.diagnostic(.gramDistanceInit, of: g),
            eta: ReportFormat.optional(o.eta, ReportFormat.magnitude),
            predictedRate: ReportFormat.diagnostic(.predictedRate, of: g),
            observedRate: ReportFormat.diagnostic(.observedRate, of: g),
            envelopeViolations: ReportFormat.diagnostic(.envelopeViolations, of: g),
            widthCondition: ReportFormat.diagnostic(.widthConditionMet, of: g),
            lossFinal: ReportFormat.optional(o.lossFinal, ReportFormat.loss),
            kernelPredictionFinalLoss: ReportFormat.diagnostic(.kernelPredictionFinalLoss, of: g),
            verdictWithinGuarantee: verdict == .withinGuarantee, verdictConsistent: verdict == .consistent,
            verdictViolated: verdict == .violated, verdictDiverged: verdict == .diverged,
            verdictFailed: verdict == .failed,
            verdictNotConverged: verdict == .consistent && run.status == .completed)
    }

    /// The figure shown in the held-out section instead of the figure list.
    static let heldOutFigureName = "generalization"
    /// The figure of the 「幅のコスト」 section.
    static let costFigureName = "cost"

    static func heldOutRow(_ run: RunRecord) -> HeldOutRow {
        let h = run.outcome.heldOut
        return HeldOutRow(
            experiment: run.spec.experiment, label: run.sweepLabel,
            testPoints: ReportFormat.optional(run.spec.config.data.testN, ReportFormat.count),
            trainMSE: ReportFormat.optional(h.trainMSE, ReportFormat.loss),
            testMSE: ReportFormat.optional(h.testMSE, ReportFormat.loss),
            kernelTestMSE: ReportFormat.optional(h.kernelTestMSE, ReportFormat.loss),
            ntkTestMSE: ReportFormat.optional(h.ntkTestMSE, ReportFormat.loss),
            hasNote: !(h.note ?? "").isEmpty, note: h.note ?? "")
    }

    static func trimmingTrailingNewlines(_ text: String) -> String {
        var text = Substring(text)
        while let last = text.last, last == "\n" || last == "\r\n" { text = text.dropLast() }
        return String(text)
    }

    /// Three backticks, or one more than the longest backtick run in `text`.
    static func fence(for text: String) -> String {
        var longest = 0
        var current = 0
        for ch in text {
            if ch == "`" {
                current += 1
                longest = max(longest, current)
            } else {
                current = 0
            }
        }
        return String(repeating: "`", count: max(3, longest + 1))
    }
}
