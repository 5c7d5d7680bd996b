import ExpRegCore
import ExpRegReport
import Foundation
import Testing

/// Every number in summary.ja.md must be traceable to results.json: the same value (a field, or a
/// statistic recomputed here from the decoded JSON) printed with the same ``ReportFormat`` rule.
@Suite struct SummaryTraceabilityTests {
    /// Template constants that are prose, not data (formulas and the exit-code contract).
    static let templateConstants = ["1−ηλ*/2", "λ*/4", "−1/2", "終了コード 3"]

    /// results.json exactly as the pipeline writes it, decoded back.
    static func resultsJSON(_ batch: BatchSnapshot) throws -> ResultsDocument {
        try JSONDecoder().decode(ResultsDocument.self, from: try ResultsDocument(snapshot: batch).encoded())
    }

    /// The strings a number in the summary may be: formatted fields and recomputed statistics.
    static func allowedNumbers(_ doc: ResultsDocument, previous: ResultsDocument?) -> Set<String> {
        var allowed = Set<String>()
        let runs = doc.runs
        func width(_ r: ResultsDocument.Run) -> Int? { r.params["model.width"]?.doubleValue.map { Int($0) } }
        func activation(_ r: ResultsDocument.Run) -> String { r.params["model.activation"]?.description ?? "" }
        // Fields, each with its rule.
        for r in runs {
            for v in [r.lossInitial, r.lossFinal, r.diagnostics.kernelPredictionFinalLoss].compactMap({ $0 }) {
                allowed.insert(ReportFormat.loss(v))
            }
            for v in [r.diagnostics.predictedRate, r.diagnostics.observedRate].compactMap({ $0 }) {
                allowed.insert(ReportFormat.rate(v))
            }
            for v in [
                r.diagnostics.lambdaStar, r.diagnostics.lambdaMaxStar, r.diagnostics.lambdaMinInit,
                r.diagnostics.lambdaMinFinal, r.diagnostics.gramDistanceInit,
                r.diagnostics.gramDistanceFinal, r.eta, r.diagnostics.maxWeightMovement, r.diagnostics.maxPreactivation,
            ].compactMap({ $0 }) {
                allowed.insert(ReportFormat.magnitude(v))
            }
            if let w = width(r) { allowed.insert(ReportFormat.width(w)) }
            if let s = r.params["seed"]?.doubleValue { allowed.insert(ReportFormat.count(Int(s))) }
            if let t = r.params["train.target_loss"]?.doubleValue { allowed.insert(ReportFormat.loss(t)) }
            allowed.insert(ReportFormat.count(r.stepsRun))
            if let v = r.diagnostics.envelopeViolations { allowed.insert(ReportFormat.count(v)) }
        }
        // Counts by status and by activation.
        let byStatus = Dictionary(grouping: runs, by: \.status)
        allowed.insert(ReportFormat.count(runs.count))
        for (_, group) in byStatus { allowed.insert(ReportFormat.count(group.count)) }
        let broken = runs.filter { $0.status == "diverged" || $0.status == "failed" }
        allowed.insert(ReportFormat.count(broken.count))
        if let worst = runs.filter({ $0.status == "completed" }).compactMap(\.lossFinal).max() {
            allowed.insert(ReportFormat.loss(worst))
        }
        for act in ["exp", "relu"] {
            let group = runs.filter { activation($0) == act }
            let unmet = group.filter { $0.status == "converged" && $0.diagnostics.widthConditionMet == false }
            allowed.insert(ReportFormat.count(unmet.count))
            allowed.insert(ReportFormat.count(group.compactMap(\.diagnostics.envelopeViolations).reduce(0, +)))
        }
        // exp vs relu at widths where both converged.
        let convergedWidths = { (act: String) in
            Set(runs.filter { activation($0) == act && $0.status == "converged" }.compactMap(width))
        }
        let matched = convergedWidths("exp").intersection(convergedWidths("relu"))
        var medianSteps: [Double] = []
        for act in ["exp", "relu"] {
            let at = runs.filter { activation($0) == act && width($0).map(matched.contains) == true }
            if let m = median(at.filter { $0.status == "converged" }.map { Double($0.stepsRun) }) {
                allowed.insert(ReportFormat.steps(m))
                medianSteps.append(m)
            }
            if let m = median(
                at.filter { $0.status == "converged" || $0.status == "completed" }.compactMap(
                    \.diagnostics.observedRate))
            {
                allowed.insert(ReportFormat.rate(m))
            }
        }
        if medianSteps.count == 2, let lo = medianSteps.min(), let hi = medianSteps.max(), lo > 0 {
            allowed.insert(ReportFormat.ratio(hi / lo))
        }
        // ||H(0) - H*|| vs width and the projection per group: results.json `analysis.width_scaling`.
        for group in doc.analysis.widthScaling {
            if let slope = group.gramDistanceSlope { allowed.insert(ReportFormat.slope(slope)) }
            for w in [group.conditionWidth, group.conditionWidthFreeSlope].compactMap({ $0 }) {
                allowed.insert(ReportFormat.predictedWidth(w))
            }
            if let n = group.fixedParams["data.n"]?.doubleValue { allowed.insert(ReportFormat.count(Int(n))) }
            if let widest = group.widths.last { allowed.insert(ReportFormat.width(widest)) }
            if let p = group.projection {
                allowed.formUnion(numbers(in: ReportFormat.memory(p.memoryBytes)))  // "485 MiB" → "485"
                let seeds = Set(
                    runs.filter { r in
                        r.experiment == group.experiment
                            && group.fixedParams.allSatisfy { r.params[$0.key] == $0.value }
                    }.compactMap { $0.params["seed"] }
                ).count
                allowed.insert(ReportFormat.count(seeds))
                if let t = p.secondsPerRun {
                    allowed.insert(ReportFormat.duration(t))
                    allowed.insert(ReportFormat.duration(t * Double(seeds)))
                }
            }
        }
        // Verdict counts (results.json `verdict`), and the runs inside the guarantee per activation.
        for verdict in ["within_guarantee", "consistent", "violated"] {
            allowed.insert(ReportFormat.count(runs.filter { $0.verdict == verdict }.count))
        }
        for act in ["exp", "relu"] {
            let inside = runs.filter { activation($0) == act && $0.diagnostics.widthConditionMet == true }
            allowed.insert(ReportFormat.count(inside.count))
            if let w = inside.compactMap(width).min() { allowed.insert(ReportFormat.width(w)) }
            let within = inside.filter { $0.verdict == "within_guarantee" }
            allowed.insert(ReportFormat.count(within.count))
            allowed.insert(ReportFormat.count(inside.filter { $0.verdict == "violated" }.count))
            if let m = median(within.compactMap(\.diagnostics.observedRate)) { allowed.insert(ReportFormat.rate(m)) }
            if let m = median(within.compactMap(\.diagnostics.predictedRate)) { allowed.insert(ReportFormat.rate(m)) }
        }
        // Previous batch: counts and ratios per run_key.
        if let previous {
            let before = Dictionary(previous.runs.map { ($0.runKey, $0.lossFinal) }, uniquingKeysWith: { a, _ in a })
            let pairs = runs.compactMap { r in before[r.runKey].map { (then: $0, now: r.lossFinal) } }
            let ratios = pairs.compactMap { p -> Double? in
                guard let then = p.then, let now = p.now, then > 0 else { return nil }
                return now / then
            }
            allowed.insert(ReportFormat.count(pairs.count))
            allowed.insert(ReportFormat.count(pairs.count - ratios.count))
            allowed.insert(ReportFormat.count(ratios.filter { $0 < 1 / 1.1 }.count))
            allowed.insert(ReportFormat.count(ratios.filter { $0 > 1.1 }.count))
            allowed.insert(ReportFormat.count(ratios.filter { $0 >= 1 / 1.1 && $0 <= 1.1 }.count))
            for ratio in ratios { allowed.insert(ReportFormat.ratio(ratio)) }
        }
        // Held-out errors: per activation at the widest width with a test_mse, the medians of
        // test_mse and kernel_test_mse and their ratio; the number of test points.
        for act in ["exp", "relu"] {
            let measured = runs.filter { activation($0) == act && $0.testMSE != nil }
            guard let widest = measured.compactMap(width).max() else { continue }
            let at = measured.filter { width($0) == widest }
            guard let test = median(at.compactMap(\.testMSE)) else { continue }
            allowed.insert(ReportFormat.loss(test))
            if let kernel = median(at.compactMap(\.kernelTestMSE)) {
                allowed.insert(ReportFormat.loss(kernel))
                allowed.insert(ReportFormat.ratio(test / kernel))
            }
        }
        for r in runs { if let n = r.params["data.test_n"]?.doubleValue { allowed.insert(ReportFormat.count(Int(n))) } }
        // Gate details carry their thresholds and counts.
        for gate in doc.gates { allowed.formUnion(numbers(in: gate.detail)) }
        return allowed
    }

    static let numberPattern = try! NSRegularExpression(pattern: #"-?\d[\d,]*(?:\.\d+)?(?:e[+-]\d+)?"#)

    static func numbers(in text: String) -> [String] {
        let range = NSRange(text.startIndex..., in: text)
        return numberPattern.matches(in: text, range: range).compactMap {
            Range($0.range, in: text).map { String(text[$0]) }
        }
        .map { $0.hasSuffix(",") ? String($0.dropLast()) : $0 }
    }

    /// Numbers in `summary` not traceable to the documents (empty when all are), plus code spans
    /// that are not strings of the documents.
    static func untraceable(_ summary: String, doc: ResultsDocument, previous: ResultsDocument?) -> [String] {
        var text = summary
        var problems: [String] = []
        // The date in the heading is started_at's UTC date.
        let date = String(doc.batch.startedAt.prefix(10))
        if text.contains("(\(date) 夜間バッチ") { text = text.replacingOccurrences(of: "(\(date) 夜間バッチ", with: "(") }
        // Code spans must be strings of the documents (ids, names, errors) or fixed commands.
        var strings: Set<String> = [doc.batch.id, doc.batch.manifestName, doc.batch.status, "expreg run --resume"]
        strings.formUnion(doc.runs.map(\.experiment))
        strings.formUnion(doc.runs.compactMap(\.error))
        strings.formUnion(doc.gates.map(\.name.rawValue))
        if let previous { strings.insert(previous.batch.id) }
        let spans = try! NSRegularExpression(pattern: "`([^`]*)`")
        for match in spans.matches(in: text, range: NSRange(text.startIndex..., in: text)).reversed() {
            guard let whole = Range(match.range, in: text), let inner = Range(match.range(at: 1), in: text) else {
                continue
            }
            if !strings.contains(String(text[inner])) { problems.append("`\(text[inner])`") }
            text.replaceSubrange(whole, with: "")
        }
        for constant in templateConstants { text = text.replacingOccurrences(of: constant, with: "") }
        // Ordered-list markers are layout.
        text = text.components(separatedBy: "\n").map { line in
            guard let dot = line.firstIndex(of: "."), line[..<dot].allSatisfy(\.isNumber), !line[..<dot].isEmpty,
                line[dot...].hasPrefix(". ")
            else { return line }
            return String(line[line.index(dot, offsetBy: 2)...])
        }.joined(separator: "\n")
        let allowed = allowedNumbers(doc, previous: previous)
        problems += numbers(in: text).filter { !allowed.contains($0) }
        return problems
    }

    static let cases: [(String, BatchSnapshot, BatchSnapshot?)] = [
        ("troubled", ReportFixtures.troubled, ReportFixtures.previousNight),
        ("all converged", ReportFixtures.allConverged, ReportFixtures.previousNight),
        (
            "relu faster, first night",
            ReportFixtures.batch(ReportFixtures.healthyShapes(expSteps: 601, reluSteps: 200)), nil
        ),
        (
            "no gates, exp only",
            ReportFixtures.batch(
                ReportFixtures.healthyShapes().filter { $0.activation == .exp },
                gates: GateConfig()), nil
        ),
        ("held-out", ReportFixtures.withHeldOut, nil),
    ]

    @Test(arguments: 0..<cases.count)
    func everySummaryNumberIsInResultsJSON(_ index: Int) throws {
        let (name, batch, previous) = Self.cases[index]
        let renderer = try ReportRenderer(templatesDirectory: ReportFixtures.templates)
        let summary = try renderer.render(batch: batch, previous: previous, figures: []).summary
        let doc = try Self.resultsJSON(batch)
        let prev = try previous.map(Self.resultsJSON)
        let problems = Self.untraceable(summary, doc: doc, previous: prev)
        #expect(problems.isEmpty, "\(name): not traceable to results.json: \(problems)")
        // The check is not vacuous: the summary has numbers and many of them.
        #expect(Self.numbers(in: summary).count >= 10)
    }

    @Test func theCheckCatchesAnInventedOrMisroundedNumber() throws {
        let renderer = try ReportRenderer(templatesDirectory: ReportFixtures.templates)
        let batch = ReportFixtures.troubled
        let summary = try renderer.render(batch: batch, previous: ReportFixtures.previousNight, figures: []).summary
        let doc = try Self.resultsJSON(batch)
        let prev = try Self.resultsJSON(ReportFixtures.previousNight)
        #expect(Self.untraceable(summary, doc: doc, previous: prev).isEmpty)
        // A loss printed with another rounding rule, an invented count, an unknown code span.
        let tampered = [
            summary.replacingOccurrences(of: "2.56e-06", with: "2.6e-06"),
            summary.replacingOccurrences(of: "10件中7件", with: "10件中8件"),
            summary.replacingOccurrences(of: "`exp-width`", with: "`exp-width-2`"),
        ]
        for text in tampered {
            #expect(text != summary)
            #expect(!Self.untraceable(text, doc: doc, previous: prev).isEmpty)
        }
    }
}
