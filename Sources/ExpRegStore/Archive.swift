import ExpRegCore
import Foundation

/// INTERFACE STUB — implemented by the store work (issue 3).
///
/// The SQLite archive of every batch (GRDB over the system SQLite, WAL, named migrations).
public final class Archive {
    /// The schema version this build writes and reads.
    public static let schemaVersion = 1

    /// Opens (creating and migrating when needed) the archive at `path`.
    /// - Throws: ``StoreError`` when the file is not an archive, is newer than this tool, or I/O fails.
    public init(path: String) throws(StoreError) { fatalError("not implemented") }

    /// Records a new batch (provenance + the plan as JSON, for resume) with status `running`.
    public func beginBatch(_ info: BatchInfo, plan: Plan) throws(StoreError) { fatalError("not implemented") }
    /// Stores one finished run (outcome, curves, spectra, diagnostics) in its own transaction.
    public func recordRun(_ record: RunRecord, batchID: String) throws(StoreError) { fatalError("not implemented") }
    /// Replaces the batch's gate results.
    public func recordGates(_ gates: [GateResult], batchID: String) throws(StoreError) { fatalError("not implemented") }
    /// Records written files (path relative to the batch folder + SHA-256 hex).
    public func recordArtifacts(_ artifacts: [Artifact], batchID: String) throws(StoreError) { fatalError("not implemented") }
    /// Sets the batch's final status, end time and exit code.
    public func finishBatch(id: String, status: BatchStatus, finishedAt: Date, exitCode: Int) throws(StoreError) { fatalError("not implemented") }

    /// The whole batch, runs in plan order; nil when unknown.
    public func snapshot(batchID: String) throws(StoreError) -> BatchSnapshot? { fatalError("not implemented") }
    /// The stored plan of a batch (for resume).
    public func plan(batchID: String) throws(StoreError) -> Plan? { fatalError("not implemented") }
    /// Newest batch id overall (`latest`).
    public func latestBatchID() throws(StoreError) -> String? { fatalError("not implemented") }
    /// The newest batch of `manifestName` that started before `batchID` (any status but `running`).
    public func previousBatchID(before batchID: String, manifestName: String) throws(StoreError) -> String? { fatalError("not implemented") }
    /// Newest `partial` (or dead `running`) batch of a manifest name, for `--resume`.
    public func resumableBatchID(manifestName: String) throws(StoreError) -> String? { fatalError("not implemented") }
    /// Batches newest first.
    public func batches(limit: Int?) throws(StoreError) -> [BatchInfo] { fatalError("not implemented") }
    /// Batches of one manifest name, oldest first (for trend plots).
    public func batches(manifestName: String) throws(StoreError) -> [BatchInfo] { fatalError("not implemented") }
}

/// A file written for a batch.
public struct Artifact: Sendable, Equatable, Codable {
    public var path: String
    public var sha256: String
    public var bytes: Int
    public init(path: String, sha256: String, bytes: Int) {
        self.path = path
        self.sha256 = sha256
        self.bytes = bytes
    }
}

/// Archive errors.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
