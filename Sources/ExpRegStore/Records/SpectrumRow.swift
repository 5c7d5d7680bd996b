import ExpRegCore
import Foundation
import GRDB

/// A row of `spectra`: the eigenvalues of H* or H(W) at a GD step (see ``EigenvalueBlob``).
struct SpectrumRow: Codable, FetchableRecord, PersistableRecord, Equatable {
    static let databaseTableName = "spectra"

    var batchID: String
    var runKey: String
    /// Position in `RunOutcome.spectra` (0-based).
    var seq: Int
    var step: Int
    var kind: String
    var count: Int
    /// Little-endian float64 values; nil for an empty spectrum.
    var eigenvalues: Data?

    enum CodingKeys: String, CodingKey {
        case seq, step, kind, count, eigenvalues
        case batchID = "batch_id"
        case runKey = "run_key"
    }

    init(_ spectrum: Spectrum, seq: Int, batchID: String, runKey: String) {
        self.batchID = batchID
        self.runKey = runKey
        self.seq = seq
        step = spectrum.step
        kind = spectrum.kind.rawValue
        count = spectrum.eigenvalues.count
        eigenvalues = spectrum.eigenvalues.isEmpty ? nil : EigenvalueBlob.encode(spectrum.eigenvalues)
    }

    /// The spectrum as the Core type.
    /// - Throws: `DecodingError` when the kind is unknown or the blob length disagrees with `count`.
    func spectrum() throws -> Spectrum {
        guard let kind = SpectrumKind(rawValue: kind) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: [], debugDescription: "unknown spectrum kind '\(kind)'"))
        }
        guard let values = EigenvalueBlob.decode(eigenvalues ?? Data()), values.count == count else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: [],
                    debugDescription: "spectrum of run \(runKey) at step \(step): blob is not \(count) float64"))
        }
        return Spectrum(step: step, kind: kind, eigenvalues: values)
    }
}
