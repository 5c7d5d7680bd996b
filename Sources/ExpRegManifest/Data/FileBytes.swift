import Foundation

/// Reads whole files for the manifest module, with a size limit and messages that say what failed.
enum FileBytes {
    /// The file's bytes, or a message ("no such file", "is a folder", "is larger than …").
    static func read(_ path: String, limit: Int) -> Result<[UInt8], FileProblem> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(.missing("no such file: \(path)"))
        }
        if isDirectory.boolValue { return .failure(.unreadable("\(path) is a folder, not a file")) }
        let attributes = (try? FileManager.default.attributesOfItem(atPath: path)) ?? [:]
        if let type = attributes[.type] as? FileAttributeType, type != .typeRegular {
            return .failure(.unreadable("\(path) is not a regular file"))
        }
        if let size = attributes[.size] as? NSNumber, size.intValue > limit {
            return .failure(.unreadable("\(path) is \(size.intValue) bytes, more than the limit of \(limit) bytes"))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(.unreadable("cannot read \(path) (permissions?)"))
        }
        guard data.count <= limit else {
            return .failure(.unreadable("\(path) is \(data.count) bytes, more than the limit of \(limit) bytes"))
        }
        return .success([UInt8](data))
    }

    /// Why a file could not be read.
    enum FileProblem: Error {
        case missing(String)
        case unreadable(String)

        var message: String {
            switch self {
            case .missing(let m), .unreadable(let m): return m
            }
        }
    }
}
