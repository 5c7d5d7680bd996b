import ExpRegCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The memory a batch may use: the smallest of the machine's physical memory, the cgroup limit
/// (`memory.max`, v2; `memory.limit_in_bytes`, v1), the process limits `RLIMIT_AS` and
/// `RLIMIT_DATA`, and the `EXPREG_MEMORY_LIMIT` environment variable (bytes, or a number with
/// `K`, `M`, `G`, `T` for KiB…TiB: an operator's cap, e.g. `EXPREG_MEMORY_LIMIT=8G`).
struct MemoryLimit: Equatable {
    var bytes: Int
    /// Where the limit comes from (`physical memory`, `cgroup memory.max`, `RLIMIT_AS`, …).
    var source: String

    /// The environment variable that caps the limit.
    static let environmentKey = "EXPREG_MEMORY_LIMIT"

    /// The current limit; an unreadable source is skipped.
    /// - Throws: ``PipelineError`` (invalid input) when `EXPREG_MEMORY_LIMIT` is set but not a size.
    static func current(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> MemoryLimit {
        var limits = [
            MemoryLimit(bytes: Int(clamping: ProcessInfo.processInfo.physicalMemory), source: "physical memory")
        ]
        for (path, name) in [
            ("/sys/fs/cgroup/memory.max", "cgroup memory.max"),
            ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "cgroup memory.limit_in_bytes"),
        ] {
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
                let value = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), value > 0
            {
                limits.append(MemoryLimit(bytes: value, source: name))
            }
        }
        #if os(Linux)
            let resources: [(__rlimit_resource_t, String)] = [
                (__rlimit_resource_t(RLIMIT_AS.rawValue), "RLIMIT_AS (ulimit -v)"),
                (__rlimit_resource_t(RLIMIT_DATA.rawValue), "RLIMIT_DATA (ulimit -d)"),
            ]
        #else
            let resources: [(Int32, String)] = [
                (RLIMIT_AS, "RLIMIT_AS (ulimit -v)"), (RLIMIT_DATA, "RLIMIT_DATA (ulimit -d)"),
            ]
        #endif
        // RLIM_INFINITY is all ones (rlim_t.max) on Linux and Darwin.
        for (resource, name) in resources {
            var limit = rlimit()
            if getrlimit(resource, &limit) == 0, limit.rlim_cur != rlim_t.max {
                limits.append(MemoryLimit(bytes: Int(clamping: limit.rlim_cur), source: name))
            }
        }
        if let text = environment[environmentKey] {
            guard let value = parseSize(text) else {
                throw PipelineError.invalid(
                    "\(environmentKey)=\(text) is not a size; give bytes or a number with K, M, G or T (KiB…TiB), e.g. 8G"
                )
            }
            limits.append(MemoryLimit(bytes: value, source: environmentKey))
        }
        return limits.min { $0.bytes < $1.bytes } ?? limits[0]
    }

    /// "1073741824", "512M", "8G", "1.5T" → bytes (binary multiples); nil when not a positive size.
    static func parseSize(_ text: String) -> Int? {
        var digits = text.trimmingCharacters(in: .whitespaces)
        var factor = 1.0
        if let last = digits.last, let power = ["K": 1, "M": 2, "G": 3, "T": 4][String(last).uppercased()] {
            factor = Foundation.pow(1024, Double(power))
            digits.removeLast()
        }
        guard let value = Double(digits), value > 0, value.isFinite, value * factor < 9e18 else { return nil }
        return Int(value * factor)
    }

    /// Refuses a plan whose runs cannot fit: `concurrentRuns` of the largest run's working set
    /// (``TrainingMemory``) plus ``TrainingMemory/processOverheadBytes`` must not exceed the limit.
    /// Each run is counted on the path it will train (materialising, or lean over
    /// `activationBudgetBytes`), with the threads per run of ``RunExecutor`` (cores / runs at once).
    /// - Throws: ``PipelineError`` (invalid input, exit 2) naming the run, its estimate and the limit.
    func check(
        _ runs: [RunSpec], concurrentRuns: Int,
        activationBudgetBytes: Int = TrainingOptions.defaultActivationBudgetBytes
    ) throws {
        let workers = max(1, min(concurrentRuns, runs.count))
        let threads = max(1, ProcessInfo.processInfo.activeProcessorCount / workers)
        let estimates = runs.map {
            (
                $0,
                TrainingMemory.bytes(
                    n: $0.config.data.n, d: $0.config.data.d, m: $0.config.model.width,
                    activationBudgetBytes: activationBudgetBytes, threads: threads)
            )
        }
        guard let (run, largest) = estimates.max(by: { $0.1 < $1.1 }) else { return }
        let (scaled, o1) = largest.multipliedReportingOverflow(by: workers)
        let (needed, o2) = scaled.addingReportingOverflow(TrainingMemory.processOverheadBytes)
        guard o1 || o2 || needed > bytes else { return }
        let c = run.config
        let gib = ByteFormat.gibibytes
        let fitting = largestFittingWidth(n: c.data.n, d: c.data.d, workers: workers, path: .lean, threads: threads)
        throw PipelineError.invalid(
            "run #\(run.index) of experiment '\(run.experiment)' (n=\(c.data.n), d=\(c.data.d), width=\(c.model.width)) "
                + "needs an estimated \(o1 || o2 ? "more than 8 EiB" : gib(needed))"
                + (workers > 1 ? " with \(workers) runs at once" : "")
                + " (working set \(gib(largest)) + process \(gib(TrainingMemory.processOverheadBytes))), "
                + "but the memory limit is \(gib(bytes)) (\(source)); nothing was trained. "
                + (fitting.map { "At n=\(c.data.n), d=\(c.data.d) the widest run that fits is about width \($0)" }
                    ?? "Reduce n or d")
                + (workers > 1 ? "; or train fewer runs at once (--parallel)" : ""))
    }

    /// The largest width whose run fits the limit at (n, d) with `workers` runs at once (bisection
    /// on the estimate of one `path`, monotone in m); nil when not even width 1 fits.
    func largestFittingWidth(
        n: Int, d: Int, workers: Int, path: TrainingPath = .materializing,
        threads: Int = 1
    ) -> Int? {
        func fits(_ m: Int) -> Bool {
            let (scaled, o) = TrainingMemory.bytes(n: n, d: d, m: m, path: path, threads: threads)
                .multipliedReportingOverflow(by: workers)
            return !o && scaled <= bytes - TrainingMemory.processOverheadBytes
        }
        guard fits(1) else { return nil }
        var low = 1
        var high = 1 << 40
        while low < high {
            let mid = low + (high - low + 1) / 2
            if fits(mid) { low = mid } else { high = mid - 1 }
        }
        return low
    }
}

/// The memory line of `expreg validate`.
public enum MemoryFit {
    /// `Memory limit: 23.45 GiB (physical memory); every run fits` or the reason `run` would refuse.
    /// - Throws: ``PipelineError`` when `EXPREG_MEMORY_LIMIT` is malformed.
    public static func line(
        for plan: Plan, concurrentRuns: Int = 1,
        activationBudgetBytes: Int = TrainingOptions.defaultActivationBudgetBytes
    ) throws -> String {
        let limit = try MemoryLimit.current()
        let head =
            "Memory limit: " + ByteFormat.gibibytes(limit.bytes) + " (\(limit.source)); "
        do {
            try limit.check(plan.runs, concurrentRuns: concurrentRuns, activationBudgetBytes: activationBudgetBytes)
            return head + "every run fits one at a time"
        } catch let error as PipelineError {
            return head + "`expreg run` would refuse: " + error.message
        }
    }
}
