import ArgumentParser
import Foundation
import HeapProbe
import SoakGate
import SoakGateBasics

/// The measuring process's entry point: `check` starts the executable with this, once per
/// workload. Not for people; hidden from help.
struct MeasureCommand: RunnableCommand {
    static let configuration = CommandConfiguration(
        commandName: IsolatedMeasurement.subcommand,
        abstract: "Measures one workload in this process (started by 'check').",
        shouldDisplay: false
    )

    @Option(help: "The workload to measure.")
    var workload: String

    @Option(help: "The measurement plan, as JSON.")
    var plan: String

    @Option(help: "Where to write the result, as JSON.")
    var result: String

    @Option(help: "Profile instead of measuring: write two heap profiles into this directory.")
    var profileDirectory: String?

    @Option(help: "The pid of the 'check' that started this process: this process dies with it.")
    var parent: Int32?

    @Option(help: "Run one of a benchmark's runs instead of measuring: timed or counted.")
    var bench: String?

    @Option(help: "The timed run's plan, as JSON.")
    var benchPlan: String?

    @Option(help: "The counting run's iterations per block.")
    var blockIterations: Int = 1

    @Option(help: "The counting run's warm-up iterations.")
    var warmupIterations: Int = 1

    func execute(_ context: CommandContext) async throws -> Int32 {
        if let parent, !IsolatedMeasurement.dieWithParent(parent) {
            throw CommandError(exitCode: 2, description: "the check that started this process (pid \(parent)) is gone")
        }
        let outcome: ChildResult
        if let definition = context.workloads.first(where: { $0.name == workload }) {
            if let bench {
                outcome = await benchRun(bench, definition)
            } else if let plan = try? JSONDecoder().decode(MeasurementPlan.self, from: Data(self.plan.utf8)) {
                outcome = await Self.measure(definition, plan: plan, profileDirectory: profileDirectory)
            } else {
                outcome = .configurationError(
                    "the measurement plan passed to \(IsolatedMeasurement.subcommand) is not a valid plan")
            }
        } else {
            outcome = .configurationError("this executable has no workload named '\(workload)'")
        }
        try AtomicFile.write(try JSONEncoder().encode(outcome), to: result)
        return 0
    }

    private func benchRun(_ run: String, _ definition: WorkloadDefinition) async -> ChildResult {
        let blocks = blockIterations
        let warmup = warmupIterations
        do {
            switch IsolatedMeasurement.BenchRun(rawValue: run) {
            case .timed:
                guard let json = benchPlan, let plan = try? JSONDecoder().decode(BenchPlan.self, from: Data(json.utf8))
                else {
                    return .configurationError(
                        "the benchmark plan passed to \(IsolatedMeasurement.subcommand) is not a valid plan")
                }
                return .timed(
                    try await Task.detached {
                        try await InProcessBench.time(definition, plan: plan, progress: ProgressWriter())
                    }.value)
            case .counted:
                guard (1...1_000_000_000).contains(blocks), (0...1_000_000_000).contains(warmup) else {
                    return .configurationError(
                        "the counting run's block of \(blocks) or warm-up of \(warmup) iterations is out of range")
                }
                return .counted(
                    try await Task.detached {
                        try await InProcessBench.count(definition, iterationsPerBlock: blocks, warmupIterations: warmup)
                    }.value)
            case nil:
                return .configurationError("--bench is '\(run)'; write timed or counted")
            }
        } catch let error as HeapProbeError {
            return .configurationError(error.description)
        } catch {
            return .workloadError(String(describing: error))
        }
    }

    private static func measure(_ definition: WorkloadDefinition, plan: MeasurementPlan, profileDirectory: String?)
        async -> ChildResult
    {
        do {
            if let profileDirectory {
                let record = try await Task.detached {
                    try await InProcessMeasurement.profile(definition, plan: plan, directory: profileDirectory)
                }.value
                return .profiled(record)
            }
            // Measure away from the main actor: hopping back to the main queue on every
            // iteration would itself grow the heap.
            let record = try await Task.detached {
                try await InProcessMeasurement.measure(definition, plan: plan, progress: ProgressWriter())
            }.value
            return .measured(record)
        } catch let error as HeapProbeError {
            return .configurationError(error.description)
        } catch {
            return .workloadError(String(describing: error))
        }
    }
}
