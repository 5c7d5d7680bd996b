import ExpRegCore
import Foundation
import Testing

@Suite struct BatchHeadlineTests {
    @Test("broken counts the runs that diverged or failed, as the max_diverged gate does")
    func brokenCountsDivergedAndFailed() {
        func run(_ status: RunStatus, _ key: String) -> RunRecord {
            RunRecord(
                spec: RunSpec(
                    index: 0, experiment: "e", runKey: key,
                    config: RunConfig(seed: 0, data: DataConfig(), model: ModelConfig(), train: TrainConfig()),
                    params: [], sweptKeys: []),
                outcome: RunOutcome(status: status, lossFinal: status.isFinished ? 1e-6 : nil),
                startedAt: Date(timeIntervalSinceReferenceDate: 0), wallSeconds: 1)
        }
        let runs = [run(.converged, "a"), run(.diverged, "b"), run(.failed, "c"), run(.completed, "d")]
        let info = BatchInfo(
            id: "b", manifestName: "m", title: nil, manifestPath: "m.yaml", manifestText: "", manifestSHA256: "0",
            toolVersion: "t", gitCommit: nil, host: "h", startedAt: Date(timeIntervalSinceReferenceDate: 0),
            plannedRuns: 4)
        let gates = Gates.evaluate(GateConfig(maxDiverged: 0), runs: runs, previous: [])
        let headline = BatchHeadline(info: info, runs: runs, gates: gates)
        #expect(headline.broken == 2 && headline.converged == 1 && headline.runs == 4)
        #expect(gates.first?.offendingRunKeys.count == headline.broken)
    }
}
