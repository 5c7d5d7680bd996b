import GRDB

/// A row of `artifacts`: a file written for a batch.
struct ArtifactRow: Codable, FetchableRecord, PersistableRecord, Equatable {
    static let databaseTableName = "artifacts"

    var batchID: String
    var path: String
    var sha256: String
    var bytes: Int

    enum CodingKeys: String, CodingKey {
        case path, sha256, bytes
        case batchID = "batch_id"
    }

    init(_ artifact: Artifact, batchID: String) {
        self.batchID = batchID
        path = artifact.path
        sha256 = artifact.sha256
        bytes = artifact.bytes
    }

    var artifact: Artifact { Artifact(path: path, sha256: sha256, bytes: bytes) }
}
