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

    /// The governor's usage report, as a table in the harness's report.
    func reportSection() -> ReportSection? {
        guard let report = governor?.report() else { return nil }
        func seconds(_ times: [LevelTime]) -> String {
            times.filter { $0.seconds > 0 }.map { "\($0.level) \(String(format: "%.2f", $0.seconds)) s" }.joined(
                separator: ", ")
        }
        var rows = [["", "peak", "average", "time per level", "batches", "actions"]]
        rows.append([
            "governor (budget \(report.budgetBytes) B from \(report.budgetSource.rawValue))", "\(report.peakBytes) B",
            "",
            seconds(report.secondsAtLevel), "",
            report.actions.isEmpty ? "none" : report.actions.joined(separator: "; "),
        ])
        for job in report.jobs.suffix(3) {
            rows.append([
                "job \(job.name)", "\(job.peakBytes) B", String(format: "%.0f B", job.averageBytes),
                seconds(job.secondsAtLevel),
                "\(job.batches) (last size \(job.lastBatchSize))", job.stopRequested ? "asked to stop" : "",
            ])
        }
        return ReportSection(
            title: "Memory governor: usage report (the last 3 of \(report.jobs.count) kept jobs)", rows: rows)
    }
}

/// The engine's operations as harness workloads, so `soakgate check` guards them.
public enum EngineWorkloads {
    public static let all: [WorkloadDefinition] =
        [
            WorkloadDefinition(
                "governor.admit-batch-release", summary: "MemoryGovernor: admit a job, size 4 batches, finish"
            ) {
                GovernorCycle()
            }
        ] + astGraph + LotoFeaturesWorkloads.all + IssueStreamWorkloads.all + EngineBenchWorkloads.all
}
