import ArgumentParser
import EngineCommandLine
import Foundation
import Logging
import MemoryGovernor
import Metrics
import SoakGateBasics

/// `--memory-budget` and `--governor-report`, shared by `triage` and `demo`.
struct MemoryOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            """
            Memory budget in MiB, 16 to this machine's memory (default: the cgroup limit, else the machine's memory). \
            Near it the run goes light (one page held, no in-memory response cache); at it the run stops once it has \
            written a page, and says the command that completes it.
            """,
            valueName: "MiB"))
    var memoryBudget: Int?

    @Option(
        help: ArgumentHelp(
            "Write the memory governor's JSON report here when the run ends, however it ends (levels, batches, actions); default: none.",
            valueName: "FILE"))
    var governorReport: String?

    /// The largest budget: the machine's memory in MiB (the governor refuses more).
    static var machineMiB: Int { max(16, Int(clamping: ProcessInfo.processInfo.physicalMemory >> 20)) }

    func validate() throws {
        if let memoryBudget {
            do {
                try CheckedNumber.checked(
                    memoryBudget, in: 16...Self.machineMiB, source: "--memory-budget", unit: "MiB")
            } catch {
                throw ValidationError(error.description)
            }
        }
        if let governorReport { try OutputPath.check(governorReport, flag: "--governor-report") }
    }

    /// The governor, made before anything is created or requested, with its metrics in
    /// `metrics` (the `/metrics` registry when there is one). A budget it refuses (below what the
    /// process already uses, or a cgroup limit that cannot be read) is a usage error: the run
    /// never goes on ungoverned.
    func makeGovernor(metrics: any MetricsFactory) throws -> MemoryGovernor {
        do {
            // In range (validate), so the shift cannot overflow.
            return try MemoryGovernor.forThisProcess(
                budgetBytes: memoryBudget.map { $0 << 20 }, metrics: metrics,
                logger: Logger(label: "soakgate.memory-governor") { _ in SwiftLogNoOpLogHandler() })
        } catch {
            throw CommandFailure.usage("--memory-budget \(memoryBudget.map { "\($0)" } ?? "not given"): \(error)")
        }
    }

    /// Writes the report when `--governor-report` was given; false (with one line on standard
    /// error) when it cannot be written.
    func writeReport(_ governor: MemoryGovernor) -> Bool {
        guard let governorReport else { return true }
        do { try governor.report().write(to: governorReport) } catch let error as FileError {
            CommandOutput.error("--governor-report \(governorReport): \(error.reason)")
            return false
        } catch {
            CommandOutput.error("--governor-report \(governorReport): \(error)")
            return false
        }
        return true
    }
}

/// The command line of this process as a user would type it again, with `--resume` added:
/// what a stopped run tells the user to type to complete it.
enum ResumeCommand {
    static func current(adding extra: [String] = []) -> String {
        ShellCommand.line(resuming: ["issue-stream"] + CommandLine.arguments.dropFirst(), adding: extra)
    }
}
