import MemoryGovernor
import SoakGate

/// One governor for the whole measurement; each iteration admits a job, asks for a few batch
/// sizes, reports its buffers and finishes. The governor's bookkeeping must not grow with the
/// number of jobs it has seen.
struct GovernorCycle: Workload {
    var governor: MemoryGovernor?

    mutating func setUp() async throws {
        governor = try MemoryGovernor.forThisProcess()
        governor?.registerCache("none") { 0 }
    }

    mutating func run() async throws {
        guard let governor else { return }
        let job = try governor.admit(job: "cycle", batch: AdaptiveBatchSize(initial: 16, floor: 1, ceiling: 512))
        for round in 0..<4 {
            _ = job.nextBatchSize()
            job.recordOwnBytes(1024 * round)
        }
        job.finish()
    }
}

/// The engine's operations as harness workloads, so `soakgate check` guards them.
public enum EngineWorkloads {
    public static let all: [WorkloadDefinition] = [
        WorkloadDefinition("governor.admit-batch-release", summary: "MemoryGovernor: admit a job, size 4 batches, finish") {
            GovernorCycle()
        },
    ]
}
