import Foundation

extension IsolatedMeasurement {
    /// Which of a benchmark's two runs a measuring process does (`_measure --bench timed|counted`).
    public enum BenchRun: String, Sendable, CaseIterable {
        case timed
        case counted
    }

    /// A workload's benchmark figures from two fresh processes: the timed run with the caller's
    /// `MALLOC_CONF` (thread cache on, unless the caller turned it off), then the counting run
    /// with the thread cache off, over blocks as long as the timed run's samples. A crash, a
    /// timeout or a thrown error in either is the result's failure.
    public func bench(_ workload: WorkloadDefinition, plan: BenchPlan) async throws -> BenchResult {
        func failed(_ failure: Failure) -> BenchResult {
            BenchResult(name: workload.name, summary: workload.summary, figures: nil, failure: failure)
        }
        let planJSON = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
        let timedOutcome = try await runChild(
            workload, arguments: ["--bench", BenchRun.timed.rawValue, "--bench-plan", planJSON],
            mallocConf: baseEnvironment["MALLOC_CONF"])
        let timing: BenchTiming
        switch timedOutcome {
        case .result(.timed(let record)): timing = record
        case .result(let other): return failed(unexpected(other))
        case .failed(let failure): return failed(failure)
        }
        let countedOutcome = try await runChild(
            workload,
            arguments: [
                "--bench", BenchRun.counted.rawValue, "--block-iterations", "\(timing.iterationsPerSample)",
                "--warmup-iterations", "\(timing.warmupIterations)",
            ],
            mallocConf: mallocConf)
        switch countedOutcome {
        case .result(.counted(let allocations)):
            return BenchResult(
                name: workload.name, summary: workload.summary,
                figures: BenchFigures(timing: timing, allocations: allocations, unit: workload.unit), failure: nil)
        case .result(let other): return failed(unexpected(other))
        case .failed(let failure): return failed(failure)
        }
    }

    /// What a benchmark's measuring process left: its result, or why there is none.
    private enum ChildOutcome {
        case result(ChildResult)
        case failed(Failure)
    }

    private func unexpected(_ result: ChildResult) -> Failure {
        let reason: String
        switch result {
        case .workloadError(let message): reason = "the workload threw: \(message)"
        default: reason = "the measuring process did other work than it was asked to"
        }
        return Failure(reason: reason, exitStatus: 0, signal: nil, timedOut: false, outputTail: [], seconds: 0)
    }

    /// Runs a measuring process with `arguments` and reads its result; a configuration error
    /// (not jemalloc, say) throws, as it does for the leak measurement.
    private func runChild(_ workload: WorkloadDefinition, arguments: [String], mallocConf: String?) async throws
        -> ChildOutcome
    {
        let (exit, result) = try await runMeasuringProcess(workload, arguments: arguments, mallocConf: mallocConf)
        if let result {
            if case .configurationError(let message) = result { throw ConfigurationError(description: message) }
            return .result(result)
        }
        return .failed(
            Failure(
                reason: Self.describe(exit, timeoutSeconds: timeoutSeconds), exitStatus: exit.status,
                signal: exit.signal, timedOut: exit.timedOut, outputTail: exit.outputTail, seconds: exit.seconds))
    }
}
