import ExpRegCore

/// The text `expreg prune` prints: one line per removed folder, kept batches, the total.
public enum PruneReport {
    /// Lines ending in a newline; `would remove` instead of `removed` for a dry run.
    public static func text(_ summary: PruneSummary, archivePath: String) -> String {
        let verb = summary.dryRun ? "would remove" : "removed"
        var lines: [String] = []
        for folder in summary.removedFolders {
            lines.append("\(verb) \(folder.path) (\(ByteFormat.size(folder.bytes)))")
        }
        for id in summary.protectedBatchIDs {
            lines.append("kept \(id): the latest or a running batch is never pruned")
        }
        if !summary.deletedBatchIDs.isEmpty {
            let deleted = summary.dryRun ? "would delete" : "deleted"
            lines.append(
                "\(deleted) \(summary.deletedBatchIDs.count) batches from \(archivePath): "
                    + summary.deletedBatchIDs.joined(separator: ", "))
            if let before = summary.archiveBytesBefore, let after = summary.archiveBytesAfter {
                lines.append("archive \(ByteFormat.size(before)) -> \(ByteFormat.size(after)) after VACUUM")
            }
        }
        let freed = summary.dryRun ? "would free" : "freed"
        lines.append(
            "\(summary.removedFolders.count) folders \(verb == "removed" ? "removed" : "to remove"), "
                + "\(freed) \(ByteFormat.size(summary.bytesFreed))"
                + (summary.deletedBatchIDs.isEmpty && !summary.removedFolders.isEmpty
                    ? "; the archive keeps these batches: rebuild one with `expreg report --batch ID`" : ""))
        if let page = summary.frontPage { lines.append("front page: \(page.path)") }
        return lines.joined(separator: "\n") + "\n"
    }
}
