import ExpRegCore
import ExpRegLinAlg
import ExpRegManifest
import Foundation

/// `expreg probe`: manifest → probe plan → memory check → probes → text or JSON on stdout.
/// Nothing is archived (the archive table is the next step, docs/cli.md "expreg probe").
public enum ProbeCommand {
    /// The command line, resolved.
    public struct Options: Sendable {
        public var manifestPath: String
        public var overrides: [String]
        public var probe: ProbeOptions
        public var json: Bool
        public var dryRun: Bool
        public var environment: [String: String]

        public init(
            manifestPath: String, overrides: [String], probe: ProbeOptions, json: Bool, dryRun: Bool,
            environment: [String: String] = ProcessInfo.processInfo.environment
        ) {
            self.manifestPath = manifestPath
            self.overrides = overrides
            self.probe = probe
            self.json = json
            self.dryRun = dryRun
            self.environment = environment
        }
    }

    /// Runs the command; `output` receives stdout's text (one document with `json`).
    /// - Throws: ``PipelineError``: invalid input (exit 2: manifest, options, memory), interrupted (130/143).
    public static func run(
        _ options: Options, progress: ProgressReporter, cancellation: CancellationFlag, output: (String) -> Void
    ) throws {
        let probeOptions = options.probe
        guard probeOptions.maxWidth >= ProbeGrid.smallestWidth, probeOptions.maxWidth <= ProbeGrid.largestWidth else {
            throw PipelineError.invalid(
                "--max-width \(probeOptions.maxWidth) is outside \(ProbeGrid.smallestWidth) … \(ProbeGrid.largestWidth) "
                    + "(the probe grid starts at \(ProbeGrid.smallestWidth))")
        }
        let loaded: LoadedManifest
        do {
            loaded = try ManifestLoader.load(path: options.manifestPath, overrides: options.overrides)
        } catch {
            throw PipelineError(.invalidInput, "\(error)", isDiagnosticList: true)
        }
        let plan = try ProbePlan(manifest: loaded)
        var estimate = ProbeEstimate(plan: plan, options: probeOptions)
        let limit = try MemoryLimit.current(environment: options.environment)
        if options.dryRun {
            estimate.calibrate()
            output(options.json ? try estimate.json(limit: limit) : estimate.text(manifest: loaded.path, limit: limit))
            return
        }
        try estimate.check(limit)
        let records = try ProbeRunner(
            plan: plan, options: probeOptions, progress: progress, cancellation: cancellation
        ).execute()
        let laws = ConditionLaw.fits(of: records)
        if options.json {
            let document = ProbeDocument(
                records: records, laws: laws, options: probeOptions, manifest: loaded.path,
                manifestSHA256: loaded.sha256, overrides: options.overrides)
            do {
                output(String(decoding: try document.encoded(), as: UTF8.self))
            } catch {
                throw PipelineError.io("cannot encode the probe document: \(error)")
            }
        } else {
            output(ProbeTable.text(records: records, laws: laws, options: probeOptions))
        }
    }
}

extension ProbeEstimate {
    /// The dry run as one JSON document: `{"dry_run": true, "probes": [...], "peak_memory_bytes", …}`.
    func json(limit: MemoryLimit) throws -> String {
        var probes: [[String: Any]] = []
        for line in lines {
            let t = line.target
            probes.append([
                "experiment": t.experiment, "activation": t.activation.rawValue, "n": t.dataset.n, "d": t.dataset.d,
                "sigma": t.sigma, "seed": t.seed, "flops_upper_bound": line.repeats == nil ? line.flops : 0,
                "seconds_upper_bound": seconds(line).map { $0 as Any } ?? NSNull(), "memory_bytes": line.memoryBytes,
                "same_as": line.repeats.map { $0 as Any } ?? NSNull(),
            ])
        }
        let fits: Bool
        do {
            try check(limit)
            fits = true
        } catch {
            fits = false
        }
        let document: [String: Any] = [
            "dry_run": true, "max_width": options.maxWidth, "margin_octaves": options.marginOctaves,
            "kernel_path": options.kernels.rawValue, "threads": options.threads, "probes": probes,
            "flops_upper_bound": totalFlops, "peak_memory_bytes": peakBytes,
            "process_overhead_bytes": TrainingMemory.processOverheadBytes, "memory_limit_bytes": limit.bytes,
            "memory_limit_source": limit.source, "fits_memory": fits,
        ]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
