import ExpRegLinAlg
import Foundation

/// Options of `expreg run` (DESIGN.md "Command line").
public struct RunOptions: Sendable {
    public var manifestPath: String
    /// The archive (default `output/expreg.sqlite`).
    public var databasePath: String
    /// The output root (default `output`).
    public var outputRoot: String
    /// `--set KEY=VALUE` overrides, in order.
    public var overrides: [String]
    /// Continue the newest `partial` batch of the same manifest.
    public var resume: Bool
    /// Report templates; nil = ``TemplateLocator/locate(environment:executablePath:)``.
    public var templatesDirectory: URL?
    /// Runs trained at once (each with cores/N threads); nil = 1, one run at a time on every core.
    public var parallelRuns: Int?
    /// The kernel path every run uses (the CLI resolves `EXPREG_KERNELS`, see ``KernelSelection``).
    public var kernels: KernelPath

    public init(manifestPath: String, databasePath: String = "output/expreg.sqlite", outputRoot: String = "output",
                overrides: [String] = [], resume: Bool = false, templatesDirectory: URL? = nil,
                parallelRuns: Int? = nil, kernels: KernelPath = .best) {
        self.manifestPath = manifestPath
        self.databasePath = databasePath
        self.outputRoot = outputRoot
        self.overrides = overrides
        self.resume = resume
        self.templatesDirectory = templatesDirectory
        self.parallelRuns = parallelRuns
        self.kernels = kernels
    }
}

/// What `expreg run` did.
public struct RunSummary: Sendable {
    public var status: ExitStatus
    public var batchID: String
    /// The batch's report.html (nil when interrupted before publishing).
    public var reportHTML: URL?
    public var trained: Int
    public var skipped: Int
}
