import ExpRegFiles
import ExpRegTestSupport
import Foundation
import Testing

@Suite("Atomic file replacement")
struct AtomicFileTests {
    @Test func writeReplacesTheFileWholeAndLeavesNoTemporaryFile() throws {
        let dir = TemporaryDirectory(prefix: "expreg-atomic")
        let url = dir.url.appendingPathComponent("sub/report.md")
        try AtomicFile.write("first\n", to: url)
        try AtomicFile.write("second\n", to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "second\n")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path) == ["report.md"])
    }

    @Test func aFailingWriterLeavesTheOldFileAndNoTemporaryFile() throws {
        let dir = TemporaryDirectory(prefix: "expreg-atomic")
        let path = dir.url.appendingPathComponent("plot.png").path
        try AtomicFile.write("old", to: URL(fileURLWithPath: path))
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try AtomicFile.replace(path) { temporary in
                try Data("half".utf8).write(to: URL(fileURLWithPath: temporary))
                throw Boom()
            }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["plot.png"])
    }

    @Test func aFolderInTheWayIsAFailureNamingThePath() throws {
        let dir = TemporaryDirectory(prefix: "expreg-atomic")
        let blocked = dir.url.appendingPathComponent("results.json")
        try FileManager.default.createDirectory(
            at: blocked.appendingPathComponent("x"), withIntermediateDirectories: true)
        #expect {
            try AtomicFile.write("{}", to: blocked)
        } throws: { error in
            (error as? AtomicFile.Failure)?.path == blocked.path
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["results.json"])
    }

    @Test func temporaryNamesCarryTheirOwnersPid() {
        let path = AtomicFile.temporaryPath(for: "/out/b1/report.html")
        let name = URL(fileURLWithPath: path).lastPathComponent
        #expect(path.hasPrefix("/out/b1/.report.html.tmp-"))
        #expect(AtomicFile.temporaryOwner(ofName: name) == getpid())
        #expect(AtomicFile.temporaryOwner(ofName: ".latest.tmp-4242") == 4242)
        #expect(AtomicFile.temporaryOwner(ofName: "report.html") == nil)
        #expect(AtomicFile.temporaryOwner(ofName: ".hidden") == nil)
        #expect(AtomicFile.temporaryPath(for: "/a/b") != AtomicFile.temporaryPath(for: "/a/b"))
    }
}
