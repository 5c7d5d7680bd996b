import ExpRegCore
import ExpRegTestSupport
import Foundation
import Testing

@testable import ExpRegStore

/// An output root for the tests: refuses or records what the session asks, and checks that a claim
/// happens while the archive's lock is held.
private final class RecordingRoot: ArchiveOutputRoot {
    struct Refused: Error {}
    var refuses = false
    var calls: [String] = []
    var lockHeldAtClaim: Bool?
    let archivePath: String

    init(archivePath: String) { self.archivePath = archivePath }

    func checkOwner(_ archiveRealPath: String) throws {
        calls.append("check")
        if refuses { throw Refused() }
    }

    func claim(for archiveRealPath: String) throws {
        calls.append("claim")
        do {
            _ = try ArchiveLock(archivePath: archivePath)
            lockHeldAtClaim = false
        } catch {
            lockHeldAtClaim = error.kind == .lockHeld
        }
    }
}

@Suite("Archive session: lock → open → claim → close → release")
struct ArchiveSessionTests {
    @Test("one writer at a time; readers meanwhile; writeWhenFree reads while another writes; close frees the lock")
    func oneWriter() throws {
        let fixture = ArchiveFixture()
        let writer = try ArchiveSession(path: fixture.path, access: .write)
        #expect(writer.isWriter && writer.archive.access == .readWrite)
        let refused = try #require(throws: ArchiveSession.OpenError.self) {
            try ArchiveSession(path: fixture.path, access: .write)
        }
        #expect(refused.step == .lock && refused.error.kind == .lockHeld)
        let reader = try ArchiveSession(path: fixture.path, access: .read)
        #expect(!reader.isWriter && reader.archive.access == .readOnly)
        let fallback = try ArchiveSession(path: fixture.path, access: .writeWhenFree)
        #expect(!fallback.isWriter && fallback.archive.access == .readOnly)
        reader.close()
        fallback.close()
        writer.close()
        #expect(throws: StoreError.self) { try writer.archive.batches(limit: nil) }  // closed
        let next = try ArchiveSession(path: fixture.path, access: .writeWhenFree)
        #expect(next.isWriter, "close released the lock")
        next.close()
        next.close()  // idempotent
    }

    @Test("an output root owned by another archive is refused before the lock creates anything")
    func refusedRootCreatesNothing() throws {
        let fixture = ArchiveFixture()
        let root = RecordingRoot(archivePath: fixture.path)
        root.refuses = true
        #expect(throws: RecordingRoot.Refused.self) {
            try ArchiveSession(path: fixture.path, access: .write, output: .claim(root))
        }
        #expect(root.calls == ["check"])
        #expect(!FileManager.default.fileExists(atPath: fixture.path))
        #expect(!FileManager.default.fileExists(atPath: fixture.path + ".lock"))
    }

    @Test("a foreign file is refused before the output root is even checked")
    func foreignFileFirst() throws {
        let fixture = ArchiveFixture()
        try Data("not sqlite at all, just text\n".utf8).write(to: URL(fileURLWithPath: fixture.path))
        let root = RecordingRoot(archivePath: fixture.path)
        let error = try #require(throws: ArchiveSession.OpenError.self) {
            try ArchiveSession(path: fixture.path, access: .write, output: .claim(root))
        }
        #expect(error.step == .open && error.error.kind == .notAnArchive)
        #expect(root.calls.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: fixture.path + ".lock"))
    }

    @Test("a writer claims the root with the lock held; a reader and a check-only session never claim")
    func claimUnderTheLock() throws {
        let fixture = ArchiveFixture()
        let root = RecordingRoot(archivePath: fixture.path)
        let writer = try ArchiveSession(path: fixture.path, access: .write, output: .claim(root))
        #expect(root.calls == ["check", "claim"] && root.lockHeldAtClaim == true)
        writer.close()
        let checked = RecordingRoot(archivePath: fixture.path)
        try ArchiveSession(path: fixture.path, access: .write, output: .check(checked)).close()
        try ArchiveSession(path: fixture.path, access: .read, output: .claim(checked)).close()
        #expect(checked.calls == ["check", "check"])
    }
}
