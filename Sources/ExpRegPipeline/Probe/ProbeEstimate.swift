import ExpRegCore
import ExpRegLinAlg
import ExpRegManifest
import ExpRegReport
import Foundation

/// What a manifest's probes cost, before running them (`expreg probe --dry-run`, `expreg validate`):
/// per probe an upper bound of its flops (``ProbeFlops``, every grid width up to the maximum; a probe
/// usually stops earlier, once the condition has held for the margin) and its working set
/// (``ProbeMemory``, independent of the width); with `calibrated` rates also a time.
public struct ProbeEstimate: Sendable {
    /// One probe's cost.
    public struct Line: Sendable {
        public var target: ProbePlan.Target
        /// Flops up to the largest grid width ≤ the maximum.
        public var flops: Double
        public var accumulationFlops: Double
        public var checkpointFlops: Double
        public var memoryBytes: Int
        /// The earlier target with the same computation, when this one repeats it (no cost).
        public var repeats: Int?
    }

    /// Rates measured on this machine for one n: the Gram accumulation and the eigenvalue solves.
    public struct Rates: Sendable {
        public var accumulationFlopsPerSecond: Double
        public var eigenFlopsPerSecond: Double
    }

    public var lines: [Line]
    public var options: ProbeOptions
    /// Measured rates by n (empty unless calibrated).
    public var rates: [Int: Rates] = [:]

    /// The cost of every probe of `plan` with `options`.
    public init(plan: ProbePlan, options: ProbeOptions) {
        self.options = options
        let widths = ProbeGrid.widths(upTo: options.maxWidth)
        var first: [Int: Int] = [:]
        lines = plan.targets.enumerated().map { index, target in
            let (n, d) = (target.dataset.n, target.dataset.d)
            let repeats = first[target.computation]
            if repeats == nil { first[target.computation] = index }
            return Line(
                target: target, flops: ProbeFlops.probe(n: n, d: d, widths: widths),
                accumulationFlops: ProbeFlops.accumulation(n: n, d: d, m: widths.last ?? 0),
                checkpointFlops: Double(widths.count) * ProbeFlops.checkpoint(n: n, d: d),
                memoryBytes: ProbeMemory.bytes(n: n, d: d, threads: options.threads), repeats: repeats)
        }
    }

    /// The largest working set of one probe (probes run one after another).
    public var peakBytes: Int { lines.map(\.memoryBytes).max() ?? 0 }
    /// Σ flops over the distinct probes.
    public var totalFlops: Double { lines.filter { $0.repeats == nil }.reduce(0) { $0 + $1.flops } }

    /// Seconds of a line at the measured rates for its n; nil when not calibrated.
    public func seconds(_ line: Line) -> Double? {
        guard line.repeats == nil else { return 0 }
        guard let rate = rates[line.target.dataset.n] else { return nil }
        return line.accumulationFlops / rate.accumulationFlopsPerSecond
            + line.checkpointFlops / rate.eigenFlopsPerSecond
    }

    /// Measures the rates for every n of the plan (about a second at n = 1024): 4,096 neurons drawn and
    /// put through the Gram kernel, and one eigenvalue solve of an n × n matrix, on the probe's threads
    /// and path. The rates are flops (``ProbeFlops``) per second, so at small n, where drawing the
    /// weights and call overheads dominate, they are low and the time estimate stays honest.
    public mutating func calibrate() {
        for line in lines where rates[line.target.dataset.n] == nil {
            rates[line.target.dataset.n] = Self.measure(line.target, options: options)
        }
    }

    private static func measure(_ target: ProbePlan.Target, options: ProbeOptions) -> Rates {
        let data = target.dataset
        let (n, d, m) = (data.n, data.d, 4096)
        var gram = [Double](repeating: 0, count: n * n)
        let clock = ContinuousClock()
        let accumulate = clock.measure {
            let w = ProbeStream.weights(count: m, seed: 0, d: d, sigma: target.sigma)  // drawing counts too (small n)
            data.x.withUnsafeBufferPointer { x in
                w.withUnsafeBufferPointer { w in
                    gram.withUnsafeMutableBufferPointer { s in
                        NeuronBlockKernel.derivativeGram(
                            activation: target.activation == .exp ? .exp : .relu, x: x.baseAddress!, n: n, d: d,
                            w: w.baseAddress!, m: m, scale: 1, into: s.baseAddress!, threads: options.threads,
                            path: options.kernels)
                    }
                }
            }
        }
        var hStar = GramMatrix.closedForm(x: data.x, n: n, d: d, activation: .relu, sigma: 1)
        let eigen = clock.measure { _ = try? SymmetricEigen.eigenvalues(preserving: &hStar, n: n) }
        return Rates(
            accumulationFlopsPerSecond: ProbeFlops.accumulation(n: n, d: d, m: m) / max(accumulate.seconds, 1e-6),
            eigenFlopsPerSecond: TrainingFlops.eigenSolve(n: n, vectors: false) / max(eigen.seconds, 1e-6))
    }

    /// Refuses probes that cannot fit: the largest working set plus
    /// ``TrainingMemory/processOverheadBytes`` must not exceed `limit`.
    /// - Throws: ``PipelineError`` (invalid input, exit 2) naming the probe, its estimate and the limit.
    func check(_ limit: MemoryLimit) throws {
        guard let largest = lines.max(by: { $0.memoryBytes < $1.memoryBytes }) else { return }
        let (needed, overflow) = largest.memoryBytes.addingReportingOverflow(TrainingMemory.processOverheadBytes)
        guard overflow || needed > limit.bytes else { return }
        let t = largest.target
        let gib = { (b: Int) in String(format: "%.2f GiB", Double(b) / 1_073_741_824) }
        throw PipelineError.invalid(
            "the probe of experiment '\(t.experiment)' (n=\(t.dataset.n), d=\(t.dataset.d)) needs an estimated "
                + "\(overflow ? "more than 8 EiB" : gib(needed)) (working set \(gib(largest.memoryBytes)) + process "
                + "\(gib(TrainingMemory.processOverheadBytes))), but the memory limit is \(gib(limit.bytes)) "
                + "(\(limit.source)); nothing was probed. The probe's memory grows as n², not with the width: reduce n")
    }

    /// `Memory limit: … GiB (source); every probe fits` or why `expreg probe` would refuse.
    func memoryLine(_ limit: MemoryLimit) -> String {
        let head =
            "Memory limit: " + String(format: "%.2f", Double(limit.bytes) / 1_073_741_824) + " GiB (\(limit.source)); "
        do {
            try check(limit)
            return head + "every probe fits"
        } catch let error as PipelineError {
            return head + "`expreg probe` would refuse: " + error.message
        } catch {
            return head + "\(error)"
        }
    }
}

extension ProbeEstimate {
    /// The dry-run text: the settings, one line per probe (flops and time upper bounds, memory), the
    /// totals and the memory limit.
    func text(manifest: String, limit: MemoryLimit) -> String {
        let widths = ProbeGrid.widths(upTo: options.maxWidth)
        var lines = [
            "Probe plan for \(manifest): \(self.lines.count) probe\(self.lines.count == 1 ? "" : "s") "
                + "(\(Set(self.lines.map(\.target.computation)).count) distinct), grid widths 16 … "
                + "\(ReportFormat.width(widths.last ?? 0)) (\(widths.count) checkpoints, 4 per octave), margin "
                + "\(options.marginOctaves) octave\(options.marginOctaves == 1 ? "" : "s"), kernels "
                + "\(options.kernels.rawValue), \(options.threads) thread\(options.threads == 1 ? "" : "s")",
            "Costs are upper bounds: every grid width up to the maximum; a probe stops once the condition has held "
                + "for the margin.",
        ]
        for (index, line) in self.lines.enumerated() {
            let t = line.target
            var text =
                "  #\(index)  \(t.experiment)  \(t.activation.rawValue)  n=\(t.dataset.n) d=\(t.dataset.d) "
                + "σ=\(t.sigma) seed=\(t.seed)  "
            if let repeats = line.repeats {
                text += "same probe as #\(repeats)"
            } else {
                text += "≤ \(ReportFormat.magnitude(line.flops / 1e9)) GFLOP"
                if let seconds = seconds(line) { text += ", ≤ \(ReportFormat.duration(seconds))" }
                text += ", memory \(ByteFormat.memory(line.memoryBytes))"
            }
            lines.append(text)
        }
        var total = "Total: ≤ \(ReportFormat.magnitude(totalFlops / 1e9)) GFLOP"
        let times = self.lines.compactMap { seconds($0) }
        if times.count == self.lines.count {
            total +=
                ", ≤ \(ReportFormat.duration(times.reduce(0, +))) one probe after another at the rates measured here ("
            total +=
                rates.keys.sorted().map { n in
                    let r = rates[n]!
                    return
                        "n=\(n): accumulation \(formatFixed(r.accumulationFlopsPerSecond / 1e9, digits: 1)) GFLOP/s, "
                        + "eigenvalues \(formatFixed(r.eigenFlopsPerSecond / 1e9, digits: 1)) GFLOP/s"
                }.joined(separator: "; ") + ")"
        }
        lines.append(total)
        lines.append(
            "Memory: peak per probe \(ByteFormat.memory(peakBytes)) (independent of the width), "
                + "\(ByteFormat.memory(peakBytes + TrainingMemory.processOverheadBytes)) with the process overhead")
        lines.append(memoryLine(limit))
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ProbeEstimate {
    /// `expreg validate`'s line for `expreg probe` on the same manifest, with the default maximum
    /// width and margin: `Probe (expreg probe, widths up to 67,108,864): 6 probes (6 distinct), ≤ 1,234
    /// GFLOP, memory ≤ 5 MiB per probe (independent of the width)`. No rates are measured here
    /// (`expreg probe --dry-run` measures them and gives times).
    public static func validateLine(for manifest: LoadedManifest, threads: Int) throws -> String {
        let estimate = ProbeEstimate(plan: try ProbePlan(manifest: manifest), options: ProbeOptions(threads: threads))
        let distinct = Set(estimate.lines.map(\.target.computation)).count
        return "Probe (expreg probe, widths up to \(ReportFormat.width(ProbeOptions.defaultMaxWidth))): "
            + "\(estimate.lines.count) probe\(estimate.lines.count == 1 ? "" : "s") (\(distinct) distinct), "
            + "≤ \(ReportFormat.magnitude(estimate.totalFlops / 1e9)) GFLOP, memory ≤ "
            + "\(ByteFormat.memory(estimate.peakBytes)) per probe (independent of the width); "
            + "`expreg probe --dry-run` estimates the time"
    }
}
