import ExpRegCore
import ExpRegPipeline
import ExpRegTestSupport
import Foundation
import Testing

/// The probe's memory does not grow with the width: the peak RSS of the real `expreg probe` process
/// (``ChildPeakMemory``: `wait4` on that process alone) at m and at 16·m.
@Suite(.tags(.slow), .skippedWhenFast)
struct ProbeMemoryTests {
    static func peakRSS(_ arguments: [String], in folder: URL) throws -> ChildPeakMemory.Result {
        try ChildPeakMemory.run(
            ExpRegProcess.binary.path, arguments, in: folder, environment: ExpRegProcess.environment)
    }

    @Test("peak RSS at 16× the width stays within 16 MiB of the peak at 1× (n = 64, d = 32)")
    func flatInTheWidth() throws {
        let dir = TemporaryDirectory()
        let path = try writeManifest(
            """
            name: probe-memory
            defaults:
              seed: 0
              data: {source: sphere, n: 64, d: 32, labels: random, seed: 0}
              model: {activation: exp, width: 1024, init_scale: 1.0}
            experiments:
              - name: one
            """, in: dir.url)
        // --margin 20 keeps both probes going to their maximum (never 81 holding checkpoints here).
        let small = try Self.peakRSS(["probe", path, "--max-width", "16384", "--margin", "20", "--quiet"], in: dir.url)
        let large = try Self.peakRSS(
            ["probe", path, "--max-width", "262144", "--margin", "20", "--quiet"], in: dir.url)
        #expect(small.status == 0 && large.status == 0, "\(small.stderr) \(large.stderr)")
        // Allowance 16 MiB: allocator and thread-stack noise is a few MiB; anything that grew with m
        // would be far larger at m = 262,144 (W0 alone: m·d·8 = 64 MiB; the activations n·m·8 = 128 MiB).
        let message = "peak RSS \(small.peakBytes) B at 16,384, \(large.peakBytes) B at 262,144"
        #expect(large.peakBytes - small.peakBytes <= 16 << 20, "\(message)")
        // The measurement sees the probe's own memory (not the test process's size, which a child spawned
        // directly would report; see ChildPeakMemory): at n = 1024 the two n × n matrices alone add 16 MiB.
        let wide = try Self.peakRSS(
            ["probe", path, "--set", "data.n=1024", "--max-width", "16", "--quiet"], in: dir.url)
        #expect(wide.status == 0, "\(wide.stderr)")
        #expect(wide.peakBytes - small.peakBytes >= 2 * 8 * 1024 * 1024, "n = 1024: \(wide.peakBytes) B; \(message)")
        // And within the estimate the memory check uses (working set + process overhead).
        #expect(large.peakBytes <= ProbeMemory.bytes(n: 64, d: 32, threads: 8) + TrainingMemory.processOverheadBytes)
    }
}
