import ExpRegTestSupport
import Foundation
import GRDB
import Testing

/// The scheduler files in `contrib/`: the README shows exactly them, and the commands they run
/// work with the real binary (paths moved into a temporary folder).
@Suite(.serialized)
struct ScheduleFilesTests {
    static let files = [
        ("contrib/systemd/expreg-nightly.service", "ini"),
        ("contrib/systemd/expreg-nightly.timer", "ini"),
        ("contrib/cron/expreg.crontab", "sh"),
    ]

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent(relative), encoding: .utf8)
    }

    /// The arguments after `/usr/local/bin/expreg ` on `line`, up to a shell operator.
    static func expregArguments(_ line: Substring) throws -> [String] {
        let marker = "/usr/local/bin/expreg "
        let start = try #require(line.range(of: marker)).upperBound
        let words = line[start...].split(separator: " ").map(String.init)
        return Array(words.prefix { !$0.hasPrefix(">") && $0 != "&&" && $0 != "||" })
    }

    @Test func theReadmeShowsExactlyTheFilesInTheRepository() throws {
        let readme = try Self.text("README.md")
        for (path, language) in Self.files {
            let block = "<!-- file: \(path) -->\n```\(language)\n" + (try Self.text(path)) + "```\n"
            #expect(readme.contains(block), "README.md does not show \(path) as it is in the repository")
        }
        let shipped = try FileManager.default.subpathsOfDirectory(
            atPath: Fixtures.repositoryRoot.appendingPathComponent("contrib").path
        )
        .filter { !$0.hasSuffix("/") && ($0.contains(".")) }.map { "contrib/" + $0 }.sorted()
        #expect(shipped == Self.files.map(\.0).sorted(), "every file in contrib/ is shown in the README")
    }

    @Test(.tags(.slow), .skippedWhenFast) func theServiceAndCrontabCommandsRunWithTheRealBinary() throws {
        let dir = TemporaryDirectory()
        try FileManager.default.createDirectory(
            at: dir.url.appendingPathComponent("manifests"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: dir.url.appendingPathComponent("backup"), withIntermediateDirectories: true)
        _ = try writeManifest(RunCommandTests.tinyManifest, named: "manifests/nightly.yaml", in: dir.url)

        // systemd: JSON lines on stderr and in the log file.
        let service = try Self.text("contrib/systemd/expreg-nightly.service")
        let execStart = try #require(service.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        let timer = try ExpRegProcess.run(try Self.expregArguments(execStart), in: dir.url)
        #expect(timer.status == 0, "stderr: \(timer.stderr)")
        let stderrLines = timer.stderr.split(separator: "\n")
        #expect(!stderrLines.isEmpty)
        for line in stderrLines {
            let object = try JSONValue.parse(Data(line.utf8))
            #expect(
                object["time"]?.string != nil && object["level"]?.string != nil && object["message"]?.string != nil,
                "\(line)")
        }
        let log = dir.url.appendingPathComponent("output/expreg.log")
        let jsonLines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(jsonLines.filter { $0.contains("\"event\":\"run_finished\"") }.count == 6)

        // cron: quiet on stderr for a passing night, text lines appended to the same log.
        let crontab = try Self.text("contrib/cron/expreg.crontab").split(separator: "\n").filter {
            !$0.hasPrefix("#") && $0.contains("/usr/local/bin/expreg")
        }
        #expect(crontab.count == 2)
        let nightly = try ExpRegProcess.run(try Self.expregArguments(crontab[0]), in: dir.url)
        #expect(nightly.status == 0, "stderr: \(nightly.stderr)")
        #expect(nightly.stderr.isEmpty, "a passing night prints nothing for cron to mail: \(nightly.stderr)")
        let appended = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(appended.count > jsonLines.count)
        #expect(appended.last?.contains(" info batch ") == true && appended.last?.contains("finished: exit 0") == true)

        // The weekly line: backup then prune, as written (the backup folder moved under the test's folder).
        let weekly = crontab[1].replacingOccurrences(
            of: "/srv/backup/", with: dir.url.appendingPathComponent("backup").path + "/")
        let jobs = weekly.components(separatedBy: "&& /usr/local/bin/expreg ").dropFirst()
            .map { try? Self.expregArguments(Substring("/usr/local/bin/expreg " + $0)) }
        #expect(jobs.count == 2)
        for arguments in jobs {
            let job = try ExpRegProcess.run(try #require(arguments), in: dir.url)
            #expect(job.status == 0, "\(arguments ?? []): \(job.stderr)")
        }
        #expect(
            try scalar(
                Int.self, dir.url.appendingPathComponent("backup/expreg.sqlite").path, "SELECT COUNT(*) FROM batches")
                == 2)
        // A log file that cannot be opened is invalid input, found before anything is trained.
        let badLog = try ExpRegProcess.run(
            [
                "run", "manifests/nightly.yaml", "--db", "output/expreg.sqlite", "--output", "output",
                "--log-file", "manifests",
            ], in: dir.url)
        #expect(badLog.status == 2 && badLog.stderr.contains("--log-file"), "stderr: \(badLog.stderr)")
        #expect(
            try scalar(
                Int.self, dir.url.appendingPathComponent("output/expreg.sqlite").path, "SELECT COUNT(*) FROM batches")
                == 2)
    }
}
