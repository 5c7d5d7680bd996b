import ExpRegTestSupport
import Foundation
import GRDB
import Testing

/// Files that are not ours are refused and left byte-for-byte unchanged; read-only commands never
/// change an archive's bytes and work where it cannot be written (a read-only bind mount).
@Suite(.serialized, .tags(.slow), .skippedWhenFast)
struct ForeignAndReadOnlyArchiveTests {
    /// The bytes of `path` and of its `-wal` / `-shm` / `.lock` companions (nil when absent).
    static func fingerprint(_ path: String) -> [String: Data?] {
        var result: [String: Data?] = [:]
        for suffix in ["", "-wal", "-shm", "-journal", ".lock"] {
            result[suffix] = FileManager.default.contents(atPath: path + suffix)
        }
        return result
    }

    /// A real archive with one completed batch of the tiny manifest, in `dir/out/archive.sqlite`.
    static func makeArchive(in dir: TemporaryDirectory) throws -> (db: String, manifest: String) {
        let manifest = try writeManifest(RunCommandTests.tinyManifest, in: dir.url)
        let db = dir.url.appendingPathComponent("out/archive.sqlite").path
        let result = try ExpRegProcess.run(["run", manifest, "--output", "out", "--db", db], in: dir.url)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        return (db, manifest)
    }

    /// Every command that may meet a refused file, with `--db path`.
    static func commands(_ manifest: String, db: String) -> [[String]] {
        [
            ["run", manifest, "--db", db, "--output", "out-refused"],
            ["history", "--db", db],
            ["export", "--db", db, "--format", "json"],
            ["report", "--db", db, "--output", "out-refused"],
        ]
    }

    @Test(arguments: [0, 1, 7])
    func foreignSQLiteIsRefusedAndUnchangedWhateverItsUserVersion(userVersion: Int) throws {
        let dir = TemporaryDirectory()
        let manifest = try writeManifest(RunCommandTests.tinyManifest, in: dir.url)
        let db = dir.url.appendingPathComponent("contacts.sqlite").path
        let queue = try DatabaseQueue(path: db)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT)")
            try db.execute(sql: "INSERT INTO contacts (name) VALUES ('Ada')")
            try db.execute(sql: "PRAGMA user_version = \(userVersion)")
        }
        try queue.close()
        let before = Self.fingerprint(db)
        for command in Self.commands(manifest, db: db) {
            let result = try ExpRegProcess.run(command, in: dir.url)
            #expect(result.status == 2, "\(command[0]): stderr: \(result.stderr)")
            #expect(result.stderr.contains("not an ExpReg archive"), "\(command[0]): \(result.stderr)")
            #expect(Self.fingerprint(db) == before, "\(command[0]) changed the foreign file")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("out-refused/latest").path))
    }

    @Test func newerSchemaAndDamagedArchivesAreRefusedAndUnchanged() throws {
        let dir = TemporaryDirectory()
        let (db, manifest) = try Self.makeArchive(in: dir)
        let newer = dir.url.appendingPathComponent("newer.sqlite").path
        try FileManager.default.copyItem(atPath: db, toPath: newer)
        let queue = try DatabaseQueue(path: newer)
        try queue.write { db in
            try db.execute(sql: "PRAGMA user_version = 99")
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-future')")
        }
        try queue.close()
        let newerBefore = Self.fingerprint(newer)
        for command in Self.commands(manifest, db: newer) {
            let result = try ExpRegProcess.run(command, in: dir.url)
            #expect(result.status == 2, "\(command[0]): stderr: \(result.stderr)")
            #expect(result.stderr.contains("newer ExpReg"), "\(command[0]): \(result.stderr)")
            #expect(Self.fingerprint(newer) == newerBefore, "\(command[0]) changed the newer archive")
        }

        // Damage the schema page (page 1 past the 100-byte header): every command refuses it.
        let damaged = dir.url.appendingPathComponent("damaged.sqlite").path
        var bytes = try Data(contentsOf: URL(fileURLWithPath: db))
        for offset in 100..<min(4096, bytes.count) { bytes[offset] = UInt8(truncatingIfNeeded: offset &* 31) }
        try bytes.write(to: URL(fileURLWithPath: damaged))
        let damagedBefore = Self.fingerprint(damaged)
        for command in Self.commands(manifest, db: damaged) {
            let result = try ExpRegProcess.run(command, in: dir.url)
            #expect(
                result.status == 1 || result.status == 2,
                "\(command[0]): status \(result.status), stderr: \(result.stderr)")
            #expect(
                result.stderr.contains("damaged") || result.stderr.contains("not an ExpReg archive"),
                "\(command[0]): \(result.stderr)")
            #expect(Self.fingerprint(damaged) == damagedBefore, "\(command[0]) changed the damaged archive")
        }
    }

    @Test func readOnlyCommandsNeverChangeTheArchiveBytes() throws {
        let dir = TemporaryDirectory()
        let (db, _) = try Self.makeArchive(in: dir)
        let before = Self.fingerprint(db)
        #expect((before["-wal"] ?? nil) == nil, "a finished run leaves no WAL file")
        let history = try ExpRegProcess.run(["history", "--db", db], in: dir.url)
        #expect(history.status == 0, "stderr: \(history.stderr)")
        #expect(history.stdout.contains("tiny"))
        let export = try ExpRegProcess.run(["export", "--db", db, "--format", "csv"], in: dir.url)
        #expect(export.status == 0, "stderr: \(export.stderr)")
        let report = try ExpRegProcess.run(["report", "--db", db, "--output", "elsewhere"], in: dir.url)
        #expect(report.status == 0, "stderr: \(report.stderr)")
        #expect(report.stdout.contains("read-only"), "stdout: \(report.stdout)")
        #expect(Self.fingerprint(db) == before, "a read-only command changed the archive or left files beside it")
    }

    @Test(.skipped(because: HostCapabilities.mountUnavailable))
    func readOnlyBindMountArchiveCanBeRead() throws {
        let dir = TemporaryDirectory()
        let (db, _) = try Self.makeArchive(in: dir)
        let mountPoint = dir.url.appendingPathComponent("ro")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        let source = dir.url.appendingPathComponent("out").path
        try #require(Self.shell("mount --bind '\(source)' '\(mountPoint.path)'") == 0, "mount --bind failed")
        defer { _ = Self.shell("umount '\(mountPoint.path)'") }
        try #require(Self.shell("mount -o remount,ro,bind '\(mountPoint.path)'") == 0, "remount read-only failed")
        let readOnlyDB = mountPoint.appendingPathComponent("archive.sqlite").path
        #expect(access(readOnlyDB, W_OK) != 0, "the bind mount is not read-only")
        let before = Self.fingerprint(db)
        let history = try ExpRegProcess.run(["history", "--db", readOnlyDB], in: dir.url)
        #expect(history.status == 0, "stderr: \(history.stderr)")
        #expect(history.stdout.contains("tiny"))
        let export = try ExpRegProcess.run(["export", "--db", readOnlyDB, "--format", "json"], in: dir.url)
        #expect(export.status == 0, "stderr: \(export.stderr)")
        #expect(export.stdout.contains("\"runs\""))
        let report = try ExpRegProcess.run(["report", "--db", readOnlyDB, "--output", "elsewhere"], in: dir.url)
        #expect(report.status == 0, "stderr: \(report.stderr)")
        #expect(
            FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("elsewhere/latest/report.html").path))
        // A writer is refused with a clear message, not a crash, and changes nothing.
        let run = try ExpRegProcess.run(
            [
                "run", dir.url.appendingPathComponent("manifest.yaml").path, "--db", readOnlyDB,
                "--output", "out3",
            ], in: dir.url)
        #expect(run.status == 1 || run.status == 2, "stderr: \(run.stderr)")
        #expect(Self.fingerprint(db) == before)
    }

    /// Run as another user (`nobody`), who can read but not write the archive and its folder. That
    /// user gets what it needs of its own, as a real unprivileged account would: the binary and the
    /// templates installed by `make install-files` into a folder it can enter (the checkout may be
    /// private: a newcomer's clone in a 0700 folder), and its own HOME and TMPDIR.
    @Test(.skipped(because: HostCapabilities.otherUserUnavailable))
    func anArchiveWithoutWritePermissionCanBeRead() throws {
        let dir = TemporaryDirectory(in: try #require(HostCapabilities.sharedTemporaryBase), permissions: 0o755)
        let installed = try InstalledExpReg.install(into: dir.url.appendingPathComponent("prefix"))
        let (db, manifest) = try Self.makeArchive(in: dir)
        let out = dir.url.appendingPathComponent("out").path
        chmod(manifest, 0o644)
        chmod(db, 0o444)
        chmod(out, 0o555)
        defer { chmod(out, 0o755) }
        let elsewhere = dir.url.appendingPathComponent("elsewhere")
        let home = dir.url.appendingPathComponent("home")
        for folder in [elsewhere, home] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            chmod(folder.path, 0o777)
        }
        let before = Self.fingerprint(db)
        let user = HostCapabilities.otherUserID
        func asNobody(_ arguments: [String]) throws -> ExpRegProcess.Result {
            try ExpRegProcess.run(
                ["--reuid=\(user)", "--regid=\(user)", "--clear-groups", installed.binary.path] + arguments,
                in: dir.url, executable: URL(fileURLWithPath: "/usr/bin/setpriv"),
                extraEnvironment: ["HOME": home.path, "TMPDIR": home.path], unsetting: ["EXPREG_TEMPLATES"])
        }
        #expect(access(out, W_OK) == 0, "root can still write; the commands below run as nobody")
        let history = try asNobody(["history", "--db", db])
        #expect(history.status == 0, "stderr: \(history.stderr)")
        #expect(history.stdout.contains("tiny"))
        let export = try asNobody(["export", "--db", db, "--format", "csv"])
        #expect(export.status == 0, "stderr: \(export.stderr)")
        let report = try asNobody(["report", "--db", db, "--output", elsewhere.path])
        #expect(report.status == 0, "stderr: \(report.stderr)")
        #expect(FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent("latest/report.html").path))
        let run = try asNobody(["run", manifest, "--db", db, "--output", elsewhere.path])
        #expect(run.status == 1 || run.status == 2, "stderr: \(run.stderr)")
        #expect(!run.stderr.contains("Fatal error"))
        #expect(Self.fingerprint(db) == before)
    }

    /// Runs `/bin/sh -c command` quietly; its exit status.
    static func shell(_ command: String) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command + " >/dev/null 2>&1"]
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
