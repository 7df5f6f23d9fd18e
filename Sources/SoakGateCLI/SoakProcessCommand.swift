import ArgumentParser
import Foundation
import HeapProbe
import SoakGate

/// A soaking process's entry point: `soak` starts the executable with this, once per workload.
/// Not for people; hidden from help.
struct SoakProcessCommand: RunnableCommand {
    static let configuration = CommandConfiguration(
        commandName: SoakSupervisor.subcommand,
        abstract: "Soaks one workload in this process (started by 'soak').",
        shouldDisplay: false
    )

    @Option(help: "The soak plan, as JSON.")
    var plan: String

    @Option(help: "The soak's process id: this process dies with it.")
    var parent: Int32

    func execute(_ context: CommandContext) async throws -> Int32 {
        guard InProcessSoak.prepareProcess(parent: parent), IsolatedMeasurement.dieWithParent(parent) else {
            throw CommandError(exitCode: 2, description: "the soak that started this process (pid \(parent)) is gone")
        }
        guard let plan = try? JSONDecoder().decode(SoakProcessPlan.self, from: Data(self.plan.utf8)) else {
            throw CommandError(
                exitCode: 2, description: "the soak plan passed to \(SoakSupervisor.subcommand) is not a valid plan")
        }
        do {
            try plan.check()
        } catch {
            throw CommandError(
                exitCode: 2,
                description: "the soak plan passed to \(SoakSupervisor.subcommand) is out of range: \(error)")
        }
        guard let definition = context.workloads.first(where: { $0.name == plan.workload }) else {
            throw CommandError(exitCode: 2, description: "this executable has no workload named '\(plan.workload)'")
        }
        do {
            // Away from the main actor: hopping back to the main queue each iteration would grow the heap.
            try await Task.detached { try await InProcessSoak.run(definition, plan: plan, parent: parent) }.value
        } catch let error as HeapProbeError {
            throw CommandError(exitCode: 2, description: error.description)
        } catch {
            throw CommandError(exitCode: 1, description: "the workload threw: \(error)")
        }
        return 0
    }
}
