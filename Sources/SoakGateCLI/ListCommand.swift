import ArgumentParser
import SoakGate

struct ListCommand: RunnableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Lists the workloads this executable can measure.",
        discussion:
            "Workloads marked 'only when named' are left out of 'soakgate check' unless --workload selects them."
    )

    func execute(_ context: CommandContext) async throws -> Int32 {
        let width = context.workloads.map(\.name.count).max() ?? 0
        for workload in context.workloads {
            let padded = workload.name.padding(toLength: width, withPad: " ", startingAt: 0)
            let note = workload.runsByDefault ? "" : " (only when named)"
            print("\(padded)  \(workload.summary)\(note)")
        }
        return 0
    }
}
