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

    @Test(
        "a lock held by another process (util-linux flock) is detected and its holder text reported",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/flock")))
    func conflictAcrossProcesses() throws {
        let fixture = ArchiveFixture()
        let lockPath = fixture.path + ".lock"
        let holderText = "pid=424242 started=2026-11-29T04:30:00Z host=other-runner"
        try Data((holderText + "\n").utf8).write(to: URL(fileURLWithPath: lockPath))
        let child = Process()
        // The shell opens the lock file as fd 9, locks it with flock(1), then becomes `sleep`: the
        // sleeping process holds the lock until it is terminated.
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        child.arguments = ["-c", "exec 9>>\"$0\" && /usr/bin/flock 9 && exec sleep 10", lockPath]
        try child.run()
        defer {
            child.terminate()
            child.waitUntilExit()
        }
        // Wait (at most 5 s) until the child has the lock.
        var error: StoreError?
        let deadline = ContinuousClock.now + .seconds(5)
        while error == nil, ContinuousClock.now < deadline {
            do throws(StoreError) {
                let probe = try ArchiveLock(archivePath: fixture.path)
                probe.release()
            } catch let caught {
                error = caught
                break
            }
            // The probe took the lock before the child did: put the holder text back and retry.
            try Data((holderText + "\n").utf8).write(to: URL(fileURLWithPath: lockPath))
            Thread.sleep(forTimeInterval: 0.02)
        }
        let caught = try #require(error)
        #expect(caught.kind == .lockHeld)
        #expect(caught.holder == holderText)
        #expect(caught.description.contains("pid=424242"))
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
        #expect(error.description.contains("cannot open or create the archive file"))
    }

    @Test("the lock is the archive file's: a symlink, a hard link or a deleted lock file cannot bypass it")
    func lockFollowsTheFileNotThePath() throws {
        let fixture = ArchiveFixture()
        let first = try ArchiveLock(archivePath: fixture.path)
        let link = fixture.folder.url.appendingPathComponent("link.sqlite").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fixture.path)
        let hard = fixture.folder.url.appendingPathComponent("hard.sqlite").path
        try FileManager.default.linkItem(atPath: fixture.path, toPath: hard)
        for alias in [
            link, hard, fixture.folder.url.path + "/../" + fixture.folder.url.lastPathComponent + "/expreg.sqlite",
        ] {
            let error = try #require(throws: StoreError.self) { try ArchiveLock(archivePath: alias) }
            #expect(error.kind == .lockHeld, "\(alias)")
            #expect(error.description.contains("pid=\(getpid())"), "\(alias): \(error)")
        }
        try FileManager.default.removeItem(atPath: first.lockPath)
        let error = try #require(throws: StoreError.self) { try ArchiveLock(archivePath: fixture.path) }
        #expect(error.kind == .lockHeld)
        // The text is gone; the holder's pid is found in /proc/locks by the file's device and inode.
        #expect(error.description.contains("pid=\(getpid())"), "\(error)")
        first.release()
        #expect(try ArchiveLock(archivePath: link).isHeld)
    }

    @Test("a folder at the archive path is refused, not locked")
    func folderIsRefused() throws {
        let fixture = ArchiveFixture()
        try FileManager.default.createDirectory(atPath: fixture.path, withIntermediateDirectories: true)
        let error = try #require(throws: StoreError.self) { try ArchiveLock(archivePath: fixture.path) }
        #expect(error.description.contains("not a regular file"))
    }
}
