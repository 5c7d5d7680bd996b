import ExpRegPipeline
import Foundation
import Testing

/// `--shard I/N | auto` parsing and the batch id every shard agrees on (no processes, no files).
@Suite struct ShardSpecTests {
    @Test func explicitSpecsAssignEveryPlanIndexToExactlyOneShard() throws {
        let shards = try (0..<4).map { try ShardSpec.resolve("\($0)/4", environment: [:]) }
        for planIndex in 0..<23 {
            #expect(shards.filter { $0.owns(planIndex: planIndex) }.count == 1)
            #expect(shards[planIndex % 4].owns(planIndex: planIndex))
        }
        #expect(shards[3].description == "3/4")
    }

    @Test(arguments: ["4/4", "0/0", "-1/3", "1", "a/b", "1/2/3", ""])
    func invalidSpecsAreInvalidInput(_ text: String) {
        let error = #expect(throws: PipelineError.self) { try ShardSpec.resolve(text, environment: [:]) }
        #expect(error?.status == .invalidInput)
    }

    @Test func autoReadsASlurmArrayByCountOrByMax() throws {
        let byCount = try ShardSpec.resolve(
            "auto",
            environment: [
                "SLURM_ARRAY_TASK_ID": "12", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_COUNT": "4",
            ])
        #expect(byCount == (try ShardSpec(index: 2, count: 4)))
        let byMax = try ShardSpec.resolve(
            "auto",
            environment: [
                "SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "7",
            ])
        #expect(byMax == (try ShardSpec(index: 0, count: 8)))
    }

    @Test func autoRefusesAStridedSlurmArray() {
        let error = #expect(throws: PipelineError.self) {
            try ShardSpec.resolve(
                "auto",
                environment: [
                    "SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "6",
                    "SLURM_ARRAY_TASK_COUNT": "4",
                ])
        }
        #expect(error?.message.contains("not contiguous") == true)
    }

    @Test func autoReadsAKubernetesIndexedJob() throws {
        let spec = try ShardSpec.resolve("auto", environment: ["JOB_COMPLETION_INDEX": "5", "EXPREG_SHARD_COUNT": "6"])
        #expect(spec == (try ShardSpec(index: 5, count: 6)))
        #expect(throws: PipelineError.self) {
            try ShardSpec.resolve("auto", environment: ["JOB_COMPLETION_INDEX": "6", "EXPREG_SHARD_COUNT": "6"])
        }
        #expect(throws: PipelineError.self) {
            try ShardSpec.resolve("auto", environment: ["JOB_COMPLETION_INDEX": "x", "EXPREG_SHARD_COUNT": "6"])
        }
    }

    @Test func batchIDComesFromTheOptionThenTheEnvironmentThenTheSlurmArrayJob() {
        let slurm = ["SLURM_ARRAY_JOB_ID": "4242"]
        #expect(ShardSpec.batchID(explicit: "mine", manifestName: "n", environment: slurm) == "mine")
        #expect(
            ShardSpec.batchID(
                explicit: nil, manifestName: "n", environment: slurm.merging(["EXPREG_BATCH_ID": "env"]) { $1 })
                == "env")
        #expect(ShardSpec.batchID(explicit: nil, manifestName: "nightly", environment: slurm) == "slurm-4242-nightly")
        #expect(ShardSpec.batchID(explicit: nil, manifestName: "n", environment: [:]) == nil)
    }

    @Test func shardArchivesLiveBesideTheMainArchive() throws {
        let spec = try ShardSpec(index: 3, count: 8)
        #expect(
            spec.defaultArchivePath(mainArchive: "/shared/exp/expreg.sqlite", batchID: "b")
                == "/shared/exp/shards/b/shard-3.sqlite")
    }
}
