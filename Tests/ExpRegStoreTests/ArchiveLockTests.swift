import ExpRegTestSupport
import Foundation
import Testing
@testable import ExpRegStore

@Suite("Archive lock")
struct ArchiveLockTests {
    @Test("a second lock on the same archive fails at once, naming the holder's pid, start and host")
    func conflictNamesHolder() throws {
        let fixture = ArchiveFixture()
        let first = try ArchiveLock(archivePath: fixture.path)
        #expect(first.isHeld)
        #expect(first.holderDescription.hasPrefix("pid=\(getpid()) started="))
        let start = ContinuousClock.now
        let error = try #require(throws: StoreError.self) { try ArchiveLock(archivePath: fixture.path) }
        #expect(ContinuousClock.now - start < .seconds(1))  // non-blocking
        #expect(error.kind == .lockHeld)
        #expect(error.holder == first.holderDescription)
        #expect(error.description.contains("pid=\(getpid())"))
        #expect(error.description.contains("in use by another expreg run"))
        let text = try String(contentsOfFile: fixture.path + ".lock", encoding: .utf8)
        #expect(text == first.holderDescription + "\n")
        withExtendedLifetime(first) {}
    }

    @Test("release() and deinit free the lock for the next holder")
    func releaseAndDeinit() throws {
        let fixture = ArchiveFixture()
        let first = try ArchiveLock(archivePath: fixture.path)
        first.release()
        first.release()  // idempotent
        #expect(!first.isHeld)
        do {
            let second = try ArchiveLock(archivePath: fixture.path)
            #expect(second.isHeld)
        }  // deinit releases
        let third = try ArchiveLock(archivePath: fixture.path)
        #expect(third.isHeld)
    }

    @Test("a lock in an unwritable place fails with kind failure")
    func unwritable() throws {
        let fixture = ArchiveFixture()
        let blocker = fixture.folder.url.appendingPathComponent("file")
        try Data("x".utf8).write(to: blocker)
        let error = try #require(throws: StoreError.self) {
            try ArchiveLock(archivePath: blocker.appendingPathComponent("expreg.sqlite").path)
        }
        #expect(error.kind == .failure)
        #expect(error.description.contains("cannot create the lock file"))
    }
}
