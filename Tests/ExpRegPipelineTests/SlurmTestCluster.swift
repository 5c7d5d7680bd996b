import ExpRegPipeline
import ExpRegTestSupport
import Foundation

/// A throw-away single-node Slurm cluster on loopback for the tests: its own munge key and socket,
/// state in a temporary folder, free ports on 127.0.0.1, daemons started directly in the foreground
/// (no systemd) and stopped by the pids started here.
///
/// Settings that make Debian's Slurm 22.05 work in a container: `proctrack/linuxproc` and
/// `task/none` (no cgroups), `NoInAddrAny,NoCtldInAddrAny` (bind to the host name's address),
/// `MinJobAge=5` (finished jobs leave the queue quickly), `batch_sched_delay=0` (array tasks start
/// at once), `config_overrides` (the node may advertise more CPUs than the machine has),
/// `cred_expire=10` (a requeued job starts again about 11 s after its requeue, not 2 minutes).
final class SlurmTestCluster {
    let folder = TemporaryDirectory(prefix: "expreg-slurm")
    private(set) var daemons: [(name: String, process: ChildProcess)] = []

    var configPath: String { folder.url.appendingPathComponent("slurm.conf").path }
    /// Environment for `sbatch`, `squeue`, … and for `expreg submit slurm`.
    var environment: [String: String] { ["SLURM_CONF": configPath] }

    static let binaries = [
        "/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch",
        "/usr/bin/squeue", "/usr/bin/scancel", "/usr/bin/scontrol", "/usr/bin/sinfo",
    ]

    /// Why the Slurm tests cannot run here (binaries absent), or nil.
    static var unavailableReason: String? {
        let missing = binaries.filter { !FileManager.default.isExecutableFile(atPath: $0) }
        return missing.isEmpty
            ? nil
            : "\(missing.joined(separator: ", ")) not installed (make test-deps installs slurmctld slurmd slurm-client munge)"
    }

    /// Starts munged, slurmctld and slurmd; returns when the node is idle.
    init(cpus: Int = 4) throws {
        let root = folder.url
        let munge = root.appendingPathComponent("munge")
        try FileManager.default.createDirectory(
            at: munge, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o711])
        for name in ["state", "spool", "log"] {
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        var key = [UInt8](repeating: 0, count: 1024)
        for i in key.indices { key[i] = UInt8.random(in: 0...255) }
        let keyFile = munge.appendingPathComponent("munge.key")
        _ = FileManager.default.createFile(
            atPath: keyFile.path, contents: Data(key), attributes: [.posixPermissions: 0o400])
        let socket = munge.appendingPathComponent("munge.socket").path

        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count)
        let host =
            String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).split(separator: ".")
            .first.map(String.init) ?? "localhost"
        let (ctldPort, nodePort) = (try Self.freePort(), try Self.freePort())
        let config = """
            ClusterName=expregtest
            SlurmctldHost=\(host)(127.0.0.1)
            SlurmctldPort=\(ctldPort)
            SlurmdPort=\(nodePort)
            SlurmUser=\(NSUserName())
            SlurmdUser=\(NSUserName())
            AuthType=auth/munge
            CredType=cred/munge
            AuthInfo=socket=\(socket),cred_expire=10
            StateSaveLocation=\(root.path)/state
            SlurmdSpoolDir=\(root.path)/spool
            SlurmctldPidFile=\(root.path)/slurmctld.pid
            SlurmdPidFile=\(root.path)/slurmd.pid
            SlurmctldLogFile=\(root.path)/log/slurmctld.log
            SlurmdLogFile=\(root.path)/log/slurmd.log
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            JobAcctGatherType=jobacct_gather/none
            AccountingStorageType=accounting_storage/none
            SchedulerType=sched/backfill
            SelectType=select/cons_tres
            SelectTypeParameters=CR_CPU
            SchedulerParameters=batch_sched_delay=0
            \(Self.resolvesToLoopback(host) ? "CommunicationParameters=NoInAddrAny,NoCtldInAddrAny" : "")
            SlurmdParameters=config_overrides
            MinJobAge=5
            ReturnToService=2
            MpiDefault=none
            NodeName=\(host) NodeAddr=127.0.0.1 CPUs=\(cpus) State=UNKNOWN
            PartitionName=debug Nodes=\(host) Default=YES MaxTime=INFINITE State=UP

            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)

        do {
            try start(
                "munged", "/usr/sbin/munged",
                [
                    "--foreground", "--force", "--socket=\(socket)", "--key-file=\(keyFile.path)",
                    "--pid-file=\(munge.path)/munged.pid", "--log-file=\(munge.path)/munged.log",
                    "--seed-file=\(munge.path)/munged.seed",
                ])
            guard eventually(timeout: 10, { FileManager.default.fileExists(atPath: socket) }) else {
                throw SlurmTestError("munged did not create \(socket): \(log("munge/munged.log"))")
            }
            try start("slurmctld", "/usr/sbin/slurmctld", ["-D", "-i", "-f", configPath])
            try start("slurmd", "/usr/sbin/slurmd", ["-D", "-f", configPath, "-N", host])
            let idle = eventually(timeout: 30) {
                ((try? self.command("sinfo", ["-h", "-o", "%t"])) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                    == "idle"
            }
            guard idle else {
                throw SlurmTestError(
                    "the test node did not become idle:\n\(log("log/slurmctld.log"))\n\(log("log/slurmd.log"))")
            }
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// Cancels every job, waits for the queue to empty (job processes outlive slurmd), then stops
    /// the daemons this cluster started, by pid, newest first.
    func stop() {
        if daemons.contains(where: { $0.name == "slurmctld" }) {
            let jobs = ((try? command("squeue", ["-h", "-o", "%A"])) ?? "").split(separator: "\n").map(String.init)
            if !jobs.isEmpty { _ = try? command("scancel", jobs) }
            _ = eventually(timeout: 20) { ((try? self.command("squeue", ["-h", "-o", "%A"])) ?? "").isEmpty }
        }
        for (_, process) in daemons.reversed() {
            kill(process.pid, SIGTERM)
            if !eventually(timeout: 10, { process.poll() != nil }) {
                kill(process.pid, SIGKILL)
                _ = process.wait()
            }
        }
        daemons.removeAll()
    }

    /// Runs a Slurm client command against this cluster; returns stdout, throws on failure.
    @discardableResult
    func command(_ program: String, _ arguments: [String]) throws -> String {
        let result = try ChildProcess.run(
            program, arguments,
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
        guard result.status == 0 else {
            throw SlurmTestError(
                "\(program) \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    /// Waits until the job (and every task of an array) has left the queue.
    func waitUntilGone(_ jobID: String, timeout: TimeInterval = 240) -> Bool {
        eventually(timeout: timeout) {
            ((try? self.command("squeue", ["-h", "-j", jobID, "-o", "%A"])) ?? "").trimmingCharacters(
                in: .whitespacesAndNewlines
            ).isEmpty
        }
    }

    func log(_ relative: String) -> String {
        (try? String(contentsOf: folder.url.appendingPathComponent(relative), encoding: .utf8)) ?? "(no \(relative))"
    }

    private func start(_ name: String, _ path: String, _ arguments: [String]) throws {
        let console = folder.url.appendingPathComponent("log/\(name).console").path
        let process = try ChildProcess.start(
            path, arguments,
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
            stdout: console, stderr: console)
        daemons.append((name, process))
    }

    /// Whether `host` resolves to a 127.x address. With `NoInAddrAny,NoCtldInAddrAny` the daemons
    /// bind to what the host name resolves to; where that is not loopback (some CI runners), they
    /// keep the default wildcard binding so that 127.0.0.1 still reaches them.
    static func resolvesToLoopback(_ host: String) -> Bool {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return false }
        defer { freeaddrinfo(first) }
        var loopback = false
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            if let address = current.pointee.ai_addr {
                let ipv4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
                if UInt32(bigEndian: ipv4) >> 24 == 127 { loopback = true }
            }
            entry = current.pointee.ai_next
        }
        if !loopback { print("Slurm test cluster: \(host) does not resolve to 127.x; daemons bind to every address") }
        return loopback
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SlurmTestError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw SlurmTestError("cannot bind a port on 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct SlurmTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
